//! Every kind of function `#[defer_on_exit]` applies to: receivers,
//! generics, `where`, lifetimes, `impl Trait`, `unsafe fn`, `extern "C" fn`,
//! trait default methods. Each has a hook or `defer_on_err!`, which forces
//! the full rewrite through the exit slot.

use common::{events, log, panic_message};
use epilogue::defer_on_exit;
use epilogue_test_support as common;
use std::fmt::Display;
use std::pin::Pin;
use std::rc::Rc;

#[derive(Debug, Default, Clone, PartialEq)]
struct Counter {
    count: u32,
}

impl Counter {
    #[defer_on_exit]
    fn by_ref(&self) -> u32 {
        defer!(|ret| *ret += 1000);
        self.count
    }

    #[defer_on_exit]
    fn by_mut(&mut self, fail: bool) -> Result<u32, String> {
        defer_on_err! { log("by_mut failed") }
        defer!(|ret| if let Ok(n) = ret {
            *n *= 10;
        });
        self.count += 1;
        if fail {
            return Err("fail".into());
        }
        Ok(self.count)
    }

    #[defer_on_exit]
    fn by_value(self) -> Option<Self> {
        defer_on_err! { log("by_value gave nothing") }
        (self.count > 0).then_some(self)
    }

    #[defer_on_exit]
    #[allow(clippy::boxed_local)] // the point: a `Box<Self>` receiver
    fn boxed(self: Box<Self>) -> u32 {
        defer!(|ret| *ret += 1);
        self.count
    }

    #[defer_on_exit]
    fn rc(self: Rc<Self>) -> u32 {
        defer!(|ret| *ret += 2);
        self.count
    }

    #[defer_on_exit]
    fn pinned(self: Pin<&mut Self>) -> u32 {
        defer!(|ret| *ret += 3);
        self.count
    }

    #[defer_on_exit]
    fn new(count: u32) -> Self {
        defer!(|ret| ret.count += 1);
        Self { count }
    }
}

#[test]
fn every_receiver() {
    let mut counter = Counter::new(1);
    assert_eq!(counter, Counter { count: 2 });
    assert_eq!(counter.by_ref(), 1002);
    assert_eq!(counter.by_mut(false), Ok(30));
    assert_eq!(counter.by_mut(true), Err("fail".into()));
    assert_eq!(Box::new(counter.clone()).boxed(), 5);
    assert_eq!(Rc::new(counter.clone()).rc(), 6);
    assert_eq!(Pin::new(&mut counter.clone()).pinned(), 7);
    assert_eq!(counter.clone().by_value(), Some(Counter { count: 4 }));
    assert_eq!(Counter::default().by_value(), None);
    assert_eq!(events(), ["by_mut failed", "by_value gave nothing"]);
}

trait Repository {
    fn name(&self) -> String;

    #[defer_on_exit]
    fn describe(&self, verbose: bool) -> Result<String, String> {
        defer_on_err! { log(format!("{} could not describe itself", self.name())) }
        defer!(|ret| if let Ok(text) = ret {
            text.push('!');
        });
        if !verbose {
            return Err("terse".into());
        }
        Ok(format!("repository {}", self.name()))
    }

    fn save(&mut self) -> Result<(), String>;
}

struct Memory(std::cell::RefCell<Vec<u8>>);

impl Repository for Memory {
    fn name(&self) -> String {
        "memory".into()
    }

    #[defer_on_exit]
    fn save(&mut self) -> Result<(), String> {
        // A cleanup that mutates what the body also mutates goes through a
        // shared borrow (`RefCell`): the guard holds its borrow until the end.
        defer_on_err! { self.0.borrow_mut().clear() }
        self.0.borrow_mut().push(1);
        if self.0.borrow().len() > 2 {
            return Err("full".into());
        }
        Ok(())
    }
}

#[test]
fn trait_default_methods_and_trait_impl_methods() {
    let mut memory = Memory(std::cell::RefCell::default());
    assert_eq!(memory.describe(true), Ok("repository memory!".into()));
    assert_eq!(memory.describe(false), Err("terse".into()));
    assert_eq!(events(), ["memory could not describe itself"]);
    assert_eq!(memory.save(), Ok(()));
    assert_eq!(memory.save(), Ok(()));
    assert_eq!(memory.save(), Err("full".into()));
    assert!(memory.0.borrow().is_empty());
}

#[defer_on_exit]
fn generic<T, U>(items: &[T], map: impl Fn(&T) -> U) -> Result<Vec<U>, String>
where
    T: Display,
    U: Clone,
{
    defer_on_err! { log("empty input") }
    defer!(|ret| log(format!("mapped {} items", ret.as_ref().map_or(0, Vec::len))));
    if items.is_empty() {
        return Err("empty".into());
    }
    Ok(items.iter().map(map).collect())
}

#[test]
fn generics_where_clauses_and_impl_trait_arguments() {
    assert_eq!(generic(&[1, 2], |x| x * 2), Ok(vec![2, 4]));
    assert_eq!(generic::<u8, u8>(&[], |x| *x), Err("empty".into()));
    assert_eq!(events(), ["mapped 2 items", "mapped 0 items", "empty input"]);
}

#[defer_on_exit]
fn longest<'a, 'b: 'a>(a: &'a str, b: &'b str) -> &'a str {
    defer!(|ret| log(format!("longest is {ret}")));
    if a.len() >= b.len() {
        a
    } else {
        b
    }
}

