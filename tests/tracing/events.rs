//! The `tracing` events: a TRACE event under target `epilogue` for
//! each deferred action that runs, with `function`, `kind`, `exit` and
//! `elapsed_ns`; an ERROR event for an action that panics; an ERROR event for
//! a recovered panic; all inside the current span.

use epilogue::{catch, defer_on_exit, recover, Panic};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// One recorded event: level, target, fields, and the names of the spans it
/// was inside, outermost first.
#[derive(Clone, Debug)]
struct Recorded {
    level: tracing::Level,
    target: String,
    fields: BTreeMap<String, String>,
    spans: Vec<String>,
}

impl Recorded {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    /// `kind/exit` of an action event, or `ERROR message` of an error event.
    fn summary(&self) -> String {
        if self.level == tracing::Level::ERROR {
            format!("ERROR {}", self.field("message").unwrap_or("?"))
        } else {
            format!(
                "{}/{}",
                self.field("kind").unwrap_or("?"),
                self.field("exit").unwrap_or("?")
            )
        }
    }
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Recorded>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_event(&self, event: &Event<'_>, context: LayerContext<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let spans = context
            .event_scope(event)
            .map(|scope| scope.from_root().map(|span| span.name().to_owned()).collect())
            .unwrap_or_default();
        self.0.lock().unwrap().push(Recorded {
            level: *event.metadata().level(),
            target: event.metadata().target().to_owned(),
            fields,
            spans,
        });
    }
}

/// Runs `f` with a recording subscriber on this thread; returns the events
/// under target `epilogue`.
fn record(f: impl FnOnce()) -> Vec<Recorded> {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    tracing::subscriber::with_default(subscriber, f);
    let events = recorder.0.lock().unwrap().clone();
    events
        .into_iter()
        .filter(|event| event.target == "epilogue")
        .collect()
}

fn summaries(events: &[Recorded]) -> Vec<String> {
    events.iter().map(Recorded::summary).collect()
}

fn quietly<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> std::thread::Result<T> {
    std::panic::catch_unwind(f)
}

#[defer_on_exit]
fn transaction(fail: bool) -> Result<u32, String> {
    defer! { let _ = 1; }
    defer_on_err! { let _ = 2; }
    defer!(|ret| {
        let _ = ret;
    });
    if fail {
        return Err("failed".into());
    }
    Ok(1)
}

#[test]
fn every_action_that_runs_is_a_trace_event_with_its_fields() {
    let events = record(|| {
        transaction(false).unwrap();
    });
    assert_eq!(summaries(&events), ["hook/returned", "defer/returned"]);
    for event in &events {
        assert_eq!(event.level, tracing::Level::TRACE);
        assert_eq!(event.field("function"), Some("events::transaction"));
        assert_eq!(event.field("message"), Some("deferred action ran"));
        let elapsed: u64 = event.field("elapsed_ns").unwrap().parse().unwrap();
        assert!(elapsed < 1_000_000_000);
    }
    let events = record(|| {
        transaction(true).unwrap_err();
    });
    assert_eq!(
        summaries(&events),
        ["hook/failed", "defer_on_err/failed", "defer/failed"]
    );
}

#[defer_on_exit]
fn panics() -> Result<u32, String> {
    defer! { let _ = 1; }
    defer_on_err! { let _ = 2; }
    defer!(|_ret| ());
    panic!("body panicked");
}

#[test]
fn a_panic_is_exit_panicked_and_runs_no_hook() {
    let events = record(|| {
        let _ = quietly(panics);
    });
    assert_eq!(summaries(&events), ["defer_on_err/panicked", "defer/panicked"]);
}

#[defer_on_exit]
fn scopes() -> Option<u32> {
    for _ in 0..2 {
        defer! { let _ = 1; }
        defer_on_err! { let _ = 2; }
    }
    defer!(|_ret| ());
    None
}

#[defer_on_exit]
fn plain_only() {
    for _ in 0..2 {
        defer! { let _ = 1; }
    }
}

