use epilogue::defer;

fn main() {
    defer! { println!("never registered") }
}
