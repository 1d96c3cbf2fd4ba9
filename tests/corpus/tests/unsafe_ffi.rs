use crate::support::{assert_panics, fallible, infallible};
use epilogue_corpus::unsafe_ffi::*;

#[test]
fn unsafe_fn() {
    let values = [1, u32::MAX, 3];
    for index in [0, 1, 5] {
        // SAFETY: `values` is valid for `values.len()` reads.
        fallible(
            || unsafe { read_at_plain(values.as_ptr(), values.len(), index) },
            || unsafe { read_at_d(values.as_ptr(), values.len(), index) },
            || unsafe { read_at_r(values.as_ptr(), values.len(), index) },
        );
    }
}

#[test]
fn unsafe_tail() {
    for bytes in [&b"abc"[..], &[0xff, 0x41][..]] {
        fallible(
            || unsafe_tail_plain(bytes),
            || unsafe_tail_d(bytes),
            || unsafe_tail_r(bytes),
        );
    }
}

#[test]
fn unsafe_method() {
    let buffer = Buffer(vec![4, 5]);
    // SAFETY: 1 is in bounds.
    infallible(
        || unsafe { buffer.get_unchecked_plain(1) },
        || unsafe { buffer.get_unchecked_d(1) },
        || unsafe { buffer.get_unchecked_r(1) },
    );
}

#[test]
fn extern_c() {
    type Callback = extern "C" fn(i32) -> i32;
    let (plain, d, r): (Callback, Callback, Callback) = (c_double_plain, c_double_d, c_double_r);
    for value in [3, i32::MAX] {
        infallible(|| plain(value), || d(value), || r(value));
    }
    type Checked = extern "C" fn(u32, u32) -> Option<std::num::NonZeroU32>;
    let (plain, d, r): (Checked, Checked, Checked) = (
        epilogue_corpus_nonzero_plain,
        epilogue_corpus_nonzero_d,
        epilogue_corpus_nonzero_r,
    );
    for (value, sub) in [(5, 1), (5, 5), (1, 5)] {
        fallible(|| plain(value, sub), || d(value, sub), || r(value, sub));
    }
}

#[test]
fn unsafe_extern_c() {
    let value = 42;
    for pointer in [&raw const value, std::ptr::null()] {
        // SAFETY: null or valid.
        infallible(
            || unsafe { c_read_plain(pointer) },
            || unsafe { c_read_d(pointer) },
            || unsafe { c_read_r(pointer) },
        );
    }
}

#[test]
fn extern_c_unwind() {
    type Callback = extern "C-unwind" fn(u32) -> u32;
    let (plain, d, r): (Callback, Callback, Callback) = (c_unwind_plain, c_unwind_d, c_unwind_r);
    infallible(|| plain(8), || d(8), || r(8));
    let out = infallible(|| plain(0), || d(0), || r(0));
    assert_panics(
        &out,
        "assertion `left != right` failed: zero across the boundary\n  left: 0\n right: 0",
    );
}
