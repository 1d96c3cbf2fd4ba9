//! Return types: `impl Trait` (also nested), trait objects, `!`, `()`,
//! aliases, `ControlFlow`, `Poll`.

use crate::probe;
use epilogue::{defer_on_exit, recover};
use std::error::Error;
use std::fmt::{Debug, Display};
use std::future::Future;
use std::num::ParseIntError;
use std::ops::ControlFlow;
use std::task::Poll;

// ---- `impl Iterator` -------------------------------------------------------

/// # Panics
/// When the shape panics.
pub fn impl_iterator_plain(n: u32) -> impl Iterator<Item = u32> {
    assert!(n < 100, "too long: {n}");
    (0..n).map(|x| x * 2)
}

#[defer_on_exit]
/// # Panics
/// When the shape panics.
pub fn impl_iterator_d(n: u32) -> impl Iterator<Item = u32> {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    assert!(n < 100, "too long: {n}");
    (0..n).map(|x| x * 2)
}

/// # Panics
/// When the shape panics.
#[recover(with = |p| p.resume())]
pub fn impl_iterator_r(n: u32) -> impl Iterator<Item = u32> {
    assert!(n < 100, "too long: {n}");
    (0..n).map(|x| x * 2)
}

// ---- `Result<impl Iterator, E>` --------------------------------------------

