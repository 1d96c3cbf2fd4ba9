//! The panic hook, and the per-thread bookkeeping that lets it tell which
//! boundary a panic belongs to.
//!
//! `catch_unwind` gives only the payload; the message's location and the
//! backtrace exist only inside the panic hook. The runtime installs one hook,
//! once, the first time a boundary is entered on any thread, and keeps the
//! hook that was there before for every panic that no boundary of epilogue's
//! will catch.
//!
//! Each thread counts the boundaries it is inside (`DEPTH`); entering and
//! leaving a boundary is all the happy path pays. The hook files what it
//! learns under the current depth, so nested boundaries and many threads
//! never mix up their panics. A panic that happens while the record of an
//! earlier one at the same depth is still unclaimed is a deferred action
//! panicking while that earlier panic unwinds: it is filed apart, so the
//! boundary still gets the original, and it is reported, since nothing will
//! recover it.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::cell::{Cell, RefCell};
use std::panic::{self, PanicHookInfo};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread;

use crate::location::Location;
use crate::payload::payload_message;

/// What the panic hook learned about a panic, handed to the boundary that
/// catches it.
pub(crate) struct Record {
    pub(crate) message: Option<String>,
    pub(crate) location: Option<Location>,
    pub(crate) backtrace: Option<Backtrace>,
    pub(crate) withheld_report: bool,
}

impl Record {
    /// Whether this record describes a panic with this payload (a record the
    /// boundary did not consume, because someone else caught that panic, must
    /// not be attached to a later one).
    pub(crate) fn matches(&self, payload: &(dyn std::any::Any + Send)) -> bool {
        self.message.as_deref() == payload_message(payload)
    }
}

/// `DEPTH` is 0 until this thread first enters a boundary (and the hook is
/// known to be installed), then 1 outside boundaries and 1 + n inside n.
const OUTSIDE: usize = 1;

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    static STATE: RefCell<ThreadState> = const { RefCell::new(ThreadState::new()) };
}

struct ThreadState {
    /// What the hook learned about the panic each boundary will catch, per
    /// boundary depth.
    records: Vec<Option<Record>>,
    /// The last panic that was not filed for a boundary: a deferred action's
    /// panic while another unwinds, or any panic outside every boundary.
    other: Option<Record>,
}

impl ThreadState {
    const fn new() -> Self {
        ThreadState {
            records: Vec::new(),
            other: None,
        }
    }

    fn slot(&mut self, depth: usize) -> Option<&mut Option<Record>> {
        let index = depth.checked_sub(OUTSIDE + 1)?;
        if self.records.len() <= index {
            self.records.resize_with(index + 1, || None);
        }
        self.records.get_mut(index)
    }
}

static INSTALLED: AtomicBool = AtomicBool::new(false);
static INSTALLING: Mutex<()> = Mutex::new(());
static REPORT_RECOVERED: AtomicBool = AtomicBool::new(false);

/// Enters a boundary; returns the depth to restore with [`leave`], or `None`
/// the first time on this thread, when [`first_boundary_on_thread`] must run
/// first. (The caller makes that call from a cold function of its own: a
/// call on the happy path's branch would make every boundary save and restore
/// registers.)
#[inline(always)]
pub(crate) fn enter() -> Option<usize> {
    DEPTH.with(|depth| {
        let outer = depth.get();
        if outer == 0 {
            return None;
        }
        depth.set(outer + 1);
        Some(outer)
    })
}

/// Leaves a boundary entered at `outer`.
#[inline(always)]
pub(crate) fn leave(outer: usize) {
    DEPTH.with(|depth| depth.set(outer));
}

/// Installs the hook if no thread did yet; then boundaries on this thread
/// are counted. False if it cannot be done now (this thread is unwinding,
/// when `set_hook` is not allowed): the caller runs its boundary uncounted,
/// and the next boundary tries again.
#[cold]
pub(crate) fn first_boundary_on_thread() -> bool {
    let installed = install();
    if installed {
        DEPTH.with(|depth| depth.set(OUTSIDE));
    }
    installed
}

/// Installs the hook once for the process; false if it cannot be done now.
fn install() -> bool {
    if INSTALLED.load(Ordering::Acquire) {
        return true;
    }
    if thread::panicking() {
        return false;
    }
    let _installing = INSTALLING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !INSTALLED.load(Ordering::Acquire) {
        if std::env::var_os("EPILOGUE_REPORT_RECOVERED").is_some_and(|value| value != "0") {
            REPORT_RECOVERED.store(true, Ordering::Relaxed);
        }
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if let Verdict::Forward = on_panic(info) {
                previous(info);
            }
        }));
        INSTALLED.store(true, Ordering::Release);
    }
    true
}

