// The crate documentation is the README (a link to the workspace's), so the
// two cannot drift apart, and its examples run as doctests.
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
// Without `std`, only the deferred forms: no unwinding to catch, and no
// allocation needed by any guard, slot or frame.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
// The guards, slots and boundaries are `#[inline(always)]`: inlining them into
// the annotated function is the whole zero-cost claim, also in debug builds
// where it keeps the frames (and the copies of the return value) few. The
// benchmarks in `benches/` measure it.
#![allow(clippy::inline_always)]
#![doc(html_root_url = "https://docs.rs/epilogue/0.1.0")]

// Modules, each importing only from those listed before it:
// - `unparsed`: what a function whose body did not parse is given;
// - `site`: the annotated function's name, from the site closure's type;
// - `unwind`: catching, resuming and seeing a panic, where there is `std`;
// - `payload`: panic payloads (their message, dropping one quietly);
// - `exit`: how a block is left (`Exit`) and which form ran (`Kind`);
// - `outcome`: which return values are failures (`Err`, `None`);
// - `question`: the `?` operator of a rewritten body;
// - `location`: where a panic happened;
// - `panic_hook`: the panic hook and its per-thread records;
// - `panic`: `Panic`, a caught panic as a value, and `FromPanic`;
// - `trace`: the `tracing` events (feature `tracing`);
// - `slot`: exit slots, and what a guard asks of them;
// - `early_exit`: returns hidden in other macros, routed through the slot;
// - `guard`: the drop guard of every deferred form, and its strategies;
// - `frame`: the rest of a block after a borrow-free action;
// - `block_end`: actions run where their block ends normally, after their
//   frame: async actions, and `map_err`;
// - `boundary`: `#[recover]`'s boundaries, `catch` and `catch_future`.
//
// `payload`, `location`, `panic_hook`, `panic` and `boundary` need `std`;
// the others are `core` only.
mod block_end;
#[cfg(feature = "std")]
mod boundary;
mod early_exit;
mod exit;
mod frame;
mod guard;
#[cfg(feature = "std")]
mod location;
mod outcome;
#[cfg(feature = "std")]
mod panic;
#[cfg(feature = "std")]
mod panic_hook;
#[cfg(feature = "std")]
mod payload;
mod question;
mod site;
mod slot;
mod trace;
mod unparsed;
mod unwind;

#[cfg(feature = "std")]
pub use boundary::{catch, catch_future};
// Without `std`, `#[recover]` is an error that names the feature.
pub use epilogue_macros::{defer_on_exit, recover};
#[cfg(feature = "std")]
pub use location::Location;
#[cfg(feature = "std")]
pub use panic::{FromPanic, Panic};
#[cfg(feature = "std")]
pub use panic_hook::{install_panic_hook, report_recovered_panics};

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
    pub use crate::block_end::{
        failing_with, map_err, mapping, pending, running, running_with, Pending, Running,
    };
    #[cfg(feature = "std")]
    pub use crate::boundary::{recover, recover_async};
    pub use crate::early_exit::{
        hidden, proceed, Carried, EarlyExits, OnlyAnEarlyExitReturnsFromAMacro, OptionExits,
        OptionResultExits, PollExits, PollOptionExits, PollOptionResultExits, PollResultExits, ResultExits,
    };
    pub use crate::exit::{Exit, Kind};
    pub use crate::frame::{frame, Flow, Frame, Jump, Lent};
    pub use crate::guard::{
        defer, defer_in_place, defer_now, defer_on_err, defer_on_err_now, defer_on_err_owning, hook, on_err,
        Always, DeferInPlace, DeferOnErrInPlace, Guard, OnError, OnFailure, OnReturn, Strategy,
    };
    pub use crate::outcome::{
        ByOutcome, Classifier, Classify, HasError, Outcome, Unclassifiable, Unclassified,
    };
    pub use crate::question::{Branch, FromResidual};
    pub use crate::slot::{
        AfterFrame, CarryingExit, Depth, ExitSlot, InnerBlock, NoSlot, ReturnWrittenInTheBody, Scope,
        StoreResidual, Stores, TopBlock,
    };
    pub use crate::unparsed::unparsed_body;
    pub use crate::unwind::Action;
    #[cfg(feature = "std")]
    pub use crate::{FromPanic, Panic};
    pub use core::option::Option::Some;
    pub use core::pin::pin;

    /// `#[recover]`'s handler: what the return type makes of a panic.
    #[cfg(feature = "std")]
    #[inline(always)]
    #[must_use]
    pub fn from_panic<R: FromPanic>(panic: Panic) -> R {
        R::from_panic(panic)
    }

    /// A handler, given its type where its parameter's type is known (it is
    /// called from another closure, which cannot infer it).
    #[cfg(feature = "std")]
    #[inline(always)]
    pub fn handler<R, H: FnOnce(Panic) -> R>(handler: H) -> H {
        handler
    }

    /// `#[recover(default)]`'s handler.
    #[cfg(feature = "std")]
    #[inline(always)]
    #[must_use]
    pub fn default_value<R: Default>(_panic: Panic) -> R {
        R::default()
    }

    #[doc(hidden)]
    pub use crate::__epilogue_unparsed as unparsed;
}

#[cfg(test)]
mod tests {
    /// The modules in the order of the map at the top of this file, with
    /// their sources.
    const MODULES: [(&str, &str); 17] = [
        ("unparsed", include_str!("unparsed.rs")),
        ("site", include_str!("site.rs")),
        ("unwind", include_str!("unwind.rs")),
        ("payload", include_str!("payload.rs")),
        ("exit", include_str!("exit.rs")),
        ("outcome", include_str!("outcome.rs")),
        ("question", include_str!("question.rs")),
        ("location", include_str!("location.rs")),
        ("panic_hook", include_str!("panic_hook.rs")),
        ("panic", include_str!("panic.rs")),
        ("trace", include_str!("trace.rs")),
        ("slot", include_str!("slot.rs")),
        ("early_exit", include_str!("early_exit.rs")),
        ("guard", include_str!("guard.rs")),
        ("frame", include_str!("frame.rs")),
        ("block_end", include_str!("block_end.rs")),
        ("boundary", include_str!("boundary.rs")),
    ];

    /// Each module uses only modules listed before it: the runtime reads
    /// bottom-up, with no cycle.
    #[test]
    fn modules_import_in_one_direction() {
        let position = |name: &str| MODULES.iter().position(|(module, _)| *module == name);
        for (index, (module, source)) in MODULES.iter().enumerate() {
            for (at, _) in source.match_indices("crate::") {
                let rest = &source[at + "crate::".len()..];
                let used: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if let Some(used_index) = position(&used) {
                    assert!(
                        used_index < index,
                        "`{module}` uses `{used}`, which comes after it in the module map"
                    );
                }
            }
            // `use crate::{a, b}` lists several at once.
            for (at, _) in source.match_indices("use crate::{") {
                let list = &source[at + "use crate::{".len()..];
                let list = &list[..list.find('}').unwrap_or(0)];
                for used in list
                    .split(',')
                    .map(|item| item.trim().split("::").next().unwrap_or(""))
                {
                    if let Some(used_index) = position(used) {
                        assert!(
                            used_index < index,
                            "`{module}` uses `{used}`, which comes after it"
                        );
                    }
                }
            }
        }
    }
}
