//! Common Go `defer` examples and traps, translated to epilogue.
//! Each test gives Go's output in a comment (recorded with go1.19.8 on this
//! machine) and asserts epilogue's. Where epilogue deliberately differs
//! (block scope in loops and `if` blocks) the test says why.

use common::{events, log, panic_message};
use epilogue::defer_on_exit;
use epilogue_test_support as common;
use std::cell::Cell;

// In Go, an unnamed result cannot be changed by a defer.
//
//     func getValue() int { var x int; defer func() { x++ }(); return x }
//
// Go: getValue() = 0
#[defer_on_exit]
fn get_value() -> i32 {
    let x = Cell::new(0);
    defer! { x.set(x.get() + 1); }
    x.get()
}

#[test]
fn go_unnamed_result_is_not_changed_by_a_plain_defer() {
    // A plain `defer!` cannot see the returned value: the same 0 as Go.
    assert_eq!(get_value(), 0);
}

// In Go, a defer can change a named result.
//
//     func namedReturn() (x int) { defer func() { x++ }(); x = 5; return }
//
// Go: namedReturn() = 6
#[defer_on_exit]
fn named_return() -> i32 {
    defer!(|x| *x += 1);
    5
}

// Go: func counter() (i int) { defer func() { i++ }(); i = 1; return } returns 2.
#[defer_on_exit]
fn counter() -> i32 {
    defer!(|i| *i += 1);
    1
}

// Go: func example() (result int) { result = 10; defer func() { result = 20 }();
// return result } returns 20: the defer runs after `return` stored 10.
#[defer_on_exit]
fn overwrite() -> i32 {
    let result = 10;
    defer!(|ret| *ret = 20);
    result
}

// Go: the same `defer func() { i++ }()` leaves an unnamed result alone and
// changes a named one: anonymous() int returns 0, named() (i int) returns 1.
#[defer_on_exit]
fn anonymous() -> i32 {
    let i = Cell::new(0);
    defer! { i.set(i.get() + 1); }
    i.get()
}

#[defer_on_exit]
fn named() -> i32 {
    defer!(|i| *i += 1);
    0
}

#[test]
fn go_named_results_become_hooks() {
    assert_eq!(named_return(), 6);
    assert_eq!(counter(), 2);
    assert_eq!(overwrite(), 20);
    assert_eq!(anonymous(), 0);
    assert_eq!(named(), 1);
}

// In Go, deferred calls run last in, first out.
//
//     defer fmt.Println("first"); defer fmt.Println("second")
//
// Go: second, first
#[defer_on_exit]
fn lifo() {
    defer! { log("first") }
    defer! { log("second") }
}

#[test]
fn go_defers_run_last_in_first_out() {
    lifo();
    assert_eq!(events(), ["second", "first"]);
}

// In Go, a deferred call's arguments are evaluated at the defer statement.
//
//     i := 1; defer fmt.Println(i); i++
//
// Go: prints 1 (after the body printed 2)
#[defer_on_exit]
fn demo() {
    let mut i = 1;
    defer!(move { log(format!("{i}")) });
    i += 1;
    log(format!("i at end of body: {i}"));
}

// Go: i := 10; defer fmt.Println(i); i = 20 prints 10.
#[defer_on_exit]
fn capture() {
    let mut i = 10;
    defer!(move { log(format!("{i}")) });
    i = 20;
    let _ = i;
}

// In Go, a deferred call's argument is captured at the defer, while a
// deferred closure reads the variable when it runs.
//
//     i := 0
//     defer fmt.Println(i)            // 0
//     i++
//     defer func() { fmt.Println(i) }() // 1
//
// Go: 1, then 0
#[defer_on_exit]
fn value_and_closure() {
    let mut i = 0;
    defer!(move { log(format!("{i}")) });
    i += 1;
    defer! { log(format!("{i}")) }
}

// Go: func stackDefer() { x := 42; defer func() { fmt.Println(x) }(); x++ }
// prints 43: the closure reads `x` when it runs.
#[defer_on_exit]
fn stack_defer() {
    let x = Cell::new(42);
    defer! { log(format!("{}", x.get())) }
    x.set(x.get() + 1);
}

#[test]
fn go_values_are_captured_at_the_defer_or_read_when_it_runs() {
    demo();
    assert_eq!(events(), ["i at end of body: 2", "1"]);
    capture();
    assert_eq!(events(), ["10"]);
    value_and_closure();
    assert_eq!(events(), ["1", "0"]);
    stack_defer();
    assert_eq!(events(), ["43"]);
}

// In Go, defers in a loop pile up until the function returns, and a closure
// reads the loop variable's last value (before Go 1.22).
//
//     for i := 0; i < 3; i++ { defer func() { fmt.Println(i) }() }   // 3 3 3
//     for i := 0; i < 3; i++ { defer func(v int) { fmt.Println(v) }(i) } // 2 1 0
//
// Go 1.19: 3 3 3 and 2 1 0 (often quoted as 0 1 2 for the second; Go's
// LIFO order gives 2 1 0). All run when the function returns.
#[defer_on_exit]
fn loop_defers() {
    for i in 0..3 {
        defer!(move { log(format!("deferred {i}")) });
        log(format!("iteration {i}"));
    }
    log("after loop");
}

