use epilogue::defer_on_exit;

// A macro whose arguments are not expressions and that visibly `continue`s:
// it cannot run in a closure, and its `?` cannot be rewritten.
macro_rules! first_of {
    ($($name:ident => $value:expr),* $(,)?) => {
        [$($value),*][0]
    };
}

fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    text.parse()
}

#[defer_on_exit]
fn sum(texts: &[&str]) -> Result<u32, std::num::ParseIntError> {
    defer_on_err! { eprintln!("could not sum") }
    let mut total = 0;
    for text in texts {
        total += first_of!(a => parse(text)?, b => continue);
    }
    Ok(total)
}

fn main() {
    sum(&["1"]).unwrap();
}
