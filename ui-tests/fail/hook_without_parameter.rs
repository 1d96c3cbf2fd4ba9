use epilogue::defer_on_exit;

#[defer_on_exit]
fn total(a: u32, b: u32) -> u32 {
    defer!(move || println!("done"));
    a + b
}

fn main() {
    total(1, 2);
}
