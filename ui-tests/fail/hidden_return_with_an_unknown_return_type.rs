use epilogue::defer_on_exit;

// The return type's alias does not say which of its values are early exits,
// so a macro that may hide a `return` cannot be wrapped.
type Outcome = Result<u32, String>;

macro_rules! bail {
    ($message:expr) => {
        return Err($message.to_owned())
    };
}

#[defer_on_exit]
fn check(value: u32) -> Outcome {
    defer_on_err! { eprintln!("check failed") }
    if value == 0 {
        bail!("zero");
    }
    Ok(value)
}

fn main() {
    check(1).unwrap();
}
