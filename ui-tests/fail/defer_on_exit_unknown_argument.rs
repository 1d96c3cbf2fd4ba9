use epilogue::defer_on_exit;

#[defer_on_exit(verbose)]
fn run() {
    defer! { println!("cleanup") }
}

fn main() {
    run();
}
