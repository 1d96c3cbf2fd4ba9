use epilogue::defer_on_exit;

#[defer_on_exit]
fn run(name: String) {
    defer!(move name);
}

fn main() {
    run(String::new());
}
