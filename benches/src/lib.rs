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
use std::future::Future;
use std::hint::black_box;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

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

/// A hand-written `Drop` guard that, like a `defer!` with the `tracing`
/// feature, asks `tracing`'s global level before its cleanup and goes out
/// of line when TRACE may be on: the floor of what an event per action can
/// cost when nobody listens. Without the feature it is [`Guard`].
pub struct LevelCheckedGuard<'a>(&'a Cell<u64>);

impl Drop for LevelCheckedGuard<'_> {
    #[inline(always)]
    fn drop(&mut self) {
        if trace_may_be_wanted() {
            traced_cleanup(self.0);
            return;
        }
        bump(self.0);
    }
}

/// The cleanup with its event, out of line.
#[cold]
#[inline(never)]
fn traced_cleanup(counter: &Cell<u64>) {
    bump(counter);
    #[cfg(feature = "tracing")]
    tracing::trace!(target: "epilogue", "deferred action ran");
}

#[inline(never)]
pub fn level_checked_guard<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    let _guard = LevelCheckedGuard(cleanup);
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

/// [`result_by_hand`] with each action behind the level check of
/// [`LevelCheckedGuard`], the hook's value passed out of line and back: the
/// floor of an event per action for this pair when nobody listens.
#[inline(never)]
pub fn level_checked_result_by_hand<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    #[allow(clippy::redundant_closure_call)]
    let mut result = (|| fallible::<CALL>(work, x))();
    if let Ok(value) = &mut result {
        if trace_may_be_wanted() {
            *value = traced_increment(*value);
        } else {
            *value += 1;
        }
    }
    if result.is_err() {
        if trace_may_be_wanted() {
            traced_cleanup(cleanup);
        } else {
            bump(cleanup);
        }
    }
    result
}

/// `tracing`'s global level lets TRACE through (never without the feature).
#[inline(always)]
fn trace_may_be_wanted() -> bool {
    #[cfg(feature = "tracing")]
    return tracing::level_enabled!(tracing::Level::TRACE);
    #[cfg(not(feature = "tracing"))]
    false
}

/// The hook with its event, out of line.
#[cold]
#[inline(never)]
fn traced_increment(value: u64) -> u64 {
    #[cfg(feature = "tracing")]
    tracing::trace!(target: "epilogue", "deferred action ran");
    value + 1
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

// ---- 5. Borrow-free `defer!`: the action uses what the rest mutates -------

/// A `defer!` whose action reads `n`, which the rest of the block mutates:
/// `#[defer_on_exit]` runs the rest in a frame (`catch_unwind`) and the
/// action after it, instead of a drop guard. Its cleanup adds `n` (the body's
/// value) instead of 1.
#[inline(never)]
#[defer_on_exit]
pub fn epilogue_borrow_free<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    let mut n = 0;
    defer! { cleanup.set(cleanup.get() + n); }
    n += body::<CALL>(work, x);
    n
}

/// By hand: the rest of the block in `catch_unwind`, the cleanup inline
/// after it (on both paths), then the panic resumed.
#[inline(never)]
pub fn borrow_free_by_hand<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    let mut n = 0;
    let rest = catch_unwind(AssertUnwindSafe(|| {
        n += body::<CALL>(work, x);
        n
    }));
    cleanup.set(cleanup.get() + n);
    match rest {
        Ok(value) => value,
        Err(payload) => resume_unwind(payload),
    }
}

// ---- 6. Borrow-free `defer_on_err!` + hook --------------------------------

/// `defer_on_err!` and the hook both read `n`, which the rest mutates; the
/// hook's `*value = n + 1` is the usual `+= 1` (on `Ok`, `value == n`).
#[inline(never)]
#[defer_on_exit]
pub fn epilogue_borrow_free_on_err_and_hook<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    let mut n = 0;
    defer_on_err! { cleanup.set(cleanup.get() + n); }
    defer!(|ret| {
        if let Ok(value) = ret {
            *value = n + 1;
        }
    });
    n += body::<CALL>(work, x);
    if n == u64::MAX {
        return Err(Failed);
    }
    Ok(n)
}

/// By hand: the rest in `catch_unwind`, then the hook and the error cleanup
/// written out, the cleanup also on the panic path before it resumes.
#[inline(never)]
pub fn borrow_free_on_err_by_hand<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    let mut n = 0;
    let rest = catch_unwind(AssertUnwindSafe(|| {
        n += body::<CALL>(work, x);
        if n == u64::MAX {
            return Err(Failed);
        }
        Ok(n)
    }));
    match rest {
        Ok(mut result) => {
            if let Ok(value) = &mut result {
                *value = n + 1;
            }
            if result.is_err() {
                cleanup.set(cleanup.get() + n);
            }
            result
        }
        Err(payload) => {
            cleanup.set(cleanup.get() + n);
            resume_unwind(payload)
        }
    }
}

// ---- 7. Async cleanups ----------------------------------------------------

