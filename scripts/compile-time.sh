#!/usr/bin/env bash
# What epilogue costs at compile time.
#
#   scripts/compile-time.sh              everything below, prints markdown tables
#   scripts/compile-time.sh incr         only the debug incremental rebuild
#   scripts/compile-time.sh noincr       only the debug rebuild, CARGO_INCREMENTAL=0
#   scripts/compile-time.sh release      only the release rebuild
#   scripts/compile-time.sh clean        only the clean dependency build
#   scripts/compile-time.sh icount       only the incremental rebuild counted
#                                        by callgrind (needs valgrind)
#   scripts/compile-time.sh report       only print the tables of the last runs
#
# 1. Rebuild after `touch src/lib.rs` of crates with 500 small functions
#    (loop, early `return Err`, `Ok`, plus one fn calling them all; made by
#    scripts/gen500.py) that differ only in the annotation: none (`plain`),
#    the two floors of an attribute macro, one that returns its input
#    untouched (`floor-noop`) and one that parses it with syn and prints it
#    back (`floor-syn`), `#[defer_on_exit]` with one `defer!` and one
#    `defer_on_err!` (`epilogue`), the same with the `defer!` only
#    (`epilogue-defer`), what each of the two expands to written out with
#    no attribute (`expanded-slot`, `expanded-defer`), with one borrow-free
#    `defer!` (its action uses a local the loop mutates after it:
#    `epilogue-borrow-free`) and what it expands to (`expanded-borrow-free`),
#    `#[tracing::instrument(skip_all)]` (`instrument`) and
#    `scopeguard::defer!` (`scopeguard`, a macro_rules reference).
#    Two families with baselines of their own (the last column): functions
#    returning `anyhow::Result` whose early return is `anyhow::ensure!`,
#    plain (`ensure-plain`), with a hook and a `defer_on_err!`
#    (`ensure-epilogue`), and the same with the `ensure!` written out as
#    `if … { return Err(anyhow!(…)) }` (`ensure-written-out`); and `async fn`s
#    that await a cleanup at each exit, by hand (`async-plain`) or through
#    one `defer!(async { … })` (`async-epilogue`).
#    Dependencies are prebuilt; only the 500-fn crate is rebuilt and timed.
#    Debug (incremental on, cargo's default), debug with CARGO_INCREMENTAL=0
#    (what CI pays: all codegen redone) and release. Target: epilogue <= 2.5x
#    plain in debug.
#    `icount` runs the same incremental rebuild once per crate under
#    callgrind and reports rustc's instructions, the proc macros' included:
#    a count that repeats from run to run to a few parts in a million, where
#    wall times move by up to 10% on a shared machine. It does not see
#    what callgrind cannot (the parallel backend's wall-clock gain, I/O), so
#    it complements the timings rather than replacing them.
# 2. Clean build (`cargo clean`, then `cargo build`, debug) of an empty lib
#    depending on `epilogue`, on `tracing-attributes`, and on the dependency
#    set of a do-nothing syn macro (syn 2 full+visit-mut, quote,
#    proc-macro2; also with syn 3, which epilogue-macros uses). This is what a
#    user of the crate pays. Target: epilogue <= tracing-attributes.
#
# Every build runs with -j2. Cases are interleaved (round r runs every case,
# starting at a rotating offset) so load from other processes hits all cases
# alike; one untimed warm-up round first. Figures are wall seconds,
# median [min-max]; "ratio" is the median of the per-round ratios to the
# baseline (plain, or the syn floor).
#
# The crates live under target/compile-time/ (own [workspace], own target
# dirs) and depend on a snapshot of macros/ and runtime/ copied at start, so
# edits made to the tree while this runs do not leak into the timings.
#
# Rounds: INCR_ROUNDS (default 7), NOINCR_ROUNDS (3), RELEASE_ROUNDS (3),
# CLEAN_ROUNDS (5). About 30 minutes in all on 2 CPUs. GEN_ONLY="plain …"
# measures only those 500-fn crates (keep `plain`, the baseline).
set -euo pipefail
cd "$(dirname "$0")/.."
# The release build of run_all (500 inlined loops) overflows rustc's default
# 8 MiB stack in LLVM's ScalarEvolution (SIGSEGV), whatever the annotation.
export RUST_MIN_STACK=${RUST_MIN_STACK:-67108864}
root=$PWD
ct=$root/target/compile-time
what=${1:-all}
INCR_ROUNDS=${INCR_ROUNDS:-7}
NOINCR_ROUNDS=${NOINCR_ROUNDS:-3}
RELEASE_ROUNDS=${RELEASE_ROUNDS:-3}
CLEAN_ROUNDS=${CLEAN_ROUNDS:-5}
GEN_CRATES=(plain floor-noop floor-syn epilogue-defer expanded-defer epilogue-borrow-free expanded-borrow-free epilogue expanded-slot instrument scopeguard
    ensure-plain ensure-written-out ensure-epilogue async-plain async-epilogue)
