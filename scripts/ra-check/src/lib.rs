//! Twins for rust-analyzer: `annotated_*` and `plain_*` have the same body.
#![allow(dead_code, missing_docs)]

mod typing;

use anyhow::{bail, ensure};
use epilogue::{defer_on_exit, recover};
use std::io::Write;

pub struct Row {
    pub name: String,
    pub count: u32,
}

#[defer_on_exit]
pub fn annotated_report(out: &mut Vec<u8>, rows: &[Row]) -> std::io::Result<usize> {
    let mut written = 0;
    defer! { let _ = out.flush(); }
    defer_on_err! { out.clear(); }
    defer!(|ret| if let Ok(count) = ret { *count += 1 });
    for row in rows {
        let line = format!("{} {}", row.name, row.count);
        writeln!(out, "{line}")?;
        written += line.len();
    }
    Ok(written)
}

pub fn plain_report(out: &mut Vec<u8>, rows: &[Row]) -> std::io::Result<usize> {
    let mut written = 0;
    for row in rows {
        let line = format!("{} {}", row.name, row.count);
        writeln!(out, "{line}")?;
        written += line.len();
    }
    Ok(written)
}

/// A `defer!` using what the rest of the body keeps writing to, its only
/// action: the rest runs in a frame whose flow carries the value returned
/// (no exit slot), expanded on tokens.
#[defer_on_exit]
pub fn annotated_flushed(out: &mut std::io::BufWriter<Vec<u8>>, rows: &[Row]) -> std::io::Result<usize> {
    defer! { let _ = out.flush(); }
    let mut written = 0;
    for row in rows {
        if row.name.is_empty() {
            return Ok(written);
        }
        writeln!(out, "{} {}", row.name, row.count)?;
        written += 1;
    }
    Ok(written)
}

pub fn plain_flushed(out: &mut std::io::BufWriter<Vec<u8>>, rows: &[Row]) -> std::io::Result<usize> {
    let mut written = 0;
    for row in rows {
        if row.name.is_empty() {
            return Ok(written);
        }
        writeln!(out, "{} {}", row.name, row.count)?;
        written += 1;
    }
    Ok(written)
}

/// The common case, expanded on tokens without parsing: only top-level
/// `defer! { … }`s, using nothing the rest of the body uses.
#[defer_on_exit]
pub fn annotated_tally(rows: &[Row], log: &mut Vec<String>) -> u32 {
    defer! { log.push(String::from("tallied")); }
    let mut total = 0;
    for row in rows.iter().filter(|row| !row.name.is_empty()) {
        total += row.count;
    }
    total
}

pub fn plain_tally(rows: &[Row], log: &mut Vec<String>) -> u32 {
    let _ = log;
    let mut total = 0;
    for row in rows.iter().filter(|row| !row.name.is_empty()) {
        total += row.count;
    }
    total
}

/// A function with an exit slot whose exits are plain, also expanded on
/// tokens: a `?`, a `return`, a closure and a final `match`.
#[defer_on_exit]
pub fn annotated_level(text: &str, log: &mut Vec<String>) -> Result<u32, std::num::ParseIntError> {
    defer_on_err! { eprintln!("not a level"); }
    defer!(|ret| if let Ok(level) = ret { *level = (*level).min(9) });
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let level: u32 = digits.parse()?;
    if level == 0 {
        return Ok(1);
    }
    log.push(format!("level {level}"));
    match level {
        1..=3 => Ok(level * 2),
        high => Ok(high),
    }
}

pub fn plain_level(text: &str, log: &mut Vec<String>) -> Result<u32, std::num::ParseIntError> {
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let level: u32 = digits.parse()?;
    if level == 0 {
        return Ok(1);
    }
    log.push(format!("level {level}"));
    match level {
        1..=3 => Ok(level * 2),
        high => Ok(high),
    }
}

#[defer_on_exit]
pub fn annotated_check(rows: &[Row], limit: u32) -> anyhow::Result<u32> {
    defer_on_err!(|err| eprintln!("{err}"));
    let total: u32 = rows.iter().map(|row| row.count).sum();
    ensure!(total <= limit, "{total} > {limit}");
    if rows.is_empty() {
        bail!("no rows");
    }
    let first = rows.first().map(|row| row.name.len());
    Ok(total + first.unwrap_or(0) as u32)
}

pub fn plain_check(rows: &[Row], limit: u32) -> anyhow::Result<u32> {
    let total: u32 = rows.iter().map(|row| row.count).sum();
    ensure!(total <= limit, "{total} > {limit}");
    if rows.is_empty() {
        bail!("no rows");
    }
    let first = rows.first().map(|row| row.name.len());
    Ok(total + first.unwrap_or(0) as u32)
}

#[defer_on_exit]
pub async fn annotated_send(out: &mut Vec<u8>, rows: &[Row]) -> Result<usize, String> {
    defer!(async { out.push(b'\n') });
    let names: Vec<&str> = rows.iter().map(|row| row.name.as_str()).collect();
    let joined = names.join(",");
    out.extend_from_slice(joined.as_bytes());
    Ok(joined.len())
}

pub async fn plain_send(out: &mut Vec<u8>, rows: &[Row]) -> Result<usize, String> {
    let names: Vec<&str> = rows.iter().map(|row| row.name.as_str()).collect();
    let joined = names.join(",");
    out.extend_from_slice(joined.as_bytes());
    Ok(joined.len())
}

#[recover(with = |panic| Err(panic.to_string()))]
pub fn annotated_parse(text: &str) -> Result<Vec<u32>, String> {
    let numbers: Vec<u32> = text.split(',').map(|part| part.trim().parse().unwrap()).collect();
    let largest = numbers.iter().max().copied();
    Ok(numbers.into_iter().chain(largest).collect())
}

pub fn plain_parse(text: &str) -> Result<Vec<u32>, String> {
    let numbers: Vec<u32> = text.split(',').map(|part| part.trim().parse().unwrap()).collect();
    let largest = numbers.iter().max().copied();
    Ok(numbers.into_iter().chain(largest).collect())
}
