// A function being typed under both attributes: the syntax error is the
// only error.
use epilogue::{defer_on_exit, recover};

#[recover(default)]
#[defer_on_exit]
fn guarded(text: &str) -> u16 {
    defer! { println!("parsed {text}") }
    defer!(|ret| *ret += 1);
    text.parse().unwrap_or(.)
}

fn main() {
    let _ = guarded("1");
}
