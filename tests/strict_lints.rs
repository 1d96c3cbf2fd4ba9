//! A user crate under the strictest lints, using every form of both
//! attributes: the generated code must add no warning (rustc's here, clippy's
//! in CI's `cargo clippy --all-targets -- -D warnings`).
#![deny(warnings, clippy::all, clippy::pedantic)]
#![deny(
    unused_qualifications,
    unused_results,
    unused_lifetimes,
    unreachable_pub,
    missing_debug_implementations
)]
#![deny(
    let_underscore_drop,
    single_use_lifetimes,
    trivial_casts,
    unused_import_braces
)]

use epilogue::{defer_on_exit, recover, Panic};
use std::cell::Cell;
use std::fmt;
use std::future::Future as _;

#[derive(Debug, PartialEq)]
enum AppError {
    Parse,
    Panicked(String),
}

impl From<std::num::ParseIntError> for AppError {
    fn from(_: std::num::ParseIntError) -> Self {
        AppError::Parse
    }
}

impl From<Panic> for AppError {
    fn from(panic: Panic) -> Self {
        AppError::Panicked(panic.message().to_owned())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

#[defer_on_exit]
fn plain_defers(counter: &Cell<u32>) {
    defer! { counter.set(counter.get() + 1); }
    defer!(move { counter.set(counter.get() + 10) });
    for _ in 0..2 {
        defer! { counter.set(counter.get() + 100); }
    }
}

#[defer_on_exit]
fn every_form(input: &str, counter: &Cell<u32>) -> Result<i64, AppError> {
    defer! { counter.set(counter.get() + 1); }
    defer_on_err! { counter.set(counter.get() + 10); }
    defer_on_err!(move { counter.set(counter.get() + 100) });
    defer!(|ret| {
        if let Ok(value) = ret {
            *value += 1;
        }
    });
    defer!(move |ret| {
        if ret.is_err() {
            counter.set(counter.get() + 1000);
        }
    });
    if input.is_empty() {
        return Err(AppError::Parse);
    }
    let value: i64 = input.parse()?;
    Ok(value)
}

#[defer_on_exit]
fn option_form(value: Option<u8>) -> Option<u8> {
    defer_on_err! { println!("no value"); }
    let inner = value?;
    Some(inner)
}

#[defer_on_exit]
fn unit_form(counter: &Cell<u32>) {
    defer!(|()| counter.set(counter.get() + 1));
    if counter.get() > 100 {
        return;
    }
    counter.set(counter.get() + 1);
}

#[defer_on_exit]
fn diverging_tail(limit: u32) -> u32 {
    defer!(|ret| *ret += 1);
    let mut count = 0;
    loop {
        count += 1;
        if count >= limit {
            return count;
        }
    }
}

/// Parses a port; 0 when the text is not one. (No `# Panics` section: no
/// panic leaves a `#[recover(default)]` function.)
#[must_use]
#[recover(default)]
pub fn port(text: &str) -> u16 {
    text.parse::<u16>().unwrap()
}

/// Parses a port.
///
/// # Errors
///
/// The panic's message when the text is not a port.
#[recover]
pub fn port_or_panic_message(text: &str) -> Result<u16, String> {
    Ok(text.parse::<u16>().unwrap())
}

#[defer_on_exit]
fn unit_ending_in_a_panic_statement(counter: &Cell<u32>) {
    defer!(|()| counter.set(counter.get() + 1));
    defer! { counter.set(counter.get() + 10) }
    panic!("failed");
}

#[defer_on_exit]
fn unit_ending_in_return(counter: &Cell<u32>, early: bool) {
    defer!(|()| counter.set(counter.get() + 1));
    if early {
        return;
    }
    counter.set(counter.get() + 100);
    return;
}

/// A callback guarded by a flag that only `Drop` reads (when the callback
/// panics): not a dead store to rustc.
struct Filter<F> {
    predicate: F,
    busy: bool,
    interrupted: bool,
}

impl<F: FnMut(u32) -> bool> Filter<F> {
    #[defer_on_exit]
    fn keep(&mut self, x: u32) -> Option<bool> {
        defer_on_err! { self.interrupted = true; }
        self.busy = true;
        let keep = (self.predicate)(x);
        self.busy = false;
        Some(keep)
    }
}

impl<F> Drop for Filter<F> {
    fn drop(&mut self) {
        assert!(
            !self.busy || self.interrupted,
            "a panic in the predicate is recorded"
        );
    }
}

/// A compile-time check whose body is empty, as lints expect it.
#[recover]
fn assert_send_sync<T: Send + Sync>() {}

fn give_up(code: u32) -> ! {
    panic!("gave up with {code}")
}

#[defer_on_exit]
fn tail_panics(n: u32) -> Result<u32, AppError> {
    defer_on_err! { eprintln!("tail_panics({n}) failed") }
    if n > 0 {
        return Ok(n);
    }
    panic!("no value")
}

#[defer_on_exit]
fn tail_calls_a_never_fn(n: u32) -> u32 {
    defer!(|ret| *ret += 1);
    if n > 0 {
        return n;
    }
    give_up(n)
}

#[recover]
async fn async_tail_panics(n: u32) -> Option<u32> {
    if n > 0 {
        return Some(n);
    }
    panic!("no value")
}

#[recover]
async fn async_body_ends_in_panic_statement() -> Option<u32> {
    panic!("first poll failed");
}

#[recover(with = |panic| Err(AppError::Panicked(panic.message().to_owned())))]
async fn async_coerces(n: u32) -> Result<Box<dyn fmt::Display>, AppError> {
    if n == 0 {
        return Ok(Box::new("zero"));
    }
    Ok(Box::new(n))
}

#[defer_on_exit]
fn unit_ending_in_statement_macro(counter: &Cell<u32>) {
    defer!(|()| counter.set(0));
    println!("{}", counter.get());
}

#[defer_on_exit]
fn ends_in_return(flag: bool) -> Result<u8, AppError> {
    defer_on_err! { let _ = flag; }
    if flag {
        return Err(AppError::Parse);
    }
    Ok(1)
}

#[defer_on_exit]
fn in_format(input: &str) -> Result<String, AppError> {
    defer_on_err! { let _ = input.len(); }
    Ok(format!("{}", input.parse::<i64>()?))
}

#[defer_on_exit]
async fn async_form(input: &str) -> Result<usize, AppError> {
    defer! { let _ = input.len(); }
    defer_on_err! { let _ = input.len(); }
    defer!(|ret| {
        if let Ok(n) = ret {
            *n += 1;
        }
    });
    let parsed: usize = input.parse()?;
    Ok(parsed)
}

#[recover]
fn recovers(fail: bool) -> Result<u8, AppError> {
    assert!(!fail, "failed");
    Ok(1)
}

#[recover(default)]
fn recovers_to_default(fail: bool) -> u8 {
    assert!(!fail, "failed");
    1
}

#[recover(with = |panic: Panic| panic.message().len())]
fn recovers_with(fail: bool) -> usize {
    assert!(!fail, "failed");
    0
}

#[recover(with = |panic| panic.resume())]
#[defer_on_exit]
fn both(counter: &Cell<u32>) -> Result<u8, AppError> {
    defer_on_err! { counter.set(counter.get() + 1); }
    Ok(1)
}

#[recover]
async fn recovers_async(fail: bool) -> Option<u8> {
    assert!(!fail, "failed");
    Some(1)
}

#[derive(Debug, Default)]
struct Service {
    calls: Cell<u32>,
}

impl Service {
    #[defer_on_exit]
    fn method(&self) -> Result<u32, AppError> {
        defer! { self.calls.set(self.calls.get() + 1); }
        defer!(|ret| {
            if let Ok(calls) = ret {
                *calls += 1;
            }
        });
        Ok(self.calls.get())
    }

    #[recover]
    fn guarded(&mut self) -> Option<u32> {
        self.calls.set(self.calls.get() + 1);
        Some(self.calls.get())
    }
}

#[test]
fn everything_compiles_warning_free_and_works() {
    let counter = Cell::new(0);
    plain_defers(&counter);
    assert_eq!(counter.get(), 211);

    counter.set(0);
    assert_eq!(every_form("41", &counter), Ok(42));
    assert_eq!(counter.get(), 1);
    counter.set(0);
    assert_eq!(every_form("x", &counter), Err(AppError::Parse));
    assert_eq!(counter.get(), 1111);

    assert_eq!(option_form(Some(1)), Some(1));
    assert_eq!(option_form(None), None);
    counter.set(0);
    unit_form(&counter);
    assert_eq!(counter.get(), 2);
    assert_eq!(diverging_tail(3), 4);
    unit_ending_in_statement_macro(&counter);
    assert_eq!(counter.get(), 0);
    assert_eq!(ends_in_return(false), Ok(1));
    assert_eq!(in_format("7"), Ok("7".to_owned()));

    let mut future = std::pin::pin!(async_form("3"));
    let waker = std::task::Waker::noop();
    let poll = future.as_mut().poll(&mut std::task::Context::from_waker(waker));
    assert_eq!(poll, std::task::Poll::Ready(Ok(4)));

    assert_eq!(recovers(false), Ok(1));
    assert!(matches!(recovers(true), Err(AppError::Panicked(message)) if message == "failed"));
    assert_eq!(recovers_to_default(true), 0);
    assert_eq!(recovers_with(true), 6);
    assert_eq!(both(&counter), Ok(1));

    let mut future = std::pin::pin!(recovers_async(true));
    let poll = future.as_mut().poll(&mut std::task::Context::from_waker(waker));
    assert_eq!(poll, std::task::Poll::Ready(None));

    assert_eq!((port("80"), port("x")), (80, 0));
    assert_eq!(port_or_panic_message("80"), Ok(80));
    assert!(port_or_panic_message("x").is_err());
    counter.set(0);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        unit_ending_in_a_panic_statement(&counter);
    }));
    assert!(result.is_err());
    assert_eq!(counter.get(), 10, "a panic runs the defer!, not the hook");
    unit_ending_in_return(&counter, true);
    unit_ending_in_return(&counter, false);
    assert_eq!(counter.get(), 112);
    assert_send_sync::<Vec<u8>>();
    let mut filter = Filter {
        predicate: |x| x > 1,
        busy: false,
        interrupted: false,
    };
    assert_eq!((filter.keep(1), filter.keep(2)), (Some(false), Some(true)));
    assert_eq!(tail_panics(2), Ok(2));
    assert!(std::panic::catch_unwind(|| tail_panics(0)).is_err());
    assert_eq!(tail_calls_a_never_fn(2), 3);
    assert!(std::panic::catch_unwind(|| tail_calls_a_never_fn(0)).is_err());
    for (n, expected) in [(1, Some(1)), (0, None)] {
        let mut future = std::pin::pin!(async_tail_panics(n));
        let poll = future.as_mut().poll(&mut std::task::Context::from_waker(waker));
        assert_eq!(poll, std::task::Poll::Ready(expected));
    }
    let mut future = std::pin::pin!(async_body_ends_in_panic_statement());
    let poll = future.as_mut().poll(&mut std::task::Context::from_waker(waker));
    assert_eq!(poll, std::task::Poll::Ready(None));
    for (n, expected) in [(0, "zero"), (5, "5")] {
        let mut future = std::pin::pin!(async_coerces(n));
        let poll = future.as_mut().poll(&mut std::task::Context::from_waker(waker));
        let std::task::Poll::Ready(Ok(shown)) = poll else {
            panic!("async_coerces({n}) did not return a value")
        };
        assert_eq!(shown.to_string(), expected);
    }

    let mut service = Service::default();
    assert_eq!(service.method(), Ok(1));
    assert_eq!(service.guarded(), Some(2));
}

