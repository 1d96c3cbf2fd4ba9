//! Each epilogue function next to its hand-written twin, for the
//! benchmarks: `benches/overhead.rs` (criterion, nanoseconds) and
//! `src/bin/icount.rs` (instructions, under callgrind). See
//! `scripts/bench.sh`.
//!
//! Every function is `#[inline(never)]` and comes in the shape of the
//! reference measurements of a hand-written guard, a `scopeguard::defer!` and
//! a bare `catch_unwind`: the body adds 1 to a work counter; a cleanup adds 1
//! to a second counter; a hook adds 1 to the returned value. The counters are
//! `Cell`s passed by reference, so nothing is optimised away.
// `inline(always)` on the shared body and the twins' guards makes every variant
// inline the same code; the measured functions themselves are `inline(never)`.
#![allow(
    missing_docs,
    clippy::missing_panics_doc,
    clippy::must_use_candidate,
    clippy::inline_always,
    clippy::missing_errors_doc
)]

use epilogue::{defer_on_exit, recover};
use std::cell::Cell;
use std::hint::black_box;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The failure of the `Result` variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;

#[inline(always)]
fn bump(counter: &Cell<u64>) {
    counter.set(counter.get() + 1);
}

/// An opaque function the "call" bodies call: it could panic, so a body that
/// calls it needs a landing pad for its guards and its `catch_unwind`.
#[inline(never)]
pub fn opaque(x: u64) -> u64 {
    black_box(x)
}

/// The body: `bump`, and in the call flavour a call through a `black_box`ed
/// function pointer (the reference measurements' "call" body).
#[inline(always)]
fn body<const CALL: bool>(work: &Cell<u64>, x: u64) -> u64 {
    bump(work);
    if CALL {
        black_box(opaque as fn(u64) -> u64)(x)
    } else {
        x
    }
}

// ---- 1. An action on every exit: `defer!` ---------------------------------

#[inline(never)]
pub fn bare<const CALL: bool>(work: &Cell<u64>, _cleanup: &Cell<u64>, x: u64) -> u64 {
    body::<CALL>(work, x)
}

/// The cleanup written inline at the end (not run on panic).
#[inline(never)]
pub fn inline_cleanup<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    let value = body::<CALL>(work, x);
    bump(cleanup);
    value
}

/// A hand-written `Drop` guard.
pub struct Guard<'a>(&'a Cell<u64>);

impl Drop for Guard<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        bump(self.0);
    }
}

#[inline(never)]
pub fn drop_guard<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    let _guard = Guard(cleanup);
    body::<CALL>(work, x)
}

/// A hand-written guard with the same guarantees as `defer!`: a cleanup that
/// panics while the thread unwinds is caught instead of aborting.
pub struct SafeGuard<'a>(&'a Cell<u64>);

impl Drop for SafeGuard<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        if std::thread::panicking() {
            contained(self.0);
        } else {
            bump(self.0);
        }
    }
}

#[cold]
#[inline(never)]
fn contained(counter: &Cell<u64>) {
    let _ = catch_unwind(AssertUnwindSafe(|| bump(counter)));
}

#[inline(never)]
pub fn safe_guard<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    let _guard = SafeGuard(cleanup);
    body::<CALL>(work, x)
}

#[inline(never)]
pub fn scopeguard_defer<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    scopeguard::defer! { bump(cleanup); }
    body::<CALL>(work, x)
}

#[inline(never)]
#[defer_on_exit]
pub fn epilogue_defer<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    defer! { bump(cleanup); }
    body::<CALL>(work, x)
}

// ---- 2. `defer_on_err!` and a hook ----------------------------------------

/// The body both `Result` variants share.
#[inline(always)]
fn fallible<const CALL: bool>(work: &Cell<u64>, x: u64) -> Result<u64, Failed> {
    let value = body::<CALL>(work, x);
    if value == u64::MAX {
        return Err(Failed);
    }
    Ok(value)
}

#[inline(never)]
pub fn result_bare<const CALL: bool>(work: &Cell<u64>, _cleanup: &Cell<u64>, x: u64) -> Result<u64, Failed> {
    fallible::<CALL>(work, x)
}

/// By hand: the body in a closure, the result in a local, a match for the
/// error cleanup, the hook written out.
#[inline(never)]
pub fn result_by_hand<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    #[allow(clippy::redundant_closure_call)]
    let mut result = (|| fallible::<CALL>(work, x))();
    if let Ok(value) = &mut result {
        *value += 1;
    }
    if result.is_err() {
        bump(cleanup);
    }
    result
}

/// By hand with the same guarantees as `defer_on_err!`: the cleanup also
/// runs when the body panics, through a guard that reads the result from a
/// slot (and asks `thread::panicking()` when the slot is empty).
struct OnErr<'a> {
    slot: &'a Cell<Option<Result<u64, Failed>>>,
    cleanup: &'a Cell<u64>,
}

impl Drop for OnErr<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        let failing = match self.slot.get() {
            Some(result) => result.is_err(),
            None => std::thread::panicking(),
        };
        if failing {
            bump(self.cleanup);
        }
    }
}

