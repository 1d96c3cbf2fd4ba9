use epilogue::defer_on_err;

fn save() -> Result<(), String> {
    defer_on_err! { println!("rolling back") }
    Ok(())
}

fn main() {
    save().unwrap();
}
