use crate::support::{assert_panics, compare, fallible, infallible};
use epilogue_corpus::control::*;
use epilogue_corpus::probe::{self, Counts};

#[test]
fn let_else() {
    for text in ["#12", "12", "#x"] {
        fallible(|| let_else_plain(text), || let_else_d(text), || let_else_r(text));
    }
}

#[test]
fn labeled_block() {
    for wanted in [3, 9] {
        let values = [1, 3, 5];
        fallible(
            || labeled_block_plain(&values, wanted),
            || labeled_block_d(&values, wanted),
            || labeled_block_r(&values, wanted),
        );
    }
}

#[test]
fn labeled_let() {
    for text in ["", "-", "4", "x"] {
        fallible(
            || labeled_let_plain(text),
            || labeled_let_d(text),
            || labeled_let_r(text),
        );
    }
}

#[test]
fn loop_break_value() {
    for items in [&["1", "2"][..], &[][..], &["1", "y"][..]] {
        fallible(
            || loop_break_value_plain(items),
            || loop_break_value_d(items),
            || loop_break_value_r(items),
        );
    }
}

#[test]
fn continue_and_return() {
    for values in [&[1, -2, 3][..], &[1, 0, 3][..]] {
        fallible(
            || continue_and_return_plain(values),
            || continue_and_return_d(values),
            || continue_and_return_r(values),
        );
    }
}

#[test]
fn nested_loops() {
    let grid = vec![vec![1, 2], vec![3, u8::MAX], vec![4]];
    for wanted in [2, 3, 4, 9] {
        fallible(
            || nested_loops_plain(&grid, wanted),
            || nested_loops_d(&grid, wanted),
            || nested_loops_r(&grid, wanted),
        );
    }
    let grid = vec![vec![1, 5]];
    fallible(
        || nested_loops_plain(&grid, 7),
        || nested_loops_d(&grid, 7),
        || nested_loops_r(&grid, 7),
    );
}

#[test]
fn while_let() {
    for values in [vec![3, 2, 1], vec![1, 3, 2]] {
        fallible(
            || while_let_plain(values.clone()),
            || while_let_d(values.clone()),
            || while_let_r(values.clone()),
        );
    }
}

#[test]
fn match_arms_return() {
    for command in ["one", "none", "!x", "abc"] {
        fallible(
            || match_arms_return_plain(command),
            || match_arms_return_d(command),
            || match_arms_return_r(command),
        );
    }
}

#[test]
fn early_return_if() {
    for n in [-1, 0, 3, 4] {
        fallible(
            || early_return_if_plain(n),
            || early_return_if_d(n),
            || early_return_if_r(n),
        );
    }
}

#[test]
fn question_from() {
    for text in ["5", "500", "five"] {
        fallible(
            || question_from_plain(text),
            || question_from_d(text),
            || question_from_r(text),
        );
    }
}

#[test]
fn question_option() {
    let values = [1, 5, 2];
    for index in [0, 1, 2] {
        fallible(
            || question_option_plain(&values, index),
            || question_option_d(&values, index),
            || question_option_r(&values, index),
        );
    }
}

#[test]
fn question_positions() {
    let table = [10, 20, 30];
    for (a, b) in [
        ("9", "x"),
        ("2", "1"),
        ("0", "0"),
        ("x", "1"),
        ("2", "y"),
        ("1", "7"),
    ] {
        fallible(
            || question_positions_plain(a, b, &table),
            || question_positions_d(a, b, &table),
            || question_positions_r(a, b, &table),
        );
    }
    let out = fallible(
        || question_positions_plain("1", "1", &[]),
        || question_positions_d("1", "1", &[]),
        || question_positions_r("1", "1", &[]),
    );
    assert_panics(&out, "attempt to calculate the remainder with a divisor of zero");
}

#[test]
fn question_in_guard() {
    for (text, limit) in [
        ("double", "11"),
        ("double", "z"),
        ("", "1"),
        ("5", "3"),
        ("2", "3"),
        ("2", "q"),
        ("w", "1"),
    ] {
        fallible(
            || question_in_guard_plain(text, limit),
            || question_in_guard_d(text, limit),
            || question_in_guard_r(text, limit),
        );
    }
}

#[test]
fn err_question() {
    for n in [0, 5] {
        fallible(
            || err_question_plain(n).map_err(|e| e.to_string()),
            || err_question_d(n).map_err(|e| e.to_string()),
            || err_question_r(n).map_err(|e| e.to_string()),
        );
    }
}

#[test]
fn tail_if_else() {
    for n in [-1, 7, 4, i64::MAX] {
        fallible(
            || tail_if_else_plain(n),
            || tail_if_else_d(n),
            || tail_if_else_r(n),
        );
    }
}

#[test]
fn tail_match() {
    for n in [0, 7, 12, 15] {
        fallible(|| tail_match_plain(n), || tail_match_d(n), || tail_match_r(n));
    }
    let out = fallible(|| tail_match_plain(13), || tail_match_d(13), || tail_match_r(13));
    assert_panics(
        &out,
        "internal error: entered unreachable code: 13 is filtered earlier",
    );
}

#[test]
fn tail_if_let() {
    for text in ["0xff", "0xzz", "12", "q"] {
        fallible(
            || tail_if_let_plain(text),
            || tail_if_let_d(text),
            || tail_if_let_r(text),
        );
    }
}

#[test]
fn return_in_block_expr() {
    for n in [5, 500] {
        fallible(
            || return_in_block_expr_plain(n),
            || return_in_block_expr_d(n),
            || return_in_block_expr_r(n),
        );
    }
}

#[test]
fn tail_loop_return() {
    for n in [6, 27] {
        fallible(
            || tail_loop_return_plain(n),
            || tail_loop_return_d(n),
            || tail_loop_return_r(n),
        );
    }
}

#[test]
fn diverging_tail() {
    infallible(
        || diverging_tail_plain(4),
        || diverging_tail_d(4),
        || diverging_tail_r(4),
    );
    let out = infallible(
        || diverging_tail_plain(0),
        || diverging_tail_d(0),
        || diverging_tail_r(0),
    );
    assert_panics(&out, "no value for 0");
}

#[test]
fn inferred() {
    for x in [1, 7, u16::MAX] {
        fallible(|| inferred_plain(x), || inferred_d(x), || inferred_r(x));
    }
}

#[test]
fn closures_own_exits() {
    for items in [&["1", "0"][..], &["x"][..], &["80"][..]] {
        fallible(
            || closures_own_exits_plain(items),
            || closures_own_exits_d(items),
            || closures_own_exits_r(items),
        );
    }
}

#[test]
fn nested_fn_exits() {
    for text in ["123", "1a3", ""] {
        fallible(
            || nested_fn_exits_plain(text),
            || nested_fn_exits_d(text),
            || nested_fn_exits_r(text),
        );
    }
}

#[test]
fn const_block() {
    for values in [&[1, 2, 3][..], &[1][..]] {
        fallible(
            || const_block_plain::<2>(values),
            || const_block_d::<2>(values),
            || const_block_r::<2>(values),
        );
    }
}

#[test]
fn recursion() {
    // Every level runs its own actions: 12! fits in a u32, 13! does not.
    for (n, errs) in [(5, 0), (20, 8)] {
        compare(
            || recursion_plain(n),
            || recursion_d(n),
            || recursion_r(n),
            |_| Counts {
                hooks: n + 1,
                errs,
                defers: n + 1,
            },
        );
        let _ = probe::take();
    }
}
