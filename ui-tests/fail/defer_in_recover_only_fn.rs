use epilogue::{recover, Panic};

#[recover]
fn run() -> Result<u32, Panic> {
    defer! { println!("cleanup") }
    Ok(1)
}

fn main() {
    run().unwrap();
}
