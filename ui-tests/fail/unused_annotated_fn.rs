#![deny(dead_code)]

use epilogue::defer_on_exit;

#[defer_on_exit]
fn never_called() -> Result<(), String> {
    defer_on_err! { println!("failed") }
    Ok(())
}

fn main() {}
