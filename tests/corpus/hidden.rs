//! Returns hidden in other macros: anyhow's `bail!` and `ensure!`, a
//! crate-local `itry!` in `Iterator::next`, `ready!` in a `poll` function
//! and in a stream's `poll_next`, a statement macro that expands to several
//! statements, and `ready!` inside a loop.

use crate::probe;
use epilogue::{defer_on_exit, recover};
use std::task::{ready, Poll};

// ---- `bail!` and `ensure!`, imported and qualified ----------------------------

/// # Errors
/// When the shape fails.
/// # Panics
/// On 13.
pub fn bail_ensure_plain(n: i64) -> anyhow::Result<i64> {
    anyhow::ensure!(n != 0, "zero");
    if n < 0 {
        anyhow::bail!("{n} is negative");
    }
    assert!(n != 13, "unlucky");
    Ok(100 / n)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
/// # Panics
/// On 13.
pub fn bail_ensure_d(n: i64) -> anyhow::Result<i64> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(&ret.as_ref().map_err(ToString::to_string)));
    anyhow::ensure!(n != 0, "zero");
    if n < 0 {
        anyhow::bail!("{n} is negative");
    }
    assert!(n != 13, "unlucky");
    Ok(100 / n)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
/// # Panics
/// On 13.
pub fn bail_ensure_r(n: i64) -> anyhow::Result<i64> {
    anyhow::ensure!(n != 0, "zero");
    if n < 0 {
        anyhow::bail!("{n} is negative");
    }
    assert!(n != 13, "unlucky");
    Ok(100 / n)
}

// ---- a crate-local `itry!` in `Iterator::next` --------------------------------

macro_rules! itry {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(err) => return Some(Err(From::from(err))),
        }
    };
}

/// Parses comma-separated numbers, one per `next`.
pub struct Numbers<'a> {
    pub parts: std::str::Split<'a, char>,
}

fn parse(part: &str) -> Result<u32, std::num::ParseIntError> {
    part.trim().parse()
}

/// # Errors
/// When the shape fails.
pub fn itry_plain(numbers: &mut Numbers<'_>) -> Option<Result<u32, String>> {
    let part = numbers.parts.next()?;
    let value = itry!(parse(part).map_err(|err| err.to_string()));
    Some(Ok(value * 2))
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn itry_d(numbers: &mut Numbers<'_>) -> Option<Result<u32, String>> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let part = numbers.parts.next()?;
    let value = itry!(parse(part).map_err(|err| err.to_string()));
    Some(Ok(value * 2))
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn itry_r(numbers: &mut Numbers<'_>) -> Option<Result<u32, String>> {
    let part = numbers.parts.next()?;
    let value = itry!(parse(part).map_err(|err| err.to_string()));
    Some(Ok(value * 2))
}

// ---- `ready!` in a `poll` function and in `poll_next` ---------------------------

/// # Errors
/// When the shape fails.
pub fn ready_plain(mut source: impl FnMut() -> Poll<Result<u8, String>>) -> Poll<Result<u8, String>> {
    let first = ready!(source())?;
    let second = ready!(source().map(|polled| polled.map(|value| value + 1)))?;
    Poll::Ready(Ok(first + second))
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn ready_d(mut source: impl FnMut() -> Poll<Result<u8, String>>) -> Poll<Result<u8, String>> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let first = ready!(source())?;
    let second = ready!(source().map(|polled| polled.map(|value| value + 1)))?;
    Poll::Ready(Ok(first + second))
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn ready_r(mut source: impl FnMut() -> Poll<Result<u8, String>>) -> Poll<Result<u8, String>> {
    let first = ready!(source())?;
    let second = ready!(source().map(|polled| polled.map(|value| value + 1)))?;
    Poll::Ready(Ok(first + second))
}

/// # Errors
/// When the shape fails.
pub fn poll_next_plain(
    mut source: impl FnMut() -> Poll<Option<Result<u8, String>>>,
) -> Poll<Option<Result<u8, String>>> {
    loop {
        match ready!(source()) {
            Some(Ok(0)) => {}
            Some(Ok(value)) => return Poll::Ready(Some(Ok(value))),
            Some(Err(err)) => return Poll::Ready(Some(Err(err))),
            None => return Poll::Ready(None),
        }
    }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn poll_next_d(
    mut source: impl FnMut() -> Poll<Option<Result<u8, String>>>,
) -> Poll<Option<Result<u8, String>>> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    loop {
        match ready!(source()) {
            Some(Ok(0)) => {}
            Some(Ok(value)) => return Poll::Ready(Some(Ok(value))),
            Some(Err(err)) => return Poll::Ready(Some(Err(err))),
            None => return Poll::Ready(None),
        }
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn poll_next_r(
    mut source: impl FnMut() -> Poll<Option<Result<u8, String>>>,
) -> Poll<Option<Result<u8, String>>> {
    loop {
        match ready!(source()) {
            Some(Ok(0)) => {}
            Some(Ok(value)) => return Poll::Ready(Some(Ok(value))),
            Some(Err(err)) => return Poll::Ready(Some(Err(err))),
            None => return Poll::Ready(None),
        }
    }
}

// ---- a statement macro expanding to several statements, returns in its arguments

macro_rules! probe_loop {
    ($probe:ident < $len:expr, $body:block) => {
        let mut $probe = 0;
        loop {
            if $probe < $len {
                $body
                $probe += 1;
            } else {
                $probe = 0;
            }
        }
    };
}

#[must_use]
pub fn probe_loop_plain(values: &[u32], wanted: u32) -> Option<usize> {
    probe_loop!(probe < values.len(), {
        if values[probe] == wanted {
            return Some(probe);
        }
        if values[probe] == 0 {
            return None;
        }
    });
}

#[defer_on_exit]
#[must_use]
pub fn probe_loop_d(values: &[u32], wanted: u32) -> Option<usize> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    probe_loop!(probe < values.len(), {
        if values[probe] == wanted {
            return Some(probe);
        }
        if values[probe] == 0 {
            return None;
        }
    });
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn probe_loop_r(values: &[u32], wanted: u32) -> Option<usize> {
    probe_loop!(probe < values.len(), {
        if values[probe] == wanted {
            return Some(probe);
        }
        if values[probe] == 0 {
            return None;
        }
    });
}
