use epilogue::defer_on_exit;

#[defer_on_exit(map_err = |err| err, map_err = |err| err)]
fn load(text: &str) -> Result<u32, String> {
    text.parse().map_err(|_| "not a number".to_owned())
}

fn main() {
    load("1").unwrap();
}
