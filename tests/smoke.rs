use epilogue::{defer_on_exit, recover};
use std::cell::RefCell;

thread_local!(static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) });
fn log(s: impl Into<String>) {
    LOG.with(|l| l.borrow_mut().push(s.into()));
}
fn take() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

#[defer_on_exit]
fn plain() -> i32 {
    defer! { log("a") }
    defer! { log("b") }
    log("body");
    1
}

#[defer_on_exit]
fn hooked(fail: bool) -> Result<i32, String> {
    defer! { log("plain") }
    defer_on_err! { log("err") }
    defer!(|ret| {
        if let Ok(v) = ret {
            *v += 1
        }
    });
    if fail {
        Err("boom".to_string())?;
    }
    Ok(5)
}

#[recover]
fn rec(fail: bool) -> Result<i32, epilogue::Panic> {
    if fail {
        panic!("oops {}", 1)
    }
    Ok(1)
}

#[test]
fn smoke() {
    assert_eq!(plain(), 1);
    assert_eq!(take(), ["body", "b", "a"]);
    assert_eq!(hooked(false), Ok(6));
    assert_eq!(take(), ["plain"]);
    assert_eq!(hooked(true), Err("boom".into()));
    assert_eq!(take(), ["err", "plain"]);
    assert_eq!(rec(false).unwrap(), 1);
    let p = rec(true).unwrap_err();
    assert_eq!(p.message(), "oops 1");
    println!("{p} / {p:?}");
    assert!(p.location().is_some());
}
