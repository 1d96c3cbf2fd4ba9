//! Compile-fail tests: one misuse per file in `fail/`, each with the error a
//! user sees in the `.stderr` next to it.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("fail/*.rs");
    cases.pass("pass/*.rs");
}
