//! Shapes of the corpus that only exist, or mean something else, in edition
//! 2024: `impl Trait` capturing every lifetime in scope, tail-expression and
//! `if let` temporaries dropped earlier, `let` chains, `unsafe extern`
//! blocks, `#[unsafe(..)]` attributes, `unsafe_op_in_unsafe_fn` warning by
//! default, the never type falling back to `!`, `expr` fragments matching
//! `const {}` blocks.
//!
//! Each shape is written three times: `*_plain`, `*_d` (`#[defer_on_exit]`
//! with a plain `defer!`, a hook and, for `Result`/`Option`, a
//! `defer_on_err!`) and `*_r` (`#[recover(with = |p| p.resume())]`).
#![deny(warnings, clippy::all, clippy::pedantic)]

use epilogue::{defer_on_exit, recover};
use std::cell::{Cell, RefCell};

/// What the deferred actions of the `*_d` shapes record, per thread.
pub mod probe {
    use std::cell::RefCell;

    thread_local! {
        static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    /// Records an event.
    pub fn log(event: impl Into<String>) {
        LOG.with(|log| log.borrow_mut().push(event.into()));
    }

    /// Takes this thread's events.
    #[must_use]
    pub fn take() -> Vec<String> {
        LOG.with(|log| std::mem::take(&mut *log.borrow_mut()))
    }
}

/// Logs its drop.
pub struct Noisy(pub &'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        probe::log(format!("drop {}", self.0));
    }
}

