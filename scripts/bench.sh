#!/usr/bin/env bash
# Measures what epilogue costs next to hand-written code.
#
#   scripts/bench.sh            instruction counts (callgrind), the table the README quotes
#   scripts/bench.sh --criterion  also runs the criterion benchmarks (wall clock, ns)
#   scripts/bench.sh --tracing    also the `tracing` feature's cost: off, on with no
#                                 subscriber, at INFO, at TRACE, and with max_level_debug
#   scripts/bench.sh --all        also criterion, Go's side (scripts/go-bench.sh, needs go)
#                                 and the build times (scripts/compile-time.sh, ~10 min)
#
# Instructions per call = (Ir(2N) - Ir(N)) / N, minus the same for an empty
# loop: start-up and one-time setup (the panic hook's installation) cancel.
# callgrind counts instructions, so the numbers repeat on a noisy machine.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
cargo build --release -q -p epilogue-benches --bin icount
bin=target/release/icount
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# RUST_BACKTRACE would make every panic capture a backtrace (on purpose: that
# is what it asks for); the reference numbers were taken without it.
export -n RUST_BACKTRACE RUST_LIB_BACKTRACE 2>/dev/null || true
unset RUST_BACKTRACE RUST_LIB_BACKTRACE

irs() { # case flavour n -> total instructions
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "${BIN:-$bin}" "$1" "$2" "$3" >/dev/null 2>"$work/log"
    grep -E '^summary:|^totals:' "$work/out" | head -1 | awk '{print $2}'
}

per_call() { # case flavour n -> instructions per call, empty loop subtracted
    local one two
    one=$(irs "$1" "$2" "$3")
    two=$(irs "$1" "$2" $(($3 * 2)))
    echo "scale=2; ($two - $one) / $3 - $empty" | bc
}

happy=200000
panics=2000
empty=0
empty=$(per_call empty - $happy)

fmt() { printf %.0f "$1"; }

row() { # label case baseline-case [calls]
    local leaf_ours leaf_base call_ours call_base n=${4:-$happy}
    leaf_ours=$(per_call "$2" leaf "$n"); leaf_base=$(per_call "$3" leaf "$n")
    call_ours=$(per_call "$2" call "$n"); call_base=$(per_call "$3" call "$n")
    printf '| %s | %s / %s | %+.0f | %s / %s | %+.0f | %.2f |\n' "$1" \
        "$(fmt "$leaf_ours")" "$(fmt "$leaf_base")" "$(echo "$leaf_ours - $leaf_base" | bc)" \
        "$(fmt "$call_ours")" "$(fmt "$call_base")" "$(echo "$call_ours - $call_base" | bc)" \
        "$(echo "scale=4; $call_ours / $call_base" | bc)"
}

echo "instructions per call (callgrind, (Ir(2N) - Ir(N)) / N; an empty loop of $(fmt "$empty") subtracted)"
echo
echo "| epilogue vs hand-written twin | leaf: ours / twin | extra | call: ours / twin | extra | call ratio |"
echo "|---|---:|---:|---:|---:|---:|"
row '`defer!` vs `Drop` guard' epilogue_defer drop_guard
row '`defer!` vs guard with the same guarantees' epilogue_defer safe_guard
row '`defer!` vs `scopeguard::defer!`' epilogue_defer scopeguard_defer
row '`defer!` vs cleanup written inline' epilogue_defer inline_cleanup
row '`defer_on_err!` + hook vs closure, slot, match by hand' epilogue_on_err_and_hook result_by_hand
row '`defer_on_err!` + hook vs by hand with the same guarantees' epilogue_on_err_and_hook result_same_guarantees
row '`#[recover]` vs `catch_unwind` by hand' epilogue_recover catch_unwind_by_hand
row '`#[recover]` vs unwrapped' epilogue_recover unwrapped
row 'borrow-free `defer!` vs `catch_unwind`, cleanup, `resume_unwind` by hand' epilogue_borrow_free borrow_free_by_hand
row 'borrow-free `defer!` vs `Drop` guard' epilogue_borrow_free drop_guard
row 'borrow-free `defer_on_err!` + hook vs `catch_unwind`, hook, cleanup by hand' epilogue_borrow_free_on_err_and_hook borrow_free_on_err_by_hand
row 'borrow-free `defer_on_err!` + hook vs closure, slot, `match` by hand' epilogue_borrow_free_on_err_and_hook result_by_hand
row '`defer!(async { … })` vs the cleanup awaited at each exit (incl. `block_on`)' epilogue_async_defer async_defer_by_hand
row '`defer!(async \|ret\| …)` vs the flush awaited by hand (incl. `block_on`)' epilogue_async_hook async_hook_by_hand
row '`defer!(async { … })` + sync `defer_on_err!` vs awaited cleanup + drop guard by hand' epilogue_async_mixed async_mixed_by_hand
row '`anyhow::ensure!` vs `if … { return Err(anyhow!(…)) }` (hook + `defer_on_err!`)' epilogue_ensure ensure_written_out
row '`map_err = \|err\| err.context(…)` vs `.with_context(…)` at each exit' epilogue_map_err map_err_by_hand
row '`defer_on_err!(\|err\| …)` vs the cleanup at the failing exit' epilogue_err_capture err_capture_by_hand
echo
ours=$(per_call epilogue_panic - $panics); base=$(per_call panic_by_hand - $panics)
printf '| `#[recover]` panic path vs `catch_unwind` + no-op hook | %s / %s | %+.0f | ratio %.2f |\n' \
    "$(fmt "$ours")" "$(fmt "$base")" "$(echo "$ours - $base" | bc)" "$(echo "scale=4; $ours / $base" | bc)"
