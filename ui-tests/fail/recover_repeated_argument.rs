use epilogue::recover;

#[recover(default, default)]
fn run() -> u32 {
    1
}

fn main() {
    run();
}
