//! `tracing` events, behind the `tracing` feature.
//!
//! The `cfg` lives in the runtime, here and around the guards' timed run:
//! the macros' expansion is compiled in the user's crate and must not depend
//! on the user's features, so it is the same with and without the feature.
//!
//! Events, all under target `epilogue`, inside the current span:
//! - TRACE, message `deferred action ran`: `function`, `kind`, `exit`,
//!   `elapsed_ns`;
//! - ERROR for a deferred action that panicked, its message the panic's:
//!   `function`, `kind`, `exit`, `location` (when known);
//! - ERROR for a recovered panic, its message the panic's: `function`,
//!   `location` (when known).

#[cfg(feature = "tracing")]
use crate::exit::{Exit, Kind};
#[cfg(feature = "std")]
use crate::location::Location;
#[cfg(feature = "std")]
use crate::panic::Panic;
#[cfg(feature = "std")]
use std::any::Any;

#[cfg(feature = "tracing")]
mod imp {
    use super::{Any, Exit, Kind, Location, Panic};
    use crate::payload::{payload_message, NON_STRING_PAYLOAD};
    use crate::site::site_name;
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};
    use tracing::Level;

    /// Whether the TRACE event of a deferred action may be wanted: the
    /// global level, one load and one branch, inlined into the guard. The
    /// rest of the decision, [`wanted`], belongs on the out-of-line path it
    /// leads to: a `false` from it must not return into the guard, where the
    /// join would make the function keep registers for the cold call on its
    /// fast path too.
    #[inline(always)]
    pub(crate) fn may_be_wanted() -> bool {
        tracing::level_enabled!(Level::TRACE)
    }

    /// Whether the TRACE event of a deferred action is wanted: the
    /// callsite's interest (its registration, the subscriber's filter).
    #[inline]
    pub(crate) fn wanted() -> bool {
        tracing::enabled!(target: "epilogue", Level::TRACE)
    }

    /// The time since the first call, in nanoseconds, plus one (never 0):
    /// the start of an async action, kept in its marker as a plain number.
    pub(crate) fn clock() -> u64 {
        static EPOCH: OnceLock<Instant> = OnceLock::new();
        let epoch = EPOCH.get_or_init(Instant::now);
        u64::try_from(epoch.elapsed().as_nanos())
            .unwrap_or(u64::MAX - 1)
            .saturating_add(1)
    }

    /// The time since `started`, a reading of [`clock`].
    pub(crate) fn elapsed_since(started: u64) -> Duration {
        Duration::from_nanos(clock().saturating_sub(started))
    }

    pub(crate) fn ran<S>(kind: Kind, exit: Exit, elapsed: Duration) {
        let elapsed_ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        tracing::trace!(
            target: "epilogue",
            function = site_name::<S>(),
            kind = kind.as_str(),
            exit = exit.as_str(),
            elapsed_ns,
            "deferred action ran"
        );
    }

    pub(crate) fn action_panicked(
        function: &str,
        kind: Kind,
        exit: Exit,
        payload: &(dyn Any + Send),
        location: Option<&Location>,
    ) {
        tracing::error!(
            target: "epilogue",
            function,
            kind = kind.as_str(),
            exit = exit.as_str(),
            location = location.map(tracing::field::display),
            "{}",
            payload_message(payload).unwrap_or(NON_STRING_PAYLOAD),
        );
    }

    pub(crate) fn async_action_panicked<S>(
        kind: Kind,
        exit: Exit,
        message: Option<&str>,
        location: Option<&Location>,
    ) {
        tracing::error!(
            target: "epilogue",
            function = site_name::<S>(),
            kind = kind.as_str(),
            exit = exit.as_str(),
            location = location.map(tracing::field::display),
            "{}",
            message.unwrap_or(NON_STRING_PAYLOAD),
        );
    }

    pub(crate) fn skipped<S>(kind: Kind, exit: Exit) {
        tracing::warn!(
            target: "epilogue",
            function = site_name::<S>(),
            kind = kind.as_str(),
            exit = exit.as_str(),
            "async deferred action skipped: its block was left by a panic or a cancellation, where nothing can await it"
        );
    }

    pub(crate) fn recovered(panic: &Panic) {
        tracing::error!(
            target: "epilogue",
            function = panic.function(),
            location = panic.location().map(tracing::field::display),
            "{}",
            panic.message(),
        );
    }
}

#[cfg(all(feature = "std", not(feature = "tracing")))]
mod imp {
    // Same signatures as with the feature, so callers need no `cfg`.
    #![allow(clippy::needless_pass_by_value)]
    use super::Panic;

    #[inline(always)]
    pub(crate) fn recovered(_panic: &Panic) {}
}

#[cfg(feature = "std")]
pub(crate) use imp::recovered;

/// What the ERROR event of a deferred action that panicked says besides the
/// panic: the function, the kind of action and the exit it ran on. Nothing
/// without the feature, so that the code reporting a panic is not generic
/// (one copy for every guard) and the guard computes no label for it.
#[cfg(feature = "tracing")]
#[derive(Clone, Copy)]
pub(crate) struct Report {
    function: fn() -> &'static str,
    kind: Kind,
    exit: Exit,
}

/// See the `tracing` version.
#[cfg(not(feature = "tracing"))]
#[derive(Clone, Copy)]
pub(crate) struct Report;

impl Report {
    /// The report of an action of function `S`.
    #[cfg(feature = "tracing")]
    #[inline(always)]
    pub(crate) fn new<S>(kind: Kind, exit: Exit) -> Self {
        Report::with_function(crate::site::site_name::<S>, kind, exit)
    }

    /// The report of an action of the function `function` names.
    #[cfg(feature = "tracing")]
    #[inline(always)]
    pub(crate) fn with_function(function: fn() -> &'static str, kind: Kind, exit: Exit) -> Self {
        Report { function, kind, exit }
    }

    /// The ERROR event of the action's panic.
    #[cfg(feature = "std")]
    #[cfg_attr(not(feature = "tracing"), allow(clippy::unused_self))]
    pub(crate) fn action_panicked(self, payload: &(dyn Any + Send), location: Option<&Location>) {
        #[cfg(feature = "tracing")]
        imp::action_panicked((self.function)(), self.kind, self.exit, payload, location);
        #[cfg(not(feature = "tracing"))]
        let _ = (payload, location);
    }
}
#[cfg(feature = "tracing")]
pub(crate) use imp::{async_action_panicked, clock, elapsed_since, may_be_wanted, ran, skipped, wanted};
