use epilogue::defer_on_exit;

#[defer_on_exit]
fn save(path: &str) -> std::io::Result<()> {
    defer! { std::fs::remove_file(path)?; }
    Ok(())
}

fn main() {
    save("x").unwrap();
}
