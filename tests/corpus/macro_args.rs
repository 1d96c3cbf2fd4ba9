//! `?` and `return` inside the arguments of other macros: `format!`, `vec!`
//! (list and repeat), `write!`/`writeln!`, `assert!`/`assert_eq!`/`assert_ne!`,
//! `println!`/`eprintln!`, `matches!`, nested macros, a local `macro_rules!`;
//! and macros as tails.

use crate::probe;
use epilogue::{defer_on_exit, recover};
use std::fmt::Write as _;
use std::num::ParseIntError;

fn n(text: &str) -> Result<u32, ParseIntError> {
    text.trim().parse()
}

// ---- `format!` -------------------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn in_format_plain(a: &str, b: &str) -> Result<String, ParseIntError> {
    let joined = format!("{}-{}", n(a)?, n(b)?);
    Ok(joined)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn in_format_d(a: &str, b: &str) -> Result<String, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let joined = format!("{}-{}", n(a)?, n(b)?);
    Ok(joined)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn in_format_r(a: &str, b: &str) -> Result<String, ParseIntError> {
    let joined = format!("{}-{}", n(a)?, n(b)?);
    Ok(joined)
}

// ---- `format!` with named and inline arguments, in the tail --------------------------

#[must_use]
pub fn in_format_tail_plain(values: &[u32]) -> Option<String> {
    let last = values.last()?;
    Some(format!(
        "{first}..{last} ({count})",
        first = values.first()?,
        count = values.len()
    ))
}

#[defer_on_exit]
#[must_use]
pub fn in_format_tail_d(values: &[u32]) -> Option<String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let last = values.last()?;
    Some(format!(
        "{first}..{last} ({count})",
        first = values.first()?,
        count = values.len()
    ))
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn in_format_tail_r(values: &[u32]) -> Option<String> {
    let last = values.last()?;
    Some(format!(
        "{first}..{last} ({count})",
        first = values.first()?,
        count = values.len()
    ))
}

// ---- `vec![a?, b?]` and `vec![x?; n?]` ------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn in_vec_plain(a: &str, b: &str) -> Result<Vec<u32>, ParseIntError> {
    let mut listed = vec![n(a)?, n(b)?];
    let repeated = vec![n(a)?; usize::try_from(n(b)?).unwrap_or(0).min(3)];
    listed.extend(repeated);
    Ok(listed)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn in_vec_d(a: &str, b: &str) -> Result<Vec<u32>, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut listed = vec![n(a)?, n(b)?];
    let repeated = vec![n(a)?; usize::try_from(n(b)?).unwrap_or(0).min(3)];
    listed.extend(repeated);
    Ok(listed)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn in_vec_r(a: &str, b: &str) -> Result<Vec<u32>, ParseIntError> {
    let mut listed = vec![n(a)?, n(b)?];
    let repeated = vec![n(a)?; usize::try_from(n(b)?).unwrap_or(0).min(3)];
    listed.extend(repeated);
    Ok(listed)
}

// ---- `write!`/`writeln!` into a `String`, with `?` on their result and inside --------------

#[derive(Debug, PartialEq, Eq)]
pub enum WriteError {
    Parse(ParseIntError),
    Fmt(std::fmt::Error),
}

impl From<ParseIntError> for WriteError {
    fn from(error: ParseIntError) -> Self {
        WriteError::Parse(error)
    }
}

impl From<std::fmt::Error> for WriteError {
    fn from(error: std::fmt::Error) -> Self {
        WriteError::Fmt(error)
    }
}

/// # Errors
/// When the shape fails.
pub fn in_write_plain(items: &[&str]) -> Result<String, WriteError> {
    let mut out = String::new();
    for item in items {
        write!(out, "[{}]", n(item)?)?;
    }
    writeln!(
        out,
        " total {}",
        items.iter().map(|item| n(item)).sum::<Result<u32, _>>()?
    )?;
    Ok(out)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn in_write_d(items: &[&str]) -> Result<String, WriteError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut out = String::new();
    for item in items {
        write!(out, "[{}]", n(item)?)?;
    }
    writeln!(
        out,
        " total {}",
        items.iter().map(|item| n(item)).sum::<Result<u32, _>>()?
    )?;
    Ok(out)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn in_write_r(items: &[&str]) -> Result<String, WriteError> {
    let mut out = String::new();
    for item in items {
        write!(out, "[{}]", n(item)?)?;
    }
    writeln!(
        out,
        " total {}",
        items.iter().map(|item| n(item)).sum::<Result<u32, _>>()?
    )?;
    Ok(out)
}

// ---- `assert!`, `assert_eq!`, `assert_ne!`, `debug_assert!` ----------------------------------

/// # Errors
/// When the shape fails.
/// # Panics
/// When the shape panics.
pub fn in_assert_plain(a: &str, b: &str) -> Result<u32, ParseIntError> {
    assert!(n(a)? < 100, "{} is too big", n(a)?);
    assert_eq!(n(a)? % 2, 0, "{} is odd", n(a)?);
    assert_ne!(n(b)?, 0);
    debug_assert!(n(b)? < 1000);
    Ok(n(a)? / n(b)?)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
/// # Panics
/// When the shape panics.
pub fn in_assert_d(a: &str, b: &str) -> Result<u32, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    assert!(n(a)? < 100, "{} is too big", n(a)?);
    assert_eq!(n(a)? % 2, 0, "{} is odd", n(a)?);
    assert_ne!(n(b)?, 0);
    debug_assert!(n(b)? < 1000);
    Ok(n(a)? / n(b)?)
}

/// # Panics
/// When the shape panics.
#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn in_assert_r(a: &str, b: &str) -> Result<u32, ParseIntError> {
    assert!(n(a)? < 100, "{} is too big", n(a)?);
    assert_eq!(n(a)? % 2, 0, "{} is odd", n(a)?);
    assert_ne!(n(b)?, 0);
    debug_assert!(n(b)? < 1000);
    Ok(n(a)? / n(b)?)
}

