//! Panic boundaries: `catch_unwind` plus the bookkeeping that turns the
//! payload into a [`Panic`].

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread;

use crate::panic::Panic;
use crate::panic_hook;
use crate::site::site_name;

/// Runs `f`, catching a panic as a [`Panic`].
///
/// The function form of `#[recover]`, for threads, callbacks and tests:
/// `function()` of the caught panic names the function that called `catch`.
///
/// Like `#[recover]`, it does not require `f` to be
/// [`UnwindSafe`](std::panic::UnwindSafe): it asserts unwind safety for you.
/// State that the caller can still see after a panic may be half-updated: a
/// `&mut` that `f` was filling, the contents of a `RefCell`, the data behind a
/// `Mutex` guard held across the panic (std poisons that mutex: its `lock()`
/// returns `Err(PoisonError)`, whose `into_inner()` still gives the data).
/// Code that goes on using such state must check or repair it.
///
/// ```
/// let ok = epilogue::catch(|| 6 * 7);
/// assert_eq!(ok.unwrap(), 42);
///
/// let worker = std::thread::Builder::new().name("worker".into()).spawn(|| {
///     epilogue::catch(|| -> () { panic!("boom") })
/// });
/// let panic = worker.unwrap().join().unwrap().unwrap_err();
/// assert_eq!(panic.message(), "boom");
/// assert_eq!(panic.thread(), Some("worker"));
/// ```
///
/// # Errors
///
/// The [`Panic`] if `f` panicked.
#[inline]
pub fn catch<T, F: FnOnce() -> T>(f: F) -> Result<T, Panic> {
    catch_in::<F, T>(f)
}

/// Runs `future`, catching a panic in any of its polls as a [`Panic`]; the
/// async counterpart of [`catch`]. `function()` of the caught panic names the
/// function that wrote the future (the `async fn`, or the function around the
/// `async` block).
///
/// ```
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v } }
/// # }
/// let caught = block_on(epilogue::catch_future(async { panic!("lost connection") }));
/// assert_eq!(caught.map(|()| ()).unwrap_err().message(), "lost connection");
/// ```
///
/// # Errors
///
/// The future resolves to the [`Panic`] if a poll panicked; it is not
/// polled again after that.
pub async fn catch_future<F: Future>(future: F) -> Result<F::Output, Panic> {
    let mut future = core::pin::pin!(future);
    core::future::poll_fn(|cx| match catch_in::<F, _>(|| future.as_mut().poll(cx)) {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
        Err(panic) => Poll::Ready(Err(panic)),
    })
    .await
}

/// The boundary of a synchronous `#[recover]` function: runs `body`, and on a
/// panic returns `handler(panic)`.
#[doc(hidden)]
#[inline]
#[cfg_attr(debug_assertions, allow(clippy::needless_pass_by_value))]
pub fn recover<S, R, B, H>(site: S, body: B, handler: H) -> R
where
    B: FnOnce() -> R,
    H: FnOnce(Panic) -> R,
{
    // A debug build inlines and merges nothing, and every move of a value
    // is a copy on the stack of the frame making it: there, neither the body
    // nor its value goes through `catch_unwind`, which would copy each
    // several times in frames that stay on the stack while the body runs.
    // The body is called through one `dyn FnMut` that takes it out of an
    // `Option` and writes its value out, and one `catch_unwind` serves the
    // whole program. (Optimised builds call `catch_unwind` on the body
    // itself, which inlines to a landing pad; a `dyn` call there costs
    // instructions.)
    #[cfg(debug_assertions)]
    {
        let _ = site;
        let mut body = Some(body);
        let mut value = None;
        let panicked = catch_once(&mut || {
            if let Some(body) = body.take() {
                // `insert`, not `= Some(…)`: no `Option` built here.
                let _ = value.insert(body());
            }
        });
        if let Some((payload, depth)) = panicked {
            return handler(caught::<S>(payload, depth));
        }
        value.expect("epilogue: a boundary's body returned")
    }
    #[cfg(not(debug_assertions))]
    match panic_hook::enter() {
        Some(outer) => recover_entered::<S, R>(outer, body, handler),
        None => recover_first::<S, R>(site, body, handler),
    }
}

