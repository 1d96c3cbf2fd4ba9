//! The panic hook, and the per-thread bookkeeping that lets it tell which
//! boundary a panic belongs to.
//!
//! `catch_unwind` gives only the payload; the message's location and the
//! backtrace exist only inside the panic hook. The runtime installs one hook,
//! once, the first time a boundary is entered on any thread, and keeps the
//! hook that was there before for every panic that no boundary of epilogue's
//! will catch. [`install_panic_hook`] puts it back on top after the
//! application set a hook of its own; see there for how it avoids stacking
//! two of epilogue's hooks, and [`take_record`] for the one-time notice when
//! a boundary finds that the hook was replaced.
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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
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
    /// Set while one of epilogue's hooks handles a panic on this thread (see
    /// [`EpilogueHook::call`]).
    static IN_HOOK: Cell<bool> = const { Cell::new(false) };
    /// Set while this thread installs the hook. Installing allocates, and a
    /// `#[global_allocator]` whose `alloc` is a boundary comes back here.
    static INSTALLING_HERE: Cell<bool> = const { Cell::new(false) };
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

/// Whether a hook of epilogue's was ever installed (by the first boundary,
/// or by [`install_panic_hook`]). The first boundary on each thread reads it;
/// once it is set, boundaries never install a hook again by themselves.
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Serializes installations: `take_hook` then `set_hook` is not atomic.
static INSTALLING: Mutex<()> = Mutex::new(());
static REPORT_RECOVERED: AtomicBool = AtomicBool::new(false);

/// The hooks of epilogue's that exist right now, wherever they are: the
/// current hook, one kept inside another hook as its "previous", one that
/// someone took with `take_hook` and holds. Each is added when it is built
/// and removed when std (or whoever holds it) drops it.
static LIVE_HOOKS: Mutex<Vec<LiveHook>> = Mutex::new(Vec::new());
static NEXT_HOOK_ID: AtomicU64 = AtomicU64::new(1);
/// Set once the notice that the hook was replaced has been given.
static NOTICE_GIVEN: AtomicBool = AtomicBool::new(false);

/// A panic hook, as std takes and gives them.
type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// One of epilogue's hooks that is alive: its id, and the address of its
/// closure, which is the address `take_hook` gives back (std returns the very
/// box that `set_hook` received).
struct LiveHook {
    id: u64,
    address: usize,
}

fn live_hooks() -> MutexGuard<'static, Vec<LiveHook>> {
    LIVE_HOOKS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The address of a hook's closure: equal for two hooks only if they are the
/// same allocation, as long as both are alive.
fn address_of(hook: &(dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static)) -> usize {
    std::ptr::from_ref(hook).cast::<()>() as usize
}

/// Whether `hook` (just taken with `take_hook`, so alive) is one of
/// epilogue's. Sound because an entry of [`LIVE_HOOKS`] is removed by its
/// hook's destructor, before the hook's memory is freed: every address listed
/// belongs to a live allocation, and two live allocations never share one.
/// (Hooks of zero size all share a dangling address, but epilogue's are never
/// of zero size: they own the previous hook.)
fn is_epilogues(hook: &(dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static)) -> bool {
    let address = address_of(hook);
    live_hooks().iter().any(|live| live.address == address)
}

/// Owned by one of epilogue's hooks: takes it off [`LIVE_HOOKS`] when it is
/// dropped (std drops the hook it replaces in `set_hook`, and whoever calls
/// `take_hook` drops the hook when they are done with it).
struct Registration(u64);

impl Drop for Registration {
    fn drop(&mut self) {
        live_hooks().retain(|live| live.id != self.0);
    }
}

/// Epilogue's hook: files what it learns for the boundary that will catch
/// the panic, and calls the hook it replaced for the rest.
struct EpilogueHook {
    previous: Hook,
    _registration: Registration,
}

impl EpilogueHook {
    fn call(&self, info: &PanicHookInfo<'_>) {
        // Only the outermost of epilogue's hooks acts. Two can be chained
        // (ours, a hook of the application's that calls the hook it replaced,
        // then ours again, after `install_panic_hook`): the inner one, reached
        // through that chain while the outer one handles the same panic,
        // just passes the panic on. (A hook is never re-entered for another
        // panic: std aborts on a panic inside a panic hook.)
        let outermost = IN_HOOK.try_with(|active| !active.replace(true)).unwrap_or(true);
        if !outermost {
            (self.previous)(info);
            return;
        }
        if let Verdict::Forward = on_panic(info) {
            (self.previous)(info);
        }
        let _ = IN_HOOK.try_with(|active| active.set(false));
    }
}

/// Sets a new hook of epilogue's, chaining to `previous`. The caller holds
/// [`INSTALLING`] and is not panicking.
fn set_epilogues_on_top(previous: Hook) {
    let id = NEXT_HOOK_ID.fetch_add(1, Ordering::Relaxed);
    let ours = EpilogueHook {
        previous,
        _registration: Registration(id),
    };
    let hook: Hook = Box::new(move |info| ours.call(info));
    live_hooks().push(LiveHook {
        id,
        address: address_of(&*hook),
    });
    panic::set_hook(hook);
}