/// Keep printing the standard `thread '…' panicked at …` report for panics
/// that a boundary recovers (by default it is held back: a recovered panic is
/// handled).
///
/// The environment variable `EPILOGUE_REPORT_RECOVERED=1` sets the same
/// switch when the hook is installed. Panics outside every boundary, and
/// cleanups that panic while the thread is unwinding, are always reported.
pub fn report_recovered_panics(report: bool) {
    REPORT_RECOVERED.store(report, Ordering::Relaxed);
}

enum Verdict {
    /// Let the previous hook report the panic.
    Forward,
    /// A boundary will recover it: hold the report back.
    Withhold,
}

fn on_panic(info: &PanicHookInfo<'_>) -> Verdict {
    let depth = DEPTH.with(Cell::get);
    let verdict = STATE.try_with(|state| {
        let Ok(mut state) = state.try_borrow_mut() else {
            return Verdict::Forward;
        };
        let withhold = !REPORT_RECOVERED.load(Ordering::Relaxed);
        match state.slot(depth) {
            // Inside a boundary, which will catch this panic: file it there.
            Some(slot) if slot.is_none() => {
                *slot = Some(record(info, withhold));
                if withhold {
                    Verdict::Withhold
                } else {
                    Verdict::Forward
                }
            }
            // Inside a boundary whose panic is still unwinding (a deferred
            // action panicking meanwhile: contained, not recovered), or
            // outside every boundary: report it, and keep what `tracing`
            // wants to know about it.
            _ => {
                state.other = Some(record(info, false));
                Verdict::Forward
            }
        }
    });
    verdict.unwrap_or(Verdict::Forward)
}

fn record(info: &PanicHookInfo<'_>, withheld_report: bool) -> Record {
    let backtrace = Backtrace::capture();
    Record {
        message: payload_message(info.payload()).map(str::to_owned),
        location: info.location().map(Location::from_std),
        backtrace: (backtrace.status() == BacktraceStatus::Captured).then_some(backtrace),
        withheld_report,
    }
}

/// Takes what the hook filed for the boundary at `depth`, if it describes
/// this payload. The boundary's own record is cleared either way: one that
/// does not match was left by a panic someone else caught.
pub(crate) fn take_record(depth: usize, payload: &(dyn std::any::Any + Send)) -> Option<Record> {
    STATE
        .try_with(|state| {
            let mut state = state.try_borrow_mut().ok()?;
            let filed = state.slot(depth).and_then(Option::take);
            match filed {
                Some(record) if record.matches(payload) => Some(record),
                // That stale record made the hook file this panic apart.
                _ => state.other.take().filter(|record| record.matches(payload)),
            }
        })
        .ok()
        .flatten()
}

/// Where a deferred action's panic happened, when the hook saw it: filed
/// apart (it panicked while another panic unwound, or outside every
/// boundary), or filed for the enclosing boundary (it panicked while the
/// function returned, and propagates to that boundary, which keeps the
/// record).
pub(crate) fn location_of(payload: &(dyn std::any::Any + Send)) -> Option<Location> {
    let depth = DEPTH.with(Cell::get);
    STATE
        .try_with(|state| {
            let mut state = state.try_borrow_mut().ok()?;
            if let Some(record) = state.other.take_if(|record| record.matches(payload)) {
                return record.location;
            }
            let filed = state.slot(depth)?.as_ref()?;
            filed.matches(payload).then(|| filed.location.clone()).flatten()
        })
        .ok()
        .flatten()
}

/// Makes sure the hook records panics, so that [`unwinding_panic`] can tell
/// what a panic was: for `tracing` events about panics that no
/// `catch_unwind` of the runtime sees.
#[cfg(feature = "tracing")]
#[cold]
pub(crate) fn record_panics() {
    let _ = install();
}

/// The message and location of the panic this thread is unwinding with, as
/// the hook recorded it, left where it is for the boundary that may catch
/// it.
#[cfg(feature = "tracing")]
pub(crate) fn unwinding_panic() -> Option<(Option<String>, Option<Location>)> {
    let depth = DEPTH.with(Cell::get);
    STATE
        .try_with(|state| {
            let state = state.try_borrow().ok()?;
            let filed = depth
                .checked_sub(OUTSIDE + 1)
                .and_then(|index| state.records.get(index))
                .and_then(Option::as_ref);
            let record = filed.or(state.other.as_ref())?;
            Some((record.message.clone(), record.location.clone()))
        })
        .ok()
        .flatten()
}

/// Prepares a [`Panic::resume`](crate::Panic::resume): `resume_unwind` skips
/// the hook, so the record is filed for the enclosing boundary by hand; with
/// no boundary left to catch it, a withheld report is printed instead.
pub(crate) fn before_resume(record: Record, print: impl FnOnce(&Record)) {
    let depth = DEPTH.with(Cell::get);
    if depth > OUTSIDE {
        let _ = STATE.try_with(|state| {
            if let Some(slot) = state
                .try_borrow_mut()
                .ok()
                .as_mut()
                .and_then(|state| state.slot(depth))
            {
                *slot = Some(record);
            }
        });
    } else if record.withheld_report {
        print(&record);
    }
}
