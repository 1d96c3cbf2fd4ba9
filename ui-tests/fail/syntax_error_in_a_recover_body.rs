// A function being typed under `#[recover]`: the syntax error is the only
// error.
use epilogue::recover;

#[recover]
fn parse(text: &str) -> Option<u16> {
    let value: u16 = text.parse().ok()?;
    let doubled = value *;
    Some(value)
}

fn main() {
    let _ = parse("1");
}