/// What the first installation in the process reads from the environment.
/// The caller holds [`INSTALLING`].
fn read_environment_once() {
    if !INSTALLED.load(Ordering::Acquire)
        && std::env::var_os("EPILOGUE_REPORT_RECOVERED").is_some_and(|value| value != "0")
    {
        REPORT_RECOVERED.store(true, Ordering::Relaxed);
    }
}

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
/// Once installed, it is never installed again by a boundary: an application
/// that replaces it has taken the hook over, and [`install_panic_hook`] is
/// how it gives it back.
fn install() -> bool {
    if INSTALLED.load(Ordering::Acquire) {
        return true;
    }
    // Re-entered from the allocation of the installation itself (a boundary
    // in a global allocator): waiting for the lock this thread holds would
    // never end. That boundary runs uncounted, as while unwinding.
    if thread::panicking() || INSTALLING_HERE.get() {
        return false;
    }
    let _installing = INSTALLING.lock().unwrap_or_else(PoisonError::into_inner);
    INSTALLING_HERE.set(true);
    if !INSTALLED.load(Ordering::Acquire) {
        read_environment_once();
        set_epilogues_on_top(panic::take_hook());
        INSTALLED.store(true, Ordering::Release);
    }
    INSTALLING_HERE.set(false);
    true
}

