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

// 11. Order on the way out: hooks and cleanups run last-registered first, so
//     a hook registered after a defer_on_err! runs before it, and can make
//     the function fail (Go's `if cerr := f.Close(); cerr != nil && err == nil`).
#[defer_on_exit]
fn flush_and_close(flush_fails: bool) -> Result<u32, String> {
    defer! { say("3. close the file (always)") }
    defer_on_err! { say("2. remove the incomplete file (the function is failing now)") }
    defer!(|ret| {
        say(format!("1. hook: flushing; the body returned {ret:?}"));
        if flush_fails && ret.is_ok() {
            *ret = Err("flush failed: disk full".into());
        }
    });
    Ok(4096)
}

// 12. A cleanup may use what the rest of its block keeps using: it borrows
//     nothing until it runs, and sees the variable as the body left it.
//     Go's `f := open(); defer f.Close(); write(f)`.
#[defer_on_exit]
fn write_report(rows: &[&str]) -> Result<usize, String> {
    let mut buffer = String::new();
    defer! { say(format!("cleanup sees {} buffered bytes", buffer.len())) }
    for row in rows {
        if row.is_empty() {
            return Err("an empty row".into());
        }
        buffer.push_str(row);
        buffer.push('\n');
    }
    Ok(buffer.len())
}

// 13. In an async fn a cleanup can await: `defer!(async { … })` runs on
//     every normal exit of its block, and an async hook can turn `Ok` into
//     `Err` when its flush fails (a panic or a cancellation cannot await:
//     pair it with a plain defer_on_err! for those).
#[defer_on_exit]
async fn upload(chunks: u32, flush_fails: bool) -> Result<u32, String> {
    defer!(async {
        YieldOnce::default().await;
        say("async cleanup: connection closed");
    });
    defer_on_err! { say("defer_on_err!: upload failed, partial upload discarded") }
    defer!(async |ret| {
        YieldOnce::default().await;
        say(format!("async hook: flushed, the body returned {ret:?}"));
        if flush_fails && ret.is_ok() {
            *ret = Err("flush failed".into());
        }
    });
    say(format!("sending {chunks} chunks"));
    Ok(chunks)
}

// 14. A return hidden in another macro (anyhow's bail! and ensure!, ready!,
//     a crate's own itry!) is seen by hooks and defer_on_err! like a written
//     one.
#[defer_on_exit]
fn load_settings(text: &str) -> anyhow::Result<u16> {
    defer_on_err! { say("defer_on_err!: keeping the previous settings") }
    if text.is_empty() {
        anyhow::bail!("no settings given");
    }
    let port: u16 = text.parse()?;
    anyhow::ensure!(port >= 1024, "port {port} is privileged");
    Ok(port)
}

// 15. Capturing the error: defer_on_err!(|err| …) runs on every `Err` exit
//     with `err: &mut E`; `map_err` puts context on the error the function
//     returns, built only on the error path (Zig's `errdefer |err|`).
#[defer_on_exit(map_err = |err| err.context(format!("loading profile {name:?}")))]
fn load_profile(name: &str, text: &str) -> anyhow::Result<u16> {
    defer_on_err!(|err| say(format!("defer_on_err!(|err|) sees: {err}")));
    let age: u16 = text.parse()?;
    Ok(age)
}

/// A future that is pending once, then ready: an await that really
/// suspends.
#[derive(Default)]
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        if self.0 {
            std::task::Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
}

/// Polls a future to its end: the smallest executor.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
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
        "Go would keep all three open until the function returns.",
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

    section(
        11,
        "on the way out, last registered runs first",
        "A hook registered after defer_on_err! runs before it, and can make the function fail.",
    );
    say(format!("flush_and_close(false) = {:?}", flush_and_close(false)));
    say(format!("flush_and_close(true) = {:?}", flush_and_close(true)));

    section(
        12,
        "a cleanup may use what the block keeps using",
        "It borrows nothing until it runs: open, defer the close, keep writing.",
    );
    say(format!(
        "write_report(two rows) = {:?}",
        write_report(&["a", "bb"])
    ));
    say(format!(
        "write_report(an empty row) = {:?}",
        write_report(&["a", ""])
    ));

    section(
        13,
        "async fn: cleanups that await",
        "Awaited on every normal exit, last registered first, with the sync ones.",
    );
    say(format!("upload(3, ok) = {:?}", block_on(upload(3, false))));
    say(format!(
        "upload(3, flush fails) = {:?}",
        block_on(upload(3, true))
    ));

    section(
        14,
        "a return hidden in bail! or ensure! is seen like a written one",
        "defer_on_err! runs for each; before, hidden returns were compile errors.",
    );
    for text in ["8080", "", "80"] {
        say(format!(
            "load_settings({text:?}) = {:?}",
            load_settings(text).map_err(|error| error.to_string())
        ));
    }

    section(
        15,
        "capturing the error, and context for it",
        "defer_on_err!(|err| ...) reads it; map_err adds context on the error path only.",
    );
    say(format!(
        "load_profile(\"ann\", \"x\") = {:?}",
        load_profile("ann", "x").map_err(|error| format!("{error:#}"))
    ));
    say(format!(
        "load_profile(\"bob\", \"42\") = {:?}",
        load_profile("bob", "42").ok()
    ));

    section(
        16,
        "misuse is a compile error that says what to do",
        "A `return` inside a cleanup, as rustc reports it (ui-tests/fail has them all):",
    );
    for line in COMPILE_ERROR.lines() {
        println!("      {line}");
    }

    println!(
        "\nThat's the tour. Real programs: `cargo run --example NAME` with file_copy, transaction, \
         async_writer, async_transaction, ffi_boundary, worker, http_handler or tracing_demo. \
         Without std (`default-features = false`), every deferred form works in #![no_std] code. \
         `cargo test --workspace` runs the test suite."
    );
}

