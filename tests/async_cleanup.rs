//! Async cleanups: in an `async fn`, `defer!(async { … })`,
//! `defer_on_err!(async { … })` and `defer!(async |ret| …)` are awaited on
//! every normal exit of their block (its end, `return`, `?`, `break`,
//! `continue`), in LIFO order with the synchronous actions, and borrow
//! nothing until they run. A panic or a cancellation leaves nothing to await
//! them: they do not run then, while the synchronous actions do.

use epilogue::defer_on_exit;
use epilogue_test_support::{block_on, events, log, panic_message, poll_once, yield_now, Local};
use std::future::Future;
use std::pin::pin;
use std::task::Poll;

/// An async operation: logs, and waits once.
async fn flush(what: impl std::fmt::Display) {
    log(format!("flushing {what}"));
    yield_now().await;
    log(format!("flushed {what}"));
}

#[defer_on_exit]
async fn every_exit(how: &str) -> Result<u32, String> {
    let mut written = 0;
    defer!(async { flush(format!("{written} lines")).await });
    written += 1;
    if how == "return" {
        return Ok(written);
    }
    let n: u32 = how.parse().map_err(|_| "not a number".to_owned())?;
    written += n;
    yield_now().await;
    Ok(written)
}

#[test]
fn awaited_on_every_normal_exit() {
    assert_eq!(block_on(every_exit("return")), Ok(1));
    assert_eq!(events(), ["flushing 1 lines", "flushed 1 lines"]);
    assert_eq!(block_on(every_exit("x")), Err("not a number".into()));
    assert_eq!(events(), ["flushing 1 lines", "flushed 1 lines"]);
    assert_eq!(block_on(every_exit("2")), Ok(3));
    assert_eq!(events(), ["flushing 3 lines", "flushed 3 lines"]);
}

#[defer_on_exit]
async fn lifo_with_sync() -> u8 {
    let _a = Local("a");
    defer! { log("sync 1") }
    defer!(async { flush("async 2").await });
    let _b = Local("b");
    defer! { log("sync 3") }
    defer!(async { flush("async 4").await });
    let _c = Local("c");
    7
}

#[test]
fn lifo_across_sync_and_async_actions_and_locals() {
    assert_eq!(block_on(lifo_with_sync()), 7);
    assert_eq!(
        events(),
        [
            "drop c",
            "flushing async 4",
            "flushed async 4",
            "sync 3",
            "drop b",
            "flushing async 2",
            "flushed async 2",
            "sync 1",
            "drop a"
        ]
    );
}

#[defer_on_exit]
async fn per_iteration() -> Vec<u32> {
    let mut done = Vec::new();
    for i in 0..4 {
        defer!(async { flush(format!("iteration {i}")).await });
        if i == 1 {
            continue;
        }
        if i == 3 {
            break;
        }
        done.push(i);
    }
    done
}

#[test]
fn per_iteration_with_continue_and_break() {
    assert_eq!(block_on(per_iteration()), [0, 2]);
    let flushed: Vec<String> = events()
        .into_iter()
        .filter(|e| e.starts_with("flushed"))
        .collect();
    assert_eq!(
        flushed,
        [
            "flushed iteration 0",
            "flushed iteration 1",
            "flushed iteration 2",
            "flushed iteration 3"
        ]
    );
}

/// A writer whose flush can fail.
struct Writer {
    buffered: Vec<u8>,
    fail_flush: bool,
}

impl Writer {
    async fn flush(&mut self) -> Result<(), String> {
        yield_now().await;
        if self.fail_flush {
            Err(format!("flush of {} bytes failed", self.buffered.len()))
        } else {
            self.buffered.clear();
            Ok(())
        }
    }
}

/// An async hook turns `Ok` into `Err` when the flush fails; the
/// `defer_on_err!` registered before it then sees the failure.
#[defer_on_exit]
async fn save(fail_flush: bool) -> Result<usize, String> {
    let mut out = Writer {
        buffered: Vec::new(),
        fail_flush,
    };
    defer_on_err! { log("remove the partial file") }
    defer!(async |ret| {
        if let Err(error) = out.flush().await {
            if ret.is_ok() {
                *ret = Err(error);
            }
        }
    });
    out.buffered.extend_from_slice(b"hello");
    Ok(out.buffered.len())
}

#[test]
fn an_async_hook_can_turn_ok_into_err() {
    assert_eq!(block_on(save(false)), Ok(5));
    assert_eq!(events(), Vec::<String>::new());
    assert_eq!(block_on(save(true)), Err("flush of 5 bytes failed".into()));
    assert_eq!(events(), ["remove the partial file"]);
}

#[defer_on_exit]
async fn rollback(fail_at: u8) -> Result<u8, String> {
    let mut state = "begun";
    defer_on_err!(async { flush(format!("rollback from {state}")).await });
    if fail_at == 0 {
        return Err("failed at once".into());
    }
    state = "half done";
    if fail_at == 1 {
        return Err(format!("failed when {state}"));
    }
    state = "done";
    Ok(state.len() as u8)
}

