#!/usr/bin/env bash
# Annotates published crates function by function with epilogue's attributes
# and runs each crate's own test suite, to count what compiles and passes.
#
# For every crate of CRATES (exact versions, downloaded once from crates.io
# into $WORK/src) and every mode:
#   plain     the crate as published: the baseline
#   defer     #[defer_on_exit] and an empty `defer! {}` in every function (in a
#             synchronous one, what the attribute expands on tokens)
#   hook      #[defer_on_exit] and a hook `defer!(|ret| { let _ = &ret; })` in every function
#   hook_err  hook, plus `defer_on_err! {}` where the return type is Result/Option-like
#   recover   #[recover(with = |p| p.resume())] on every function (re-raises every panic)
#   both      hook_err and recover together
# it copies the crate to $WORK/MODE/NAME-VERSION, adds this repository's
# epilogue as a dependency, annotates src/, tests/, benches/ and
# examples/ with scripts/annotate (the `epilogue-annotate` tool), and runs
# `cargo test --no-fail-fast` (debug, default features, every test target and
# the doc tests). Lints are capped at warnings (`#![deny(warnings)]` crates).
#
# Prints a markdown table (also written to $WORK/results.md): functions
# annotated, and per mode `passed/total` (total = passed + failed; a test
# binary that crashed or hung adds a note) or `compile error`. Each run's full
# output is in $WORK/logs/NAME-VERSION.MODE.log, and for a run that did not
# pass, its first error line or failed tests in $WORK/logs/NAME-VERSION.MODE.error.
#
# Usage: scripts/annotate-crates.sh [--modes "plain defer hook hook_err recover both"] [crate ...]
#   crate: a name from CRATES (all of them by default)
# Environment: ANNOTATE_WORK (default: ../annotate-work beside this repository),
#   ANNOTATE_TARGET (the tool's target dir, default ../annotate-target),
#   EPILOGUE_RUNTIME (the runtime crate to test; by default a copy of this
#   repository's working tree, uncommitted changes included, taken at the
#   start into $WORK/epilogue so that every crate and mode tests the same code:
#   while a probe crate using every form does not build against that copy,
#   the script waits and copies again).
#
# Time on the 2-core machine: about 75 minutes for all 15 crates and 6 modes
# (heapless 25, bytes 15 to 20, the others 1 to 7 each); a first run spends
# a few more downloading and building the crates' dependencies (kept in
# $WORK/target). One cargo build runs at a time. A test binary still running
# after 5 minutes is killed and reported as hung.
set -uo pipefail

CRATES=(
    # the previous round's corpus
    semver@1.0.28 either@1.19.0 smallvec@1.16.6 indexmap@2.14.2 ryu@1.0.23 hex@0.4.3
    async-once-cell@0.5.4 async-lock@3.5.0
    # walkdir: a crate-local `itry!` that returns `Some(Err(..))` from `Iterator::next`
    walkdir@2.5.1
    # `ready!` in poll functions
    futures-lite@2.6.1 async-channel@2.5.0
    # `#[should_panic]`/`catch_unwind` tests; arrayvec passes a 64 KiB array by value,
    # heapless has 4096-slot maps
    arrayvec@0.7.8 bytes@1.12.2 heapless@0.9.4 fixedbitset@0.5.9
)
ALL_MODES="plain defer hook hook_err recover both"
# A whole `cargo test`, and one test binary (a hang is a result too).
TIMEOUT_SECONDS=1800
TEST_BINARY_TIMEOUT_SECONDS=300

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$HERE")
WORK=${ANNOTATE_WORK:-$(dirname "$REPO")/annotate-work}
TOOL_TARGET=${ANNOTATE_TARGET:-$(dirname "$REPO")/annotate-target}
RUNTIME=${EPILOGUE_RUNTIME:-$WORK/epilogue/runtime}
TOOL=$TOOL_TARGET/release/epilogue-annotate

# What every cargo invocation on a crate shares: one target dir for all
# crates and modes (dependencies are built once), lints capped at warnings.
export CARGO_TARGET_DIR=$WORK/target
export RUSTFLAGS="--cap-lints=warn"
export RUSTDOCFLAGS="--cap-lints=warn"
export CARGO_TERM_COLOR=never
HOST=$(rustc -vV | sed -n 's/^host: //p')
export "CARGO_TARGET_$(echo "$HOST" | tr 'a-z-' 'A-Z_')_RUNNER=timeout $TEST_BINARY_TIMEOUT_SECONDS"
unset EPILOGUE_REPORT_RECOVERED

die() { echo "annotate-crates: $*" >&2; exit 2; }

