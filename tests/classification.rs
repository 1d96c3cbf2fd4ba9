//! Exit classification is exact: a guard decides "panicking" by
//! comparing with the state when its function was entered, so a function
//! called from a `Drop` that runs during unwinding does not take that
//! unwinding for its own panic (the bug of scopeguard's `OnUnwind`,
//! bluss/scopeguard#43).

use common::{block_on, events, log, panic_message};
use epilogue::defer_on_exit;
use epilogue_test_support as common;

#[defer_on_exit]
fn returns_while_the_thread_unwinds() -> Result<u8, String> {
    defer! { log("defer") }
    defer_on_err! { log("defer_on_err: wrong, nothing failed") }
    defer!(|ret| log(format!("hook {ret:?}")));
    for i in 0..2 {
        defer_on_err! { log(format!("loop defer_on_err {i}: wrong")) }
    }
    Ok(1)
}

#[defer_on_exit]
fn fails_while_the_thread_unwinds() -> Result<u8, String> {
    defer_on_err! { log("defer_on_err for the Err") }
    Err("no".into())
}

#[defer_on_exit]
async fn async_returns_while_the_thread_unwinds() -> Result<u8, String> {
    defer_on_err! { log("async defer_on_err: wrong") }
    defer!(|ret| log(format!("async hook {ret:?}")));
    common::yield_now().await;
    Ok(2)
}

struct CallsOnDrop;

impl Drop for CallsOnDrop {
    fn drop(&mut self) {
        assert!(std::thread::panicking());
        log(format!("{:?}", returns_while_the_thread_unwinds()));
        log(format!("{:?}", fails_while_the_thread_unwinds()));
        log(format!(
            "{:?}",
            block_on(async_returns_while_the_thread_unwinds())
        ));
    }
}

#[test]
fn functions_called_during_unwinding_classify_their_own_exits() {
    let result = panic_message(|| {
        let _calls = CallsOnDrop;
        panic!("outer panic");
    });
    assert_eq!(result, Err("outer panic".into()));
    assert_eq!(
        events(),
        [
            "hook Ok(1)",
            "defer",
            "Ok(1)",
            "defer_on_err for the Err",
            "Err(\"no\")",
            "async hook Ok(2)",
            "Ok(2)"
        ]
    );
}

#[defer_on_exit]
fn panics_itself() -> Result<u8, String> {
    defer_on_err! { log("top-level defer_on_err") }
    {
        defer_on_err! { log("inner-block defer_on_err") }
        defer! { log("defer") }
        panic!("inner panic");
    }
}

struct PanicsInsideDrop;

impl Drop for PanicsInsideDrop {
    fn drop(&mut self) {
        let inner = panic_message(panics_itself);
        log(format!("inner: {inner:?}"));
    }
}

#[test]
fn a_function_entered_during_unwinding_that_panics_too() {
    // A guard in the body's outermost block knows the function panicked:
    // the body did not complete. A `defer_on_err!` in an inner block asks
    // the thread, and stable Rust exposes `thread::panicking()`, not a panic
    // count, so a function entered while the thread unwinds cannot tell its
    // own panic from the one already in flight there: it sees no panic (the
    // documented limit). `defer!` runs either way.
    let _ = panic_message(|| {
        let _inside = PanicsInsideDrop;
        panic!("outer panic");
    });
    assert_eq!(
        events(),
        ["defer", "top-level defer_on_err", "inner: Err(\"inner panic\")"]
    );
}