#[test]
fn an_inner_block_ending_is_scope_end() {
    let events = record(|| {
        scopes();
    });
    assert_eq!(
        summaries(&events),
        ["defer/scope_end", "defer/scope_end", "hook/failed"]
    );
    // Without an exit slot a plain defer reports only `scope_end` or
    // `panicked` (documented).
    let events = record(plain_only);
    assert_eq!(summaries(&events), ["defer/scope_end", "defer/scope_end"]);
}

/// A return type with no failure case: every exit it returns on is
/// `returned`, whatever the value.
#[defer_on_exit]
fn doubled(n: u32) -> u32 {
    defer!(|ret| *ret *= 2);
    n
}

/// A generic return type is not known to have a failure case, even when
/// the caller picks `Result`: the same label as `doubled`'s.
#[defer_on_exit]
fn passed_through<R>(value: R) -> R {
    defer!(|_ret| ());
    value
}

/// A return type named through an alias is still `Result`.
type Outcome = Result<u32, String>;

#[defer_on_exit]
fn through_an_alias(fail: bool) -> Outcome {
    defer!(|_ret| ());
    if fail {
        return Err("no".into());
    }
    Ok(1)
}

#[test]
fn the_exit_label_follows_what_the_return_type_is_known_to_be() {
    let events = record(|| assert_eq!(doubled(3), 6));
    assert_eq!(summaries(&events), ["hook/returned"]);
    let events = record(|| {
        let failing: Result<u8, String> = passed_through(Err("no".into()));
        assert!(failing.is_err());
    });
    assert_eq!(summaries(&events), ["hook/returned"]);
    let events = record(|| {
        assert!(through_an_alias(true).is_err());
        assert_eq!(through_an_alias(false), Ok(1));
    });
    assert_eq!(summaries(&events), ["hook/failed", "hook/returned"]);
}

#[defer_on_exit]
fn plain_only_panics() {
    defer! { let _ = 1; }
    panic!("boom");
}

#[test]
fn without_a_slot_a_panic_is_still_panicked() {
    let events = record(|| {
        let _ = quietly(plain_only_panics);
    });
    assert_eq!(summaries(&events), ["defer/panicked"]);
}

#[defer_on_exit]
fn cleanup_panics_while_unwinding() -> Result<(), String> {
    defer_on_err! { let _ = 1; }
    defer! { panic!("the cleanup failed") }
    panic!("the body failed");
}

#[defer_on_exit]
fn cleanup_panics_while_returning() -> Result<(), String> {
    defer_on_err! { let _ = 1; }
    defer! { panic!("the cleanup failed on return") }
    Ok(())
}

#[test]
fn a_panicking_action_is_an_error_event() {
    let events = record(|| {
        let _ = quietly(cleanup_panics_while_unwinding);
    });
    assert_eq!(
        summaries(&events),
        ["ERROR the cleanup failed", "defer_on_err/panicked"]
    );
    let error = &events[0];
    assert_eq!(error.level, tracing::Level::ERROR);
    assert_eq!(error.field("kind"), Some("defer"));
    assert_eq!(error.field("exit"), Some("panicked"));
    assert_eq!(
        error.field("function"),
        Some("events::cleanup_panics_while_unwinding")
    );

    let events = record(|| {
        let _ = quietly(cleanup_panics_while_returning);
    });
    assert_eq!(
        summaries(&events),
        ["ERROR the cleanup failed on return", "defer_on_err/panicked"]
    );
    assert_eq!(events[0].field("exit"), Some("returned"));
}

#[recover]
#[defer_on_exit]
fn recovered_with_cleanup_panic() -> Option<()> {
    defer! { panic!("cleanup panic inside a boundary") }
    panic!("recovered body panic");
}

#[test]
fn inside_a_boundary_the_panicking_action_has_its_location() {
    let events = record(|| {
        recovered_with_cleanup_panic();
    });
    assert_eq!(
        summaries(&events),
        [
            "ERROR cleanup panic inside a boundary",
            "ERROR recovered body panic"
        ]
    );
    assert!(events[0]
        .field("location")
        .unwrap()
        .starts_with("tests/tracing/events.rs:"));
    assert!(events[1]
        .field("location")
        .unwrap()
        .starts_with("tests/tracing/events.rs:"));
}

