use epilogue::recover;

#[recover]
fn answer() -> i32 {
    42
}

fn main() {
    answer();
}
