//! Living with other panic hooks: what each order of installation does to
//! recovered panics (their location, whether another hook reports them) and
//! to the panics no boundary recovers; `install_panic_hook()` putting
//! epilogue's hook back on top; and the notice, given once per process, that
//! a boundary caught a panic after epilogue's hook was replaced.
//!
//! Every scenario panics inside boundaries on several threads at once, and
//! checks that each `Panic` has its own message and location. The hook is
//! process-wide, so each scenario runs in a child process (this test binary
//! re-run with `EPILOGUE_HOOK_ORDER_CASE` set), which checks the `Panic`s
//! itself; the parent checks what the child printed.

use epilogue::{catch, install_panic_hook, recover, report_recovered_panics, Panic};
use epilogue_test_support::child_process;
use std::panic::PanicHookInfo;
use std::sync::{Arc, Barrier};
use std::thread;

const THREADS: usize = 6;
const ROUNDS: usize = 20;
/// Recovered panics per run of [`workers`].
const RECOVERED: usize = THREADS * ROUNDS;

/// What the notice that epilogue's hook was replaced starts with.
const NOTICE: &str = "epilogue: the panic hook that `#[recover]` and `catch` rely on was replaced";

/// Panics at one of four places, each on its own line; the message names
/// the worker and the line.
#[recover]
fn work(index: usize) -> Result<(), Panic> {
    match index % 4 {
        0 => panic!("worker {index} failed at line {} in branch 0", line!()),
        1 => panic!("worker {index} failed at line {} in branch 1", line!()),
        2 => panic!("worker {index} failed at line {} in branch 2", line!()),
        _ => panic!("worker {index} failed at line {} in branch 3", line!()),
    }
}

/// Checks a panic caught by `work(index)` on this thread: its own message
/// and thread, and its own location if epilogue's hook saw it.
fn check(panic: &Panic, index: usize, location_known: bool) {
    let prefix = format!("worker {index} failed at line ");
    let line = line_in(panic.message(), &prefix)
        .unwrap_or_else(|| panic!("worker {index} caught {:?}", panic.message()));
    assert_eq!(panic.thread(), thread::current().name());
    assert_eq!(panic.function(), "hook_order::work");
    if location_known {
        let location = panic.location().unwrap_or_else(|| panic!("no location: {panic}"));
        assert_eq!(location.file(), file!());
        assert_eq!(location.line(), line, "{panic}");
    } else {
        assert_eq!(panic.location(), None, "{panic}");
    }
}

/// The number right after `prefix` in `text`.
fn line_in(text: &str, prefix: &str) -> Option<u32> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// `THREADS` threads panicking in `work` at the same moment, `ROUNDS` times.
fn workers(location_known: bool) {
    let start = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|index| {
            let start = Arc::clone(&start);
            thread::Builder::new()
                .name(format!("worker-{index}"))
                .spawn(move || {
                    for _ in 0..ROUNDS {
                        start.wait();
                        check(&work(index).unwrap_err(), index, location_known);
                    }
                })
                .unwrap()
        })
        .collect();
    for handle in handles {
        handle.join().expect("a worker's check failed");
    }
}

/// A hand-written crash reporter: one line per panic it is given.
fn crash_reporter(info: &PanicHookInfo<'_>) {
    let location = info
        .location()
        .map_or_else(|| "?".to_owned(), ToString::to_string);
    eprintln!(
        "crash report: {} at {location}",
        info.payload_as_str().unwrap_or("?")
    );
}

/// A panic that no boundary recovers.
fn crash() {
    let _ = thread::Builder::new()
        .name("crashing".into())
        .spawn(|| panic!("nobody recovers this"))
        .unwrap()
        .join();
}

fn run_case(case: &str) {
    match case {
        "before" => {
            std::panic::set_hook(Box::new(crash_reporter));
            workers(true);
            crash();
            report_recovered_panics(true);
            check(&work(0).unwrap_err(), 0, true);
        }
        "after" => {
            check(&work(0).unwrap_err(), 0, true);
            std::panic::set_hook(Box::new(crash_reporter));
            workers(false);
            crash();
        }
        "after_then_install" => {
            check(&work(0).unwrap_err(), 0, true);
            std::panic::set_hook(Box::new(crash_reporter));
            install_panic_hook();
            install_panic_hook();
            workers(true);
            crash();
        }
        "install_before_the_first_boundary" => {
            // Called too early, then replaced: the notice, as with no call.
            install_panic_hook();
            std::panic::set_hook(Box::new(crash_reporter));
            workers(false);
            // Called after setting the hook: all is well again.
            install_panic_hook();
            workers(true);
        }
        "take_hook_dropped" => {
            check(&work(0).unwrap_err(), 0, true);
            drop(std::panic::take_hook());
            workers(false);
            install_panic_hook();
            workers(true);
        }
        "take_hook_chained" => {
            check(&work(0).unwrap_err(), 0, true);
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                crash_reporter(info);
                previous(info);
            }));
            workers(true);
            install_panic_hook();
            workers(true);
            crash();
        }
        "take_hook_kept" => {
            // A test swapping the hook for a while: epilogue's is kept
            // aside, not called, then set again.
            check(&work(0).unwrap_err(), 0, true);
            let saved = std::panic::take_hook();
            std::panic::set_hook(Box::new(crash_reporter));
            workers(false);
            std::panic::set_hook(saved);
            workers(true);
        }
        "carried" => {
            // Panics carried over from other threads with `resume_unwind`
            // skip every hook: no location, and no notice, since epilogue's
            // hook is in place.
            std::panic::set_hook(Box::new(|_| {}));
            check(&work(0).unwrap_err(), 0, true);
            let payloads: Vec<_> = (0..THREADS)
                .map(|index| {
                    thread::spawn(move || panic!("carried {index}"))
                        .join()
                        .unwrap_err()
                })
                .collect();
            for (index, payload) in payloads.into_iter().enumerate() {
                let panic = catch::<(), _>(|| std::panic::resume_unwind(payload)).unwrap_err();
                assert_eq!(panic.message(), format!("carried {index}"));
                assert_eq!(panic.location(), None);
            }
            let panic = catch::<(), _>(|| std::panic::resume_unwind(Box::new("thrown quietly"))).unwrap_err();
            assert_eq!(panic.message(), "thrown quietly");
            workers(true);
        }
        other => panic!("unknown case {other}"),
    }
    eprintln!("done");
}

