//! Helpers shared by the behaviour tests and the shape corpus: an event log,
//! a local that logs its drop, catching a panic's message, polling a future
//! without a runtime, and re-running a test binary in a child process.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::process::Command;
use std::task::{Context, Poll, Waker};

thread_local! {
    static EVENTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Records an event on this thread's log.
pub fn log(event: impl Into<String>) {
    EVENTS.with(|events| events.borrow_mut().push(event.into()));
}

/// Takes this thread's log.
#[must_use]
pub fn events() -> Vec<String> {
    EVENTS.with(|events| std::mem::take(&mut *events.borrow_mut()))
}

/// Logs `drop NAME` when dropped: an ordinary local among the guards.
pub struct Local(pub &'static str);

impl Drop for Local {
    fn drop(&mut self) {
        log(format!("drop {}", self.0));
    }
}

/// Runs `f`, returning the message of its panic, if any.
///
/// # Errors
///
/// The panic's message when `f` panics.
pub fn panic_message<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "<non-string payload>".to_owned())
    })
}

/// Polls a future to completion on this thread.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Polls a future once.
pub fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// A future that is pending once, then ready: an `.await` point.
pub struct YieldNow(bool);

#[must_use]
pub fn yield_now() -> YieldNow {
    YieldNow(false)
}

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// This test binary again, in a child process, running only its test named
/// `child`, with `variable` set to `case`: for scenarios that change what is
/// process-wide (the panic hook) or may abort the process. The environment
/// is the defaults' for what the runtime reads (no backtrace capture, no
/// report of recovered panics), whatever the parent's shell sets.
///
/// # Panics
/// When the test binary cannot be found.
#[must_use]
pub fn child_process(variable: &str, case: &str) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env(variable, case)
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LIB_BACKTRACE")
        .env_remove("EPILOGUE_REPORT_RECOVERED");
    command
}
