//! Return-value hooks `defer!(|ret| …)`: they see `&mut R`, the
//! value every way out stored in the exit slot, and may change or replace it;
//! the function returns what the slot holds after the last action ran.

use common::{events, log, Local};
use epilogue::defer_on_exit;
use epilogue_test_support as common;
use std::fmt;

#[defer_on_exit]
fn increments(x: i32) -> i32 {
    defer!(|ret| *ret += 1);
    x
}

#[test]
fn a_hook_changes_the_returned_value() {
    // Go: `func f() (x int) { defer func() { x++ }(); x = 5; return x }` returns 6.
    assert_eq!(increments(5), 6);
}

#[defer_on_exit]
fn replaces(fail: bool) -> Result<&'static str, String> {
    defer!(|ret| {
        if let Err(error) = ret {
            *ret = Ok(if error == "soft" { "recovered" } else { "other" });
        }
    });
    if fail {
        return Err("soft".into());
    }
    Ok("fine")
}

#[test]
fn a_hook_replaces_the_returned_value() {
    assert_eq!(replaces(false), Ok("fine"));
    assert_eq!(replaces(true), Ok("recovered"));
}

#[defer_on_exit]
fn hooks_run_lifo() -> Vec<&'static str> {
    defer!(|ret| ret.push("first registered"));
    defer!(|ret| ret.push("second registered"));
    vec!["body"]
}

#[test]
fn hooks_run_in_reverse_order_each_seeing_the_previous_change() {
    assert_eq!(
        hooks_run_lifo(),
        ["body", "second registered", "first registered"]
    );
}

#[derive(Debug, PartialEq)]
enum AppError {
    Io(String),
    Parse,
}

impl From<std::io::Error> for AppError {
    fn from(error: std::io::Error) -> Self {
        AppError::Io(error.kind().to_string())
    }
}

impl From<std::num::ParseIntError> for AppError {
    fn from(_: std::num::ParseIntError) -> Self {
        AppError::Parse
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

#[defer_on_exit]
fn question_converts(input: &str, io: bool) -> Result<i64, AppError> {
    defer!(|ret| log(format!("hook sees {ret:?}")));
    if io {
        Err(std::io::Error::from(std::io::ErrorKind::NotFound))?;
    }
    let n: i64 = input.parse()?;
    Ok(n)
}

#[test]
fn question_mark_keeps_its_from_conversion_and_the_hook_sees_the_converted_error() {
    assert_eq!(question_converts("12", false), Ok(12));
    assert_eq!(question_converts("x", false), Err(AppError::Parse));
    assert_eq!(
        question_converts("1", true),
        Err(AppError::Io("entity not found".into()))
    );
    assert_eq!(
        events(),
        [
            "hook sees Ok(12)",
            "hook sees Err(Parse)",
            "hook sees Err(Io(\"entity not found\"))"
        ]
    );
}

#[defer_on_exit]
fn boxed_error(fail: bool) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    defer!(|ret| log(format!(
        "boxed: {}",
        ret.as_ref()
            .map_err(ToString::to_string)
            .err()
            .unwrap_or_default()
    )));
    if fail {
        "x".parse::<u8>()?;
    }
    Ok(())
}

#[test]
fn question_mark_into_a_boxed_error() {
    assert!(boxed_error(true).is_err());
    assert!(boxed_error(false).is_ok());
    assert_eq!(events(), ["boxed: invalid digit found in string", "boxed: "]);
}

#[defer_on_exit]
fn value_stored_before_locals_drop() -> String {
    let _early = Local("declared before the hook");
    defer!(|ret| log(format!("hook sees {ret:?}")));
    let _late = Local("declared after the hook");
    let text = String::from("value");
    text
}

#[test]
fn the_value_is_stored_before_locals_drop_and_hooks_interleave_with_them() {
    assert_eq!(value_stored_before_locals_drop(), "value");
    assert_eq!(
        events(),
        [
            "drop declared after the hook",
            "hook sees \"value\"",
            "drop declared before the hook"
        ]
    );
}

#[defer_on_exit]
fn move_hook() -> u32 {
    let mut bonus = 1;
    defer!(move |ret| *ret += bonus);
    bonus = 100;
    let _ = bonus;
    10
}

#[test]
fn a_move_hook_captures_by_value_at_registration() {
    assert_eq!(move_hook(), 11);
}

#[defer_on_exit]
fn reads_a_local(multiplier: u32) -> u32 {
    let factor = multiplier * 2;
    defer!(|ret| *ret *= factor);
    3
}

#[test]
fn hooks_may_borrow_locals() {
    assert_eq!(reads_a_local(2), 12);
}

#[defer_on_exit]
fn hook_with_wildcard_and_annotation() -> u8 {
    defer!(|_| log("ignored the value"));
    defer!(|ret: &mut u8| *ret += 1);
    1
}

#[test]
fn hook_parameters_may_be_patterns_or_annotated() {
    assert_eq!(hook_with_wildcard_and_annotation(), 2);
    assert_eq!(events(), ["ignored the value"]);
}

#[defer_on_exit]
fn opaque(n: u32) -> Result<impl Iterator<Item = u32>, String> {
    defer!(|ret| log(format!("is_ok: {}", ret.is_ok())));
    if n == 0 {
        return Err("empty".into());
    }
    Ok(0..n)
}

#[test]
fn hooks_see_impl_trait_returns_through_inference() {
    assert_eq!(opaque(3).map(Iterator::sum::<u32>), Ok(3));
    assert!(opaque(0).is_err());
    assert_eq!(events(), ["is_ok: true", "is_ok: false"]);
}

#[defer_on_exit]
fn returns_closure(k: i32) -> impl Fn(i32) -> i32 {
    defer!(|_ret| log("closure built"));
    move |x| x * k
}

#[test]
fn a_returned_closure_still_infers_its_parameters() {
    assert_eq!(returns_closure(3)(4), 12);
    assert_eq!(events(), ["closure built"]);
}