#[inline(never)]
pub fn result_same_guarantees<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    let slot = Cell::new(None);
    {
        let _guard = OnErr { slot: &slot, cleanup };
        let mut result = fallible::<CALL>(work, x);
        if let Ok(value) = &mut result {
            *value += 1;
        }
        slot.set(Some(result));
    }
    slot.get().unwrap_or(Err(Failed))
}

#[inline(never)]
#[defer_on_exit]
pub fn epilogue_on_err_and_hook<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    defer_on_err! { bump(cleanup); }
    defer!(|ret| {
        if let Ok(value) = ret {
            *value += 1;
        }
    });
    let value = body::<CALL>(work, x);
    if value == u64::MAX {
        return Err(Failed);
    }
    Ok(value)
}

// ---- 3. `#[recover]`, happy path ------------------------------------------

#[inline(never)]
pub fn unwrapped<const CALL: bool>(work: &Cell<u64>, _cleanup: &Cell<u64>, x: u64) -> Option<u64> {
    Some(body::<CALL>(work, x))
}

#[inline(never)]
pub fn catch_unwind_by_hand<const CALL: bool>(work: &Cell<u64>, _cleanup: &Cell<u64>, x: u64) -> Option<u64> {
    catch_unwind(AssertUnwindSafe(|| Some(body::<CALL>(work, x)))).unwrap_or(None)
}

#[inline(never)]
#[recover]
pub fn epilogue_recover<const CALL: bool>(work: &Cell<u64>, _cleanup: &Cell<u64>, x: u64) -> Option<u64> {
    Some(body::<CALL>(work, x))
}

// ---- 4. The panic path ----------------------------------------------------

#[inline(never)]
pub fn panic_by_hand(work: &Cell<u64>, _cleanup: &Cell<u64>, x: u64) -> Option<u64> {
    catch_unwind(AssertUnwindSafe(|| {
        bump(work);
        panic!("boom {x}");
    }))
    .unwrap_or(None)
}

#[inline(never)]
#[recover]
pub fn epilogue_panic(work: &Cell<u64>, _cleanup: &Cell<u64>, x: u64) -> Option<u64> {
    bump(work);
    panic!("boom {x}");
}

/// A benchmarked function: counters and input in, anything out.
pub type Case = fn(&Cell<u64>, &Cell<u64>, u64) -> u64;

macro_rules! cases {
    ($($name:ident => $adapt:expr),* $(,)?) => {
        /// Every case by name, in both body flavours (`NAME/leaf`,
        /// `NAME/call`). Each runs in a loop of its own (see [`run`]), which
        /// calls the `#[inline(never)]` function directly.
        pub const CASES: &[(&str, &str, Runner)] = &[
            $(
                (stringify!($name), "leaf", |n| run(n, |w, c, x| { let adapt = $adapt; adapt($name::<false>(w, c, x)) })),
                (stringify!($name), "call", |n| run(n, |w, c, x| { let adapt = $adapt; adapt($name::<true>(w, c, x)) })),
            )*
        ];
    };
}

fn same(value: u64) -> u64 {
    value
}

fn ok_or_zero<E>(value: Result<u64, E>) -> u64 {
    value.unwrap_or(0)
}

fn some_or_zero(value: Option<u64>) -> u64 {
    value.unwrap_or(0)
}

cases! {
    bare => same,
    inline_cleanup => same,
    drop_guard => same,
    safe_guard => same,
    scopeguard_defer => same,
    epilogue_defer => same,
    result_bare => ok_or_zero,
    result_by_hand => ok_or_zero,
    result_same_guarantees => ok_or_zero,
    epilogue_on_err_and_hook => ok_or_zero,
    unwrapped => some_or_zero,
    catch_unwind_by_hand => some_or_zero,
    epilogue_recover => some_or_zero,
}

/// Runs a case n times.
pub type Runner = fn(u64) -> u64;

/// The panic path, which has one flavour (the body panics).
pub const PANIC_CASES: &[(&str, Runner)] = &[
    ("panic_by_hand", |n| {
        run(n, |w, c, x| some_or_zero(panic_by_hand(w, c, x)))
    }),
    ("epilogue_panic", |n| {
        run(n, |w, c, x| some_or_zero(epilogue_panic(w, c, x)))
    }),
];

/// An empty loop, subtracted from every case.
pub fn empty(n: u64) -> u64 {
    run(n, |_, _, x| x)
}

/// Calls `case` `n` times with fresh inputs; inlined into each case's own
/// loop, so the loop calls the measured function directly.
#[inline(always)]
pub fn run(n: u64, case: impl Fn(&Cell<u64>, &Cell<u64>, u64) -> u64) -> u64 {
    let work = Cell::new(0);
    let cleanup = Cell::new(0);
    let mut sum = 0_u64;
    for i in 0..n {
        sum = sum.wrapping_add(case(black_box(&work), black_box(&cleanup), black_box(i)));
    }
    sum.wrapping_add(work.get()).wrapping_add(cleanup.get())
}
