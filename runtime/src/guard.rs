//! The drop guard that every deferred form expands to, and the strategies
//! that say what it does when its block is left.
//!
//! A guard is a local of the block the macro was written in, so it runs when
//! that block is left, after the locals declared after it and before those
//! declared before it (LIFO, interleaved with ordinary drops). One guard type,
//! [`Guard`], holds the scope it consults and a strategy that carries the
//! user's action: [`Always`] (`defer!`), [`OnFailure`] (`defer_on_err!`) and
//! [`OnReturn`] (`defer!(|ret| …)`). A new form is a new strategy. In a
//! synchronous function, `defer!` and (in a debug build) `defer_on_err!`
//! have guards that hold their action through a pointer instead,
//! [`DeferInPlace`] and [`DeferOnErrInPlace`], one type for every action of
//! a crate, which is what a debug build compiles per type; in a debug
//! build, their borrow-free forms run through them too ([`defer_now`],
//! [`defer_on_err_now`]).
//!
//! The panic policy, shared by all of them: an action always runs inside
//! `catch_unwind`, which costs nothing until the action panics (it is a
//! landing pad, not a check), and what happens to a caught panic is decided
//! there, off the happy path:
//! - if the thread was already unwinding, the panic is contained: it was
//!   reported by the panic hook, it is reported again as a `tracing` ERROR
//!   event, and the original panic goes on, where a plain `Drop` would have
//!   aborted the process;
//! - if the function was returning, the panic propagates (`resume_unwind`,
//!   the same payload) after the value being returned is dropped: the guards
//!   that drop after this one then see the function panicking, so
//!   `defer_on_err!` runs and hooks do not, and their own panics are
//!   contained.

use core::marker::PhantomData;

use crate::exit::{Exit, Kind};
#[cfg(feature = "tracing")]
use crate::outcome::Unclassified;
use crate::outcome::{HasError, Outcome};
#[cfg(feature = "std")]
use crate::panic_hook;
#[cfg(feature = "tracing")]
use crate::slot::ExitSlot;
use crate::slot::{is_failure, AfterFrame, Depth, Scope};
use crate::trace;
use crate::unwind::{self, Action, Payload};

/// A deferred action, waiting for its block to be left.
///
/// `X` is the scope it asks how the block is left (the exit slot, or
/// [`NoSlot`](crate::slot::NoSlot)), `D` where it was registered, `S` the site
/// that names the function, and `A` the strategy holding the action.
#[must_use = "a guard runs its action when it is dropped; bind it to a local"]
pub struct Guard<X: Scope, D: Depth, S, A: Strategy<X>> {
    scope: X,
    depth: D,
    action: Option<A>,
    site: PhantomData<fn() -> S>,
}

/// What a guard does with its action when its block is left.
pub trait Strategy<X: Scope> {
    /// Decides whether the action runs on this exit, and runs it under the
    /// panic policy.
    fn on_exit<S, D: Depth>(self, scope: X, depth: D);
}

/// `defer! { … }`: runs on every exit.
pub struct Always<F>(F);

/// `defer_on_err! { … }`: runs only when the function is failing: returning
/// `Err`/`None`, unwinding from its own panic, or cancelled.
///
/// `P` is `Outcome::is_failure` of the return type, taken where the
/// constructor checks `Outcome`: the struct and its strategy do not name that
/// bound, so a return type without a failure case is one error at the
/// `defer_on_err!`, not two. A function item, not a pointer: zero-sized,
/// nothing to store in the guard.
pub struct OnFailure<F, P>(F, P);

/// `defer!(|ret| …)`: runs on the value being returned, only when the
/// function returns.
pub struct OnReturn<F>(F);

/// `defer_on_err!(|err| …)`: runs on the error being returned, only when
/// the function returns one (not on a panic or a cancellation, where there is
/// no error value).
pub struct OnError<F>(F);

impl<X: Scope, D: Depth, S, A: Strategy<X>> Guard<X, D, S, A> {
    #[inline(always)]
    fn new(scope: X, depth: D, action: A) -> Self {
        Guard {
            scope,
            depth,
            action: Some(action),
            site: PhantomData,
        }
    }
}

