//! [`Panic`]: a caught panic as a plain value.

use std::any::Any;
use std::backtrace::{Backtrace, BacktraceStatus};
use std::fmt;
use std::sync::{Mutex, PoisonError};

use crate::location::Location;
use crate::panic_hook::Record;
use crate::payload::NON_STRING_PAYLOAD;

/// A panic caught by `#[recover]` or [`catch`](crate::catch).
///
/// It carries the panic's message, where it happened (when the runtime's
/// panic hook saw it), the function whose boundary caught it, the thread's
/// name, a backtrace when `RUST_BACKTRACE` or `RUST_LIB_BACKTRACE` ask for
/// one, and the original payload, which [`into_payload`](Panic::into_payload)
/// gives back and [`resume`](Panic::resume) re-raises.
///
/// It is one pointer wide, so `Result<T, Panic>` stays small, and it is
/// `Send + Sync + 'static` and an [`Error`](std::error::Error), so `?` carries
/// it into `anyhow::Error` or `Box<dyn Error + Send + Sync>`.
///
/// ```
/// fn load() -> Result<u32, epilogue::Panic> {
///     epilogue::catch(|| panic!("disk {} is full", 3))
/// }
///
/// let panic = load().unwrap_err();
/// assert_eq!(panic.message(), "disk 3 is full");
/// assert!(panic.function().ends_with("::load"));
/// assert!(panic.to_string().starts_with("panicked at "));
/// ```
pub struct Panic(Box<Details>);

/// Everything a [`Panic`] knows, behind its one pointer.
struct Details {
    payload: Payload,
    location: Option<Location>,
    function: &'static str,
    thread: Option<String>,
    backtrace: Option<Backtrace>,
    /// The standard report was held back when the panic happened; `resume`
    /// prints it if nothing else will catch the panic.
    withheld_report: bool,
}

/// The payload, split so that `Panic` is `Sync` while the payload is only
/// `Send`: string payloads are kept as strings, anything else behind a
/// `Mutex` that is never locked (only `into_inner` reaches it).
enum Payload {
    Static(&'static str),
    Owned(String),
    Other(Mutex<Box<dyn Any + Send>>),
}

impl Payload {
    fn new(payload: Box<dyn Any + Send>) -> Self {
        match payload.downcast::<&'static str>() {
            Ok(text) => Payload::Static(*text),
            Err(payload) => match payload.downcast::<String>() {
                Ok(text) => Payload::Owned(*text),
                Err(payload) => Payload::Other(Mutex::new(payload)),
            },
        }
    }

    fn message(&self) -> &str {
        match self {
            Payload::Static(text) => text,
            Payload::Owned(text) => text,
            Payload::Other(_) => NON_STRING_PAYLOAD,
        }
    }

    fn into_box(self) -> Box<dyn Any + Send> {
        match self {
            Payload::Static(text) => Box::new(text),
            Payload::Owned(text) => Box::new(text),
            Payload::Other(payload) => payload.into_inner().unwrap_or_else(PoisonError::into_inner),
        }
    }
}

impl Panic {
    pub(crate) fn new(
        payload: Box<dyn Any + Send>,
        record: Option<Record>,
        function: &'static str,
        thread: Option<String>,
    ) -> Self {
        let (location, backtrace, withheld_report) = match record {
            Some(record) => (record.location, record.backtrace, record.withheld_report),
            None => (None, None, false),
        };
        Panic(Box::new(Details {
            payload: Payload::new(payload),
            location,
            function,
            thread,
            backtrace,
            withheld_report,
        }))
    }

    /// The panic message: the payload when it is a `&str` or a `String`,
    /// otherwise `"panic payload is not a string"` (the payload itself is
    /// still there: see [`into_payload`](Panic::into_payload)).
    #[must_use]
    pub fn message(&self) -> &str {
        self.0.payload.message()
    }

