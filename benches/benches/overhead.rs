//! Wall-clock twins: each epilogue function next to its hand-written
//! equivalent, in one run (`cargo bench -p epilogue-benches`). The
//! instruction counts that the README quotes come from `scripts/bench.sh`
//! (callgrind), which is deterministic on a noisy machine; these are the
//! nanoseconds to go with them.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Bencher, BenchmarkId, Criterion};
use epilogue_benches::{Runner, CASES, PANIC_CASES};
use std::hint::black_box;
use std::time::Duration;

/// The pairs, by case name.
const GROUPS: &[(&str, &[&str])] = &[
    (
        "defer",
        &[
            "bare",
            "inline_cleanup",
            "drop_guard",
            "safe_guard",
            "scopeguard_defer",
            "epilogue_defer",
        ],
    ),
    (
        "defer_on_err_and_hook",
        &[
            "result_bare",
            "result_by_hand",
            "result_same_guarantees",
            "epilogue_on_err_and_hook",
        ],
    ),
    (
        "recover_happy",
        &["unwrapped", "catch_unwind_by_hand", "epilogue_recover"],
    ),
    (
        "borrow_free_defer",
        &["drop_guard", "borrow_free_by_hand", "epilogue_borrow_free"],
    ),
    (
        "borrow_free_on_err_and_hook",
        &[
            "result_by_hand",
            "borrow_free_on_err_by_hand",
            "epilogue_borrow_free_on_err_and_hook",
        ],
    ),
    ("async_defer", &["async_defer_by_hand", "epilogue_async_defer"]),
    ("async_hook", &["async_hook_by_hand", "epilogue_async_hook"]),
    ("async_mixed", &["async_mixed_by_hand", "epilogue_async_mixed"]),
    ("hidden_return", &["ensure_written_out", "epilogue_ensure"]),
    (
        "hidden_return_error_path",
        &["ensure_written_out_err", "epilogue_ensure_err"],
    ),
];

/// `case(n)` runs its function n times in a loop of its own: time one call.
fn time(bencher: &mut Bencher<'_>, case: Runner) {
    bencher.iter_custom(|iterations| {
        let start = std::time::Instant::now();
        black_box(case(iterations));
        start.elapsed()
    });
}

fn happy_paths(c: &mut Criterion) {
    for (group, names) in GROUPS {
        for flavour in ["leaf", "call"] {
            let mut group = c.benchmark_group(format!("{group}/{flavour}"));
            for name in *names {
                let (_, _, case) = CASES
                    .iter()
                    .find(|(case, kind, _)| case == name && *kind == flavour)
                    .expect("every name is a case");
                group.bench_function(BenchmarkId::from_parameter(name), |b| time(b, *case));
            }
            group.finish();
        }
    }
}

/// Runs first: the no-op hook both panic cases start from. Set later, it
/// would replace the hook that epilogue installs at its first boundary (in
/// the happy paths), and `#[recover]` would be measured without it.
fn quiet_panic_hook(_: &mut Criterion) {
    std::panic::set_hook(Box::new(|_| {}));
}

fn panic_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("panic_path");
    for (name, case) in PANIC_CASES {
        group.bench_function(BenchmarkId::from_parameter(name), |b| time(b, *case));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_millis(1500))
        .sample_size(50);
    targets = quiet_panic_hook, happy_paths, panic_path
}
criterion_main!(benches);
