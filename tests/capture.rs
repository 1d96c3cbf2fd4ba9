//! `move` forms: the action captures by value at the point of the
//! defer, Go's rule that a deferred call's arguments are evaluated when the
//! `defer` statement runs. Without `move`, the action reads the variable when
//! it runs.

use common::{events, log};
use epilogue::defer_on_exit;
use epilogue_test_support as common;
use std::cell::Cell;

#[defer_on_exit]
fn move_copies_now() {
    let mut i = 0;
    defer!(move { log(format!("move sees {i}")) });
    i += 1;
    log(format!("body sees {i}"));
}

#[test]
fn move_captures_the_value_at_the_defer() {
    // Go: `i := 0; defer fmt.Println(i); i++` prints 0.
    move_copies_now();
    assert_eq!(events(), ["body sees 1", "move sees 0"]);
}

#[defer_on_exit]
fn borrow_reads_at_exit() {
    let i = Cell::new(0);
    defer! { log(format!("borrow sees {}", i.get())) }
    i.set(i.get() + 1);
}

#[test]
fn without_move_the_action_reads_the_variable_when_it_runs() {
    borrow_reads_at_exit();
    assert_eq!(events(), ["borrow sees 1"]);
}

#[defer_on_exit]
fn move_on_err(fail: bool) -> Result<(), String> {
    let mut attempt = 1;
    defer_on_err!(move { log(format!("failed at attempt {attempt}")) });
    attempt += 1;
    let _ = attempt;
    if fail {
        return Err("no".into());
    }
    Ok(())
}

#[test]
fn defer_on_err_has_a_move_form() {
    move_on_err(false).unwrap();
    move_on_err(true).unwrap_err();
    assert_eq!(events(), ["failed at attempt 1"]);
}

#[defer_on_exit]
fn move_in_loop() {
    for i in 0..3 {
        defer!(move { log(format!("cleanup {i}")) });
    }
}

#[test]
fn move_in_a_loop_captures_each_iteration() {
    move_in_loop();
    assert_eq!(events(), ["cleanup 0", "cleanup 1", "cleanup 2"]);
}

#[defer_on_exit]
fn move_brace_delimiters() {
    let name = String::from("owned");
    defer! { move { log(format!("braces {name}")) } }
}

#[test]
fn move_form_works_with_any_delimiter() {
    move_brace_delimiters();
    assert_eq!(events(), ["braces owned"]);
}