const RECOVERED_LINE: u32 = line!() + 3;
#[recover]
fn recovered(fail: bool) -> Result<u32, Panic> {
    assert!(!fail, "request failed");
    Ok(1)
}

#[test]
fn a_recovered_panic_is_an_error_event() {
    let events = record(|| {
        recovered(false).unwrap();
    });
    assert!(events.is_empty());
    let events = record(|| {
        recovered(true).unwrap_err();
    });
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.level, tracing::Level::ERROR);
    // The event's message is the panic's.
    assert_eq!(event.field("message"), Some("request failed"));
    assert_eq!(event.field("function"), Some("events::recovered"));
    let location = event.field("location").unwrap();
    assert!(
        location.starts_with(&format!("tests/tracing/events.rs:{RECOVERED_LINE}:")),
        "{location}"
    );
    let events = record(|| {
        catch(|| panic!("caught by catch")).unwrap_or(());
    });
    assert_eq!(events.len(), 1);
}

#[tracing::instrument]
#[defer_on_exit]
fn instrumented_outer(fail: bool) -> Result<u32, String> {
    defer_on_err! { let _ = 1; }
    defer!(|_ret| ());
    if fail {
        return Err("no".into());
    }
    Ok(1)
}

#[defer_on_exit]
#[tracing::instrument]
fn instrumented_inner(fail: bool) -> Result<u32, String> {
    defer_on_err! { let _ = 1; }
    defer!(|_ret| ());
    if fail {
        return Err("no".into());
    }
    Ok(1)
}

#[test]
fn events_nest_in_the_span_of_tracing_instrument_in_either_order() {
    let events = record(|| {
        instrumented_outer(true).unwrap_err();
        instrumented_inner(true).unwrap_err();
    });
    assert_eq!(
        summaries(&events),
        [
            "hook/failed",
            "defer_on_err/failed",
            "hook/failed",
            "defer_on_err/failed"
        ]
    );
    assert_eq!(events[0].spans, ["instrumented_outer"]);
    assert_eq!(events[1].spans, ["instrumented_outer"]);
    assert_eq!(events[2].spans, ["instrumented_inner"]);
    assert_eq!(events[3].spans, ["instrumented_inner"]);
}

#[test]
fn events_are_inside_the_current_span() {
    let events = record(|| {
        let span = tracing::info_span!("request", id = 7);
        let _entered = span.enter();
        transaction(false).unwrap();
    });
    assert!(events.iter().all(|event| event.spans == ["request"]));
}

struct Pending;

impl Future for Pending {
    type Output = ();
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

#[defer_on_exit]
async fn download() -> Result<Vec<u8>, String> {
    defer! { let _ = 1; }
    defer_on_err! { let _ = 2; }
    defer!(|_ret| ());
    Pending.await;
    Ok(vec![])
}

#[test]
fn async_cancellation_is_exit_cancelled() {
    let events = record(|| {
        let mut future = Box::pin(download());
        assert!(future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending());
        drop(future);
    });
    assert_eq!(summaries(&events), ["defer_on_err/cancelled", "defer/cancelled"]);
}

#[tracing::instrument]
#[defer_on_exit]
async fn instrumented_download() -> Result<Vec<u8>, String> {
    defer_on_err! { let _ = 2; }
    Pending.await;
    Ok(vec![])
}

#[test]
fn a_cancelled_instrumented_future_reports_inside_its_span() {
    let events = record(|| {
        let mut future = Box::pin(instrumented_download());
        assert!(future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending());
        drop(future);
    });
    assert_eq!(summaries(&events), ["defer_on_err/cancelled"]);
    assert_eq!(events[0].spans, ["instrumented_download"]);
}

#[tokio::test]
async fn cancelled_by_a_timeout() {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    let _default = tracing::subscriber::set_default(subscriber);
    let timed_out = tokio::time::timeout(std::time::Duration::from_millis(5), download()).await;
    assert!(timed_out.is_err());
    let events: Vec<_> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.target == "epilogue")
        .cloned()
        .collect();
    assert_eq!(summaries(&events), ["defer_on_err/cancelled", "defer/cancelled"]);
}

