//! Early returns hidden in other macros: anyhow's and eyre's `bail!` and
//! `ensure!`, `ready!`, a crate's own `itry!`. In a function with hooks or
//! `defer_on_err!`, each such invocation runs in a closure that catches the
//! early exit it returns and routes it through the exit slot, so the hooks
//! see it (and may change it) and `defer_on_err!` classifies it exactly as a
//! `return` written in the body.

use anyhow::{bail, ensure};
use epilogue::defer_on_exit;
use epilogue_test_support::{block_on, events, log, panic_message};
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

#[defer_on_exit]
fn check(value: i64) -> anyhow::Result<i64> {
    defer_on_err! { log("defer_on_err") }
    defer!(|ret| log(format!(
        "hook saw {}",
        ret.as_ref()
            .map_err(ToString::to_string)
            .map_or_else(|e| e, |v| v.to_string())
    )));
    ensure!(value != 0, "zero is not allowed");
    anyhow::ensure!(value > -100, "too small: {value}");
    if value > 100 {
        bail!("too big: {value}");
    }
    if value == 42 {
        anyhow::bail!("the answer");
    }
    Ok(value * 2)
}

#[test]
fn anyhow_bail_and_ensure_imported_and_qualified() {
    assert_eq!(check(3).unwrap(), 6);
    assert_eq!(events(), ["hook saw 6"]);
    for (value, message) in [
        (0, "zero is not allowed"),
        (-200, "too small: -200"),
        (200, "too big: 200"),
        (42, "the answer"),
    ] {
        assert_eq!(check(value).unwrap_err().to_string(), message);
        assert_eq!(events(), [format!("hook saw {message}").as_str(), "defer_on_err"]);
    }
}

fn parse(text: &str) -> anyhow::Result<i64> {
    Ok(text.trim().parse()?)
}

/// In nested blocks and loops, with `?` in the macro's arguments, and a hook
/// that changes the error.
#[defer_on_exit]
fn total(texts: &[&str]) -> anyhow::Result<i64> {
    defer!(|ret| if let Err(error) = ret {
        *error = anyhow::anyhow!("totalling: {error}");
    });
    let mut sum = 0;
    for text in texts {
        defer_on_err! { log(format!("failed at {text}")) }
        {
            ensure!(parse(text)? >= 0, "negative: {text}");
            sum += parse(text)?;
        }
    }
    Ok(sum)
}

#[test]
fn in_loops_with_question_marks_inside() {
    assert_eq!(total(&["1", "2"]).unwrap(), 3);
    assert_eq!(events(), Vec::<String>::new());
    assert_eq!(
        total(&["1", "-2", "3"]).unwrap_err().to_string(),
        "totalling: negative: -2"
    );
    assert_eq!(events(), ["failed at -2"]);
    assert_eq!(
        total(&["x"]).unwrap_err().to_string(),
        "totalling: invalid digit found in string"
    );
    assert_eq!(events(), ["failed at x"]);
}

#[defer_on_exit]
fn eyre_check(value: u32) -> eyre::Result<u32> {
    defer_on_err! { log("eyre defer_on_err") }
    eyre::ensure!(value.is_multiple_of(2), "odd: {value}");
    if value > 10 {
        eyre::bail!("too big");
    }
    Ok(value)
}

#[test]
fn eyre_bail_and_ensure() {
    assert_eq!(eyre_check(4).unwrap(), 4);
    assert_eq!(eyre_check(3).unwrap_err().to_string(), "odd: 3");
    assert_eq!(eyre_check(12).unwrap_err().to_string(), "too big");
    assert_eq!(events(), ["eyre defer_on_err", "eyre defer_on_err"]);
}

/// A crate-local `try!` for iterators of results, as walkdir has.
macro_rules! itry {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(err) => return Some(Err(From::from(err))),
        }
    };
}

#[derive(Debug, PartialEq)]
struct ReadError(String);

impl From<String> for ReadError {
    fn from(text: String) -> Self {
        ReadError(text)
    }
}

struct Lines {
    raw: Vec<Result<&'static str, String>>,
}

impl Iterator for Lines {
    type Item = Result<usize, ReadError>;

    #[defer_on_exit]
    fn next(&mut self) -> Option<Result<usize, ReadError>> {
        defer!(|ret| log(format!("next gave {ret:?}")));
        let line = itry!(self.raw.pop()?);
        let length = match line.len() {
            0 => itry!(Err("empty line".to_owned())),
            n => n,
        };
        Some(Ok(length))
    }
}

