use epilogue::defer_on_exit;

#[defer_on_exit]
fn count(items: &[u32]) -> usize {
    defer_on_err! { println!("counting failed") }
    items.len()
}

fn main() {
    count(&[]);
}
