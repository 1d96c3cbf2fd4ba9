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
    use std::time::Instant;
    use tracing::Level;

    /// When an action started, if its TRACE event is wanted.
    pub(crate) struct Started(Option<Instant>);

    impl Started {
        #[inline]
        pub(crate) fn get(self) -> Option<Instant> {
            self.0
        }
    }

    #[inline]
    pub(crate) fn start() -> Started {
        Started(tracing::enabled!(target: "epilogue", Level::TRACE).then(Instant::now))
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

    /// Nothing is timed: `get` is always `None`, which removes the call.
    pub(crate) struct Started;

    /// The time type of the `tracing` build, never built here.
    pub(crate) enum Never {}

    impl Started {
        #[inline(always)]
        pub(crate) fn get(self) -> Option<Never> {
            None
        }
    }

    #[inline(always)]
    pub(crate) fn start() -> Started {
        Started
    }

    #[inline(always)]
    pub(crate) fn ran<S>(_kind: Kind, _exit: Exit, started: Never) {
        match started {}
    }

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

pub(crate) use imp::{action_panicked, ran, recovered, start};
