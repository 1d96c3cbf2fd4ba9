//! Which deferred actions run on which exit, for `defer!`,
//! `defer_on_err!` and hooks: tail, `return`, `?`, `break`/`continue` out of
//! an inner block, panic, and a panicking cleanup while returning and while
//! unwinding. The async exits (completion, cancellation) are in `async_fn.rs`.

use common::{events, log, panic_message};
use epilogue::defer_on_exit;
use epilogue_test_support as common;

#[derive(Clone, Copy, Debug)]
enum Way {
    Tail,
    TailErr,
    Return,
    ReturnErr,
    Question,
    Panic,
}

#[defer_on_exit]
fn result_fn(way: Way) -> Result<u32, String> {
    defer! { log("defer") }
    defer_on_err! { log("defer_on_err") }
    defer!(|ret| log(format!("hook {ret:?}")));
    match way {
        Way::Return => return Ok(1),
        Way::ReturnErr => return Err("returned".into()),
        Way::Question => {
            // `?` keeps its `From` conversion: &str -> String.
            Err::<u32, &str>("question")?;
        }
        Way::Panic => panic!("boom"),
        Way::Tail | Way::TailErr => {}
    }
    if matches!(way, Way::TailErr) {
        Err("tail".into())
    } else {
        Ok(0)
    }
}

#[test]
fn successful_exits_run_defer_and_hooks() {
    assert_eq!(result_fn(Way::Tail), Ok(0));
    assert_eq!(events(), ["hook Ok(0)", "defer"]);
    assert_eq!(result_fn(Way::Return), Ok(1));
    assert_eq!(events(), ["hook Ok(1)", "defer"]);
}

#[test]
fn failing_exits_also_run_defer_on_err() {
    assert_eq!(result_fn(Way::TailErr), Err("tail".into()));
    assert_eq!(events(), ["hook Err(\"tail\")", "defer_on_err", "defer"]);
    assert_eq!(result_fn(Way::ReturnErr), Err("returned".into()));
    assert_eq!(events(), ["hook Err(\"returned\")", "defer_on_err", "defer"]);
    assert_eq!(result_fn(Way::Question), Err("question".into()));
    assert_eq!(events(), ["hook Err(\"question\")", "defer_on_err", "defer"]);
}

#[test]
fn a_panic_runs_defer_and_defer_on_err_but_no_hook() {
    assert_eq!(panic_message(|| result_fn(Way::Panic)), Err("boom".into()));
    assert_eq!(events(), ["defer_on_err", "defer"]);
}

#[defer_on_exit]
fn option_fn(value: Option<u32>, early: bool) -> Option<u32> {
    defer! { log("defer") }
    defer_on_err! { log("defer_on_err") }
    defer!(|ret| log(format!("hook {ret:?}")));
    if early {
        return None;
    }
    let v = value?;
    Some(v * 2)
}

#[test]
fn option_none_is_a_failing_exit() {
    assert_eq!(option_fn(Some(2), false), Some(4));
    assert_eq!(events(), ["hook Some(4)", "defer"]);
    assert_eq!(option_fn(None, false), None);
    assert_eq!(events(), ["hook None", "defer_on_err", "defer"]);
    assert_eq!(option_fn(Some(1), true), None);
    assert_eq!(events(), ["hook None", "defer_on_err", "defer"]);
}

#[defer_on_exit]
fn inner_block_exits() -> Result<u32, String> {
    for i in 0..3 {
        defer! { log(format!("defer {i}")) }
        defer_on_err! { log(format!("defer_on_err {i}")) }
        defer!(|ret| log(format!("hook {i} {ret:?}")));
        if i == 0 {
            continue;
        }
        if i == 1 {
            break;
        }
    }
    let found = 'search: {
        defer! { log("search block") }
        defer_on_err! { log("search block defer_on_err") }
        defer!(|_ret| log("search block hook"));
        break 'search 7;
    };
    Ok(found)
}

#[test]
fn leaving_an_inner_block_runs_only_its_defers() {
    // `continue`, `break` and `break 'label value` end the block but not the
    // function: no return value exists yet, and nothing is failing.
    assert_eq!(inner_block_exits(), Ok(7));
    assert_eq!(events(), ["defer 0", "defer 1", "search block"]);
}

#[defer_on_exit]
fn hook_in_inner_block(leave: bool) -> u32 {
    {
        defer!(|ret| {
            log(format!("inner hook sees {ret}"));
            *ret += 100;
        });
        if leave {
            return 1;
        }
    }
    2
}

#[test]
fn a_hook_in_an_inner_block_runs_only_if_the_function_returns_from_it() {
    assert_eq!(hook_in_inner_block(true), 101);
    assert_eq!(events(), ["inner hook sees 1"]);
    assert_eq!(hook_in_inner_block(false), 2);
    assert_eq!(events(), Vec::<String>::new());
}

#[defer_on_exit]
fn cleanup_panics_while_returning() -> Result<u32, String> {
    defer! { log("registered first") }
    defer_on_err! { log("defer_on_err") }
    defer!(|_ret| log("hook registered before the panicking cleanup"));
    defer! { panic!("cleanup failed") }
    defer!(|ret| log(format!("hook registered after it sees {ret:?}")));
    Ok(1)
}

