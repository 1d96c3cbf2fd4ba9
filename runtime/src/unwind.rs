//! Unwinding, where there is any.
//!
//! With the `std` feature, a panic can be caught, resumed, and told apart
//! from a normal exit; without it there is no `catch_unwind` (and with
//! `panic = "abort"`, nothing unwinds), so nothing is ever caught and the
//! thread is never seen unwinding. The guards, slots and frames call these
//! functions and need no `cfg` of their own.

/// A caught panic's payload; without `std`, a value that cannot exist.
#[cfg(feature = "std")]
pub(crate) type Payload = Box<dyn core::any::Any + Send>;
/// A caught panic's payload; without `std`, a value that cannot exist.
#[cfg(not(feature = "std"))]
pub(crate) type Payload = core::convert::Infallible;

/// Runs `f`, catching a panic.
#[inline(always)]
#[cfg_attr(not(feature = "std"), allow(clippy::unnecessary_wraps))]
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Payload> {
    #[cfg(feature = "std")]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
    }
    #[cfg(not(feature = "std"))]
    {
        Ok(f())
    }
}

/// Runs a deferred action: the payload of its panic, if it panicked.
///
/// Optimised builds call `catch_unwind` on the action itself, which inlines
/// to nothing on the happy path. A debug build would then compile a
/// `catch_unwind` (four functions) for every action of every annotated
/// function, which made it most of the cost of rebuilding a crate of 500 of
/// them; there, every action goes through one `catch_unwind` that calls it
/// through a trait object. (Optimised, the `dyn` call is seen through, but it
/// keeps the exit slot in memory: +11 instructions a call for a hook.)
#[inline(always)]
// Debug builds without `tracing` run actions through `guard::run_debug`.
#[cfg_attr(
    all(feature = "std", debug_assertions, not(feature = "tracing")),
    allow(dead_code)
)]
pub(crate) fn catch_action(action: impl FnOnce()) -> Option<Payload> {
    #[cfg(all(feature = "std", debug_assertions))]
    {
        catch_dyn(&mut Some(action))
    }
    #[cfg(not(all(feature = "std", debug_assertions)))]
    {
        catch(action).err()
    }
}

/// An action behind a pointer: what a debug build's one `catch_unwind` for
/// all actions and frames runs, and what the guard of a `defer!` (or, in a
/// debug build, a `defer_on_err!`) in a synchronous function holds. A trait
/// of one method, so that its vtable adds one function per action
/// (`dyn FnMut` would add the `FnOnce` shims too).
pub trait Action {
    /// Runs the action, the first time it is called.
    fn run_once(&mut self);
}

impl<F: FnOnce()> Action for Option<F> {
    fn run_once(&mut self) {
        if let Some(action) = self.take() {
            action();
        }
    }
}

#[cfg(all(feature = "std", debug_assertions))]
#[inline]
pub(crate) fn catch_dyn(action: &mut dyn Action) -> Option<Payload> {
    catch(|| action.run_once()).err()
}

/// Goes on with a caught panic.
#[inline(always)]
pub(crate) fn resume(payload: Payload) -> ! {
    #[cfg(feature = "std")]
    {
        std::panic::resume_unwind(payload)
    }
    #[cfg(not(feature = "std"))]
    {
        match payload {}
    }
}

/// Whether this thread is unwinding.
#[inline(always)]
pub(crate) fn panicking() -> bool {
    #[cfg(feature = "std")]
    {
        std::thread::panicking()
    }
    #[cfg(not(feature = "std"))]
    {
        false
    }
}

/// Drops something while a panic is already on its way (a caught payload, a
/// return value that will never be returned). Should its `Drop` panic, that
/// panic is caught and its payload leaked: one panic at a time is reported.
#[cold]
pub(crate) fn drop_quietly<T>(value: T) {
    #[cfg(feature = "std")]
    if let Err(again) = catch(move || drop(value)) {
        core::mem::forget(again);
    }
    #[cfg(not(feature = "std"))]
    drop(value);
}