/// # Errors
/// When the shape fails.
pub fn result_impl_iterator_plain(text: &str) -> Result<impl Iterator<Item = u32>, String> {
    if text.is_empty() {
        return Err("empty".into());
    }
    let n: u32 = text.parse().map_err(|e| format!("{e}"))?;
    Ok((1..=n).filter(|x| x % 2 == 1))
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn result_impl_iterator_d(text: &str) -> Result<impl Iterator<Item = u32>, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    if text.is_empty() {
        return Err("empty".into());
    }
    let n: u32 = text.parse().map_err(|e| format!("{e}"))?;
    Ok((1..=n).filter(|x| x % 2 == 1))
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn result_impl_iterator_r(text: &str) -> Result<impl Iterator<Item = u32>, String> {
    if text.is_empty() {
        return Err("empty".into());
    }
    let n: u32 = text.parse().map_err(|e| format!("{e}"))?;
    Ok((1..=n).filter(|x| x % 2 == 1))
}

// ---- `Option<impl Fn(i32) -> i32>`: the closure's parameter is inferred -------

#[must_use]
pub fn option_impl_fn_plain(k: i32) -> Option<impl Fn(i32) -> i32> {
    let k = k.checked_mul(2)?;
    Some(move |x| x + k)
}

#[defer_on_exit]
#[must_use]
pub fn option_impl_fn_d(k: i32) -> Option<impl Fn(i32) -> i32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    let k = k.checked_mul(2)?;
    Some(move |x| x + k)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn option_impl_fn_r(k: i32) -> Option<impl Fn(i32) -> i32> {
    let k = k.checked_mul(2)?;
    Some(move |x| x + k)
}

// ---- `impl Fn(i32) -> i32` returned from the body ------------------------------

/// # Panics
/// When the shape panics.
pub fn impl_fn_plain(k: i32) -> impl Fn(i32) -> i32 {
    assert!(k != 0, "k must not be zero");
    move |x| x * k
}

#[defer_on_exit]
/// # Panics
/// When the shape panics.
pub fn impl_fn_d(k: i32) -> impl Fn(i32) -> i32 {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    assert!(k != 0, "k must not be zero");
    move |x| x * k
}

/// # Panics
/// When the shape panics.
#[recover(with = |p| p.resume())]
pub fn impl_fn_r(k: i32) -> impl Fn(i32) -> i32 {
    assert!(k != 0, "k must not be zero");
    move |x| x * k
}

// ---- `Result<impl FnMut(u32) -> u32, E>`: a stateful inferred closure -----------

/// # Errors
/// When the shape fails.
pub fn result_impl_fn_mut_plain(offset: u32) -> Result<impl FnMut(u32) -> u32, String> {
    if offset > 10 {
        return Err(format!("offset {offset}"));
    }
    let mut total = offset;
    Ok(move |x| {
        total += x;
        total
    })
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn result_impl_fn_mut_d(offset: u32) -> Result<impl FnMut(u32) -> u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    if offset > 10 {
        return Err(format!("offset {offset}"));
    }
    let mut total = offset;
    Ok(move |x| {
        total += x;
        total
    })
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn result_impl_fn_mut_r(offset: u32) -> Result<impl FnMut(u32) -> u32, String> {
    if offset > 10 {
        return Err(format!("offset {offset}"));
    }
    let mut total = offset;
    Ok(move |x| {
        total += x;
        total
    })
}

// ---- `impl Display` ---------------------------------------------------------------

#[must_use]
pub fn impl_display_plain(n: i32) -> impl Display {
    if n < 0 {
        return format!("minus {}", -n);
    }
    format!("{n}")
}

#[defer_on_exit]
#[must_use]
pub fn impl_display_d(n: i32) -> impl Display {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    if n < 0 {
        return format!("minus {}", -n);
    }
    format!("{n}")
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn impl_display_r(n: i32) -> impl Display {
    if n < 0 {
        return format!("minus {}", -n);
    }
    format!("{n}")
}

// ---- `impl Iterator<Item = impl Display>`: nested `impl Trait` --------------------

pub fn nested_impl_plain(n: u8) -> impl Iterator<Item = impl Display> {
    (0..n).map(|x| char::from(b'a' + x))
}

#[defer_on_exit]
pub fn nested_impl_d(n: u8) -> impl Iterator<Item = impl Display> {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    (0..n).map(|x| char::from(b'a' + x))
}

#[recover(with = |p| p.resume())]
pub fn nested_impl_r(n: u8) -> impl Iterator<Item = impl Display> {
    (0..n).map(|x| char::from(b'a' + x))
}

// ---- a tuple holding an `impl Fn() -> u32` ----------------------------------------

pub fn tuple_with_impl_plain(n: u32) -> (impl Fn() -> u32, u32) {
    (move || n + 1, n)
}

#[defer_on_exit]
pub fn tuple_with_impl_d(n: u32) -> (impl Fn() -> u32, u32) {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    (move || n + 1, n)
}

#[recover(with = |p| p.resume())]
pub fn tuple_with_impl_r(n: u32) -> (impl Fn() -> u32, u32) {
    (move || n + 1, n)
}

// ---- `impl Future` from a plain function ---------------------------------------------

pub fn impl_future_plain(n: u32) -> impl Future<Output = Option<u32>> {
    let doubled = n.checked_mul(2);
    async move { doubled?.checked_add(1) }
}

#[defer_on_exit]
pub fn impl_future_d(n: u32) -> impl Future<Output = Option<u32>> {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    let doubled = n.checked_mul(2);
    async move { doubled?.checked_add(1) }
}

#[recover(with = |p| p.resume())]
pub fn impl_future_r(n: u32) -> impl Future<Output = Option<u32>> {
    let doubled = n.checked_mul(2);
    async move { doubled?.checked_add(1) }
}

// ---- `Option<impl Iterator<Item = &'a str> + 'a>` --------------------------------------

#[must_use]
pub fn impl_with_lifetime_plain<'a>(text: &'a str, word: &str) -> Option<impl Iterator<Item = &'a str> + 'a> {
    if !text.contains(word) {
        return None;
    }
    Some(text.split_whitespace().filter(|w| w.len() > 1))
}

#[defer_on_exit]
#[must_use]
pub fn impl_with_lifetime_d<'a>(text: &'a str, word: &str) -> Option<impl Iterator<Item = &'a str> + 'a> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    if !text.contains(word) {
        return None;
    }
    Some(text.split_whitespace().filter(|w| w.len() > 1))
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn impl_with_lifetime_r<'a>(text: &'a str, word: &str) -> Option<impl Iterator<Item = &'a str> + 'a> {
    if !text.contains(word) {
        return None;
    }
    Some(text.split_whitespace().filter(|w| w.len() > 1))
}

