//! The body's own attributes and items: inner attributes, `#[cfg]`'d
//! statements (and deferred actions), `use` declarations, nested structs,
//! enums, consts, statics, functions, impls, traits, modules.

use crate::probe;
use epilogue::{defer_on_exit, recover};

// ---- inner attributes first in the body ----------------------------------------

#[must_use]
pub fn inner_attrs_plain(value: u32) -> Option<u8> {
    #![allow(clippy::cast_possible_truncation)]
    let low = value as u8;
    (u32::from(low) == value).then_some(low)
}

#[defer_on_exit]
#[must_use]
pub fn inner_attrs_d(value: u32) -> Option<u8> {
    #![allow(clippy::cast_possible_truncation)]
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let low = value as u8;
    (u32::from(low) == value).then_some(low)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn inner_attrs_r(value: u32) -> Option<u8> {
    #![allow(clippy::cast_possible_truncation)]
    let low = value as u8;
    (u32::from(low) == value).then_some(low)
}

// ---- `#[cfg]`'d statements, `return`s, `?`s and deferred actions ----------------------

/// # Errors
/// When the shape fails.
pub fn cfg_stmts_plain(text: &str) -> Result<u32, String> {
    #[cfg(feature = "off")]
    return Err("compiled out".into());
    #[cfg(not(feature = "off"))]
    let factor = 2;
    #[cfg(feature = "off")]
    let factor = 1000;
    #[cfg(not(feature = "off"))]
    text.strip_suffix('!').ok_or("no '!'")?;
    #[cfg(feature = "off")]
    text.strip_suffix('?').ok_or("no '?'")?;
    let value: u32 = text.trim_end_matches('!').parse().map_err(|_| "not a number")?;
    Ok(value * factor)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn cfg_stmts_d(text: &str) -> Result<u32, String> {
    #[cfg(not(feature = "off"))]
    defer! { probe::defer() }
    #[cfg(feature = "off")]
    defer! { probe::defer() }
    #[cfg(not(feature = "off"))]
    defer_on_err! { probe::err() }
    #[cfg(feature = "off")]
    defer_on_err! { probe::err() }
    #[cfg(feature = "off")]
    defer!(|ret| probe::hook(ret));
    defer!(|ret| probe::seen(ret));
    #[cfg(feature = "off")]
    return Err("compiled out".into());
    #[cfg(not(feature = "off"))]
    let factor = 2;
    #[cfg(feature = "off")]
    let factor = 1000;
    #[cfg(not(feature = "off"))]
    text.strip_suffix('!').ok_or("no '!'")?;
    #[cfg(feature = "off")]
    text.strip_suffix('?').ok_or("no '?'")?;
    let value: u32 = text.trim_end_matches('!').parse().map_err(|_| "not a number")?;
    Ok(value * factor)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn cfg_stmts_r(text: &str) -> Result<u32, String> {
    #[cfg(feature = "off")]
    return Err("compiled out".into());
    #[cfg(not(feature = "off"))]
    let factor = 2;
    #[cfg(feature = "off")]
    let factor = 1000;
    #[cfg(not(feature = "off"))]
    text.strip_suffix('!').ok_or("no '!'")?;
    #[cfg(feature = "off")]
    text.strip_suffix('?').ok_or("no '?'")?;
    let value: u32 = text.trim_end_matches('!').parse().map_err(|_| "not a number")?;
    Ok(value * factor)
}

// ---- `use` declarations in the body ---------------------------------------------------------

#[must_use]
pub fn use_items_plain(words: &[&str]) -> Option<String> {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    let mut counts = BTreeMap::new();
    for word in words {
        *counts.entry(*word).or_insert(0) += 1;
    }
    let (top, count) = counts.iter().max_by_key(|(_, count)| **count)?;
    let mut out = String::new();
    write!(out, "{top}={count}").ok()?;
    Some(out)
}

#[defer_on_exit]
#[must_use]
pub fn use_items_d(words: &[&str]) -> Option<String> {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut counts = BTreeMap::new();
    for word in words {
        *counts.entry(*word).or_insert(0) += 1;
    }
    let (top, count) = counts.iter().max_by_key(|(_, count)| **count)?;
    let mut out = String::new();
    write!(out, "{top}={count}").ok()?;
    Some(out)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn use_items_r(words: &[&str]) -> Option<String> {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    let mut counts = BTreeMap::new();
    for word in words {
        *counts.entry(*word).or_insert(0) += 1;
    }
    let (top, count) = counts.iter().max_by_key(|(_, count)| **count)?;
    let mut out = String::new();
    write!(out, "{top}={count}").ok()?;
    Some(out)
}

// ---- nested items: struct, enum, const, static, fn, impl, trait, type, mod -----------------------

/// # Errors
/// When the shape fails.
pub fn nested_items_plain(text: &str) -> Result<String, String> {
    use std::sync::atomic::{AtomicU32, Ordering};

    const LIMIT: usize = 8;
    static CALLS: AtomicU32 = AtomicU32::new(0);
    type Pair = (Kind, usize);

    #[derive(Debug)]
    enum Kind {
        Short,
        Long,
    }
    struct Classified(Pair);
    trait Describe {
        fn describe(&self) -> String;
    }
    impl Describe for Classified {
        fn describe(&self) -> String {
            format!("{:?}({})", self.0 .0, self.0 .1)
        }
    }
    fn classify(text: &str) -> Option<Kind> {
        match text.len() {
            0 => None,
            1..=3 => Some(Kind::Short),
            _ => Some(Kind::Long),
        }
    }
    mod limits {
        pub(super) fn over(len: usize, limit: usize) -> bool {
            len > limit
        }
    }

    CALLS.fetch_add(1, Ordering::Relaxed);
    if limits::over(text.len(), LIMIT) {
        return Err(format!("longer than {LIMIT}"));
    }
    let kind = classify(text).ok_or("empty")?;
    Ok(Classified((kind, text.len())).describe())
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn nested_items_d(text: &str) -> Result<String, String> {
    use std::sync::atomic::{AtomicU32, Ordering};

    const LIMIT: usize = 8;
    static CALLS: AtomicU32 = AtomicU32::new(0);
    type Pair = (Kind, usize);

    #[derive(Debug)]
    enum Kind {
        Short,
        Long,
    }
    struct Classified(Pair);
    trait Describe {
        fn describe(&self) -> String;
    }
    impl Describe for Classified {
        fn describe(&self) -> String {
            format!("{:?}({})", self.0 .0, self.0 .1)
        }
    }
    fn classify(text: &str) -> Option<Kind> {
        match text.len() {
            0 => None,
            1..=3 => Some(Kind::Short),
            _ => Some(Kind::Long),
        }
    }
    mod limits {
        pub(super) fn over(len: usize, limit: usize) -> bool {
            len > limit
        }
    }

    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    CALLS.fetch_add(1, Ordering::Relaxed);
    if limits::over(text.len(), LIMIT) {
        return Err(format!("longer than {LIMIT}"));
    }
    let kind = classify(text).ok_or("empty")?;
    Ok(Classified((kind, text.len())).describe())
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn nested_items_r(text: &str) -> Result<String, String> {
    use std::sync::atomic::{AtomicU32, Ordering};

    const LIMIT: usize = 8;
    static CALLS: AtomicU32 = AtomicU32::new(0);
    type Pair = (Kind, usize);

    #[derive(Debug)]
    enum Kind {
        Short,
        Long,
    }
    struct Classified(Pair);
    trait Describe {
        fn describe(&self) -> String;
    }
    impl Describe for Classified {
        fn describe(&self) -> String {
            format!("{:?}({})", self.0 .0, self.0 .1)
        }
    }
    fn classify(text: &str) -> Option<Kind> {
        match text.len() {
            0 => None,
            1..=3 => Some(Kind::Short),
            _ => Some(Kind::Long),
        }
    }
    mod limits {
        pub(super) fn over(len: usize, limit: usize) -> bool {
            len > limit
        }
    }

    CALLS.fetch_add(1, Ordering::Relaxed);
    if limits::over(text.len(), LIMIT) {
        return Err(format!("longer than {LIMIT}"));
    }
    let kind = classify(text).ok_or("empty")?;
    Ok(Classified((kind, text.len())).describe())
}

// ---- a nested function that is itself annotated -------------------------------------------------------

#[must_use]
pub fn nested_annotated_plain(values: &[i32]) -> Option<i32> {
    fn halve(value: i32) -> Option<i32> {
        (value % 2 == 0).then_some(value / 2)
    }
    let mut total = 0;
    for value in values {
        total += halve(*value)?;
    }
    Some(total)
}

#[defer_on_exit]
#[must_use]
pub fn nested_annotated_d(values: &[i32]) -> Option<i32> {
    #[defer_on_exit]
    fn halve(value: i32) -> Option<i32> {
        defer! { probe::defer() }
        (value % 2 == 0).then_some(value / 2)
    }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut total = 0;
    for value in values {
        total += halve(*value)?;
    }
    Some(total)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn nested_annotated_r(values: &[i32]) -> Option<i32> {
    #[recover(with = |p| p.resume())]
    fn halve(value: i32) -> Option<i32> {
        (value % 2 == 0).then_some(value / 2)
    }
    let mut total = 0;
    for value in values {
        total += halve(*value)?;
    }
    Some(total)
}

// ---- outer attributes kept: `#[inline]`, `#[track_caller]`, docs, `#[allow]` on statements -------------------

/// Doc comment kept.
#[inline]
/// # Errors
/// When the shape fails.
pub fn outer_attrs_plain(values: &[u32]) -> Result<u32, String> {
    #[allow(clippy::redundant_closure_for_method_calls)]
    let total = values.iter().map(|v| v.to_owned()).sum::<u32>();
    if total == 0 {
        return Err("nothing".into());
    }
    Ok(total)
}

/// Doc comment kept.
#[inline]
#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn outer_attrs_d(values: &[u32]) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    #[allow(clippy::redundant_closure_for_method_calls)]
    let total = values.iter().map(|v| v.to_owned()).sum::<u32>();
    if total == 0 {
        return Err("nothing".into());
    }
    Ok(total)
}

/// Doc comment kept.
#[inline]
#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn outer_attrs_r(values: &[u32]) -> Result<u32, String> {
    #[allow(clippy::redundant_closure_for_method_calls)]
    let total = values.iter().map(|v| v.to_owned()).sum::<u32>();
    if total == 0 {
        return Err("nothing".into());
    }
    Ok(total)
}

// ---- `#[track_caller]` (the location is documented to be lost with a slot) -----------------------------------

#[track_caller]
/// # Panics
/// When the shape panics.
#[must_use]
pub fn track_caller_plain(value: Option<u32>) -> Option<u32> {
    let value = value?;
    assert!(value > 0, "zero");
    Some(value)
}

#[defer_on_exit]
#[track_caller]
/// # Panics
/// When the shape panics.
#[must_use]
pub fn track_caller_d(value: Option<u32>) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let value = value?;
    assert!(value > 0, "zero");
    Some(value)
}

/// # Panics
/// When the shape panics.
#[recover(with = |p| p.resume())]
#[track_caller]
#[must_use]
pub fn track_caller_r(value: Option<u32>) -> Option<u32> {
    let value = value?;
    assert!(value > 0, "zero");
    Some(value)
}

// ---- deferred actions in inner blocks and loop bodies: block scope, counted per exit ----------------------------

/// # Errors
/// When the shape fails.
pub fn scoped_plain(values: &[u32]) -> Result<u32, String> {
    let mut total = 0;
    for value in values {
        if *value == 0 {
            continue;
        }
        total += value;
        if total > 100 {
            return Err(format!("over at {value}"));
        }
    }
    Ok(total)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn scoped_d(values: &[u32]) -> Result<u32, String> {
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut total = 0;
    for value in values {
        defer! { probe::defer() }
        if *value == 0 {
            continue;
        }
        total += value;
        if total > 100 {
            return Err(format!("over at {value}"));
        }
    }
    Ok(total)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn scoped_r(values: &[u32]) -> Result<u32, String> {
    let mut total = 0;
    for value in values {
        if *value == 0 {
            continue;
        }
        total += value;
        if total > 100 {
            return Err(format!("over at {value}"));
        }
    }
    Ok(total)
}

// ---- a `defer_on_err!` in the branch that fails (stored before the branch's actions run) ------------------------

/// # Errors
/// When the shape fails.
pub fn branch_err_plain(missing: bool) -> Result<u32, String> {
    if missing {
        Err("missing".into())
    } else {
        Ok(1)
    }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn branch_err_d(missing: bool) -> Result<u32, String> {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    if missing {
        defer_on_err! { probe::err() }
        Err("missing".into())
    } else {
        Ok(1)
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn branch_err_r(missing: bool) -> Result<u32, String> {
    if missing {
        Err("missing".into())
    } else {
        Ok(1)
    }
}

// ---- `move` forms ---------------------------------------------------------------------------------

#[must_use]
pub fn move_forms_plain(mut attempt: u32) -> Option<u32> {
    attempt += 1;
    attempt.checked_mul(1000)
}

#[defer_on_exit]
#[must_use]
pub fn move_forms_d(mut attempt: u32) -> Option<u32> {
    defer!(move { probe::defer() });
    defer_on_err!(move { probe::err() });
    defer!(move |ret| probe::seen(ret));
    attempt += 1;
    attempt.checked_mul(1000)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn move_forms_r(mut attempt: u32) -> Option<u32> {
    attempt += 1;
    attempt.checked_mul(1000)
}
