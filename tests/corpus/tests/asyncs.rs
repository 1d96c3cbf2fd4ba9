use crate::support::{assert_panics, block_on, fallible, infallible, poll_once};
use epilogue_corpus::asyncs::*;
use epilogue_corpus::probe::{self, Counts};
use std::pin::pin;

fn assert_send<F: std::future::Future + Send>(future: F) -> F {
    future
}

#[test]
fn nested_await() {
    for x in [3, 0] {
        fallible(
            || block_on(nested_await_plain(x)),
            || block_on(nested_await_d(x)),
            || block_on(nested_await_r(x)),
        );
    }
    let out = fallible(
        || block_on(nested_await_plain(999)),
        || block_on(nested_await_d(999)),
        || block_on(nested_await_r(999)),
    );
    assert_panics(&out, "too big to double: 1000");
}

#[test]
fn await_in_match() {
    for x in [20, 3, 0] {
        fallible(
            || block_on(await_in_match_plain(x)),
            || block_on(await_in_match_d(x)),
            || block_on(await_in_match_r(x)),
        );
    }
}

#[test]
fn await_in_if() {
    for x in [9, 3, 1, 0] {
        fallible(
            || block_on(await_in_if_plain(x)),
            || block_on(await_in_if_d(x)),
            || block_on(await_in_if_r(x)),
        );
    }
}

#[test]
fn await_option() {
    for (x, later) in [(5, true), (5, false), (0, true), (1, true)] {
        let later = || later.then(YieldNow::default);
        fallible(
            || block_on(await_option_plain(x, later())),
            || block_on(await_option_d(x, later())),
            || block_on(await_option_r(x, later())),
        );
    }
}

#[test]
fn async_methods() {
    let counter = Counter { hits: 2 };
    for x in [3, 0] {
        fallible(
            || block_on(counter.peek_plain(x)),
            || block_on(counter.peek_d(x)),
            || block_on(counter.peek_r(x)),
        );
        let (mut a, mut b, mut c) = (counter.clone(), counter.clone(), counter.clone());
        fallible(
            || block_on(a.hit_plain(x)),
            || block_on(b.hit_d(x)),
            || block_on(c.hit_r(x)),
        );
        assert_eq!((&a, &b), (&c, &c));
    }
}

#[test]
fn generic_async() {
    for (x, limit) in [(3, 10_u8), (30, 10), (0, 10)] {
        fallible(
            || {
                block_on(assert_send(generic_async_plain(
                    assert_send(fetch_for_test(x)),
                    limit,
                )))
            },
            || {
                block_on(assert_send(generic_async_d(
                    assert_send(fetch_for_test(x)),
                    limit,
                )))
            },
            || {
                block_on(assert_send(generic_async_r(
                    assert_send(fetch_for_test(x)),
                    limit,
                )))
            },
        );
    }
}

async fn fetch_for_test(x: u32) -> Result<u32, String> {
    if x == 0 {
        Err("zero".into())
    } else {
        Ok(x)
    }
}

#[test]
fn async_lifetime() {
    let text = String::from("a b");
    for skip in ["a", "q", "b"] {
        let skip = skip.to_owned();
        fallible(
            || block_on(async_lifetime_plain(&text, &skip)),
            || block_on(async_lifetime_d(&text, &skip)),
            || block_on(async_lifetime_r(&text, &skip)),
        );
    }
    fallible(
        || block_on(async_lifetime_plain("x", "x")),
        || block_on(async_lifetime_d("x", "x")),
        || block_on(async_lifetime_r("x", "x")),
    );
}

#[test]
fn async_impl() {
    infallible(
        || block_on(async_impl_plain(4)).to_string(),
        || block_on(async_impl_d(4)).to_string(),
        || block_on(async_impl_r(4)).to_string(),
    );
}

#[test]
fn async_unit() {
    for x in [0, 4] {
        let mut logs = [Vec::new(), Vec::new(), Vec::new()];
        let [a, b, c] = &mut logs;
        infallible(
            || block_on(async_unit_plain(a, x)),
            || block_on(async_unit_d(b, x)),
            || block_on(async_unit_r(c, x)),
        );
        assert!(logs[0] == logs[1] && logs[1] == logs[2]);
    }
}

