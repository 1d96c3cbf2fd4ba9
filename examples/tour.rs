//! A guided run through everything epilogue does: `cargo run --example tour`.
//!
//! Each section prints what ran, in which order, and why.

use epilogue::{defer_on_exit, recover, Panic};
use std::cell::RefCell;
use std::future::Future;

thread_local! {
    static OUTPUT: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Prints a line of the tour, indented under its section.
fn say(line: impl Into<String>) {
    let line = line.into();
    println!("    {line}");
    OUTPUT.with(|output| output.borrow_mut().push(line));
}

fn section(number: u32, title: &str, why: &str) {
    println!("\n{number}. {title}");
    println!("   {why}");
}

// 1. defer! runs when its block is left, in reverse order of registration.
#[defer_on_exit]
fn open_two_files() {
    say("open a.txt");
    defer! { say("close a.txt") }
    say("open b.txt");
    defer! { say("close b.txt") }
    say("work with both");
}

// 2. A defer! in a loop body runs at the end of each iteration.
#[defer_on_exit]
fn process_batches() {
    for batch in 1..=3 {
        say(format!("open batch {batch}"));
        defer! { say(format!("close batch {batch}")) }
    }
    say("all batches done");
}

// 3. move captures the value now; without move the block reads it when it runs.
#[defer_on_exit]
fn capture_rules() {
    let mut attempts = 1;
    defer!(move { say(format!("move: attempts was {attempts} at the defer")) });
    attempts += 2;
    defer! { say(format!("borrow: attempts is {attempts} at exit")) }
}

// 4. defer_on_err! runs only when the function fails.
#[defer_on_exit]
fn transfer(amount: u32) -> Result<u32, String> {
    say(format!("begin transfer of {amount}"));
    defer! { say("release the connection (always)") }
    defer_on_err! { say("roll back (only on failure)") }
    if amount > 100 {
        return Err(format!("{amount} exceeds the limit"));
    }
    say("commit");
    Ok(amount)
}

// 5. A hook sees the value being returned and may change it: Go's named results.
#[defer_on_exit]
fn with_fee(amount: u32) -> Result<u32, String> {
    defer!(|ret| {
        if let Ok(total) = ret {
            say(format!("hook: adding a fee of 1 to {total}"));
            *total += 1;
        }
    });
    Ok(amount)
}

// 6. `?` keeps its From conversion, and the hook sees the converted error.
#[derive(Debug)]
enum ConfigError {
    NotANumber(std::num::ParseIntError),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::NotANumber(error) => write!(f, "not a number: {error}"),
        }
    }
}

impl From<std::num::ParseIntError> for ConfigError {
    fn from(error: std::num::ParseIntError) -> Self {
        ConfigError::NotANumber(error)
    }
}

#[defer_on_exit]
fn parse_port(text: &str) -> Result<u16, ConfigError> {
    defer!(|ret| match ret {
        Ok(port) => say(format!("hook sees Ok({port})")),
        Err(error) => say(format!("hook sees Err({error})")),
    });
    let port: u16 = text.parse()?;
    Ok(port)
}

// 7. A cleanup that panics while the function is already panicking: the other
//    cleanups still run and the original panic goes on (plain Drop aborts).
#[defer_on_exit]
fn double_fault() {
    defer! { say("last cleanup still runs") }
    defer! { panic!("the cleanup failed too") }
    panic!("the original failure");
}

// 8. #[recover] turns a panic into the return value.
#[recover]
fn divide(a: i32, b: i32) -> Result<i32, Panic> {
    Ok(a / b)
}

#[recover(default)]
fn parse_or_zero(text: &str) -> u32 {
    text.parse().expect("not a number")
}

#[recover(with = |panic| format!("handled: {}", panic.message()))]
fn describe(value: Option<&str>) -> String {
    format!("value is {}", value.unwrap())
}

// 9. Both attributes: the cleanups run inside the boundary, before the conversion.
#[recover]
#[defer_on_exit]
fn job(fail: bool) -> Option<u32> {
    defer_on_err! { say("job failed: cleaning up its temporary files") }
    assert!(!fail, "job crashed");
    Some(7)
}

