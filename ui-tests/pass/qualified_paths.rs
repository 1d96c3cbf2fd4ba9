// Attributes and macros through paths, without imports.
#![deny(warnings)]

#[epilogue::recover]
#[epilogue::defer_on_exit]
fn job() -> Option<u32> {
    epilogue::defer_on_err! { println!("failed") }
    defer! { println!("done") }
    Some(1)
}

fn main() {
    assert_eq!(job(), Some(1));
}
