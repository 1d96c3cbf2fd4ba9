//! Early returns hidden in other macros: `bail!`, `ensure!`, `ready!`, a
//! crate's own `try!`-style macros.
//!
//! A `return` inside another macro's expansion is invisible to the
//! attribute, which sees only the macro's tokens. In a function with an exit
//! slot, each such invocation runs inside a closure whose return type is the
//! function's, with its success payload replaced by [`OnlyAnEarlyExitReturnsFromAMacro`]: a hidden
//! `return Err(e)` (or `None`, `Poll::Pending`, …) type-checks there and is
//! routed through the slot as if written in the body, while a hidden return
//! of a success value does not compile (a user cannot make a `OnlyAnEarlyExitReturnsFromAMacro`),
//! rather than being taken for the macro's value. The shapes of return types
//! are told apart by the expansion from how the type is written, because
//! `Option<Result<T, E>>` is an `Option<T>` too.
//!
//! Inside a loop, the closure also carries a `continue` or `break` hidden in
//! the macro (`unwrap_or_continue!`): see [`Carried`].

use core::ops::ControlFlow;
use core::task::Poll;

use crate::slot::Scope;

/// What a wrapped macro produced when it did not return: its value. Only
/// the expansion makes one, so a macro that hides a `return` of a success
/// value fails to compile instead of silently not returning; the name is
/// what that error says ("expected `OnlyAnEarlyExitReturnsFromAMacro<_>`,
/// found …" at the hidden `return`).
pub struct OnlyAnEarlyExitReturnsFromAMacro<T>(T);

/// A wrapped macro inside a loop: its value, or the unlabelled `continue`
/// or `break` it hid, which the expansion carries out of the closure.
pub enum Carried<T, B> {
    /// The macro's value.
    Value(T),
    /// The macro hid a `continue`.
    Continue,
    /// The macro hid a `break`, with this value (`()` for a plain `break`,
    /// and the loop's type when nothing breaks).
    Break(B),
}

/// A return type's early exits: the type a wrapped macro's closure returns
/// (`With<V>`), and how to tell its early exit from the macro's value.
pub trait EarlyExits<R>: Copy {
    /// The return type with its success payload replaced by `OnlyAnEarlyExitReturnsFromAMacro<V>`.
    type With<V>;

    /// The macro's value, as the closure returns it.
    fn proceed<V>(value: V) -> Self::With<V>;

    /// The macro's value, or the early exit it returned, as the function's
    /// return value.
    fn split<V>(with: Self::With<V>) -> ControlFlow<R, V>;
}

/// Runs a wrapped macro: its value, or the early exit to return.
#[inline(always)]
pub fn hidden<X: Scope, S: EarlyExits<X::Value>, V>(
    _scope: X,
    _shape: S,
    invocation: impl FnOnce() -> S::With<V>,
) -> ControlFlow<X::Value, V> {
    S::split(invocation())
}

/// The value of a wrapped macro, as its closure returns it.
#[inline(always)]
pub fn proceed<X: Scope, S: EarlyExits<X::Value>, V>(_scope: X, _shape: S, value: V) -> S::With<V> {
    S::proceed(value)
}