#[test]
fn go_loop_defers_run_at_the_end_of_each_iteration() {
    // epilogue differs on purpose: a `defer!` belongs to its block, the loop
    // body, so it runs at the end of each iteration (as in Zig, Swift, D and
    // C++) instead of piling up until the function returns, the source of
    // Go's resource leaks in loops. Each iteration's `i` is its own, so there
    // is no "3 3 3" trap either.
    loop_defers();
    assert_eq!(
        events(),
        [
            "iteration 0",
            "deferred 0",
            "iteration 1",
            "deferred 1",
            "iteration 2",
            "deferred 2",
            "after loop"
        ]
    );
}

// In Go, a defer inside an `if` block still runs when the function returns.
//
//     defer fmt.Println("first")
//     if true { defer fmt.Println("second") }
//     fmt.Println("normal execution")
//
// Go: normal execution, second, first
#[defer_on_exit]
fn defer_in_if() {
    defer! { log("first") }
    if std::hint::black_box(true) {
        defer! { log("second") }
    }
    log("normal execution");
}

#[test]
fn go_a_defer_in_an_if_block_runs_when_the_block_ends() {
    // Block scope again: "second" belongs to the `if` block.
    defer_in_if();
    assert_eq!(events(), ["second", "normal execution", "first"]);
}

/// Descriptors of this process open on files under `dir` (Linux). Counting
/// only those keeps the figure exact while other tests of this binary open
/// and close their own files on other threads.
#[cfg(target_os = "linux")]
fn open_fds_under(dir: &std::path::Path) -> usize {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .filter(|target| target.starts_with(dir))
        .count()
}

#[cfg(target_os = "linux")]
#[defer_on_exit]
fn process_all(files: &[std::path::PathBuf], dir: &std::path::Path) -> Vec<usize> {
    let mut counts = Vec::new();
    for path in files {
        let file = std::fs::File::open(path).unwrap();
        defer! { drop(file) }
        counts.push(open_fds_under(dir));
    }
    counts.push(open_fds_under(dir));
    counts
}

// In Go, `defer f.Close()` in a loop keeps every file open until the
// function returns.
//
//     for _, file := range files { f, _ := os.Open(file); defer f.Close() }
//
// Go, with 3 files: extra open fds 1, 2, 3, still 3 at the end of the loop,
// 0 once the function returned. (The usual fix wraps the loop body in a func
// literal.)
#[cfg(target_os = "linux")]
#[test]
fn go_files_closed_in_a_loop_are_closed_every_iteration() {
    let dir = std::env::temp_dir().join(format!("epilogue-go-loop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // /proc names the files by their resolved paths.
    let dir = dir.canonicalize().unwrap();
    let files: Vec<_> = (0..3)
        .map(|i| {
            let path = dir.join(format!("file{i}.txt"));
            std::fs::write(&path, "x").unwrap();
            path
        })
        .collect();
    // epilogue: one file open at a time, none left at the end of the loop.
    assert_eq!(process_all(&files, &dir), [1, 1, 1, 0]);
    std::fs::remove_dir_all(&dir).unwrap();
}

// In Go, the deferred close runs even when the function panics.
//
//     func mustRead() { f, _ := os.Open(p); defer f.Close(); panic("read failed") }
//
// Go: the file is closed (a second Close reports "file already closed").
#[defer_on_exit]
fn must_read(closed: &Cell<bool>) {
    defer! { closed.set(true); }
    panic!("read failed");
}

#[test]
fn go_a_cleanup_runs_on_panic() {
    let closed = Cell::new(false);
    assert_eq!(panic_message(|| must_read(&closed)), Err("read failed".into()));
    assert!(closed.get());
}

// In Go, a defer inside an immediately-invoked func literal runs when the
// literal ends. Go: before IIFE, processing, 文件已关闭, after IIFE.
// In epilogue any block is such a scope, no func literal needed.
#[defer_on_exit]
fn process_data() {
    log("before block");
    {
        defer! { log("closed") }
        log("processing");
    }
    log("after block");
}

#[test]
fn go_any_block_scopes_its_defers() {
    process_data();
    assert_eq!(events(), ["before block", "processing", "closed", "after block"]);
}

// A deferred function that panics while the function is already panicking.
//
//     defer fmt.Println("first registered")
//     defer func() { panic("second") }()
//     panic("first")
//
// Go: prints "first registered", then `panic: first` / `panic: second`
// (both reported, exit status 2); a recover() in an earlier defer would see
// "second", the newest panic.
#[defer_on_exit]
fn panic_in_defer_while_panicking() {
    defer! { log("first registered") }
    defer! { panic!("second") }
    panic!("first");
}

#[test]
fn a_cleanup_panic_while_panicking_keeps_the_original_panic() {
    // epilogue differs on purpose: the remaining cleanups run as in Go, but
    // the panic that goes on is the original one ("first"); the cleanup's
    // panic is reported through the panic hook. In plain Rust this aborts.
    assert_eq!(panic_message(panic_in_defer_while_panicking), Err("first".into()));
    assert_eq!(events(), ["first registered"]);
}