if [[ -n ${GEN_ONLY:-} ]]; then read -ra GEN_CRATES <<< "$GEN_ONLY"; fi
# Each variant of a family against the family's own baseline (last column).
OWN_BASELINES="epilogue-borrow-free=epilogue-defer expanded-borrow-free=epilogue-defer ensure-written-out=ensure-plain \
ensure-epilogue=ensure-plain async-epilogue=async-plain"
DEP_CRATES=(syn-floor syn3-floor epilogue tracing-attributes)

# ---- snapshot of the crate under test -------------------------------------
snap=$ct/snapshot
mkdir -p "$snap"
[[ $what == report ]] || for d in macros runtime; do
    mkdir -p "$snap/$d"
    # copy only what changed, so unchanged sources keep their mtimes and
    # cargo's fingerprints stay valid across reruns
    (cd "$root/$d" && find . \( -type f -o -type l \) -not -path './target/*' -print0) |
        while IFS= read -r -d '' f; do
            if ! cmp -s "$root/$d/$f" "$snap/$d/$f"; then
                mkdir -p "$(dirname "$snap/$d/$f")"
                cp -pL "$root/$d/$f" "$snap/$d/$f"
            fi
        done
done
# the workspace root, reduced to the two members (for the inherited keys)
sed -e 's/^members = .*/members = ["macros", "runtime"]/' \
    -e 's/^default-members = .*/default-members = ["macros", "runtime"]/' \
    "$root/Cargo.toml" > "$snap/Cargo.toml.new"
cmp -s "$snap/Cargo.toml.new" "$snap/Cargo.toml" 2>/dev/null && rm "$snap/Cargo.toml.new" ||
    mv "$snap/Cargo.toml.new" "$snap/Cargo.toml"
cmp -s "$root/README.md" "$snap/README.md" 2>/dev/null || cp -p "$root/README.md" "$snap/README.md"

[[ $what == report ]] || python3 scripts/gen500.py "$ct" 500 "$snap/runtime"

# ---- timing helpers ---------------------------------------------------------
results=$ct/results
mkdir -p "$results"

now() { date +%s.%N; }

# measure NAME ROUNDS PREPARE-FN TIMED-FN CRATE...
# Appends "round crate seconds" lines to $results/NAME.txt (round 0 = warm-up).
measure() {
    local name=$1 rounds=$2 prepare=$3 timed=$4
    shift 4
    local crates=("$@") k=$# r i c t0 t1
    : > "$results/$name.txt"
    for ((r = 0; r <= rounds; r++)); do
        for ((i = 0; i < k; i++)); do
            c=${crates[$(((i + r) % k))]}
            "$prepare" "$c"
            t0=$(now)
            "$timed" "$c"
            t1=$(now)
            echo "$r $c $(echo "$t1 - $t0" | bc)" >> "$results/$name.txt"
        done
        printf '  %s: round %d/%d done\n' "$name" "$r" "$rounds" >&2
    done
}

