use epilogue::recover;

trait Handler {
    #[recover]
    fn handle(&self) -> Option<u32>;
}

fn main() {}
