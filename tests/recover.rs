//! `#[recover]`: every form on every kind of function, the `Panic`
//! value, `catch`, nesting, and composition with `#[defer_on_exit]` in
//! either order.

use common::{block_on, events, log, panic_message, yield_now};
use epilogue::{catch, defer_on_exit, recover, Panic};
use epilogue_test_support as common;

#[recover]
fn to_result(fail: bool) -> Result<u32, Panic> {
    assert!(!fail, "to_result failed");
    Ok(1)
}

#[recover]
fn to_option(fail: bool) -> Option<u32> {
    assert!(!fail, "to_option failed");
    Some(1)
}

#[recover]
fn to_unit(fail: bool) {
    log("to_unit body");
    assert!(!fail, "to_unit failed");
    log("to_unit end");
}

#[recover]
fn to_string_error(fail: bool) -> Result<u32, String> {
    assert!(!fail, "to_string_error failed");
    Ok(1)
}

#[recover]
fn to_io_error(fail: bool) -> std::io::Result<u32> {
    assert!(!fail, "to_io_error failed");
    Ok(1)
}

#[recover]
fn to_boxed_error(fail: bool) -> Result<u32, Box<dyn std::error::Error + Send + Sync>> {
    assert!(!fail, "to_boxed_error failed");
    Ok(1)
}

#[recover(default)]
fn to_default(fail: bool) -> Vec<u32> {
    assert!(!fail, "to_default failed");
    vec![1]
}

fn fallback(panic: Panic) -> (u32, bool) {
    log(format!("fallback for {}", panic.message()));
    (0, false)
}

#[recover(with = fallback)]
fn with_path(fail: bool) -> (u32, bool) {
    assert!(!fail, "with_path failed");
    (1, true)
}

#[recover(with = |panic| panic.message().len())]
fn with_closure(fail: bool) -> usize {
    assert!(!fail, "with_closure failed");
    0
}

#[test]
fn every_form_returns_the_body_value_or_the_converted_panic() {
    assert_eq!(to_result(false).unwrap(), 1);
    assert_eq!(to_result(true).unwrap_err().message(), "to_result failed");
    assert_eq!(to_option(false), Some(1));
    assert_eq!(to_option(true), None);
    to_unit(false);
    to_unit(true);
    assert_eq!(events(), ["to_unit body", "to_unit end", "to_unit body"]);
    assert_eq!(to_string_error(false), Ok(1));
    let text = to_string_error(true).unwrap_err();
    assert!(text.starts_with("panicked at tests/recover.rs:") && text.ends_with(": to_string_error failed"));
    assert_eq!(to_io_error(false).unwrap(), 1);
    let error = to_io_error(true).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::Other);
    let panic = error.into_inner().unwrap().downcast::<Panic>().unwrap();
    assert_eq!(panic.message(), "to_io_error failed");
    assert_eq!(to_boxed_error(false).unwrap(), 1);
    assert!(to_boxed_error(true)
        .unwrap_err()
        .to_string()
        .ends_with("to_boxed_error failed"));
    assert_eq!(to_default(false), [1]);
    assert_eq!(to_default(true), Vec::<u32>::new());
    assert_eq!(with_path(false), (1, true));
    assert_eq!(with_path(true), (0, false));
    assert_eq!(events(), ["fallback for with_path failed"]);
    assert_eq!(with_closure(false), 0);
    assert_eq!(with_closure(true), "with_closure failed".len());
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Account {
    balance: i64,
}

impl Account {
    #[recover]
    fn by_ref(&self, fail: bool) -> Option<i64> {
        assert!(!fail, "by_ref failed");
        Some(self.balance)
    }

    #[recover]
    fn by_mut(&mut self, amount: i64) -> Result<i64, Panic> {
        self.balance = self.balance.checked_sub(amount).expect("overflow");
        assert!(self.balance >= 0, "overdrawn by {}", -self.balance);
        Ok(self.balance)
    }

    #[recover(default)]
    fn by_value(self, fail: bool) -> Self {
        assert!(!fail, "by_value failed");
        Account {
            balance: self.balance + 1,
        }
    }

