#!/usr/bin/env bash
# Measures what epilogue costs next to hand-written code.
#
#   scripts/bench.sh            instruction counts (callgrind), the table the README quotes
#   scripts/bench.sh --criterion  also runs the criterion benchmarks (wall clock, ns)
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
    valgrind --tool=callgrind --callgrind-out-file="$work/out" "$bin" "$1" "$2" "$3" >/dev/null 2>"$work/log"
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

row() { # label case baseline-case
    local leaf_ours leaf_base call_ours call_base
    leaf_ours=$(per_call "$2" leaf $happy); leaf_base=$(per_call "$3" leaf $happy)
    call_ours=$(per_call "$2" call $happy); call_base=$(per_call "$3" call $happy)
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
echo
ours=$(per_call epilogue_panic - $panics); base=$(per_call panic_by_hand - $panics)
printf '| `#[recover]` panic path vs `catch_unwind` + no-op hook | %s / %s | %+.0f | ratio %.2f |\n' \
    "$(fmt "$ours")" "$(fmt "$base")" "$(echo "$ours - $base" | bc)" "$(echo "scale=4; $ours / $base" | bc)"
echo
echo "baselines (leaf/call): bare $(fmt "$(per_call bare leaf $happy)")/$(fmt "$(per_call bare call $happy)"), \
Result $(fmt "$(per_call result_bare leaf $happy)")/$(fmt "$(per_call result_bare call $happy)"), \
unwrapped Option $(fmt "$(per_call unwrapped leaf $happy)")/$(fmt "$(per_call unwrapped call $happy)")"

case "${1:-}" in
--criterion)
    cargo bench -p epilogue-benches --bench overhead
    ;;
--all)
    cargo bench -p epilogue-benches --bench overhead
    if command -v go >/dev/null; then scripts/go-bench.sh; else echo "go not found: skipping Go's side"; fi
    scripts/compile-time.sh
    ;;
esac