echo
echo "error path, for information (every call fails: an \`anyhow::Error\` is made and dropped)"
echo
echo "| | leaf: ours / twin | extra | call: ours / twin | extra | call ratio |"
echo "|---|---:|---:|---:|---:|---:|"
row '`anyhow::ensure!` vs written out, error path' epilogue_ensure_err ensure_written_out_err $panics
row '`map_err` vs `.with_context(…)`, error path (the message built, an `anyhow::Error` dropped)' epilogue_map_err_err map_err_by_hand_err $panics
echo
echo "baselines (leaf/call): bare $(fmt "$(per_call bare leaf $happy)")/$(fmt "$(per_call bare call $happy)"), \
Result $(fmt "$(per_call result_bare leaf $happy)")/$(fmt "$(per_call result_bare call $happy)"), \
unwrapped Option $(fmt "$(per_call unwrapped leaf $happy)")/$(fmt "$(per_call unwrapped call $happy)")"

tracing_table() {
    # The same binary with the feature on (and the subscriber code linked
    # in, as in an application, whether or not one is installed), and with
    # tracing's static level filter.
    cargo build --release -q -p epilogue-benches --bin icount --features tracing --target-dir target/bench-tracing
    cargo build --release -q -p epilogue-benches --bin icount --features max-level-debug --target-dir target/bench-static
    local on=target/bench-tracing/release/icount static=target/bench-static/release/icount
    echo
    echo "the tracing feature: instructions per call, leaf / call"
    echo
    echo "| | feature off | on, no subscriber | on, INFO subscriber | on, TRACE subscriber | on, max_level_debug |"
    echo "|---|---:|---:|---:|---:|---:|"
    for case in level_checked_guard epilogue_defer level_checked_result_by_hand epilogue_on_err_and_hook epilogue_borrow_free epilogue_borrow_free_on_err_and_hook \
        epilogue_map_err epilogue_recover epilogue_async_defer epilogue_async_hook epilogue_async_mixed; do
        local cells=()
        for setup in "off" "none" "info" "trace" "static"; do
            local binary=$bin subscriber="" n=$happy
            case $setup in
            none) binary=$on ;;
            info) binary=$on subscriber=info ;;
            trace) binary=$on subscriber=trace n=$panics ;;
            static) binary=$static ;;
            esac
            local leaf call
            leaf=$(BIN=$binary EPILOGUE_BENCH_SUBSCRIBER=$subscriber per_call "$case" leaf "$n")
            call=$(BIN=$binary EPILOGUE_BENCH_SUBSCRIBER=$subscriber per_call "$case" call "$n")
            cells+=("$(fmt "$leaf") / $(fmt "$call")")
        done
        printf '| `%s` | %s | %s | %s | %s | %s |\n' "$case" "${cells[@]}"
    done
}

case "${1:-}" in
--tracing)
    tracing_table
    ;;
--criterion)
    cargo bench -p epilogue-benches --bench overhead
    ;;
--all)
    tracing_table
    cargo bench -p epilogue-benches --bench overhead
    if command -v go >/dev/null; then scripts/go-bench.sh; else echo "go not found: skipping Go's side"; fi
    scripts/compile-time.sh
    ;;
esac
