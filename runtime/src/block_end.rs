//! Actions that run where their block is left normally, after their frame
//! (see `frame`): async deferred actions (`defer!(async { … })`,
//! `defer_on_err!(async { … })`, `defer!(async |ret| …)`), awaited there,
//! and `#[defer_on_exit(map_err = …)]`, which replaces the error being
//! returned.
//!
//! They run after their frame (see `frame`), so only on the normal exits of
//! their block: the end, `return`, `?`, `break`, `continue`. A panic or a
//! cancellation leaves no one to await them; a [`Pending`] marker, registered
//! with the action and settled when it is about to run, reports each skipped
//! one as a `tracing` WARN event.
//!
//! Their code runs inline in the function's own future, not in a future of
//! its own that would borrow the function's locals (a borrowed `Cell` would
//! make it, and the function's future, `!Send`). A [`Running`] marker around
//! it keeps the panic policy of the return path: if the action panics, the
//! value being returned is discarded, so the actions registered before it
//! see a panicking exit.

use core::marker::PhantomData;

use crate::exit::{Exit, Kind};
use crate::frame::Flow;
use crate::outcome::{Classify, HasError, Outcome};
use crate::slot::{is_failure, AfterFrame, CarryingExit, ReturnWrittenInTheBody, Scope};
use crate::unwind;
#[cfg(feature = "tracing")]
use crate::{panic_hook, trace};

/// Marks an async action registered and not yet run.
#[must_use = "settle it where the action runs"]
pub struct Pending<X: Scope, S> {
    scope: X,
    kind: Kind,
    armed: bool,
    site: PhantomData<fn() -> S>,
}

/// Registers an async action of this kind: if its block is left without
/// running it, `tracing` hears of it.
#[inline(always)]
pub fn pending<X: Scope, S>(scope: X, _site: S, kind: Kind) -> Pending<X, S> {
    Pending {
        scope,
        kind,
        armed: true,
        site: PhantomData,
    }
}

impl<X: Scope, S> Pending<X, S> {
    /// The block was left normally: the action runs now.
    #[inline(always)]
    pub fn settle(mut self) {
        self.armed = false;
    }
}

impl<X: Scope, S> Drop for Pending<X, S> {
    #[inline(always)]
    fn drop(&mut self) {
        if self.armed {
            skipped::<X, S>(self.scope, self.kind);
        }
    }
}

/// An async action that could not run, or not to its end: the block is left
/// by a panic or a cancellation.
#[cold]
#[inline(never)]
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn skipped<X: Scope, S>(scope: X, kind: Kind) {
    #[cfg(feature = "tracing")]
    trace::skipped::<S>(kind, scope.traced_exit(crate::slot::InnerBlock::label_only()));
}

/// Marks an async action running: dropped before [`finish`](Running::finish)
/// means the action panicked (or its future was dropped meanwhile).
#[must_use = "finish it where the action ends"]
pub struct Running<X: Scope, S> {
    scope: X,
    kind: Kind,
    armed: bool,
    /// When the action started, on `tracing`'s clock, if its event is
    /// wanted; 0 if not. A number rather than an `Option<Instant>`: the
    /// marker lives across the action's `.await`s, in the future's state,
    /// and a plain integer there costs the fast path nothing, where the
    /// larger optional value cost a hook some 60 instructions a call.
    #[cfg(feature = "tracing")]
    started: u64,
    /// The exit the action runs on, when it is known at its start rather
    /// than asked of the slot (see [`running_with`]).
    #[cfg(feature = "tracing")]
    exit: Option<Exit>,
    site: PhantomData<fn() -> S>,
}

/// Starts an async action of this kind.
#[inline(always)]
pub fn running<X: Scope, S>(scope: X, _site: S, kind: Kind) -> Running<X, S> {
    Running {
        scope,
        kind,
        armed: true,
        #[cfg(feature = "tracing")]
        started: if trace::may_be_wanted() { started() } else { 0 },
        #[cfg(feature = "tracing")]
        exit: None,
        site: PhantomData,
    }
}

