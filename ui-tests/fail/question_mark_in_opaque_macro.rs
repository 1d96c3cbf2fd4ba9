use epilogue::defer_on_exit;

macro_rules! first_of {
    ($($name:ident => $value:expr),* $(,)?) => {
        [$($value),*][0]
    };
}

fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

#[defer_on_exit]
fn pick(text: &str) -> Result<u32, std::num::ParseIntError> {
    defer_on_err! { eprintln!("could not pick") }
    Ok(first_of!(a => parse(text)?, b => 2))
}

fn main() {
    pick("1").unwrap();
}
