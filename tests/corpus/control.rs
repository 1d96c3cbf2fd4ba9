//! Control flow: `let`-`else`, labeled blocks, loops, `match` arms that
//! return, early returns, `?` in every position, tails of every kind,
//! closures and nested functions with their own `return`/`?`.

use crate::probe;
use epilogue::{defer_on_exit, recover};
use std::num::ParseIntError;

// ---- `let`-`else` with `return` in the `else` ---------------------------------

/// # Errors
/// When the shape fails.
pub fn let_else_plain(text: &str) -> Result<u32, String> {
    let Some(digits) = text.strip_prefix('#') else {
        return Err(format!("{text:?} has no '#'"));
    };
    let Ok(value) = digits.parse::<u32>() else {
        return Err(format!("{digits:?} is not a number"));
    };
    Ok(value)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn let_else_d(text: &str) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let Some(digits) = text.strip_prefix('#') else {
        return Err(format!("{text:?} has no '#'"));
    };
    let Ok(value) = digits.parse::<u32>() else {
        return Err(format!("{digits:?} is not a number"));
    };
    Ok(value)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn let_else_r(text: &str) -> Result<u32, String> {
    let Some(digits) = text.strip_prefix('#') else {
        return Err(format!("{text:?} has no '#'"));
    };
    let Ok(value) = digits.parse::<u32>() else {
        return Err(format!("{digits:?} is not a number"));
    };
    Ok(value)
}

// ---- a labeled block as the tail, `break 'found value` ---------------------------

#[must_use]
pub fn labeled_block_plain(values: &[i32], wanted: i32) -> Option<usize> {
    'found: {
        for (index, value) in values.iter().enumerate() {
            if *value == wanted {
                break 'found Some(index);
            }
        }
        None
    }
}

#[defer_on_exit]
#[must_use]
pub fn labeled_block_d(values: &[i32], wanted: i32) -> Option<usize> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    'found: {
        for (index, value) in values.iter().enumerate() {
            if *value == wanted {
                break 'found Some(index);
            }
        }
        None
    }
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn labeled_block_r(values: &[i32], wanted: i32) -> Option<usize> {
    'found: {
        for (index, value) in values.iter().enumerate() {
            if *value == wanted {
                break 'found Some(index);
            }
        }
        None
    }
}

// ---- a labeled block in a `let`, with `?` and `return` inside ------------------------

/// # Errors
/// When the shape fails.
pub fn labeled_let_plain(text: &str) -> Result<u32, ParseIntError> {
    let value = 'parse: {
        if text.is_empty() {
            break 'parse 0;
        }
        if text == "-" {
            return Ok(u32::MAX);
        }
        text.parse::<u32>()?
    };
    Ok(value + 1)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn labeled_let_d(text: &str) -> Result<u32, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let value = 'parse: {
        if text.is_empty() {
            break 'parse 0;
        }
        if text == "-" {
            return Ok(u32::MAX);
        }
        text.parse::<u32>()?
    };
    Ok(value + 1)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn labeled_let_r(text: &str) -> Result<u32, ParseIntError> {
    let value = 'parse: {
        if text.is_empty() {
            break 'parse 0;
        }
        if text == "-" {
            return Ok(u32::MAX);
        }
        text.parse::<u32>()?
    };
    Ok(value + 1)
}

// ---- a `loop` with `break value` as the tail, `?` inside ---------------------------------