/// The child side: runs one scenario.
#[test]
fn child() {
    if let Ok(case) = std::env::var("EPILOGUE_HOOK_ORDER_CASE") {
        run_case(&case);
    }
}

/// Runs a scenario in a child process; returns its stderr, after checking
/// that it passed.
fn run(case: &str) -> String {
    let output = child_process("EPILOGUE_HOOK_ORDER_CASE", case).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{case}: {stderr}");
    assert!(stderr.contains("done"), "{case}: {stderr}");
    stderr
}

fn count(stderr: &str, text: &str) -> usize {
    stderr.matches(text).count()
}

#[test]
fn a_hook_set_before_the_first_boundary_sees_the_crashes_only() {
    let stderr = run("before");
    // Recovered on every thread: located, and not reported, until the
    // switch forwards the last one.
    assert_eq!(count(&stderr, "crash report: worker"), 1, "{stderr}");
    // With the location std gives every hook.
    let line = line_in(&stderr, "crash report: worker 0 failed at line ").unwrap();
    assert!(
        stderr.contains(&format!("in branch 0 at tests/hook_order.rs:{line}:")),
        "{stderr}"
    );
    assert!(
        stderr.contains("crash report: nobody recovers this at tests/hook_order.rs:"),
        "{stderr}"
    );
    assert_eq!(count(&stderr, NOTICE), 0, "{stderr}");
}

#[test]
fn a_hook_set_after_replaces_epilogues_and_the_notice_says_so_once() {
    let stderr = run("after");
    // Every recovered panic is reported as a crash, and has no location.
    assert_eq!(count(&stderr, "crash report: worker"), RECOVERED, "{stderr}");
    assert!(stderr.contains("crash report: nobody recovers this"), "{stderr}");
    assert_eq!(count(&stderr, NOTICE), 1, "{stderr}");
    assert!(stderr.contains("`epilogue::install_panic_hook()`"), "{stderr}");
}

#[test]
fn install_panic_hook_after_setting_a_hook_puts_epilogues_back_on_top() {
    let stderr = run("after_then_install");
    assert_eq!(count(&stderr, "crash report: worker"), 0, "{stderr}");
    // Reported once: two calls stacked no second hook of epilogue's.
    assert_eq!(
        count(&stderr, "crash report: nobody recovers this"),
        1,
        "{stderr}"
    );
    assert_eq!(count(&stderr, NOTICE), 0, "{stderr}");
}

#[test]
fn install_panic_hook_before_setting_a_hook_is_replaced_like_the_automatic_one() {
    let stderr = run("install_before_the_first_boundary");
    assert_eq!(count(&stderr, "crash report: worker"), RECOVERED, "{stderr}");
    assert_eq!(count(&stderr, NOTICE), 1, "{stderr}");
}

#[test]
fn take_hook_dropped_leaves_the_default_hook_and_the_notice() {
    let stderr = run("take_hook_dropped");
    // The default hook reports every recovered panic of the first run, none
    // of the second.
    assert_eq!(
        count(&stderr, "panicked at tests/hook_order.rs:"),
        RECOVERED,
        "{stderr}"
    );
    assert_eq!(count(&stderr, NOTICE), 1, "{stderr}");
}

#[test]
fn a_hook_that_chains_keeps_locations_but_reports_recovered_panics_until_reinstalled() {
    let stderr = run("take_hook_chained");
    // First run: located (epilogue's hook still runs, after the reporter),
    // and reported by the reporter; epilogue's hook still withholds the
    // standard report. Second run, after `install_panic_hook()`: silent.
    assert_eq!(count(&stderr, "crash report: worker"), RECOVERED, "{stderr}");
    assert_eq!(count(&stderr, "thread 'worker-"), 0, "{stderr}");
    assert_eq!(
        count(&stderr, "crash report: nobody recovers this"),
        1,
        "{stderr}"
    );
    assert_eq!(count(&stderr, "nobody recovers this"), 2, "{stderr}");
    assert_eq!(count(&stderr, NOTICE), 0, "{stderr}");
}

#[test]
fn a_hook_kept_aside_and_set_again_works_again_without_a_notice() {
    let stderr = run("take_hook_kept");
    // While it is kept aside, recovered panics have no location (checked in
    // the child) and are reported; no notice, since epilogue's hook still
    // exists and may be called again.
    assert_eq!(count(&stderr, "crash report: worker"), RECOVERED, "{stderr}");
    assert_eq!(count(&stderr, NOTICE), 0, "{stderr}");
}

#[test]
fn panics_carried_with_resume_unwind_give_no_notice() {
    let stderr = run("carried");
    assert_eq!(count(&stderr, NOTICE), 0, "{stderr}");
}
