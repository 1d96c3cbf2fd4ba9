//! Parameters: patterns, `mut`, lifetimes, generics, `where`, `impl Trait`
//! in argument position.

use crate::probe;
use epilogue::{defer_on_exit, recover};
use std::fmt::{Debug, Display};
use std::num::ParseIntError;
use std::str::FromStr;

// ---- tuple pattern -------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn tuple_pattern_plain((a, b): (u32, u32)) -> Result<u32, String> {
    a.checked_add(b).ok_or_else(|| format!("{a} + {b} overflows"))
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn tuple_pattern_d((a, b): (u32, u32)) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    a.checked_add(b).ok_or_else(|| format!("{a} + {b} overflows"))
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn tuple_pattern_r((a, b): (u32, u32)) -> Result<u32, String> {
    a.checked_add(b).ok_or_else(|| format!("{a} + {b} overflows"))
}

// ---- struct pattern ------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    pub x: i64,
    pub y: i64,
}

#[must_use]
pub fn struct_pattern_plain(Point { x, y }: Point) -> Option<i64> {
    x.checked_mul(y)
}

#[defer_on_exit]
#[must_use]
pub fn struct_pattern_d(Point { x, y }: Point) -> Option<i64> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    x.checked_mul(y)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn struct_pattern_r(Point { x, y }: Point) -> Option<i64> {
    x.checked_mul(y)
}

// ---- reference pattern ---------------------------------------------------

#[must_use]
pub fn ref_pattern_plain(&[a, b, c, d]: &[u32; 4]) -> Option<u32> {
    a.checked_add(b)?.checked_add(c)?.checked_add(d)
}

#[defer_on_exit]
#[must_use]
pub fn ref_pattern_d(&[a, b, c, d]: &[u32; 4]) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    a.checked_add(b)?.checked_add(c)?.checked_add(d)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn ref_pattern_r(&[a, b, c, d]: &[u32; 4]) -> Option<u32> {
    a.checked_add(b)?.checked_add(c)?.checked_add(d)
}

// ---- reference to a tuple with a by-reference binding -----------------------

/// # Errors
/// When the shape fails.
pub fn ref_tuple_plain(&(ref name, count): &(String, u32)) -> Result<String, String> {
    if count == 0 {
        return Err(format!("no {name}"));
    }
    Ok(format!("{count} {name}"))
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn ref_tuple_d(&(ref name, count): &(String, u32)) -> Result<String, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if count == 0 {
        return Err(format!("no {name}"));
    }
    Ok(format!("{count} {name}"))
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn ref_tuple_r(&(ref name, count): &(String, u32)) -> Result<String, String> {
    if count == 0 {
        return Err(format!("no {name}"));
    }
    Ok(format!("{count} {name}"))
}

// ---- `mut` parameters ----------------------------------------------------

#[must_use]
pub fn mut_params_plain(mut a: u32, mut values: Vec<u32>) -> Option<Vec<u32>> {
    a = a.checked_mul(2)?;
    values.push(a);
    values.sort_unstable();
    Some(values)
}

#[defer_on_exit]
#[must_use]
pub fn mut_params_d(mut a: u32, mut values: Vec<u32>) -> Option<Vec<u32>> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    a = a.checked_mul(2)?;
    values.push(a);
    values.sort_unstable();
    Some(values)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn mut_params_r(mut a: u32, mut values: Vec<u32>) -> Option<Vec<u32>> {
    a = a.checked_mul(2)?;
    values.push(a);
    values.sort_unstable();
    Some(values)
}

// ---- nested tuple and array patterns ---------------------------------------

/// # Errors
/// When the shape fails.
pub fn nested_pattern_plain(((a, b), [c, d]): ((u8, u8), [u8; 2])) -> Result<u8, String> {
    let left = a.checked_add(b).ok_or("left overflows")?;
    let right = c.checked_add(d).ok_or("right overflows")?;
    Ok(left.max(right))
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn nested_pattern_d(((a, b), [c, d]): ((u8, u8), [u8; 2])) -> Result<u8, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let left = a.checked_add(b).ok_or("left overflows")?;
    let right = c.checked_add(d).ok_or("right overflows")?;
    Ok(left.max(right))
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn nested_pattern_r(((a, b), [c, d]): ((u8, u8), [u8; 2])) -> Result<u8, String> {
    let left = a.checked_add(b).ok_or("left overflows")?;
    let right = c.checked_add(d).ok_or("right overflows")?;
    Ok(left.max(right))
}

// ---- wildcard parameter, a panicking body ----------------------------------

#[must_use]
pub fn wildcard_param_plain(_: u32, divisor: u32) -> u32 {
    100 / divisor
}

#[defer_on_exit]
#[must_use]
pub fn wildcard_param_d(_: u32, divisor: u32) -> u32 {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    100 / divisor
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn wildcard_param_r(_: u32, divisor: u32) -> u32 {
    100 / divisor
}

// ---- tuple struct pattern --------------------------------------------------

#[derive(Clone, Copy, Debug)]
pub struct Meters(pub u32);

#[must_use]
pub fn tuple_struct_pattern_plain(Meters(m): Meters) -> Option<u32> {
    m.checked_sub(10)
}

#[defer_on_exit]
#[must_use]
pub fn tuple_struct_pattern_d(Meters(m): Meters) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    m.checked_sub(10)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn tuple_struct_pattern_r(Meters(m): Meters) -> Option<u32> {
    m.checked_sub(10)
}

// ---- explicit lifetimes ----------------------------------------------------

#[must_use]
pub fn explicit_lifetime_plain<'a>(text: &'a str, separator: &str) -> Option<&'a str> {
    let mut parts = text.split(separator);
    parts.next()?;
    parts.next()
}

#[defer_on_exit]
#[must_use]
pub fn explicit_lifetime_d<'a>(text: &'a str, separator: &str) -> Option<&'a str> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut parts = text.split(separator);
    parts.next()?;
    parts.next()
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn explicit_lifetime_r<'a>(text: &'a str, separator: &str) -> Option<&'a str> {
    let mut parts = text.split(separator);
    parts.next()?;
    parts.next()
}