impl<X: Scope, D: Depth, S, A: Strategy<X>> Guard<X, D, S, A> {
    /// Runs the action now, as if its block were being left: the expansion
    /// of a borrow-free action, built where its block ends.
    #[inline(always)]
    pub fn run_now(self) {
        drop(self);
    }

    /// Runs the action now that its frame returned, asking `scope` how the
    /// block is left: in an `async fn`, the guard answers only a panic or a
    /// cancellation when it is dropped unrun, and on every normal exit it is
    /// run here, with the value the frame lent (see `frame::Lent`).
    #[inline(always)]
    pub fn run_in<Y>(mut self, scope: Y)
    where
        Y: Scope<Value = X::Value>,
        A: Strategy<Y>,
    {
        if let Some(action) = self.action.take() {
            action.on_exit::<S, AfterFrame>(scope, AfterFrame::NORMAL);
        }
    }
}

impl<X: Scope, D: Depth, S, A: Strategy<X>> Drop for Guard<X, D, S, A> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(action) = self.action.take() {
            action.on_exit::<S, D>(self.scope, self.depth);
        }
    }
}

/// `defer! { … }` in a synchronous function: the action is an `Option` local
/// of its own, written just before the guard, and the guard holds it
/// through a pointer.
///
/// So the guard's type does not depend on the action's: one type, and one
/// compiled `Drop`, for every such action of the crate (per scope type and
/// depth), where a [`Guard`] holding the action is compiled again for every
/// closure. That was most of what a debug build of a `defer!` cost.
/// Optimised, the call through the pointer is seen through: the same code as
/// a [`Guard`].
///
/// Only without the `tracing` feature: with it, the action's pointer would
/// escape into the out-of-line traced run, which keeps the action in memory
/// (+30 instructions a call), so [`defer_in_place`] moves the action into a
/// [`Guard`] instead. Without the feature, `S`, the site, is `()`: one type
/// for every function.
#[must_use = "a guard runs its action when it is dropped; bind it to a local"]
pub struct DeferInPlace<'a, X: Scope, D: Depth, S> {
    scope: X,
    action: &'a mut dyn Action,
    depth: D,
    site: PhantomData<fn() -> S>,
}

/// `defer_on_err! { … }` in a synchronous function, as [`DeferInPlace`] is
/// for `defer!`.
///
/// `failed` is `Outcome::is_failure` of the return type, taken where the
/// constructor checks `Outcome`, as in [`OnFailure`]. A pointer rather than
/// a type parameter, which the struct would have to bound by `Fn`: a return
/// type without a failure case would then be a second error at the
/// `defer_on_err!`. Optimised, it is a constant, called directly.
#[must_use = "a guard runs its action when it is dropped; bind it to a local"]
pub struct DeferOnErrInPlace<'a, X: Scope, D: Depth, S> {
    scope: X,
    action: &'a mut dyn Action,
    depth: D,
    failed: fn(&X::Value) -> bool,
    site: PhantomData<fn() -> S>,
}

/// `defer! { … }` in a synchronous function: its action is the `Option`
/// local `action`, written just before the guard (see [`DeferInPlace`]).
#[cfg(not(feature = "tracing"))]
#[inline(always)]
pub fn defer_in_place<X: Scope, D: Depth, S, F: FnOnce()>(
    scope: X,
    action: &mut Option<F>,
    depth: D,
    _site: S,
) -> DeferInPlace<'_, X, D, S> {
    DeferInPlace {
        scope,
        action,
        depth,
        site: PhantomData,
    }
}

/// `defer! { … }` in a synchronous function, with the `tracing` feature:
/// the guard takes the action out of its local and owns it (see
/// [`DeferInPlace`]).
#[cfg(feature = "tracing")]
#[inline(always)]
pub fn defer_in_place<X: Scope, D: Depth, S, F: FnOnce()>(
    scope: X,
    action: &mut Option<F>,
    depth: D,
    _site: S,
) -> Guard<X, D, S, Always<F>> {
    Guard {
        scope,
        depth,
        action: action.take().map(Always),
        site: PhantomData,
    }
}

