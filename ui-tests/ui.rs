//! Compile-fail tests: one misuse per file in `fail/`, each with the error a
//! user sees in the `.stderr` next to it.
//!
//! rustc's wording changes between releases, so the snapshots belong to the
//! toolchain that produced them (`SNAPSHOT_RUSTC`): on another one the test
//! says so and checks nothing, rather than failing on a reworded message.

use std::process::Command;

/// The `rustc --version` the `.stderr` snapshots were written with.
const SNAPSHOT_RUSTC: &str = "rustc 1.95.0";

#[test]
fn ui() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    if !version.starts_with(&format!("{SNAPSHOT_RUSTC} ")) {
        eprintln!(
            "skipping the compile-fail snapshots: they were written with {SNAPSHOT_RUSTC}, and this is {}; \
             run with that toolchain, or update them with TRYBUILD=overwrite and read every diff",
            version.trim()
        );
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("fail/*.rs");
    cases.pass("pass/*.rs");
}
