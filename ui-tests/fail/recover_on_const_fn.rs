use epilogue::recover;

#[recover]
const fn answer() -> Option<u32> {
    Some(42)
}

fn main() {
    answer();
}
