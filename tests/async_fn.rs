//! `async fn`: the guards live in the future; everything holds
//! across `.await`; dropping the future before it completes runs `defer!` and
//! `defer_on_err!` actions (cancellation counts as failing) but no hooks; the
//! annotated future is `Send` whenever the plain one is.

use common::{block_on, events, log, panic_message, poll_once, yield_now};
use epilogue::defer_on_exit;
use epilogue_test_support as common;
use std::cell::Cell;
use std::time::Duration;

#[defer_on_exit]
async fn transfer(fail: bool) -> Result<u32, String> {
    defer! { log("defer") }
    defer_on_err! { log("defer_on_err") }
    defer!(|ret| log(format!("hook {ret:?}")));
    yield_now().await;
    {
        defer! { log("inner block") }
        yield_now().await;
    }
    if fail {
        Err::<(), _>("failed".to_string())?;
    }
    yield_now().await;
    Ok(5)
}

#[test]
fn everything_holds_across_await() {
    assert_eq!(block_on(transfer(false)), Ok(5));
    assert_eq!(events(), ["inner block", "hook Ok(5)", "defer"]);
    assert_eq!(block_on(transfer(true)), Err("failed".into()));
    assert_eq!(
        events(),
        ["inner block", "hook Err(\"failed\")", "defer_on_err", "defer"]
    );
}

#[test]
fn cancellation_runs_defer_and_defer_on_err_but_no_hook() {
    let mut future = Box::pin(transfer(false));
    assert!(poll_once(future.as_mut()).is_pending());
    assert_eq!(events(), Vec::<String>::new());
    drop(future);
    assert_eq!(events(), ["defer_on_err", "defer"]);
}

#[test]
fn cancellation_inside_an_inner_block() {
    let mut future = Box::pin(transfer(false));
    assert!(poll_once(future.as_mut()).is_pending());
    assert!(poll_once(future.as_mut()).is_pending());
    drop(future);
    assert_eq!(events(), ["inner block", "defer_on_err", "defer"]);
}

#[test]
fn a_future_dropped_before_its_first_poll_runs_nothing() {
    drop(transfer(false));
    assert_eq!(events(), Vec::<String>::new());
}

#[defer_on_exit]
async fn panics_after_await() -> Result<u32, String> {
    defer! { log("defer") }
    defer_on_err! { log("defer_on_err") }
    defer!(|_ret| log("hook"));
    yield_now().await;
    panic!("poll panicked");
}

/// A synchronous cleanup that panics while the function returns: the panic
/// goes on, the value is dropped, and the actions registered before it see
/// a panicking exit, as in a synchronous function (the hook does not run,
/// `defer_on_err!` does).
#[defer_on_exit]
async fn cleanup_panics_while_returning() -> Result<u32, String> {
    defer_on_err! { log("defer_on_err") }
    defer!(|ret| log(format!("hook {ret:?}")));
    defer! { panic!("cleanup failed") }
    yield_now().await;
    Ok(1)
}

#[test]
fn a_sync_cleanup_panicking_on_the_return_path_turns_the_exit_into_a_panic() {
    assert_eq!(
        panic_message(|| block_on(cleanup_panics_while_returning())),
        Err("cleanup failed".into())
    );
    assert_eq!(events(), ["defer_on_err"]);
}

#[test]
fn a_panic_in_a_later_poll_runs_defer_and_defer_on_err() {
    assert_eq!(
        panic_message(|| block_on(panics_after_await())),
        Err("poll panicked".into())
    );
    assert_eq!(events(), ["defer_on_err", "defer"]);
}

#[defer_on_exit]
async fn plain_only() -> u32 {
    defer! { log("plain defer") }
    yield_now().await;
    1
}

#[test]
fn plain_defers_also_run_on_cancellation() {
    let mut future = Box::pin(plain_only());
    assert!(poll_once(future.as_mut()).is_pending());
    drop(future);
    assert_eq!(events(), ["plain defer"]);
    assert_eq!(block_on(plain_only()), 1);
    assert_eq!(events(), ["plain defer"]);
}

struct Store {
    name: String,
}

impl Store {
    #[defer_on_exit]
    async fn lookup<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        defer_on_err! { log(format!("{} has no {key}", self.name)) }
        defer!(|ret| log(format!("lookup -> {ret:?}")));
        yield_now().await;
        (key == "name").then_some(self.name.as_str())
    }
}

#[test]
fn async_methods_returning_borrows() {
    let store = Store { name: "kv".into() };
    assert_eq!(block_on(store.lookup("name")), Some("kv"));
    assert_eq!(block_on(store.lookup("other")), None);
    assert_eq!(
        events(),
        ["lookup -> Some(\"kv\")", "lookup -> None", "kv has no other"]
    );
}

fn assert_send<T: Send>(_: &T) {}

