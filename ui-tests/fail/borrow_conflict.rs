use epilogue::defer_on_exit;

#[defer_on_exit]
fn collect() -> Vec<u32> {
    let mut items = Vec::new();
    defer! { println!("collected {}", items.len()) }
    items.push(1);
    items
}

fn main() {
    collect();
}
