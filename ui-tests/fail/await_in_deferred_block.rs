use epilogue::defer_on_exit;

async fn close() {}

#[defer_on_exit]
async fn session() {
    defer! { close().await; }
}

fn main() {
    drop(session());
}