    /// Where the panic happened, when the runtime's panic hook saw it.
    ///
    /// It is `None` for a panic raised on another thread and carried over
    /// with `resume_unwind` (a `rayon` job, say), and when another panic hook
    /// replaced epilogue's after the first boundary installed it (a crash
    /// reporter set late, `std::panic::take_hook()`): set your own hook
    /// before the first boundary runs, or call
    /// [`install_panic_hook`](crate::install_panic_hook) after setting it.
    #[must_use]
    pub fn location(&self) -> Option<&Location> {
        self.0.location.as_ref()
    }

    /// The path of the function whose boundary caught the panic, with the
    /// `Self` type for methods: `app::Store::save`,
    /// `<app::Db as app::Repo>::load`. For [`catch`](crate::catch) it is the
    /// function that called `catch`.
    #[must_use]
    pub fn function(&self) -> &str {
        self.0.function
    }

    /// The name of the thread that panicked, if it has one.
    #[must_use]
    pub fn thread(&self) -> Option<&str> {
        self.0.thread.as_deref()
    }

    /// The backtrace of the panic, captured only when `RUST_BACKTRACE` or
    /// `RUST_LIB_BACKTRACE` ask for one (the rule of
    /// [`Backtrace::capture`]); it is resolved only when displayed.
    #[must_use]
    pub fn backtrace(&self) -> Option<&Backtrace> {
        self.0.backtrace.as_ref()
    }

    /// The original payload, as `catch_unwind` would have returned it. A
    /// `&str` or `String` payload comes back as the same type and value in a
    /// new box; any other payload is the original box.
    #[must_use]
    pub fn into_payload(self) -> Box<dyn Any + Send> {
        self.0.payload.into_box()
    }

    /// Re-raises the original payload, as if the panic had never been
    /// caught.
    ///
    /// Unwinding continues to the next boundary out; an enclosing
    /// `#[recover]` or [`catch`](crate::catch) sees the same message,
    /// location and backtrace. If the standard panic report was held back
    /// because the panic happened inside a boundary and no boundary of
    /// epilogue's encloses this call, the report is printed now, so that
    /// `#[recover(with = |p| p.resume())]` behaves exactly like no boundary.
    pub fn resume(self) -> ! {
        let Details {
            payload,
            location,
            function: _,
            thread,
            backtrace,
            withheld_report,
        } = *self.0;
        let message = payload.message().to_owned();
        let record = Record {
            message: match &payload {
                Payload::Other(_) => None,
                _ => Some(message.clone()),
            },
            location,
            backtrace,
            withheld_report,
        };
        crate::panic_hook::before_resume(record, |record| {
            print_report(thread.as_deref(), &message, record);
        });
        std::panic::resume_unwind(payload.into_box())
    }
}

/// Prints a held-back report in the format of the standard panic hook.
fn print_report(thread: Option<&str>, message: &str, record: &Record) {
    use std::fmt::Write as _;
    let mut report = format!("thread '{}' panicked", thread.unwrap_or("<unnamed>"));
    if let Some(location) = &record.location {
        let _ = write!(report, " at {location}");
    }
    let _ = writeln!(report, ":\n{message}");
    match &record.backtrace {
        Some(backtrace) if backtrace.status() == BacktraceStatus::Captured => {
            let _ = writeln!(report, "stack backtrace:\n{backtrace}");
        }
        _ => {
            report
                .push_str("note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
        }
    }
    eprint!("{report}");
}

impl fmt::Display for Panic {
    /// `panicked at FILE:LINE:COL: MESSAGE`, or `panicked: MESSAGE` when the
    /// location is unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some(location) => write!(f, "panicked at {location}: {}", self.message()),
            None => write!(f, "panicked: {}", self.message()),
        }
    }
}

impl fmt::Debug for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Panic")
            .field("message", &self.message())
            .field("location", &self.location())
            .field("function", &self.function())
            .field("thread", &self.thread())
            .field(
                "backtrace",
                &match self.backtrace() {
                    Some(backtrace) => backtrace.status(),
                    None => BacktraceStatus::Disabled,
                },
            )
            .finish_non_exhaustive()
    }
}

