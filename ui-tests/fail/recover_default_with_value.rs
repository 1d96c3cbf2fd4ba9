use epilogue::recover;

#[recover(default = 0)]
fn run() -> u32 {
    1
}

fn main() {
    run();
}
