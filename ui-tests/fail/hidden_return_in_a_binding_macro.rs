use epilogue::defer_on_exit;

// A statement macro that defines a binding for the code after it cannot run
// in a wrapping closure, so the `return` it hides cannot be routed.
macro_rules! let_or_bail {
    ($name:ident = $value:expr) => {
        let $name = match $value {
            Some(value) => value,
            None => return Err("missing".to_owned()),
        };
    };
}

#[defer_on_exit]
fn first(values: &[u32]) -> Result<u32, String> {
    defer_on_err! { eprintln!("failed") }
    let_or_bail!(first = values.first());
    Ok(*first)
}

fn main() {
    first(&[1]).unwrap();
}
