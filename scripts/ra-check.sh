#!/usr/bin/env bash
# What rust-analyzer sees in annotated functions, next to plain twins.
#
#   scripts/ra-check.sh [RUST_ANALYZER]
#
# 1. `rust-analyzer analysis-stats` on each function of scripts/ra-check
#    (`annotated_*` and `plain_*` have the same body): expressions and
#    patterns, how many have an unknown type, and type mismatches. An
#    annotated body should be inferred as fully as its plain twin.
# 2. LSP over stdio (scripts/ra-check/lsp.py) on src/typing.rs, whose bodies
#    do not parse, as while typing: diagnostics, completion after `rows.`,
#    hover on a local, go-to-definition of a type, in a plain function and in
#    functions under each attribute. Exits non-zero if they answer
#    differently.
#
# RUST_ANALYZER defaults to `rust-analyzer` on the PATH; one that works here:
#   cargo +nightly install ra_ap_rust-analyzer --version 0.0.349 --locked
# (about ten minutes). rust-analyzer expands the attributes with the
# toolchain's rust-analyzer-proc-macro-srv, and reads the standard library
# from its rust-src component (it installs it when missing). About three
# minutes in all.
set -euo pipefail
cd "$(dirname "$0")/ra-check"
ra=${1:-${RUST_ANALYZER:-rust-analyzer}}
"$ra" --version >/dev/null 2>&1 || { echo "no working rust-analyzer at '$ra' (see the header of $0)"; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/../../target/ra-check}

stats() { # function -> "exprs unknown pats unknown mismatches"
    "$ra" analysis-stats . --only "$1" 2>&1 | awk '
        /^ *exprs:/ { gsub(/,/, ""); exprs = $2; unknown = $4; mismatches = $NF }
        /^ *pats:/  { gsub(/,/, ""); pats = $2; unknown_pats = $4 }
        END { print exprs, unknown, pats, unknown_pats, mismatches }'
}

echo "analysis-stats, per function (unknown: expressions or patterns whose type rust-analyzer could not infer)"
echo
echo "| function | attribute | exprs | unknown | pats | unknown | mismatches |"
echo "|---|---|---:|---:|---:|---:|---:|"
for pair in "report:#[defer_on_exit], defer!, defer_on_err!, hook" \
            "tally:#[defer_on_exit], defer! only (expanded on tokens)" \
            "flushed:#[defer_on_exit], borrow-free defer!, no slot (on tokens)" \
            "level:#[defer_on_exit], defer_on_err!, hook, exits routed on tokens" \
            "check:#[defer_on_exit], defer_on_err!(\|err\|), ensure!, bail!" \
            "send:#[defer_on_exit] async fn, defer!(async { … })" \
            "parse:#[recover(with = …)]" \
            "typing:#[defer_on_exit], body does not parse"; do
    name=${pair%%:*} attribute=${pair#*:}
    for variant in plain annotated; do
        read -r exprs unknown pats unknown_pats mismatches <<<"$(stats "${variant}_$name")"
        shown=$([ "$variant" = plain ] && echo "none" || echo "$attribute")
        echo "| \`${variant}_$name\` | $shown | $exprs | $unknown | $pats | $unknown_pats | $mismatches |"
    done
done
read -r exprs unknown pats unknown_pats mismatches <<<"$(stats annotated_typing_recover)"
echo "| \`annotated_typing_recover\` | #[recover], body does not parse | $exprs | $unknown | $pats | $unknown_pats | $mismatches |"

echo
echo "LSP, in functions whose bodies do not parse (src/typing.rs)"
echo
python3 lsp.py "$ra"
