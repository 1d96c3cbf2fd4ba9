use epilogue::defer_on_exit;

#[defer_on_exit]
fn outer() {
    fn inner() {
        defer! { println!("inner cleanup") }
    }
    inner();
}

fn main() {
    outer();
}
