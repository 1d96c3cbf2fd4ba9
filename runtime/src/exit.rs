//! Exit slots: where every way out of a `#[defer_on_exit]` function leaves its
//! value before the function's locals drop.
//!
//! Hooks (`defer!(|ret| …)`) read and change the value in the slot, and
//! `defer_on_err!` looks at it to tell a failing exit from a successful one.
//! A function whose body has only plain `defer!` actions gets no slot at all:
//! its guards consult [`NoSlot`], which can only tell unwinding from the end
//! of the block.

use core::cell::{RefCell, RefMut};
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::task::{Context, Poll};
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;

use crate::outcome::{Classify, Outcome};

/// How the block of a deferred action is being left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The function is returning a value that is not a failure.
    Returned,
    /// The function is returning `Err(_)` or `None`.
    Failed,
    /// The function is unwinding from a panic that started inside it.
    Panicked,
    /// The `async fn`'s future was dropped before it completed.
    Cancelled,
    /// The block ended (its end, `break`, `continue`) while the function goes on.
    ScopeEnd,
}

impl Exit {
    /// The name used in `tracing` events (`exit = "…"`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Exit::Returned => "returned",
            Exit::Failed => "failed",
            Exit::Panicked => "panicked",
            Exit::Cancelled => "cancelled",
            Exit::ScopeEnd => "scope_end",
        }
    }

    /// Whether `defer_on_err!` actions run on this exit.
    #[must_use]
    pub const fn is_failing(self) -> bool {
        matches!(self, Exit::Failed | Exit::Panicked | Exit::Cancelled)
    }

    /// Whether the function is returning a value, so hooks run.
    #[must_use]
    pub const fn is_return(self) -> bool {
        matches!(self, Exit::Returned | Exit::Failed)
    }
}

/// Proof that a value went through the exit slot.
///
/// The rewritten body of a `#[defer_on_exit]` function must produce this type
/// on every way out, and only the expansion, right after storing the value,
/// makes one ([`ExitSlot::stored`]). A `return` that the
/// macro could not rewrite, because it is hidden inside another macro's
/// expansion (`anyhow::bail!`, `ensure!`, a macro of your own), therefore fails
/// to compile with "expected `ReturnSeenByDeferOnExit`" instead of skipping
/// hooks and `defer_on_err!` at run time.
#[must_use = "return it from the rewritten body"]
pub struct ReturnSeenByDeferOnExit {
    _sealed: (),
}

const SEEN: ReturnSeenByDeferOnExit = ReturnSeenByDeferOnExit { _sealed: () };

/// What a guard asks of the function it belongs to when its block is left.
pub trait Scope: Copy {
    /// The function's return type (`()` for [`NoSlot`]).
    type Value;

    /// Classifies the current exit. `unwinding` is `thread::panicking()` now;
    /// `failed` tells a failing return value from a successful one.
    fn exit(self, unwinding: bool, failed: impl FnOnce(&Self::Value) -> bool) -> Exit;

    /// The exit as `tracing` reports it, using the slot's classifier.
    fn traced_exit(self, unwinding: bool) -> Exit;

    /// Runs a hook on the value about to be returned.
    fn with_value(self, hook: impl FnOnce(&mut Self::Value));
}

/// The scope of a function that has only plain `defer!` actions: it has no
/// exit slot, so it can tell only unwinding from the end of a block.
#[derive(Clone, Copy, Debug)]
pub struct NoSlot;

impl Scope for NoSlot {
    type Value = ();

    #[inline]
    fn exit(self, unwinding: bool, _failed: impl FnOnce(&()) -> bool) -> Exit {
        if unwinding {
            Exit::Panicked
        } else {
            Exit::ScopeEnd
        }
    }

    #[inline]
    fn traced_exit(self, unwinding: bool) -> Exit {
        self.exit(unwinding, |()| false)
    }

    #[inline]
    fn with_value(self, hook: impl FnOnce(&mut ())) {
        hook(&mut ());
    }
}