// ---- elided lifetimes ------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn elided_lifetime_plain(text: &str) -> Result<&str, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("blank".to_owned());
    }
    Ok(trimmed)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn elided_lifetime_d(text: &str) -> Result<&str, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("blank".to_owned());
    }
    Ok(trimmed)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn elided_lifetime_r(text: &str) -> Result<&str, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err("blank".to_owned());
    }
    Ok(trimmed)
}

// ---- lifetime bounds -------------------------------------------------------

#[must_use]
pub fn lifetime_bounds_plain<'a, 'b: 'a, T: Debug + 'a>(a: &'a T, b: &'b T, pick_b: bool) -> &'a T {
    if pick_b {
        b
    } else {
        a
    }
}

#[defer_on_exit]
#[must_use]
pub fn lifetime_bounds_d<'a, 'b: 'a, T: Debug + 'a>(a: &'a T, b: &'b T, pick_b: bool) -> &'a T {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    if pick_b {
        b
    } else {
        a
    }
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn lifetime_bounds_r<'a, 'b: 'a, T: Debug + 'a>(a: &'a T, b: &'b T, pick_b: bool) -> &'a T {
    if pick_b {
        b
    } else {
        a
    }
}

// ---- a returned `&mut` ---------------------------------------------------

#[must_use]
pub fn mut_ref_return_plain(values: &mut [u32]) -> Option<&mut u32> {
    values.iter_mut().max()
}

#[defer_on_exit]
pub fn mut_ref_return_d(values: &mut [u32]) -> Option<&mut u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    values.iter_mut().max()
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn mut_ref_return_r(values: &mut [u32]) -> Option<&mut u32> {
    values.iter_mut().max()
}

// ---- `'static` in the return type ----------------------------------------

/// # Errors
/// When the shape fails.
pub fn static_str_plain(code: u32) -> Result<&'static str, u32> {
    match code {
        200 => Ok("ok"),
        404 => Ok("not found"),
        other => Err(other),
    }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn static_str_d(code: u32) -> Result<&'static str, u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    match code {
        200 => Ok("ok"),
        404 => Ok("not found"),
        other => Err(other),
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn static_str_r(code: u32) -> Result<&'static str, u32> {
    match code {
        200 => Ok("ok"),
        404 => Ok("not found"),
        other => Err(other),
    }
}

// ---- higher-ranked bound ---------------------------------------------------

#[must_use]
pub fn higher_ranked_plain<F>(f: F, text: &str) -> Option<usize>
where
    F: for<'x> Fn(&'x str) -> &'x str,
{
    let picked = f(text);
    picked.find(',')
}

