//! `tracing` events, behind the `tracing` feature.
//!
//! The `cfg` lives here and nowhere else: the macros' expansion is compiled in
//! the user's crate and must not depend on the user's features, so it always
//! calls these functions, which are empty without the feature.
//!
//! Events, all under target `epilogue`, inside the current span:
//! - TRACE, message `deferred action ran`: `function`, `kind`, `exit`,
//!   `elapsed_ns`;
//! - ERROR for a deferred action that panicked, its message the panic's:
//!   `function`, `kind`, `exit`, `location` (when known);
//! - ERROR for a recovered panic, its message the panic's: `function`,
//!   `location` (when known).

use crate::exit::Exit;
use crate::guard::Kind;
use crate::panic::{Location, Panic};
use std::any::Any;

#[cfg(feature = "tracing")]
mod imp {
    use super::{Any, Exit, Kind, Location, Panic};
    use crate::boundary::site_name;
    use crate::panic::{payload_message, NON_STRING_PAYLOAD};
    use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
    use std::time::Instant;
    use tracing::Level;

    /// The start of an action, when its TRACE event is wanted.
    pub(crate) type Started = Option<Instant>;

    #[inline]
    pub(crate) fn start() -> Started {
        tracing::enabled!(target: "epilogue", Level::TRACE).then(Instant::now)
    }

    /// Runs an action on the return path, timing it for the TRACE event and
    /// reporting a panic before it propagates.
    #[inline]
    pub(crate) fn run<S>(kind: Kind, exit: impl FnOnce() -> Exit, action: impl FnOnce()) {
        let exit = exit();
        let started = start();
        match catch_unwind(AssertUnwindSafe(action)) {
            Ok(()) => ran::<S>(kind, exit, started),
            Err(payload) => {
                action_panicked::<S>(kind, exit, &*payload, crate::hook::current_location().as_ref());
                resume_unwind(payload)
            }
        }
    }

    pub(crate) fn ran<S>(kind: Kind, exit: Exit, started: Started) {
        if let Some(started) = started {
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
    #![allow(clippy::extra_unused_type_parameters)]
    use super::{Any, Exit, Kind, Location, Panic};

    pub(crate) struct Started;

    #[inline(always)]
    pub(crate) fn start() -> Started {
        Started
    }

    #[inline(always)]
    pub(crate) fn run<S>(_kind: Kind, _exit: impl FnOnce() -> Exit, action: impl FnOnce()) {
        action();
    }

    #[inline(always)]
    pub(crate) fn ran<S>(_kind: Kind, _exit: Exit, _started: Started) {}

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

pub(crate) use imp::{action_panicked, ran, recovered, run, start};
