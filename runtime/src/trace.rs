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

use crate::exit::{Exit, Kind};
use crate::location::Location;
use crate::panic::Panic;
use std::any::Any;

#[cfg(feature = "tracing")]
mod imp {
    use super::{Any, Exit, Kind, Location, Panic};
    use crate::payload::{payload_message, NON_STRING_PAYLOAD};
    use crate::site::site_name;
    use std::time::Instant;
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

    pub(crate) fn ran<S>(kind: Kind, exit: Exit, started: Instant) {
        let elapsed_ns = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        tracing::trace!(
            target: "epilogue",
            function = site_name::<S>(),
            kind = kind.as_str(),
            exit = exit.as_str(),
            elapsed_ns,
            "deferred action ran"
        );
    }

    pub(crate) fn action_panicked<S>(
        kind: Kind,
        exit: Exit,
        payload: &(dyn Any + Send),
        location: Option<&Location>,
    ) {
        tracing::error!(
            target: "epilogue",
            function = site_name::<S>(),
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

#[cfg(not(feature = "tracing"))]
mod imp {
    // Same signatures as with the feature, so callers need no `cfg`.
    #![allow(
        clippy::extra_unused_type_parameters,
        clippy::unused_self,
        clippy::needless_pass_by_value
    )]
    use super::{Any, Exit, Kind, Location, Panic};

    #[inline(always)]
    pub(crate) fn action_panicked<S>(
        _kind: Kind,
        _exit: Exit,
        _payload: &(dyn Any + Send),
        _location: Option<&Location>,
    ) {
    }

    #[inline(always)]
    pub(crate) fn recovered(_panic: &Panic) {}
}

pub(crate) use imp::{action_panicked, recovered};
#[cfg(feature = "tracing")]
pub(crate) use imp::{async_action_panicked, may_be_wanted, ran, skipped, wanted};
