use epilogue::defer_on_exit;

async fn flush() -> Result<(), String> {
    Ok(())
}

#[defer_on_exit]
async fn run() -> Result<u32, String> {
    defer!(async {
        if flush().await.is_err() {
            return;
        }
    });
    Ok(1)
}

fn main() {
    drop(run());
}