    #[recover]
    #[allow(clippy::boxed_local)] // the shape under test: a `Box<Self>` receiver
    fn boxed(self: Box<Self>) -> Option<i64> {
        Some(self.balance.checked_div(0).expect("division by zero"))
    }

    #[recover(with = |panic| panic.function().to_owned())]
    fn names_itself(&self) -> String {
        panic!("boom")
    }

    #[recover(with = |panic| panic.function().to_owned())]
    fn new_named() -> String {
        panic!("boom")
    }
}

trait Ledger {
    fn entries(&self) -> usize;

    #[recover(with = |panic| panic.function().to_owned())]
    fn audit(&self) -> String {
        assert!(self.entries() > 0, "empty ledger");
        "ok".into()
    }
}

impl Ledger for Account {
    fn entries(&self) -> usize {
        0
    }
}

struct Generic<T>(T);

impl<T: Clone> Generic<T> {
    #[recover(with = |panic| panic.function().to_owned())]
    fn named(&self) -> String {
        panic!("boom")
    }
}

#[test]
fn methods_with_every_receiver() {
    let mut account = Account { balance: 10 };
    assert_eq!(account.by_ref(false), Some(10));
    assert_eq!(account.by_ref(true), None);
    assert_eq!(account.by_mut(4).unwrap(), 6);
    let overdrawn = account.by_mut(10).unwrap_err();
    assert_eq!(overdrawn.message(), "overdrawn by 4");
    assert_eq!(account.clone().by_value(false), Account { balance: -3 });
    assert_eq!(account.clone().by_value(true), Account::default());
    assert_eq!(Box::new(account.clone()).boxed(), None);
}

#[test]
fn function_names_include_the_self_type() {
    let account = Account::default();
    assert_eq!(account.names_itself(), "recover::Account::names_itself");
    assert_eq!(Account::new_named(), "recover::Account::new_named");
    assert_eq!(account.audit(), "<recover::Account as recover::Ledger>::audit");
    assert_eq!(Generic(1_u8).named(), "recover::Generic<u8>::named");
    assert_eq!(to_result(true).unwrap_err().function(), "recover::to_result");
}

#[recover]
async fn async_fn(fail_in_second_poll: bool) -> Result<u32, Panic> {
    yield_now().await;
    assert!(!fail_in_second_poll, "second poll failed");
    Ok(2)
}

#[recover]
async fn async_first_poll() -> Option<u32> {
    panic!("first poll failed");
}

#[test]
fn async_functions_recover_a_panic_in_any_poll() {
    assert_eq!(block_on(async_fn(false)).unwrap(), 2);
    let panic = block_on(async_fn(true)).unwrap_err();
    assert_eq!(panic.message(), "second poll failed");
    assert_eq!(panic.function(), "recover::async_fn");
    assert_eq!(block_on(async_first_poll()), None);
}

#[recover]
extern "C" fn c_entry(code: i32) {
    assert!(code >= 0, "negative code");
    log(format!("c_entry({code})"));
}

#[test]
fn extern_c_functions_do_not_let_panics_out() {
    let entry: extern "C" fn(i32) = c_entry;
    entry(1);
    entry(-1);
    assert_eq!(events(), ["c_entry(1)"]);
}

#[test]
fn the_panic_value() {
    let disk = std::hint::black_box(3);
    let line = line!() + 2;
    let panic = catch(|| -> u32 {
        panic!("disk {disk} is full");
    })
    .unwrap_err();
    assert_eq!(panic.message(), "disk 3 is full");
    let location = panic.location().expect("the hook saw the panic");
    assert_eq!(location.file(), "tests/recover.rs");
    assert_eq!(location.line(), line);
    assert_eq!(location.column(), 9);
    assert_eq!(location.to_string(), format!("tests/recover.rs:{line}:9"));
    assert_eq!(panic.function(), "recover::the_panic_value");
    assert_eq!(panic.thread(), Some("the_panic_value"));
    assert_eq!(
        panic.to_string(),
        format!("panicked at tests/recover.rs:{line}:9: disk 3 is full")
    );
    let debug = format!("{panic:?}");
    assert!(
        debug.starts_with("Panic { message: \"disk 3 is full\", location: Some(tests/recover.rs:"),
        "{debug}"
    );
    assert_eq!(
        *panic.into_payload().downcast::<String>().unwrap(),
        "disk 3 is full"
    );
}

