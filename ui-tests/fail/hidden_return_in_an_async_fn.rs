use epilogue::defer_on_exit;

// A statement macro that defines a binding for the code after it cannot run
// in a wrapping closure, so the `return` it hides cannot be routed: in an
// `async fn` whose actions are all async, the proof carries the value, and
// the `return` still fails to compile rather than skip the flush.
macro_rules! let_or_bail {
    ($name:ident = $value:expr) => {
        let $name = match $value {
            Some(value) => value,
            None => return Err("missing".to_owned()),
        };
    };
}

async fn flush() {}

#[defer_on_exit]
async fn first(values: &[u32]) -> Result<u32, String> {
    defer!(async { flush().await });
    let_or_bail!(first = values.first());
    Ok(*first)
}

fn main() {
    drop(first(&[1]));
}