// ---- Borrow-free and async actions.

#[defer_on_exit]
fn borrow_free(fail: bool) -> Result<u32, String> {
    let mut step = 0;
    defer! { let _ = step; }
    step += 1;
    if fail {
        return Err(format!("failed at {step}"));
    }
    Ok(step)
}

#[test]
fn borrow_free_actions_report_their_exit() {
    let events = record(|| {
        borrow_free(false).unwrap();
        borrow_free(true).unwrap_err();
    });
    // The borrow-free form needs the exit slot, so a plain `defer!` knows
    // whether the function returned or failed.
    assert_eq!(summaries(&events), ["defer/returned", "defer/failed"]);
    assert!(events.iter().all(|event| event.level == tracing::Level::TRACE));
}

// With a subscriber, a borrow-free action runs out of line on the value
// moved out of the exit slot, which it then hands back: what the hook makes
// of the value must be what the function returns, and labels the event.

#[defer_on_exit]
fn borrow_free_hook(fail: bool) -> Result<u32, String> {
    let mut step = 1;
    defer!(|ret| {
        if let Ok(value) = ret {
            *value += step;
        } else {
            *ret = Ok(step);
        }
    });
    step += 10;
    if fail {
        return Err(format!("failed at {step}"));
    }
    Ok(step)
}

#[test]
fn a_traced_borrow_free_hook_changes_what_the_function_returns() {
    let mut returned = Vec::new();
    let events = record(|| {
        returned.push(borrow_free_hook(false));
        returned.push(borrow_free_hook(true));
    });
    assert_eq!(returned, [Ok(22), Ok(11)]);
    // The label is taken after the hook ran: it turned the error into a
    // success.
    assert_eq!(summaries(&events), ["hook/returned", "hook/returned"]);
}

/// Counts its drops.
struct Tracked<'a>(&'a std::cell::Cell<u32>);

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[defer_on_exit]
fn borrow_free_hook_panics(drops: &std::cell::Cell<u32>) -> Result<Tracked<'_>, String> {
    let mut step = 0;
    defer_on_err! { let _ = step; }
    defer!(|ret| {
        let _ = (ret, step);
        panic!("the hook failed");
    });
    step += 1;
    Ok(Tracked(drops))
}

#[test]
fn a_traced_borrow_free_hook_that_panics_drops_the_value_once() {
    let drops = std::cell::Cell::new(0);
    let events = record(|| {
        let result = quietly(std::panic::AssertUnwindSafe(|| borrow_free_hook_panics(&drops)));
        assert!(result.is_err(), "the hook's panic propagates");
    });
    assert_eq!(
        drops.get(),
        1,
        "the value that was being returned is dropped once"
    );
    // The cleanup registered before the hook sees the function panicking.
    assert_eq!(
        summaries(&events),
        ["ERROR the hook failed", "defer_on_err/panicked"]
    );
    assert_eq!(events[0].field("kind"), Some("hook"));
    assert_eq!(events[0].field("exit"), Some("returned"));
}

async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

