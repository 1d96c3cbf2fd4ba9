use crate::support::{assert_panics, fallible, infallible};
use epilogue_corpus::macro_args::*;

#[test]
fn in_format() {
    for (a, b) in [("1", "2"), ("x", "2"), ("1", "y")] {
        fallible(
            || in_format_plain(a, b),
            || in_format_d(a, b),
            || in_format_r(a, b),
        );
    }
}

#[test]
fn in_format_tail() {
    for values in [&[1, 2, 3][..], &[][..]] {
        fallible(
            || in_format_tail_plain(values),
            || in_format_tail_d(values),
            || in_format_tail_r(values),
        );
    }
}

#[test]
fn in_vec() {
    for (a, b) in [("1", "2"), ("x", "2"), ("1", "y"), ("7", "9")] {
        fallible(|| in_vec_plain(a, b), || in_vec_d(a, b), || in_vec_r(a, b));
    }
}

#[test]
fn in_write() {
    for items in [&["1", "2"][..], &["1", "x"][..], &[][..]] {
        fallible(
            || in_write_plain(items),
            || in_write_d(items),
            || in_write_r(items),
        );
    }
}

#[test]
fn in_assert() {
    for (a, b) in [("4", "2"), ("x", "2"), ("4", "y")] {
        fallible(
            || in_assert_plain(a, b),
            || in_assert_d(a, b),
            || in_assert_r(a, b),
        );
    }
    let out = fallible(
        || in_assert_plain("400", "1"),
        || in_assert_d("400", "1"),
        || in_assert_r("400", "1"),
    );
    assert_panics(&out, "400 is too big");
    let out = fallible(
        || in_assert_plain("3", "1"),
        || in_assert_d("3", "1"),
        || in_assert_r("3", "1"),
    );
    assert_panics(
        &out,
        "assertion `left == right` failed: 3 is odd\n  left: 1\n right: 0",
    );
    let out = fallible(
        || in_assert_plain("2", "0"),
        || in_assert_d("2", "0"),
        || in_assert_r("2", "0"),
    );
    assert_panics(&out, "assertion `left != right` failed\n  left: 0\n right: 0");
}

#[test]
fn in_println() {
    for a in ["3", "x"] {
        fallible(|| in_println_plain(a), || in_println_d(a), || in_println_r(a));
    }
}

#[test]
fn in_matches() {
    for (a, words) in [
        ("2", &["ab"][..]),
        ("9", &["ab"][..]),
        ("x", &["ab"][..]),
        ("2", &[][..]),
    ] {
        fallible(
            || in_matches_plain(a, words),
            || in_matches_d(a, words),
            || in_matches_r(a, words),
        );
    }
}

#[test]
fn return_in_macro() {
    for a in ["3", "x"] {
        fallible(
            || return_in_macro_plain(a),
            || return_in_macro_d(a),
            || return_in_macro_r(a),
        );
    }
}

#[test]
fn local_macro() {
    for (a, b) in [("3", "9"), ("9", "3"), ("x", "1"), ("1", "y")] {
        fallible(
            || local_macro_plain(a, b),
            || local_macro_d(a, b),
            || local_macro_r(a, b),
        );
    }
}

#[test]
fn macro_tail() {
    infallible(
        || macro_tail_plain(1, 2),
        || macro_tail_d(1, 2),
        || macro_tail_r(1, 2),
    );
    let out = infallible(
        || macro_tail_plain(3, 2),
        || macro_tail_d(3, 2),
        || macro_tail_r(3, 2),
    );
    assert_panics(&out, "3 > 2");
    infallible(
        || format_tail_plain("x"),
        || format_tail_d("x"),
        || format_tail_r("x"),
    );
}
