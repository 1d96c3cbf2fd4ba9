//! `unsafe fn` (with `unsafe {}` blocks inside), `unsafe` blocks as tails,
//! `extern "C"` and `extern "C-unwind"` functions.

use crate::probe;
use epilogue::{defer_on_exit, recover};
use std::num::NonZeroU32;

// ---- `unsafe fn` with `unsafe {}` blocks inside --------------------------------

/// # Safety
/// `pointer` is valid for reads of `len` elements.
#[must_use]
pub unsafe fn read_at_plain(pointer: *const u32, len: usize, index: usize) -> Option<u32> {
    if index >= len {
        return None;
    }
    // SAFETY: in bounds, by the caller's promise.
    let value = unsafe { *pointer.add(index) };
    value.checked_add(1)
}

/// # Safety
/// `pointer` is valid for reads of `len` elements.
#[defer_on_exit]
#[must_use]
pub unsafe fn read_at_d(pointer: *const u32, len: usize, index: usize) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if index >= len {
        return None;
    }
    // SAFETY: in bounds, by the caller's promise.
    let value = unsafe { *pointer.add(index) };
    value.checked_add(1)
}

/// # Safety
/// `pointer` is valid for reads of `len` elements.
#[recover(with = |p| p.resume())]
#[must_use]
pub unsafe fn read_at_r(pointer: *const u32, len: usize, index: usize) -> Option<u32> {
    if index >= len {
        return None;
    }
    // SAFETY: in bounds, by the caller's promise.
    let value = unsafe { *pointer.add(index) };
    value.checked_add(1)
}

// ---- an `unsafe` block as the tail ------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn unsafe_tail_plain(bytes: &[u8]) -> Result<&str, String> {
    if !bytes.is_ascii() {
        return Err(format!("{} bytes, not ASCII", bytes.len()));
    }
    // SAFETY: ASCII is UTF-8.
    unsafe { Ok(std::str::from_utf8_unchecked(bytes)) }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn unsafe_tail_d(bytes: &[u8]) -> Result<&str, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if !bytes.is_ascii() {
        return Err(format!("{} bytes, not ASCII", bytes.len()));
    }
    // SAFETY: ASCII is UTF-8.
    unsafe { Ok(std::str::from_utf8_unchecked(bytes)) }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn unsafe_tail_r(bytes: &[u8]) -> Result<&str, String> {
    if !bytes.is_ascii() {
        return Err(format!("{} bytes, not ASCII", bytes.len()));
    }
    // SAFETY: ASCII is UTF-8.
    unsafe { Ok(std::str::from_utf8_unchecked(bytes)) }
}

// ---- an `unsafe fn` method whose tail is an `unsafe` block ---------------------------------

pub struct Buffer(pub Vec<u32>);

impl Buffer {
    /// # Safety
    /// `index < self.0.len()`.
    #[must_use]
    pub unsafe fn get_unchecked_plain(&self, index: usize) -> u32 {
        // SAFETY: the caller's promise.
        unsafe { *self.0.get_unchecked(index) }
    }

    /// # Safety
    /// `index < self.0.len()`.
    #[defer_on_exit]
    #[must_use]
    pub unsafe fn get_unchecked_d(&self, index: usize) -> u32 {
        defer! { probe::defer() }
        defer!(|ret| probe::seen(ret));
        // SAFETY: the caller's promise.
        unsafe { *self.0.get_unchecked(index) }
    }

    /// # Safety
    /// `index < self.0.len()`.
    #[recover(with = |p| p.resume())]
    #[must_use]
    pub unsafe fn get_unchecked_r(&self, index: usize) -> u32 {
        // SAFETY: the caller's promise.
        unsafe { *self.0.get_unchecked(index) }
    }
}

// ---- `extern "C" fn` -------------------------------------------------------------------

#[must_use]
pub extern "C" fn c_double_plain(value: i32) -> i32 {
    value.saturating_mul(2)
}

#[defer_on_exit]
#[must_use]
pub extern "C" fn c_double_d(value: i32) -> i32 {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    value.saturating_mul(2)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub extern "C" fn c_double_r(value: i32) -> i32 {
    value.saturating_mul(2)
}

// ---- `extern "C" fn` returning an FFI-safe `Option`, `#[unsafe(no_mangle)]` --------------------

#[unsafe(no_mangle)]
pub extern "C" fn epilogue_corpus_nonzero_plain(value: u32, sub: u32) -> Option<NonZeroU32> {
    let left = value.checked_sub(sub)?;
    NonZeroU32::new(left)
}

#[unsafe(no_mangle)]
#[defer_on_exit]
pub extern "C" fn epilogue_corpus_nonzero_d(value: u32, sub: u32) -> Option<NonZeroU32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let left = value.checked_sub(sub)?;
    NonZeroU32::new(left)
}

#[unsafe(no_mangle)]
#[recover(with = |p| p.resume())]
pub extern "C" fn epilogue_corpus_nonzero_r(value: u32, sub: u32) -> Option<NonZeroU32> {
    let left = value.checked_sub(sub)?;
    NonZeroU32::new(left)
}

// ---- `unsafe extern "C" fn` with a raw pointer ------------------------------------------------------

/// # Safety
/// `pointer` is null or valid for reads.
#[must_use]
pub unsafe extern "C" fn c_read_plain(pointer: *const u64) -> u64 {
    if pointer.is_null() {
        return 0;
    }
    // SAFETY: the caller's promise.
    unsafe { pointer.read() }
}

/// # Safety
/// `pointer` is null or valid for reads.
#[defer_on_exit]
#[must_use]
pub unsafe extern "C" fn c_read_d(pointer: *const u64) -> u64 {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    if pointer.is_null() {
        return 0;
    }
    // SAFETY: the caller's promise.
    unsafe { pointer.read() }
}

/// # Safety
/// `pointer` is null or valid for reads.
#[recover(with = |p| p.resume())]
#[must_use]
pub unsafe extern "C" fn c_read_r(pointer: *const u64) -> u64 {
    if pointer.is_null() {
        return 0;
    }
    // SAFETY: the caller's promise.
    unsafe { pointer.read() }
}

// ---- `extern "C-unwind" fn`: a panic may leave it --------------------------------------------------

/// # Panics
/// When `value` is zero.
#[must_use]
pub extern "C-unwind" fn c_unwind_plain(value: u32) -> u32 {
    assert_ne!(value, 0, "zero across the boundary");
    1000 / value
}

/// # Panics
/// When `value` is zero.
#[defer_on_exit]
#[must_use]
pub extern "C-unwind" fn c_unwind_d(value: u32) -> u32 {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    assert_ne!(value, 0, "zero across the boundary");
    1000 / value
}

/// # Panics
/// When `value` is zero.
#[recover(with = |p| p.resume())]
#[must_use]
pub extern "C-unwind" fn c_unwind_r(value: u32) -> u32 {
    assert_ne!(value, 0, "zero across the boundary");
    1000 / value
}
