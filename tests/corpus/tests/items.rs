use crate::support::{assert_panics, compare, fallible, Failing, Outcome};
use epilogue_corpus::items::*;
use epilogue_corpus::probe::Counts;

#[test]
fn inner_attrs() {
    for value in [7, 700] {
        fallible(
            || inner_attrs_plain(value),
            || inner_attrs_d(value),
            || inner_attrs_r(value),
        );
    }
}

#[test]
fn cfg_stmts() {
    for text in ["4!", "4", "x!"] {
        fallible(
            || cfg_stmts_plain(text),
            || cfg_stmts_d(text),
            || cfg_stmts_r(text),
        );
    }
}

#[test]
fn use_items() {
    for words in [&["a", "b", "a"][..], &[][..]] {
        fallible(
            || use_items_plain(words),
            || use_items_d(words),
            || use_items_r(words),
        );
    }
}

#[test]
fn nested_items() {
    for text in ["ab", "abcdef", "", "abcdefghij"] {
        fallible(
            || nested_items_plain(text),
            || nested_items_d(text),
            || nested_items_r(text),
        );
    }
}

#[test]
fn nested_annotated() {
    // The nested function's own `defer!` runs once per call of it.
    for (values, calls) in [(&[2, 4][..], 2), (&[2, 3, 4][..], 2)] {
        compare(
            || nested_annotated_plain(values),
            || nested_annotated_d(values),
            || nested_annotated_r(values),
            |out| match out {
                Outcome::Returned(value) => Counts {
                    hooks: 1,
                    errs: u32::from(value.failing()),
                    defers: calls,
                },
                Outcome::Panicked(_) => unreachable!(),
            },
        );
    }
}

#[test]
fn outer_attrs() {
    for values in [&[1, 2][..], &[][..]] {
        fallible(
            || outer_attrs_plain(values),
            || outer_attrs_d(values),
            || outer_attrs_r(values),
        );
    }
}

#[test]
fn track_caller() {
    for value in [Some(2), None] {
        fallible(
            || track_caller_plain(value),
            || track_caller_d(value),
            || track_caller_r(value),
        );
    }
    let out = fallible(
        || track_caller_plain(Some(0)),
        || track_caller_d(Some(0)),
        || track_caller_r(Some(0)),
    );
    assert_panics(&out, "zero");
}

#[test]
fn scoped() {
    // One `defer!` per iteration of the loop body, whether it continues,
    // returns or ends.
    for (values, iterations) in [(&[1, 0, 2][..], 3), (&[60, 50, 1][..], 2), (&[][..], 0)] {
        compare(
            || scoped_plain(values),
            || scoped_d(values),
            || scoped_r(values),
            |out| match out {
                Outcome::Returned(value) => Counts {
                    hooks: 1,
                    errs: u32::from(value.failing()),
                    defers: iterations,
                },
                Outcome::Panicked(_) => unreachable!(),
            },
        );
    }
}

#[test]
fn branch_err() {
    for missing in [true, false] {
        fallible(
            || branch_err_plain(missing),
            || branch_err_d(missing),
            || branch_err_r(missing),
        );
    }
}

#[test]
fn move_forms() {
    for attempt in [1, u32::MAX - 1] {
        fallible(
            || move_forms_plain(attempt),
            || move_forms_d(attempt),
            || move_forms_r(attempt),
        );
    }
}