#[test]
fn a_cleanup_panicking_on_the_return_path_turns_the_exit_into_a_panic() {
    // The first cleanup panic propagates after the remaining actions ran;
    // those see a panicking exit, so `defer_on_err!` runs and hooks do not.
    assert_eq!(
        panic_message(cleanup_panics_while_returning),
        Err("cleanup failed".into())
    );
    assert_eq!(
        events(),
        [
            "hook registered after it sees Ok(1)",
            "defer_on_err",
            "registered first"
        ]
    );
}

#[defer_on_exit]
fn two_cleanups_panic_while_returning() -> Result<u32, String> {
    defer! { log("last") }
    defer! { panic!("second cleanup panic") }
    defer! { log("middle") }
    defer! { panic!("first cleanup panic") }
    Ok(1)
}

#[test]
fn the_first_cleanup_panic_on_the_return_path_wins() {
    assert_eq!(
        panic_message(two_cleanups_panic_while_returning),
        Err("first cleanup panic".into())
    );
    assert_eq!(events(), ["middle", "last"]);
}

#[defer_on_exit]
fn cleanup_panics_while_unwinding() -> Result<u32, String> {
    defer! { log("registered first") }
    defer_on_err! { log("defer_on_err") }
    defer! { panic!("cleanup panic") }
    defer! { log("registered last") }
    panic!("original panic");
}

#[test]
fn a_cleanup_panicking_while_unwinding_is_contained_and_the_original_panic_goes_on() {
    // With plain Drop guards (scopeguard) this aborts the process.
    assert_eq!(
        panic_message(cleanup_panics_while_unwinding),
        Err("original panic".into())
    );
    assert_eq!(events(), ["registered last", "defer_on_err", "registered first"]);
}

#[defer_on_exit]
fn plain_only_cleanup_panics_while_unwinding() {
    defer! { log("registered first") }
    defer! { panic!("cleanup panic") }
    defer! { panic!("another cleanup panic") }
    panic!("original panic");
}

#[test]
fn without_a_slot_the_same_panic_policy_holds() {
    assert_eq!(
        panic_message(plain_only_cleanup_panics_while_unwinding),
        Err("original panic".into())
    );
    assert_eq!(events(), ["registered first"]);
}

#[defer_on_exit]
fn plain_only_cleanup_panics_while_returning() -> u32 {
    defer! { log("registered first") }
    defer! { panic!("cleanup panic") }
    5
}

#[test]
fn without_a_slot_a_cleanup_panic_on_the_return_path_propagates() {
    assert_eq!(
        panic_message(plain_only_cleanup_panics_while_returning),
        Err("cleanup panic".into())
    );
    assert_eq!(events(), ["registered first"]);
}

#[defer_on_exit]
fn hook_changes_what_defer_on_err_sees(hook_fixes: bool) -> Result<u32, String> {
    defer_on_err! { log("registered before the hook: sees the hook's value") }
    defer!(|ret| if hook_fixes {
        *ret = Ok(0);
    });
    defer_on_err! { log("registered after the hook: sees the original value") }
    Err("failed".into())
}

#[test]
fn hooks_change_the_value_that_later_actions_see() {
    assert_eq!(hook_changes_what_defer_on_err_sees(true), Ok(0));
    assert_eq!(events(), ["registered after the hook: sees the original value"]);
    assert_eq!(hook_changes_what_defer_on_err_sees(false), Err("failed".into()));
    assert_eq!(
        events(),
        [
            "registered after the hook: sees the original value",
            "registered before the hook: sees the hook's value"
        ]
    );
}

#[defer_on_exit]
fn let_else_return(input: Option<&str>) -> Result<usize, String> {
    defer_on_err! { log("defer_on_err") }
    let Some(text) = input else {
        return Err("missing".into());
    };
    Ok(text.len())
}

#[test]
fn returns_in_let_else_go_through_the_slot() {
    assert_eq!(let_else_return(None), Err("missing".into()));
    assert_eq!(let_else_return(Some("abc")), Ok(3));
    assert_eq!(events(), ["defer_on_err"]);
}

#[defer_on_exit]
fn returns_inside_closures_are_the_closures() -> Result<u32, String> {
    defer_on_err! { log("defer_on_err") }
    let parse = |s: &str| -> Result<u32, String> {
        let n: u32 = s.parse().map_err(|_| "not a number".to_string())?;
        if n == 0 {
            return Err("zero".into());
        }
        Ok(n)
    };
    let nested = {
        fn helper(x: u32) -> Option<u32> {
            if x > 10 {
                return None;
            }
            let doubled = x.checked_mul(2)?;
            Some(doubled)
        }
        helper(3)
    };
    Ok(parse("0").unwrap_or(1) + parse("x").unwrap_or(1) + nested.unwrap_or(0))
}

#[test]
fn return_and_question_mark_in_closures_and_nested_fns_are_untouched() {
    assert_eq!(returns_inside_closures_are_the_closures(), Ok(8));
    assert_eq!(events(), Vec::<String>::new());
}

