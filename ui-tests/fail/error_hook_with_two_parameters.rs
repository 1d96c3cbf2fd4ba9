use epilogue::defer_on_exit;

#[defer_on_exit]
fn load(text: &str) -> Result<u32, String> {
    defer_on_err!(|err, attempt| eprintln!("{err} at {attempt}"));
    text.parse().map_err(|_| "not a number".to_owned())
}

fn main() {
    load("1").unwrap();
}