macro_rules! shapes {
    ($(
        $(#[$doc:meta])*
        $shape:ident for [$($param:ident),*] $ty:ty => $with:ty,
        proceed($value:ident) => $proceeded:expr,
        split { $($pattern:pat => $split:expr),* $(,)? }
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $shape;

        impl<$($param),*> EarlyExits<$ty> for $shape {
            type With<V> = $with;

            #[inline(always)]
            fn proceed<V>($value: V) -> Self::With<V> {
                $proceeded
            }

            #[inline(always)]
            fn split<V>(with: Self::With<V>) -> ControlFlow<$ty, V> {
                match with {
                    $($pattern => $split),*
                }
            }
        }
    )*};
}

shapes! {
    /// `Result<T, E>` and its aliases: `Err(_)` returns.
    ResultExits for [T, E] Result<T, E> => Result<OnlyAnEarlyExitReturnsFromAMacro<V>, E>,
    proceed(value) => Ok(OnlyAnEarlyExitReturnsFromAMacro(value)),
    split {
        Ok(OnlyAnEarlyExitReturnsFromAMacro(value)) => ControlFlow::Continue(value),
        Err(error) => ControlFlow::Break(Err(error)),
    }

    /// `Option<T>`: `None` returns.
    OptionExits for [T] Option<T> => Option<OnlyAnEarlyExitReturnsFromAMacro<V>>,
    proceed(value) => Some(OnlyAnEarlyExitReturnsFromAMacro(value)),
    split {
        Some(OnlyAnEarlyExitReturnsFromAMacro(value)) => ControlFlow::Continue(value),
        None => ControlFlow::Break(None),
    }

    /// `Option<Result<T, E>>`: `None` and `Some(Err(_))` return.
    OptionResultExits for [T, E] Option<Result<T, E>> => Option<Result<OnlyAnEarlyExitReturnsFromAMacro<V>, E>>,
    proceed(value) => Some(Ok(OnlyAnEarlyExitReturnsFromAMacro(value))),
    split {
        Some(Ok(OnlyAnEarlyExitReturnsFromAMacro(value))) => ControlFlow::Continue(value),
        Some(Err(error)) => ControlFlow::Break(Some(Err(error))),
        None => ControlFlow::Break(None),
    }

    /// `Poll<T>`: `Pending` returns.
    PollExits for [T] Poll<T> => Poll<OnlyAnEarlyExitReturnsFromAMacro<V>>,
    proceed(value) => Poll::Ready(OnlyAnEarlyExitReturnsFromAMacro(value)),
    split {
        Poll::Ready(OnlyAnEarlyExitReturnsFromAMacro(value)) => ControlFlow::Continue(value),
        Poll::Pending => ControlFlow::Break(Poll::Pending),
    }

    /// `Poll<Result<T, E>>`: `Pending` and `Ready(Err(_))` return.
    PollResultExits for [T, E] Poll<Result<T, E>> => Poll<Result<OnlyAnEarlyExitReturnsFromAMacro<V>, E>>,
    proceed(value) => Poll::Ready(Ok(OnlyAnEarlyExitReturnsFromAMacro(value))),
    split {
        Poll::Ready(Ok(OnlyAnEarlyExitReturnsFromAMacro(value))) => ControlFlow::Continue(value),
        Poll::Ready(Err(error)) => ControlFlow::Break(Poll::Ready(Err(error))),
        Poll::Pending => ControlFlow::Break(Poll::Pending),
    }

    /// `Poll<Option<T>>`: `Pending` and `Ready(None)` return.
    PollOptionExits for [T] Poll<Option<T>> => Poll<Option<OnlyAnEarlyExitReturnsFromAMacro<V>>>,
    proceed(value) => Poll::Ready(Some(OnlyAnEarlyExitReturnsFromAMacro(value))),
    split {
        Poll::Ready(Some(OnlyAnEarlyExitReturnsFromAMacro(value))) => ControlFlow::Continue(value),
        Poll::Ready(None) => ControlFlow::Break(Poll::Ready(None)),
        Poll::Pending => ControlFlow::Break(Poll::Pending),
    }

    /// `Poll<Option<Result<T, E>>>`: `Pending`, `Ready(None)` and
    /// `Ready(Some(Err(_)))` return.
    PollOptionResultExits for [T, E] Poll<Option<Result<T, E>>> => Poll<Option<Result<OnlyAnEarlyExitReturnsFromAMacro<V>, E>>>,
    proceed(value) => Poll::Ready(Some(Ok(OnlyAnEarlyExitReturnsFromAMacro(value)))),
    split {
        Poll::Ready(Some(Ok(OnlyAnEarlyExitReturnsFromAMacro(value)))) => ControlFlow::Continue(value),
        Poll::Ready(Some(Err(error))) => ControlFlow::Break(Poll::Ready(Some(Err(error)))),
        Poll::Ready(None) => ControlFlow::Break(Poll::Ready(None)),
        Poll::Pending => ControlFlow::Break(Poll::Pending),
    }
}