// ---- `impl Trait + use<'a>`: precise capturing -------------------------------------

pub fn precise_capture_plain<'a>(values: &'a [u32], extra: &u32) -> impl Iterator<Item = u32> + use<'a> {
    let extra = *extra;
    values.iter().map(move |v| v + extra)
}

#[defer_on_exit]
pub fn precise_capture_d<'a>(values: &'a [u32], extra: &u32) -> impl Iterator<Item = u32> + use<'a> {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    let extra = *extra;
    values.iter().map(move |v| v + extra)
}

#[recover(with = |p| p.resume())]
pub fn precise_capture_r<'a>(values: &'a [u32], extra: &u32) -> impl Iterator<Item = u32> + use<'a> {
    let extra = *extra;
    values.iter().map(move |v| v + extra)
}

// ---- `Box<dyn Fn>` with coercion at a `return` and at the tail -------------------------

#[must_use]
pub fn box_dyn_fn_plain(k: i32) -> Box<dyn Fn(i32) -> i32> {
    if k == 0 {
        return Box::new(|x| x);
    }
    Box::new(move |x| x + k)
}

#[defer_on_exit]
#[must_use]
pub fn box_dyn_fn_d(k: i32) -> Box<dyn Fn(i32) -> i32> {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    if k == 0 {
        return Box::new(|x| x);
    }
    Box::new(move |x| x + k)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn box_dyn_fn_r(k: i32) -> Box<dyn Fn(i32) -> i32> {
    if k == 0 {
        return Box::new(|x| x);
    }
    Box::new(move |x| x + k)
}

// ---- `Result<_, Box<dyn Error>>` with `?` converting ---------------------------------------

/// # Errors
/// Not a number, or zero.
pub fn box_dyn_error_plain(text: &str) -> Result<u32, Box<dyn Error>> {
    let n: u32 = text.parse()?;
    if n == 0 {
        return Err("zero".into());
    }
    Ok(n)
}

#[defer_on_exit]
/// # Errors
/// Not a number, or zero.
pub fn box_dyn_error_d(text: &str) -> Result<u32, Box<dyn Error>> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    let n: u32 = text.parse()?;
    if n == 0 {
        return Err("zero".into());
    }
    Ok(n)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// Not a number, or zero.
pub fn box_dyn_error_r(text: &str) -> Result<u32, Box<dyn Error>> {
    let n: u32 = text.parse()?;
    if n == 0 {
        return Err("zero".into());
    }
    Ok(n)
}

// ---- `Result<Box<dyn Display>, E>`: coercion inside `Ok(..)` --------------------------------

/// # Errors
/// When `n` is 13.
pub fn result_box_dyn_plain(n: u32) -> Result<Box<dyn Display>, String> {
    if n == 13 {
        Err("unlucky".into())
    } else if n.is_multiple_of(2) {
        Ok(Box::new(n))
    } else {
        Ok(Box::new("odd"))
    }
}

#[defer_on_exit]
/// # Errors
/// When `n` is 13.
pub fn result_box_dyn_d(n: u32) -> Result<Box<dyn Display>, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    if n == 13 {
        Err("unlucky".into())
    } else if n.is_multiple_of(2) {
        Ok(Box::new(n))
    } else {
        Ok(Box::new("odd"))
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When `n` is 13.
pub fn result_box_dyn_r(n: u32) -> Result<Box<dyn Display>, String> {
    if n == 13 {
        Err("unlucky".into())
    } else if n.is_multiple_of(2) {
        Ok(Box::new(n))
    } else {
        Ok(Box::new("odd"))
    }
}

// ---- `Box<dyn Iterator + '_>` ----------------------------------------------------------

#[must_use]
pub fn box_dyn_iter_plain(values: &[u32], reverse: bool) -> Box<dyn Iterator<Item = &u32> + '_> {
    if reverse {
        Box::new(values.iter().rev())
    } else {
        Box::new(values.iter())
    }
}

#[defer_on_exit]
#[must_use]
pub fn box_dyn_iter_d(values: &[u32], reverse: bool) -> Box<dyn Iterator<Item = &u32> + '_> {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    if reverse {
        Box::new(values.iter().rev())
    } else {
        Box::new(values.iter())
    }
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn box_dyn_iter_r(values: &[u32], reverse: bool) -> Box<dyn Iterator<Item = &u32> + '_> {
    if reverse {
        Box::new(values.iter().rev())
    } else {
        Box::new(values.iter())
    }
}

