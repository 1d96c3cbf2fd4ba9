use epilogue::defer_on_exit;

#[defer_on_exit]
fn run(items: &[u32]) {
    items.iter().for_each(|item| {
        defer! { println!("done with {item}") }
    });
}

fn main() {
    run(&[1]);
}