#[test]
fn a_crate_local_itry_in_an_iterator() {
    let lines = Lines {
        raw: vec![Ok("ab"), Ok(""), Err("broken".into()), Ok("c")],
    };
    let got: Vec<_> = lines.collect();
    assert_eq!(
        got,
        [
            Ok(1),
            Err(ReadError("broken".into())),
            Err(ReadError("empty line".into())),
            Ok(2)
        ]
    );
    assert_eq!(
        events(),
        [
            "next gave Some(Ok(1))",
            "next gave Some(Err(ReadError(\"broken\")))",
            "next gave Some(Err(ReadError(\"empty line\")))",
            "next gave Some(Ok(2))",
            "next gave None",
        ]
    );
}

/// A source that is pending every other poll.
struct Source {
    items: Vec<Result<u8, String>>,
    ready: bool,
}

impl Source {
    fn poll_item(&mut self) -> Poll<Option<Result<u8, String>>> {
        self.ready = !self.ready;
        if self.ready {
            Poll::Ready(self.items.pop())
        } else {
            Poll::Pending
        }
    }

    /// `std::task::ready!`, imported and qualified.
    #[defer_on_exit]
    fn poll_double(&mut self, _cx: &mut Context<'_>, qualified: bool) -> Poll<Result<u32, String>> {
        defer_on_err! { log("poll_double failed") }
        defer!(|ret| log(format!("poll_double gave {ret:?}")));
        let item = if qualified {
            std::task::ready!(self.poll_item())
        } else {
            ready!(self.poll_item())
        };
        Poll::Ready(Ok(u32::from(item.unwrap_or(Ok(0))?) * 2))
    }

    /// A stream's `poll_next`, with `futures_core::ready!`.
    #[defer_on_exit]
    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<u8, String>>> {
        defer_on_err! { log("poll_next failed") }
        let item = futures_core::ready!(self.poll_item());
        let Some(item) = item else {
            return Poll::Ready(None);
        };
        Poll::Ready(Some(Ok(item? * 10)))
    }
}

#[test]
fn ready_in_poll_functions() {
    let mut cx = Context::from_waker(Waker::noop());
    for qualified in [false, true] {
        let mut source = Source {
            items: vec![Err("bad".into()), Ok(2)],
            ready: true,
        };
        assert_eq!(source.poll_double(&mut cx, qualified), Poll::Pending);
        assert_eq!(source.poll_double(&mut cx, qualified), Poll::Ready(Ok(4)));
        assert_eq!(source.poll_double(&mut cx, qualified), Poll::Pending);
        assert_eq!(
            source.poll_double(&mut cx, qualified),
            Poll::Ready(Err("bad".into()))
        );
        // `Pending` is an early exit, not a failure.
        assert_eq!(
            events(),
            [
                "poll_double gave Pending",
                "poll_double gave Ready(Ok(4))",
                "poll_double gave Pending",
                "poll_double gave Ready(Err(\"bad\"))",
                "poll_double failed"
            ]
        );
    }
}

#[test]
fn ready_in_a_stream() {
    let mut cx = Context::from_waker(Waker::noop());
    let mut source = Box::pin(Source {
        items: vec![Err("bad".into()), Ok(4)],
        ready: false,
    });
    let mut seen = Vec::new();
    loop {
        match source.as_mut().poll_next(&mut cx) {
            Poll::Pending => seen.push("pending".to_owned()),
            Poll::Ready(None) => break,
            Poll::Ready(Some(item)) => seen.push(format!("{item:?}")),
        }
    }
    assert_eq!(seen, ["Ok(40)", "pending", "Err(\"bad\")", "pending"]);
    assert_eq!(events(), ["poll_next failed"]);
}

/// A macro that hides a `continue` or a `break`, in a loop.
macro_rules! some_or_continue {
    ($e:expr) => {
        match $e {
            Some(value) => value,
            None => continue,
        }
    };
}

macro_rules! stop_at {
    ($value:expr, $stop:expr) => {
        if $value == $stop {
            break;
        }
    };
}

#[defer_on_exit]
fn sum_some(values: &[Option<u32>]) -> Result<u32, String> {
    defer_on_err! { log("never") }
    let mut sum = 0;
    for value in values {
        defer! { log(format!("after {value:?}")) }
        let value = some_or_continue!(*value);
        stop_at!(value, 9);
        sum += value;
    }
    Ok(sum)
}

#[test]
fn a_continue_or_break_hidden_in_a_macro_inside_a_loop() {
    assert_eq!(sum_some(&[Some(1), None, Some(2), Some(9), Some(4)]), Ok(3));
    assert_eq!(
        events(),
        ["after Some(1)", "after None", "after Some(2)", "after Some(9)"]
    );
}

/// `ready!` in a `loop` that never breaks: the loop keeps its type (`!`,
/// here the function's tail), as walkdir's `itry!` in a `while` and
/// async-lock's `ready!` in a `loop` need.
#[defer_on_exit]
fn first_positive(mut next: impl FnMut() -> Poll<u8>) -> Poll<u8> {
    defer!(|ret| log(format!("returning {ret:?}")));
    loop {
        let value = ready!(next());
        if value > 0 {
            return Poll::Ready(value);
        }
    }
}

