// `crate = path`: a crate that re-exports epilogue points the expansion at
// its re-export, and the user's crate never names `epilogue`.
mod framework {
    pub use epilogue as cleanup;
}

use framework::cleanup::{defer_on_exit, recover};

#[recover(crate = framework::cleanup)]
#[defer_on_exit(crate = framework::cleanup)]
fn job(fail: bool) -> Option<u32> {
    defer_on_err! { println!("failed") }
    framework::cleanup::defer! { println!("done") }
    assert!(!fail);
    Some(1)
}

fn main() {
    assert_eq!(job(false), Some(1));
    assert_eq!(job(true), None);
}
