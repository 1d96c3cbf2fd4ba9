//! Telling a failing return value from a successful one.
//!
//! `defer_on_err!` requires the return type to implement [`Outcome`]: that is
//! the check that turns `defer_on_err!` in a function returning `i32` into a
//! compile error at the macro. `tracing` labels need the same distinction for
//! plain actions and hooks, where the return type may be anything; there the
//! expansion picks a classifier with [`Classifier`] —
//! [`ByOutcome`] when the return type is known to implement [`Outcome`],
//! [`Unclassified`] otherwise — at no run-time cost.

use core::marker::PhantomData;
use core::task::Poll;

/// A return type with a failure case: `Err(_)` for `Result`, `None` for
/// `Option`, and a ready `Err(_)` for the `Poll` types `?` returns errors in.
#[diagnostic::on_unimplemented(
    message = "`defer_on_err!` needs a function that returns `Result` or `Option`, not `{Self}`",
    label = "the function returns `{Self}`, which has no error case for this cleanup to run on",
    note = "use `defer! {{ … }}` for a cleanup that runs on every exit, or a hook `defer!(|ret| …)` to look at the returned value"
)]
pub trait Outcome {
    /// Whether this value makes the function fail.
    fn is_failure(&self) -> bool;
}

impl<T, E> Outcome for Result<T, E> {
    #[inline(always)]
    fn is_failure(&self) -> bool {
        self.is_err()
    }
}

impl<T> Outcome for Option<T> {
    #[inline(always)]
    fn is_failure(&self) -> bool {
        self.is_none()
    }
}

/// `Poll::Ready(Err(_))`: the error a `?` in a `poll` function returns with.
impl<T, E> Outcome for Poll<Result<T, E>> {
    #[inline(always)]
    fn is_failure(&self) -> bool {
        matches!(self, Poll::Ready(Err(_)))
    }
}

/// `Poll::Ready(Some(Err(_)))`, as for `Poll<Result<T, E>>`; the end of a
/// stream (`Ready(None)`) is not a failure.
impl<T, E> Outcome for Poll<Option<Result<T, E>>> {
    #[inline(always)]
    fn is_failure(&self) -> bool {
        matches!(self, Poll::Ready(Some(Err(_))))
    }
}

/// A return type that carries an error value: what `defer_on_err!(|err| …)`
/// sees and `#[defer_on_exit(map_err = …)]` replaces.
#[diagnostic::on_unimplemented(
    message = "capturing the error needs a function that returns `Result`, not `{Self}`",
    label = "the function returns `{Self}`, which has no error value to capture",
    note = "a `None` (or any value of a type without an error) carries nothing to capture: use `defer_on_err! {{ … }}`, which runs on every failing exit"
)]
pub trait HasError {
    /// The error type.
    type Error;

    /// Whether this value is an error.
    fn is_error(&self) -> bool;

    /// The error, if this value is one.
    fn error_mut(&mut self) -> Option<&mut Self::Error>;

    /// This value, with its error (if it is one) replaced by `map(error)`.
    #[must_use]
    fn map_error(self, map: impl FnOnce(Self::Error) -> Self::Error) -> Self;
}

impl<T, E> HasError for Result<T, E> {
    type Error = E;

    #[inline(always)]
    fn is_error(&self) -> bool {
        self.is_err()
    }

    #[inline(always)]
    fn error_mut(&mut self) -> Option<&mut E> {
        self.as_mut().err()
    }

    #[inline(always)]
    fn map_error(self, map: impl FnOnce(E) -> E) -> Self {
        self.map_err(map)
    }
}

/// An iterator of results: `Some(Err(_))`.
impl<T, E> HasError for Option<Result<T, E>> {
    type Error = E;

    #[inline(always)]
    fn is_error(&self) -> bool {
        matches!(self, Some(Err(_)))
    }

    #[inline(always)]
    fn error_mut(&mut self) -> Option<&mut E> {
        self.as_mut().and_then(|result| result.as_mut().err())
    }

