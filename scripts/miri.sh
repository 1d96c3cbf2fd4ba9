#!/usr/bin/env bash
# Runs the runtime's own tests and the behaviour tests that exercise it
# (guards, exit slots, hooks, panics in cleanups, recovery, the panic hook,
# nested boundaries, threads) under Miri. Needs the nightly toolchain with
# the miri component; installs the component if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup component add --toolchain nightly miri rust-src >/dev/null 2>&1 || true
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-disable-isolation}"

cargo +nightly miri test -p epilogue --lib
cargo +nightly miri test -p epilogue-tests \
    --test scope --test exit_matrix --test hooks --test capture \
    --test classification --test go_defer --test recover --test go_recover
