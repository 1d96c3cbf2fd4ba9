//! Functions that move large values: a `[u8; 65536]` inside a `Result`, a
//! large struct by value, a boxed large array.

use crate::probe;
use epilogue::{defer_on_exit, recover};

/// 64 KiB.
pub const SIZE: usize = 1 << 16;

// ---- `Result<[u8; 65536], E>` ----------------------------------------------------

/// # Errors
/// When the shape fails.
#[allow(clippy::large_stack_arrays)] // the shape: a 64 KiB array built on the stack
pub fn big_array_plain(fill: u8, fail: bool) -> Result<[u8; SIZE], String> {
    if fail {
        return Err(format!("refused {fill}"));
    }
    let mut out = [fill; SIZE];
    out[SIZE - 1] = fill.checked_add(1).ok_or("overflow")?;
    Ok(out)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
#[allow(clippy::large_stack_arrays)] // the shape: a 64 KiB array built on the stack
pub fn big_array_d(fill: u8, fail: bool) -> Result<[u8; SIZE], String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    if fail {
        return Err(format!("refused {fill}"));
    }
    let mut out = [fill; SIZE];
    out[SIZE - 1] = fill.checked_add(1).ok_or("overflow")?;
    Ok(out)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
#[allow(clippy::large_stack_arrays)] // the shape: a 64 KiB array built on the stack
pub fn big_array_r(fill: u8, fail: bool) -> Result<[u8; SIZE], String> {
    if fail {
        return Err(format!("refused {fill}"));
    }
    let mut out = [fill; SIZE];
    out[SIZE - 1] = fill.checked_add(1).ok_or("overflow")?;
    Ok(out)
}

// ---- a large struct taken by value and returned in an `Option` ----------------------------

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Frame {
    pub id: u32,
    pub words: [u64; 4096],
}

#[allow(clippy::large_types_passed_by_value)] // the shape: a large value moved in and out
#[must_use]
pub fn big_struct_plain(mut frame: Frame, id: u32) -> Option<Frame> {
    frame.id = frame.id.checked_add(id)?;
    frame.words[0] = u64::from(frame.id);
    Some(frame)
}

#[defer_on_exit]
#[allow(clippy::large_types_passed_by_value)] // the shape: a large value moved in and out
#[must_use]
pub fn big_struct_d(mut frame: Frame, id: u32) -> Option<Frame> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    frame.id = frame.id.checked_add(id)?;
    frame.words[0] = u64::from(frame.id);
    Some(frame)
}

#[recover(with = |p| p.resume())]
#[allow(clippy::large_types_passed_by_value)] // the shape: a large value moved in and out
#[must_use]
pub fn big_struct_r(mut frame: Frame, id: u32) -> Option<Frame> {
    frame.id = frame.id.checked_add(id)?;
    frame.words[0] = u64::from(frame.id);
    Some(frame)
}

// ---- a boxed large array, and a panic after it was built ----------------------------------------

/// # Panics
/// When `index` is out of range.
#[must_use]
#[allow(clippy::large_stack_arrays)] // the shape: a 64 KiB array built on the stack
pub fn boxed_big_plain(index: usize) -> Box<[u8; SIZE]> {
    let mut out = Box::new([0; SIZE]);
    out[index] = 1;
    out
}

/// # Panics
/// When `index` is out of range.
#[defer_on_exit]
#[must_use]
#[allow(clippy::large_stack_arrays)] // the shape: a 64 KiB array built on the stack
pub fn boxed_big_d(index: usize) -> Box<[u8; SIZE]> {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    let mut out = Box::new([0; SIZE]);
    out[index] = 1;
    out
}

/// # Panics
/// When `index` is out of range.
#[recover(with = |p| p.resume())]
#[must_use]
#[allow(clippy::large_stack_arrays)] // the shape: a 64 KiB array built on the stack
pub fn boxed_big_r(index: usize) -> Box<[u8; SIZE]> {
    let mut out = Box::new([0; SIZE]);
    out[index] = 1;
    out
}
