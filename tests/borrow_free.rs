//! Deferred actions that borrow nothing until they run: in a synchronous
//! function, `defer!`, `defer_on_err!` and hooks may use variables that the
//! rest of their block keeps using, mutably or not, and see them as they are
//! at exit, on every path. Go's `f := open(); defer f.Close(); write(f)`,
//! line by line.
#![allow(clippy::needless_return)]

use epilogue::{defer_on_exit, recover, Panic};
use epilogue_test_support::{events, log, panic_message, Local};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};

/// The Go idiom: open, defer the close, keep writing.
#[defer_on_exit]
fn write_report(path: &std::path::Path, rows: &[u32]) -> io::Result<usize> {
    let mut out = BufWriter::new(File::create(path)?);
    defer! {
        log(format!("flushing {} buffered bytes", out.buffer().len()));
        let _ = out.flush();
    }
    let mut written = 0;
    for row in rows {
        writeln!(out, "row {row}")?;
        written += 1;
    }
    Ok(written)
}

#[test]
fn open_defer_close_keep_writing() {
    let dir = std::env::temp_dir().join(format!("epilogue-borrow-free-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("report.txt");
    assert_eq!(write_report(&path, &[1, 2, 3]).unwrap(), 3);
    // The cleanup saw the writer as the body left it: 18 bytes buffered.
    assert_eq!(events(), ["flushing 18 buffered bytes"]);
    let mut text = String::new();
    File::open(&path).unwrap().read_to_string(&mut text).unwrap();
    assert_eq!(text, "row 1\nrow 2\nrow 3\n");
    // The `?` of `File::create` leaves before the `defer!` is registered.
    assert!(write_report(&dir.join("missing").join("x.txt"), &[1]).is_err());
    assert_eq!(events(), Vec::<String>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every exit of a block: the action sees the last value of `step`.
#[defer_on_exit]
fn exits(how: &str) -> Result<u32, String> {
    let mut step = 0;
    defer! { log(format!("defer saw step {step}")) }
    defer_on_err! { log(format!("defer_on_err saw step {step}")) }
    defer!(|ret| log(format!("hook saw step {step}, returning {ret:?}")));
    step = 1;
    if how == "return" {
        return Ok(step);
    }
    step = 2;
    let parsed: u32 = how.parse().map_err(|_| format!("not a number at step {step}"))?;
    step = 3;
    assert_ne!(how, "7", "panicking at step {step}");
    Ok(parsed + step)
}

#[test]
fn the_action_sees_each_variable_as_it_is_at_exit() {
    assert_eq!(exits("return"), Ok(1));
    assert_eq!(events(), ["hook saw step 1, returning Ok(1)", "defer saw step 1"]);
    assert_eq!(exits("x"), Err("not a number at step 2".into()));
    assert_eq!(
        events(),
        [
            "hook saw step 2, returning Err(\"not a number at step 2\")",
            "defer_on_err saw step 2",
            "defer saw step 2"
        ]
    );
    assert_eq!(exits("4"), Ok(7));
    assert_eq!(events(), ["hook saw step 3, returning Ok(7)", "defer saw step 3"]);
    let message = panic_message(|| exits("7")).unwrap_err();
    assert!(message.starts_with("assertion `left != right` failed: panicking at step 3"));
    assert_eq!(events(), ["defer_on_err saw step 3", "defer saw step 3"]);
}

/// `break`, `continue` and a labelled `break` with a value leave blocks
/// whose actions are borrow-free.
#[defer_on_exit]
fn loops() -> Vec<u32> {
    let mut seen = Vec::new();
    'outer: for i in 0..4 {
        let mut tries = 0;
        defer! { log(format!("iteration {i} after {tries} tries")) }
        loop {
            tries += 1;
            defer! { log(format!("try {tries} of iteration {i}")) }
            if i == 0 {
                continue 'outer;
            }
            if i == 3 {
                break 'outer;
            }
            if tries == i {
                break;
            }
            tries += 0;
        }
        let found = 'search: {
            let mut probes = 0;
            defer! { log(format!("searched with {probes} probes")) }
            probes += i;
            if probes > 1 {
                break 'search probes * 10;
            }
            probes
        };
        seen.push(found);
    }
    seen
}

#[test]
fn break_and_continue_leave_borrow_free_blocks() {
    assert_eq!(loops(), [1, 20]);
    assert_eq!(
        events(),
        [
            "try 1 of iteration 0",
            "iteration 0 after 1 tries",
            "try 1 of iteration 1",
            "searched with 1 probes",
            "iteration 1 after 1 tries",
            "try 1 of iteration 2",
            "try 2 of iteration 2",
            "searched with 2 probes",
            "iteration 2 after 2 tries",
            "try 1 of iteration 3",
            "iteration 3 after 1 tries",
        ]
    );
}

/// Locals and actions, declared in turn: each action runs after the locals
/// declared after it and before those declared before it.
#[defer_on_exit]
fn interleaved() -> u32 {
    let mut count = 0;
    let _a = Local("a");
    defer! { log(format!("first action, count {count}")) }
    let _b = Local("b");
    defer! { log(format!("second action, count {count}")) }
    let _c = Local("c");
    count += 1;
    defer! { log("a guard: it borrows nothing the rest uses") }
    count += 1;
    count
}

#[test]
fn lifo_and_interleaved_with_locals() {
    assert_eq!(interleaved(), 2);
    assert_eq!(
        events(),
        [
            "a guard: it borrows nothing the rest uses",
            "drop c",
            "second action, count 2",
            "drop b",
            "first action, count 2",
            "drop a",
        ]
    );
}

/// A hook on the value being returned, using a variable the body changes.
#[defer_on_exit]
fn hook_with_borrows(items: &mut Vec<u32>) -> usize {
    let mut added = 0;
    defer!(|ret| *ret += added * 100);
    items.push(1);
    added += 1;
    items.push(2);
    added += 1;
    items.len()
}

#[test]
fn a_hook_can_use_what_the_body_changes() {
    let mut items = Vec::new();
    assert_eq!(hook_with_borrows(&mut items), 202);
    assert_eq!(items, [1, 2]);
}

/// A cleanup that panics on the panic path is contained; the original panic
/// goes on, and the cleanups registered before it still run.
#[defer_on_exit]
fn panicking_cleanups(when: &str) -> Result<u8, String> {
    let mut state = "start";
    defer_on_err! { log(format!("rollback from {state}")) }
    defer! {
        log(format!("cleanup at {state}"));
        assert_ne!(when, "cleanup", "cleanup failed at {state}");
    }
    state = "middle";
    assert_ne!(when, "body", "body failed at {state}");
    state = "end";
    Ok(state.len() as u8)
}

#[test]
fn the_panic_policy_holds() {
    assert_eq!(panicking_cleanups("never"), Ok(3));
    assert_eq!(events(), ["cleanup at end"]);
    // A panic in the body: the cleanup runs, then the rollback, and the
    // body's panic is the one that comes out.
    let message = panic_message(|| panicking_cleanups("body")).unwrap_err();
    assert!(message.contains("body failed at middle"));
    assert_eq!(events(), ["cleanup at middle", "rollback from middle"]);
    // A cleanup that panics while the function returns: its panic comes
    // out, and the rollback registered before it sees a failing exit.
    let message = panic_message(|| panicking_cleanups("cleanup")).unwrap_err();
    assert!(message.contains("cleanup failed at end"));
    assert_eq!(events(), ["cleanup at end", "rollback from end"]);
}

/// Both panics: the body's, then the cleanup's while the first goes on.
#[defer_on_exit]
fn both_panic() -> u8 {
    let mut stage = 0;
    defer! {
        log(format!("outer cleanup at stage {stage}"));
    }
    defer! {
        assert_eq!(stage, 0, "cleanup panics at stage {stage}");
    }
    stage = 1;
    panic!("body panics at stage {stage}");
}

#[test]
fn a_cleanup_panicking_during_a_panic_is_contained() {
    let message = panic_message(both_panic).unwrap_err();
    assert_eq!(message, "body panics at stage 1");
    assert_eq!(events(), ["outer cleanup at stage 1"]);
}

/// The value of a branch is stored where it is computed, and the branch's
/// own borrow-free `defer_on_err!` sees it.
#[defer_on_exit]
fn branches(fail: bool) -> Result<u32, String> {
    let mut attempts = 0;
    if fail {
        defer_on_err! { log(format!("failed after {attempts} attempts")) }
        attempts += 1;
        Err(format!("gave up after {attempts}"))
    } else {
        defer_on_err! { log(format!("never: attempts {attempts}")) }
        attempts += 2;
        Ok(attempts)
    }
}

#[test]
fn tail_branches_store_before_their_actions_run() {
    assert_eq!(branches(true), Err("gave up after 1".into()));
    assert_eq!(events(), ["failed after 1 attempts"]);
    assert_eq!(branches(false), Ok(2));
    assert_eq!(events(), Vec::<String>::new());
}

/// Items of the block are visible in the whole block, the actions included.
#[defer_on_exit]
fn items_after_the_action() -> u32 {
    let mut total = 0;
    defer! { log(format!("total {}", scaled(total))) }
    total += 2;
    fn scaled(value: u32) -> u32 {
        value * SCALE
    }
    const SCALE: u32 = 10;
    scaled(total)
}

#[test]
fn items_after_an_action_are_visible_to_it() {
    assert_eq!(items_after_the_action(), 20);
    assert_eq!(events(), ["total 20"]);
}

#[derive(Debug)]
struct Parse(String);

impl From<std::num::ParseIntError> for Parse {
    fn from(error: std::num::ParseIntError) -> Self {
        Parse(error.to_string())
    }
}

/// `?` keeps its `From` conversion inside a borrow-free block.
#[defer_on_exit]
fn sum(text: &str) -> Result<u32, Parse> {
    let mut total = 0;
    defer_on_err! { log(format!("sum failed at {total}")) }
    for part in text.split(',') {
        total += part.trim().parse::<u32>()?;
    }
    Ok(total)
}

#[test]
fn question_mark_converts_inside_a_borrow_free_block() {
    assert_eq!(sum("1, 2").unwrap(), 3);
    assert!(sum("1, x").unwrap_err().0.contains("invalid digit"));
    assert_eq!(events(), ["sum failed at 1"]);
}

/// With `#[recover]`: the action runs inside the boundary, before the panic
/// becomes the return value.
#[recover]
#[defer_on_exit]
fn recovered(fail: bool) -> Result<u32, Panic> {
    let mut progress = 0;
    defer! { log(format!("cleanup at {progress}")) }
    progress += 1;
    assert!(!fail, "failed at {progress}");
    progress += 1;
    Ok(progress)
}

#[test]
fn recover_sees_the_action_run_first() {
    assert_eq!(recovered(false).unwrap(), 2);
    assert_eq!(events(), ["cleanup at 2"]);
    let panic = recovered(true).unwrap_err();
    assert_eq!(panic.message(), "failed at 1");
    assert_eq!(events(), ["cleanup at 1"]);
}

/// A mutable borrow in the action, shared ones in the rest, and the other
/// way round.
#[defer_on_exit]
fn mutable_both_ways() -> (Vec<u8>, usize) {
    let mut log_lines = Vec::new();
    let mut buffer = vec![1_u8];
    defer! { log(format!("buffer {buffer:?}")); }
    defer! { log_lines.push(buffer.len()); log(format!("log lines {log_lines:?}")) }
    buffer.push(2);
    log_lines.push(0);
    let len = buffer.len();
    buffer.push(3);
    (buffer.clone(), len + log_lines.len())
}

#[test]
fn mutable_and_shared_uses_in_any_order() {
    assert_eq!(mutable_both_ways(), (vec![1, 2, 3], 3));
    assert_eq!(events(), ["log lines [0, 3]", "buffer [1, 2, 3]"]);
}

// A function whose only use for an exit slot would be its frame has none:
// the frame's flow carries the value being returned. These pin what that
// takes: the return type as the expected type of what a frame returns, `?`
// converting its error, a borrowed return value, a unit function, and the
// slot kept for a macro that may hide a return.

/// `Box::new(error)` coerces to the `Box<dyn Error>` being returned, and
/// `?` converts a `ParseIntError` into it, from inside the frame.
#[defer_on_exit]
fn parsed_boxed(text: &str) -> Result<u32, Box<dyn std::error::Error>> {
    let mut seen = Vec::new();
    defer! { log(format!("seen {seen:?}")) }
    seen.push(text.len());
    if text.is_empty() {
        return Err(Box::new(io::Error::other("empty")));
    }
    let number: u32 = text.parse()?;
    seen.push(number as usize);
    Ok(number)
}

#[test]
fn a_frame_returns_with_the_return_type_as_expected_type() {
    assert_eq!(parsed_boxed("").unwrap_err().to_string(), "empty");
    assert_eq!(events(), ["seen [0]"]);
    assert_eq!(
        parsed_boxed("x").unwrap_err().to_string(),
        "invalid digit found in string"
    );
    assert_eq!(events(), ["seen [1]"]);
    assert_eq!(parsed_boxed("42").unwrap(), 42);
    assert_eq!(events(), ["seen [2, 42]"]);
}

/// A return value that borrows a parameter, coerced (`&String` to `&str`)
/// where it is returned from the frame; `?` on an `Option` there.
#[defer_on_exit]
fn first_long(lines: &[String], min: Option<usize>) -> Option<&str> {
    let mut checked = 0;
    defer! { log(format!("checked {checked}")) }
    let min = min?;
    for line in lines {
        checked += 1;
        if line.len() >= min {
            return Some(line);
        }
    }
    None
}

#[test]
fn a_frame_returns_a_borrowed_value() {
    let lines = ["a".to_owned(), "abc".to_owned(), "abcdef".to_owned()];
    assert_eq!(first_long(&lines, Some(3)), Some("abc"));
    assert_eq!(events(), ["checked 2"]);
    assert_eq!(first_long(&lines, Some(9)), None);
    assert_eq!(events(), ["checked 3"]);
    assert_eq!(first_long(&lines, None), None);
    assert_eq!(events(), ["checked 0"]);
}

/// A unit function: `return;` leaves the frame with `()`.
#[defer_on_exit]
fn count_to(limit: u32, reached: &mut Vec<u32>) {
    let mut count = 0;
    defer! { reached.push(count); }
    while count < 10 {
        count += 1;
        if count == limit {
            return;
        }
    }
}

#[test]
fn a_unit_function_returns_from_its_frame() {
    let mut reached = Vec::new();
    count_to(4, &mut reached);
    count_to(40, &mut reached);
    assert_eq!(reached, [4, 10]);
}

/// Returns early from inside the macro, where the expansion cannot see it.
macro_rules! give_up {
    ($error:expr) => {
        return Err($error)
    };
}

/// A macro that may hide a return keeps the exit slot, whose wrapper
/// routes that return through the frame.
#[defer_on_exit]
fn gives_up(fail: bool) -> Result<u32, String> {
    let mut steps = 0;
    defer! { log(format!("steps {steps}")) }
    steps += 1;
    if fail {
        give_up!(format!("gave up after {steps}"));
    }
    steps += 1;
    Ok(steps)
}

#[test]
fn a_return_hidden_in_a_macro_leaves_the_frame() {
    assert_eq!(gives_up(true), Err("gave up after 1".to_owned()));
    assert_eq!(events(), ["steps 1"]);
    assert_eq!(gives_up(false), Ok(2));
    assert_eq!(events(), ["steps 2"]);
}

/// A function that never returns: its frame can only be left by a panic,
/// and the action runs on it with what the loop left.
#[defer_on_exit]
fn spin_until_full(queue: &mut Vec<u32>) -> ! {
    let mut pushed = 0;
    defer! { log(format!("pushed {pushed}")) }
    loop {
        assert!(queue.len() < 3, "full after {pushed}");
        queue.push(pushed);
        pushed += 1;
    }
}

#[test]
fn a_function_that_never_returns_runs_its_action_on_the_panic() {
    let mut queue = vec![7];
    assert_eq!(
        panic_message(|| spin_until_full(&mut queue)).unwrap_err(),
        "full after 2"
    );
    assert_eq!(events(), ["pushed 2"]);
    assert_eq!(queue, [7, 0, 1]);
}
