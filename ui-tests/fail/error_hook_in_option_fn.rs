use epilogue::defer_on_exit;

#[defer_on_exit]
fn first(values: &[u32]) -> Option<u32> {
    defer_on_err!(|err| eprintln!("failed: {err:?}"));
    values.first().copied()
}

fn main() {
    first(&[1]);
}
