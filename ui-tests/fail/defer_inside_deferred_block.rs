use epilogue::defer_on_exit;

#[defer_on_exit]
fn run() {
    defer! {
        defer! { println!("nested") }
    }
}

fn main() {
    run();
}
