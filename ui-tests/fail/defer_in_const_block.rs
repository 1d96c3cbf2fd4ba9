use epilogue::defer_on_exit;

#[defer_on_exit]
fn size() -> usize {
    const {
        defer! { println!("never") }
        4
    }
}

fn main() {
    size();
}