# Copies this repository's working tree to $WORK/epilogue until the copy's
# runtime builds (another change may be half done when the script starts).
snapshot_epilogue() {
    local attempt
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        rm -rf "$WORK/epilogue"
        mkdir -p "$WORK/epilogue"
        # `m`: extracted files get new mtimes, so cargo rebuilds all of the copy.
        (cd "$REPO" && tar cf - --exclude=target --exclude=./.git .) | tar xmf - -C "$WORK/epilogue"
        SNAPSHOT="$(git -C "$REPO" rev-parse --short HEAD)"
        git -C "$REPO" diff --quiet HEAD -- macros runtime \
            && [ -z "$(git -C "$REPO" ls-files --others --exclude-standard macros runtime)" ] \
            || SNAPSHOT="$SNAPSHOT with uncommitted changes to macros/ or runtime/"
        SNAPSHOT="$SNAPSHOT, copied $(date -u '+%Y-%m-%d %H:%M UTC')"
        if probe_builds; then
            return
        fi
        echo "annotate-crates: epilogue does not build now (attempt $attempt); trying again in 3 minutes" >&2
        sleep 180
    done
    die "epilogue did not build in 30 minutes"
}

# Whether a crate that uses every form of the modes builds against the copy.
probe_builds() {
    local probe=$WORK/probe
    rm -rf "$probe"
    mkdir -p "$probe/src"
    printf '[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies.epilogue]\npath = "%s"\n\n[workspace]\n' \
        "$RUNTIME" > "$probe/Cargo.toml"
    cat > "$probe/src/lib.rs" <<'EOF'
#[::epilogue::recover(with = |p| p.resume())]
#[::epilogue::defer_on_exit]
pub fn probe(text: &str) -> Result<u8, std::num::ParseIntError> {
    defer!(|ret| { let _ = &ret; });
    defer_on_err! {}
    Ok(text.parse::<u8>()?)
}
EOF
    (cd "$probe" && cargo build --quiet) > "$WORK/logs/probe.log" 2>&1
}

# Sets MODES and SELECTED from the command line.
parse_args() {
    MODES=$ALL_MODES
    SELECTED=()
    while [ $# -gt 0 ]; do
        case $1 in
            --modes) [ $# -ge 2 ] || die "--modes needs a list"; MODES=$2; shift 2 ;;
            --modes=*) MODES=${1#--modes=}; shift ;;
            -h|--help) sed -n '2,/^set /p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
            -*) die "unknown option $1" ;;
            *) SELECTED+=("$(crate_spec "$1")") || die "$1 is not in the list (crates: ${CRATES[*]%@*})"; shift ;;
        esac
    done
    [ ${#SELECTED[@]} -gt 0 ] || SELECTED=("${CRATES[@]}")
    local mode
    for mode in $MODES; do
        case " $ALL_MODES " in *" $mode "*) ;; *) die "unknown mode $mode (modes: $ALL_MODES)" ;; esac
    done
}

# The NAME@VERSION entry of CRATES for a crate name; fails for another name.
crate_spec() {
    local spec
    for spec in "${CRATES[@]}"; do
        [ "${spec%@*}" = "$1" ] && { echo "$spec"; return 0; }
    done
    return 1
}

build_tool() {
    cargo build --quiet --release --manifest-path "$HERE/annotate/Cargo.toml" \
        --target-dir "$TOOL_TARGET" || die "building the annotator failed"
}

# Downloads and unpacks NAME-VERSION into $WORK/src once.
download() {
    local name=$1 version=$2
    [ -d "$WORK/src/$name-$version" ] && return
    mkdir -p "$WORK/src"
    curl -sSfL "https://static.crates.io/crates/$name/$name-$version.crate" \
        | tar xz -C "$WORK/src" || die "downloading $name $version failed"
}

# A fresh copy of the crate for one mode, depending on epilogue and building
# outside any workspace; with the Cargo.lock every mode of this crate shares.
fresh_copy() {
    local crate=$1 dir=$2 lock=$WORK/locks/$1.Cargo.lock
    rm -rf "$dir"
    mkdir -p "$(dirname "$dir")" "$WORK/locks"
    cp -r "$WORK/src/$crate" "$dir"
    {
        printf '\n[dependencies.epilogue]\npath = "%s"\n' "$RUNTIME"
        grep -q '^\[workspace\]' "$dir/Cargo.toml" || printf '\n[workspace]\n'
    } >> "$dir/Cargo.toml"
    if [ -f "$dir/Cargo.lock" ]; then
        :
    elif [ -f "$lock" ]; then
        cp "$lock" "$dir/Cargo.lock"
    else
        (cd "$dir" && cargo generate-lockfile --quiet) && cp "$dir/Cargo.lock" "$lock"
    fi
}