impl std::error::Error for Panic {}

/// `Result<T, String>` functions can recover: the error is the panic's
/// [`Display`](fmt::Display) text.
impl From<Panic> for String {
    fn from(panic: Panic) -> Self {
        panic.to_string()
    }
}

/// `io::Result<T>` functions can recover: the error is an
/// [`io::ErrorKind::Other`](std::io::ErrorKind::Other) wrapping the panic.
impl From<Panic> for std::io::Error {
    fn from(panic: Panic) -> Self {
        std::io::Error::other(panic)
    }
}

/// A return type that a caught panic can become: what plain `#[recover]`
/// returns when the body panics.
///
/// Implemented for `Result<T, E>` where `E: From<Panic>` (`Err(panic.into())`),
/// `Option<T>` (`None`) and `()`. Implement it for your own types (an HTTP
/// response, a status code enum) to use plain `#[recover]` on functions that
/// return them.
///
/// ```
/// use epilogue::{recover, FromPanic, Panic};
///
/// #[derive(Debug, PartialEq)]
/// enum Status { Done, Crashed }
///
/// impl FromPanic for Status {
///     fn from_panic(_panic: Panic) -> Self {
///         Status::Crashed
///     }
/// }
///
/// #[recover]
/// fn step(fail: bool) -> Status {
///     assert!(!fail, "step failed");
///     Status::Done
/// }
///
/// assert_eq!(step(false), Status::Done);
/// assert_eq!(step(true), Status::Crashed);
/// ```
#[diagnostic::on_unimplemented(
    message = "`#[recover]` cannot turn a panic into `{Self}`",
    label = "this return type cannot hold a panic",
    note = "return `Result<_, E>` where `E: From<epilogue::Panic>`, `Option<_>` or `()`, or say what a panic becomes: `#[recover(default)]` or `#[recover(with = |panic| …)]`"
)]
pub trait FromPanic {
    /// The value a function returns instead of panicking.
    fn from_panic(panic: Panic) -> Self;
}

impl<T, E: From<Panic>> FromPanic for Result<T, E> {
    fn from_panic(panic: Panic) -> Self {
        Err(E::from(panic))
    }
}

impl<T> FromPanic for Option<T> {
    fn from_panic(_panic: Panic) -> Self {
        None
    }
}

impl FromPanic for () {
    fn from_panic(_panic: Panic) -> Self {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync_static<T: Send + Sync + 'static>() {}

    #[test]
    fn panic_is_one_pointer_send_sync_error() {
        assert_send_sync_static::<Panic>();
        assert_eq!(size_of::<Panic>(), size_of::<usize>());
        assert_eq!(size_of::<Result<(), Panic>>(), size_of::<usize>());
        let _: &dyn std::error::Error = &Panic::new(Box::new("x"), None, "f", None);
    }

    #[test]
    fn payloads_come_back_with_type_and_value() {
        let text = Panic::new(Box::new("static"), None, "f", None);
        assert_eq!(text.message(), "static");
        assert_eq!(*text.into_payload().downcast::<&str>().unwrap(), "static");

        let owned = Panic::new(Box::new(String::from("owned")), None, "f", None);
        assert_eq!(owned.message(), "owned");
        assert_eq!(*owned.into_payload().downcast::<String>().unwrap(), "owned");

        let other = Panic::new(Box::new(42_u8), None, "f", None);
        assert_eq!(other.message(), NON_STRING_PAYLOAD);
        assert_eq!(*other.into_payload().downcast::<u8>().unwrap(), 42);
    }

    #[test]
    fn display_with_and_without_location() {
        let mut panic = Panic::new(Box::new("boom"), None, "f", None);
        assert_eq!(panic.to_string(), "panicked: boom");
        panic.0.location = Some(Location::new("src/lib.rs", 7, 9));
        assert_eq!(panic.to_string(), "panicked at src/lib.rs:7:9: boom");
    }
}