// ---- The borrow-free, async and hidden-return forms, under the same lints.

/// A borrow-free cleanup in every kind of block, with every exit.
#[defer_on_exit]
fn borrow_free(values: &[u32], counter: &Cell<u32>) -> Result<u32, AppError> {
    let mut total = 0;
    defer! { counter.set(counter.get() + total); }
    defer_on_err! { counter.set(counter.get() + 1000 + total); }
    defer!(|ret| {
        if let Ok(value) = ret {
            *value += total;
        }
    });
    'outer: for value in values {
        let mut seen = 0;
        defer! { counter.set(counter.get() + seen); }
        loop {
            seen += 1;
            if seen > 2 {
                continue 'outer;
            }
            if *value == 7 {
                break 'outer;
            }
            if *value == 0 {
                return Err(AppError::Parse);
            }
            let parsed: u32 = value.to_string().parse()?;
            total += parsed;
        }
    }
    Ok(total)
}

/// A borrow-free cleanup whose block diverges.
#[defer_on_exit]
fn borrow_free_diverging(counter: &Cell<u32>, steps: u32) -> u32 {
    let mut step = 0;
    defer! { counter.set(counter.get() + step); }
    step += steps;
    panic!("stopped after {step} steps");
}

/// Borrow-free cleanups alone: their frames carry the value being
/// returned, without an exit slot, through a `?`, a `return`, a `break` to
/// a loop outside the inner frame, and a unit function's `return;`.
#[defer_on_exit]
fn borrow_free_without_a_slot(values: &[&str], counter: &Cell<u32>) -> Result<u32, AppError> {
    let mut total = 0;
    defer! { counter.set(counter.get() + total); }
    for value in values {
        let mut seen = 0;
        defer! { counter.set(counter.get() + 10 * seen); }
        seen += 1;
        if *value == "stop" {
            break;
        }
        if value.is_empty() {
            return Err(AppError::Parse);
        }
        total += value.parse::<u32>()?;
    }
    Ok(total)
}

