//! The expansion keeps what the function's signature gives its body: exits
//! coerce to the declared return type, a returned reborrow outlives the
//! rewritten body, and `?` works on every type it works on without the
//! attribute.

use common::block_on;
use epilogue::{defer_on_exit, recover};
use epilogue_test_support as common;
use std::fmt::{Debug, Display};
use std::num::ParseIntError;
use std::task::Poll;

// Unsizing coercions at the return sites of a `#[recover]` body, whose
// closure (or async block) would otherwise infer its own return type.

#[recover(with = |p| p.resume())]
fn adder(k: i32) -> Box<dyn Fn(i32) -> i32> {
    if k == 0 {
        return Box::new(|x| x);
    }
    Box::new(move |x| x + k)
}

#[recover(with = |p| p.resume())]
fn shown(n: u32) -> Result<Box<dyn Display>, String> {
    if n % 2 == 1 {
        Ok(Box::new("odd"))
    } else {
        Ok(Box::new(n))
    }
}

#[recover(with = |p| p.resume())]
fn either<'a>(number: &'a u64, name: &'a char, pick_number: bool) -> &'a dyn Debug {
    if pick_number {
        return number;
    }
    name
}

#[recover(with = |p| p.resume())]
fn elided(name: &char) -> &dyn Debug {
    if *name == ' ' {
        return &"(empty)";
    }
    name
}

#[recover(with = |p| p.resume())]
async fn shown_async(n: u32) -> Result<Box<dyn Display>, String> {
    if n == 0 {
        return Ok(Box::new("zero"));
    }
    if n % 2 == 1 {
        Ok(Box::new("odd"))
    } else {
        Ok(Box::new(n))
    }
}

#[recover(with = |p| p.resume())]
async fn elided_async(name: &char) -> &dyn Debug {
    if *name == ' ' {
        return &"(empty)";
    }
    name
}

#[test]
fn recover_bodies_coerce_their_exits_to_the_return_type() {
    assert_eq!(adder(0)(5), 5);
    assert_eq!(adder(2)(1), 3);
    assert_eq!(shown(2).unwrap().to_string(), "2");
    assert_eq!(shown(3).unwrap().to_string(), "odd");
    assert_eq!(format!("{:?}", either(&1, &'x', true)), "1");
    assert_eq!(format!("{:?}", either(&1, &'x', false)), "'x'");
    assert_eq!(format!("{:?}", elided(&' ')), "\"(empty)\"");
    assert_eq!(format!("{:?}", elided(&'x')), "'x'");
    assert_eq!(block_on(shown_async(0)).unwrap().to_string(), "zero");
    assert_eq!(block_on(shown_async(4)).unwrap().to_string(), "4");
    assert_eq!(block_on(shown_async(5)).unwrap().to_string(), "odd");
    assert_eq!(format!("{:?}", block_on(elided_async(&' '))), "\"(empty)\"");
    assert_eq!(format!("{:?}", block_on(elided_async(&'x'))), "'x'");
}

// A reborrow of a `&mut` parameter, returned from a function whose body the
// exit slot runs as a closure or an async block.

#[defer_on_exit]
fn largest(values: &mut [u32]) -> Option<&mut u32> {
    defer!(|ret| assert!(ret.is_some() || values_were_empty(ret)));
    values.iter_mut().max()
}

fn values_were_empty(ret: &Option<&mut u32>) -> bool {
    ret.is_none()
}

#[defer_on_exit]
async fn largest_async(values: &mut [u32]) -> Option<&mut u32> {
    defer_on_err! { unreachable!("an Option's None is not an error here") }
    values.iter_mut().max()
}

struct Counters {
    hits: Vec<u32>,
}

impl Counters {
    #[defer_on_exit]
    fn busiest(&mut self) -> Result<&mut u32, String> {
        defer_on_err! { self_is_borrowed_so_nothing_to_undo() }
        self.hits.iter_mut().max().ok_or_else(|| "no counters".to_owned())
    }
}

fn self_is_borrowed_so_nothing_to_undo() {}

#[test]
fn hooked_functions_return_reborrows_of_their_parameters() {
    let mut values = [1, 3, 2];
    *largest(&mut values).unwrap() = 0;
    assert_eq!(values, [1, 0, 2]);
    assert!(largest(&mut []).is_none());

    *block_on(largest_async(&mut values)).unwrap() += 10;
    assert_eq!(values, [1, 0, 12]);

    let mut counters = Counters { hits: vec![4, 9] };
    *counters.busiest().unwrap() = 0;
    assert_eq!(counters.hits, [4, 0]);
    assert_eq!(
        Counters { hits: Vec::new() }.busiest(),
        Err("no counters".to_owned())
    );
}

// `?` on `Poll`, in a function whose `?` the exit slot rewrites.

fn ready(n: u32) -> Poll<Result<u32, String>> {
    if n > 100 {
        Poll::Ready(Err(format!("{n} too big")))
    } else if n == 0 {
        Poll::Pending
    } else {
        Poll::Ready(Ok(n))
    }
}

fn next(n: u32) -> Poll<Option<Result<u32, String>>> {
    match n {
        0 => Poll::Pending,
        1 => Poll::Ready(None),
        2..=100 => Poll::Ready(Some(Ok(n))),
        _ => Poll::Ready(Some(Err(format!("{n} too big")))),
    }
}

#[defer_on_exit]
fn question_on_poll(n: u32) -> Result<(Poll<u32>, Poll<Option<u32>>), String> {
    defer_on_err! { common::log("question_on_poll failed") }
    let polled = ready(n)?;
    let streamed = next(n)?;
    Ok((polled, streamed))
}

#[defer_on_exit]
fn returns_poll(text: &str) -> Poll<Result<u32, ParseIntError>> {
    defer!(|ret| common::log(format!("returns_poll: {ret:?}")));
    let n: u32 = text.parse()?;
    Poll::Ready(Ok(n))
}

#[defer_on_exit]
fn returns_poll_option(text: &str) -> Poll<Option<Result<u32, ParseIntError>>> {
    defer_on_err! { common::log("returns_poll_option failed") }
    let n: u32 = text.parse()?;
    Poll::Ready(Some(Ok(n)))
}

#[test]
fn question_mark_works_on_poll_as_without_the_attribute() {
    assert_eq!(question_on_poll(5), Ok((Poll::Ready(5), Poll::Ready(Some(5)))));
    assert_eq!(question_on_poll(1), Ok((Poll::Ready(1), Poll::Ready(None))));
    assert_eq!(question_on_poll(0), Ok((Poll::Pending, Poll::Pending)));
    assert!(common::events().is_empty());
    assert_eq!(question_on_poll(101), Err("101 too big".to_owned()));
    assert_eq!(common::events(), ["question_on_poll failed"]);

    assert_eq!(returns_poll("7"), Poll::Ready(Ok(7)));
    assert!(matches!(returns_poll("x"), Poll::Ready(Err(_))));
    assert_eq!(
        common::events(),
        [
            "returns_poll: Ready(Ok(7))",
            "returns_poll: Ready(Err(ParseIntError { kind: InvalidDigit }))",
        ]
    );

    assert_eq!(returns_poll_option("8"), Poll::Ready(Some(Ok(8))));
    assert!(common::events().is_empty());
    assert!(matches!(returns_poll_option("x"), Poll::Ready(Some(Err(_)))));
    assert_eq!(common::events(), ["returns_poll_option failed"]);
}