/// # Errors
/// When the shape fails.
pub fn loop_break_value_plain(items: &[&str]) -> Result<u32, ParseIntError> {
    let mut index = 0;
    let mut total = 0;
    loop {
        let Some(item) = items.get(index) else {
            break Ok(total);
        };
        total += item.parse::<u32>()?;
        index += 1;
    }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn loop_break_value_d(items: &[&str]) -> Result<u32, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut index = 0;
    let mut total = 0;
    loop {
        let Some(item) = items.get(index) else {
            break Ok(total);
        };
        total += item.parse::<u32>()?;
        index += 1;
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn loop_break_value_r(items: &[&str]) -> Result<u32, ParseIntError> {
    let mut index = 0;
    let mut total = 0;
    loop {
        let Some(item) = items.get(index) else {
            break Ok(total);
        };
        total += item.parse::<u32>()?;
        index += 1;
    }
}

// ---- `continue`, and an early `return` from inside a loop ----------------------------------

#[must_use]
pub fn continue_and_return_plain(values: &[i32]) -> Option<i32> {
    let mut sum = 0;
    for value in values {
        if *value < 0 {
            continue;
        }
        if *value == 0 {
            return None;
        }
        sum += value;
    }
    Some(sum)
}

#[defer_on_exit]
#[must_use]
pub fn continue_and_return_d(values: &[i32]) -> Option<i32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut sum = 0;
    for value in values {
        if *value < 0 {
            continue;
        }
        if *value == 0 {
            return None;
        }
        sum += value;
    }
    Some(sum)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn continue_and_return_r(values: &[i32]) -> Option<i32> {
    let mut sum = 0;
    for value in values {
        if *value < 0 {
            continue;
        }
        if *value == 0 {
            return None;
        }
        sum += value;
    }
    Some(sum)
}

// ---- nested labeled loops, `break 'outer value` ------------------------------------------------

#[must_use]
pub fn nested_loops_plain(grid: &[Vec<u8>], wanted: u8) -> Option<(usize, usize)> {
    let mut round = 0;
    let found = 'outer: loop {
        for (row, cells) in grid.iter().enumerate() {
            for (column, cell) in cells.iter().enumerate() {
                if *cell == wanted + round {
                    break 'outer (row, column);
                }
                if *cell == u8::MAX {
                    return None;
                }
            }
        }
        round += 1;
        if round > 2 {
            break (usize::MAX, usize::MAX);
        }
    };
    (found.0 != usize::MAX).then_some(found)
}

#[defer_on_exit]
#[must_use]
pub fn nested_loops_d(grid: &[Vec<u8>], wanted: u8) -> Option<(usize, usize)> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut round = 0;
    let found = 'outer: loop {
        for (row, cells) in grid.iter().enumerate() {
            for (column, cell) in cells.iter().enumerate() {
                if *cell == wanted + round {
                    break 'outer (row, column);
                }
                if *cell == u8::MAX {
                    return None;
                }
            }
        }
        round += 1;
        if round > 2 {
            break (usize::MAX, usize::MAX);
        }
    };
    (found.0 != usize::MAX).then_some(found)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn nested_loops_r(grid: &[Vec<u8>], wanted: u8) -> Option<(usize, usize)> {
    let mut round = 0;
    let found = 'outer: loop {
        for (row, cells) in grid.iter().enumerate() {
            for (column, cell) in cells.iter().enumerate() {
                if *cell == wanted + round {
                    break 'outer (row, column);
                }
                if *cell == u8::MAX {
                    return None;
                }
            }
        }
        round += 1;
        if round > 2 {
            break (usize::MAX, usize::MAX);
        }
    };
    (found.0 != usize::MAX).then_some(found)
}

// ---- `while let` with a `return` inside -------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn while_let_plain(mut values: Vec<u32>) -> Result<u32, String> {
    let mut last = 0;
    while let Some(value) = values.pop() {
        if value < last {
            return Err(format!("{value} after {last}"));
        }
        last = value;
    }
    Ok(last)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn while_let_d(mut values: Vec<u32>) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut last = 0;
    while let Some(value) = values.pop() {
        if value < last {
            return Err(format!("{value} after {last}"));
        }
        last = value;
    }
    Ok(last)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn while_let_r(mut values: Vec<u32>) -> Result<u32, String> {
    let mut last = 0;
    while let Some(value) = values.pop() {
        if value < last {
            return Err(format!("{value} after {last}"));
        }
        last = value;
    }
    Ok(last)
}

