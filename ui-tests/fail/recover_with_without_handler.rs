use epilogue::recover;

#[recover(with)]
fn run() -> u32 {
    1
}

fn main() {
    run();
}