/// Puts epilogue's panic hook on top of the current panic hook, which it
/// keeps and calls for every panic that it does not recover.
///
/// `#[recover]`, [`catch`](crate::catch) and
/// [`catch_future`](crate::catch_future) learn a panic's
/// [location](crate::Panic::location) and backtrace from this hook, and the
/// hook holds back the standard report of the panics they recover. The first
/// boundary entered installs it by itself, on top of the hook set at that
/// time. But std keeps a single panic hook: a hook set later with
/// `std::panic::set_hook` replaces epilogue's, and so does
/// `std::panic::take_hook()`, which leaves the default hook. From then on,
/// recovered panics have no location, and the new hook reports them as if
/// nothing had caught them. The first boundary that catches a panic without
/// epilogue's hook says so, once per process: on stderr, or, with the
/// `tracing` feature and a subscriber set, as a WARN event with target
/// `epilogue`.
///
/// **The rule: set your own panic hook (a crash reporter, a logger, a test's
/// quiet hook) before the first boundary runs, or call `install_panic_hook()`
/// after setting it.** Either way your hook is kept: it sees every panic that
/// no boundary recovers, and the recovered ones too with
/// [`report_recovered_panics(true)`](report_recovered_panics).
///
/// A hook that chains to the one it replaces (it calls the result of
/// `take_hook` after its own work) keeps epilogue's working, locations
/// included, but sees the recovered panics first, and cannot tell them from
/// crashes: call `install_panic_hook()` after setting it too.
///
/// Calling it again when epilogue's hook is already the current one changes
/// nothing: it never stacks two of epilogue's hooks. On a thread that is
/// panicking (in a `Drop` during unwinding), where std forbids changing the
/// hook, it does nothing.
///
/// ```
/// use epilogue::{catch, install_panic_hook, recover};
/// use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
///
/// static CRASHES: AtomicUsize = AtomicUsize::new(0);
///
/// #[recover]
/// fn parse_port(text: &str) -> Option<u16> {
///     Some(text.parse().expect("not a port"))
/// }
///
/// // A boundary runs first: it installs epilogue's hook.
/// assert_eq!(parse_port("8080"), Some(8080));
///
/// // A crash reporter set afterwards replaces it...
/// std::panic::set_hook(Box::new(|_info| {
///     CRASHES.fetch_add(1, Relaxed);
/// }));
/// // ... so put epilogue's hook back on top of it (twice is the same as once).
/// install_panic_hook();
/// install_panic_hook();
///
/// // A recovered panic has its location, and is not a crash.
/// let panic = catch(|| parse_port("http").unwrap()).unwrap_err();
/// assert!(panic.location().is_some());
/// assert_eq!(CRASHES.load(Relaxed), 0);
///
/// // A panic that no boundary recovers still reaches the crash reporter.
/// let _ = std::thread::spawn(|| panic!("a real crash")).join();
/// assert_eq!(CRASHES.load(Relaxed), 1);
/// ```
pub fn install_panic_hook() {
    if thread::panicking() {
        return;
    }
    let _installing = INSTALLING.lock().unwrap_or_else(PoisonError::into_inner);
    read_environment_once();
    // std offers no way to look at the current hook but taking it: between
    // `take_hook` and `set_hook`, a panic on another thread meets the default
    // hook (as during the first installation). This is why boundaries never
    // look, and why the notice (`caught_without_record`) is decided without
    // looking.
    let current = panic::take_hook();
    if is_epilogues(&*current) {
        panic::set_hook(current);
    } else {
        set_epilogues_on_top(current);
    }
    INSTALLED.store(true, Ordering::Release);
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
///
/// No record at all may mean that the hook was replaced: see
/// [`caught_without_record`].
pub(crate) fn take_record(depth: usize, payload: &(dyn std::any::Any + Send)) -> Option<Record> {
    let record = STATE
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
        .flatten();
    if record.is_none() {
        caught_without_record();
    }
    record
}

/// A boundary caught a panic that the hook did not file: say once per
/// process that epilogue's hook was replaced, if it was.
///
/// A missing record alone proves nothing: a panic raised on another thread
/// and carried over with `resume_unwind` (a `rayon` job, a joined thread)
/// skips every hook, and so does a payload thrown with `resume_unwind` to
/// unwind quietly. Those happen while epilogue's hook is in place, and must
/// not be reported. So the notice needs a fact, not a guess: a hook of
/// epilogue's was installed, and none is alive any more ([`LIVE_HOOKS`] is
/// empty). That is what `set_hook` does to the hook it replaces (std drops
/// it), and what `take_hook()` does when its result is dropped. The notice is
/// then true whichever panic triggered it, a carried one included.
///
/// A hook of epilogue's that is alive but not called (taken with
/// `take_hook` and kept aside to be set again later, or held by a hook on top
/// that never calls it) is not reported. It cannot be told apart from one
/// that a chaining hook on top still calls, where a carried panic is no sign
/// of anything: telling them apart would take a look at the current hook
/// (which only `take_hook` gives, sending other threads' panics to the
/// default hook meanwhile) and even then could not say whether the hook on
/// top calls ours. The notice errs on the side of silence.
#[cold]
#[inline(never)]
fn caught_without_record() {
    if !INSTALLED.load(Ordering::Acquire) || NOTICE_GIVEN.load(Ordering::Relaxed) {
        return;
    }
    if !live_hooks().is_empty() || NOTICE_GIVEN.swap(true, Ordering::Relaxed) {
        return;
    }
    give_notice(REPLACED_NOTICE);
}

/// The notice that epilogue's hook was replaced.
const REPLACED_NOTICE: &str = "the panic hook that `#[recover]` and `catch` rely on was replaced \
(`std::panic::set_hook` or `take_hook` after the first boundary ran): recovered panics have no \
location, and the current hook reports them as if nothing had caught them. Set your panic hook \
before the first boundary runs, or call `epilogue::install_panic_hook()` after setting it. \
(This notice is given once.)";

/// With the `tracing` feature, a WARN event, when a subscriber is there to
/// take it; on stderr otherwise, so that the notice is never lost.
fn give_notice(notice: &str) {
    #[cfg(feature = "tracing")]
    if tracing::dispatcher::get_default(|dispatch| !dispatch.is::<tracing::subscriber::NoSubscriber>()) {
        tracing::warn!(target: "epilogue", "{notice}");
        return;
    }
    // One write: the default hook writes to stderr without taking its lock,
    // and would cut into a line written piece by piece.
    let line = format!("epilogue: {notice}\n");
    eprint!("{line}");
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// The only test of this binary that touches the process's panic hook.
    #[test]
    fn install_panic_hook_never_stacks_two_of_epilogues_hooks() {
        static CHAINING_HOOK_CALLS: AtomicUsize = AtomicUsize::new(0);
        let hooks = || live_hooks().len();

        install_panic_hook();
        assert_eq!(hooks(), 1);
        install_panic_hook();
        assert_eq!(hooks(), 1, "epilogue's hook is the current one: nothing changes");
        assert!(install(), "a boundary's installation");
        assert_eq!(hooks(), 1);

        // A hook that chains to epilogue's: epilogue's lives on inside it,
        // and a new one goes on top of it, once.
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            CHAINING_HOOK_CALLS.fetch_add(1, Ordering::Relaxed);
            previous(info);
        }));
        assert_eq!(hooks(), 1);
        install_panic_hook();
        assert_eq!(hooks(), 2);
        install_panic_hook();
        assert_eq!(hooks(), 2);

        // The outer hook recovers; the chaining hook is not called.
        let line = line!() + 1;
        let panic = crate::catch(|| -> () { panic!("through the chain") }).unwrap_err();
        assert_eq!(panic.location().map(Location::line), Some(line));
        assert_eq!(CHAINING_HOOK_CALLS.load(Ordering::Relaxed), 0);
        // Outside every boundary: on to the chaining hook, then through the
        // inner hook of epilogue's, which passes it on.
        let _ = panic::catch_unwind(|| panic!("outside every boundary"));
        assert_eq!(CHAINING_HOOK_CALLS.load(Ordering::Relaxed), 1);

        // `take_hook()`, its result dropped: the whole chain is gone.
        drop(panic::take_hook());
        assert_eq!(hooks(), 0);
        install_panic_hook();
        assert_eq!(hooks(), 1);
    }
}
