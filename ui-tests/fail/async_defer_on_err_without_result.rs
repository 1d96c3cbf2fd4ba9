use epilogue::defer_on_exit;

async fn rollback() {}

#[defer_on_exit]
async fn count() -> u32 {
    defer_on_err!(async { rollback().await });
    1
}

fn main() {
    drop(count());
}