/// A future that is pending once (waking its waker), then ready: the cleanup
/// really suspends.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    #[inline(always)]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// The async cleanup: waits once, then bumps its counter.
#[inline(always)]
async fn async_bump(counter: &Cell<u64>) {
    YieldOnce(false).await;
    bump(counter);
}

/// The async flush of the hook case: waits once; fails when `fail` says so.
#[inline(always)]
async fn async_flush(counter: &Cell<u64>, fail: bool) -> Result<(), Failed> {
    YieldOnce(false).await;
    bump(counter);
    if fail {
        Err(Failed)
    } else {
        Ok(())
    }
}

/// The smallest executor: polls with a no-op waker until ready. Inlined into
/// each measured function, so the count covers creating, polling (twice: the
/// cleanup yields once) and dropping the future.
#[inline(always)]
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// The measured function of an async case: `block_on` of its `async fn`,
/// not inlined, like every case.
macro_rules! block_on_case {
    ($($name:ident => $future:ident -> $output:ty,)*) => {
        $(
            #[inline(never)]
            pub fn $name<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> $output {
                block_on($future::<CALL>(work, cleanup, x))
            }
        )*
    };
}

block_on_case! {
    epilogue_async_defer => async_defer_epilogue -> u64,
    async_defer_by_hand => async_defer_by_hand_fn -> u64,
    epilogue_async_hook => async_hook_epilogue -> Result<u64, Failed>,
    async_hook_by_hand => async_hook_by_hand_fn -> Result<u64, Failed>,
    epilogue_async_mixed => async_mixed_epilogue -> Result<u64, Failed>,
    async_mixed_by_hand => async_mixed_by_hand_fn -> Result<u64, Failed>,
}

#[defer_on_exit]
async fn async_defer_epilogue<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    defer!(async { async_bump(cleanup).await });
    let value = body::<CALL>(work, x);
    if value == u64::MAX {
        return 0;
    }
    value
}

/// By hand: the same cleanup awaited at each exit.
async fn async_defer_by_hand_fn<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, x: u64) -> u64 {
    let value = body::<CALL>(work, x);
    if value == u64::MAX {
        async_bump(cleanup).await;
        return 0;
    }
    async_bump(cleanup).await;
    value
}

/// Whether the async hook's flush fails: on every 1024th input, so both
/// branches run and the flag is not a constant.
#[inline(always)]
fn flush_fails(x: u64) -> bool {
    x % 1024 == 1023
}

/// An async hook that awaits a flush and turns `Ok` into `Err` when it fails.
#[defer_on_exit]
async fn async_hook_epilogue<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    let fail = flush_fails(x);
    defer!(async |ret| {
        if let Err(error) = async_flush(cleanup, fail).await {
            if ret.is_ok() {
                *ret = Err(error);
            }
        }
    });
    let value = body::<CALL>(work, x);
    if value == u64::MAX {
        return Err(Failed);
    }
    Ok(value)
}

/// By hand: the flush awaited at each exit, its error folded into the result.
async fn async_hook_by_hand_fn<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    let fail = flush_fails(x);
    let value = body::<CALL>(work, x);
    let mut ret = if value == u64::MAX { Err(Failed) } else { Ok(value) };
    if let Err(error) = async_flush(cleanup, fail).await {
        if ret.is_ok() {
            ret = Err(error);
        }
    }
    ret
}

/// An async cleanup with a synchronous `defer_on_err!`, which a cancellation
/// runs too: its guard lives across the `.await`, and runs after its frame
/// against the slot the flow lends it.
#[defer_on_exit]
async fn async_mixed_epilogue<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    defer_on_err! { bump(cleanup) }
    defer!(async { async_bump(cleanup).await });
    let value = body::<CALL>(work, x);
    if value == u64::MAX {
        return Err(Failed);
    }
    Ok(value)
}

/// By hand: the async cleanup awaited at each exit, and a drop guard for the
/// error cleanup, disarmed on success, so that a cancellation runs it too.
async fn async_mixed_by_hand_fn<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    struct OnError<'a> {
        counter: &'a Cell<u64>,
        armed: bool,
    }
    impl Drop for OnError<'_> {
        fn drop(&mut self) {
            if self.armed {
                bump(self.counter);
            }
        }
    }
    let mut on_error = OnError {
        counter: cleanup,
        armed: true,
    };
    let value = body::<CALL>(work, x);
    let ret = if value == u64::MAX { Err(Failed) } else { Ok(value) };
    async_bump(cleanup).await;
    on_error.armed = ret.is_err();
    drop(on_error);
    ret
}

// ---- 8. A return hidden in another macro: `anyhow::ensure!` ---------------

/// `ensure!` hides a `return`; with a hook and `defer_on_err!`, the attribute
/// wraps the invocation in a closure that routes it through the exit slot.
#[inline(never)]
#[defer_on_exit]
pub fn epilogue_ensure<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> anyhow::Result<u64> {
    defer_on_err! { bump(cleanup); }
    defer!(|ret| {
        if let Ok(value) = ret {
            *value += 1;
        }
    });
    let value = body::<CALL>(work, x);
    anyhow::ensure!(value != 0, "zero");
    Ok(value)
}

