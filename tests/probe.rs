use epilogue::{defer_on_exit, recover};
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

thread_local!(static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) });
fn log(s: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(s.into()));
}
fn take() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

struct YieldOnce(bool);
impl Future for YieldOnce {
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

#[defer_on_exit]
async fn work(fail: bool) -> Result<u32, String> {
    defer! { log("defer") }
    defer_on_err! { log("on_err") }
    defer!(|ret| { log(format!("hook {ret:?}")) });
    YieldOnce(false).await;
    if fail {
        return Err("bad".into());
    }
    Ok(1)
}

#[defer_on_exit]
fn adder(k: i32) -> impl Fn(i32) -> i32 {
    defer!(|_ret| log("hook adder"));
    move |x| x + k
}

#[defer_on_exit]
fn res_iter(n: u32) -> Result<impl Iterator<Item = u32>, String> {
    defer!(|ret| log(format!("ok={}", ret.is_ok())));
    if n == 0 {
        return Err("zero".into());
    }
    Ok(0..n)
}

#[recover]
#[defer_on_exit]
fn both(fail: bool) -> Option<u32> {
    defer! { log("cleanup") }
    defer_on_err! { log("err-cleanup") }
    assert!(!fail, "failing");
    Some(3)
}

#[defer_on_exit]
#[recover]
fn both_rev(fail: bool) -> Option<u32> {
    defer! { log("cleanup") }
    assert!(!fail, "failing");
    Some(3)
}

fn assert_send<T: Send>(_: &T) {}

fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[test]
fn probe() {
    assert_eq!(run(work(false)), Ok(1));
    assert_eq!(take(), ["hook Ok(1)", "defer"]);
    assert_eq!(run(work(true)), Err("bad".into()));
    assert_eq!(take(), ["hook Err(\"bad\")", "on_err", "defer"]);
    {
        let mut f = Box::pin(work(false));
        let mut cx = Context::from_waker(Waker::noop());
        assert!(f.as_mut().poll(&mut cx).is_pending());
        drop(f);
    }
    assert_eq!(take(), ["on_err", "defer"]);
    assert_send(&work(false));
    assert_eq!(adder(2)(3), 5);
    assert_eq!(take(), ["hook adder"]);
    assert_eq!(res_iter(3).unwrap().sum::<u32>(), 3);
    assert!(res_iter(0).is_err());
    assert_eq!(take(), ["ok=true", "ok=false"]);
    std::panic::set_hook(Box::new(|_| {}));
    assert_eq!(both(false), Some(3));
    assert_eq!(both(true), None);
    assert_eq!(take(), ["cleanup", "err-cleanup", "cleanup"]);
    assert_eq!(both_rev(true), None);
    assert_eq!(take(), ["cleanup"]);
}
