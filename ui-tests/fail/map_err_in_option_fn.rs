use epilogue::defer_on_exit;

#[defer_on_exit(map_err = |err| err)]
fn first(values: &[u32]) -> Option<u32> {
    values.first().copied()
}

fn main() {
    first(&[1]);
}