#[defer_on_exit]
#[must_use]
pub fn higher_ranked_d<F>(f: F, text: &str) -> Option<usize>
where
    F: for<'x> Fn(&'x str) -> &'x str,
{
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let picked = f(text);
    picked.find(',')
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn higher_ranked_r<F>(f: F, text: &str) -> Option<usize>
where
    F: for<'x> Fn(&'x str) -> &'x str,
{
    let picked = f(text);
    picked.find(',')
}

// ---- const generics --------------------------------------------------------

#[must_use]
pub fn const_generic_plain<const N: usize>(mut values: [u32; N]) -> Option<[u32; N]> {
    if N == 0 {
        return None;
    }
    values.reverse();
    Some(values)
}

#[defer_on_exit]
#[must_use]
pub fn const_generic_d<const N: usize>(mut values: [u32; N]) -> Option<[u32; N]> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if N == 0 {
        return None;
    }
    values.reverse();
    Some(values)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn const_generic_r<const N: usize>(mut values: [u32; N]) -> Option<[u32; N]> {
    if N == 0 {
        return None;
    }
    values.reverse();
    Some(values)
}

// ---- const and type generics together, value from `N` ---------------------

/// # Errors
/// When the shape fails.
pub fn const_and_type_generic_plain<const N: usize, T: Copy + Default>(fill: T) -> Result<[T; N], String> {
    if N > 4 {
        return Err(format!("{N} is too many"));
    }
    let mut out = [T::default(); N];
    if let Some(first) = out.first_mut() {
        *first = fill;
    }
    Ok(out)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn const_and_type_generic_d<const N: usize, T: Copy + Default + Debug>(
    fill: T,
) -> Result<[T; N], String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if N > 4 {
        return Err(format!("{N} is too many"));
    }
    let mut out = [T::default(); N];
    if let Some(first) = out.first_mut() {
        *first = fill;
    }
    Ok(out)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn const_and_type_generic_r<const N: usize, T: Copy + Default>(fill: T) -> Result<[T; N], String> {
    if N > 4 {
        return Err(format!("{N} is too many"));
    }
    let mut out = [T::default(); N];
    if let Some(first) = out.first_mut() {
        *first = fill;
    }
    Ok(out)
}

// ---- generics with a `where` clause -----------------------------------------

/// # Errors
/// When the shape fails.
pub fn where_clause_plain<T, U>(items: &[T], keep: U) -> Result<Vec<String>, String>
where
    T: Display,
    U: Fn(&T) -> bool,
{
    let kept: Vec<String> = items
        .iter()
        .filter(|item| keep(item))
        .map(ToString::to_string)
        .collect();
    if kept.is_empty() {
        return Err("nothing kept".into());
    }
    Ok(kept)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn where_clause_d<T, U>(items: &[T], keep: U) -> Result<Vec<String>, String>
where
    T: Display,
    U: Fn(&T) -> bool,
{
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let kept: Vec<String> = items
        .iter()
        .filter(|item| keep(item))
        .map(ToString::to_string)
        .collect();
    if kept.is_empty() {
        return Err("nothing kept".into());
    }
    Ok(kept)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn where_clause_r<T, U>(items: &[T], keep: U) -> Result<Vec<String>, String>
where
    T: Display,
    U: Fn(&T) -> bool,
{
    let kept: Vec<String> = items
        .iter()
        .filter(|item| keep(item))
        .map(ToString::to_string)
        .collect();
    if kept.is_empty() {
        return Err("nothing kept".into());
    }
    Ok(kept)
}

// ---- `impl Trait` in argument position ---------------------------------------

#[must_use]
pub fn impl_arg_plain(items: impl IntoIterator<Item = u32>) -> Option<u32> {
    let mut items = items.into_iter();
    let first = items.next()?;
    Some(items.fold(first, u32::max))
}

#[defer_on_exit]
#[must_use]
pub fn impl_arg_d(items: impl IntoIterator<Item = u32>) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut items = items.into_iter();
    let first = items.next()?;
    Some(items.fold(first, u32::max))
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn impl_arg_r(items: impl IntoIterator<Item = u32>) -> Option<u32> {
    let mut items = items.into_iter();
    let first = items.next()?;
    Some(items.fold(first, u32::max))
}

// ---- `impl AsRef<str> + ?Sized`-style borrowed generic --------------------------

/// # Errors
/// When the shape fails.
pub fn unsized_generic_plain<T: AsRef<str> + ?Sized>(text: &T) -> Result<u32, ParseIntError> {
    text.as_ref().trim().parse()
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn unsized_generic_d<T: AsRef<str> + ?Sized>(text: &T) -> Result<u32, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    text.as_ref().trim().parse()
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn unsized_generic_r<T: AsRef<str> + ?Sized>(text: &T) -> Result<u32, ParseIntError> {
    text.as_ref().trim().parse()
}

// ---- an associated type in the return type --------------------------------------

/// # Errors
/// When the shape fails.
pub fn assoc_type_return_plain<T: FromStr>(text: &str) -> Result<T, T::Err> {
    let value = text.trim().parse::<T>()?;
    Ok(value)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn assoc_type_return_d<T: FromStr + Debug>(text: &str) -> Result<T, T::Err>
where
    T::Err: Debug,
{
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let value = text.trim().parse::<T>()?;
    Ok(value)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn assoc_type_return_r<T: FromStr>(text: &str) -> Result<T, T::Err> {
    let value = text.trim().parse::<T>()?;
    Ok(value)
}

// ---- a bare generic return type -------------------------------------------------

#[must_use]
/// # Panics
/// When `fail`.
pub fn generic_return_plain<R: Debug>(value: R, fail: bool) -> R {
    assert!(!fail, "asked to fail with {value:?}");
    value
}

#[defer_on_exit]
#[must_use]
/// # Panics
/// When `fail`.
pub fn generic_return_d<R: Debug>(value: R, fail: bool) -> R {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    assert!(!fail, "asked to fail with {value:?}");
    value
}

#[recover(with = |p| p.resume())]
#[must_use]
/// # Panics
/// When `fail`.
pub fn generic_return_r<R: Debug>(value: R, fail: bool) -> R {
    assert!(!fail, "asked to fail with {value:?}");
    value
}

// ---- a generic error type converted by `?` -----------------------------------------

/// # Errors
/// When the shape fails.
pub fn generic_error_plain<E: From<ParseIntError>>(text: &str) -> Result<u32, E> {
    let value: u32 = text.parse()?;
    Ok(value + 1)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn generic_error_d<E: From<ParseIntError> + Debug>(text: &str) -> Result<u32, E> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let value: u32 = text.parse()?;
    Ok(value + 1)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn generic_error_r<E: From<ParseIntError>>(text: &str) -> Result<u32, E> {
    let value: u32 = text.parse()?;
    Ok(value + 1)
}

// ---- a qualified associated type path as the return type --------------------------

#[must_use]
pub fn qualified_item_plain<I: Iterator>(mut items: I) -> Option<<I as Iterator>::Item> {
    items.next()?;
    items.next()
}

#[defer_on_exit]
#[must_use]
pub fn qualified_item_d<I: Iterator>(mut items: I) -> Option<<I as Iterator>::Item>
where
    I::Item: Debug,
{
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    items.next()?;
    items.next()
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn qualified_item_r<I: Iterator>(mut items: I) -> Option<<I as Iterator>::Item> {
    items.next()?;
    items.next()
}

// ---- a `&dyn Trait` parameter -------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn dyn_param_plain(value: &dyn Display, width: usize) -> Result<String, String> {
    let text = format!("{value:>width$}");
    if text.len() > width {
        return Err(text);
    }
    Ok(text)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn dyn_param_d(value: &dyn Display, width: usize) -> Result<String, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let text = format!("{value:>width$}");
    if text.len() > width {
        return Err(text);
    }
    Ok(text)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn dyn_param_r(value: &dyn Display, width: usize) -> Result<String, String> {
    let text = format!("{value:>width$}");
    if text.len() > width {
        return Err(text);
    }
    Ok(text)
}

// ---- a function-pointer parameter ---------------------------------------------------

#[must_use]
pub fn fn_pointer_param_plain(step: fn(u32) -> Option<u32>, start: u32) -> Option<u32> {
    step(step(start)?)
}

#[defer_on_exit]
#[must_use]
pub fn fn_pointer_param_d(step: fn(u32) -> Option<u32>, start: u32) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    step(step(start)?)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn fn_pointer_param_r(step: fn(u32) -> Option<u32>, start: u32) -> Option<u32> {
    step(step(start)?)
}