// 10. async fn: cleanups live in the future and also run when it is cancelled.
#[defer_on_exit]
async fn download() -> Result<Vec<u8>, String> {
    defer! { say("close the socket") }
    defer_on_err! { say("delete the partial file (failed or cancelled)") }
    defer!(|_ret| say("hook: only when it returns"));
    Pending.await;
    Ok(vec![1, 2, 3])
}

/// A future that is never ready, standing in for a slow download.
struct Pending;

impl Future for Pending {
    type Output = ();
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        std::task::Poll::Pending
    }
}

fn main() {
    println!("epilogue tour: declarative cleanup and panic boundaries");
    // A one-line panic hook, so that the panics the tour provokes read well.
    // epilogue keeps it and calls it for every panic it does not recover.
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("(not a string)");
        let location = info.location().map(ToString::to_string).unwrap_or_default();
        println!("    [panic hook] {message} ({location})");
    }));

    section(
        1,
        "defer! runs when its block is left, last registered first",
        "Like Go's defer, in reverse order.",
    );
    open_two_files();

    section(
        2,
        "defer! in a loop runs at the end of every iteration",
        "Go would keep all three open until the function returns (seed 002).",
    );
    process_batches();

    section(
        3,
        "move captures now, like Go's deferred call arguments",
        "Without move, the block sees the variable at exit.",
    );
    capture_rules();

    section(
        4,
        "defer_on_err! runs only on failure",
        "Zig's errdefer, which also runs on panic and cancellation.",
    );
    say(format!("transfer(50) = {:?}", transfer(50)));
    say(format!("transfer(500) = {:?}", transfer(500)));

    section(
        5,
        "defer!(|ret| ...) sees and changes the return value",
        "Go's named results, for every exit path.",
    );
    say(format!("with_fee(10) = {:?}", with_fee(10)));

    section(
        6,
        "? keeps its From conversion",
        "The hook sees the error after conversion.",
    );
    say(format!("parse_port(\"8080\") = {:?}", parse_port("8080").ok()));
    let _ = parse_port("eighty");

    section(
        7,
        "a cleanup panicking during a panic does not abort",
        "The original panic is kept; the cleanup's is reported.",
    );
    let caught = epilogue::catch(double_fault).unwrap_err();
    say(format!("caught: {}", caught.message()));

    section(
        8,
        "#[recover] turns a panic into the return value",
        "Go's recover(), decided by the return type or by you.",
    );
    say(format!(
        "divide(6, 3) = {:?}",
        divide(6, 3).map_err(|p| p.to_string())
    ));
    let panic = divide(1, 0).unwrap_err();
    say(format!("divide(1, 0) = Err({panic})"));
    say(format!(
        "  message: {}, function: {}",
        panic.message(),
        panic.function()
    ));
    say(format!("parse_or_zero(\"x\") = {}", parse_or_zero("x")));
    say(format!("describe(None) = {:?}", describe(None)));

    section(
        9,
        "both attributes: cleanups run inside the boundary",
        "defer_on_err! sees the panic; then it becomes None.",
    );
    say(format!("job(false) = {:?}", job(false)));
    say(format!("job(true) = {:?}", job(true)));

    section(
        10,
        "async fn: cancellation counts as failing",
        "Dropping the future runs defer! and defer_on_err!, not hooks.",
    );
    let mut future = Box::pin(download());
    let waker = std::task::Waker::noop();
    let poll = future.as_mut().poll(&mut std::task::Context::from_waker(waker));
    say(format!(
        "first poll: {}",
        if poll.is_pending() { "pending" } else { "ready" }
    ));
    say("dropping the future (a timeout fired):");
    drop(future);

    println!("\nThat's the tour. `cargo test --workspace` runs the test suite.");
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_tour_runs() {
        super::main();
        let lines = super::OUTPUT.with(|output| output.borrow().clone());
        assert!(lines.contains(&"close batch 1".to_string()));
        assert!(lines
            .iter()
            .any(|line| line.starts_with("divide(1, 0) = Err(panicked at")));
    }
}