// ---- `&dyn Trait` with coercion ---------------------------------------------------------

#[must_use]
pub fn ref_dyn_plain<'a>(number: &'a u64, name: &'a String, pick_number: bool) -> &'a dyn Debug {
    if pick_number {
        return number;
    }
    name
}

#[defer_on_exit]
#[must_use]
pub fn ref_dyn_d<'a>(number: &'a u64, name: &'a String, pick_number: bool) -> &'a dyn Debug {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    if pick_number {
        return number;
    }
    name
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn ref_dyn_r<'a>(number: &'a u64, name: &'a String, pick_number: bool) -> &'a dyn Debug {
    if pick_number {
        return number;
    }
    name
}

// ---- `-> !` ---------------------------------------------------------------------------

/// # Panics
/// Always.
pub fn never_plain(code: u32) -> ! {
    panic!("never returns ({code})")
}

#[defer_on_exit]
/// # Panics
/// Always.
pub fn never_d(code: u32) -> ! {
    defer! { probe::defer() }
    panic!("never returns ({code})")
}

#[recover(with = |p| p.resume())]
/// # Panics
/// Always.
pub fn never_r(code: u32) -> ! {
    panic!("never returns ({code})")
}

// ---- `-> !` by an endless loop left by a panic --------------------------------------------

/// # Panics
/// When the counter reaches `limit`.
pub fn never_loop_plain(limit: u32) -> ! {
    let mut n = 0;
    loop {
        n += 1;
        assert!(n < limit, "reached {n}");
    }
}

#[defer_on_exit]
/// # Panics
/// When the counter reaches `limit`.
pub fn never_loop_d(limit: u32) -> ! {
    defer! { probe::defer() }
    let mut n = 0;
    loop {
        n += 1;
        assert!(n < limit, "reached {n}");
    }
}

#[recover(with = |p| p.resume())]
/// # Panics
/// When the counter reaches `limit`.
pub fn never_loop_r(limit: u32) -> ! {
    let mut n = 0;
    loop {
        n += 1;
        assert!(n < limit, "reached {n}");
    }
}

// ---- unit, implicit, with an early `return;` --------------------------------------------

pub fn unit_implicit_plain(log: &mut Vec<u32>, value: u32) {
    if value == 0 {
        return;
    }
    log.push(value);
}

#[defer_on_exit]
pub fn unit_implicit_d(log: &mut Vec<u32>, value: u32) {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    if value == 0 {
        return;
    }
    log.push(value);
}

#[recover(with = |p| p.resume())]
pub fn unit_implicit_r(log: &mut Vec<u32>, value: u32) {
    if value == 0 {
        return;
    }
    log.push(value);
}

// ---- unit, explicit `-> ()` and `return ();` ---------------------------------------------

#[allow(clippy::unused_unit)] // the shape: an explicit `-> ()` written by the user
pub fn unit_explicit_plain(log: &mut Vec<u32>, value: u32) -> () {
    if value == 0 {
        return ();
    }
    log.push(value);
}

#[defer_on_exit]
#[allow(clippy::unused_unit)] // the shape: an explicit `-> ()` written by the user
pub fn unit_explicit_d(log: &mut Vec<u32>, value: u32) -> () {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    if value == 0 {
        return ();
    }
    log.push(value);
}

#[recover(with = |p| p.resume())]
#[allow(clippy::unused_unit)] // the shape: an explicit `-> ()` written by the user
pub fn unit_explicit_r(log: &mut Vec<u32>, value: u32) -> () {
    if value == 0 {
        return ();
    }
    log.push(value);
}

// ---- unit, the last statement a macro without `;` ------------------------------------------

#[allow(clippy::semicolon_if_nothing_returned)] // the shape: a trailing macro without `;`
/// # Panics
/// When the shape panics.
pub fn unit_tail_macro_plain(a: u32, b: u32) {
    let sum = a + b;
    assert_eq!(sum % 2, 0, "odd sum {sum}")
}

#[defer_on_exit]
#[allow(clippy::semicolon_if_nothing_returned)] // the shape: a trailing macro without `;`
pub fn unit_tail_macro_d(a: u32, b: u32) {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    let sum = a + b;
    assert_eq!(sum % 2, 0, "odd sum {sum}")
}

/// # Panics
/// When the shape panics.
#[recover(with = |p| p.resume())]
#[allow(clippy::semicolon_if_nothing_returned)] // the shape: a trailing macro without `;`
pub fn unit_tail_macro_r(a: u32, b: u32) {
    let sum = a + b;
    assert_eq!(sum % 2, 0, "odd sum {sum}")
}

// ---- unit, the tail a `for` loop -----------------------------------------------------------

pub fn unit_tail_loop_plain(log: &mut Vec<u32>, n: u32) {
    for i in 0..n {
        log.push(i);
    }
}

#[defer_on_exit]
pub fn unit_tail_loop_d(log: &mut Vec<u32>, n: u32) {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    for i in 0..n {
        log.push(i);
    }
}

#[recover(with = |p| p.resume())]
pub fn unit_tail_loop_r(log: &mut Vec<u32>, n: u32) {
    for i in 0..n {
        log.push(i);
    }
}

// ---- `Result<(), E>` -------------------------------------------------------------------

/// # Errors
/// When `value` is odd.
pub fn result_unit_plain(log: &mut Vec<u32>, value: u32) -> Result<(), String> {
    if value % 2 == 1 {
        return Err(format!("{value} is odd"));
    }
    log.push(value);
    Ok(())
}

#[defer_on_exit]
/// # Errors
/// When `value` is odd.
pub fn result_unit_d(log: &mut Vec<u32>, value: u32) -> Result<(), String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    if value % 2 == 1 {
        return Err(format!("{value} is odd"));
    }
    log.push(value);
    Ok(())
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When `value` is odd.
pub fn result_unit_r(log: &mut Vec<u32>, value: u32) -> Result<(), String> {
    if value % 2 == 1 {
        return Err(format!("{value} is odd"));
    }
    log.push(value);
    Ok(())
}

// ---- a type alias for `Result` -------------------------------------------------------------

/// The alias the shape returns.
pub type Res<T> = Result<T, String>;

/// # Errors
/// Not a number.
pub fn alias_plain(text: &str) -> Res<u32> {
    text.parse::<u32>().map_err(|e| e.to_string())
}

#[defer_on_exit]
/// # Errors
/// Not a number.
pub fn alias_d(text: &str) -> Res<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    text.parse::<u32>().map_err(|e| e.to_string())
}

