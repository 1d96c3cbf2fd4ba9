use epilogue::defer_on_exit;

macro_rules! bail {
    ($message:expr) => {
        return Err($message.to_string())
    };
}

#[defer_on_exit]
fn check(value: u32) -> Result<u32, String> {
    defer_on_err! { eprintln!("check failed") }
    if value == 0 {
        bail!("zero");
    }
    Ok(value)
}

fn main() {
    check(1).unwrap();
}
