//! Block scope and LIFO order: deferred actions belong to the block
//! they are written in, run in reverse order of registration, interleaved
//! with the drops of ordinary locals.

use common::{events, log, Local};
use epilogue::defer_on_exit;
use epilogue_test_support as common;

#[defer_on_exit]
fn lifo_with_locals() {
    let _a = Local("a");
    defer! { log("defer 1") }
    let _b = Local("b");
    defer! { log("defer 2") }
    log("body");
}

#[test]
fn actions_run_in_reverse_order_interleaved_with_locals() {
    lifo_with_locals();
    assert_eq!(events(), ["body", "defer 2", "drop b", "defer 1", "drop a"]);
}

#[defer_on_exit]
fn in_loop(n: u32) {
    for i in 0..n {
        defer! { log(format!("end of iteration {i}")) }
        log(format!("iteration {i}"));
    }
    log("after loop");
}

#[test]
fn a_defer_in_a_loop_runs_at_the_end_of_each_iteration() {
    // Unlike Go, where the defers pile up until the function returns.
    in_loop(3);
    assert_eq!(
        events(),
        [
            "iteration 0",
            "end of iteration 0",
            "iteration 1",
            "end of iteration 1",
            "iteration 2",
            "end of iteration 2",
            "after loop"
        ]
    );
}

#[defer_on_exit]
fn nested_blocks() {
    defer! { log("outer") }
    {
        defer! { log("inner") }
        log("in block");
    }
    log("after block");
}

#[test]
fn an_inner_block_runs_its_actions_when_it_ends() {
    nested_blocks();
    assert_eq!(events(), ["in block", "inner", "after block", "outer"]);
}

#[defer_on_exit]
fn branches(take: bool) {
    if take {
        defer! { log("taken branch") }
        log("in branch");
    } else {
        defer! { log("other branch") }
    }
    log("after if");
}

#[test]
fn an_action_in_a_branch_not_taken_never_runs() {
    branches(true);
    assert_eq!(events(), ["in branch", "taken branch", "after if"]);
}

#[defer_on_exit]
fn labeled_block(leave_early: bool) {
    'block: {
        defer! { log("labeled block cleanup") }
        if leave_early {
            break 'block;
        }
        log("rest of the block");
    }
    log("after the block");
}

#[test]
fn breaking_out_of_a_labeled_block_runs_its_actions() {
    labeled_block(true);
    assert_eq!(events(), ["labeled block cleanup", "after the block"]);
    labeled_block(false);
    assert_eq!(
        events(),
        ["rest of the block", "labeled block cleanup", "after the block"]
    );
}

#[defer_on_exit]
fn loop_exits() -> Vec<String> {
    for i in 0..4 {
        defer! { log(format!("iteration {i} cleanup")) }
        if i == 1 {
            continue;
        }
        if i == 2 {
            break;
        }
        log(format!("iteration {i} body"));
    }
    events()
}

#[test]
fn continue_and_break_in_a_loop() {
    assert_eq!(
        loop_exits(),
        [
            "iteration 0 body",
            "iteration 0 cleanup",
            "iteration 1 cleanup",
            "iteration 2 cleanup"
        ]
    );
}

#[defer_on_exit]
fn match_arms(value: Option<u8>) -> u8 {
    match value {
        Some(v) => {
            defer! { log("some arm") }
            v
        }
        None => {
            defer! { log("none arm") }
            0
        }
    }
}

#[test]
fn match_arm_blocks_are_blocks() {
    assert_eq!(match_arms(Some(4)), 4);
    assert_eq!(match_arms(None), 0);
    assert_eq!(events(), ["some arm", "none arm"]);
}

#[defer_on_exit]
fn delimiters() {
    defer!(log("parens"));
    defer![log("brackets")];
    defer! { log("braces") }
    defer! {
        log("several");
        log("statements");
    }
}

#[test]
fn any_delimiter_works() {
    delimiters();
    assert_eq!(
        events(),
        ["several", "statements", "braces", "brackets", "parens"]
    );
}

#[defer_on_exit]
fn borrows_locals_declared_before() -> usize {
    let names = vec!["a", "b"];
    let mut total = 0;
    defer! { log(format!("{} names", names.len())) }
    for name in &names {
        total += name.len();
    }
    total
}

#[test]
fn deferred_blocks_borrow_earlier_locals() {
    assert_eq!(borrows_locals_declared_before(), 2);
    assert_eq!(events(), ["2 names"]);
}

#[defer_on_exit]
fn takes_ownership(file: Local) {
    defer! { drop(file) }
    log("using the file");
}

#[test]
fn a_deferred_block_may_take_ownership() {
    takes_ownership(Local("file"));
    assert_eq!(events(), ["using the file", "drop file"]);
}

#[defer_on_exit]
fn with_cfg_attributes() {
    #[cfg(target_os = "none")]
    defer! { log("compiled out") }
    #[cfg(not(target_os = "none"))]
    defer! { log("compiled in") }
}

#[test]
fn attributes_on_a_defer_statement_apply_to_it() {
    with_cfg_attributes();
    assert_eq!(events(), ["compiled in"]);
}

#[defer_on_exit]
fn no_deferred_actions(x: u32) -> u32 {
    x + 1
}

#[test]
fn a_function_without_actions_is_unchanged() {
    assert_eq!(no_deferred_actions(1), 2);
}

#[defer_on_exit]
fn tail_position_defer() {
    log("body");
    defer! { log("registered last, runs at once") }
}

#[test]
fn a_defer_at_the_end_of_a_block_runs_when_the_block_ends() {
    tail_position_defer();
    assert_eq!(events(), ["body", "registered last, runs at once"]);
}
