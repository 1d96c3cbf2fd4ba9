//! `?` and `return` inside other macros' arguments: `format!`,
//! `vec!`, `write!`, `assert!` and friends are re-parsed as expressions and
//! rewritten, so these exits also go through the exit slot.
// Nested and redundant `format!` calls are the point here: they hide `?`.
#![allow(clippy::useless_format, clippy::format_in_format_args)]

use common::{events, log};
use epilogue::defer_on_exit;
use epilogue_test_support as common;
use std::fmt::Write as _;

fn parse(text: &str) -> Result<i32, String> {
    text.parse().map_err(|_| format!("bad number {text:?}"))
}

#[defer_on_exit]
fn in_format(a: &str, b: &str) -> Result<String, String> {
    defer_on_err! { log("format failed") }
    Ok(format!(
        "{} + {} = {sum}",
        parse(a)?,
        parse(b)?,
        sum = parse(a)? + parse(b)?
    ))
}

#[defer_on_exit]
fn in_vec(items: &[&str]) -> Result<Vec<i32>, String> {
    defer_on_err! { log("vec failed") }
    let first = vec![parse(items[0])?, parse(items[1])?];
    let repeated = vec![parse(items[0])?; 2];
    Ok([first, repeated].concat())
}

#[defer_on_exit]
fn in_write(value: &str) -> Result<String, String> {
    defer_on_err! { log("write failed") }
    let mut out = String::new();
    write!(out, "[{}]", parse(value)?).map_err(|e| e.to_string())?;
    writeln!(out, "{:>4}", parse(value)? * 2).map_err(|e| e.to_string())?;
    Ok(out)
}

#[defer_on_exit]
fn in_assert(value: &str) -> Result<(), String> {
    defer_on_err! { log("assert failed") }
    assert!(parse(value)? > 0, "must be positive: {}", parse(value)?);
    assert_eq!(parse(value)? % 2, 0);
    Ok(())
}

#[defer_on_exit]
fn in_nested_macros(value: &str) -> Result<String, String> {
    defer_on_err! { log("nested failed") }
    Ok(format!("{}", format!("<{}>", parse(value)?)))
}

#[defer_on_exit]
fn return_in_macro_argument(value: &str) -> Result<String, String> {
    defer_on_err! { log("early return in macro") }
    let text = format!(
        "{}",
        if value.is_empty() {
            return Err("empty".into());
        } else {
            value
        }
    );
    Ok(text)
}

#[test]
fn question_mark_in_format_like_macros() {
    assert_eq!(in_format("1", "2"), Ok("1 + 2 = 3".into()));
    assert_eq!(in_format("1", "x"), Err("bad number \"x\"".into()));
    assert_eq!(in_vec(&["1", "2"]), Ok(vec![1, 2, 1, 1]));
    assert_eq!(in_vec(&["1", "y"]), Err("bad number \"y\"".into()));
    assert_eq!(in_write("3"), Ok("[3]   6\n".into()));
    assert_eq!(in_write("z"), Err("bad number \"z\"".into()));
    assert_eq!(in_assert("4"), Ok(()));
    assert_eq!(in_assert("q"), Err("bad number \"q\"".into()));
    assert_eq!(in_nested_macros("5"), Ok("<5>".into()));
    assert_eq!(in_nested_macros("w"), Err("bad number \"w\"".into()));
    assert_eq!(return_in_macro_argument(""), Err("empty".into()));
    assert_eq!(
        events(),
        [
            "format failed",
            "vec failed",
            "write failed",
            "assert failed",
            "nested failed",
            "early return in macro"
        ]
    );
}

#[defer_on_exit]
fn macro_with_non_expression_arguments(value: Option<u8>) -> Result<bool, String> {
    defer_on_err! { log("never") }
    // `matches!` takes a pattern: not rewritten, and nothing to rewrite.
    Ok(matches!(value, Some(1..=9)))
}

#[test]
fn macros_without_exits_are_left_alone() {
    assert_eq!(macro_with_non_expression_arguments(Some(3)), Ok(true));
    assert_eq!(macro_with_non_expression_arguments(None), Ok(false));
    assert_eq!(events(), Vec::<String>::new());
}
