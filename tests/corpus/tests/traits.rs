use crate::support::{assert_panics, block_on, compare, fallible, infallible, Outcome};
use epilogue_corpus::probe::Counts;
use epilogue_corpus::traits::*;
use std::cell::Cell;
use std::error::Error as _;
use std::fmt::Write as _;

/// `calls` calls of a method with one `defer!`, one hook and (`errs` of
/// them failing) `defer_on_err!`.
fn calls<R>(calls: u32, errs: u32) -> impl FnOnce(&Outcome<R>) -> Counts {
    move |_| Counts {
        hooks: calls,
        errs,
        defers: calls,
    }
}

#[test]
fn iterator_next() {
    compare(
        || Plain(3_u32).collect::<Vec<_>>(),
        || D(3_u32).collect::<Vec<_>>(),
        || R(3_u32).collect::<Vec<_>>(),
        calls(4, 1),
    );
}

#[test]
fn iter_mut_items() {
    for data in [vec![1, 2], vec![]] {
        let (mut a, mut b, mut c) = (data.clone(), data.clone(), data);
        fallible(
            || iter_mut_next_plain(&mut IterMut { rest: &mut a }).map(|x| std::mem::replace(x, 9)),
            || iter_mut_next_d(&mut IterMut { rest: &mut b }).map(|x| std::mem::replace(x, 9)),
            || iter_mut_next_r(&mut IterMut { rest: &mut c }).map(|x| std::mem::replace(x, 9)),
        );
        assert_eq!((&a, &b), (&c, &c));
    }
}

#[test]
fn display_fmt() {
    fn show(value: &dyn std::fmt::Display) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        write!(out, "{value}").map(|()| out)
    }
    for values in [vec![1, 2], vec![]] {
        compare(
            || show(&Plain(values.clone())),
            || show(&D(values.clone())),
            || show(&R(values.clone())),
            calls(1, u32::from(values.is_empty())),
        );
    }
}

#[test]
fn from_str() {
    for text in ["1, 2", "1", "1,x"] {
        fallible(
            || text.parse::<Plain<(u8, u8)>>().map(|p| p.0),
            || text.parse::<D<(u8, u8)>>().map(|p| p.0),
            || text.parse::<R<(u8, u8)>>().map(|p| p.0),
        );
    }
}

#[test]
fn try_from() {
    for value in [5, -5, 70_000] {
        fallible(
            || Plain::<u16>::try_from(value).map(|p| p.0),
            || D::<u16>::try_from(value).map(|p| p.0),
            || R::<u16>::try_from(value).map(|p| p.0),
        );
    }
}

#[test]
fn future_poll() {
    // Polled three times: `Pending`, `Pending`, `Ready(42)`; the hook sees each.
    compare(
        || block_on(Plain(2_u8)),
        || block_on(D(2_u8)),
        || block_on(R(2_u8)),
        |_| Counts {
            hooks: 3,
            errs: 0,
            defers: 3,
        },
    );
}

#[test]
fn index() {
    let words = || vec![String::from("a"), String::from("b")];
    infallible(
        || Plain(words())[1].to_owned(),
        || D(words())[1].to_owned(),
        || R(words())[1].to_owned(),
    );
    let out = infallible(
        || Plain(words())[5].to_owned(),
        || D(words())[5].to_owned(),
        || R(words())[5].to_owned(),
    );
    assert_panics(&out, "no item 5");
}

#[test]
fn index_mut() {
    let words = || vec![String::from("a"), String::from("b")];
    infallible(
        || {
            let mut all = Plain(words());
            all[0].make_ascii_uppercase();
            all.0
        },
        || {
            let mut all = D(words());
            all[0].make_ascii_uppercase();
            all.0
        },
        || {
            let mut all = R(words());
            all[0].make_ascii_uppercase();
            all.0
        },
    );
}

#[test]
fn error_source() {
    let error = || "x".parse::<u8>().err();
    for inner in [error(), None] {
        let inner = || inner.clone();
        fallible(
            || Plain(inner()).source().map(ToString::to_string),
            || D(inner()).source().map(ToString::to_string),
            || R(inner()).source().map(ToString::to_string),
        );
    }
}

#[test]
fn drop_impl() {
    let count = |f: &dyn Fn(&Cell<u32>)| {
        let cell = Cell::new(0);
        f(&cell);
        cell.get()
    };
    infallible(
        || count(&|cell| drop(DropPlain(cell))),
        || count(&|cell| drop(DropD(cell))),
        || count(&|cell| drop(DropR(cell))),
    );
    // Dropped while unwinding from a panic that is not the drop's own: the
    // drop returns normally, so its hook runs.
    let unwind = |f: &dyn Fn(&Cell<u32>)| {
        let cell = Cell::new(0);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&cell)));
        (caught.is_err(), cell.get())
    };
    compare(
        || {
            unwind(&|cell| {
                let _guard = DropPlain(cell);
                panic!("boom");
            })
        },
        || {
            unwind(&|cell| {
                let _guard = DropD(cell);
                panic!("boom");
            })
        },
        || {
            unwind(&|cell| {
                let _guard = DropR(cell);
                panic!("boom");
            })
        },
        |_| Counts {
            hooks: 1,
            errs: 0,
            defers: 1,
        },
    );
}

#[test]
fn clone_and_partial_cmp() {
    infallible(
        || Versioned::<0>(3).clone().0,
        || Versioned::<1>(3).clone().0,
        || Versioned::<2>(3).clone().0,
    );
    for (a, b) in [(1, 2), (2, 2), (0, 1)] {
        fallible(
            || Versioned::<0>(a).partial_cmp(&Versioned(b)),
            || Versioned::<1>(a).partial_cmp(&Versioned(b)),
            || Versioned::<2>(a).partial_cmp(&Versioned(b)),
        );
    }
}

#[test]
fn generic_associated_type() {
    for index in [2, 10] {
        let text = || String::from("hello");
        fallible(
            || Plain(text()).lend(index).map(str::to_owned),
            || D(text()).lend(index).map(str::to_owned),
            || R(text()).lend(index).map(str::to_owned),
        );
    }
}

#[test]
fn impl_trait_in_trait() {
    for limit in [5, 1] {
        fallible(
            || Plain(3_u32).numbers(limit).map(Iterator::collect::<Vec<_>>),
            || D(3_u32).numbers(limit).map(Iterator::collect::<Vec<_>>),
            || R(3_u32).numbers(limit).map(Iterator::collect::<Vec<_>>),
        );
    }
}

#[test]
fn builder_returning_mut_self() {
    compare(
        || {
            let mut all = Plain(Vec::new());
            all.push(1).push(2);
            all.0
        },
        || {
            let mut all = D(Vec::new());
            all.push(1).push(2);
            all.0
        },
        || {
            let mut all = R(Vec::new());
            all.push(1).push(2);
            all.0
        },
        |_| Counts {
            hooks: 2,
            errs: 0,
            defers: 2,
        },
    );
    let out = infallible(
        || Plain(Vec::new()).push(0).0.len(),
        || D(Vec::new()).push(0).0.len(),
        || R(Vec::new()).push(0).0.len(),
    );
    assert_panics(&out, "zero pushed");
}

#[test]
fn elided_lifetime_struct() {
    for skip in [2, 10] {
        fallible(
            || cursor_plain("hello", skip),
            || cursor_d("hello", skip),
            || cursor_r("hello", skip),
        );
    }
}
