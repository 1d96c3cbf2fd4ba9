use epilogue::defer_on_exit;

#[defer_on_exit]
fn name() -> Result<String, String> {
    defer_on_err! { eprintln!("no name") }
    Ok("ferris")
}

fn main() {
    name().unwrap();
}