/// The exit slot of a synchronous function.
///
/// `C` picks how `tracing` labels a return value (see the `outcome` module); it
/// does not change behaviour.
pub struct ExitSlot<R, C> {
    value: RefCell<Option<R>>,
    /// Whether the thread was already unwinding when the function was called
    /// (from a `Drop` during unwinding, say): such unwinding is not this
    /// function's panic.
    entered_unwinding: bool,
    classify: PhantomData<C>,
}

impl<R, C> ExitSlot<R, C> {
    /// An empty slot for a function entered now.
    #[inline]
    #[must_use]
    pub fn new(_classifier: C) -> Self {
        ExitSlot {
            value: RefCell::new(None),
            entered_unwinding: thread::panicking(),
            classify: PhantomData,
        }
    }

    /// Where the value the function returns is stored, before its locals
    /// drop: the expansion writes `*__exit.place() = Some(value)`.
    ///
    /// An assignment, not a call taking the value, because a debug build
    /// copies every large argument onto the stack of its caller; assigning
    /// builds `Some(value)` in the slot itself. (The assigned value is
    /// evaluated before `place` is called, so a `?` inside it finds the slot
    /// free.)
    #[inline]
    pub fn place(&self) -> RefMut<'_, Option<R>> {
        self.value.borrow_mut()
    }

    /// The proof that the value was stored, written right after the
    /// assignment to [`place`](Self::place).
    #[inline]
    pub fn stored(&self) -> ReturnSeenByDeferOnExit {
        SEEN
    }

    /// Takes the value out once every deferred action of the body has run.
    ///
    /// By reference, not by value: moving the slot into a call would copy it
    /// on the stack of a debug build.
    #[inline]
    pub fn take(&self, _seen: ReturnSeenByDeferOnExit) -> R {
        match self.value.try_borrow_mut().ok().and_then(|mut slot| slot.take()) {
            Some(value) => value,
            None => unreachable!("epilogue: the exit slot was emptied before the function returned"),
        }
    }

    /// Never called: `if false { return slot.return_type_hint(); }` ties the
    /// slot's type to the function's return type before the body is checked,
    /// so that `impl Trait` returns (a returned closure, say) infer.
    #[doc(hidden)]
    pub fn return_type_hint(&self) -> R {
        unreachable!("epilogue: return_type_hint is never called")
    }
}

impl<R, C: Classify<R>> Scope for &ExitSlot<R, C> {
    type Value = R;

    #[inline]
    fn exit(self, unwinding: bool, failed: impl FnOnce(&R) -> bool) -> Exit {
        if unwinding && !self.entered_unwinding {
            return Exit::Panicked;
        }
        match self.value.try_borrow() {
            Ok(slot) => match &*slot {
                Some(value) if failed(value) => Exit::Failed,
                Some(_) => Exit::Returned,
                None => Exit::ScopeEnd,
            },
            Err(_) => Exit::ScopeEnd,
        }
    }

    #[inline]
    fn traced_exit(self, unwinding: bool) -> Exit {
        self.exit(unwinding, C::is_failure)
    }

    #[inline]
    fn with_value(self, hook: impl FnOnce(&mut R)) {
        if let Ok(mut slot) = self.value.try_borrow_mut() {
            if let Some(value) = &mut *slot {
                hook(value);
            }
        }
    }
}

const NOT_POLLING: u8 = 0;
const POLLING: u8 = 1;
const POLLING_WHILE_UNWINDING: u8 = 2;

/// The exit slot of an `async fn`.
///
/// The future holds references to it across `.await`, so it is `Sync` (a
/// `Mutex`, uncontended: one poll at a time touches it) to keep the future
/// `Send`. It also knows whether a poll is running, which is how a guard
/// dropped outside any poll knows the future was cancelled.
pub struct AsyncExitSlot<R, C> {
    value: Mutex<Option<R>>,
    poll: AtomicU8,
    classify: PhantomData<C>,
}

