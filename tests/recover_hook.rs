//! The panic hook: installed once, the first time a boundary is
//! entered; keeps the hook that was there before for every panic outside a
//! boundary; holds back the standard report of a recovered panic unless
//! asked to keep it; captures backtraces only when the environment asks.
//! (The orders of installation with other hooks, on many threads at once, are
//! in `hook_order.rs`.)
//!
//! The hook is process-wide, so each scenario runs in a child process (this
//! test binary re-run with `EPILOGUE_HOOK_CASE` set), and the parent checks
//! what the child printed.

use epilogue::{catch, defer_on_exit, recover};
use epilogue_test_support::child_process;
use std::process::Output;

#[recover]
fn recovered(message: &str) -> Option<()> {
    panic!("{message}");
}

#[recover]
#[defer_on_exit]
fn cleanup_panics_while_unwinding() -> Option<()> {
    defer! { panic!("the cleanup panicked") }
    panic!("the original panic");
}

#[recover(with = |panic| panic.resume())]
fn resumes(message: &str) {
    panic!("{message}");
}

fn run_case(case: &str) {
    match case {
        "silent" => {
            assert_eq!(recovered("a recovered panic"), None);
            eprintln!("done");
        }
        "report_switch" => {
            epilogue::report_recovered_panics(true);
            assert_eq!(recovered("a reported recovered panic"), None);
        }
        "report_env" => {
            assert_eq!(recovered("reported because of the environment"), None);
        }
        "previous_hook" => {
            std::panic::set_hook(Box::new(|info| {
                eprintln!("custom hook: {}", info.payload_as_str().unwrap_or("?"));
            }));
            assert_eq!(recovered("inside a boundary"), None);
            let _ = std::panic::catch_unwind(|| panic!("outside every boundary"));
            let _ = std::thread::spawn(|| panic!("on another thread")).join();
        }
        "installed_once" => {
            assert_eq!(recovered("first"), None);
            // Replacing epilogue's hook after it was installed: epilogue does
            // not install itself again, so this hook sees every panic, and
            // the first boundary to notice says so, once.
            std::panic::set_hook(Box::new(|info| {
                eprintln!("replacement hook: {}", info.payload_as_str().unwrap_or("?"));
            }));
            let panic = catch(|| panic!("second")).unwrap_err();
            eprintln!("second location known: {}", panic.location().is_some());
            assert_eq!(recovered("third"), None);
            // Until the application gives it back.
            epilogue::install_panic_hook();
            let panic = catch(|| panic!("fourth")).unwrap_err();
            eprintln!("fourth location known: {}", panic.location().is_some());
        }
        "cleanup_panic" => {
            assert_eq!(cleanup_panics_while_unwinding(), None);
        }
        "resume_uncaught" => resumes("nobody catches this"),
        "resume_caught" => {
            let payload = std::panic::catch_unwind(|| resumes("caught by catch_unwind")).unwrap_err();
            eprintln!("payload: {}", payload.downcast_ref::<String>().unwrap());
        }
        "backtrace" => {
            let panic = catch(|| panic!("with or without a backtrace")).unwrap_err();
            eprintln!("backtrace captured: {}", panic.backtrace().is_some());
        }
        other => panic!("unknown case {other}"),
    }
}

/// The child side: runs one scenario.
#[test]
fn child() {
    if let Ok(case) = std::env::var("EPILOGUE_HOOK_CASE") {
        run_case(&case);
    }
}

fn run(case: &str, env: &[(&str, &str)]) -> Output {
    let mut command = child_process("EPILOGUE_HOOK_CASE", case);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_recovered_panic_is_not_reported() {
    let output = run("silent", &[]);
    assert!(output.status.success());
    let stderr = stderr_of(&output);
    assert!(stderr.contains("done"), "{stderr}");
    assert!(!stderr.contains("a recovered panic"), "{stderr}");
}

#[test]
fn the_switch_keeps_the_standard_report() {
    let stderr = stderr_of(&run("report_switch", &[]));
    assert!(stderr.contains("panicked at tests/recover_hook.rs:"), "{stderr}");
    assert!(stderr.contains("a reported recovered panic"), "{stderr}");
    let stderr = stderr_of(&run("report_env", &[("EPILOGUE_REPORT_RECOVERED", "1")]));
    assert!(stderr.contains("reported because of the environment"), "{stderr}");
}

#[test]
fn panics_outside_every_boundary_go_to_the_previous_hook() {
    let stderr = stderr_of(&run("previous_hook", &[]));
    assert!(!stderr.contains("inside a boundary"), "{stderr}");
    assert!(stderr.contains("custom hook: outside every boundary"), "{stderr}");
    assert!(stderr.contains("custom hook: on another thread"), "{stderr}");
}

#[test]
fn the_hook_is_installed_once() {
    let stderr = stderr_of(&run("installed_once", &[]));
    assert!(!stderr.contains("replacement hook: first"), "{stderr}");
    assert!(stderr.contains("replacement hook: second"), "{stderr}");
    assert!(stderr.contains("second location known: false"), "{stderr}");
    assert!(stderr.contains("replacement hook: third"), "{stderr}");
    let notice = "epilogue: the panic hook that `#[recover]` and `catch` rely on was replaced";
    assert_eq!(stderr.matches(notice).count(), 1, "{stderr}");
    assert!(
        stderr.contains("call `epilogue::install_panic_hook()`"),
        "{stderr}"
    );
    assert!(!stderr.contains("replacement hook: fourth"), "{stderr}");
    assert!(stderr.contains("fourth location known: true"), "{stderr}");
}

#[test]
fn a_cleanup_panic_while_unwinding_is_reported_and_the_original_is_not() {
    let output = run("cleanup_panic", &[]);
    assert!(output.status.success());
    let stderr = stderr_of(&output);
    assert!(stderr.contains("the cleanup panicked"), "{stderr}");
    assert!(!stderr.contains("the original panic"), "{stderr}");
}

#[test]
fn resume_reports_the_held_back_panic_when_nothing_catches_it() {
    let output = run("resume_uncaught", &[]);
    assert_eq!(output.status.code(), Some(101));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("thread 'child' panicked at tests/recover_hook.rs:"),
        "{stderr}"
    );
    assert!(stderr.contains("nobody catches this"), "{stderr}");
    // Reported once, as without a boundary.
    assert_eq!(stderr.matches("nobody catches this").count(), 1, "{stderr}");

    let stderr = stderr_of(&run("resume_caught", &[]));
    assert!(stderr.contains("payload: caught by catch_unwind"), "{stderr}");
}

#[test]
fn backtraces_are_captured_only_when_the_environment_asks() {
    assert!(stderr_of(&run("backtrace", &[])).contains("backtrace captured: false"));
    assert!(stderr_of(&run("backtrace", &[("RUST_BACKTRACE", "0")])).contains("backtrace captured: false"));
    assert!(stderr_of(&run("backtrace", &[("RUST_BACKTRACE", "1")])).contains("backtrace captured: true"));
    assert!(stderr_of(&run("backtrace", &[("RUST_LIB_BACKTRACE", "1")])).contains("backtrace captured: true"));
}
