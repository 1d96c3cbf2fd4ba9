//! `#[recover]` on `extern "C"` functions: the FFI boundary use. A
//! Rust callback called from C must not unwind into C (Rust aborts the
//! process when a panic reaches an `extern "C"` frame); with `#[recover]` the
//! panic becomes an error code and C carries on.

use common::{events, log};
use epilogue::recover;
use epilogue_test_support as common;
use std::os::raw::c_int;

// The build script compiles `ffi/caller.c` into this static library.
#[link(name = "epilogue_ffi_caller", kind = "static")]
extern "C" {
    fn call_each(
        callback: extern "C" fn(c_int) -> c_int,
        values: *const c_int,
        count: c_int,
        failures: *mut c_int,
    ) -> c_int;
}

/// Doubles non-negative values; panics on negative ones, as buggy code would.
#[recover(with = |panic| {
    log(format!("callback panicked: {}", panic.message()));
    -1
})]
extern "C" fn double(value: c_int) -> c_int {
    assert!(value >= 0, "negative input {value}");
    value * 2
}

#[test]
fn a_panic_in_a_callback_becomes_an_error_code_for_c() {
    let values = [1, -2, 3, -4];
    let mut failures = 0;
    // SAFETY: `values` outlives the call and `count` is its length.
    let sum = unsafe { call_each(double, values.as_ptr(), 4, &mut failures) };
    assert_eq!(sum, 8);
    assert_eq!(failures, 2);
    assert_eq!(
        events(),
        [
            "callback panicked: negative input -2",
            "callback panicked: negative input -4"
        ]
    );
}

#[recover(default)]
extern "C" fn status(value: c_int) -> c_int {
    if value == 0 {
        panic!("zero");
    }
    value
}

#[test]
fn default_gives_zero_to_c() {
    let values = [5, 0, 7];
    let mut failures = 0;
    // SAFETY: as above.
    let sum = unsafe { call_each(status, values.as_ptr(), 3, &mut failures) };
    assert_eq!(sum, 12);
    assert_eq!(failures, 0);
}
