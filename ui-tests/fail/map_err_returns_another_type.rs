use epilogue::defer_on_exit;

// The mapping's value replaces the error, so it must be of the error's type.
#[defer_on_exit(map_err = |err| format!("loading: {err}"))]
fn load(text: &str) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

fn main() {
    load("1").unwrap();
}
