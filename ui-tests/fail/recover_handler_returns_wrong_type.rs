use epilogue::recover;

#[recover(with = |panic| panic.message().to_owned())]
fn count() -> usize {
    0
}

fn main() {
    count();
}
