//! Compile-fail tests: one misuse per file in `fail/`, each with the error a
//! user sees in the `.stderr` next to it.
//!
//! rustc's wording changes between releases, so the snapshots belong to the
//! toolchain that produced them (`SNAPSHOT_RUSTC`): on another one the test
//! says so and checks nothing, rather than failing on a reworded message.
//!
//! They were also written without the toolchain's `rust-src` component.
//! With it (rust-analyzer installs it), rustc quotes the standard library's
//! source in notes that point into it; the few snapshots with such a note
//! (`QUOTE_THE_STANDARD_LIBRARY`) are then skipped, by name, and the others
//! still checked.

use std::path::Path;
use std::process::Command;

/// The `rustc --version` the `.stderr` snapshots were written with.
const SNAPSHOT_RUSTC: &str = "rustc 1.95.0";

/// The snapshots with a note that points into the standard library.
const QUOTE_THE_STANDARD_LIBRARY: &[&str] = &[
    "hidden_return_of_a_success_value.rs",
    "question_mark_in_an_opaque_macro_with_continue.rs",
    "tail_type_mismatch.rs",
    "unparsed_body_reached_by_codegen.rs",
];

#[test]
fn ui() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(&rustc)
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
    if has_rust_src(&rustc) {
        eprintln!(
            "rust-src is installed, so rustc quotes the standard library in notes that point into it: \
             skipping {QUOTE_THE_STANDARD_LIBRARY:?}, whose snapshots were written without it"
        );
        let mut files: Vec<_> = std::fs::read_dir("fail")
            .expect("the fail/ directory")
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "rs"))
            .collect();
        files.sort();
        for file in files {
            let name = file
                .file_name()
                .and_then(|name| name.to_str())
                .unwrap_or_default();
            if !QUOTE_THE_STANDARD_LIBRARY.contains(&name) {
                cases.compile_fail(file);
            }
        }
    } else {
        cases.compile_fail("fail/*.rs");
    }
    cases.pass("pass/*.rs");
}

/// Whether the toolchain has the standard library's source (`rust-src`).
fn has_rust_src(rustc: &str) -> bool {
    Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .map(|output| {
            let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            Path::new(&sysroot)
                .join("lib/rustlib/src/rust/library/core/src/lib.rs")
                .exists()
        })
        .unwrap_or(false)
}