/// Runs `run` once inside the boundary: the payload and the boundary's depth
/// if it panicked. Not generic, so one copy serves every boundary.
#[cfg(debug_assertions)]
#[inline(never)]
fn catch_once(run: &mut dyn FnMut()) -> Option<(Box<dyn Any + Send>, usize)> {
    let outer = panic_hook::enter().or_else(|| {
        panic_hook::first_boundary_on_thread()
            .then(panic_hook::enter)
            .flatten()
    });
    let result = catch_unwind(AssertUnwindSafe(run));
    if let Some(outer) = outer {
        panic_hook::leave(outer);
    }
    result
        .err()
        .map(|payload| (payload, outer.map_or(0, |outer| outer + 1)))
}

/// The boundary proper, once entered at depth `outer + 1`.
#[cfg(not(debug_assertions))]
#[inline]
fn recover_entered<S, R>(outer: usize, body: impl FnOnce() -> R, handler: impl FnOnce(Panic) -> R) -> R {
    let result = catch_unwind(AssertUnwindSafe(body));
    panic_hook::leave(outer);
    match result {
        Ok(value) => value,
        Err(payload) => handler(caught::<S>(payload, outer + 1)),
    }
}

/// The first boundary on a thread: installs the hook, then runs as usual.
/// Out of line, and reached by a tail call, so that the happy path of every
/// other boundary saves no registers for it.
#[cfg(not(debug_assertions))]
#[cold]
#[inline(never)]
fn recover_first<S, R>(_site: S, body: impl FnOnce() -> R, handler: impl FnOnce(Panic) -> R) -> R {
    match panic_hook::first_boundary_on_thread()
        .then(panic_hook::enter)
        .flatten()
    {
        Some(outer) => recover_entered::<S, R>(outer, body, handler),
        // The hook could not be installed (this thread is unwinding): the
        // boundary catches all the same, without a record of the panic.
        None => match catch_unwind(AssertUnwindSafe(body)) {
            Ok(value) => value,
            Err(payload) => handler(caught::<S>(payload, 0)),
        },
    }
}

/// The boundary of an `async` `#[recover]` function: every poll of `body`
/// runs inside `catch_unwind`; a panic resolves the future to
/// `handler(panic)`.
#[doc(hidden)]
#[inline]
pub fn recover_async<'a, S, F: Future + 'a>(
    _site: S,
    mut body: Pin<&'a mut F>,
    handler: impl FnOnce(Panic) -> F::Output + 'a,
) -> impl Future<Output = F::Output> + 'a {
    let mut handler = Some(handler);
    core::future::poll_fn(move |cx: &mut Context<'_>| {
        match catch_in::<S, _>(|| body.as_mut().poll(cx)) {
            Ok(poll) => poll,
            Err(panic) => match handler.take() {
                Some(handler) => Poll::Ready(handler(panic)),
                // Polled again after it resolved: a contract violation of the
                // caller's; the panic goes on rather than being swallowed.
                None => panic.resume(),
            },
        }
    })
}

/// `catch_unwind` with the depth bookkeeping the panic hook relies on. `S` is
/// the site whose type names the function (see [`site_name`]).
#[inline]
fn catch_in<S, T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    match panic_hook::enter() {
        Some(outer) => catch_entered::<S, T>(outer, f),
        None => catch_first::<S, T>(f),
    }
}

#[inline]
fn catch_entered<S, T>(outer: usize, f: impl FnOnce() -> T) -> Result<T, Panic> {
    let result = catch_unwind(AssertUnwindSafe(f));
    panic_hook::leave(outer);
    result.map_err(|payload| caught::<S>(payload, outer + 1))
}

/// The first boundary on a thread, as [`recover_first`].
#[cold]
#[inline(never)]
fn catch_first<S, T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    match panic_hook::first_boundary_on_thread()
        .then(panic_hook::enter)
        .flatten()
    {
        Some(outer) => catch_entered::<S, T>(outer, f),
        None => catch_unwind(AssertUnwindSafe(f)).map_err(|payload| caught::<S>(payload, 0)),
    }
}

#[cold]
#[inline(never)]
fn caught<S>(payload: Box<dyn Any + Send>, depth: usize) -> Panic {
    let record = panic_hook::take_record(depth, &*payload);
    let thread = thread::current().name().map(str::to_owned);
    let panic = Panic::new(payload, record, site_name::<S>(), thread);
    crate::trace::recovered(&panic);
    panic
}
