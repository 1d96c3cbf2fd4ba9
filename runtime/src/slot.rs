//! Exit slots: where every way out of a `#[defer_on_exit]` function leaves its
//! value before the function's locals drop, and what a deferred action asks
//! of them when its block is left.
//!
//! Hooks (`defer!(|ret| …)`) read and change the value in the slot, and
//! `defer_on_err!` looks at it to tell a failing exit from a successful one.
//! A function whose body has only plain `defer!` actions gets no slot at all:
//! its guards consult [`NoSlot`], and the value being returned from a frame
//! (see `frame`) travels in the frame's `Flow`. An `async fn` gets none
//! either: its value travels with the proof ([`CarryingExit`]).

use core::cell::{RefCell, RefMut};
use core::marker::PhantomData;

use crate::exit::Exit;
use crate::outcome::{Classify, Outcome, Unclassified};
use crate::question::FromResidual;
use crate::unwind::{self, drop_quietly};

/// Proof that a value went through the exit slot: what a `return` written in
/// the body of a `#[defer_on_exit]` function becomes.
///
/// The rewritten body must produce this type on every way out, and only the
/// slot makes one, when it stores the value ([`ExitSlot::put`]). A `return` that the attribute could neither see
/// nor route (hidden in a macro it does not wrap: one that defines names for
/// the code after it, or in a function whose return type does not say which
/// values exit early) therefore fails to compile with "expected
/// `ReturnWrittenInTheBody`" instead of skipping hooks and `defer_on_err!`
/// at run time.
///
/// In an `async fn` there is no slot to share: the proof carries the value
/// itself ([`CarryingExit`]), and the same mistake reads "expected
/// `ReturnWrittenInTheBody<T>`".
#[must_use = "return it from the rewritten body"]
pub struct ReturnWrittenInTheBody<R = ()> {
    value: R,
}

const SEEN: ReturnWrittenInTheBody = ReturnWrittenInTheBody { value: () };

impl<R> ReturnWrittenInTheBody<R> {
    /// The proof carrying `value`.
    #[inline(always)]
    pub(crate) fn carrying(value: R) -> Self {
        ReturnWrittenInTheBody { value }
    }

    /// The value it carries.
    #[inline(always)]
    pub(crate) fn into_value(self) -> R {
        self.value
    }

    /// The value being returned, for an async action that runs after its
    /// frame returned it.
    #[inline(always)]
    pub(crate) fn value(&self) -> &R {
        &self.value
    }

    /// The value being returned, for an async hook to change.
    #[inline(always)]
    pub(crate) fn value_mut(&mut self) -> &mut R {
        &mut self.value
    }
}

/// Where a guard was registered, which decides what an empty slot means.
pub trait Depth: Copy {
    /// Whether the action runs after its frame returned, where no guard of
    /// the function is dropped if it panics (the frame catches the panic).
    /// A traced run then gets the value being returned, not the slot's
    /// address (see `guard::run`).
    const AFTER_FRAME: bool = false;

    /// The exit when the slot is empty: the function panicked, or the
    /// guard's block just ended.
    fn empty_exit(self) -> Exit;

    /// Whether the block is known to be left by a panic, whatever the slot
    /// holds: the action runs after a frame that caught it.
    #[inline(always)]
    fn panicked(self) -> bool {
        false
    }

    /// Whether a panic of the action itself must be contained rather than
    /// propagated, because another one is already on its way.
    #[inline(always)]
    fn unwinding(self) -> bool {
        unwind::panicking()
    }
}

/// A guard in the outermost block of the body. That block is left only when
/// the body completes, and every completion stores a value first, or when it
/// unwinds: an empty slot means the function panicked, with no need to ask
/// the thread (and no mistaking an unwinding that was already going on when
/// the function was called, from a `Drop`, for the function's own).
#[derive(Clone, Copy, Debug)]
pub struct TopBlock;

impl Depth for TopBlock {
    #[inline]
    fn empty_exit(self) -> Exit {
        Exit::Panicked
    }
}

/// A guard in an inner block, which also ends normally (its end, `break`,
/// `continue`) while the function goes on. Whether it ends by unwinding is
/// told by `unwind::panicking()`, compared with the state when the guard was
/// created, so that a function called while the thread was already
/// unwinding does not take that unwinding for its own panic (the bug of
/// scopeguard's `OnUnwind`, bluss/scopeguard#43).
#[derive(Clone, Copy, Debug)]
pub struct InnerBlock {
    unwinding_before: bool,
}