/// The compiler's message for a `return` in a deferred block: the snapshot
/// the UI tests check, so it is what rustc prints today.
const COMPILE_ERROR: &str = include_str!("../ui-tests/fail/return_in_deferred_block.stderr");

#[cfg(test)]
mod tests {
    /// Whether `expected` appear in `lines` in this order (not necessarily
    /// next to each other).
    fn in_order(lines: &[String], expected: &[&str]) -> bool {
        let mut rest = lines.iter();
        expected.iter().all(|want| rest.any(|line| line == want))
    }

    #[test]
    fn the_tour_shows_what_it_says() {
        super::main();
        let lines = super::OUTPUT.with(|output| output.borrow().clone());
        let sequences: &[&[&str]] = &[
            &[
                "open a.txt",
                "open b.txt",
                "work with both",
                "close b.txt",
                "close a.txt",
            ],
            &[
                "open batch 1",
                "close batch 1",
                "open batch 2",
                "close batch 2",
                "open batch 3",
                "close batch 3",
                "all batches done",
            ],
            &[
                "borrow: attempts is 3 at exit",
                "move: attempts was 1 at the defer",
            ],
            &[
                "begin transfer of 50",
                "commit",
                "release the connection (always)",
                "transfer(50) = Ok(50)",
                "begin transfer of 500",
                "roll back (only on failure)",
                "release the connection (always)",
            ],
            &["hook: adding a fee of 1 to 10", "with_fee(10) = Ok(11)"],
            &["last cleanup still runs", "caught: the original failure"],
            &["parse_or_zero(\"x\") = 0"],
            &[
                "job(false) = Some(7)",
                "job failed: cleaning up its temporary files",
                "job(true) = None",
            ],
            &[
                "first poll: pending",
                "dropping the future (a timeout fired):",
                "delete the partial file (failed or cancelled)",
                "close the socket",
            ],
            &[
                "1. hook: flushing; the body returned Ok(4096)",
                "3. close the file (always)",
                "flush_and_close(false) = Ok(4096)",
                "1. hook: flushing; the body returned Ok(4096)",
                "2. remove the incomplete file (the function is failing now)",
                "3. close the file (always)",
                "flush_and_close(true) = Err(\"flush failed: disk full\")",
            ],
        ];
        for sequence in sequences {
            assert!(
                in_order(&lines, sequence),
                "not in order: {sequence:#?}\nin {lines:#?}"
            );
        }
        let later: &[&[&str]] = &[
            &[
                "cleanup sees 5 buffered bytes",
                "write_report(two rows) = Ok(5)",
                "cleanup sees 2 buffered bytes",
                "write_report(an empty row) = Err(\"an empty row\")",
            ],
            &[
                "sending 3 chunks",
                "async hook: flushed, the body returned Ok(3)",
                "async cleanup: connection closed",
                "upload(3, ok) = Ok(3)",
                "sending 3 chunks",
                "async hook: flushed, the body returned Ok(3)",
                "defer_on_err!: upload failed, partial upload discarded",
                "async cleanup: connection closed",
                "upload(3, flush fails) = Err(\"flush failed\")",
            ],
            &[
                "load_settings(\"8080\") = Ok(8080)",
                "defer_on_err!: keeping the previous settings",
                "load_settings(\"\") = Err(\"no settings given\")",
                "defer_on_err!: keeping the previous settings",
                "load_settings(\"80\") = Err(\"port 80 is privileged\")",
            ],
            &[
                "defer_on_err!(|err|) sees: invalid digit found in string",
                "load_profile(\"ann\", \"x\") = Err(\"loading profile \\\"ann\\\": invalid digit found in string\")",
                "load_profile(\"bob\", \"42\") = Some(42)",
            ],
        ];
        for sequence in later {
            assert!(
                in_order(&lines, sequence),
                "not in order: {sequence:#?}\nin {lines:#?}"
            );
        }
        assert!(lines
            .iter()
            .any(|line| line.starts_with("divide(1, 0) = Err(panicked at")));
        // Cancellation runs no hook, and a success runs no defer_on_err!.
        assert!(!lines.iter().any(|line| line == "hook: only when it returns"));
        assert_eq!(
            lines.iter().filter(|line| line.starts_with("2. remove")).count(),
            1
        );
        assert!(super::COMPILE_ERROR.contains("`return` cannot be used in a deferred block"));
    }
}