#[defer_on_exit]
async fn async_actions(fail: bool) -> Result<u32, String> {
    defer!(async { yield_once().await });
    defer_on_err!(async { yield_once().await });
    defer!(async |ret| {
        yield_once().await;
        let _ = ret;
    });
    yield_once().await;
    if fail {
        return Err("failed".into());
    }
    Ok(1)
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

#[test]
fn async_actions_that_run_are_trace_events() {
    let events = record(|| {
        block_on(async_actions(false)).unwrap();
    });
    assert_eq!(summaries(&events), ["hook/returned", "defer/returned"]);
    let events = record(|| {
        block_on(async_actions(true)).unwrap_err();
    });
    assert_eq!(
        summaries(&events),
        ["hook/failed", "defer_on_err/failed", "defer/failed"]
    );
    assert!(events.iter().all(|event| event
        .field("function")
        .is_some_and(|f| f.ends_with("::async_actions"))));
}

// Synchronous actions in an `async fn` run after their frame against a slot
// the flow lends them; traced, the value moves once more, out of that slot
// and back.
#[defer_on_exit]
async fn sync_hook_in_async(fail: bool) -> Result<u32, String> {
    defer_on_err! { let _ = 1; }
    defer!(|ret| {
        if let Ok(value) = ret {
            *value += 1;
        } else {
            *ret = Ok(0);
        }
    });
    yield_once().await;
    if fail {
        return Err("failed".into());
    }
    Ok(1)
}

#[test]
fn traced_sync_hooks_in_an_async_fn_change_what_it_returns() {
    let mut returned = Vec::new();
    let events = record(|| {
        returned.push(block_on(sync_hook_in_async(false)));
        returned.push(block_on(sync_hook_in_async(true)));
    });
    assert_eq!(returned, [Ok(2), Ok(0)]);
    // The hook runs first and turns the error into a success, so the
    // cleanup registered before it does not run.
    assert_eq!(summaries(&events), ["hook/returned", "hook/returned"]);
}

#[test]
fn each_async_action_skipped_by_a_cancellation_is_a_warning() {
    let events = record(|| {
        let mut future = Box::pin(async_actions(false));
        assert!(future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
            .is_pending());
        drop(future);
    });
    assert_eq!(
        summaries(&events),
        ["hook/cancelled", "defer_on_err/cancelled", "defer/cancelled"]
    );
    assert!(events.iter().all(|event| event.level == tracing::Level::WARN));
}

#[defer_on_exit]
async fn panics_before_its_async_action() -> Result<u32, String> {
    defer!(async { yield_once().await });
    yield_once().await;
    panic!("body panicked");
}

#[test]
fn an_async_action_skipped_by_a_panic_is_a_warning() {
    let events = record(|| {
        let result = quietly(|| block_on(panics_before_its_async_action()));
        assert!(result.is_err());
    });
    assert_eq!(summaries(&events), ["defer/panicked"]);
    assert_eq!(events[0].level, tracing::Level::WARN);
}

#[defer_on_exit]
async fn async_action_panics() -> Result<u32, String> {
    defer_on_err! { let _ = 1; }
    defer!(async {
        yield_once().await;
        panic!("flush failed");
    });
    Ok(1)
}

#[test]
fn an_async_action_that_panics_is_an_error_event() {
    let events = record(|| {
        let result = quietly(|| block_on(async_action_panics()));
        assert!(result.is_err());
    });
    assert_eq!(
        summaries(&events),
        ["ERROR flush failed", "defer_on_err/panicked"]
    );
    assert!(events[0]
        .field("location")
        .is_some_and(|location| location.contains("events.rs")));
    assert_eq!(events[0].field("kind"), Some("defer"));
}

/// Every action async: the value being returned travels with the frames'
/// flow rather than through a slot, and the panic's event still names the
/// exit the action was running on.
#[defer_on_exit]
async fn only_async_actions_one_panics(fail: bool) -> Result<u32, String> {
    defer!(async { yield_once().await });
    defer!(async |ret| {
        yield_once().await;
        if ret.is_err() {
            panic!("flush failed");
        }
    });
    if fail {
        return Err("failed".into());
    }
    Ok(1)
}

#[test]
fn an_async_action_that_panics_names_the_exit_it_ran_on() {
    let events = record(|| {
        let result = quietly(|| block_on(only_async_actions_one_panics(true)));
        assert!(result.is_err());
    });
    assert_eq!(summaries(&events), ["ERROR flush failed", "defer/panicked"]);
    assert_eq!(events[0].field("kind"), Some("hook"));
    assert_eq!(events[0].field("exit"), Some("failed"));
    assert_eq!(events[1].level, tracing::Level::WARN);
    let events = record(|| {
        assert_eq!(block_on(only_async_actions_one_panics(false)), Ok(1));
    });
    assert_eq!(summaries(&events), ["hook/returned", "defer/returned"]);
}

macro_rules! bail {
    ($message:expr) => {
        return Err($message.to_owned())
    };
}

#[defer_on_exit]
fn hidden_return(fail: bool) -> Result<u32, String> {
    defer_on_err! { let _ = 1; }
    if fail {
        bail!("hidden");
    }
    Ok(1)
}

#[test]
fn a_return_hidden_in_a_macro_is_classified_as_written() {
    let events = record(|| {
        hidden_return(true).unwrap_err();
    });
    assert_eq!(summaries(&events), ["defer_on_err/failed"]);
}

/// Runs `f` with a recording subscriber on this thread; returns every event.
fn record_all(f: impl FnOnce()) -> Vec<Recorded> {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    tracing::subscriber::with_default(subscriber, f);
    let events = recorder.0.lock().unwrap().clone();
    events
}

#[tracing::instrument(err)]
#[defer_on_exit(map_err = |err| format!("loading {name}: {err}"))]
fn load_instrumented_outside(name: &str, fail: bool) -> Result<u32, String> {
    defer_on_err!(|err| err.push('!'));
    if fail {
        return Err("not found".into());
    }
    Ok(1)
}

#[defer_on_exit(map_err = |err| format!("loading {name}: {err}"))]
#[tracing::instrument(err)]
fn load_instrumented_inside(name: &str, fail: bool) -> Result<u32, String> {
    defer_on_err!(|err| err.push('!'));
    if fail {
        return Err("not found".into());
    }
    Ok(1)
}

#[test]
fn instrument_err_records_the_error_map_err_made_in_either_order() {
    for (function, load) in [
        (
            "load_instrumented_outside",
            load_instrumented_outside as fn(&str, bool) -> Result<u32, String>,
        ),
        ("load_instrumented_inside", load_instrumented_inside),
    ] {
        let events = record_all(|| {
            assert_eq!(load("cfg", false), Ok(1));
            assert_eq!(load("cfg", true), Err("loading cfg: not found!".into()));
        });
        // On success: nothing (no error event, and no TRACE event from
        // `map_err`, which did not run).
        let errors: Vec<&Recorded> = events
            .iter()
            .filter(|event| event.level == tracing::Level::ERROR)
            .collect();
        assert_eq!(errors.len(), 1, "{function}: one error event");
        assert_eq!(
            errors[0].field("error"),
            Some("loading cfg: not found!"),
            "{function}"
        );
        assert_eq!(errors[0].spans, [function]);
        let actions: Vec<String> = events
            .iter()
            .filter(|event| event.target == "epilogue")
            .map(Recorded::summary)
            .collect();
        assert_eq!(actions, ["defer_on_err/failed", "map_err/failed"], "{function}");
    }
}

#[tracing::instrument(err)]
#[defer_on_exit(map_err = |err| format!("sending {name}: {err}"))]
async fn send_instrumented_outside(name: &str, fail: bool) -> Result<u32, String> {
    defer_on_err!(|err| err.push('!'));
    defer!(async { std::future::ready(()).await });
    if fail {
        return Err("refused".into());
    }
    Ok(1)
}

#[defer_on_exit(map_err = |err| format!("sending {name}: {err}"))]
#[tracing::instrument(err, ret)]
async fn send_instrumented_inside(name: &str, fail: bool) -> Result<u32, String> {
    defer_on_err!(|err| err.push('!'));
    defer!(async { std::future::ready(()).await });
    if fail {
        return Err("refused".into());
    }
    Ok(1)
}

#[test]
fn instrument_err_on_an_async_fn_records_the_mapped_error_in_either_order() {
    let outside = record_all(|| {
        assert_eq!(
            block_on(send_instrumented_outside("a", true)),
            Err("sending a: refused!".into())
        );
    });
    let inside = record_all(|| {
        assert_eq!(
            block_on(send_instrumented_inside("a", true)),
            Err("sending a: refused!".into())
        );
    });
    for (function, events) in [
        ("send_instrumented_outside", outside),
        ("send_instrumented_inside", inside),
    ] {
        let errors: Vec<&Recorded> = events
            .iter()
            .filter(|event| event.level == tracing::Level::ERROR)
            .collect();
        assert_eq!(errors.len(), 1, "{function}: one error event");
        assert_eq!(
            errors[0].field("error"),
            Some("sending a: refused!"),
            "{function}"
        );
        assert_eq!(errors[0].spans, [function]);
    }
}