// ---- `println!`/`eprintln!`/`print!` ----------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn in_println_plain(a: &str) -> Result<u32, ParseIntError> {
    println!("parsed {}", n(a)?);
    eprintln!("checked {value}", value = n(a)? + 1);
    print!("");
    Ok(n(a)? * 2)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn in_println_d(a: &str) -> Result<u32, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    println!("parsed {}", n(a)?);
    eprintln!("checked {value}", value = n(a)? + 1);
    print!("");
    Ok(n(a)? * 2)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn in_println_r(a: &str) -> Result<u32, ParseIntError> {
    println!("parsed {}", n(a)?);
    eprintln!("checked {value}", value = n(a)? + 1);
    print!("");
    Ok(n(a)? * 2)
}

// ---- `matches!` and a macro nested in another macro's arguments --------------------------------

#[must_use]
pub fn in_matches_plain(a: &str, words: &[&str]) -> Option<bool> {
    let small = matches!(n(a).ok()?, 1..=3);
    let described = format!("{}:{}", vec![words.first()?.len()].len(), small);
    Some(described.ends_with("true"))
}

#[defer_on_exit]
#[must_use]
pub fn in_matches_d(a: &str, words: &[&str]) -> Option<bool> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let small = matches!(n(a).ok()?, 1..=3);
    let described = format!("{}:{}", vec![words.first()?.len()].len(), small);
    Some(described.ends_with("true"))
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn in_matches_r(a: &str, words: &[&str]) -> Option<bool> {
    let small = matches!(n(a).ok()?, 1..=3);
    let described = format!("{}:{}", vec![words.first()?.len()].len(), small);
    Some(described.ends_with("true"))
}

// ---- a `return` inside a macro's arguments ---------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn return_in_macro_plain(a: &str) -> Result<String, String> {
    let text = format!(
        "<{}>",
        match n(a) {
            Ok(value) => value,
            Err(error) => return Err(error.to_string()),
        }
    );
    Ok(text)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn return_in_macro_d(a: &str) -> Result<String, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let text = format!(
        "<{}>",
        match n(a) {
            Ok(value) => value,
            Err(error) => return Err(error.to_string()),
        }
    );
    Ok(text)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn return_in_macro_r(a: &str) -> Result<String, String> {
    let text = format!(
        "<{}>",
        match n(a) {
            Ok(value) => value,
            Err(error) => return Err(error.to_string()),
        }
    );
    Ok(text)
}

// ---- a local `macro_rules!` whose arguments are expressions ---------------------------------------------

/// # Errors
/// When the shape fails.
pub fn local_macro_plain(a: &str, b: &str) -> Result<u32, ParseIntError> {
    macro_rules! larger {
        ($x:expr, $y:expr) => {{
            let (x, y) = ($x, $y);
            if x > y {
                x
            } else {
                y
            }
        }};
    }
    Ok(larger!(n(a)?, n(b)?))
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn local_macro_d(a: &str, b: &str) -> Result<u32, ParseIntError> {
    macro_rules! larger {
        ($x:expr, $y:expr) => {{
            let (x, y) = ($x, $y);
            if x > y {
                x
            } else {
                y
            }
        }};
    }
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    Ok(larger!(n(a)?, n(b)?))
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn local_macro_r(a: &str, b: &str) -> Result<u32, ParseIntError> {
    macro_rules! larger {
        ($x:expr, $y:expr) => {{
            let (x, y) = ($x, $y);
            if x > y {
                x
            } else {
                y
            }
        }};
    }
    Ok(larger!(n(a)?, n(b)?))
}

// ---- a macro as the tail of a non-unit function -----------------------------------------------------------

/// # Panics
/// When the shape panics.
#[must_use]
pub fn macro_tail_plain(a: u32, b: u32) -> Vec<u32> {
    assert!(a <= b, "{a} > {b}");
    vec![a, b, a + b]
}

#[defer_on_exit]
/// # Panics
/// When the shape panics.
#[must_use]
pub fn macro_tail_d(a: u32, b: u32) -> Vec<u32> {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    assert!(a <= b, "{a} > {b}");
    vec![a, b, a + b]
}

/// # Panics
/// When the shape panics.
#[recover(with = |p| p.resume())]
#[must_use]
pub fn macro_tail_r(a: u32, b: u32) -> Vec<u32> {
    assert!(a <= b, "{a} > {b}");
    vec![a, b, a + b]
}

// ---- `format!` as the tail, with a brace-delimited macro statement before it --------------------------------

#[must_use]
pub fn format_tail_plain(name: &str) -> String {
    thread_local! { static CALLS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) } }
    CALLS.with(|calls| calls.set(calls.get() + 1));
    format!("hello {name}")
}

#[defer_on_exit]
#[must_use]
pub fn format_tail_d(name: &str) -> String {
    thread_local! { static CALLS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) } }
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    CALLS.with(|calls| calls.set(calls.get() + 1));
    format!("hello {name}")
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn format_tail_r(name: &str) -> String {
    thread_local! { static CALLS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) } }
    CALLS.with(|calls| calls.set(calls.get() + 1));
    format!("hello {name}")
}