#[test]
fn ready_in_a_loop_that_never_breaks() {
    let mut polls = [Poll::Ready(0), Poll::Pending, Poll::Ready(3)].into_iter();
    assert_eq!(first_positive(|| polls.next().unwrap()), Poll::Pending);
    assert_eq!(first_positive(|| polls.next().unwrap()), Poll::Ready(3));
    assert_eq!(events(), ["returning Pending", "returning Ready(3)"]);
}

/// A macro that hides a `break` with a value.
macro_rules! zero_ends_with {
    ($value:expr, $end:expr) => {
        match $value {
            0 => break $end,
            value => value,
        }
    };
}

/// A hidden `break value` in a `loop` whose value is used; a hidden plain
/// `break` in a `while`; and in a `loop` of type `()`.
#[defer_on_exit]
fn scan(values: &[u32]) -> Option<u32> {
    defer_on_err! { log("ran out") }
    let mut rest = values.iter();
    let first_big = loop {
        let value = zero_ends_with!(*rest.next()?, 1000);
        if value > 50 {
            break value;
        }
    };
    let mut small = 0;
    while small < 100 {
        let Some(&value) = rest.next() else { break };
        stop_at!(value, 9);
        small += some_or_continue!((value < 50).then_some(value));
    }
    let mut count = 0;
    loop {
        count += 1;
        stop_at!(count, 3);
    }
    Some(first_big + small + count)
}

#[test]
fn a_break_hidden_in_a_macro_keeps_its_value_and_the_loops_type() {
    // 60 is big; 1 + 2 are small (70 is skipped), 9 stops; then count to 3.
    assert_eq!(scan(&[5, 60, 1, 70, 2, 9, 4]), Some(66));
    // The zero breaks the first loop with 1000.
    assert_eq!(scan(&[5, 0, 1]), Some(1004));
    // No big value: `?` on the exhausted iterator.
    assert_eq!(scan(&[5, 6]), None);
    assert_eq!(events(), ["ran out"]);
}

/// Inside the rest of a block after a borrow-free action.
#[defer_on_exit]
fn with_borrow_free_cleanup(limit: usize) -> anyhow::Result<usize> {
    let mut items = Vec::new();
    defer! { log(format!("cleanup saw {} items", items.len())) }
    for i in 0..5 {
        items.push(i);
        ensure!(items.len() <= limit, "more than {limit} items");
    }
    Ok(items.len())
}

#[test]
fn inside_a_frame() {
    assert_eq!(with_borrow_free_cleanup(9).unwrap(), 5);
    assert_eq!(events(), ["cleanup saw 5 items"]);
    assert_eq!(
        with_borrow_free_cleanup(2).unwrap_err().to_string(),
        "more than 2 items"
    );
    assert_eq!(events(), ["cleanup saw 3 items"]);
}

#[defer_on_exit]
async fn async_check(value: u32) -> anyhow::Result<u32> {
    defer_on_err! { log("async defer_on_err") }
    defer!(async |ret| {
        if let Ok(value) = ret {
            *value += 1;
        }
    });
    ensure!(value > 0, "zero");
    Ok(value)
}

#[test]
fn in_an_async_fn() {
    assert_eq!(block_on(async_check(1)).unwrap(), 2);
    assert_eq!(block_on(async_check(0)).unwrap_err().to_string(), "zero");
    assert_eq!(events(), ["async defer_on_err"]);
}

/// A panic inside a wrapped macro is a panic of the function.
macro_rules! checked {
    ($value:expr) => {
        match $value {
            0 => panic!("checked a zero"),
            value => value,
        }
    };
}

#[defer_on_exit]
fn panics_in_macro(value: u32) -> Result<u32, String> {
    defer_on_err! { log("defer_on_err on panic") }
    defer!(|_ret| log("no hook on panic"));
    Ok(checked!(value))
}

#[test]
fn a_panic_inside_a_wrapped_macro() {
    assert_eq!(
        panic_message(|| panics_in_macro(0)).unwrap_err(),
        "checked a zero"
    );
    assert_eq!(events(), ["defer_on_err on panic"]);
}

/// A value assigned in a loop before its own `break`, with `ready!` inside
/// (futures-lite's shape): `ready!` only returns, so the loop gets no other
/// exit and the value is initialised after it.
#[defer_on_exit]
fn assigned_in_loop(mut next: impl FnMut() -> Poll<u8>) -> Poll<u8> {
    defer!(|ret| log(format!("returning {ret:?}")));
    let found;
    loop {
        let value = ready!(next());
        if value > 0 {
            found = value;
            break;
        }
    }
    Poll::Ready(found * 2)
}