// Both run their action through the owning guard's strategy, on a closure
// that calls it through the pointer: one closure type per guard type, not
// per action.
impl<X: Scope, D: Depth, S> Drop for DeferInPlace<'_, X, D, S> {
    #[inline(always)]
    fn drop(&mut self) {
        let action = &mut *self.action;
        Always(|| action.run_once()).on_exit::<S, D>(self.scope, self.depth);
    }
}

impl<X: Scope, D: Depth, S> Drop for DeferOnErrInPlace<'_, X, D, S> {
    #[inline(always)]
    fn drop(&mut self) {
        let action = &mut *self.action;
        OnFailure(|| action.run_once(), self.failed).on_exit::<S, D>(self.scope, self.depth);
    }
}

/// A borrow-free `defer! { … }` in a synchronous function, run where its
/// frame ended: its action is the `Option` local `action`, written just
/// before.
///
/// In a debug build without the `tracing` feature it runs through a
/// [`DeferInPlace`], the one compiled `Drop` for every such action of the
/// crate. Otherwise the action is moved into a [`Guard`] that owns it:
/// optimised, the frame's panic path keeps the pointer from being seen
/// through (+48 instructions a call).
#[inline(always)]
pub fn defer_now<X: Scope, D: Depth, S, F: FnOnce()>(scope: X, action: &mut Option<F>, depth: D, site: S) {
    #[cfg(all(not(feature = "tracing"), debug_assertions))]
    drop(defer_in_place(scope, action, depth, site));
    #[cfg(any(feature = "tracing", not(debug_assertions)))]
    if let Some(action) = action.take() {
        defer(scope, depth, site, action).run_now();
    }
}

/// A borrow-free `defer_on_err! { … }` in a synchronous function, run where
/// its frame ended, as [`defer_now`] runs a `defer!`.
#[inline(always)]
pub fn defer_on_err_now<X, D, S, F>(scope: X, action: &mut Option<F>, depth: D, site: S)
where
    X: Scope,
    X::Value: Outcome,
    D: Depth,
    F: FnOnce(),
{
    #[cfg(all(not(feature = "tracing"), debug_assertions))]
    drop(defer_on_err(scope, action, depth, site));
    #[cfg(any(feature = "tracing", not(debug_assertions)))]
    if let Some(action) = action.take() {
        defer_on_err_owning(scope, depth, site, action).run_now();
    }
}

/// `defer! { … }`
#[inline(always)]
pub fn defer<X: Scope, D: Depth, S, F: FnOnce()>(
    scope: X,
    depth: D,
    _site: S,
    action: F,
) -> Guard<X, D, S, Always<F>> {
    Guard::new(scope, depth, Always(action))
}

/// `defer_on_err! { … }` where its guard owns the action: in an `async fn`
/// (a future keeps its guards, and must stay `Send`), and built after its
/// frame (borrow-free).
#[inline(always)]
#[allow(clippy::type_complexity)] // the failure test is a function item, which has no name
pub fn defer_on_err_owning<X, D, S, F>(
    scope: X,
    depth: D,
    _site: S,
    action: F,
) -> Guard<X, D, S, OnFailure<F, impl Fn(&X::Value) -> bool>>
where
    X: Scope,
    X::Value: Outcome,
    D: Depth,
    F: FnOnce(),
{
    Guard::new(scope, depth, OnFailure(action, is_failure::<X::Value>))
}

