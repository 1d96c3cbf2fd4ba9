//! The `?` operator of a rewritten body.
//!
//! `expr?` becomes `match Branch::branch(expr) { Continue(v) => v, Break(r) =>
//! return store(FromResidual::from_residual(r)) }`: on the error path the
//! slot stores the converted residual before the function's locals drop. These two traits mirror the unstable `Try` and
//! `FromResidual` of `core::ops` for the types `?` works on in stable Rust,
//! keeping `From` conversion of errors.

use core::convert::Infallible;
use core::ops::ControlFlow;
use core::task::Poll;

/// A value `?` can be applied to.
#[diagnostic::on_unimplemented(
    message = "the `?` operator can only be applied to values that implement `Try`",
    label = "the `?` operator cannot be applied to type `{Self}`",
    note = "in a `#[defer_on_exit]` function `?` works on what it works on in stable Rust: `Result`, `Option`, `ControlFlow`, and `Poll` of a `Result`"
)]
pub trait Branch {
    /// The value `?` yields when it does not return.
    type Output;
    /// What `?` returns with.
    type Residual;
    /// Splits into continue or break.
    fn branch(self) -> ControlFlow<Self::Residual, Self::Output>;
}

/// A return type that `?` can return a residual as.
#[diagnostic::on_unimplemented(
    message = "the `?` operator cannot return `{R}` from a function that returns `{Self}`",
    label = "this `?` cannot turn its error into `{Self}`",
    note = "`?` on a `Result` needs a function returning `Result` whose error type implements `From` for this error; `?` on an `Option` needs a function returning `Option`"
)]
pub trait FromResidual<R> {
    /// Builds the returned value from the residual.
    fn from_residual(residual: R) -> Self;
}

impl<T, E> Branch for Result<T, E> {
    type Output = T;
    type Residual = Result<Infallible, E>;

    #[inline(always)]
    fn branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Ok(value) => ControlFlow::Continue(value),
            Err(error) => ControlFlow::Break(Err(error)),
        }
    }
}

impl<T> Branch for Option<T> {
    type Output = T;
    type Residual = Option<Infallible>;

    #[inline(always)]
    fn branch(self) -> ControlFlow<Self::Residual, T> {
        match self {
            Some(value) => ControlFlow::Continue(value),
            None => ControlFlow::Break(None),
        }
    }
}

impl<B, C> Branch for ControlFlow<B, C> {
    type Output = C;
    type Residual = ControlFlow<B, Infallible>;

    #[inline(always)]
    fn branch(self) -> ControlFlow<Self::Residual, C> {
        match self {
            ControlFlow::Continue(value) => ControlFlow::Continue(value),
            ControlFlow::Break(value) => ControlFlow::Break(ControlFlow::Break(value)),
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Result<T, F> {
    #[inline(always)]
    fn from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(error) => Err(From::from(error)),
            Ok(never) => match never {},
        }
    }
}

impl<T> FromResidual<Option<Infallible>> for Option<T> {
    #[inline(always)]
    fn from_residual(_residual: Option<Infallible>) -> Self {
        None
    }
}

impl<B, C> FromResidual<ControlFlow<B, Infallible>> for ControlFlow<B, C> {
    #[inline(always)]
    fn from_residual(residual: ControlFlow<B, Infallible>) -> Self {
        match residual {
            ControlFlow::Break(value) => ControlFlow::Break(value),
            ControlFlow::Continue(never) => match never {},
        }
    }
}

impl<T, E> Branch for Poll<Result<T, E>> {
    type Output = Poll<T>;
    type Residual = Result<Infallible, E>;

    #[inline(always)]
    fn branch(self) -> ControlFlow<Self::Residual, Poll<T>> {
        match self {
            Poll::Ready(Ok(value)) => ControlFlow::Continue(Poll::Ready(value)),
            Poll::Ready(Err(error)) => ControlFlow::Break(Err(error)),
            Poll::Pending => ControlFlow::Continue(Poll::Pending),
        }
    }
}

impl<T, E> Branch for Poll<Option<Result<T, E>>> {
    type Output = Poll<Option<T>>;
    type Residual = Result<Infallible, E>;

    #[inline(always)]
    fn branch(self) -> ControlFlow<Self::Residual, Poll<Option<T>>> {
        match self {
            Poll::Ready(Some(Ok(value))) => ControlFlow::Continue(Poll::Ready(Some(value))),
            Poll::Ready(Some(Err(error))) => ControlFlow::Break(Err(error)),
            Poll::Ready(None) => ControlFlow::Continue(Poll::Ready(None)),
            Poll::Pending => ControlFlow::Continue(Poll::Pending),
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Poll<Result<T, F>> {
    #[inline(always)]
    fn from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(error) => Poll::Ready(Err(From::from(error))),
            Ok(never) => match never {},
        }
    }
}

impl<T, E, F: From<E>> FromResidual<Result<Infallible, E>> for Poll<Option<Result<T, F>>> {
    #[inline(always)]
    fn from_residual(residual: Result<Infallible, E>) -> Self {
        match residual {
            Err(error) => Poll::Ready(Some(Err(From::from(error)))),
            Ok(never) => match never {},
        }
    }
}
