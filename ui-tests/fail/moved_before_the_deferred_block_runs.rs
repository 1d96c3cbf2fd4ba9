use epilogue::defer_on_exit;

// The deferred block runs when the function has returned `items`: it can no
// longer use it. (Using `items` after the `defer!` is fine: the block borrows
// nothing until it runs.)
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