impl InnerBlock {
    /// For a `defer_on_err!`, which needs the exact answer: records the
    /// thread's state now.
    #[inline]
    #[must_use]
    pub fn now() -> Self {
        InnerBlock {
            unwinding_before: unwind::panicking(),
        }
    }

    /// For a `defer!` or a hook, which run (or not) whatever the answer and
    /// only label the exit for `tracing`: records nothing.
    #[inline]
    #[must_use]
    pub const fn label_only() -> Self {
        InnerBlock {
            unwinding_before: false,
        }
    }
}

impl Depth for InnerBlock {
    #[inline]
    fn empty_exit(self) -> Exit {
        if unwind::panicking() && !self.unwinding_before {
            Exit::Panicked
        } else {
            Exit::ScopeEnd
        }
    }
}

/// An action run right after a frame, the rest of its block, returned or
/// caught a panic (see `frame`): whether the block is left by a panic is
/// known, not asked of the thread.
#[derive(Clone, Copy, Debug)]
pub struct AfterFrame {
    pub(crate) panicked: bool,
}

impl AfterFrame {
    /// After a frame left normally: always, in an `async fn`, whose frames
    /// catch no panic (a panic there unwinds past the action).
    pub const NORMAL: AfterFrame = AfterFrame { panicked: false };
}

impl Depth for AfterFrame {
    const AFTER_FRAME: bool = true;

    #[inline(always)]
    fn empty_exit(self) -> Exit {
        if self.panicked {
            Exit::Panicked
        } else {
            Exit::ScopeEnd
        }
    }

    #[inline(always)]
    fn panicked(self) -> bool {
        self.panicked
    }

    #[inline(always)]
    fn unwinding(self) -> bool {
        // The frame holds the caught panic until the action ran; and a
        // function called from a `Drop` during unwinding contains its
        // cleanups' panics as a guard would.
        self.panicked || unwind::panicking()
    }
}

/// What a guard asks of the function it belongs to when its block is left.
pub trait Scope: Copy {
    /// The function's return type (`()` for [`NoSlot`]).
    type Value;

    /// Classifies the current exit for a guard at `depth`; `failed` tells a
    /// failing return value from a successful one.
    fn exit<D: Depth>(self, depth: D, failed: impl FnOnce(&Self::Value) -> bool) -> Exit;

    /// The exit as `tracing` reports it, using the slot's classifier.
    fn traced_exit<D: Depth>(self, depth: D) -> Exit;

    /// Whether a value is being returned (hooks run only then).
    fn has_value(self) -> bool;

    /// Runs a hook on the value about to be returned.
    fn with_value(self, hook: impl FnOnce(&mut Self::Value));

    /// Replaces the value about to be returned with `map(value)`. While
    /// `map` runs the slot is empty: should it panic, the value is gone, as
    /// the panic policy wants of a value that will never be returned.
    fn map_value(self, map: impl FnOnce(Self::Value) -> Self::Value);

    /// A deferred action panicked while the function was returning: the
    /// value will never be returned, so it is dropped, and the actions that
    /// run after this one see the function panicking.
    fn discard_value(self);

    /// Moves the value being returned out, for an action run out of line
    /// (the traced run): that run gets the value, not the slot's address,
    /// which would keep the slot in memory on the fast path too.
    fn lend(self) -> Option<Self::Value>;

    /// Puts back what [`lend`](Scope::lend) took, or what is left of it.
    fn give_back(self, value: Option<Self::Value>);

    /// The exit as `tracing` reports it, asked of the slot the traced run
    /// holds the lent value in.
    fn traced_exit_of_lent<D: Depth>(lent: &ExitSlot<Self::Value, Unclassified>, depth: D) -> Exit;
}

/// The scope of a function that has only plain `defer!` actions: it has no
/// exit slot, so it can tell only unwinding from the end of a block (for
/// `tracing`; a plain `defer!` runs either way).
#[derive(Clone, Copy, Debug)]
pub struct NoSlot;

impl Scope for NoSlot {
    type Value = ();

    #[inline]
    fn exit<D: Depth>(self, depth: D, _failed: impl FnOnce(&()) -> bool) -> Exit {
        if depth.panicked() || unwind::panicking() {
            Exit::Panicked
        } else {
            Exit::ScopeEnd
        }
    }

    #[inline]
    fn traced_exit<D: Depth>(self, depth: D) -> Exit {
        self.exit(depth, |()| false)
    }

    #[inline]
    fn has_value(self) -> bool {
        false
    }