# Annotates the crate's sources; prints the number of functions annotated.
annotate() {
    local mode=$1 dir=$2 sub dirs=()
    for sub in src tests benches examples; do
        [ -d "$dir/$sub" ] && dirs+=("$dir/$sub")
    done
    local summary
    summary=$("$TOOL" "$mode" "${dirs[@]}") || die "annotating $dir failed"
    echo "$summary" >&2
    echo "$summary" | sed -n 's/.* \([0-9]\+\) functions annotated.*/\1/p'
}

# Runs the crate's tests; the output goes to LOG. Returns cargo's status.
run_tests() {
    local dir=$1 log=$2
    (cd "$dir" && timeout "$TIMEOUT_SECONDS" cargo test --no-fail-fast) > "$log" 2>&1
}

# Sums the `test result:` lines of LOG: prints "passed failed ignored".
count_tests() {
    grep -E '^test result: ' "$1" | awk '
        { for (i = 1; i < NF; i++) {
              if ($(i + 1) ~ /^passed/) p += $i
              if ($(i + 1) ~ /^failed/) f += $i
              if ($(i + 1) ~ /^ignored/) g += $i } }
        END { print p + 0, f + 0, g + 0 }'
}

# The table cell for one run, from cargo's status and its log.
cell() {
    local status=$1 log=$2 passed failed ignored note=""
    if grep -qE '^error: could not compile|^error: failed to (select|load|get|parse)' "$log"; then
        echo "compile error"
        return
    fi
    read -r passed failed ignored < <(count_tests "$log")
    [ "$status" = 124 ] && note=" (cargo test timed out)"
    grep -q "process didn't exit successfully: .*(exit status: 124)" "$log" \
        && note="$note (a test binary hung: killed after $TEST_BINARY_TIMEOUT_SECONDS s)"
    grep -q "process didn't exit successfully: .*(signal: " "$log" && note="$note (a test binary crashed)"
    echo "$passed/$((passed + failed))$note"
}

# What to remember of a run that did not pass: the first compile error with
# its location, or the failed tests and what crashed.
first_error() {
    local log=$1
    if grep -q '^error: could not compile' "$log"; then
        grep -m1 -A1 -E '^error(\[E[0-9]+\])?: ' "$log"
    else
        grep -E "^test .* \.\.\. FAILED$|has overflowed its stack|^error: test failed|didn't exit successfully" "$log" | head -20
    fi
}

# Runs one crate in every mode; appends its table row to ROWS.
run_crate() {
    local spec=$1 name=${1%@*} version=${1#*@}
    local crate=$name-$version fns="–" row="" mode dir log status result count started
    download "$name" "$version"
    started=$SECONDS
    for mode in $MODES; do
        dir=$WORK/$mode/$crate
        log=$WORK/logs/$crate.$mode.log
        fresh_copy "$crate" "$dir"
        if [ "$mode" != plain ]; then
            count=$(annotate "$mode" "$dir")
            [ "$fns" = "–" ] && fns=$count
        fi
        run_tests "$dir" "$log"
        status=$?
        result=$(cell "$status" "$log")
        rm -f "$WORK/logs/$crate.$mode.error"
        if [ "$status" != 0 ]; then
            first_error "$log" > "$WORK/logs/$crate.$mode.error"
        fi
        echo "  $crate $mode: $result" >&2
        row="$row | $result"
    done
    ROWS+=("| $name | $version | $fns$row | $((SECONDS - started)) s |")
}

print_table() {
    local mode header="| crate | version | fns annotated" rule="|---|---|---:"
    for mode in $MODES; do
        header="$header | $mode"
        rule="$rule|---:"
    done
    echo "$header | time |"
    echo "$rule|---:|"
    printf '%s\n' "${ROWS[@]}"
}

main() {
    parse_args "$@"
    mkdir -p "$WORK/logs"
    build_tool
    SNAPSHOT=""
    [ -n "${EPILOGUE_RUNTIME:-}" ] || snapshot_epilogue
    ROWS=()
    local spec started=$SECONDS
    for spec in "${SELECTED[@]}"; do
        echo "== ${spec/@/ }" >&2
        run_crate "$spec"
    done
    {
        print_table
        echo
        echo "epilogue: $RUNTIME${SNAPSHOT:+ (of $SNAPSHOT)}; $(rustc --version); RUST_BACKTRACE=${RUST_BACKTRACE:-unset}; total $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
    } | tee "$WORK/results.md"
}

main "$@"
