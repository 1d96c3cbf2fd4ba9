use epilogue::defer_on_exit;

#[defer_on_exit]
fn run() {
    let _guard = defer! { println!("cleanup") };
}

fn main() {
    run();
}