gen_dir() { echo "$ct/gen500/$1"; }
dep_dir() { echo "$ct/dep/$1"; }

# incremental: make sure the dependencies are built (untimed), then touch
prep_incr_debug() { (cd "$(gen_dir "$1")" && cargo build -q -j2 && touch src/lib.rs); }
time_incr_debug() { (cd "$(gen_dir "$1")" && cargo build -q -j2); }
prep_noincr() { (cd "$(gen_dir "$1")" && CARGO_INCREMENTAL=0 cargo build -q -j2 && touch src/lib.rs); }
time_noincr() { (cd "$(gen_dir "$1")" && CARGO_INCREMENTAL=0 cargo build -q -j2); }
prep_incr_release() { (cd "$(gen_dir "$1")" && cargo build -q -j2 --release && touch src/lib.rs); }
time_incr_release() { (cd "$(gen_dir "$1")" && cargo build -q -j2 --release); }
# icount CRATE: rustc's instructions for the incremental rebuild after a
# touch, the command cargo runs, run again under callgrind.
icount() {
    local dir cmd
    dir=$(gen_dir "$1")
    (cd "$dir" && cargo build -q -j2 && touch src/lib.rs)
    cmd=$(cd "$dir" && cargo build -j2 -v 2>&1 | sed -n 's/^ *Running `\(.*\)`$/\1/p' | tail -1)
    (cd "$dir" && touch src/lib.rs &&
        eval "valgrind --tool=callgrind --callgrind-out-file=$results/callgrind.out $cmd" >/dev/null 2>"$results/callgrind.log")
    awk '/I +refs:/ { gsub(",", "", $NF); print $NF }' "$results/callgrind.log"
}
prep_clean() { (cd "$(dep_dir "$1")" && cargo clean -q 2>/dev/null || true); }
time_clean() { (cd "$(dep_dir "$1")" && cargo build -q -j2); }

# table NAME BASELINE TITLE [SECOND-BASELINE] [OWN-BASELINES]
# OWN-BASELINES: "crate=baseline …", a last column with each such crate's
# ratio to its own baseline.
table() {
    python3 - "$results/$1.txt" "$2" "$3" "${4:-}" "${5:-}" <<'EOF'
import sys, statistics
path, base, title, base2, own = sys.argv[1:]
own = dict(pair.split("=") for pair in own.split())
rows = {}
order = []
for line in open(path):
    r, c, t = line.split()
    r, t = int(r), float(t)
    if r == 0:
        continue  # warm-up
    if c not in rows:
        rows[c] = {}
        order.append(c)
    rows[c][r] = t
n = len(rows[base])
own = {c: b for c, b in own.items() if c in rows and b in rows}
base2 = base2 if base2 in rows else ""
extra = f" ratio to {base2} [min-max] |" if base2 else ""
extra += " ratio to own baseline [min-max] |" if own else ""
print(f"| {title} ({n} rounds) | seconds, median [min-max] | ratio to {base} [min-max] |{extra}")
print("|---|---:|---:|" + ("---:|" if base2 else "") + ("---|" if own else ""))

def ratio(ts, of):
    rs = [ts[r] / rows[of][r] for r in ts if r in rows[of]]
    return f"{statistics.median(rs):.2f} [{min(rs):.2f}-{max(rs):.2f}]"

for c in [base] + [c for c in order if c != base]:
    ts = rows[c]
    print(f"| {c} | {statistics.median(ts.values()):.2f} [{min(ts.values()):.2f}-{max(ts.values()):.2f}] "
          f"| {ratio(ts, base)} |", end="")
    if base2:
        print(f" {ratio(ts, base2)} |", end="")
    if own:
        print(f" {ratio(ts, own[c]) + ' (' + own[c] + ')' if c in own else ''} |", end="")
    print()
EOF
    echo
}

