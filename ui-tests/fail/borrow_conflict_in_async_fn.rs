use epilogue::defer_on_exit;

// In an `async fn`, a synchronous `defer!` stays a drop guard, the only thing
// that can run when the future is dropped (cancelled): it borrows what it
// uses until its block ends.
#[defer_on_exit]
async fn collect() -> usize {
    let mut items = Vec::new();
    defer! { println!("collected {}", items.len()) }
    items.push(1);
    items.len()
}

fn main() {
    drop(collect());
}