#[test]
fn ready_before_an_assignment_and_a_break() {
    let mut polls = [Poll::Ready(0), Poll::Pending, Poll::Ready(4)].into_iter();
    assert_eq!(assigned_in_loop(|| polls.next().unwrap()), Poll::Pending);
    assert_eq!(assigned_in_loop(|| polls.next().unwrap()), Poll::Ready(8));
    assert_eq!(events(), ["returning Pending", "returning Ready(8)"]);
}

/// Macros written as statements whose expansions are several statements
/// (heapless's `probe_loop!` shape): each stays a statement, in the middle
/// of a block, last with its `;`, and (braced) as the value of the function.
macro_rules! check_all {
    ($values:expr, $limit:expr) => {
        let limit = $limit;
        for value in $values {
            if value > limit {
                return Err(format!("{value} > {limit}"));
            }
        }
    };
}

macro_rules! doubled_checked {
    ($value:expr) => {
        let value = $value;
        if value > 100 {
            return Err(format!("{value} too big to double"));
        }
        Ok(value * 2)
    };
}

macro_rules! probe_loop {
    ($probe:ident < $len:expr, $body:block) => {
        let mut $probe = 0;
        loop {
            if $probe < $len {
                $body
                $probe += 1;
            } else {
                $probe = 0;
            }
        }
    };
}

#[defer_on_exit]
fn checked_sum(values: &[u32], limit: u32) -> Result<u32, String> {
    defer!(|ret| log(format!("sum {ret:?}")));
    check_all!(values.iter().copied(), limit);
    let sum: u32 = values.iter().sum();
    doubled_checked! { sum.min(1000) }
}

#[defer_on_exit]
fn position(values: &[u32], wanted: u32) -> Option<usize> {
    defer!(|ret| log(format!("position {ret:?}")));
    probe_loop!(probe < values.len(), {
        if values[probe] == wanted {
            return Some(probe);
        }
        if values[probe] == 0 {
            return None;
        }
    });
}

#[test]
fn statement_macros_that_expand_to_several_statements() {
    assert_eq!(checked_sum(&[1, 2], 5), Ok(6));
    assert_eq!(checked_sum(&[1, 9], 5), Err("9 > 5".to_owned()));
    assert_eq!(
        checked_sum(&[60, 50], 80),
        Err("110 too big to double".to_owned())
    );
    assert_eq!(position(&[4, 5, 6], 6), Some(2));
    assert_eq!(position(&[4, 5, 0], 7), None);
    assert_eq!(
        events(),
        [
            "sum Ok(6)",
            "sum Err(\"9 > 5\")",
            "sum Err(\"110 too big to double\")",
            "position Some(2)",
            "position None",
        ]
    );
}

/// A future whose output is a `Result` only by its associated type (the
/// macro sees `Poll<Self::Output>`), with `?` inside `ready!` (futures-lite's
/// `TryCollectFuture`).
struct SumAll<S> {
    polls: S,
}

impl<S: Iterator<Item = Poll<Option<Result<u32, String>>>> + Unpin> Future for SumAll<S> {
    type Output = Result<u32, String>;

    #[defer_on_exit]
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        defer!(|ret| log(format!("poll gave {ret:?}")));
        let mut sum = 0;
        Poll::Ready(Ok(loop {
            match ready!(self.polls.next().unwrap_or(Poll::Ready(None))?) {
                Some(value) => sum += value,
                None => break sum,
            }
        }))
    }
}

#[test]
fn ready_with_a_question_mark_inside_under_an_associated_output_type() {
    let mut cx = Context::from_waker(Waker::noop());
    let polls = [
        Poll::Ready(Some(Ok(1))),
        Poll::Pending,
        Poll::Ready(Some(Ok(2))),
        Poll::Ready(None),
    ];
    let mut sum = SumAll {
        polls: polls.into_iter(),
    };
    assert_eq!(Pin::new(&mut sum).poll(&mut cx), Poll::Pending);
    let polls = [
        Poll::Ready(Some(Ok(1))),
        Poll::Ready(Some(Err("lost".to_owned()))),
    ];
    let mut failed = SumAll {
        polls: polls.into_iter(),
    };
    assert_eq!(
        Pin::new(&mut failed).poll(&mut cx),
        Poll::Ready(Err("lost".to_owned()))
    );
    let mut done = SumAll {
        polls: [Poll::Ready(Some(Ok(5))), Poll::Ready(None)].into_iter(),
    };
    assert_eq!(Pin::new(&mut done).poll(&mut cx), Poll::Ready(Ok(5)));
    assert_eq!(
        events(),
        [
            "poll gave Pending",
            "poll gave Ready(Err(\"lost\"))",
            "poll gave Ready(Ok(5))"
        ]
    );
}
