use epilogue::defer_on_exit;

struct MyError;

#[defer_on_exit]
fn parse(text: &str) -> Result<u32, MyError> {
    defer_on_err! { eprintln!("parse failed") }
    let value = text.parse::<u32>()?;
    Ok(value)
}

fn main() {
    let _ = parse("1");
}
