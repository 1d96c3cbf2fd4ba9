#!/usr/bin/env python3
"""Summarises the criterion run of benches/benches/overhead.rs.

Usage: scripts/criterion-summary.py [CRITERION_DIR]   (default target/criterion)

For every group (defer, defer_on_err_and_hook, recover_happy; leaf and call
flavours; panic_path) prints ns per call, criterion's median estimate with
[min-max] over the per-sample means, and the epilogue case's ratio to (and
difference from) each hand-written twin. Run it after
`env -u RUST_BACKTRACE cargo bench -p epilogue-benches --bench overhead`.
The loop around each call (~0.5 ns) is included in every figure, so the
differences are what matter.
"""
import json
import os
import sys

GROUPS = [
    ("defer", "epilogue_defer"),
    ("defer_on_err_and_hook", "epilogue_on_err_and_hook"),
    ("recover_happy", "epilogue_recover"),
]


def load(root, group_dir, case):
    d = os.path.join(root, group_dir, case, "new")
    with open(os.path.join(d, "estimates.json")) as f:
        median = json.load(f)["median"]["point_estimate"]
    with open(os.path.join(d, "sample.json")) as f:
        sample = json.load(f)
    means = [t / n for t, n in zip(sample["times"], sample["iters"])]
    return median, min(means), max(means)


def cases_in(root, group_dir):
    path = os.path.join(root, group_dir)
    return sorted(
        c for c in os.listdir(path) if os.path.isdir(os.path.join(path, c, "new"))
    )


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"
    print("| group | case | leaf ns | leaf: ours / case | call ns | call: ours / case |")
    print("|---|---|---:|---:|---:|---:|")
    for group, ours in GROUPS:
        per = {}
        for flavour in ("leaf", "call"):
            gdir = f"{group}_{flavour}"
            if not os.path.isdir(os.path.join(root, gdir)):
                continue
            per[flavour] = {c: load(root, gdir, c) for c in cases_in(root, gdir)}
        names = sorted(
            {c for f in per.values() for c in f}, key=lambda c: (c == ours, c)
        )
        for case in names:
            cells = []
            for flavour in ("leaf", "call"):
                row = per.get(flavour, {})
                if case not in row:
                    cells += ["n/a", ""]
                    continue
                m, lo, hi = row[case]
                cells.append(f"{m:.2f} [{lo:.2f}-{hi:.2f}]")
                if case == ours or ours not in row:
                    cells.append("")
                else:
                    o = row[ours][0]
                    cells.append(f"{o / m:.2f} ({o - m:+.2f} ns)")
            label = f"**{case}**" if case == ours else case
            print(f"| {group} | {label} | " + " | ".join(cells) + " |")
    gdir = os.path.join(root, "panic_path")
    if os.path.isdir(gdir):
        print()
        print("| panic path | µs per round trip, median [min-max] | ours / case |")
        print("|---|---:|---:|")
        rows = {c: load(root, "panic_path", c) for c in cases_in(root, "panic_path")}
        ours = rows.get("epilogue_panic")
        for case, (m, lo, hi) in sorted(rows.items()):
            ratio = "" if case == "epilogue_panic" or not ours else f"{ours[0] / m:.2f}"
            print(f"| {case} | {m / 1000:.2f} [{lo / 1000:.2f}-{hi / 1000:.2f}] | {ratio} |")


if __name__ == "__main__":
    main()
