//! The two words every deferred action is described by: which kind of action
//! it is, and how its block was left.

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

/// Which form registered a deferred action (the `kind` field of `tracing`
/// events).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `defer! { … }`: every exit.
    Defer,
    /// `defer_on_err! { … }`: failing exits; `defer_on_err!(|err| …)`: error
    /// returns, given the error.
    DeferOnErr,
    /// `defer!(|ret| …)`: returns.
    Hook,
    /// `#[defer_on_exit(map_err = …)]`: error returns, replacing the error.
    MapErr,
}

impl Kind {
    /// The name used in `tracing` events (`kind = "…"`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Defer => "defer",
            Kind::DeferOnErr => "defer_on_err",
            Kind::Hook => "hook",
            Kind::MapErr => "map_err",
        }
    }
}