    #[inline(always)]
    fn map_error(self, map: impl FnOnce(E) -> E) -> Self {
        self.map(|result| result.map_err(map))
    }
}

/// A poll of a result: `Ready(Err(_))`.
impl<T, E> HasError for Poll<Result<T, E>> {
    type Error = E;

    #[inline(always)]
    fn is_error(&self) -> bool {
        matches!(self, Poll::Ready(Err(_)))
    }

    #[inline(always)]
    fn error_mut(&mut self) -> Option<&mut E> {
        match self {
            Poll::Ready(Err(error)) => Some(error),
            _ => None,
        }
    }

    #[inline(always)]
    fn map_error(self, map: impl FnOnce(E) -> E) -> Self {
        self.map(|result| result.map_err(map))
    }
}

/// A stream of results: `Ready(Some(Err(_)))`.
impl<T, E> HasError for Poll<Option<Result<T, E>>> {
    type Error = E;

    #[inline(always)]
    fn is_error(&self) -> bool {
        matches!(self, Poll::Ready(Some(Err(_))))
    }

    #[inline(always)]
    fn error_mut(&mut self) -> Option<&mut E> {
        match self {
            Poll::Ready(Some(Err(error))) => Some(error),
            _ => None,
        }
    }

    #[inline(always)]
    fn map_error(self, map: impl FnOnce(E) -> E) -> Self {
        self.map(|item| item.map(|result| result.map_err(map)))
    }
}

/// How `tracing` labels a returned value: `failed` or `returned`.
pub trait Classify<R> {
    /// Whether `value` is reported as `exit = "failed"`.
    fn is_failure(value: &R) -> bool;
}

/// Every return value is reported as `returned`.
#[derive(Clone, Copy, Debug)]
pub struct Unclassified;

/// `Err(_)`/`None` are reported as `failed`.
#[derive(Clone, Copy, Debug)]
pub struct ByOutcome;

impl<R> Classify<R> for Unclassified {
    #[inline(always)]
    fn is_failure(_value: &R) -> bool {
        false
    }
}

impl<R: Outcome> Classify<R> for ByOutcome {
    #[inline(always)]
    fn is_failure(value: &R) -> bool {
        value.is_failure()
    }
}

/// Chooses a classifier for `R` by autoderef specialization: method lookup
/// on `Classifier<R>` finds its own `__epilogue_classifier` when `R: Outcome`
/// holds and, when it does not (including for a generic `R` that is not
/// known to be a `Result` or `Option`), goes on to the type it dereferences
/// to, [`Unclassifiable`], whose method every `R` has.
///
/// Both are inherent methods, which lookup finds without an import: the
/// expansion is one expression, with no `use` in a block of the user's
/// function (a block with an item in it costs the compiler a scope of its
/// own, for every annotated function). An inherent method also comes before
/// any trait method of the user's of the same name.
pub struct Classifier<R>(Unclassifiable<R>);

/// What [`Classifier`] falls back to when the return type has no failure
/// case.
pub struct Unclassifiable<R>(PhantomData<fn() -> R>);

impl<R> Classifier<R> {
    /// The probe for `R`.
    #[must_use]
    pub const fn new() -> Self {
        Classifier(Unclassifiable(PhantomData))
    }
}

impl<R> Default for Classifier<R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: Outcome> Classifier<R> {
    /// The classifier when the return type implements [`Outcome`].
    #[inline(always)]
    #[must_use]
    pub fn __epilogue_classifier(&self) -> ByOutcome {
        ByOutcome
    }
}

impl<R> core::ops::Deref for Classifier<R> {
    type Target = Unclassifiable<R>;

    #[inline(always)]
    fn deref(&self) -> &Unclassifiable<R> {
        &self.0
    }
}

impl<R> Unclassifiable<R> {
    /// The classifier for any other return type.
    #[inline(always)]
    #[must_use]
    pub fn __epilogue_classifier(&self) -> Unclassified {
        Unclassified
    }
}
