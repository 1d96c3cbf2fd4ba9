use epilogue::defer_on_exit;

async fn flush() {}

#[defer_on_exit]
fn run() -> u32 {
    defer!(async { flush().await });
    1
}

fn main() {
    run();
}