#[defer_on_exit]
fn borrow_free_unit(counter: &Cell<u32>, early: bool) {
    let mut steps = 0;
    defer! { counter.set(counter.get() + steps); }
    steps += 1;
    if early {
        return;
    }
    steps += 1;
}

async fn pause() {
    std::future::ready(()).await;
}

/// Async cleanups: block, error path and hook, with and without `move`.
#[defer_on_exit]
async fn async_cleanups(counter: &Cell<u32>, fail: bool) -> Result<u32, AppError> {
    let mut flushed = 0;
    defer!(async {
        pause().await;
        counter.set(counter.get() + flushed);
    });
    defer!(async move {
        pause().await;
    });
    defer_on_err!(async {
        pause().await;
        counter.set(counter.get() + 100);
    });
    defer!(async |ret| {
        pause().await;
        if let Ok(value) = ret {
            *value += 1;
        }
    });
    flushed += 1;
    if fail {
        return Err(AppError::Parse);
    }
    Ok(flushed)
}

macro_rules! bail {
    ($error:expr) => {
        return Err($error)
    };
}

macro_rules! skip_zero {
    ($value:expr) => {
        if $value == 0 {
            continue;
        }
    };
}

/// Returns and `continue`s hidden in macros.
#[defer_on_exit]
fn hidden_exits(values: &[u32], counter: &Cell<u32>) -> Result<u32, AppError> {
    defer_on_err! { counter.set(counter.get() + 1); }
    let mut sum = 0;
    for value in values {
        skip_zero!(*value);
        if *value > 100 {
            bail!(AppError::Parse);
        }
        sum += value;
    }
    Ok(sum)
}