/// `defer_on_err! { … }` in a synchronous function: its action is the
/// `Option` local `action`, written just before the guard, which holds it
/// through a pointer (see [`DeferInPlace`]).
///
/// Only in a debug build without the `tracing` feature. Optimised, the one
/// `Drop` that serves every such guard of a crate is too large to inline
/// where many functions call it, and called out of line it keeps the exit
/// slot in memory (+50 instructions a call): there the guard owns the
/// action, as with the `tracing` feature.
#[cfg(all(not(feature = "tracing"), debug_assertions))]
#[inline(always)]
pub fn defer_on_err<X, D, S, F>(
    scope: X,
    action: &mut Option<F>,
    depth: D,
    _site: S,
) -> DeferOnErrInPlace<'_, X, D, S>
where
    X: Scope,
    X::Value: Outcome,
    D: Depth,
    F: FnOnce(),
{
    DeferOnErrInPlace {
        scope,
        action,
        depth,
        failed: is_failure::<X::Value>,
        site: PhantomData,
    }
}

/// `defer_on_err! { … }` in a synchronous function, with the `tracing`
/// feature or in an optimised build: the guard takes the action out of its
/// local and owns it (see the other `defer_on_err`).
#[cfg(any(feature = "tracing", not(debug_assertions)))]
#[inline(always)]
#[allow(clippy::type_complexity)] // the failure test is a function item, which has no name
pub fn defer_on_err<X, D, S, F>(
    scope: X,
    action: &mut Option<F>,
    depth: D,
    _site: S,
) -> Guard<X, D, S, OnFailure<F, impl Fn(&X::Value) -> bool>>
where
    X: Scope,
    X::Value: Outcome,
    D: Depth,
    F: FnOnce(),
{
    Guard {
        scope,
        depth,
        action: action
            .take()
            .map(|action| OnFailure(action, is_failure::<X::Value>)),
        site: PhantomData,
    }
}

/// `defer!(|ret| …)`
#[inline(always)]
pub fn hook<X: Scope, D: Depth, S, F: FnOnce(&mut X::Value)>(
    scope: X,
    depth: D,
    _site: S,
    hook: F,
) -> Guard<X, D, S, OnReturn<F>> {
    Guard::new(scope, depth, OnReturn(hook))
}

/// `defer_on_err!(|err| …)`
#[inline(always)]
pub fn on_err<X, D, S, F>(scope: X, depth: D, _site: S, hook: F) -> Guard<X, D, S, OnError<F>>
where
    X: Scope,
    X::Value: HasError,
    D: Depth,
    F: FnOnce(&mut <X::Value as HasError>::Error),
{
    Guard::new(scope, depth, OnError(hook))
}

impl<X: Scope, F: FnOnce()> Strategy<X> for Always<F> {
    #[inline(always)]
    fn on_exit<S, D: Depth>(self, scope: X, depth: D) {
        run::<S, X, D, _>(scope, depth, Traced(scope, depth), Plain::<_, false>(self.0));
    }
}

impl<X: Scope, F: FnOnce(), P: Fn(&X::Value) -> bool> Strategy<X> for OnFailure<F, P> {
    #[inline(always)]
    fn on_exit<S, D: Depth>(self, scope: X, depth: D) {
        let OnFailure(action, failed) = self;
        let exit = scope.exit(depth, &failed);
        if exit.is_failing() {
            run::<S, X, D, _>(scope, depth, exit, Plain::<_, true>(action));
        }
    }
}

impl<X: Scope, F: FnOnce(&mut X::Value)> Strategy<X> for OnReturn<F> {
    #[inline(always)]
    fn on_exit<S, D: Depth>(self, scope: X, depth: D) {
        let hook = self.0;
        if !depth.panicked() && scope.has_value() {
            run::<S, X, D, _>(scope, depth, Traced(scope, depth), OnValue(hook));
        }
    }
}

impl<X, F> Strategy<X> for OnError<F>
where
    X: Scope,
    X::Value: HasError,
    F: FnOnce(&mut <X::Value as HasError>::Error),
{
    #[inline(always)]
    fn on_exit<S, D: Depth>(self, scope: X, depth: D) {
        let hook = self.0;
        let exit = scope.exit(depth, <X::Value as HasError>::is_error);
        if exit == Exit::Failed {
            run::<S, X, D, _>(scope, depth, exit, OnErrorValue(hook));
        }
    }
}