// ---- `match` arms that `return` ----------------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn match_arms_return_plain(command: &str) -> Result<u32, String> {
    let base = match command {
        "one" => 1,
        "two" => 2,
        "none" => return Ok(0),
        other if other.starts_with('!') => return Err(format!("refused {other}")),
        other => other.len().try_into().map_err(|_| "too long".to_owned())?,
    };
    Ok(base * 10)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn match_arms_return_d(command: &str) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let base = match command {
        "one" => 1,
        "two" => 2,
        "none" => return Ok(0),
        other if other.starts_with('!') => return Err(format!("refused {other}")),
        other => other.len().try_into().map_err(|_| "too long".to_owned())?,
    };
    Ok(base * 10)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn match_arms_return_r(command: &str) -> Result<u32, String> {
    let base = match command {
        "one" => 1,
        "two" => 2,
        "none" => return Ok(0),
        other if other.starts_with('!') => return Err(format!("refused {other}")),
        other => other.len().try_into().map_err(|_| "too long".to_owned())?,
    };
    Ok(base * 10)
}

// ---- an early `return` in an `if` / `else if` chain ---------------------------------------------

#[must_use]
pub fn early_return_if_plain(n: i32) -> Option<&'static str> {
    if n < 0 {
        return None;
    } else if n == 0 {
        return Some("zero");
    }
    let kind = if n % 2 == 0 { "even" } else { "odd" };
    Some(kind)
}

#[defer_on_exit]
#[must_use]
pub fn early_return_if_d(n: i32) -> Option<&'static str> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if n < 0 {
        return None;
    } else if n == 0 {
        return Some("zero");
    }
    let kind = if n % 2 == 0 { "even" } else { "odd" };
    Some(kind)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn early_return_if_r(n: i32) -> Option<&'static str> {
    if n < 0 {
        return None;
    } else if n == 0 {
        return Some("zero");
    }
    let kind = if n % 2 == 0 { "even" } else { "odd" };
    Some(kind)
}

// ---- `?` with a `From` conversion to another error type ----------------------------------------------

#[derive(Debug, PartialEq, Eq)]
pub enum AppError {
    Parse(ParseIntError),
    Range(u32),
}

impl From<ParseIntError> for AppError {
    fn from(error: ParseIntError) -> Self {
        AppError::Parse(error)
    }
}

