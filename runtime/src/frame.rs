//! Frames: the rest of a block after a borrow-free deferred action.
//!
//! A drop guard holds its action, and so every borrow the action makes, from
//! its registration to the end of its block: `defer! { out.flush() }`
//! followed by `writeln!(out, …)` would not compile. A borrow-free action
//! instead runs at each exit of its block, after the rest of the block: the
//! expansion moves the rest into a closure (a frame) that reports how it was
//! left, a [`Flow`], and catches a panic, so that the action also runs on the
//! panic path before the panic goes on. The action's closure is only built
//! once the frame returned, so it borrows nothing while the rest runs.
//!
//! In an `async fn` the frame of an `async` action is a labelled block
//! instead (no panic to catch there: an async action cannot run during
//! unwinding), which yields the same [`Flow`].

use crate::slot::{AfterFrame, CarryingExit, ExitSlot, ReturnWrittenInTheBody};
use crate::unwind::{self, Payload};

/// How the rest of a block was left: its end (with the block's value),
/// a `return` (with the proof that the exit slot holds the value, or, in a
/// function without a slot, the value), or a `break`/`continue` to a loop
/// or block outside it ([`Jump`]).
pub enum Flow<V, R, J> {
    /// The block ended with this value.
    Normal(V),
    /// The function returns: the proof that the exit slot holds the value,
    /// or the value.
    Return(R),
    /// A `break` or `continue` leaves the block.
    Jump(J),
}

/// In an `async fn`, a return's proof carries the value (see
/// `CarryingExit`), and a block whose value is the function's leaves its
/// frame with `Flow::Return` too: the actions after the frame find the value
/// here.
impl<V, R, J> Flow<V, ReturnWrittenInTheBody<R>, J> {
    /// The value the function returns, if the rest of the block returns.
    #[inline(always)]
    pub fn returned(&self) -> Option<&R> {
        match self {
            Flow::Return(seen) => Some(seen.value()),
            Flow::Normal(_) | Flow::Jump(_) => None,
        }
    }

    /// The value the function returns, for an async hook to change.
    #[inline(always)]
    pub fn returned_mut(&mut self) -> Option<&mut R> {
        match self {
            Flow::Return(seen) => Some(seen.value_mut()),
            Flow::Normal(_) | Flow::Jump(_) => None,
        }
    }
}

/// A frame's [`Flow`] with the value being returned, if any, lent to a
/// synchronous exit slot: what the synchronous actions of an `async fn` run
/// against, right after their frame. Nothing awaits
/// while it is lent, so the slot is never held across an `.await`.
pub struct Lent<V, R, C, J> {
    slot: ExitSlot<R, C>,
    flow: Flow<V, (), J>,
}

impl<R, C> CarryingExit<R, C> {
    /// Lends the value a frame returns, if any, to a slot.
    #[inline(always)]
    pub fn lend<V, J>(&self, flow: Flow<V, ReturnWrittenInTheBody<R>, J>) -> Lent<V, R, C, J> {
        let (value, flow) = match flow {
            Flow::Normal(value) => (None, Flow::Normal(value)),
            Flow::Return(seen) => (Some(seen.into_value()), Flow::Return(())),
            Flow::Jump(jump) => (None, Flow::Jump(jump)),
        };
        Lent {
            slot: ExitSlot::holding(value),
            flow,
        }
    }
}

impl<V, R, C, J> Lent<V, R, C, J> {
    /// The slot the actions consult.
    #[inline(always)]
    pub fn slot(&self) -> &ExitSlot<R, C> {
        &self.slot
    }

    /// The flow again, with what the actions left of the value.
    #[inline(always)]
    pub fn give_back(self) -> Flow<V, ReturnWrittenInTheBody<R>, J> {
        match self.flow {
            Flow::Normal(value) => Flow::Normal(value),
            Flow::Return(()) => match self.slot.take_value() {
                Some(value) => Flow::Return(ReturnWrittenInTheBody::carrying(value)),
                None => unreachable!("epilogue: a lent exit slot was emptied without a panic"),
            },
            Flow::Jump(jump) => Flow::Jump(jump),
        }
    }
}

/// Which of a frame's `break`/`continue` targets a [`Flow::Jump`] goes to:
/// the first ([`Here`](Jump::Here), with the `break`'s value), or one of the
/// others ([`Further`](Jump::Further)). A frame with `n` targets has the type
/// `Jump<V0, Jump<V1, … Jump<Vn-1, Infallible>>>`.
pub enum Jump<A, B> {
    /// This target, with the value of its `break` (`()` for `continue`).
    Here(A),
    /// A later target.
    Further(B),
}

/// The outcome of a frame: its [`Flow`], or the payload of a panic that the
/// action runs before it goes on.
#[must_use = "resume the frame once its action ran"]
pub struct Frame<T>(Result<T, Payload>);

/// Runs the rest of a block as a frame.
#[inline(always)]
pub fn frame<T>(rest: impl FnOnce() -> T) -> Frame<T> {
    // A debug build catches through the one `catch_unwind` that runs every
    // action behind a trait object, rather than compile one for every
    // frame of the crate; optimised, the direct one inlines to nothing on
    // the happy path.
    #[cfg(all(feature = "std", debug_assertions))]
    {
        let mut value = None;
        let caught = unwind::catch_dyn(&mut Some(|| value = Some(rest())));
        match (value, caught) {
            (_, Some(payload)) => Frame(Err(payload)),
            (Some(value), None) => Frame(Ok(value)),
            (None, None) => unreachable!("epilogue: a frame neither returned nor panicked"),
        }
    }
    #[cfg(not(all(feature = "std", debug_assertions)))]
    {
        Frame(unwind::catch(rest))
    }
}

impl<T> Frame<T> {
    /// Where the action after this frame stands: whether it runs because of
    /// a panic.
    #[inline(always)]
    pub fn after(&self) -> AfterFrame {
        AfterFrame {
            panicked: self.0.is_err(),
        }
    }

    /// What the frame returned, or its panic, resumed now that the action
    /// ran.
    #[inline(always)]
    pub fn resume(self) -> T {
        match self.0 {
            Ok(flow) => flow,
            Err(payload) => unwind::resume(payload),
        }
    }
}
