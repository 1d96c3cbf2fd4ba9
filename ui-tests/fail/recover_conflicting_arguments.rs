use epilogue::recover;

#[recover(default, with = |_| 0)]
fn run() -> u32 {
    1
}

fn main() {
    run();
}