    #[inline]
    fn with_value(self, _hook: impl FnOnce(&mut ())) {}

    #[inline]
    fn map_value(self, _map: impl FnOnce(())) {}

    #[inline]
    fn discard_value(self) {}

    #[inline(always)]
    fn lend(self) -> Option<()> {
        None
    }

    #[inline(always)]
    fn give_back(self, _value: Option<()>) {}

    #[inline]
    fn traced_exit_of_lent<D: Depth>(_lent: &ExitSlot<(), Unclassified>, depth: D) -> Exit {
        NoSlot.traced_exit(depth)
    }
}

/// The exit slot of a synchronous function.
///
/// `C` picks how `tracing` labels a return value (see the `outcome` module);
/// it does not change behaviour.
pub struct ExitSlot<R, C> {
    value: RefCell<Option<R>>,
    classify: PhantomData<C>,
}

impl<R, C> ExitSlot<R, C> {
    /// An empty slot.
    #[inline]
    #[must_use]
    pub fn new(_classifier: C) -> Self {
        ExitSlot {
            value: RefCell::new(None),
            classify: PhantomData,
        }
    }

    /// A slot holding `value`: the one an `async fn` lends its synchronous
    /// actions (see `frame::Lent`).
    #[inline(always)]
    pub(crate) fn holding(value: Option<R>) -> Self {
        ExitSlot {
            value: RefCell::new(value),
            classify: PhantomData,
        }
    }

    /// Classifies the current exit for a guard at `depth`.
    #[inline]
    fn exit_with<D: Depth>(&self, depth: D, failed: impl FnOnce(&R) -> bool) -> Exit {
        if depth.panicked() {
            return Exit::Panicked;
        }
        match self.value.try_borrow().as_deref() {
            Ok(Some(value)) if failed(value) => Exit::Failed,
            Ok(Some(_)) => Exit::Returned,
            _ => depth.empty_exit(),
        }
    }

    /// Takes the value out, if any is left.
    #[inline(always)]
    pub(crate) fn take_value(&self) -> Option<R> {
        self.value.try_borrow_mut().ok().and_then(|mut slot| slot.take())
    }

