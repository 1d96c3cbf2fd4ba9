use epilogue::defer_on_exit;

#[defer_on_exit]
fn load() -> Result<u32, String> {
    defer! {
        if true {
            return Err("cleanup failed".into());
        }
    }
    Ok(1)
}

fn main() {
    load().unwrap();
}