impl<R, C> AsyncExitSlot<R, C> {
    /// An empty slot.
    #[inline]
    #[must_use]
    pub fn new(_classifier: C) -> Self {
        AsyncExitSlot {
            value: Mutex::new(None),
            poll: AtomicU8::new(NOT_POLLING),
            classify: PhantomData,
        }
    }

    /// Where the value the function returns is stored, as
    /// [`ExitSlot::place`].
    #[inline]
    pub fn place(&self) -> MutexGuard<'_, Option<R>> {
        self.value.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The proof that the value was stored, as [`ExitSlot::stored`].
    #[inline]
    pub fn stored(&self) -> ReturnSeenByDeferOnExit {
        SEEN
    }

    /// Drives the body, marking every poll so that guards can tell a
    /// cancellation (dropped while no poll runs) from the other exits.
    #[inline]
    pub fn run<'a, F>(
        &'a self,
        mut body: Pin<&'a mut F>,
    ) -> impl Future<Output = ReturnSeenByDeferOnExit> + 'a
    where
        F: Future<Output = ReturnSeenByDeferOnExit>,
    {
        core::future::poll_fn(move |cx: &mut Context<'_>| -> Poll<ReturnSeenByDeferOnExit> {
            let _polling = PollMark::enter(&self.poll);
            body.as_mut().poll(cx)
        })
    }

    /// Takes the value out once every deferred action of the body has run.
    ///
    /// By reference, not by value: moving the slot into a call would copy it
    /// on the stack of a debug build.
    #[inline]
    pub fn take(&self, _seen: ReturnSeenByDeferOnExit) -> R {
        match self.value.lock().unwrap_or_else(PoisonError::into_inner).take() {
            Some(value) => value,
            None => unreachable!("epilogue: the exit slot was emptied before the function returned"),
        }
    }

    /// See [`ExitSlot::return_type_hint`].
    #[doc(hidden)]
    pub fn return_type_hint(&self) -> R {
        unreachable!("epilogue: return_type_hint is never called")
    }
}

/// Marks a poll as running for as long as it lives, also while the poll unwinds.
struct PollMark<'a>(&'a AtomicU8);

impl<'a> PollMark<'a> {
    #[inline]
    fn enter(poll: &'a AtomicU8) -> Self {
        // A poll that starts while the thread is unwinding (a future driven
        // from a `Drop`) must not take that unwinding for its own panic.
        let mark = if thread::panicking() {
            POLLING_WHILE_UNWINDING
        } else {
            POLLING
        };
        poll.store(mark, Relaxed);
        PollMark(poll)
    }
}

impl Drop for PollMark<'_> {
    #[inline]
    fn drop(&mut self) {
        self.0.store(NOT_POLLING, Relaxed);
    }
}

impl<R, C: Classify<R>> Scope for &AsyncExitSlot<R, C> {
    type Value = R;

    #[inline]
    fn exit(self, unwinding: bool, failed: impl FnOnce(&R) -> bool) -> Exit {
        match self.poll.load(Relaxed) {
            NOT_POLLING => return Exit::Cancelled,
            POLLING if unwinding => return Exit::Panicked,
            _ => {}
        }
        match &*self.value.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(value) if failed(value) => Exit::Failed,
            Some(_) => Exit::Returned,
            None => Exit::ScopeEnd,
        }
    }

    #[inline]
    fn traced_exit(self, unwinding: bool) -> Exit {
        self.exit(unwinding, C::is_failure)
    }

    #[inline]
    fn with_value(self, hook: impl FnOnce(&mut R)) {
        if let Some(value) = &mut *self.value.lock().unwrap_or_else(PoisonError::into_inner) {
            hook(value);
        }
    }
}

/// Whether a function's return value is a failure, for `defer_on_err!`.
#[inline]
pub(crate) fn is_failure<R: Outcome>(value: &R) -> bool {
    value.is_failure()
}
