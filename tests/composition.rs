//! Other attributes on the same function: `#[tokio::main]`, `#[tokio::test]`
//! and `#[async_trait]` move the body into a future before (or after) ours
//! expands, in either order. (`#[tracing::instrument]` is tested with the
//! `tracing` events, in `tests/tracing`.)

use async_trait::async_trait;
use common::{block_on, events, log};
use epilogue::{defer_on_exit, recover};
use epilogue_test_support as common;

// `#[tokio::main]` is not only for `main`: on any `async fn` it makes a
// synchronous function that runs the body on a new runtime.

#[tokio::main(flavor = "current_thread")]
#[defer_on_exit]
async fn tokio_main_above(n: u32) -> Result<u32, String> {
    defer! { log("defer") }
    defer_on_err! { log("on err") }
    defer!(|ret| log(format!("hook {ret:?}")));
    tokio::task::yield_now().await;
    if n == 0 {
        return Err("zero".to_owned());
    }
    Ok(n)
}

#[defer_on_exit]
#[tokio::main(flavor = "current_thread")]
async fn tokio_main_below(n: u32) -> Result<u32, String> {
    defer! { log("defer") }
    defer_on_err! { log("on err") }
    defer!(|ret| log(format!("hook {ret:?}")));
    tokio::task::yield_now().await;
    if n == 0 {
        return Err("zero".to_owned());
    }
    Ok(n)
}

#[test]
fn defer_on_exit_composes_with_tokio_main_in_either_order() {
    for run in [tokio_main_above, tokio_main_below] {
        assert_eq!(run(2), Ok(2));
        assert_eq!(events(), ["hook Ok(2)", "defer"]);
        assert_eq!(run(0), Err("zero".to_owned()));
        assert_eq!(events(), ["hook Err(\"zero\")", "on err", "defer"]);
    }
}

#[tokio::main(flavor = "current_thread")]
#[recover(default)]
async fn tokio_main_recover_above(fail: bool) -> u32 {
    tokio::task::yield_now().await;
    assert!(!fail, "failed on the runtime");
    1
}

#[recover(default)]
#[tokio::main(flavor = "current_thread")]
async fn tokio_main_recover_below(fail: bool) -> u32 {
    tokio::task::yield_now().await;
    assert!(!fail, "failed on the runtime");
    1
}

#[test]
fn recover_composes_with_tokio_main_in_either_order() {
    for run in [tokio_main_recover_above, tokio_main_recover_below] {
        assert_eq!(run(false), 1);
        assert_eq!(run(true), 0);
    }
}

// The hook turns the body's `Err` into `Ok`: these tests pass only if it
// ran, in the order where `#[tokio::test]` expands first and in the other.

#[tokio::test]
#[defer_on_exit]
async fn hook_runs_under_tokio_test_above() -> Result<(), String> {
    defer!(|ret| *ret = ret.take_err_as_ok());
    tokio::task::yield_now().await;
    Err("the hook makes this Ok".to_owned())
}

#[defer_on_exit]
#[tokio::test]
async fn hook_runs_under_tokio_test_below() -> Result<(), String> {
    defer!(|ret| *ret = ret.take_err_as_ok());
    tokio::task::yield_now().await;
    Err("the hook makes this Ok".to_owned())
}

trait TakeErrAsOk {
    fn take_err_as_ok(&mut self) -> Self;
}

impl TakeErrAsOk for Result<(), String> {
    fn take_err_as_ok(&mut self) -> Self {
        match self {
            Err(message) if message == "the hook makes this Ok" => Ok(()),
            other => other.clone(),
        }
    }
}

#[tokio::test]
#[recover(with = |_| ())]
async fn panic_is_recovered_under_tokio_test_above() {
    tokio::task::yield_now().await;
    panic!("recovered: the test passes");
}

#[recover(with = |_| ())]
#[tokio::test]
async fn panic_is_recovered_under_tokio_test_below() {
    tokio::task::yield_now().await;
    panic!("recovered: the test passes");
}

// `#[async_trait]` on the trait and the impl expands before the method
// attributes: the body arrives inside `Box::pin(async move { … })`.

#[async_trait]
trait Store {
    async fn save(&self, key: &str) -> Result<usize, String>;

    #[defer_on_exit]
    async fn save_all(&self, keys: &[&str]) -> Result<usize, String> {
        defer_on_err! { log("save_all rolled back") }
        let mut saved = 0;
        for key in keys {
            saved += self.save(key).await?;
        }
        Ok(saved)
    }

    #[recover(with = |panic| Err(panic.to_string()))]
    async fn guarded_save(&self, key: &str) -> Result<usize, String> {
        assert!(!key.is_empty(), "empty key");
        self.save(key).await
    }
}

struct Memory;

#[async_trait]
impl Store for Memory {
    #[defer_on_exit]
    async fn save(&self, key: &str) -> Result<usize, String> {
        defer!(|ret| log(format!("save {key}: {ret:?}")));
        if key == "bad" {
            return Err(format!("cannot save {key}"));
        }
        Ok(key.len())
    }
}

#[test]
fn both_attributes_compose_with_async_trait() {
    assert_eq!(block_on(Memory.save_all(&["a", "bc"])), Ok(3));
    assert_eq!(events(), ["save a: Ok(1)", "save bc: Ok(2)"]);
    assert_eq!(
        block_on(Memory.save_all(&["a", "bad", "c"])),
        Err("cannot save bad".to_owned())
    );
    assert_eq!(
        events(),
        [
            "save a: Ok(1)",
            "save bad: Err(\"cannot save bad\")",
            "save_all rolled back"
        ]
    );
    assert_eq!(block_on(Memory.guarded_save("abc")), Ok(3));
    let recovered = block_on(Memory.guarded_save("")).unwrap_err();
    assert!(recovered.contains("empty key"), "{recovered}");
}