#[recover(with = |p| p.resume())]
/// # Errors
/// Not a number.
pub fn alias_r(text: &str) -> Res<u32> {
    text.parse::<u32>().map_err(|e| e.to_string())
}

// ---- a nested `Result<Result<_, _>, _>` ------------------------------------------------------

/// # Errors
/// Not a number (outer), or odd (inner).
pub fn nested_result_plain(text: &str) -> Result<Result<u32, String>, ParseIntError> {
    let n: u32 = text.parse()?;
    if n % 2 == 1 {
        return Ok(Err(format!("{n} is odd")));
    }
    Ok(Ok(n / 2))
}

#[defer_on_exit]
/// # Errors
/// Not a number (outer), or odd (inner).
pub fn nested_result_d(text: &str) -> Result<Result<u32, String>, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let n: u32 = text.parse()?;
    if n % 2 == 1 {
        return Ok(Err(format!("{n} is odd")));
    }
    Ok(Ok(n / 2))
}

#[recover(with = |p| p.resume())]
/// # Errors
/// Not a number (outer), or odd (inner).
pub fn nested_result_r(text: &str) -> Result<Result<u32, String>, ParseIntError> {
    let n: u32 = text.parse()?;
    if n % 2 == 1 {
        return Ok(Err(format!("{n} is odd")));
    }
    Ok(Ok(n / 2))
}

