use epilogue::defer_on_exit;

// A macro that returns early with a success value: the wrapping closure
// only lets the early exits of the return type (here `Err(_)`) through.
macro_rules! or_default {
    ($value:expr) => {
        match $value {
            Some(value) => value,
            None => return Ok(0),
        }
    };
}

#[defer_on_exit]
fn first(values: &[u32]) -> Result<u32, String> {
    defer_on_err! { eprintln!("failed") }
    let first = or_default!(values.first());
    Ok(*first)
}

fn main() {
    first(&[1]).unwrap();
}