#[defer_on_exit]
fn elided(text: &str) -> Option<&str> {
    defer_on_err! { log("no first word") }
    text.split_whitespace().next()
}

#[test]
fn explicit_and_elided_lifetimes() {
    assert_eq!(longest("ab", "abc"), "abc");
    assert_eq!(elided("hello world"), Some("hello"));
    assert_eq!(elided(""), None);
    assert_eq!(events(), ["longest is abc", "no first word"]);
}

#[defer_on_exit]
fn const_generic<const N: usize>(values: [u8; N]) -> [u8; N] {
    defer!(|ret| ret.reverse());
    values
}

#[test]
fn const_generics() {
    assert_eq!(const_generic([1, 2, 3]), [3, 2, 1]);
}

#[defer_on_exit]
fn patterns((a, b): (u32, u32), Counter { count }: Counter, mut extra: u32) -> u32 {
    defer!(|ret| *ret += 1);
    extra += 1;
    a + b + count + extra
}

#[test]
fn patterns_and_mut_parameters() {
    assert_eq!(patterns((1, 2), Counter { count: 3 }, 4), 12);
}

#[defer_on_exit]
unsafe fn read(pointer: *const u32) -> Option<u32> {
    defer_on_err! { log("null pointer") }
    if pointer.is_null() {
        return None;
    }
    // SAFETY: the caller passes a valid pointer or null.
    Some(unsafe { *pointer })
}

#[test]
fn unsafe_functions() {
    let value = 7;
    // SAFETY: a valid pointer, then null.
    assert_eq!(unsafe { read(&value) }, Some(7));
    assert_eq!(unsafe { read(std::ptr::null()) }, None);
    assert_eq!(events(), ["null pointer"]);
}

#[defer_on_exit]
extern "C" fn c_callback(code: i32) -> i32 {
    defer!(|ret| *ret *= 2);
    code + 1
}

#[test]
fn extern_c_functions() {
    let callback: extern "C" fn(i32) -> i32 = c_callback;
    assert_eq!(callback(1), 4);
}

#[defer_on_exit]
fn never_returns() -> ! {
    defer! { log("cleanup of a diverging function") }
    panic!("diverged");
}

#[test]
fn functions_returning_never_get_plain_defers() {
    assert_eq!(panic_message(|| never_returns()), Err("diverged".into()));
    assert_eq!(events(), ["cleanup of a diverging function"]);
}

#[defer_on_exit]
fn returns_box_dyn(flag: bool) -> Box<dyn Display> {
    defer!(|ret| log(format!("boxed {ret}")));
    if flag {
        Box::new(1)
    } else {
        Box::new("one")
    }
}

#[test]
fn trait_objects() {
    assert_eq!(returns_box_dyn(true).to_string(), "1");
    assert_eq!(returns_box_dyn(false).to_string(), "one");
    assert_eq!(events(), ["boxed 1", "boxed one"]);
}

#[defer_on_exit]
fn with_inner_attributes() -> u32 {
    #![allow(clippy::let_and_return)]
    defer!(|ret| *ret += 1);
    let value = 1;
    value
}

#[test]
fn inner_attributes_stay_on_the_function() {
    assert_eq!(with_inner_attributes(), 2);
}

#[defer_on_exit]
fn with_use_items_and_nested_items() -> Result<String, std::fmt::Error> {
    use std::fmt::Write as _;
    const GREETING: &str = "hi";
    struct Local;
    defer_on_err! { log("write failed") }
    let mut text = String::new();
    let _ = Local;
    write!(text, "{GREETING}")?;
    Ok(text)
}

#[test]
fn use_and_item_declarations_in_the_body() {
    assert_eq!(with_use_items_and_nested_items(), Ok("hi".into()));
}

mod path_forms {
    use super::common::{events, log};

    #[epilogue::defer_on_exit]
    fn qualified() -> Result<(), ()> {
        epilogue::defer! { log("qualified defer") }
        ::epilogue::defer_on_err! { log("fully qualified defer_on_err") }
        Err(())
    }

    #[test]
    fn qualified_macro_paths_are_recognised() {
        assert_eq!(qualified(), Err(()));
        assert_eq!(events(), ["fully qualified defer_on_err", "qualified defer"]);
    }
}

/// The body's value from one of several blocks under `#[cfg]`: the build
/// keeps one, which may be the one before the syntactic tail (fixedbitset's
/// `Block::is_empty` picks its block by target feature).
#[defer_on_exit]
fn tail_under_cfg(x: u8) -> bool {
    defer!(|ret| log(format!("returning {ret}")));
    #[cfg(not(target_pointer_width = "16"))]
    {
        x == 0
    }
    #[cfg(target_pointer_width = "16")]
    {
        x == 1
    }
}

/// The same with the kept block last, and an `if` among them.
#[defer_on_exit]
fn tail_under_cfg_last(x: u8) -> Result<u8, String> {
    defer_on_err! { log("failed") }
    #[cfg(target_pointer_width = "16")]
    {
        Ok(x)
    }
    #[cfg(not(target_pointer_width = "16"))]
    if x > 1 {
        Ok(x)
    } else {
        Err(format!("{x} is too small"))
    }
}

#[test]
fn a_tail_chosen_by_cfg() {
    assert!(tail_under_cfg(0));
    assert!(!tail_under_cfg(1));
    assert_eq!(events(), ["returning true", "returning false"]);
    assert_eq!(tail_under_cfg_last(2), Ok(2));
    assert_eq!(tail_under_cfg_last(1), Err("1 is too small".into()));
    assert_eq!(events(), ["failed"]);
}
