// The crate documentation is the README (a link to the workspace's), so the
// two cannot drift apart, and its examples run as doctests.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
// The guards, slots and boundaries are `#[inline(always)]`: inlining them into
// the annotated function is the whole zero-cost claim, also in debug builds
// where it keeps the frames (and the copies of the return value) few. The
// benchmarks in `benches/` measure it.
#![allow(clippy::inline_always)]
#![doc(html_root_url = "https://docs.rs/epilogue/0.1.0")]

mod boundary;
mod exit;
mod guard;
mod hook;
mod outcome;
mod panic;
mod question;
mod trace;

pub use boundary::{catch, catch_future};
pub use epilogue_macros::{defer_on_exit, recover};
pub use hook::report_recovered_panics;
pub use panic::{FromPanic, Location, Panic};

/// Registers a cleanup for the enclosing block. Only meaningful inside a
/// function annotated with [`#[defer_on_exit]`](macro@defer_on_exit), which
/// rewrites it; anywhere else it is a compile error that says so.
///
/// The forms, all inside `#[defer_on_exit]`:
/// - `defer! { stmts }`: run `stmts` when the block is left, however it is left;
/// - `defer!(move { stmts })`: the same, capturing by value now;
/// - `defer!(|ret| expr)`: a hook on the value being returned (`ret: &mut R`);
/// - `defer!(move |ret| expr)`: the same, capturing by value now.
#[macro_export]
macro_rules! defer {
    ($($tokens:tt)*) => {
        ::core::compile_error! {
            "`defer!` only works inside a function annotated with `#[epilogue::defer_on_exit]`, \
written in the function's own body (not in a closure, an async block or a nested function): \
add `#[defer_on_exit]` to the function whose exit should run this cleanup"
        }
    };
}

/// Registers a cleanup that runs only when the function fails: it returns
/// `Err(_)` or `None`, panics, or (an `async fn`) is cancelled. Only meaningful
/// inside a function annotated with [`#[defer_on_exit]`](macro@defer_on_exit);
/// anywhere else it is a compile error that says so.
///
/// The forms: `defer_on_err! { stmts }` and `defer_on_err!(move { stmts })`.
#[macro_export]
macro_rules! defer_on_err {
    ($($tokens:tt)*) => {
        ::core::compile_error! {
            "`defer_on_err!` only works inside a function annotated with `#[epilogue::defer_on_exit]`, \
written in the function's own body (not in a closure, an async block or a nested function): \
add `#[defer_on_exit]` to the function whose failure should run this cleanup"
        }
    };
}

/// What the attributes' expansion calls. Not public API: it changes without
/// notice.
#[doc(hidden)]
pub mod __private {
    pub use crate::boundary::{recover, recover_async};
    pub use crate::exit::{
        AsyncExitSlot, Depth, Exit, ExitSlot, Inner, NoSlot, ReturnSeenByDeferOnExit, Scope, Top,
    };
    pub use crate::guard::{defer, defer_on_err, hook, DeferGuard, ErrGuard, HookGuard};
    pub use crate::outcome::{
        ByOutcome, Classifier, Classify, Outcome, PickByOutcome, PickUnclassified, Unclassified,
    };
    pub use crate::question::{Branch, FromResidual};
    pub use crate::{FromPanic, Panic};
    pub use core::pin::pin;

    /// `#[recover]`'s handler: what the return type makes of a panic.
    #[inline(always)]
    #[must_use]
    pub fn from_panic<R: FromPanic>(panic: Panic) -> R {
        R::from_panic(panic)
    }

    /// `#[recover(default)]`'s handler.
    #[inline(always)]
    #[must_use]
    pub fn default_value<R: Default>(_panic: Panic) -> R {
        R::default()
    }

    #[doc(hidden)]
    pub use crate::__epilogue_classifier as classifier;
}