#[test]
fn panic_is_small_and_shareable() {
    fn assert_traits<T: Send + Sync + 'static + std::error::Error>() {}
    assert_traits::<Panic>();
    assert_eq!(size_of::<Panic>(), size_of::<usize>());
    assert_eq!(size_of::<Result<(), Panic>>(), size_of::<usize>());
}

#[test]
fn non_string_payloads_are_kept_intact() {
    #[derive(Debug, PartialEq)]
    struct Code(u16);
    let panic = catch(|| std::panic::panic_any(Code(503))).unwrap_err();
    assert_eq!(panic.message(), "panic payload is not a string");
    assert!(panic.to_string().ends_with(": panic payload is not a string"));
    assert_eq!(*panic.into_payload().downcast::<Code>().unwrap(), Code(503));

    let panic = catch(|| std::panic::panic_any("static str")).unwrap_err();
    assert_eq!(*panic.into_payload().downcast::<&str>().unwrap(), "static str");
}

#[test]
fn threads_are_named_in_the_panic() {
    let unnamed = std::thread::spawn(|| catch(|| -> u8 { panic!("x") }).unwrap_err())
        .join()
        .unwrap();
    assert_eq!(unnamed.thread(), None);
    let named = std::thread::Builder::new()
        .name("worker-7".into())
        .spawn(|| catch(|| -> u8 { panic!("x") }).unwrap_err())
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(named.thread(), Some("worker-7"));
}

#[recover(with = |panic| panic.resume())]
fn transparent(fail: bool) -> Result<u32, String> {
    if fail {
        std::panic::panic_any(42_u8);
    }
    Ok(5)
}

#[test]
fn with_resume_is_transparent() {
    assert_eq!(transparent(false), Ok(5));
    let payload = std::panic::catch_unwind(|| transparent(true)).unwrap_err();
    assert_eq!(*payload.downcast::<u8>().unwrap(), 42);
}

const INNER_LINE: u32 = line!() + 3;
#[recover]
fn inner_boundary(fail: bool) -> Result<u32, Panic> {
    assert!(!fail, "inner failed");
    Ok(1)
}

#[recover]
fn outer_boundary(inner_fails: bool, outer_fails: bool) -> Result<String, Panic> {
    let inner = inner_boundary(inner_fails);
    assert!(!outer_fails, "outer failed");
    Ok(match inner {
        Ok(value) => value.to_string(),
        Err(panic) => format!(
            "inner: {} at line {}",
            panic.message(),
            panic.location().unwrap().line()
        ),
    })
}

const RESUME_LINE: u32 = line!() + 3;
#[recover(with = |panic| panic.resume())]
fn resumes_inner(fail: bool) -> u32 {
    assert!(!fail, "resumed inner");
    1
}

#[test]
fn nested_boundaries_keep_their_own_panics() {
    assert_eq!(outer_boundary(false, false).unwrap(), "1");
    assert_eq!(
        outer_boundary(true, false).unwrap(),
        format!("inner: inner failed at line {INNER_LINE}")
    );
    let outer = outer_boundary(true, true).unwrap_err();
    assert_eq!(outer.message(), "outer failed");
    assert_eq!(outer.function(), "recover::outer_boundary");
    // An inner boundary that resumes hands the same message and location to
    // the next boundary out.
    let resumed = catch(|| resumes_inner(true)).unwrap_err();
    assert_eq!(resumed.message(), "resumed inner");
    assert_eq!(resumed.location().unwrap().line(), RESUME_LINE);
}

#[recover]
#[defer_on_exit]
fn recover_then_defer(fail: bool) -> Result<u32, Panic> {
    defer! { log("defer") }
    defer_on_err! { log("defer_on_err") }
    defer!(|ret| log(format!("hook ok={}", ret.is_ok())));
    assert!(!fail, "body failed");
    Ok(1)
}