    /// Where the value the function returns is stored, before its locals
    /// drop.
    #[inline]
    fn place(&self) -> RefMut<'_, Option<R>> {
        self.value.borrow_mut()
    }

    /// Stores the value the function returns and gives the proof: what
    /// every exit of the rewritten body does, before the function's locals
    /// drop.
    ///
    /// A call taking the value, rather than an assignment of `Some(value)`
    /// in the body: a debug build would build each exit's `Some(…)` in a
    /// temporary of its own on the body's stack, where this builds it in the
    /// call's frame, gone before the next exit. (Optimised builds inline it.)
    #[cfg_attr(debug_assertions, inline)]
    #[cfg_attr(not(debug_assertions), inline(always))]
    pub fn put(&self, value: R) -> ReturnWrittenInTheBody {
        // Optimised builds replace rather than assign: an assignment drops
        // the old value in place, which hands the slot's address to the drop
        // glue and keeps the slot in memory (8 to 29 instructions a call).
        // A debug build would copy the value once more for the replace.
        #[cfg(not(debug_assertions))]
        drop(self.place().replace(value));
        #[cfg(debug_assertions)]
        {
            *self.place() = Some(value);
        }
        SEEN
    }

    /// Runs the rewritten body, which stores its value in the slot.
    ///
    /// The body is a closure so that its `return`s end it, not the function,
    /// and its guards run before [`take`](Self::take). Calling it through an
    /// `FnOnce` bound, rather than in place, makes it an `FnOnce` closure:
    /// it can then give back a reborrow of what it captured (`&mut *values`
    /// out of a `values: &mut [T]` parameter), as the function could.
    #[inline(always)]
    pub fn run(&self, body: impl FnOnce() -> ReturnWrittenInTheBody) -> ReturnWrittenInTheBody {
        body()
    }

    /// Takes the value out once every deferred action of the body has run.
    ///
    /// By reference, not by value: moving the slot into a call would copy it
    /// on the stack of a debug build.
    #[inline]
    pub fn take(&self, _seen: ReturnWrittenInTheBody) -> R {
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

/// In optimised builds, moves a value still in the slot (a panic while it
/// was being returned) out before dropping it: dropping it in place would
/// hand the slot's address to the drop glue on the unwinding path, which
/// keeps the slot in memory on the fast path too. A debug build drops it in
/// place, as the move would be one more copy of a large value on its stack;
/// the impl exists in both, so that both borrow-check alike.
impl<R, C> Drop for ExitSlot<R, C> {
    #[inline]
    fn drop(&mut self) {
        #[cfg(not(debug_assertions))]
        drop(self.value.get_mut().take());
    }
}

impl<R, C: Classify<R>> Scope for &ExitSlot<R, C> {
    type Value = R;

    #[inline]
    fn exit<D: Depth>(self, depth: D, failed: impl FnOnce(&R) -> bool) -> Exit {
        self.exit_with(depth, failed)
    }

    #[inline]
    fn traced_exit<D: Depth>(self, depth: D) -> Exit {
        self.exit(depth, C::is_failure)
    }

    #[inline]
    fn has_value(self) -> bool {
        matches!(self.value.try_borrow().as_deref(), Ok(Some(_)))
    }

    #[inline]
    fn with_value(self, hook: impl FnOnce(&mut R)) {
        if let Ok(mut slot) = self.value.try_borrow_mut() {
            if let Some(value) = &mut *slot {
                hook(value);
            }
        }
    }

    #[inline]
    fn map_value(self, map: impl FnOnce(R) -> R) {
        let taken = self.value.try_borrow_mut().ok().and_then(|mut slot| slot.take());
        if let Some(value) = taken {
            let mapped = map(value);
            if let Ok(mut slot) = self.value.try_borrow_mut() {
                // Replaced, not assigned: see `put`.
                #[cfg(not(debug_assertions))]
                drop(slot.replace(mapped));
                #[cfg(debug_assertions)]
                {
                    *slot = Some(mapped);
                }
            }
        }
    }

    #[inline]
    fn discard_value(self) {
        let value = self.value.try_borrow_mut().ok().and_then(|mut slot| slot.take());
        drop_quietly(value);
    }

    #[inline(always)]
    fn lend(self) -> Option<R> {
        self.take_value()
    }

    #[inline(always)]
    fn give_back(self, value: Option<R>) {
        if let (Some(value), Ok(mut slot)) = (value, self.value.try_borrow_mut()) {
            // Replaced, not assigned: see `put`.
            drop(slot.replace(value));
        }
    }

    #[inline]
    fn traced_exit_of_lent<D: Depth>(lent: &ExitSlot<R, Unclassified>, depth: D) -> Exit {
        lent.exit_with(depth, C::is_failure)
    }
}

/// The exit of an `async fn`: no slot at all, the value being returned
/// travels in the proof ([`ReturnWrittenInTheBody<R>`]), through the
/// frames' `Flow::Return`, to each action that runs after its frame, and
/// then out of the body.
///
/// Every action of an `async fn` runs after its frame: the async ones with
/// the value in the flow, the synchronous ones against an [`ExitSlot`] the
/// flow lends them for that moment (see `frame::Lent`), never held across an
/// `.await`. So nothing is shared between polls: the future holds no lock
/// and no flag, stays `Send` whenever the plain one is, with or without
/// `std`, and is polled as one. A synchronous guard is still registered
/// where it is written, for the exits no frame returns from: dropped unrun,
/// it asks this exit, which tells them apart by the thread: unwinding means
/// a panic, anything else a cancellation.
///
/// `C` picks how `tracing` labels a return value, as for [`ExitSlot`].
pub struct CarryingExit<R, C> {
    types: PhantomData<fn() -> (R, C)>,
}

impl<R, C> CarryingExit<R, C> {
    /// The exit of one function.
    #[inline(always)]
    #[must_use]
    pub fn new(_classifier: C) -> Self {
        CarryingExit { types: PhantomData }
    }

    /// The proof carrying the value the function returns.
    #[inline(always)]
    pub fn put(&self, value: R) -> ReturnWrittenInTheBody<R> {
        ReturnWrittenInTheBody { value }
    }

    /// Never called: `if false { return exit.proof_hint(); }` at the top of
    /// the body's `async` block gives the block its type before the body is
    /// checked, so that a `return` the attribute did not rewrite is reported
    /// where it is written, rather than taken for the block's type.
    #[doc(hidden)]
    pub fn proof_hint(&self) -> ReturnWrittenInTheBody<R> {
        unreachable!("epilogue: proof_hint is never called")
    }

    /// The value the proof carries, once every deferred action of the body
    /// has run.
    #[inline(always)]
    pub fn take(&self, seen: ReturnWrittenInTheBody<R>) -> R {
        seen.value
    }

    /// See [`ExitSlot::return_type_hint`].
    #[doc(hidden)]
    #[must_use]
    pub fn return_type_hint(&self) -> R {
        unreachable!("epilogue: return_type_hint is never called")
    }
}

impl<R, C: Classify<R>> CarryingExit<R, C> {
    /// The exit an async action runs on: the value its frame returns, if
    /// any, labelled by the classifier; otherwise the end of its block.
    #[cfg(feature = "tracing")]
    #[inline]
    pub(crate) fn exit_with(returned: Option<&R>) -> Exit {
        match returned {
            Some(value) if C::is_failure(value) => Exit::Failed,
            Some(_) => Exit::Returned,
            None => Exit::ScopeEnd,
        }
    }
}

impl<R, C> Clone for CarryingExit<R, C> {
    #[inline(always)]
    fn clone(&self) -> Self {
        *self
    }
}

impl<R, C> Copy for CarryingExit<R, C> {}

/// By value: it is zero-sized, so the guards and markers that keep it hold
/// nothing, where a reference would be a pointer in the future's state.
impl<R, C: Classify<R>> Scope for CarryingExit<R, C> {
    type Value = R;

    /// Asked only when an action's block is left without running it, or
    /// while it runs: by a panic, or by the future's drop.
    #[inline]
    fn exit<D: Depth>(self, depth: D, _failed: impl FnOnce(&R) -> bool) -> Exit {
        if depth.panicked() || unwind::panicking() {
            Exit::Panicked
        } else {
            Exit::Cancelled
        }
    }

    #[inline]
    fn traced_exit<D: Depth>(self, depth: D) -> Exit {
        self.exit(depth, C::is_failure)
    }

    #[inline]
    fn has_value(self) -> bool {
        false
    }

    // The value is in the proof, which the frames hand to the actions; a
    // panicking action's unwinding drops it with the rest of the future.
    #[inline]
    fn with_value(self, _hook: impl FnOnce(&mut R)) {}

    #[inline]
    fn map_value(self, _map: impl FnOnce(R) -> R) {}

    #[inline]
    fn discard_value(self) {}

    #[inline(always)]
    fn lend(self) -> Option<R> {
        None
    }

    #[inline(always)]
    fn give_back(self, _value: Option<R>) {}

    #[inline]
    fn traced_exit_of_lent<D: Depth>(_lent: &ExitSlot<R, Unclassified>, depth: D) -> Exit {
        CarryingExit::<R, C> { types: PhantomData }.traced_exit(depth)
    }
}

/// What a `?` returns with, stored in the exit slot: `residual.store_in(slot)`.
///
/// The conversion builds the whole return value, here rather than on the
/// body's stack (a debug build would keep a temporary of the return type
/// per `?`). A method of the residual, so that its type is known before the
/// return type's `FromResidual` bound is checked, and a missing `From`
/// conversion is reported as the `?` operator's error.
pub trait StoreResidual: Sized {
    /// Converts the residual into the return value, stores it, and gives
    /// the proof.
    fn store_in<S: Stores>(self, slot: S) -> S::Proof
    where
        S::Value: FromResidual<Self>;
}

impl<Q> StoreResidual for Q {
    #[inline]
    fn store_in<S: Stores>(self, slot: S) -> S::Proof
    where
        S::Value: FromResidual<Q>,
    {
        slot.put(S::Value::from_residual(self))
    }
}

/// An exit slot, synchronous or not, as [`StoreResidual`] stores in it.
pub trait Stores: Copy {
    /// The function's return type.
    type Value;

    /// What the rewritten body returns.
    type Proof;

    /// Stores the value the function returns and gives the proof.
    fn put(self, value: Self::Value) -> Self::Proof;
}

impl<R, C> Stores for &ExitSlot<R, C> {
    type Value = R;
    type Proof = ReturnWrittenInTheBody;

    #[inline]
    fn put(self, value: R) -> ReturnWrittenInTheBody {
        ExitSlot::put(self, value)
    }
}

impl<R, C> Stores for CarryingExit<R, C> {
    type Value = R;
    type Proof = ReturnWrittenInTheBody<R>;

    #[inline(always)]
    fn put(self, value: R) -> ReturnWrittenInTheBody<R> {
        CarryingExit::put(&self, value)
    }
}

/// Whether a function's return value is a failure, for `defer_on_err!`.
#[inline]
pub(crate) fn is_failure<R: Outcome>(value: &R) -> bool {
    value.is_failure()
}
