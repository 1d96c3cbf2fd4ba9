use epilogue::recover;

#[recover(silent)]
fn run() {}

fn main() {
    run();
}