#[defer_on_exit]
async fn holds_state_across_await(input: Vec<String>) -> Result<usize, std::io::Error> {
    let counter = std::sync::atomic::AtomicUsize::new(0);
    defer! { counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed); }
    defer_on_err! { drop(std::fs::remove_file("/nonexistent/epilogue")) }
    defer!(|ret| if let Ok(n) = ret {
        *n += 1;
    });
    tokio::time::sleep(Duration::from_millis(1)).await;
    Ok(input.len())
}

#[test]
fn an_annotated_async_fn_is_send_when_the_plain_one_is() {
    // The slot and the poll mark held across `.await` are Sync (a Cell
    // there would make the future !Send).
    let future = holds_state_across_await(vec![]);
    assert_send(&future);
    assert_send(&transfer(false));
    assert_send(&plain_only());
}

// A parameter that is `Send` but not `Sync`, used across `.await`: the
// plain future owns it, so it is `Send`; a body that borrowed it from the
// function's future (a `&Cell` held across `.await`) would not be.

async fn owns_a_cell_plain(cell: Cell<u32>) -> Result<u32, String> {
    yield_now().await;
    cell.set(cell.get() + 1);
    Ok(cell.get())
}

#[defer_on_exit]
async fn owns_a_cell_with_a_slot(cell: Cell<u32>) -> Result<u32, String> {
    defer_on_err! { log("failed") }
    yield_now().await;
    cell.set(cell.get() + 1);
    Ok(cell.get())
}

#[epilogue::recover(with = |panic| Err(panic.to_string()))]
async fn owns_a_cell_behind_a_boundary(cell: Cell<u32>) -> Result<u32, String> {
    yield_now().await;
    cell.set(cell.get() + 1);
    Ok(cell.get())
}

#[test]
fn a_send_parameter_that_is_not_sync_keeps_the_future_send() {
    let plain = owns_a_cell_plain(Cell::new(1));
    let slot = owns_a_cell_with_a_slot(Cell::new(1));
    let boundary = owns_a_cell_behind_a_boundary(Cell::new(1));
    assert_send(&plain);
    assert_send(&slot);
    assert_send(&boundary);
    assert_eq!(block_on(plain), Ok(2));
    assert_eq!(block_on(slot), Ok(2));
    assert_eq!(block_on(boundary), Ok(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_on_a_multi_threaded_runtime() {
    let handle = tokio::spawn(holds_state_across_await(vec!["a".into(), "b".into()]));
    assert_eq!(handle.await.unwrap().unwrap(), 3);
}

#[defer_on_exit]
async fn slow_operation(name: &'static str) -> Result<(), String> {
    defer! { log(format!("{name}: defer")) }
    defer_on_err! { log(format!("{name}: cancelled, rolling back")) }
    defer!(|_ret| log(format!("{name}: hook")));
    tokio::time::sleep(Duration::from_secs(60)).await;
    Ok(())
}

#[tokio::test]
async fn cancellation_by_select_is_detected() {
    tokio::select! {
        result = slow_operation("slow") => panic!("the slow branch finished: {result:?}"),
        () = tokio::time::sleep(Duration::from_millis(5)) => log("timeout won"),
    }
    assert_eq!(
        events(),
        ["slow: cancelled, rolling back", "slow: defer", "timeout won"]
    );
}

#[defer_on_exit]
async fn select_inside_an_annotated_fn() -> Result<&'static str, String> {
    defer_on_err! { log("outer failed") }
    defer!(|ret| log(format!("outer hook {ret:?}")));
    let winner = tokio::select! {
        _ = slow_operation("inner") => "inner",
        () = tokio::time::sleep(Duration::from_millis(5)) => "timer",
    };
    Ok(winner)
}

#[tokio::test]
async fn a_future_cancelled_inside_another_annotated_fn_poll() {
    // The inner future is dropped while the outer one is being polled: each
    // future has its own poll mark, so only the inner one is cancelled.
    assert_eq!(select_inside_an_annotated_fn().await, Ok("timer"));
    assert_eq!(
        events(),
        [
            "inner: cancelled, rolling back",
            "inner: defer",
            "outer hook Ok(\"timer\")"
        ]
    );
}

#[defer_on_exit]
async fn with_impl_trait(n: u32) -> Result<impl Iterator<Item = u32>, String> {
    defer!(|ret| log(format!("ok={}", ret.is_ok())));
    yield_now().await;
    if n == 0 {
        return Err("zero".into());
    }
    Ok(0..n)
}

#[test]
fn async_impl_trait_returns() {
    assert_eq!(block_on(with_impl_trait(4)).unwrap().count(), 4);
    assert!(block_on(with_impl_trait(0)).is_err());
    assert_eq!(events(), ["ok=true", "ok=false"]);
}