# ---- runs -------------------------------------------------------------------
if [[ $what == all || $what == incr ]]; then
    echo "prebuilding the 500-fn crates (debug)..." >&2
    for c in "${GEN_CRATES[@]}"; do (cd "$(gen_dir "$c")" && cargo build -q -j2); done
    measure incr-debug "$INCR_ROUNDS" prep_incr_debug time_incr_debug "${GEN_CRATES[@]}"
fi
if [[ $what == all || $what == noincr ]]; then
    measure noincr-debug "$NOINCR_ROUNDS" prep_noincr time_noincr "${GEN_CRATES[@]}"
fi
if [[ $what == all || $what == release ]]; then
    echo "prebuilding the 500-fn crates (release)..." >&2
    for c in "${GEN_CRATES[@]}"; do (cd "$(gen_dir "$c")" && cargo build -q -j2 --release); done
    measure incr-release "$RELEASE_ROUNDS" prep_incr_release time_incr_release "${GEN_CRATES[@]}"
fi
if [[ $what == icount ]]; then
    command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 1; }
    : > "$results/icount-debug.txt"
    for c in "${GEN_CRATES[@]}"; do
        echo "1 $c $(icount "$c")" >> "$results/icount-debug.txt"
        printf '  icount: %s done\n' "$c" >&2
    done
    rm -f "$results/callgrind.out" "$results/callgrind.log"
fi
if [[ $what == all || $what == clean ]]; then
    echo "fetching / prebuilding the dependency crates once..." >&2
    for c in "${DEP_CRATES[@]}"; do (cd "$(dep_dir "$c")" && cargo build -q -j2); done
    measure clean-debug "$CLEAN_ROUNDS" prep_clean time_clean "${DEP_CRATES[@]}"
fi

echo
echo "## Compile time ($(nproc) CPUs, $(rustc -V | cut -d' ' -f2), -j2, wall seconds)"
echo
if [[ $what == all || $what == report || $what == incr ]] && [[ -s $results/incr-debug.txt ]]; then
    table incr-debug plain 'rebuild after touch, debug, 500 fns' instrument "$OWN_BASELINES"
fi
if [[ $what == all || $what == report || $what == noincr ]] && [[ -s $results/noincr-debug.txt ]]; then
    table noincr-debug plain 'rebuild after touch, debug, CARGO_INCREMENTAL=0, 500 fns' '' "$OWN_BASELINES"
fi
if [[ $what == all || $what == report || $what == release ]] && [[ -s $results/incr-release.txt ]]; then
    table incr-release plain 'rebuild after touch, release, 500 fns' '' "$OWN_BASELINES"
fi
if [[ $what == report || $what == icount ]] && [[ -s $results/icount-debug.txt ]]; then
    python3 - "$results/icount-debug.txt" "$OWN_BASELINES" <<'EOF'
import sys
path, own = sys.argv[1:]
own = dict(pair.split("=") for pair in own.split())
counts = {}
for line in open(path):
    _, crate, count = line.split()
    counts[crate] = int(count)
print("| rebuild after touch, debug, 500 fns: rustc's instructions (callgrind) | millions | ratio to plain | ratio to instrument | ratio to own baseline |")
print("|---|---:|---:|---:|---|")
for crate, count in counts.items():
    cells = [f"{count / 1e6:,.0f}"]
    for base in ("plain", "instrument"):
        cells.append(f"{count / counts[base]:.2f}" if base in counts else "")
    base = own.get(crate)
    cells.append(f"{count / counts[base]:.2f} ({base})" if base in counts else "")
    print(f"| {crate} | " + " | ".join(cells) + " |")
EOF
    echo
fi
if [[ $what == all || $what == report || $what == clean ]] && [[ -s $results/clean-debug.txt ]]; then
    table clean-debug syn-floor 'clean build of an empty lib depending on, debug' tracing-attributes
fi