#[test]
fn inner_async() {
    for x in [3, 0] {
        fallible(
            || block_on(inner_async_plain(x)),
            || block_on(inner_async_d(x)),
            || block_on(inner_async_r(x)),
        );
    }
}

#[test]
fn native_async_trait() {
    let memory = Memory(vec![1, 2]);
    for x in [3, 0] {
        fallible(
            || block_on(memory.load_plain(x)),
            || block_on(memory.load_d(x)),
            || block_on(memory.load_r(x)),
        );
    }
    for values in [vec![0], vec![5], vec![]] {
        let (mut a, mut b, mut c) = (Memory(values.clone()), Memory(values.clone()), Memory(values));
        fallible(
            || block_on(a.next_plain()),
            || block_on(b.next_d()),
            || block_on(c.next_r()),
        );
        assert_eq!((&a, &b), (&c, &c));
    }
}

#[test]
fn async_trait_macro() {
    let server = Server(10);
    for x in [3, 0] {
        fallible(
            || block_on(server.call_plain(x)),
            || block_on(server.call_d(x)),
            || block_on(server.call_r(x)),
        );
        let mut logs = [Vec::new(), Vec::new(), Vec::new()];
        let [a, b, c] = &mut logs;
        infallible(
            || block_on(server.log_plain(a, x)),
            || block_on(server.log_d(b, x)),
            || block_on(server.log_r(c, x)),
        );
        assert!(logs[0] == logs[1] && logs[1] == logs[2]);
    }
    let out = infallible(
        || block_on(server.log_plain(&mut Vec::new(), 1000)),
        || block_on(server.log_d(&mut Vec::new(), 1000)),
        || block_on(server.log_r(&mut Vec::new(), 1000)),
    );
    assert_panics(&out, "too big to double: 1000");
}

#[test]
fn instrumented() {
    for x in [3, 0] {
        fallible(
            || block_on(instrumented_plain(x)),
            || block_on(instrumented_d(x)),
            || block_on(instrumented_r(x)),
        );
        fallible(
            || instrumented_sync_plain(x),
            || instrumented_sync_d(x),
            || instrumented_sync_r(x),
        );
    }
}

#[test]
fn cancellation_runs_defer_and_defer_on_err_but_no_hook() {
    let _ = probe::take();
    {
        let mut future = pin!(nested_await_d(3));
        assert!(poll_once(future.as_mut()).is_pending());
    }
    assert_eq!(
        probe::take().0,
        Counts {
            hooks: 0,
            errs: 1,
            defers: 1
        }
    );
    {
        let mut future = pin!(nested_await_r(3));
        assert!(poll_once(future.as_mut()).is_pending());
    }
    {
        let mut future = pin!(Server(1).call_d(3));
        assert!(poll_once(future.as_mut()).is_pending());
    }
    {
        let mut future = pin!(instrumented_d(3));
        assert!(poll_once(future.as_mut()).is_pending());
    }
    assert_eq!(
        probe::take().0,
        Counts {
            hooks: 0,
            errs: 2,
            defers: 2
        }
    );
}

#[tokio::test]
async fn spawned_futures_are_send() {
    for x in [3, 0] {
        let plain = tokio::spawn(nested_await_plain(x)).await.unwrap();
        let d = tokio::spawn(nested_await_d(x)).await.unwrap();
        let r = tokio::spawn(nested_await_r(x)).await.unwrap();
        assert_eq!((&plain, &d), (&r, &r));
        let server = std::sync::Arc::new(Server(2));
        let (s1, s2) = (server.clone(), server.clone());
        let d = tokio::spawn(async move { s1.call_d(x).await }).await.unwrap();
        let r = tokio::spawn(async move { s2.call_r(x).await }).await.unwrap();
        assert_eq!(d, r);
        let d = tokio::spawn(instrumented_d(x)).await.unwrap();
        let r = tokio::spawn(instrumented_r(x)).await.unwrap();
        assert_eq!(d, r);
        let d = tokio::spawn(inner_async_d(x)).await.unwrap();
        let r = tokio::spawn(inner_async_r(x)).await.unwrap();
        assert_eq!(d, r);
    }
}

#[test]
fn async_impl_fn() {
    infallible(
        || block_on(async_impl_fn_plain(1))("ab".into()),
        || block_on(async_impl_fn_d(1))("ab".into()),
        || block_on(async_impl_fn_r(1))("ab".into()),
    );
}
