#!/usr/bin/env bash
# Go's cost for what epilogue does, on this machine:
#
#   scripts/go-bench.sh                 the command below, as is
#   scripts/go-bench.sh --interleaved   the same 6 runs, but as 6 rounds of
#                                       -count 1 (every case once per round),
#                                       so machine load drifts hit all cases
#
# Runs benches/go (go test -run '^$' -bench . -benchtime 300ms -count 6) and
# prints, per benchmark, the ns/op median [min-max] over the 6 runs, then
# each overhead as "case minus its baseline": the median [min-max] of the
# per-run differences (run i of the case minus run i of the baseline; with
# --interleaved these are the same round), then the two medians:
#   defer             Defer            - InlineCleanup  (same increment, deferred vs inline)
#   named result      NamedResultDefer - DirectPlusOne  (deferred r++ vs `return x + 1`)
#   recover, no panic RecoverHappy     - Bare           (defer func(){ recover() }())
#   panic + recover   PanicRecover*    - Bare           (the whole round trip)
# for the "leaf" body (counter bump) and the "call" body (also a call
# through a func variable, like epilogue-benches' `call` flavour).
# Also lists how the compiler lowered each defer (open-coded or not).
set -euo pipefail
cd "$(dirname "$0")/../benches/go"
export GOPROXY=off

echo "$(go version); GOMAXPROCS=${GOMAXPROCS:-$(nproc)}"
echo
echo "defer lowering:"
go test -c -gcflags=-d=defer -o /dev/null . 2>&1 | grep -v '^#' | sed 's/^/  /'
go test -run '^$' -count 1 . >/dev/null  # build once, outside the timings
go test -run 'TestVariants' -count 1 . >/dev/null

# the raw output stays in target/go-bench/last.txt
out=../../target/go-bench/last.txt
mkdir -p "$(dirname "$out")"
: > "$out"
if [[ ${1:-} == --interleaved ]]; then
    bin=$(mktemp)
    go test -c -o "$bin" .
    for round in 1 2 3 4 5 6; do
        "$bin" -test.run '^$' -test.bench . -test.benchtime 300ms -test.count 1 | tee -a "$out" >&2
    done
    rm -f "$bin"
else
    go test -run '^$' -bench . -benchtime 300ms -count 6 . | tee "$out" >&2
fi

python3 - "$out" <<'EOF'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"Benchmark(\w+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
    if m:
        runs.setdefault(m.group(1), []).append(float(m.group(2)))
med = {k: statistics.median(v) for k, v in runs.items()}

print()
print("| benchmark | ns/op median [min-max] | runs |")
print("|---|---:|---:|")
for k, v in runs.items():
    print(f"| {k} | {med[k]:.2f} [{min(v):.2f}-{max(v):.2f}] | {len(v)} |")

pairs = [
    ("one `defer` of `cleanups++` vs the same increment inline", "Defer", "InlineCleanup"),
    ("`defer` changing a named result vs `return x + 1`", "NamedResultDefer", "DirectPlusOne"),
    ("`defer func(){ recover() }()`, no panic, vs no defer", "RecoverHappy", "Bare"),
]
print()
print("| overhead (case - baseline), ns | leaf | call |")
print("|---|---:|---:|")
for label, case, base in pairs:
    cells = []
    for flavour in ("Leaf", "Call"):
        a, b = flavour + case, flavour + base
        if a in med and b in med:
            d = [x - y for x, y in zip(runs[a], runs[b])]
            cells.append(f"{statistics.median(d):+.2f} [{min(d):+.2f} to {max(d):+.2f}] ({med[a]:.2f} vs {med[b]:.2f})")
        else:
            cells.append("n/a")
    print(f"| {label} | {cells[0]} | {cells[1]} |")
for name, label in (("PanicRecoverLiteral", 'panic("boom") + recover, one frame down'),
                    ("PanicRecoverFormatted", 'panic(fmt.Sprintf("boom %d", x)) + recover')):
    if name in med:
        print(f"| {label}: round trip (minus CallBare) | {med[name]:.1f} ({med[name] - med['CallBare']:+.1f}) | |")
EOF