#[test]
fn async_defer_on_err_runs_on_err_only() {
    assert_eq!(block_on(rollback(2)), Ok(4));
    assert_eq!(events(), Vec::<String>::new());
    assert_eq!(block_on(rollback(0)), Err("failed at once".into()));
    assert_eq!(
        events(),
        ["flushing rollback from begun", "flushed rollback from begun"]
    );
    assert_eq!(block_on(rollback(1)), Err("failed when half done".into()));
    assert_eq!(
        events(),
        [
            "flushing rollback from half done",
            "flushed rollback from half done"
        ]
    );
}

#[defer_on_exit]
async fn move_forms() -> u32 {
    let mut n = 1;
    defer!(async move { log(format!("async move saw {n}")) });
    defer!(async { log(format!("async saw {n}")) });
    defer!(async move |ret| log(format!("async move hook saw n = {n}, ret = {ret}")));
    n = 2;
    n * 10
}

#[test]
fn move_forms_capture_at_registration() {
    assert_eq!(block_on(move_forms()), 20);
    assert_eq!(
        events(),
        [
            "async move hook saw n = 1, ret = 20",
            "async saw 2",
            "async move saw 1"
        ]
    );
}

#[defer_on_exit]
async fn cancelled() -> Result<(), String> {
    defer! { log("sync defer") }
    defer_on_err! { log("sync defer_on_err") }
    defer!(async { log("async defer") });
    defer_on_err!(async { log("async defer_on_err") });
    yield_now().await;
    Ok(())
}

#[test]
fn cancellation_runs_the_sync_actions_only() {
    let mut future = Box::pin(cancelled());
    assert!(poll_once(future.as_mut()).is_pending());
    drop(future);
    assert_eq!(events(), ["sync defer_on_err", "sync defer"]);
}

#[defer_on_exit]
async fn panics() -> Result<(), String> {
    defer_on_err! { log("sync defer_on_err") }
    defer!(async { log("async defer") });
    yield_now().await;
    panic!("boom");
}

#[test]
fn a_panic_runs_the_sync_actions_only() {
    let message = panic_message(|| block_on(panics())).unwrap_err();
    assert_eq!(message, "boom");
    assert_eq!(events(), ["sync defer_on_err"]);
}

#[defer_on_exit]
async fn async_action_panics() -> Result<u8, String> {
    defer_on_err! { log("sync defer_on_err sees a panicking exit") }
    defer!(|ret| log(format!("never: hook {ret:?}")));
    defer!(async {
        yield_now().await;
        panic!("async cleanup failed");
    });
    Ok(1)
}

#[test]
fn an_async_action_panicking_on_the_return_path_turns_the_exit_into_a_panic() {
    let message = panic_message(|| block_on(async_action_panics())).unwrap_err();
    assert_eq!(message, "async cleanup failed");
    assert_eq!(events(), ["sync defer_on_err sees a panicking exit"]);
}

/// A `Send` but not `Sync` local held across the async action's `.await`.
#[defer_on_exit]
async fn send_future(cell: std::cell::Cell<u8>) -> Result<u8, String> {
    defer!(async { cell.set(cell.get() + 1) });
    defer!(async |ret| {
        yield_now().await;
        if let Ok(value) = ret {
            *value += 1;
        }
    });
    yield_now().await;
    Ok(cell.get())
}

fn assert_send<F: Future + Send>(future: F) -> F {
    future
}

#[test]
fn the_future_stays_send() {
    assert_eq!(block_on(assert_send(send_future(std::cell::Cell::new(3)))), Ok(4));
}

/// The same with a synchronous `defer_on_err!`, whose guard lives across the
/// `.await`s and runs against a slot lent after its frame: still `Send`.
#[defer_on_exit]
async fn send_future_with_a_guard(cell: std::cell::Cell<u8>) -> Result<u8, String> {
    defer_on_err! { log("guard ran") }
    defer!(async |ret| {
        yield_now().await;
        if let Ok(value) = ret {
            *value += 1;
        }
    });
    yield_now().await;
    Ok(cell.get())
}

#[test]
fn the_future_with_a_guard_stays_send() {
    assert_eq!(
        block_on(assert_send(send_future_with_a_guard(std::cell::Cell::new(3)))),
        Ok(4)
    );
    assert!(events().is_empty());
}

/// A synchronous hook in an `async fn` runs only when the function
/// returns, never on a cancellation: it is built after the rest of its
/// block, so it may use what the body keeps changing, and sees it as left.
#[defer_on_exit]
async fn sync_hook_uses_what_the_body_changes(fail: bool) -> Result<usize, String> {
    let mut lines = Vec::new();
    defer!(|ret| {
        if let Ok(count) = ret {
            *count += lines.len();
        }
        log(format!("hook saw {lines:?}"));
    });
    defer_on_err!(|err| err.push_str(&format!(" after {} lines", lines.len())));
    lines.push("first");
    yield_now().await;
    lines.push("second");
    if fail {
        return Err("failed".into());
    }
    Ok(100)
}

