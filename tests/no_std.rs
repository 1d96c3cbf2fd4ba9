//! epilogue without `std`: `tests/no_std/init`, a `#![no_std]` crate with its
//! own panic handler and `panic = "abort"`, uses every synchronous deferred
//! form and an async cleanup, and builds as a static library (it would not
//! build if `std` were linked: two panic handlers). A C harness calls it and
//! prints each event; this test builds both, runs the harness, and reads its
//! output. `tests/no_std/misuse` checks that what needs `std` says so.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The nested workspace.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("no_std")
}

/// Its own target directory, kept between runs.
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("no_std")
}

/// `cargo build` in the nested workspace.
fn cargo_build(args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .arg("build")
        .arg("--locked")
        .arg("--manifest-path")
        .arg(workspace().join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target_dir())
        .args(args)
        .output()
        .expect("cargo runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The harness's output: built and run once, for every test that reads it.
fn run_harness() -> &'static str {
    static OUTPUT: OnceLock<String> = OnceLock::new();
    OUTPUT.get_or_init(build_and_run)
}

/// Builds the static library and the harness, runs it: its output.
fn build_and_run() -> String {
    let built = cargo_build(&["-p", "epilogue-no-std-init"]);
    assert!(
        built.status.success(),
        "the no_std crate builds:\n{}",
        stderr(&built)
    );
    let library = target_dir().join("debug").join("libepilogue_no_std_init.a");
    let harness = target_dir().join("harness");
    let compiler = std::env::var_os("CC").unwrap_or_else(|| "cc".into());
    let compiled = Command::new(compiler)
        .arg(workspace().join("harness.c"))
        .arg(&library)
        .arg("-o")
        .arg(&harness)
        .output()
        .expect("a C compiler runs");
    assert!(
        compiled.status.success(),
        "the harness links:\n{}",
        stderr(&compiled)
    );
    let ran = Command::new(&harness).output().expect("the harness runs");
    assert!(
        ran.status.success(),
        "the harness exits normally (no panic):\n{}",
        stderr(&ran)
    );
    String::from_utf8(ran.stdout).expect("the harness prints text")
}

/// The events of one section of the harness's output, from its heading to
/// its `= result` line.
fn section(output: &str, heading: &str) -> Vec<String> {
    let mut lines = output.lines().skip_while(|line| *line != heading).skip(1);
    let mut events = Vec::new();
    for line in &mut lines {
        events.push(line.trim().to_owned());
        if line.starts_with("= ") {
            break;
        }
    }
    assert!(!events.is_empty(), "no section {heading:?} in:\n{output}");
    events
}

#[test]
fn a_no_std_crate_gets_every_deferred_form() {
    let output = run_harness();

    // Success: the undos do not run; the hooks run, last registered first
    // (`move |ret|` saw the value before the other hook added the spare);
    // the block-scoped `defer!` ran at the end of each loop iteration,
    // `continue` included; the outer `defer!` runs last and sees the clock
    // on.
    assert_eq!(
        section(output, "init failing at step 0"),
        [
            "clock on: 1",
            "power on: 2",
            "channel probed: 0",
            "channel probed: 1",
            "channel probed: 2",
            "dma reserved: 3",
            "irq enabled: 4",
            "returning ok with reserved: 2",
            "init finished, clock on: 1",
            "= 3",
        ]
    );
    // The first step fails: nothing to undo; `defer_on_err!(|err|)` sees
    // the error.
    assert_eq!(
        section(output, "init failing at step 1"),
        [
            "step failed: 1",
            "init failed at step: 1",
            "init finished, clock on: 0",
            "= -1"
        ]
    );
    // A later step fails: the undos of the steps before it run, in reverse
    // order, each seeing the device as the body left it (`dma released: 2`);
    // the `move` undo saw `powered` when it was registered; the outer
    // `defer!` sees the clock the undo turned off.
    assert_eq!(
        section(output, "init failing at step 4"),
        [
            "clock on: 1",
            "power on: 2",
            "channel probed: 0",
            "channel probed: 1",
            "channel probed: 2",
            "dma reserved: 3",
            "step failed: 4",
            "undo: dma released: 2",
            "undo: power off, was on: 1",
            "undo: clock off: 1",
            "init failed at step: 4",
            "init finished, clock on: 0",
            "= -4",
        ]
    );
    assert_eq!(
        section(output, "init failing at step 2"),
        [
            "clock on: 1",
            "step failed: 2",
            "undo: clock off: 1",
            "init failed at step: 2",
            "init finished, clock on: 0",
            "= -2",
        ]
    );
}

#[test]
fn none_is_the_failure_of_an_option() {
    let output = run_harness();
    assert_eq!(section(output, "lookup 0"), ["= 40"]);
    // `return None`.
    assert_eq!(section(output, "lookup 1"), ["lookup missed: 1", "= -1"]);
    assert_eq!(section(output, "lookup 2"), ["= 70"]);
    // `?` on `None`.
    assert_eq!(section(output, "lookup 3"), ["lookup missed: 3", "= -1"]);
}

#[test]
fn map_err_replaces_the_error_without_std() {
    let output = run_harness();
    let failed = section(output, "reinit failing at step 2");
    assert_eq!(failed.last().map(String::as_str), Some("= -102"));
    let succeeded = section(output, "reinit succeeding");
    assert_eq!(succeeded.last().map(String::as_str), Some("= 3"));
}

#[test]
fn an_async_cleanup_is_awaited_without_std() {
    let output = run_harness();
    // The cleanup yields once: a second poll finishes it, and it sees the
    // bytes sent, or none when the function returned early.
    assert_eq!(
        section(output, "transfer 5"),
        ["async flush after sending: 5", "polls: 2", "= 5"]
    );
    assert_eq!(
        section(output, "transfer -2"),
        ["async flush after sending: 0", "polls: 2", "= -1"]
    );
}

#[test]
fn what_needs_std_says_so() {
    // Each feature of the misuse crate turns on one use of what needs `std`.
    for (feature, expected) in [
        ("recover", "`#[recover]` needs epilogue's `std` feature"),
        (
            "recover-with-defer",
            "`#[recover]` needs epilogue's `std` feature",
        ),
        ("catch", "the item is gated behind the `std` feature"),
        ("panic-type", "the item is gated behind the `std` feature"),
    ] {
        let built = cargo_build(&["-p", "epilogue-no-std-misuse", "--features", feature]);
        assert!(
            !built.status.success(),
            "`{feature}` must not compile without `std`"
        );
        let message = stderr(&built);
        assert!(
            message.contains(expected),
            "`{feature}`: expected {expected:?} in:\n{message}"
        );
        assert_eq!(
            message.matches("error:").count() + message.matches("error[").count(),
            2,
            "`{feature}`: one error (and cargo's summary) in:\n{message}"
        );
    }
    // Without any misuse, it compiles: the errors above are the misuses'.
    let built = cargo_build(&["-p", "epilogue-no-std-misuse"]);
    assert!(built.status.success(), "{}", stderr(&built));
}

/// A bare-metal target, where there is no `std` to creep in at all. Built
/// when the target is installed (`.ci/run` installs it).
#[test]
fn builds_for_a_bare_metal_target() {
    const TARGET: &str = "thumbv7em-none-eabihf";
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let sysroot = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    let sysroot = String::from_utf8(sysroot.stdout).expect("a path");
    let installed = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(TARGET)
        .exists();
    if !installed {
        assert!(
            std::env::var_os("EPILOGUE_REQUIRE_BARE_METAL").is_none(),
            "{TARGET} is not installed: `rustup target add {TARGET}`"
        );
        eprintln!("{TARGET} not installed; skipped the bare-metal build");
        return;
    }
    let built = cargo_build(&["-p", "epilogue-no-std-init", "--target", TARGET]);
    assert!(built.status.success(), "builds for {TARGET}:\n{}", stderr(&built));
}