#[test]
fn the_new_forms_compile_warning_free_and_work() {
    let counter = Cell::new(0);
    // Each value is added twice before the inner loop moves on after its
    // third pass; the hook adds the total once more.
    assert_eq!(borrow_free(&[1, 2], &counter), Ok(6 + 6));
    assert_eq!(counter.get(), 3 + 3 + 6);
    counter.set(0);
    assert_eq!(borrow_free(&[1, 0], &counter), Err(AppError::Parse));
    assert_eq!(counter.get(), 3 + 1 + 1002 + 2);
    assert!(std::panic::catch_unwind(|| borrow_free_diverging(&Cell::new(0), 2)).is_err());
    counter.set(0);
    assert_eq!(
        borrow_free_without_a_slot(&["1", "2", "stop", "4"], &counter),
        Ok(3)
    );
    assert_eq!(counter.get(), 10 + 10 + 10 + 3);
    counter.set(0);
    assert_eq!(
        borrow_free_without_a_slot(&["1", "x"], &counter),
        Err(AppError::Parse)
    );
    assert_eq!(counter.get(), 10 + 10 + 1);
    counter.set(0);
    assert_eq!(
        borrow_free_without_a_slot(&["5", ""], &counter),
        Err(AppError::Parse)
    );
    assert_eq!(counter.get(), 10 + 10 + 5);
    counter.set(0);
    borrow_free_unit(&counter, true);
    borrow_free_unit(&counter, false);
    assert_eq!(counter.get(), 1 + 2);

    let waker = std::task::Waker::noop();
    counter.set(0);
    let mut future = std::pin::pin!(async_cleanups(&counter, false));
    let poll = loop {
        if let std::task::Poll::Ready(output) =
            future.as_mut().poll(&mut std::task::Context::from_waker(waker))
        {
            break output;
        }
    };
    assert_eq!(poll, Ok(2));
    assert_eq!(counter.get(), 1);

    counter.set(0);
    assert_eq!(hidden_exits(&[1, 0, 2], &counter), Ok(3));
    assert_eq!(hidden_exits(&[1, 200], &counter), Err(AppError::Parse));
    assert_eq!(counter.get(), 1);
}
