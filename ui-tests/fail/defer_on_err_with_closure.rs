use epilogue::defer_on_exit;

#[defer_on_exit]
fn save() -> Result<(), String> {
    defer_on_err!(|error| eprintln!("failed: {error:?}"));
    Ok(())
}

fn main() {
    save().unwrap();
}
