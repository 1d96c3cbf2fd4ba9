// A function being typed: its body does not parse yet. The only error is
// the syntax error itself; the deferred statements, in every synchronous
// form, add none (each added "cannot find macro `defer`" before).
use epilogue::defer_on_exit;

#[defer_on_exit(map_err = |err| format!("counting: {err}"))]
fn count(values: &[u8]) -> Result<usize, String> {
    let mut seen = 0;
    defer! { println!("saw {seen}") }
    defer!(move { println!("started with {}", values.len()) });
    defer!(|ret| if let Ok(count) = ret { *count += 1 });
    defer!(move |ret| println!("{ret:?}"));
    defer_on_err! { println!("failed after {seen}") }
    defer_on_err!(move { println!("failed") });
    defer_on_err!(|err| err.push('!'));
    for value in values {
        seen += usize::from(*value);
    }
    let total = seen +;
    Ok(seen)
}

fn main() {
    let _ = count(&[1, 2]);
}
