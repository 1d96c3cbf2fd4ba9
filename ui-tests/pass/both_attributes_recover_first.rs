// Both attributes on one function, and no other use of either import: the
// import of the attribute that expands second must not be reported unused.
#![deny(warnings)]

use epilogue::{defer_on_exit, recover};

#[recover]
#[defer_on_exit]
fn job() -> Option<u32> {
    defer_on_err! { println!("failed") }
    Some(1)
}

fn main() {
    assert_eq!(job(), Some(1));
}