/// Starts an async action of this kind in an `async fn`, whose exit is
/// carried by the proof (see `CarryingExit`): `returned` is the value its
/// frame returns, if any, which labels the exit for `tracing`.
#[inline(always)]
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub fn running_with<R, C: Classify<R>, S>(
    scope: CarryingExit<R, C>,
    returned: Option<&R>,
    site: S,
    kind: Kind,
) -> Running<CarryingExit<R, C>, S> {
    #[cfg_attr(not(feature = "tracing"), allow(unused_mut))]
    let mut running = running(scope, site, kind);
    // The value is the hook's to change, or gone, by the time the action
    // ends: its label is taken now, for the event of a panic too.
    #[cfg(feature = "tracing")]
    {
        running.exit = Some(CarryingExit::<R, C>::exit_with(returned));
    }
    running
}

/// The start of an action whose event may be wanted: 0 if it is not.
#[cfg(feature = "tracing")]
#[cold]
#[inline(never)]
fn started() -> u64 {
    if !trace::wanted() {
        return 0;
    }
    panic_hook::record_panics();
    trace::clock()
}

impl<X: Scope, S> Running<X, S> {
    /// The action ended.
    #[inline(always)]
    pub fn finish(mut self) {
        self.armed = false;
        #[cfg(feature = "tracing")]
        if self.started != 0 {
            ran::<X, S>(self.scope, self.kind, self.exit, self.started);
        }
    }
}

/// The event of an action that ran, started at `started` (`trace::clock`).
#[cfg(feature = "tracing")]
#[cold]
#[inline(never)]
fn ran<X: Scope, S>(scope: X, kind: Kind, exit: Option<Exit>, started: u64) {
    let exit = exit.unwrap_or_else(|| scope.traced_exit(AfterFrame::NORMAL));
    trace::ran::<S>(kind, exit, trace::elapsed_since(started));
}

impl<X: Scope, S> Drop for Running<X, S> {
    #[inline(always)]
    fn drop(&mut self) {
        if self.armed {
            #[cfg(feature = "tracing")]
            let exit = self.exit;
            #[cfg(not(feature = "tracing"))]
            let exit = None;
            interrupted::<X, S>(self.scope, self.kind, exit);
        }
    }
}

/// An async action that did not finish: it panicked, and the function's exit
/// becomes a panic; or its future was dropped.
#[cold]
#[inline(never)]
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
fn interrupted<X: Scope, S>(scope: X, kind: Kind, exit: Option<Exit>) {
    if !unwind::panicking() {
        return skipped::<X, S>(scope, kind);
    }
    #[cfg(feature = "tracing")]
    let exit = exit.unwrap_or_else(|| scope.traced_exit(AfterFrame::NORMAL));
    scope.discard_value();
    #[cfg(feature = "tracing")]
    {
        let (message, location) = panic_hook::unwinding_panic().unwrap_or_default();
        trace::async_action_panicked::<S>(kind, exit, message.as_deref(), location.as_ref());
    }
}

/// `#[defer_on_exit(map_err = …)]`: replaces the error being returned with
/// what `map` makes of it, only when the function returns an error.
#[inline(always)]
pub fn map_err<X, S, F>(scope: X, site: S, map: F)
where
    X: Scope,
    X::Value: HasError,
    F: FnOnce(<X::Value as HasError>::Error) -> <X::Value as HasError>::Error,
{
    let returns_an_error = scope.exit(AfterFrame::NORMAL, <X::Value as HasError>::is_error);
    if returns_an_error == Exit::Failed {
        let running = running(scope, site, Kind::MapErr);
        scope.map_value(|value| value.map_error(map));
        running.finish();
    }
}

/// The function of a `map_err = move |err| …`, built at the top of the body:
/// given its type here, where its parameter's type is known.
#[inline(always)]
pub fn mapping<X, F>(_scope: X, map: F) -> F
where
    X: Scope,
    X::Value: HasError,
    F: FnOnce(<X::Value as HasError>::Error) -> <X::Value as HasError>::Error,
{
    map
}

/// Whether `defer_on_err!(async { … })` runs: its frame returns a failure.
#[inline(always)]
pub fn failing_with<V, R, J>(flow: &Flow<V, ReturnWrittenInTheBody<R>, J>) -> bool
where
    R: Outcome,
{
    flow.returned().is_some_and(is_failure::<R>)
}