#[test]
fn sync_hooks_in_an_async_fn_borrow_nothing_until_they_run() {
    assert_eq!(block_on(sync_hook_uses_what_the_body_changes(false)), Ok(102));
    assert_eq!(events(), ["hook saw [\"first\", \"second\"]"]);
    assert_eq!(
        block_on(sync_hook_uses_what_the_body_changes(true)),
        Err("failed after 2 lines".into())
    );
    assert_eq!(events(), ["hook saw [\"first\", \"second\"]"]);
    // Cancelled at the `.await`: no value, so neither runs.
    let mut future = Box::pin(sync_hook_uses_what_the_body_changes(false));
    assert!(poll_once(future.as_mut()).is_pending());
    drop(future);
    assert!(events().is_empty());
}

/// Defines a struct, as `pin_project!` does: a macro the attribute cannot
/// see into.
macro_rules! define_counter {
    ($name:ident) => {
        struct $name(usize);
    };
}

/// Items after an action, one of them defined by a macro and implemented by
/// the next: the frame keeps the `impl` with what the macro defines.
#[defer_on_exit]
async fn items_defined_by_a_macro_after_an_action(start: usize) -> Result<usize, String> {
    defer_on_err! { log("failed") }
    define_counter! { Counter }
    impl Counter {
        fn next(&self) -> usize {
            self.0 + 1
        }
    }
    yield_now().await;
    Ok(Counter(start).next())
}

#[test]
fn items_a_macro_defines_after_an_action_keep_their_impls() {
    assert_eq!(block_on(items_defined_by_a_macro_after_an_action(1)), Ok(2));
    assert!(events().is_empty());
}

/// Async hooks in inner blocks: each runs when the function returns through
/// its block (a `return` there, or the block being the function's value),
/// and not when the block just ends, or is left by `break` or `continue`.
#[defer_on_exit]
async fn hooks_in_inner_blocks(exit: &str) -> Result<u32, String> {
    for round in 0..2_u32 {
        defer!(async |ret| {
            yield_now().await;
            log(format!("loop hook saw {ret:?}"));
            if let Ok(value) = ret {
                *value += 10;
            }
        });
        match (exit, round) {
            ("continue", 0) => continue,
            ("break", 0) => break,
            ("return", 1) => return Ok(round),
            _ => {}
        }
        log(format!("round {round} ended"));
    }
    if exit == "tail" {
        defer!(async |ret| {
            yield_now().await;
            log(format!("tail hook saw {ret:?}"));
            if let Ok(value) = ret {
                *value += 100;
            }
        });
        Ok(1)
    } else {
        Err(format!("no return in the loop for {exit}"))
    }
}

#[test]
fn async_hooks_in_inner_blocks_run_only_when_the_function_returns_through_them() {
    assert_eq!(block_on(hooks_in_inner_blocks("return")), Ok(11));
    assert_eq!(events(), ["round 0 ended", "loop hook saw Ok(1)"]);
    assert_eq!(block_on(hooks_in_inner_blocks("tail")), Ok(101));
    assert_eq!(
        events(),
        ["round 0 ended", "round 1 ended", "tail hook saw Ok(1)"]
    );
    assert_eq!(
        block_on(hooks_in_inner_blocks("continue")),
        Err("no return in the loop for continue".into())
    );
    assert_eq!(events(), ["round 1 ended"]);
    assert_eq!(
        block_on(hooks_in_inner_blocks("break")),
        Err("no return in the loop for break".into())
    );
    assert!(events().is_empty());
}

#[defer_on_exit]
async fn nested_blocks(fail_inner: bool) -> Result<Vec<&'static str>, String> {
    let mut steps = Vec::new();
    defer!(async { log(format!("outer saw {steps:?}")) });
    {
        defer!(async { log(format!("inner saw {steps:?}")) });
        steps.push("inner");
        if fail_inner {
            return Err("inner failed".into());
        }
    }
    steps.push("outer");
    Ok(steps.clone())
}

#[test]
fn nested_blocks_await_their_own_actions() {
    assert_eq!(block_on(nested_blocks(false)), Ok(vec!["inner", "outer"]));
    assert_eq!(
        events(),
        ["inner saw [\"inner\"]", "outer saw [\"inner\", \"outer\"]"]
    );
    assert_eq!(block_on(nested_blocks(true)), Err("inner failed".into()));
    assert_eq!(events(), ["inner saw [\"inner\"]", "outer saw [\"inner\"]"]);
}

#[test]
fn pending_is_what_an_unfinished_poll_returns() {
    // Sanity check of the test helpers the cancellation test relies on.
    let mut future = pin!(async { yield_now().await });
    assert_eq!(poll_once(future.as_mut()), Poll::Pending);
    assert_eq!(poll_once(future.as_mut()), Poll::Ready(()));
}
