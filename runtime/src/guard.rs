//! The drop guards that `defer!`, `defer_on_err!` and `defer!(|ret| …)` expand to.
//!
//! A guard is a local of the block the macro was written in, so it runs when
//! that block is left, after the locals declared after it and before those
//! declared before it (LIFO, interleaved with ordinary drops).
//!
//! The panic policy, shared by all three: an action runs directly unless the
//! thread is already unwinding, when it runs inside `catch_unwind` so that a
//! second panic cannot abort the process. A panic contained that way is
//! reported (panic hook, and a `tracing` ERROR event) and the original panic
//! goes on. On the return path an action's panic simply propagates; the
//! guards that drop after it then see an unwinding exit, so they still run
//! (`defer_on_err!` included) and their own panics are contained.

use core::marker::PhantomData;
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread;

use crate::exit::{is_failure, Exit, Scope};
use crate::outcome::Outcome;
use crate::{hook, trace};

/// Which macro made a guard (the `kind` field of `tracing` events).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Defer,
    DeferOnErr,
    Hook,
}

impl Kind {
    #[cfg_attr(not(feature = "tracing"), allow(dead_code))]
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Kind::Defer => "defer",
            Kind::DeferOnErr => "defer_on_err",
            Kind::Hook => "hook",
        }
    }
}

/// Runs its action when its block is left, however it is left (`defer!`).
#[must_use = "a guard runs its action when it is dropped; bind it to a local"]
pub struct DeferGuard<X: Scope, S, F: FnOnce()> {
    scope: X,
    action: Option<F>,
    site: PhantomData<fn() -> S>,
}

/// Runs its action only when the function is failing (`defer_on_err!`):
/// returning `Err`/`None`, unwinding from its own panic, or cancelled.
#[must_use = "a guard runs its action when it is dropped; bind it to a local"]
pub struct ErrGuard<X: Scope, S, F: FnOnce()> {
    scope: X,
    action: Option<F>,
    /// `Outcome::is_failure` of the return type, taken where the constructor
    /// checks the bound: the struct and its `Drop` carry no bound of their
    /// own, so a return type without a failure case is one error at the
    /// `defer_on_err!`, not two. (A constant, so inlining removes the call.)
    failed: fn(&X::Value) -> bool,
    site: PhantomData<fn() -> S>,
}

/// Runs its hook on the value being returned, only when the function returns
/// (`defer!(|ret| …)`).
#[must_use = "a guard runs its action when it is dropped; bind it to a local"]
pub struct HookGuard<X: Scope, S, F: FnOnce(&mut X::Value)> {
    scope: X,
    hook: Option<F>,
    site: PhantomData<fn() -> S>,
}

/// `defer! { … }`
#[inline(always)]
pub fn defer<X: Scope, S, F: FnOnce()>(scope: X, _site: S, action: F) -> DeferGuard<X, S, F> {
    DeferGuard {
        scope,
        action: Some(action),
        site: PhantomData,
    }
}

/// `defer_on_err! { … }`
#[inline(always)]
pub fn defer_on_err<X, S, F>(scope: X, _site: S, action: F) -> ErrGuard<X, S, F>
where
    X: Scope,
    X::Value: Outcome,
    F: FnOnce(),
{
    ErrGuard {
        scope,
        action: Some(action),
        failed: is_failure::<X::Value>,
        site: PhantomData,
    }
}

/// `defer!(|ret| …)`
#[inline(always)]
pub fn hook<X: Scope, S, F: FnOnce(&mut X::Value)>(scope: X, _site: S, hook: F) -> HookGuard<X, S, F> {
    HookGuard {
        scope,
        hook: Some(hook),
        site: PhantomData,
    }
}

impl<X: Scope, S, F: FnOnce()> Drop for DeferGuard<X, S, F> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(action) = self.action.take() {
            let unwinding = thread::panicking();
            let scope = self.scope;
            run::<S>(
                Kind::Defer,
                unwinding,
                move || scope.traced_exit(unwinding),
                action,
            );
        }
    }
}

impl<X: Scope, S, F: FnOnce()> Drop for ErrGuard<X, S, F> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(action) = self.action.take() {
            let unwinding = thread::panicking();
            let exit = self.scope.exit(unwinding, self.failed);
            if exit.is_failing() {
                run::<S>(Kind::DeferOnErr, unwinding, move || exit, action);
            }
        }
    }
}

impl<X: Scope, S, F: FnOnce(&mut X::Value)> Drop for HookGuard<X, S, F> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(hook) = self.hook.take() {
            let unwinding = thread::panicking();
            let scope = self.scope;
            let exit = scope.traced_exit(unwinding);
            if exit.is_return() {
                run::<S>(
                    Kind::Hook,
                    unwinding,
                    move || exit,
                    move || scope.with_value(hook),
                );
            }
        }
    }
}

/// Runs an action under the panic policy. `exit` is only evaluated for
/// `tracing`.
#[inline(always)]
fn run<S>(kind: Kind, unwinding: bool, exit: impl FnOnce() -> Exit, action: impl FnOnce()) {
    if unwinding {
        run_contained::<S>(kind, exit(), action);
    } else {
        trace::run::<S>(kind, exit, action);
    }
}

/// Runs an action while the thread unwinds: its panic is caught, reported and
/// dropped, so the unwinding panic goes on and nothing aborts.
#[cold]
#[inline(never)]
fn run_contained<S>(kind: Kind, exit: Exit, action: impl FnOnce()) {
    let region = hook::CleanupRegion::enter();
    let started = trace::start();
    let result = catch_unwind(AssertUnwindSafe(action));
    drop(region);
    match result {
        Ok(()) => trace::ran::<S>(kind, exit, started),
        Err(payload) => {
            let location = hook::take_cleanup_record().and_then(|record| record.location);
            trace::action_panicked::<S>(kind, exit, &*payload, location.as_ref());
            drop_payload(payload);
        }
    }
}

/// Drops a caught payload; a payload whose own `Drop` panics is leaked rather
/// than allowed to escape.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        core::mem::forget(again);
    }
}
