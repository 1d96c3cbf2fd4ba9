use epilogue::defer_on_exit;

#[defer_on_exit(crate = epilogue, crate = epilogue)]
fn run() {
    defer! { println!("cleanup") }
}

fn main() {
    run();
}
