//! Calling the three versions of a shape and comparing them.
#![allow(dead_code)] // not every test file uses every helper

use epilogue_corpus::probe::{self, Counts};
use std::any::Any;
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

/// A panic's payload, as far as it can be compared.
#[derive(Debug, PartialEq, Eq)]
pub enum Payload {
    Str(&'static str),
    String(String),
    Other,
}

impl Payload {
    fn of(payload: &(dyn Any + Send)) -> Self {
        if let Some(text) = payload.downcast_ref::<&'static str>() {
            Payload::Str(text)
        } else if let Some(text) = payload.downcast_ref::<String>() {
            Payload::String(text.clone())
        } else {
            Payload::Other
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Payload::Str(text) => text,
            Payload::String(text) => text,
            Payload::Other => "<other>",
        }
    }
}

/// The value, or the payload of the panic.
#[derive(Debug, PartialEq)]
pub enum Outcome<R> {
    Returned(R),
    Panicked(Payload),
}

thread_local! {
    static EXPECTING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Keeps the expected panics (inside [`outcome`]) quiet and reports the
/// others, the failing assertions: installed before any boundary is entered,
/// so that epilogue's hook keeps it as the previous one.
pub fn quiet() {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !EXPECTING.with(std::cell::Cell::get) {
                report(info);
            }
        }));
    });
}

pub fn outcome<R>(f: impl FnOnce() -> R) -> Outcome<R> {
    quiet();
    let before = EXPECTING.with(|expecting| expecting.replace(true));
    let caught = catch_unwind(AssertUnwindSafe(f));
    EXPECTING.with(|expecting| expecting.set(before));
    match caught {
        Ok(value) => Outcome::Returned(value),
        Err(payload) => Outcome::Panicked(Payload::of(&*payload)),
    }
}

/// What failing means for a return value: `Err`/`None`.
pub trait Failing {
    fn failing(&self) -> bool;
}

impl<T, E> Failing for Result<T, E> {
    fn failing(&self) -> bool {
        self.is_err()
    }
}

impl<T> Failing for Option<T> {
    fn failing(&self) -> bool {
        self.is_none()
    }
}

/// A shape returning `Result`/`Option`: the `_d` version has one `defer!`,
/// one `defer_on_err!` and one hook. Returns the outcome.
#[track_caller]
pub fn fallible<R: Failing + PartialEq + Debug>(
    plain: impl FnOnce() -> R,
    d: impl FnOnce() -> R,
    r: impl FnOnce() -> R,
) -> Outcome<R> {
    compare(plain, d, r, fallible_counts)
}

/// A shape returning anything else: the `_d` version has one `defer!` and
/// one hook.
#[track_caller]
pub fn infallible<R: PartialEq + Debug>(
    plain: impl FnOnce() -> R,
    d: impl FnOnce() -> R,
    r: impl FnOnce() -> R,
) -> Outcome<R> {
    compare(plain, d, r, infallible_counts)
}

/// Like [`fallible`], for a shape whose `_d` version is commented out
/// (a bug in the macro): only the plain and recover versions are compared.
#[track_caller]
pub fn recover_only<R: PartialEq + Debug>(plain: impl FnOnce() -> R, r: impl FnOnce() -> R) -> Outcome<R> {
    let _ = probe::take();
    let expected = outcome(plain);
    assert_eq!(outcome(r), expected, "the `#[recover]` version differs");
    assert_eq!(probe::take().0, Counts::default());
    expected
}

/// Calls the three versions and compares them; `counts` says what the
/// deferred actions of `_d` must have done for the plain outcome.
#[track_caller]
pub fn compare<R: PartialEq + Debug>(
    plain: impl FnOnce() -> R,
    d: impl FnOnce() -> R,
    r: impl FnOnce() -> R,
    counts: impl FnOnce(&Outcome<R>) -> Counts,
) -> Outcome<R> {
    compare_some(plain, Some(d), Some(r), counts)
}

/// Like [`compare`], without a version that is commented out (a bug).
#[track_caller]
pub fn compare_some<R: PartialEq + Debug>(
    plain: impl FnOnce() -> R,
    d: Option<impl FnOnce() -> R>,
    r: Option<impl FnOnce() -> R>,
    counts: impl FnOnce(&Outcome<R>) -> Counts,
) -> Outcome<R> {
    let _ = probe::take();
    let expected = outcome(plain);
    assert_eq!(
        probe::take().0,
        Counts::default(),
        "the plain version ran deferred actions?"
    );

    if let Some(d) = d {
        let got = outcome(d);
        let (ran, seen) = probe::take();
        assert_eq!(got, expected, "the `#[defer_on_exit]` version differs");
        assert_eq!(
            ran,
            counts(&expected),
            "deferred actions of the `#[defer_on_exit]` version, for {expected:?}"
        );
        if let (Outcome::Returned(value), false) = (&expected, seen.is_empty()) {
            // The outermost call's hook runs last.
            assert_eq!(seen.last(), Some(&format!("{value:?}")), "what the hook saw");
        }
    }

    if let Some(r) = r {
        let got = outcome(r);
        assert_eq!(got, expected, "the `#[recover]` version differs");
        assert_eq!(probe::take().0, Counts::default());
    }
    expected
}

fn fallible_counts<R: Failing>(value: &Outcome<R>) -> Counts {
    match value {
        Outcome::Returned(value) => Counts {
            hooks: 1,
            errs: u32::from(value.failing()),
            defers: 1,
        },
        Outcome::Panicked(_) => Counts {
            hooks: 0,
            errs: 1,
            defers: 1,
        },
    }
}

fn infallible_counts<R>(value: &Outcome<R>) -> Counts {
    match value {
        Outcome::Returned(_) => Counts {
            hooks: 1,
            errs: 0,
            defers: 1,
        },
        Outcome::Panicked(_) => Counts {
            hooks: 0,
            errs: 0,
            defers: 1,
        },
    }
}

/// [`fallible`] without the `#[recover]` version (commented out: a bug).
#[track_caller]
pub fn fallible_no_r<R: Failing + PartialEq + Debug>(
    plain: impl FnOnce() -> R,
    d: impl FnOnce() -> R,
) -> Outcome<R> {
    compare_some(plain, Some(d), None::<fn() -> R>, fallible_counts)
}

/// [`infallible`] without the `#[recover]` version (commented out: a bug).
#[track_caller]
pub fn infallible_no_r<R: PartialEq + Debug>(plain: impl FnOnce() -> R, d: impl FnOnce() -> R) -> Outcome<R> {
    compare_some(plain, Some(d), None::<fn() -> R>, infallible_counts)
}

/// Asserts the outcome is a panic with this message.
#[track_caller]
pub fn assert_panics<R: Debug>(outcome: &Outcome<R>, message: &str) {
    match outcome {
        Outcome::Panicked(payload) => assert_eq!(payload.text(), message),
        Outcome::Returned(value) => panic!("expected a panic {message:?}, got {value:?}"),
    }
}

pub use epilogue_test_support::{block_on, poll_once};