// ---- `collect()` into the return type ----------------------------------------------------------

/// # Errors
/// An item is not a number.
pub fn collect_result_plain(items: &[&str]) -> Result<Vec<u32>, ParseIntError> {
    items.iter().map(|item| item.parse::<u32>()).collect()
}

#[defer_on_exit]
/// # Errors
/// An item is not a number.
pub fn collect_result_d(items: &[&str]) -> Result<Vec<u32>, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    items.iter().map(|item| item.parse::<u32>()).collect()
}

#[recover(with = |p| p.resume())]
/// # Errors
/// An item is not a number.
pub fn collect_result_r(items: &[&str]) -> Result<Vec<u32>, ParseIntError> {
    items.iter().map(|item| item.parse::<u32>()).collect()
}

// ---- `ControlFlow` with `?` -------------------------------------------------------------------

fn step(n: u32) -> ControlFlow<String, u32> {
    if n > 10 {
        ControlFlow::Break(format!("stopped at {n}"))
    } else {
        ControlFlow::Continue(n * 2)
    }
}

pub fn control_flow_plain(n: u32) -> ControlFlow<String, u32> {
    let once = step(n)?;
    let twice = step(once)?;
    ControlFlow::Continue(twice)
}

#[defer_on_exit]
pub fn control_flow_d(n: u32) -> ControlFlow<String, u32> {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    let once = step(n)?;
    let twice = step(once)?;
    ControlFlow::Continue(twice)
}

#[recover(with = |p| p.resume())]
pub fn control_flow_r(n: u32) -> ControlFlow<String, u32> {
    let once = step(n)?;
    let twice = step(once)?;
    ControlFlow::Continue(twice)
}

// ---- `?` on `Poll<Result<_, _>>`, and into a `Poll<Result<_, _>>` --------------------------------

fn ready(n: u32) -> Poll<Result<u32, String>> {
    if n == 0 {
        Poll::Pending
    } else if n > 100 {
        Poll::Ready(Err(format!("{n} too big")))
    } else {
        Poll::Ready(Ok(n))
    }
}

/// # Errors
/// When the poll is ready with an error.
pub fn question_on_poll_plain(n: u32) -> Result<Option<u32>, String> {
    let polled = ready(n)?;
    Ok(match polled {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    })
}

#[defer_on_exit]
/// # Errors
/// When the poll is ready with an error.
pub fn question_on_poll_d(n: u32) -> Result<Option<u32>, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let polled = ready(n)?;
    Ok(match polled {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    })
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the poll is ready with an error.
pub fn question_on_poll_r(n: u32) -> Result<Option<u32>, String> {
    let polled = ready(n)?;
    Ok(match polled {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    })
}

pub fn returns_poll_plain(text: &str) -> Poll<Result<u32, ParseIntError>> {
    if text.is_empty() {
        return Poll::Pending;
    }
    let n: u32 = text.parse()?;
    Poll::Ready(Ok(n))
}

#[defer_on_exit]
pub fn returns_poll_d(text: &str) -> Poll<Result<u32, ParseIntError>> {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    if text.is_empty() {
        return Poll::Pending;
    }
    let n: u32 = text.parse()?;
    Poll::Ready(Ok(n))
}