/// The exit a guard ran on, for `tracing` and after a panic: asked only
/// then, because asking can cost a `thread::panicking()` call.
trait ExitLabel: Copy {
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    fn get(self) -> Exit;

    /// The label if it is known without asking the scope.
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    fn known(self) -> Option<Exit>;
}

/// Already known: `defer_on_err!` decides on it before it runs.
impl ExitLabel for Exit {
    #[inline(always)]
    fn get(self) -> Exit {
        self
    }

    #[inline(always)]
    fn known(self) -> Option<Exit> {
        Some(self)
    }
}

/// What the scope reports. A type of its own (not a closure in the
/// strategy, whose type would depend on the action's), so that one copy
/// serves every guard with this scope and depth.
#[derive(Clone, Copy)]
struct Traced<X, D>(X, D);

impl<X: Scope, D: Depth> ExitLabel for Traced<X, D> {
    #[inline(always)]
    fn get(self) -> Exit {
        self.0.traced_exit(self.1)
    }

    #[inline(always)]
    fn known(self) -> Option<Exit> {
        None
    }
}

/// The label in [`run_traced_lent`]: known, or asked of the slot the value
/// is lent to, with the function's classifier.
#[cfg(feature = "tracing")]
struct Lent<'a, X: Scope, D>(&'a ExitSlot<X::Value, Unclassified>, D, Option<Exit>);

// By hand: a derive would ask for `X::Value: Copy`.
#[cfg(feature = "tracing")]
#[allow(clippy::expl_impl_clone_on_copy)]
impl<X: Scope, D: Copy> Clone for Lent<'_, X, D> {
    fn clone(&self) -> Self {
        *self
    }
}

#[cfg(feature = "tracing")]
impl<X: Scope, D: Copy> Copy for Lent<'_, X, D> {}

#[cfg(feature = "tracing")]
impl<X: Scope, D: Depth> ExitLabel for Lent<'_, X, D> {
    #[inline(always)]
    fn get(self) -> Exit {
        self.2.unwrap_or_else(|| X::traced_exit_of_lent(self.0, self.1))
    }

    #[inline(always)]
    fn known(self) -> Option<Exit> {
        self.2
    }
}

/// What a strategy runs, given the scope to run it against: the function's
/// own, or after a frame in a traced run, a slot the value being returned is
/// lent to (see [`run`]).
trait Act<V> {
    /// The kind of action, for its events.
    const KIND: Kind;

    /// The action, to run against `scope`. A plain action is the user's
    /// closure itself, so that a debug build compiles no wrapper around it.
    fn in_scope<Y: Scope<Value = V>>(self, scope: Y) -> impl FnOnce();
}

/// An action that does not touch the value being returned: a `defer!`,
/// or with `ON_ERR` a `defer_on_err!`.
struct Plain<F, const ON_ERR: bool>(F);

impl<V, F: FnOnce(), const ON_ERR: bool> Act<V> for Plain<F, ON_ERR> {
    const KIND: Kind = if ON_ERR { Kind::DeferOnErr } else { Kind::Defer };

    #[inline(always)]
    fn in_scope<Y: Scope<Value = V>>(self, _scope: Y) -> impl FnOnce() {
        self.0
    }
}

/// A hook on the value being returned.
struct OnValue<F>(F);

impl<V, F: FnOnce(&mut V)> Act<V> for OnValue<F> {
    const KIND: Kind = Kind::Hook;

    #[inline(always)]
    fn in_scope<Y: Scope<Value = V>>(self, scope: Y) -> impl FnOnce() {
        let hook = self.0;
        move || scope.with_value(hook)
    }
}

/// A hook on the error being returned.
struct OnErrorValue<F>(F);

impl<V: HasError, F: FnOnce(&mut V::Error)> Act<V> for OnErrorValue<F> {
    const KIND: Kind = Kind::DeferOnErr;