impl Noisy {
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

// ---- `impl Trait` capturing the elided lifetime without `+ '_` ----------------------

pub fn captures_plain(text: &str) -> impl Iterator<Item = char> {
    text.chars().filter(char::is_ascii_alphabetic)
}

#[defer_on_exit]
pub fn captures_d(text: &str) -> impl Iterator<Item = char> {
    defer! { probe::log("defer") }
    defer!(|_ret| probe::log("hook"));
    text.chars().filter(char::is_ascii_alphabetic)
}

#[recover(with = |p| p.resume())]
pub fn captures_r(text: &str) -> impl Iterator<Item = char> {
    text.chars().filter(char::is_ascii_alphabetic)
}

// ---- a tail borrowing a local (rejected in 2021), temporaries dropped before locals --------

#[must_use]
pub fn tail_temporary_plain(values: &[u32]) -> usize {
    let local = RefCell::new(values.to_vec());
    local.borrow().iter().filter(|v| **v > 1).count() + Noisy("temporary").len()
}

#[defer_on_exit]
#[must_use]
pub fn tail_temporary_d(values: &[u32]) -> usize {
    defer! { probe::log("defer") }
    defer!(|ret| probe::log(format!("hook {ret}")));
    let local = RefCell::new(values.to_vec());
    local.borrow().iter().filter(|v| **v > 1).count() + Noisy("temporary").len()
}

#[recover(with = |p| p.resume())]
#[must_use]
pub fn tail_temporary_r(values: &[u32]) -> usize {
    let local = RefCell::new(values.to_vec());
    local.borrow().iter().filter(|v| **v > 1).count() + Noisy("temporary").len()
}

#[recover(with = |p| p.resume())]
pub async fn tail_temporary_async_r(values: &[u32]) -> usize {
    let local = RefCell::new(values.to_vec());
    local.borrow().iter().filter(|v| **v > 1).count() + Noisy("temporary").len()
}

// ---- `if let` with a temporary in the scrutinee, and `let` chains with `?`/`return` ----------

/// # Errors
/// When the first value is missing or odd.
pub fn let_chains_plain(cell: &RefCell<Vec<u32>>, limit: &str) -> Result<u32, String> {
    if let Some(first) = cell.borrow().first().copied()
        && first > limit.parse::<u32>().map_err(|e| e.to_string())?
    {
        return Ok(first);
    } else if let Some(last) = cell.borrow_mut().pop()
        && last % 2 == 0
    {
        return Ok(last / 2);
    }
    cell.borrow_mut().clear();
    Err("nothing fits".into())
}

/// # Errors
/// When the first value is missing or odd.
#[defer_on_exit]
pub fn let_chains_d(cell: &RefCell<Vec<u32>>, limit: &str) -> Result<u32, String> {
    defer! { probe::log("defer") }
    defer_on_err! { probe::log("err") }
    defer!(|ret| probe::log(format!("hook {ret:?}")));
    if let Some(first) = cell.borrow().first().copied()
        && first > limit.parse::<u32>().map_err(|e| e.to_string())?
    {
        return Ok(first);
    } else if let Some(last) = cell.borrow_mut().pop()
        && last % 2 == 0
    {
        return Ok(last / 2);
    }
    cell.borrow_mut().clear();
    Err("nothing fits".into())
}

/// # Errors
/// When the first value is missing or odd.
#[recover(with = |p| p.resume())]
pub fn let_chains_r(cell: &RefCell<Vec<u32>>, limit: &str) -> Result<u32, String> {
    if let Some(first) = cell.borrow().first().copied()
        && first > limit.parse::<u32>().map_err(|e| e.to_string())?
    {
        return Ok(first);
    } else if let Some(last) = cell.borrow_mut().pop()
        && last % 2 == 0
    {
        return Ok(last / 2);
    }
    cell.borrow_mut().clear();
    Err("nothing fits".into())
}

// ---- `unsafe fn` under `unsafe_op_in_unsafe_fn`, calling an `unsafe extern` block ------------

unsafe extern "C" {
    safe fn abs(value: i32) -> i32;
    fn labs(value: std::ffi::c_long) -> std::ffi::c_long;
}

/// # Safety
/// `pointer` is valid for reads.
#[must_use]
pub unsafe fn read_abs_plain(pointer: *const i32) -> Option<i32> {
    if pointer.is_null() {
        return None;
    }
    // SAFETY: the caller's promise.
    let value = unsafe { pointer.read() };
    // SAFETY: `labs` has no preconditions.
    let wide = unsafe { labs(std::ffi::c_long::from(value)) };
    (abs(value) == i32::try_from(wide).ok()?).then_some(abs(value))
}

/// # Safety
/// `pointer` is valid for reads.
#[defer_on_exit]
#[must_use]
pub unsafe fn read_abs_d(pointer: *const i32) -> Option<i32> {
    defer! { probe::log("defer") }
    defer_on_err! { probe::log("err") }
    defer!(|ret| probe::log(format!("hook {ret:?}")));
    if pointer.is_null() {
        return None;
    }
    // SAFETY: the caller's promise.
    let value = unsafe { pointer.read() };
    // SAFETY: `labs` has no preconditions.
    let wide = unsafe { labs(std::ffi::c_long::from(value)) };
    (abs(value) == i32::try_from(wide).ok()?).then_some(abs(value))
}

/// # Safety
/// `pointer` is valid for reads.
#[recover(with = |p| p.resume())]
#[must_use]
pub unsafe fn read_abs_r(pointer: *const i32) -> Option<i32> {
    if pointer.is_null() {
        return None;
    }
    // SAFETY: the caller's promise.
    let value = unsafe { pointer.read() };
    // SAFETY: `labs` has no preconditions.
    let wide = unsafe { labs(std::ffi::c_long::from(value)) };
    (abs(value) == i32::try_from(wide).ok()?).then_some(abs(value))
}

// ---- `#[unsafe(export_name)]` on an `extern "C" fn` ---------------------------------------------

#[unsafe(export_name = "epilogue_corpus_2024_clamp_plain")]
#[must_use]
pub extern "C" fn clamp_plain(value: i32) -> i32 {
    value.clamp(-10, 10)
}

#[unsafe(export_name = "epilogue_corpus_2024_clamp_d")]
#[defer_on_exit]
#[must_use]
pub extern "C" fn clamp_d(value: i32) -> i32 {
    defer! { probe::log("defer") }
    defer!(|ret| probe::log(format!("hook {ret}")));
    value.clamp(-10, 10)
}

#[unsafe(export_name = "epilogue_corpus_2024_clamp_r")]
#[recover(with = |p| p.resume())]
#[must_use]
pub extern "C" fn clamp_r(value: i32) -> i32 {
    value.clamp(-10, 10)
}

// ---- never-type fallback: `Err(..)?;`, `-> !`, diverging arms ----------------------------------

/// # Errors
/// When `n` is zero.
pub fn never_fallback_plain(n: u32) -> Result<u32, String> {
    if n == 0 {
        Err("zero")?;
    }
    let half = match n % 2 {
        0 => n / 2,
        _ => return Err(format!("{n} is odd")),
    };
    Ok(half)
}

/// # Errors
/// When `n` is zero.
#[defer_on_exit]
pub fn never_fallback_d(n: u32) -> Result<u32, String> {
    defer! { probe::log("defer") }
    defer_on_err! { probe::log("err") }
    defer!(|ret| probe::log(format!("hook {ret:?}")));
    if n == 0 {
        Err("zero")?;
    }
    let half = match n % 2 {
        0 => n / 2,
        _ => return Err(format!("{n} is odd")),
    };
    Ok(half)
}

/// # Errors
/// When `n` is zero.
#[recover(with = |p| p.resume())]
pub fn never_fallback_r(n: u32) -> Result<u32, String> {
    if n == 0 {
        Err("zero")?;
    }
    let half = match n % 2 {
        0 => n / 2,
        _ => return Err(format!("{n} is odd")),
    };
    Ok(half)
}

/// # Panics
/// Always.
pub fn never_plain(count: &Cell<u32>) -> ! {
    count.set(count.get() + 1);
    panic!("gave up after {}", count.get())
}

/// # Panics
/// Always.
#[defer_on_exit]
pub fn never_d(count: &Cell<u32>) -> ! {
    defer! { probe::log("defer") }
    count.set(count.get() + 1);
    panic!("gave up after {}", count.get())
}

/// # Panics
/// Always.
#[recover(with = |p| p.resume())]
pub fn never_r(count: &Cell<u32>) -> ! {
    count.set(count.get() + 1);
    panic!("gave up after {}", count.get())
}

// ---- a local macro whose `expr` fragment takes a `const {}` block and a `?` --------------------------

/// # Errors
/// When `text` is not a number.
pub fn expr_fragment_plain(text: &str) -> Result<u32, std::num::ParseIntError> {
    macro_rules! sum {
        ($a:expr, $b:expr) => {
            $a + $b
        };
    }
    Ok(sum!(const { 40 }, text.parse::<u32>()?))
}

/// # Errors
/// When `text` is not a number.
#[defer_on_exit]
pub fn expr_fragment_d(text: &str) -> Result<u32, std::num::ParseIntError> {
    macro_rules! sum {
        ($a:expr, $b:expr) => {
            $a + $b
        };
    }
    defer! { probe::log("defer") }
    defer_on_err! { probe::log("err") }
    defer!(|ret| probe::log(format!("hook {ret:?}")));
    Ok(sum!(const { 40 }, text.parse::<u32>()?))
}

/// # Errors
/// When `text` is not a number.
#[recover(with = |p| p.resume())]
pub fn expr_fragment_r(text: &str) -> Result<u32, std::num::ParseIntError> {
    macro_rules! sum {
        ($a:expr, $b:expr) => {
            $a + $b
        };
    }
    Ok(sum!(const { 40 }, text.parse::<u32>()?))
}

// ---- an `async fn` with an async closure and `impl Trait` capturing its argument ----------------------

async fn checked(text: &str, empty: bool) -> Result<&str, String> {
    std::future::ready(()).await;
    if empty { Err("empty".to_owned()) } else { Ok(text) }
}

/// # Errors
/// When `text` is empty.
pub async fn async_captures_plain(text: &str) -> Result<impl Iterator<Item = &str>, String> {
    let is_empty = async |t: &str| t.is_empty();
    let text = checked(text, is_empty(text).await).await?;
    Ok(text.split(','))
}

/// # Errors
/// When `text` is empty.
#[defer_on_exit]
pub async fn async_captures_d(text: &str) -> Result<impl Iterator<Item = &str>, String> {
    defer! { probe::log("defer") }
    defer_on_err! { probe::log("err") }
    defer!(|ret| probe::log(format!("hook {}", ret.is_ok())));
    let is_empty = async |t: &str| t.is_empty();
    let text = checked(text, is_empty(text).await).await?;
    Ok(text.split(','))
}

/// # Errors
/// When `text` is empty.
#[recover(with = |p| p.resume())]
pub async fn async_captures_r(text: &str) -> Result<impl Iterator<Item = &str>, String> {
    let is_empty = async |t: &str| t.is_empty();
    let text = checked(text, is_empty(text).await).await?;
    Ok(text.split(','))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Debug;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    fn outcome<R>(f: impl FnOnce() -> R) -> Result<R, String> {
        catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        })
    }

    /// The three versions agree; returns what the `_d` version logged.
    fn compare<R: PartialEq + Debug>(
        plain: impl FnOnce() -> R,
        d: impl FnOnce() -> R,
        r: impl FnOnce() -> R,
    ) -> (Result<R, String>, Vec<String>) {
        let _ = probe::take();
        let expected = outcome(plain);
        let plain_log = probe::take();
        let got = outcome(d);
        let log = probe::take();
        assert_eq!(got, expected, "the `#[defer_on_exit]` version differs");
        assert_eq!(outcome(r), expected, "the `#[recover]` version differs");
        assert_eq!(
            probe::take(),
            plain_log,
            "the `#[recover]` version logged something else"
        );
        (
            expected,
            log.into_iter()
                .filter(|event| !plain_log.contains(event))
                .collect(),
        )
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
        }
    }

    #[test]
    fn captures() {
        let (out, log) = compare(
            || captures_plain("a1b").collect::<String>(),
            || captures_d("a1b").collect::<String>(),
            || captures_r("a1b").collect::<String>(),
        );
        assert_eq!(out, Ok("ab".into()));
        assert_eq!(log, ["hook", "defer"]);
    }

    #[test]
    fn tail_temporary() {
        let _ = probe::take();
        assert_eq!(tail_temporary_plain(&[1, 2, 3]), 11);
        assert_eq!(probe::take(), ["drop temporary"]);
        // The tail's temporary is dropped when the value is stored, before
        // the deferred actions run, as edition 2024 drops it before locals.
        assert_eq!(tail_temporary_d(&[1, 2, 3]), 11);
        assert_eq!(probe::take(), ["drop temporary", "hook 11", "defer"]);
        assert_eq!(tail_temporary_r(&[1, 2, 3]), 11);
        assert_eq!(probe::take(), ["drop temporary"]);
        let waker = std::task::Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(tail_temporary_async_r(&[1, 2, 3]));
        assert_eq!(future.as_mut().poll(&mut context), std::task::Poll::Ready(11));
        assert_eq!(probe::take(), ["drop temporary"]);
    }

    #[test]
    fn let_chains() {
        for (values, limit) in [
            (vec![5], "3"),
            (vec![2, 4], "3"),
            (vec![1, 3], "9"),
            (vec![], "1"),
            (vec![5], "x"),
        ] {
            let cells = [
                RefCell::new(values.clone()),
                RefCell::new(values.clone()),
                RefCell::new(values),
            ];
            let (out, log) = compare(
                || let_chains_plain(&cells[0], limit),
                || let_chains_d(&cells[1], limit),
                || let_chains_r(&cells[2], limit),
            );
            assert!(cells[0] == cells[1] && cells[1] == cells[2]);
            let hook = format!("hook {:?}", out.as_ref().unwrap());
            if out.as_ref().unwrap().is_ok() {
                assert_eq!(log, [hook, "defer".to_owned()]);
            } else {
                assert_eq!(log, [hook, "err".to_owned(), "defer".to_owned()]);
            }
        }
    }

    #[test]
    fn unsafe_extern_block() {
        for value in [-5, 7] {
            // SAFETY: a valid pointer.
            let (out, log) = compare(
                || unsafe { read_abs_plain(&raw const value) },
                || unsafe { read_abs_d(&raw const value) },
                || unsafe { read_abs_r(&raw const value) },
            );
            assert_eq!(log.len(), 2, "{out:?}: {log:?}");
        }
        // SAFETY: null is allowed.
        let (out, log) = compare(
            || unsafe { read_abs_plain(std::ptr::null()) },
            || unsafe { read_abs_d(std::ptr::null()) },
            || unsafe { read_abs_r(std::ptr::null()) },
        );
        assert_eq!(out, Ok(None));
        assert_eq!(log, ["hook None", "err", "defer"]);
    }

    #[test]
    fn unsafe_attributes() {
        let (out, log) = compare(|| clamp_plain(50), || clamp_d(50), || clamp_r(50));
        assert_eq!(out, Ok(10));
        assert_eq!(log, ["hook 10", "defer"]);
    }

    #[test]
    fn never_type_fallback() {
        for n in [0, 3, 8] {
            let (out, log) = compare(
                || never_fallback_plain(n),
                || never_fallback_d(n),
                || never_fallback_r(n),
            );
            assert_eq!(log.len(), if out.as_ref().unwrap().is_ok() { 2 } else { 3 });
        }
        let counts = [Cell::new(0), Cell::new(0), Cell::new(0)];
        let (out, log) = compare(
            || -> () { never_plain(&counts[0]) },
            || -> () { never_d(&counts[1]) },
            || -> () { never_r(&counts[2]) },
        );
        assert_eq!(out, Err("gave up after 1".into()));
        assert_eq!(log, ["defer"]);
    }

    #[test]
    fn expr_fragment() {
        for text in ["2", "x"] {
            let (_, log) = compare(
                || expr_fragment_plain(text),
                || expr_fragment_d(text),
                || expr_fragment_r(text),
            );
            assert!(log.last().is_some_and(|event| event == "defer"));
        }
    }

    #[test]
    fn async_captures() {
        for text in ["a,b", ""] {
            let (out, log) = compare(
                || block_on(async_captures_plain(text)).map(Iterator::count),
                || block_on(async_captures_d(text)).map(Iterator::count),
                || block_on(async_captures_r(text)).map(Iterator::count),
            );
            if out.unwrap().is_ok() {
                assert_eq!(log, ["hook true", "defer"]);
            } else {
                assert_eq!(log, ["hook false", "err", "defer"]);
            }
        }
    }
}
