// An `async fn` being typed, with every async form: the syntax error is the
// only error.
use epilogue::defer_on_exit;

#[defer_on_exit]
async fn send(values: &[u8]) -> Result<usize, String> {
    defer!(async { println!("flushed") });
    defer!(async move { println!("closed") });
    defer!(async |ret| println!("{ret:?}"));
    defer_on_err!(async { println!("rolled back") });
    let sent = values.len() *;
    Ok(values.len())
}

fn main() {
    let _ = send(&[1, 2]);
}