    #[inline(always)]
    fn in_scope<Y: Scope<Value = V>>(self, scope: Y) -> impl FnOnce() {
        let hook = self.0;
        move || {
            scope.with_value(|value| {
                if let Some(error) = value.error_mut() {
                    hook(error);
                }
            });
        }
    }
}

/// Runs an action under the panic policy.
///
/// With the `tracing` feature, one load of the global level and a branch
/// decide between running the action here and a traced run, out of line,
/// which asks the rest (the callsite's interest), times the action and
/// handles its panic. After a frame, that run gets the value being returned,
/// moved out of the slot and back ([`run_traced_lent`]), not the slot's
/// address: an address that reaches a function that is not inlined keeps
/// what it points to in memory on the fast path too, which cost the
/// borrow-free forms up to 28 instructions a call. A guard's drop passes its
/// scope as it is ([`run_traced`]): there the function's other guards, which
/// hold the slot's address, are dropped at the landing pad of that call, a
/// call the optimiser does not inline, so the slot stays in memory either
/// way and lending would only add code.
#[inline(always)]
fn run<S, X: Scope, D: Depth, A: Act<X::Value>>(scope: X, depth: D, exit: impl ExitLabel, action: A) {
    let kind = A::KIND;
    #[cfg(feature = "tracing")]
    if trace::may_be_wanted() {
        if D::AFTER_FRAME {
            let value = run_traced_lent::<S, X, D, A>(scope.lend(), depth, exit.known(), action);
            scope.give_back(value);
        } else {
            run_traced::<S, X, D, A>(scope, depth, exit, action);
        }
        return;
    }
    let action = action.in_scope(scope);
    #[cfg(all(feature = "std", debug_assertions))]
    run_debug(&mut Some(action), &Handling::new::<S>(scope, depth, kind, exit));
    #[cfg(not(all(feature = "std", debug_assertions)))]
    if let Some(payload) = unwind::catch_action(action) {
        panicked::<S, X, D>(scope, depth, kind, exit, payload);
    }
}

/// [`run`] in a debug build: the action and what its panic needs behind
/// pointers, so that this, the `catch_unwind` and the panic's handling are
/// compiled once, not into every guard.
#[cfg(all(feature = "std", debug_assertions))]
#[inline(never)]
fn run_debug(action: &mut dyn Action, guard: &dyn AfterPanic) {
    if let Some(payload) = unwind::catch_dyn(action) {
        panicked_debug(guard, payload);
    }
}

/// What handling an action's panic needs from its guard, behind a pointer
/// in debug builds: there, the handling is compiled once ([`panicked_debug`])
/// instead of into every guard of every function, which made it most of the
/// code a debug build generates for a `defer!`. Its implementations are per
/// scope, depth and label types, which many functions share.
#[cfg(all(feature = "std", debug_assertions))]
trait AfterPanic {
    fn unwinding(&self) -> bool;
    fn discard_value(&self);
    fn report(&self) -> trace::Report;
}

/// The guard's side of [`AfterPanic`].
#[cfg(all(feature = "std", debug_assertions))]
struct Handling<X, D, E> {
    scope: X,
    depth: D,
    kind: Kind,
    exit: E,
    /// The function's name, for the event.
    #[cfg(feature = "tracing")]
    function: fn() -> &'static str,
}

#[cfg(all(feature = "std", debug_assertions))]
impl<X, D, E> Handling<X, D, E> {
    #[inline(always)]
    #[allow(clippy::extra_unused_type_parameters)] // `S` names the function for `tracing`
    fn new<S>(scope: X, depth: D, kind: Kind, exit: E) -> Self {
        Handling {
            scope,
            depth,
            kind,
            exit,
            #[cfg(feature = "tracing")]
            function: crate::site::site_name::<S>,
        }
    }
}

#[cfg(all(feature = "std", debug_assertions))]
impl<X: Scope, D: Depth, E: ExitLabel> AfterPanic for Handling<X, D, E> {
    fn unwinding(&self) -> bool {
        self.depth.unwinding()
    }

    fn discard_value(&self) {
        self.scope.discard_value();
    }