#[defer_on_exit]
fn unit_with_hook(early: bool) {
    defer!(|ret| log(format!("unit hook {ret:?}")));
    if early {
        return;
    }
    log("end of body");
}

#[test]
fn hooks_on_unit_functions_see_unit() {
    unit_with_hook(true);
    unit_with_hook(false);
    assert_eq!(events(), ["unit hook ()", "end of body", "unit hook ()"]);
}

#[defer_on_exit]
fn diverging_last_statement(fail: bool) -> Result<u32, String> {
    defer_on_err! { log("defer_on_err") }
    if fail {
        return Err("failed".into());
    }
    return Ok(3);
}

#[test]
fn a_body_ending_in_a_return_statement() {
    assert_eq!(diverging_last_statement(false), Ok(3));
    assert_eq!(diverging_last_statement(true), Err("failed".into()));
    assert_eq!(events(), ["defer_on_err"]);
}

#[defer_on_exit]
fn value_from_branches(choice: u8) -> Result<u32, String> {
    defer_on_err! { log("function failed") }
    if choice == 0 {
        defer_on_err! { log("the if branch failed") }
        defer!(|ret| log(format!("if-branch hook sees {ret:?}")));
        Err("zero".into())
    } else {
        match choice {
            1 => {
                defer_on_err! { log("arm 1 failed") }
                Err("one".into())
            }
            2 => Ok(2),
            _ => {
                defer_on_err! { log("never: arm 3 succeeds") }
                defer!(|ret| log(format!("arm 3 hook sees {ret:?}")));
                Ok(3)
            }
        }
    }
}

#[test]
fn a_value_built_in_a_branch_is_stored_before_that_branch_ends() {
    // The `if` branch and the `match` arm that produce the return value are
    // left because the function returns it: their actions see it.
    assert_eq!(value_from_branches(0), Err("zero".into()));
    assert_eq!(
        events(),
        [
            "if-branch hook sees Err(\"zero\")",
            "the if branch failed",
            "function failed"
        ]
    );
    assert_eq!(value_from_branches(1), Err("one".into()));
    assert_eq!(events(), ["arm 1 failed", "function failed"]);
    assert_eq!(value_from_branches(2), Ok(2));
    assert_eq!(events(), Vec::<String>::new());
    assert_eq!(value_from_branches(3), Ok(3));
    assert_eq!(events(), ["arm 3 hook sees Ok(3)"]);
}

#[defer_on_exit]
fn value_from_nested_blocks(fail: bool) -> Result<u32, String> {
    let value = 1_u32;
    {
        defer_on_err! { log("inner block") }
        // SAFETY: reads a valid local through a pointer.
        unsafe {
            defer_on_err! { log("unsafe block") }
            let copy = std::ptr::read(&raw const value);
            if fail {
                Err("failed".into())
            } else {
                Ok(copy)
            }
        }
    }
}

#[test]
fn a_value_built_in_nested_blocks_is_stored_in_the_innermost() {
    assert_eq!(value_from_nested_blocks(true), Err("failed".into()));
    assert_eq!(events(), ["unsafe block", "inner block"]);
    assert_eq!(value_from_nested_blocks(false), Ok(1));
    assert_eq!(events(), Vec::<String>::new());
}

/// Written as error paths often are: a closure with `?`s of its own, `||`, a
/// macro in a `return`, and a final `match` whose arms leave in three ways.
/// Only the function's own exits are its exits.
#[defer_on_exit]
fn parse_tagged(items: &[&str], strict: bool) -> Result<u32, String> {
    defer_on_err! { log("defer_on_err") }
    defer!(|ret| log(format!("hook {ret:?}")));
    // The closure's `?`s leave the closure, with `None`.
    let tagged = |item: &str| -> Option<u32> { item.strip_prefix('#')?.parse().ok() };
    let values: Vec<u32> = items.iter().copied().filter_map(tagged).collect();
    if values.is_empty() || (strict && values.len() != items.len()) {
        return Err(format!("{} of {} tagged", values.len(), items.len()));
    }
    let first = values.first().copied().ok_or_else(|| "none".to_owned())?;
    match first {
        0 => return Err("zero".into()),
        n if n > 100 => Err(format!("{n} is too big")),
        _ => Ok(values.iter().sum()),
    }
}

#[test]
fn a_closures_exits_are_its_own_and_each_branch_of_the_tail_is_an_exit() {
    // Untagged items fail the closure's `?`, not the function.
    assert_eq!(parse_tagged(&["#1", "2", "#3"], false), Ok(4));
    assert_eq!(events(), ["hook Ok(4)"]);
    assert_eq!(parse_tagged(&["#1", "2"], true), Err("1 of 2 tagged".into()));
    assert_eq!(events(), ["hook Err(\"1 of 2 tagged\")", "defer_on_err"]);
    assert_eq!(parse_tagged(&["#0"], false), Err("zero".into()));
    assert_eq!(events(), ["hook Err(\"zero\")", "defer_on_err"]);
    assert_eq!(parse_tagged(&["#101"], false), Err("101 is too big".into()));
    assert_eq!(events(), ["hook Err(\"101 is too big\")", "defer_on_err"]);
}
