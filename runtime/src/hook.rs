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
//! never mix up their panics, and a cleanup that panics while the thread is
//! already unwinding (a "cleanup region") is filed apart from the panic that
//! is unwinding.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::cell::{Cell, RefCell};
use std::panic::{self, PanicHookInfo};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::thread;

use crate::panic::{payload_message, Location, Record};

/// `DEPTH` is 0 until this thread first enters a boundary (and the hook is
/// known to be installed), then 1 outside boundaries and 1 + n inside n.
const OUTSIDE: usize = 1;

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    static STATE: RefCell<ThreadState> = const { RefCell::new(ThreadState::new()) };
}

struct ThreadState {
    /// What the hook learned, per boundary depth.
    records: Vec<Option<Record>>,
    /// The depth at which each running cleanup region was entered, innermost
    /// last.
    cleanup_regions: Vec<usize>,
    /// What the hook learned about the last panic of a cleanup region.
    cleanup_record: Option<Record>,
}

impl ThreadState {
    const fn new() -> Self {
        ThreadState {
            records: Vec::new(),
            cleanup_regions: Vec::new(),
            cleanup_record: None,
        }
    }
}

static INSTALLED: AtomicBool = AtomicBool::new(false);
static INSTALLING: Mutex<()> = Mutex::new(());
static REPORT_RECOVERED: AtomicBool = AtomicBool::new(false);

/// Enters a boundary; returns the depth to restore with [`leave`].
#[inline(always)]
pub(crate) fn enter() -> usize {
    DEPTH.with(|depth| {
        let mut outer = depth.get();
        if outer == 0 {
            outer = first_boundary_on_thread();
        }
        depth.set(outer + 1);
        outer
    })
}

/// Leaves a boundary entered at `outer`.
#[inline(always)]
pub(crate) fn leave(outer: usize) {
    DEPTH.with(|depth| depth.set(outer));
}

#[cold]
#[inline(never)]
fn first_boundary_on_thread() -> usize {
    if install() {
        OUTSIDE
    } else {
        // Not installed (this thread is unwinding, when `set_hook` is not
        // allowed): stay at 0 so the next boundary tries again.
        0
    }
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
        if state.cleanup_regions.last() == Some(&depth) {
            // A cleanup panicking while the thread unwinds: it is contained,
            // not recovered, so it is reported; its record must not replace
            // the record of the panic that is unwinding.
            state.cleanup_record = Some(record(info, false));
            return Verdict::Forward;
        }
        if depth <= OUTSIDE {
            return Verdict::Forward;
        }
        let withhold = !REPORT_RECOVERED.load(Ordering::Relaxed);
        let slot = depth - OUTSIDE - 1;
        if state.records.len() <= slot {
            state.records.resize_with(slot + 1, || None);
        }
        state.records[slot] = Some(record(info, withhold));
        if withhold {
            Verdict::Withhold
        } else {
            Verdict::Forward
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
/// this payload.
pub(crate) fn take_record(depth: usize, payload: &(dyn std::any::Any + Send)) -> Option<Record> {
    let slot = depth.checked_sub(OUTSIDE + 1)?;
    STATE
        .try_with(|state| {
            let mut state = state.try_borrow_mut().ok()?;
            let record = state.records.get_mut(slot)?.take()?;
            record.matches(payload).then_some(record)
        })
        .ok()
        .flatten()
}

/// A cleanup running while the thread unwinds: panics inside it are filed
/// apart (see [`take_cleanup_record`]) and always reported.
pub(crate) struct CleanupRegion {
    entered: bool,
}

impl CleanupRegion {
    pub(crate) fn enter() -> Self {
        let depth = DEPTH.with(Cell::get);
        let entered = STATE
            .try_with(|state| match state.try_borrow_mut() {
                Ok(mut state) => {
                    state.cleanup_regions.push(depth);
                    true
                }
                Err(_) => false,
            })
            .unwrap_or(false);
        CleanupRegion { entered }
    }
}

impl Drop for CleanupRegion {
    fn drop(&mut self) {
        if self.entered {
            let _ = STATE.try_with(|state| {
                if let Ok(mut state) = state.try_borrow_mut() {
                    state.cleanup_regions.pop();
                }
            });
        }
    }
}

/// What the hook learned about the panic of the cleanup region just left.
pub(crate) fn take_cleanup_record() -> Option<Record> {
    STATE
        .try_with(|state| state.try_borrow_mut().ok()?.cleanup_record.take())
        .ok()
        .flatten()
}

/// Prepares a [`Panic::resume`](crate::Panic::resume): `resume_unwind` skips
/// the hook, so the record is filed for the enclosing boundary by hand; with
/// no boundary left to catch it, a withheld report is printed instead.
pub(crate) fn before_resume(record: Record, print: impl FnOnce(&Record)) {
    let depth = DEPTH.with(Cell::get);
    if depth > OUTSIDE {
        let slot = depth - OUTSIDE - 1;
        let _ = STATE.try_with(|state| {
            if let Ok(mut state) = state.try_borrow_mut() {
                if state.records.len() <= slot {
                    state.records.resize_with(slot + 1, || None);
                }
                state.records[slot] = Some(record);
            }
        });
    } else if record.withheld_report {
        print(&record);
    }
}

/// Where the panic filed for the current boundary happened, if one is filed:
/// the location of a cleanup's panic on the return path, which propagates to
/// that boundary.
#[cfg(feature = "tracing")]
pub(crate) fn current_location() -> Option<Location> {
    let slot = DEPTH.with(Cell::get).checked_sub(OUTSIDE + 1)?;
    STATE
        .try_with(|state| {
            let state = state.try_borrow().ok()?;
            state.records.get(slot)?.as_ref()?.location.clone()
        })
        .ok()
        .flatten()
}