/// The same function with the `ensure!` written out.
#[inline(never)]
#[defer_on_exit]
pub fn ensure_written_out<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> anyhow::Result<u64> {
    defer_on_err! { bump(cleanup); }
    defer!(|ret| {
        if let Ok(value) = ret {
            *value += 1;
        }
    });
    let value = body::<CALL>(work, x);
    if value == 0 {
        return Err(anyhow::anyhow!("zero"));
    }
    Ok(value)
}

// ---- 9. Error context: `map_err` and `defer_on_err!(|err| …)` ----------------

/// A context message that is expensive to build: it must be built on the
/// error path only.
fn context(x: u64) -> String {
    format!("processing item {x} of the batch")
}

/// The body of the error-context twins: fails on 0, at one of two exits.
#[inline(always)]
fn fallible_body<const CALL: bool>(work: &Cell<u64>, x: u64) -> anyhow::Result<u64> {
    let value = body::<CALL>(work, x);
    if value == 0 {
        return Err(anyhow::anyhow!("zero"));
    }
    Ok(value)
}

/// `map_err` as the attribute's argument, mentioning an argument.
#[inline(never)]
#[defer_on_exit(map_err = |err| err.context(context(x)))]
pub fn epilogue_map_err<const CALL: bool>(
    work: &Cell<u64>,
    _cleanup: &Cell<u64>,
    x: u64,
) -> anyhow::Result<u64> {
    let value = fallible_body::<CALL>(work, x)?;
    Ok(value + 1)
}

/// The same by hand: `with_context` at each exit that can fail.
#[inline(never)]
pub fn map_err_by_hand<const CALL: bool>(
    work: &Cell<u64>,
    _cleanup: &Cell<u64>,
    x: u64,
) -> anyhow::Result<u64> {
    use anyhow::Context as _;
    let value = fallible_body::<CALL>(work, x).with_context(|| context(x))?;
    Ok(value + 1)
}

/// `defer_on_err!(|err| …)`, Zig's `errdefer |err|`: counts the errors.
#[inline(never)]
#[defer_on_exit]
pub fn epilogue_err_capture<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    defer_on_err!(|err| {
        let _ = &err;
        bump(cleanup);
    });
    let value = body::<CALL>(work, x);
    if value == 0 {
        return Err(Failed);
    }
    Ok(value)
}

/// The same by hand: the cleanup at the failing exit.
#[inline(never)]
pub fn err_capture_by_hand<const CALL: bool>(
    work: &Cell<u64>,
    cleanup: &Cell<u64>,
    x: u64,
) -> Result<u64, Failed> {
    let value = body::<CALL>(work, x);
    if value == 0 {
        bump(cleanup);
        return Err(Failed);
    }
    Ok(value)
}

/// The error path of a case that fails on 0: the case called with 0, so
/// that every call fails.
macro_rules! error_path {
    ($($name:ident => $case:ident),* $(,)?) => {$(
        #[doc = concat!("The error path of [`", stringify!($case), "`]: called with 0, it fails every time.")]
        #[inline(always)]
        pub fn $name<const CALL: bool>(work: &Cell<u64>, cleanup: &Cell<u64>, _x: u64) -> anyhow::Result<u64> {
            $case::<CALL>(work, cleanup, black_box(0))
        }
    )*};
}

error_path! {
    epilogue_ensure_err => epilogue_ensure,
    ensure_written_out_err => ensure_written_out,
    epilogue_map_err_err => epilogue_map_err,
    map_err_by_hand_err => map_err_by_hand,
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
    level_checked_guard => same,
    safe_guard => same,
    scopeguard_defer => same,
    epilogue_defer => same,
    result_bare => ok_or_zero,
    result_by_hand => ok_or_zero,
    level_checked_result_by_hand => ok_or_zero,
    result_same_guarantees => ok_or_zero,
    epilogue_on_err_and_hook => ok_or_zero,
    unwrapped => some_or_zero,
    catch_unwind_by_hand => some_or_zero,
    epilogue_recover => some_or_zero,
    epilogue_borrow_free => same,
    borrow_free_by_hand => same,
    epilogue_borrow_free_on_err_and_hook => ok_or_zero,
    borrow_free_on_err_by_hand => ok_or_zero,
    epilogue_async_defer => same,
    async_defer_by_hand => same,
    epilogue_async_hook => ok_or_zero,
    async_hook_by_hand => ok_or_zero,
    epilogue_async_mixed => ok_or_zero,
    async_mixed_by_hand => ok_or_zero,
    epilogue_ensure => ok_or_zero,
    ensure_written_out => ok_or_zero,
    epilogue_ensure_err => ok_or_zero,
    ensure_written_out_err => ok_or_zero,
    epilogue_map_err => ok_or_zero,
    map_err_by_hand => ok_or_zero,
    epilogue_err_capture => ok_or_zero,
    err_capture_by_hand => ok_or_zero,
    epilogue_map_err_err => ok_or_zero,
    map_err_by_hand_err => ok_or_zero,
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
