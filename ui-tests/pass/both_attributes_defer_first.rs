// Both attributes on one function, the other order.
#![deny(warnings)]

use epilogue::{defer_on_exit, recover};

#[defer_on_exit]
#[recover]
fn job() -> Option<u32> {
    defer_on_err! { println!("failed") }
    Some(1)
}

fn main() {
    assert_eq!(job(), Some(1));
}