#[defer_on_exit]
#[recover]
fn defer_then_recover(fail: bool) -> Result<u32, Panic> {
    defer! { log("defer") }
    defer_on_err! { log("defer_on_err") }
    defer!(|ret| log(format!("hook ok={}", ret.is_ok())));
    assert!(!fail, "body failed");
    Ok(1)
}

#[test]
fn both_attributes_in_either_order_run_the_cleanups_inside_the_boundary() {
    for function in [recover_then_defer, defer_then_recover] {
        assert_eq!(function(false).unwrap(), 1);
        assert_eq!(events(), ["hook ok=true", "defer"]);
        let panic = function(true).unwrap_err();
        assert_eq!(panic.message(), "body failed");
        // The cleanups ran before the panic became the return value; the
        // hook did not run (the function panicked), defer_on_err! did.
        assert_eq!(events(), ["defer_on_err", "defer"]);
    }
}

#[recover]
#[defer_on_exit]
fn cleanup_panics_while_returning() -> Result<u32, Panic> {
    defer_on_err! { log("defer_on_err") }
    defer! { panic!("cleanup failed") }
    Ok(1)
}

#[recover]
#[defer_on_exit]
fn cleanup_panics_while_unwinding() -> Option<u32> {
    defer! { log("last cleanup") }
    defer! { panic!("cleanup failed too") }
    panic!("original");
}

#[recover(with = |panic| panic.message().to_owned())]
#[defer_on_exit]
fn which_panic_is_recovered() -> String {
    defer! { panic!("cleanup failed too") }
    panic!("original");
}

#[test]
fn panics_in_cleanups_are_caught_by_the_boundary() {
    let panic = cleanup_panics_while_returning().unwrap_err();
    assert_eq!(panic.message(), "cleanup failed");
    assert_eq!(events(), ["defer_on_err"]);
    assert_eq!(cleanup_panics_while_unwinding(), None);
    assert_eq!(events(), ["last cleanup"]);
    // The cleanup's panic must not overwrite the record of the original one.
    assert_eq!(which_panic_is_recovered(), "original");
}

#[defer_on_exit]
#[recover(with = |panic| panic.resume())]
async fn async_both(fail: bool) -> Result<u32, String> {
    defer_on_err! { log("async defer_on_err") }
    yield_now().await;
    assert!(!fail, "async body failed");
    Ok(3)
}

#[test]
fn async_with_both_attributes() {
    assert_eq!(block_on(async_both(false)), Ok(3));
    assert_eq!(
        panic_message(|| block_on(async_both(true))),
        Err("async body failed".into())
    );
    assert_eq!(events(), ["async defer_on_err"]);
}

#[recover]
fn returns_impl_trait(fail: bool) -> Result<impl Iterator<Item = u32>, Panic> {
    assert!(!fail, "no iterator");
    Ok(0..3)
}

#[recover(with = |panic| panic.resume())]
fn returns_closure(k: i32) -> impl Fn(i32) -> i32 {
    move |x| x * k
}

#[test]
fn impl_trait_returns() {
    assert_eq!(returns_impl_trait(false).unwrap().count(), 3);
    assert!(returns_impl_trait(true).is_err());
    assert_eq!(returns_closure(3)(2), 6);
}

#[test]
fn catch_returns_the_value_or_the_panic() {
    assert_eq!(catch(|| 6 * 7).unwrap(), 42);
    let mut state = vec![1];
    let panic = catch(|| {
        state.push(2);
        panic!("after pushing");
    })
    .unwrap_err();
    assert_eq!(panic.message(), "after pushing");
    assert_eq!(state, [1, 2]);
}

#[test]
fn catch_future_catches_panics_in_any_poll() {
    let ok = block_on(epilogue::catch_future(async {
        yield_now().await;
        7
    }));
    assert_eq!(ok.unwrap(), 7);
    let panicked = block_on(epilogue::catch_future(async {
        yield_now().await;
        if std::hint::black_box(true) {
            panic!("late panic");
        }
        8
    }));
    let panic = panicked.unwrap_err();
    assert_eq!(panic.message(), "late panic");
}