    fn report(&self) -> trace::Report {
        #[cfg(feature = "tracing")]
        return trace::Report::with_function(self.function, self.kind, self.exit.get());
        #[cfg(not(feature = "tracing"))]
        {
            let _ = (self.kind, &self.exit);
            trace::Report
        }
    }
}

/// [`panicked`] behind a pointer, for debug builds.
#[cfg(all(feature = "std", debug_assertions))]
#[cold]
#[inline(never)]
fn panicked_debug(guard: &dyn AfterPanic, payload: Payload) {
    // The report first: the exit the action ran on, before this panic
    // changes it.
    let report = guard.report();
    let unwinding = guard.unwinding();
    if !unwinding {
        guard.discard_value();
    }
    action_panicked(report, unwinding, payload);
}

/// [`run_traced`] after a frame: the action runs against a slot of its own
/// that holds the value being returned, which it then gives back.
#[cfg(feature = "tracing")]
#[cold]
#[inline(never)]
fn run_traced_lent<S, X: Scope, D: Depth, A: Act<X::Value>>(
    value: Option<X::Value>,
    depth: D,
    known: Option<Exit>,
    action: A,
) -> Option<X::Value> {
    let lent = ExitSlot::<X::Value, Unclassified>::holding(value);
    traced::<S, _, D, A>(&lent, depth, Lent::<X, D>(&lent, depth, known), action);
    lent.take_value()
}

/// [`run`] when the level lets TRACE events through, in a guard's drop.
#[cfg(feature = "tracing")]
#[cold]
#[inline(never)]
fn run_traced<S, X: Scope, D: Depth, A: Act<X::Value>>(scope: X, depth: D, exit: impl ExitLabel, action: A) {
    traced::<S, X, D, A>(scope, depth, exit, action);
}

/// The traced run: the action, timed for its event when a subscriber wants
/// it, under the panic policy.
#[cfg(feature = "tracing")]
#[inline(always)]
fn traced<S, X: Scope, D: Depth, A: Act<X::Value>>(scope: X, depth: D, exit: impl ExitLabel, action: A) {
    let kind = A::KIND;
    let started = trace::wanted().then(std::time::Instant::now);
    match (unwind::catch_action(action.in_scope(scope)), started) {
        (None, Some(started)) => trace::ran::<S>(kind, exit.get(), started.elapsed()),
        (None, None) => {}
        (Some(payload), _) => panicked::<S, X, D>(scope, depth, kind, exit, payload),
    }
}

#[inline(always)]
#[cfg_attr(
    not(feature = "tracing"),
    allow(clippy::needless_pass_by_value, clippy::extra_unused_type_parameters)
)]
#[cfg_attr(
    all(feature = "std", debug_assertions, not(feature = "tracing")),
    allow(dead_code)
)]
fn panicked<S, X: Scope, D: Depth>(scope: X, depth: D, kind: Kind, exit: impl ExitLabel, payload: Payload) {
    // What the event reports: the exit the action ran on, before this panic
    // changes it. Asked only when there are events: the guard's code is
    // compiled for every function.
    #[cfg(feature = "tracing")]
    let report = trace::Report::new::<S>(kind, exit.get());
    #[cfg(not(feature = "tracing"))]
    let report = {
        let _ = (kind, exit);
        trace::Report
    };
    let unwinding = depth.unwinding();
    if !unwinding {
        scope.discard_value();
    }
    action_panicked(report, unwinding, payload);
}

/// What follows a deferred action's panic: contained while the thread was
/// already unwinding, propagated when the function was returning. Not
/// generic: one copy serves every guard of every function.
#[cold]
#[inline(never)]
fn action_panicked(report: trace::Report, unwinding: bool, payload: Payload) {
    #[cfg(feature = "std")]
    {
        let location = panic_hook::location_of(&*payload);
        report.action_panicked(&*payload, location.as_ref());
    }
    #[cfg(not(feature = "std"))]
    let _ = report;
    if unwinding {
        unwind::drop_quietly(payload);
    } else {
        unwind::resume(payload);
    }
}
