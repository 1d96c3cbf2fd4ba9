use epilogue::defer_on_exit;

#[defer_on_exit]
fn run() -> u32 {
    defer!(async |ret| *ret += 1);
    1
}

fn main() {
    run();
}
