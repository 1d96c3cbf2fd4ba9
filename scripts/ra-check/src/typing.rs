//! Functions being typed: the bodies do not parse (`rows.` is unfinished).
//! Completion after `rows.`, hover on `total` and go-to-definition of `Row`
//! should work in the annotated ones as in the plain ones.

use crate::Row;
use epilogue::{defer_on_exit, recover};

#[defer_on_exit]
pub fn annotated_typing(rows: &[Row]) -> Result<u32, String> {
    defer_on_err! { eprintln!("failed") }
    let total: u32 = rows.iter().map(|row: &Row| row.count).sum();
    let next = rows.
    Ok(total)
}

pub fn plain_typing(rows: &[Row]) -> Result<u32, String> {
    let total: u32 = rows.iter().map(|row: &Row| row.count).sum();
    let next = rows.
    Ok(total)
}

#[recover(with = |panic| Err(panic.to_string()))]
pub fn annotated_typing_recover(rows: &[Row]) -> Result<u32, String> {
    let total: u32 = rows.iter().map(|row: &Row| row.count).sum();
    let next = rows.
    Ok(total)
}