/// # Errors
/// When the shape fails.
pub fn question_from_plain(text: &str) -> Result<u32, AppError> {
    let value: u32 = text.parse()?;
    if value > 99 {
        return Err(AppError::Range(value));
    }
    Ok(value)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn question_from_d(text: &str) -> Result<u32, AppError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let value: u32 = text.parse()?;
    if value > 99 {
        return Err(AppError::Range(value));
    }
    Ok(value)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn question_from_r(text: &str) -> Result<u32, AppError> {
    let value: u32 = text.parse()?;
    if value > 99 {
        return Err(AppError::Range(value));
    }
    Ok(value)
}

// ---- `?` on `Option`, chained ----------------------------------------------------------------------

#[must_use]
pub fn question_option_plain(values: &[u32], index: usize) -> Option<u32> {
    let first = values.get(index)?;
    let next = values.get(index + 1)?.checked_sub(*first)?;
    Some(next)
}

#[defer_on_exit]
#[must_use]
pub fn question_option_d(values: &[u32], index: usize) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let first = values.get(index)?;
    let next = values.get(index + 1)?.checked_sub(*first)?;
    Some(next)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn question_option_r(values: &[u32], index: usize) -> Option<u32> {
    let first = values.get(index)?;
    let next = values.get(index + 1)?.checked_sub(*first)?;
    Some(next)
}

// ---- `?` in every expression position ---------------------------------------------------------------

fn number(text: &str) -> Result<usize, ParseIntError> {
    text.trim().parse()
}

/// # Errors
/// When the shape fails.
pub fn question_positions_plain(a: &str, b: &str, table: &[u32]) -> Result<(u32, Vec<usize>), ParseIntError> {
    if number(a)? > 5 {
        return Ok((0, vec![]));
    }
    let picked = table[number(b)? % table.len()];
    let mut seen = Vec::new();
    for n in 0..number(a)? {
        seen.push(n);
    }
    let pair = (number(a)?, [number(b)?; 2]);
    match number(b)? {
        0 => Ok((picked, seen)),
        n => Ok((picked + u32::try_from(n + pair.0 + pair.1[1]).unwrap_or(0), seen)),
    }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn question_positions_d(a: &str, b: &str, table: &[u32]) -> Result<(u32, Vec<usize>), ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if number(a)? > 5 {
        return Ok((0, vec![]));
    }
    let picked = table[number(b)? % table.len()];
    let mut seen = Vec::new();
    for n in 0..number(a)? {
        seen.push(n);
    }
    let pair = (number(a)?, [number(b)?; 2]);
    match number(b)? {
        0 => Ok((picked, seen)),
        n => Ok((picked + u32::try_from(n + pair.0 + pair.1[1]).unwrap_or(0), seen)),
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn question_positions_r(a: &str, b: &str, table: &[u32]) -> Result<(u32, Vec<usize>), ParseIntError> {
    if number(a)? > 5 {
        return Ok((0, vec![]));
    }
    let picked = table[number(b)? % table.len()];
    let mut seen = Vec::new();
    for n in 0..number(a)? {
        seen.push(n);
    }
    let pair = (number(a)?, [number(b)?; 2]);
    match number(b)? {
        0 => Ok((picked, seen)),
        n => Ok((picked + u32::try_from(n + pair.0 + pair.1[1]).unwrap_or(0), seen)),
    }
}

// ---- `?` in a match guard, `return Ok(x?)`, `Err(e)?` as a statement --------------------------------------

/// # Errors
/// When the shape fails.
pub fn question_in_guard_plain(text: &str, limit: &str) -> Result<&'static str, ParseIntError> {
    if text == "double" {
        return Ok(if number(limit)? > 10 { "big" } else { "small" });
    }
    if let (true, Err(error)) = (text.is_empty(), number("empty")) {
        Err(error)?;
    }
    match number(text)? {
        n if n > number(limit)? => Ok("over"),
        _ => Ok("within"),
    }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn question_in_guard_d(text: &str, limit: &str) -> Result<&'static str, ParseIntError> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if text == "double" {
        return Ok(if number(limit)? > 10 { "big" } else { "small" });
    }
    if let (true, Err(error)) = (text.is_empty(), number("empty")) {
        Err(error)?;
    }
    match number(text)? {
        n if n > number(limit)? => Ok("over"),
        _ => Ok("within"),
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn question_in_guard_r(text: &str, limit: &str) -> Result<&'static str, ParseIntError> {
    if text == "double" {
        return Ok(if number(limit)? > 10 { "big" } else { "small" });
    }
    if let (true, Err(error)) = (text.is_empty(), number("empty")) {
        Err(error)?;
    }
    match number(text)? {
        n if n > number(limit)? => Ok("over"),
        _ => Ok("within"),
    }
}

// ---- `Err(..)?` with a conversion, as the README suggests instead of `bail!` ---------------------------

/// # Errors
/// When the shape fails.
pub fn err_question_plain(n: u32) -> Result<u32, Box<dyn std::error::Error>> {
    if n == 0 {
        Err("zero is not allowed")?;
    }
    Ok(100 / n)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn err_question_d(n: u32) -> Result<u32, Box<dyn std::error::Error>> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::hook(ret));
    if n == 0 {
        Err("zero is not allowed")?;
    }
    Ok(100 / n)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn err_question_r(n: u32) -> Result<u32, Box<dyn std::error::Error>> {
    if n == 0 {
        Err("zero is not allowed")?;
    }
    Ok(100 / n)
}

// ---- tails: `if`/`else if`/`else` ---------------------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn tail_if_else_plain(n: i64) -> Result<i64, String> {
    if n < 0 {
        Err(format!("{n} is negative"))
    } else if n == 7 {
        Ok(1)
    } else {
        let doubled = n.checked_mul(2).ok_or("overflow")?;
        Ok(doubled)
    }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn tail_if_else_d(n: i64) -> Result<i64, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if n < 0 {
        Err(format!("{n} is negative"))
    } else if n == 7 {
        Ok(1)
    } else {
        let doubled = n.checked_mul(2).ok_or("overflow")?;
        Ok(doubled)
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn tail_if_else_r(n: i64) -> Result<i64, String> {
    if n < 0 {
        Err(format!("{n} is negative"))
    } else if n == 7 {
        Ok(1)
    } else {
        let doubled = n.checked_mul(2).ok_or("overflow")?;
        Ok(doubled)
    }
}

// ---- tails: `match` with guards, bindings, blocks and a diverging arm -----------------------------------

#[must_use]
pub fn tail_match_plain(n: u32) -> Option<String> {
    match n {
        0 => None,
        small @ 1..=9 => Some(format!("digit {small}")),
        13 => unreachable!("13 is filtered earlier"),
        n if n % 2 == 0 => {
            let half = n / 2;
            Some(format!("half {half}"))
        }
        _ => Some("odd".to_owned()),
    }
}

#[defer_on_exit]
#[must_use]
pub fn tail_match_d(n: u32) -> Option<String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    match n {
        0 => None,
        small @ 1..=9 => Some(format!("digit {small}")),
        13 => unreachable!("13 is filtered earlier"),
        n if n % 2 == 0 => {
            let half = n / 2;
            Some(format!("half {half}"))
        }
        _ => Some("odd".to_owned()),
    }
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn tail_match_r(n: u32) -> Option<String> {
    match n {
        0 => None,
        small @ 1..=9 => Some(format!("digit {small}")),
        13 => unreachable!("13 is filtered earlier"),
        n if n % 2 == 0 => {
            let half = n / 2;
            Some(format!("half {half}"))
        }
        _ => Some("odd".to_owned()),
    }
}

// ---- tails: `if let` / `else` and a nested block ------------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn tail_if_let_plain(text: &str) -> Result<u32, String> {
    if let Some(rest) = text.strip_prefix("0x") {
        u32::from_str_radix(rest, 16).map_err(|e| e.to_string())
    } else {
        {
            let value = text.parse::<u32>().map_err(|e| e.to_string())?;
            Ok(value)
        }
    }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn tail_if_let_d(text: &str) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if let Some(rest) = text.strip_prefix("0x") {
        u32::from_str_radix(rest, 16).map_err(|e| e.to_string())
    } else {
        {
            let value = text.parse::<u32>().map_err(|e| e.to_string())?;
            Ok(value)
        }
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn tail_if_let_r(text: &str) -> Result<u32, String> {
    if let Some(rest) = text.strip_prefix("0x") {
        u32::from_str_radix(rest, 16).map_err(|e| e.to_string())
    } else {
        {
            let value = text.parse::<u32>().map_err(|e| e.to_string())?;
            Ok(value)
        }
    }
}

// ---- a `return` inside a block expression in a `let` ---------------------------------------------------------

#[must_use]
pub fn return_in_block_expr_plain(n: u32) -> Option<u32> {
    let base = {
        if n > 100 {
            return None;
        }
        n * 3
    };
    Some(base + 1)
}

#[defer_on_exit]
#[must_use]
pub fn return_in_block_expr_d(n: u32) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let base = {
        if n > 100 {
            return None;
        }
        n * 3
    };
    Some(base + 1)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn return_in_block_expr_r(n: u32) -> Option<u32> {
    let base = {
        if n > 100 {
            return None;
        }
        n * 3
    };
    Some(base + 1)
}

// ---- a tail `loop` that only leaves by `return` ----------------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn tail_loop_return_plain(mut n: u64) -> Result<u32, String> {
    let mut steps = 0;
    loop {
        if n == 1 {
            return Ok(steps);
        }
        if steps > 50 {
            return Err(format!("gave up at {n}"));
        }
        n = if n.is_multiple_of(2) { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn tail_loop_return_d(mut n: u64) -> Result<u32, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let mut steps = 0;
    loop {
        if n == 1 {
            return Ok(steps);
        }
        if steps > 50 {
            return Err(format!("gave up at {n}"));
        }
        n = if n.is_multiple_of(2) { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn tail_loop_return_r(mut n: u64) -> Result<u32, String> {
    let mut steps = 0;
    loop {
        if n == 1 {
            return Ok(steps);
        }
        if steps > 50 {
            return Err(format!("gave up at {n}"));
        }
        n = if n.is_multiple_of(2) { n / 2 } else { 3 * n + 1 };
        steps += 1;
    }
}

// ---- a non-unit function whose last statement is a diverging macro ------------------------------------------------

/// # Panics
/// When the shape panics.
#[must_use]
pub fn diverging_tail_plain(n: u32) -> u32 {
    if n > 0 {
        return n * 2;
    }
    panic!("no value for {n}")
}

#[defer_on_exit]
#[must_use]
pub fn diverging_tail_d(n: u32) -> u32 {
    defer! { probe::defer() }
    defer!(|ret| probe::seen(ret));
    if n > 0 {
        return n * 2;
    }
    panic!("no value for {n}")
}

/// # Panics
/// When the shape panics.
#[recover(with = |p| p.resume())]
#[must_use]
pub fn diverging_tail_r(n: u32) -> u32 {
    if n > 0 {
        return n * 2;
    }
    panic!("no value for {n}")
}

// ---- return values inferred from the return type: `.into()`, `Default::default()` -----------------------------------

#[must_use]
pub fn inferred_plain(x: u16) -> Option<u64> {
    if x == 1 {
        return Some(Default::default());
    }
    let doubled = x.checked_mul(2)?;
    Some(doubled.into())
}

#[defer_on_exit]
#[must_use]
pub fn inferred_d(x: u16) -> Option<u64> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if x == 1 {
        return Some(Default::default());
    }
    let doubled = x.checked_mul(2)?;
    Some(doubled.into())
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn inferred_r(x: u16) -> Option<u64> {
    if x == 1 {
        return Some(Default::default());
    }
    let doubled = x.checked_mul(2)?;
    Some(doubled.into())
}

// ---- closures in the body with their own `return` and `?` ------------------------------------------------------------

/// # Errors
/// When the shape fails.
pub fn closures_own_exits_plain(items: &[&str]) -> Result<Vec<u32>, String> {
    let parse = |text: &str| -> Result<u32, ParseIntError> { Ok(text.parse::<u32>()? + 1) };
    let check = |value: u32| -> Option<u32> {
        if value > 50 {
            return None;
        }
        Some(value)
    };
    let mut out = Vec::new();
    for item in items {
        let value = parse(item).map_err(|e| e.to_string())?;
        out.push(check(value).ok_or_else(|| format!("{value} too big"))?);
    }
    let halves: Vec<u32> = out
        .iter()
        .map(|v| {
            if *v == 0 {
                return 0;
            }
            v / 2
        })
        .collect();
    Ok(halves)
}

#[defer_on_exit]
/// # Errors
/// When the shape fails.
pub fn closures_own_exits_d(items: &[&str]) -> Result<Vec<u32>, String> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let parse = |text: &str| -> Result<u32, ParseIntError> { Ok(text.parse::<u32>()? + 1) };
    let check = |value: u32| -> Option<u32> {
        if value > 50 {
            return None;
        }
        Some(value)
    };
    let mut out = Vec::new();
    for item in items {
        let value = parse(item).map_err(|e| e.to_string())?;
        out.push(check(value).ok_or_else(|| format!("{value} too big"))?);
    }
    let halves: Vec<u32> = out
        .iter()
        .map(|v| {
            if *v == 0 {
                return 0;
            }
            v / 2
        })
        .collect();
    Ok(halves)
}

#[recover(with = |p| p.resume())]
/// # Errors
/// When the shape fails.
pub fn closures_own_exits_r(items: &[&str]) -> Result<Vec<u32>, String> {
    let parse = |text: &str| -> Result<u32, ParseIntError> { Ok(text.parse::<u32>()? + 1) };
    let check = |value: u32| -> Option<u32> {
        if value > 50 {
            return None;
        }
        Some(value)
    };
    let mut out = Vec::new();
    for item in items {
        let value = parse(item).map_err(|e| e.to_string())?;
        out.push(check(value).ok_or_else(|| format!("{value} too big"))?);
    }
    let halves: Vec<u32> = out
        .iter()
        .map(|v| {
            if *v == 0 {
                return 0;
            }
            v / 2
        })
        .collect();
    Ok(halves)
}

// ---- nested functions and a nested impl with their own `return` and `?` ------------------------------------------------

#[must_use]
pub fn nested_fn_exits_plain(text: &str) -> Option<u32> {
    fn digit(c: char) -> Option<u32> {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = c.to_digit(10)?;
        Some(d * d)
    }
    struct Summer;
    impl Summer {
        fn sum(text: &str) -> Result<u32, char> {
            let mut total = 0;
            for c in text.chars() {
                total += digit(c).ok_or(c)?;
            }
            Ok(total)
        }
    }
    let total = Summer::sum(text).ok()?;
    Some(total)
}

#[defer_on_exit]
#[must_use]
pub fn nested_fn_exits_d(text: &str) -> Option<u32> {
    fn digit(c: char) -> Option<u32> {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = c.to_digit(10)?;
        Some(d * d)
    }
    struct Summer;
    impl Summer {
        fn sum(text: &str) -> Result<u32, char> {
            let mut total = 0;
            for c in text.chars() {
                total += digit(c).ok_or(c)?;
            }
            Ok(total)
        }
    }
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    let total = Summer::sum(text).ok()?;
    Some(total)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn nested_fn_exits_r(text: &str) -> Option<u32> {
    fn digit(c: char) -> Option<u32> {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = c.to_digit(10)?;
        Some(d * d)
    }
    struct Summer;
    impl Summer {
        fn sum(text: &str) -> Result<u32, char> {
            let mut total = 0;
            for c in text.chars() {
                total += digit(c).ok_or(c)?;
            }
            Ok(total)
        }
    }
    let total = Summer::sum(text).ok()?;
    Some(total)
}

// ---- an inline `const` block (its own context) ---------------------------------------------------------------------

#[must_use]
pub fn const_block_plain<const N: usize>(values: &[u8]) -> Option<[u8; N]> {
    const { assert!(N > 0, "N must not be zero") };
    let head = values.get(..N)?;
    head.try_into().ok()
}

#[defer_on_exit]
#[must_use]
pub fn const_block_d<const N: usize>(values: &[u8]) -> Option<[u8; N]> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    const { assert!(N > 0, "N must not be zero") };
    let head = values.get(..N)?;
    head.try_into().ok()
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn const_block_r<const N: usize>(values: &[u8]) -> Option<[u8; N]> {
    const { assert!(N > 0, "N must not be zero") };
    let head = values.get(..N)?;
    head.try_into().ok()
}

// ---- recursion through the annotated function itself --------------------------------------------------------------------

#[must_use]
pub fn recursion_plain(n: u32) -> Option<u32> {
    if n == 0 {
        return Some(1);
    }
    n.checked_mul(recursion_plain(n - 1)?)
}

#[defer_on_exit]
#[must_use]
pub fn recursion_d(n: u32) -> Option<u32> {
    defer! { probe::defer() }
    defer_on_err! { probe::err() }
    defer!(|ret| probe::seen(ret));
    if n == 0 {
        return Some(1);
    }
    n.checked_mul(recursion_d(n - 1)?)
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn recursion_r(n: u32) -> Option<u32> {
    if n == 0 {
        return Some(1);
    }
    n.checked_mul(recursion_r(n - 1)?)
}