#[recover(with = |p| p.resume())]
pub fn returns_poll_r(text: &str) -> Poll<Result<u32, ParseIntError>> {
    if text.is_empty() {
        return Poll::Pending;
    }
    let n: u32 = text.parse()?;
    Poll::Ready(Ok(n))
}

// ---- coercions at `return` and at the tail: deref, unsize, fn item and closure to fn pointer,
// `&mut` to `&` ---------------------------------------------------------------------------------------

#[must_use]
pub fn deref_coercion_plain<'a>(name: &'a std::rc::Rc<str>, fallback: &'a str) -> &'a str {
    if name.is_empty() {
        return fallback;
    }
    name
}

#[defer_on_exit]
#[must_use]
pub fn deref_coercion_d<'a>(name: &'a std::rc::Rc<str>, fallback: &'a str) -> &'a str {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    if name.is_empty() {
        return fallback;
    }
    name
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn deref_coercion_r<'a>(name: &'a std::rc::Rc<str>, fallback: &'a str) -> &'a str {
    if name.is_empty() {
        return fallback;
    }
    name
}

static EMPTY: [u8; 0] = [];

#[must_use]
pub fn unsize_array_plain(bytes: &[u8; 4], keep: bool) -> Option<&[u8]> {
    if !keep {
        return Some(&EMPTY);
    }
    (bytes[0] != 0).then_some(bytes)
}

#[defer_on_exit]
#[must_use]
pub fn unsize_array_d(bytes: &[u8; 4], keep: bool) -> Option<&[u8]> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if !keep {
        return Some(&EMPTY);
    }
    (bytes[0] != 0).then_some(bytes)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn unsize_array_r(bytes: &[u8; 4], keep: bool) -> Option<&[u8]> {
    if !keep {
        return Some(&EMPTY);
    }
    (bytes[0] != 0).then_some(bytes)
}

fn twice(x: u32) -> u32 {
    x * 2
}

fn thrice(x: u32) -> u32 {
    x * 3
}

#[must_use]
pub fn fn_pointer_plain(which: u8) -> fn(u32) -> u32 {
    match which {
        0 => return twice,
        1 => return |x| x + 1,
        _ => {}
    }
    thrice
}

#[defer_on_exit]
#[must_use]
pub fn fn_pointer_d(which: u8) -> fn(u32) -> u32 {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    match which {
        0 => return twice,
        1 => return |x| x + 1,
        _ => {}
    }
    thrice
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn fn_pointer_r(which: u8) -> fn(u32) -> u32 {
    match which {
        0 => return twice,
        1 => return |x| x + 1,
        _ => {}
    }
    thrice
}

pub fn mut_to_shared_plain(values: &mut Vec<u32>, extra: u32) -> &Vec<u32> {
    values.push(extra);
    values
}

#[defer_on_exit]
pub fn mut_to_shared_d(values: &mut Vec<u32>, extra: u32) -> &Vec<u32> {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    values.push(extra);
    values
}

#[recover(with = |p| p.resume())]
pub fn mut_to_shared_r(values: &mut Vec<u32>, extra: u32) -> &Vec<u32> {
    values.push(extra);
    values
}

// ---- `impl Fn` closures whose parameter is used by a method call ----------------------------------

pub fn impl_fn_method_plain(extra: usize) -> impl Fn(&str) -> usize {
    move |text| text.trim().len() + extra
}

#[defer_on_exit]
pub fn impl_fn_method_d(extra: usize) -> impl Fn(&str) -> usize {
    defer! { probe::defer() }
    defer!(|ret| probe::hook(ret));
    move |text| text.trim().len() + extra
}

#[recover(with = |p| p.resume())]
pub fn impl_fn_method_r(extra: usize) -> impl Fn(&str) -> usize {
    move |text| text.trim().len() + extra
}
