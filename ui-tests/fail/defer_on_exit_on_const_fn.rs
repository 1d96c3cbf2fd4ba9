use epilogue::defer_on_exit;

#[defer_on_exit]
const fn answer() -> u32 {
    defer! { let _ = 1; }
    42
}

fn main() {
    answer();
}
