#!/usr/bin/env python3
"""Generates the crates that scripts/compile-time.sh builds.

Usage: scripts/gen500.py OUTDIR [N] [RUNTIME_DIR]

RUNTIME_DIR is the `epilogue` package to depend on (default: this
repository's runtime/; compile-time.sh passes a snapshot of it).

Writes, under OUTDIR (normally target/compile-time/):

  gen500/<variant>/
      N small functions (default 500), each with a loop, an early
      `return Err(..)` and an `Ok(..)`, plus `run_all` calling every one of
      them. The crates differ only in how each function is annotated:
        plain       nothing
        floor-noop  an attribute macro that returns its input untouched (the
                    floor of any attribute: one proc-macro call per function)
        floor-syn   an attribute macro that parses the function with syn
                    (`full`, the syn epilogue-macros uses) and prints it back
                    (the floor of any syn-based attribute)
        epilogue    #[epilogue::defer_on_exit] with one `defer!` and one
                    `defer_on_err!`, both bumping static AtomicU64 counters
        epilogue-defer  the same with only the `defer!` (what the
                    scopeguard crate does)
        expanded-defer  what epilogue-defer expands to (without the
                    `tracing` feature), written out with no attribute: the
                    guard's own cost, without the macro's
        expanded-slot  the same for epilogue: the exit slot, the body in
                    its closure, both guards, the exits stored
        epilogue-borrow-free  one `defer!` whose action uses `acc`, which
                    the loop after it mutates: the borrow-free form (the rest
                    of the body in a frame)
        expanded-borrow-free  what epilogue-borrow-free expands to, written
                    out: the frame (whose flow carries the value being
                    returned), the action run after it
        instrument  #[tracing::instrument(skip_all)]
        scopeguard  scopeguard::defer! bumping the same counter (reference)
      Returns hidden in another macro: functions returning
      `anyhow::Result<u64>` whose early return is `anyhow::ensure!`:
        ensure-plain        no annotation (the baseline of the three)
        ensure-epilogue     #[defer_on_exit] with a hook and a
                            `defer_on_err!`, the `ensure!` kept (the
                            attribute wraps it in a closure)
        ensure-written-out  the same, with the `ensure!` written out as
                            `if … { return Err(anyhow!(…)) }`
      Async cleanups: `async fn`s that await an async cleanup at each exit:
        async-plain     by hand, `cleanup().await` before each return
        async-epilogue  #[defer_on_exit] with one `defer!(async { cleanup().await })`
      (their `run_all` is not async: it polls each future once with a no-op
      waker, and `cleanup()` never waits)

  floor-macros/{noop,syn}/
      The two proc-macro crates of the floor-* variants.

  dep/{epilogue,tracing-attributes,syn-floor,syn3-floor}/
      An empty library that only depends on the crate in its name, for the
      clean-build ("what a user pays") comparison.

Every crate gets an empty [workspace] table so cargo never attaches it to
the enclosing /work/main workspace, and a copy of the workspace's
Cargo.lock so the same dependency versions are used (cargo prunes the
entries a crate does not need).
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIME = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else os.path.join(ROOT, "runtime")

# The proc-macro crates of the two floors, written under OUTDIR/floor-macros/.
FLOOR_MACROS = {
    "noop": (
        "",
        "use proc_macro::TokenStream;\n\n"
        "/// Returns the item untouched.\n"
        "#[proc_macro_attribute]\n"
        "pub fn noop(_attr: TokenStream, item: TokenStream) -> TokenStream {\n"
        "    item\n"
        "}\n",
    ),
    "syn": (
        # The syn and quote that epilogue-macros builds with.
        'proc-macro2 = "1.0.80"\n'
        'quote = { version = "1.0.35", default-features = false }\n'
        'syn = { version = "3", default-features = false, features = ["full", "parsing", "printing", "proc-macro"] }\n',
        "use proc_macro::TokenStream;\n\n"
        "/// Parses the item with syn and prints it back.\n"
        "#[proc_macro_attribute]\n"
        "pub fn roundtrip(_attr: TokenStream, item: TokenStream) -> TokenStream {\n"
        "    let item = syn::parse_macro_input!(item as syn::Item);\n"
        "    quote::quote!(#item).into()\n"
        "}\n",
    ),
}

ANYHOW_DEP = 'anyhow = "1.0.80"\n'


def variants(out):
    """name: (dependency lines, crate-level prelude, per-fn attribute,
    per-fn body prologue, function shape, extra per-shape argument)."""
    epilogue = f'epilogue = {{ path = "{RUNTIME}" }}\n'
    floors = os.path.join(out, "floor-macros")
    return {
        "plain": ("", "", "", "", "sync", ""),
        "floor-noop": (
            f'floor-noop = {{ path = "{os.path.join(floors, "noop")}" }}\n',
            "",
            "#[floor_noop::noop]\n",
            "",
            "sync",
            "",
        ),
        "floor-syn": (
            f'floor-syn = {{ path = "{os.path.join(floors, "syn")}" }}\n',
            "",
            "#[floor_syn::roundtrip]\n",
            "",
            "sync",
            "",
        ),
        "epilogue": (
            epilogue,
            "",
            "#[epilogue::defer_on_exit]\n",
            "    defer! { EXITS.fetch_add(1, Relaxed); }\n"
            "    defer_on_err! { ERRORS.fetch_add(1, Relaxed); }\n",
            "sync",
            "",
        ),
        "epilogue-defer": (
            epilogue,
            "",
            "#[epilogue::defer_on_exit]\n",
            "    defer! { EXITS.fetch_add(1, Relaxed); }\n",
            "sync",
            "",
        ),
        "expanded-defer": (
            epilogue,
            "",
            "",
            # The expansion of `#[defer_on_exit]` + `defer! { … }`, which
            # calls the runtime's unstable `__private` items.
            "    let mut __defer_0_action =\n"
            "        ::epilogue::__private::Some(|| -> () { EXITS.fetch_add(1, Relaxed); });\n"
            "    let __defer_0 = ::epilogue::__private::defer_in_place(\n"
            "        ::epilogue::__private::NoSlot,\n"
            "        &mut __defer_0_action,\n"
            "        ::epilogue::__private::TopBlock,\n"
            "        (),\n"
            "    );\n",
            "sync",
            "",
        ),
        "expanded-slot": (epilogue, "", "", "", "expanded-slot", ""),
        "epilogue-borrow-free": (
            epilogue,
            "pub static LAST: AtomicU64 = AtomicU64::new(0);\n\n",
            "#[epilogue::defer_on_exit]\n",
            "",
            "sync",
            # after `let mut acc = …;`: the action reads `acc`, which the
            # loop below keeps mutating
            "    defer! { LAST.store(acc, Relaxed); }\n",
        ),
        "expanded-borrow-free": (
            epilogue,
            "pub static LAST: AtomicU64 = AtomicU64::new(0);\n\n",
            "",
            "",
            "expanded-borrow-free",
            "",
        ),
        "instrument": (
            'tracing = "0.1"\n',
            "",
            "#[tracing::instrument(skip_all)]\n",
            "",
            "sync",
            "",
        ),
        "scopeguard": (
            'scopeguard = "1.2"\n',
            "",
            "",
            "    scopeguard::defer! { EXITS.fetch_add(1, Relaxed); }\n",
            "sync",
            "",
        ),
        "ensure-plain": (ANYHOW_DEP, "", "", "", "ensure", False),
        "ensure-epilogue": (
            epilogue + ANYHOW_DEP,
            "",
            "#[epilogue::defer_on_exit]\n",
            HOOK_AND_ON_ERR,
            "ensure",
            False,
        ),
        "ensure-written-out": (
            epilogue + ANYHOW_DEP,
            "",
            "#[epilogue::defer_on_exit]\n",
            HOOK_AND_ON_ERR,
            "ensure",
            True,
        ),
        "async-plain": ("", ASYNC_PRELUDE, "", "", "async", True),
        "async-epilogue": (
            epilogue,
            ASYNC_PRELUDE,
            "#[epilogue::defer_on_exit]\n",
            "    defer!(async { cleanup().await });\n",
            "async",
            False,
        ),
    }


# The hook and `defer_on_err!` of the ensure-* variants with an attribute.
HOOK_AND_ON_ERR = (
    "    defer_on_err! { ERRORS.fetch_add(1, Relaxed); }\n"
    "    defer!(|ret| if ret.is_ok() { EXITS.fetch_add(1, Relaxed); });\n"
)

# The async cleanup of the async-* variants.
ASYNC_PRELUDE = (
    "/// The async cleanup every function awaits on its way out.\n"
    "pub async fn cleanup() {\n"
    "    EXITS.fetch_add(1, Relaxed);\n"
    "}\n\n"
)

DEPS = {
    "epilogue": f'epilogue = {{ path = "{RUNTIME}" }}\n',
    "tracing-attributes": 'tracing-attributes = "0.1"\n',
    # The floor: the dependency set of a proc macro that does nothing, syn
    # with the features a function-rewriting macro needs, and quote.
    "syn-floor": 'syn = { version = "2", features = ["full", "visit-mut"] }\nquote = "1"\nproc-macro2 = "1"\n',
    # Same floor with syn 3, which epilogue-macros uses.
    "syn3-floor": 'syn = { version = "3", features = ["full", "visit-mut"] }\nquote = "1"\nproc-macro2 = "1"\n',
}


def manifest(name, deps, proc_macro=False):
    return (
        "[package]\n"
        f'name = "{name}"\n'
        'version = "0.0.0"\n'
        'edition = "2021"\n'
        "publish = false\n\n"
        "# Not a member of the /work/main workspace.\n"
        "[workspace]\n\n"
        + ("[lib]\nproc-macro = true\n\n" if proc_macro else "")
        + "[dependencies]\n"
        f"{deps}"
    )


def early_return_loop(i, indent, returned="{}"):
    """Function `i`'s loop, indented by `indent` spaces, its early return's
    value (the error) written through the template `returned`."""
    pad = " " * indent
    error = f"Err(Failure {{ at: {i}, acc }})"
    return (
        f"{pad}for k in 0..limit {{\n"
        f"{pad}    acc = acc.wrapping_mul({(i % 97) + 3}).wrapping_add(k);\n"
        f"{pad}    if acc % {(i % 89) + 1013} == {i % 7} {{\n"
        f"{pad}        return {returned.format(error)};\n"
        f"{pad}    }}\n"
        f"{pad}}}\n"
    )


def stored_value(i, indent):
    """Function `i`'s final value stored in the exit slot, as the slot
    expansion writes it, indented by `indent` spaces."""
    pad = " " * indent
    return (
        f"{pad}{{\n"
        f"{pad}    #[allow(unreachable_code)]\n"
        f"{pad}    let __seen = __exit.put(match () {{\n"
        f"{pad}        () => Ok(acc >> {(i % 5) + 1}),\n"
        f"{pad}    }});\n"
        f"{pad}    __seen\n"
        f"{pad}}}\n"
    )


def function(i, attribute, prologue, after_let=""):
    # Different constants per function so no two bodies are identical
    # (identical bodies could be merged and make the crate cheaper).
    return (
        f"{attribute}"
        f"pub fn step_{i}(input: u64, limit: u64) -> Result<u64, Failure> {{\n"
        f"{prologue}"
        f"    let mut acc = input ^ {i * 2654435761 % 1000003};\n"
        f"{after_let}"
        f"{early_return_loop(i, 4)}"
        f"    Ok(acc >> {(i % 5) + 1})\n"
        f"}}\n\n"
    )


def in_slot(i, body):
    """`body` (the statements of function `i`, indented by eight) as the
    attribute puts it in the exit slot's closure: the runtime's unstable
    `__private` items, called as the expansion calls them."""
    p = "::epilogue::__private"
    ty = "Result<u64, Failure>"
    return (
        f"pub fn step_{i}(input: u64, limit: u64) -> {ty} {{\n"
        f"    let __exit = &{p}::ExitSlot::<{ty}, _>::new(\n"
        f"        {p}::Classifier::<{ty}>::new().__epilogue_classifier(),\n"
        f"    );\n"
        f"    let __seen = __exit.run(move || -> {p}::ReturnWrittenInTheBody {{\n"
        f"{body}"
        f"    }});\n"
        f"    __exit.take(__seen)\n"
        f"}}\n\n"
    )


def expanded_slot_function(i):
    """What `epilogue` expands `function(i, …)` to (without the `tracing`
    feature), written out."""
    p = "::epilogue::__private"
    return in_slot(
        i,
        f"        let mut __defer_0_action = {p}::Some(|| -> () {{ EXITS.fetch_add(1, Relaxed); }});\n"
        f"        let __defer_0 = {p}::defer_in_place(&*__exit, &mut __defer_0_action, {p}::TopBlock, ());\n"
        f"        let mut __defer_on_err_1_action = {p}::Some(|| -> () {{ ERRORS.fetch_add(1, Relaxed); }});\n"
        f"        let __defer_on_err_1 = {p}::defer_on_err(&*__exit, &mut __defer_on_err_1_action, {p}::TopBlock, ());\n"
        f"        let mut acc = input ^ {i * 2654435761 % 1000003};\n"
        f"{early_return_loop(i, 8, '__exit.put({})')}"
        f"{stored_value(i, 8)}",
    )


def expanded_borrow_free_function(i):
    """What `epilogue-borrow-free` expands to (without the `tracing`
    feature), written out: the rest of the body after `let mut acc` in a
    frame whose exits carry the value being returned in its flow (the
    function has no exit slot), the action built and run after the frame,
    and the frame's flow matched."""
    p = "::epilogue::__private"
    return (
        f"pub fn step_{i}(input: u64, limit: u64) -> Result<u64, Failure> {{\n"
        f"    let mut acc = input ^ {i * 2654435761 % 1000003};\n"
        f"    {{\n"
        f"        let __frame = {p}::frame(|| -> {p}::Flow<_, Result<u64, Failure>, ::core::convert::Infallible> {{\n"
        f"            let __value = match () {{\n"
        f"                () => {{\n"
        f"{early_return_loop(i, 20, p + '::Flow::Return({})')}"
        f"                    Ok(acc >> {(i % 5) + 1})\n"
        f"                }}\n"
        f"            }};\n"
        f"            #[allow(unreachable_code)]\n"
        f"            let __flow = {p}::Flow::Normal(__value);\n"
        f"            __flow\n"
        f"        }});\n"
        f"        let mut __defer_action = {p}::Some(|| -> () {{ LAST.store(acc, Relaxed); }});\n"
        f"        {p}::defer_now({p}::NoSlot, &mut __defer_action, __frame.after(), ());\n"
        f"        match __frame.resume() {{\n"
        f"            {p}::Flow::Normal(__value) => __value,\n"
        f"            {p}::Flow::Return(__seen) => return __seen,\n"
        f"            {p}::Flow::Jump(__jump) => match __jump {{}},\n"
        f"        }}\n"
        f"    }}\n"
        f"}}\n\n"
    )


def ensure_function(i, attribute, prologue, written_out):
    """The same function returning `anyhow::Result`, its early return an
    `anyhow::ensure!` (or, `written_out`, the `if … { return Err(…) }` it
    stands for)."""
    if written_out:
        check = (
            f"        if acc % {(i % 89) + 1013} == {i % 7} {{\n"
            f'            return Err(anyhow::anyhow!("step {i} failed at {{acc}}"));\n'
            f"        }}\n"
        )
    else:
        check = f'        anyhow::ensure!(acc % {(i % 89) + 1013} != {i % 7}, "step {i} failed at {{acc}}");\n'
    return (
        f"{attribute}"
        f"pub fn step_{i}(input: u64, limit: u64) -> anyhow::Result<u64> {{\n"
        f"{prologue}"
        f"    let mut acc = input ^ {i * 2654435761 % 1000003};\n"
        f"    for k in 0..limit {{\n"
        f"        acc = acc.wrapping_mul({(i % 97) + 3}).wrapping_add(k);\n"
        f"{check}"
        f"    }}\n"
        f"    Ok(acc >> {(i % 5) + 1})\n"
        f"}}\n\n"
    )


def async_function(i, attribute, prologue, by_hand):
    """The same function as an `async fn` that awaits `cleanup()` at each
    exit: by hand before each return, or through the prologue's
    `defer!(async { … })`."""
    await_cleanup = "cleanup().await;\n" if by_hand else ""
    return (
        f"{attribute}"
        f"pub async fn step_{i}(input: u64, limit: u64) -> Result<u64, Failure> {{\n"
        f"{prologue}"
        f"    let mut acc = input ^ {i * 2654435761 % 1000003};\n"
        f"    for k in 0..limit {{\n"
        f"        acc = acc.wrapping_mul({(i % 97) + 3}).wrapping_add(k);\n"
        f"        if acc % {(i % 89) + 1013} == {i % 7} {{\n"
        + (f"            {await_cleanup}" if by_hand else "")
        + f"            return Err(Failure {{ at: {i}, acc }});\n"
        f"        }}\n"
        f"    }}\n"
        + (f"    {await_cleanup}" if by_hand else "")
        + f"    Ok(acc >> {(i % 5) + 1})\n"
        f"}}\n\n"
    )


def library(n, prelude, attribute, prologue, shape="sync", extra=""):
    out = [
        "//! Generated by scripts/gen500.py; do not edit.\n",
        "#![allow(clippy::all, unused)]\n\n",
        "use std::sync::atomic::{AtomicU64, Ordering::Relaxed};\n\n",
        "pub static EXITS: AtomicU64 = AtomicU64::new(0);\n",
        "pub static ERRORS: AtomicU64 = AtomicU64::new(0);\n\n",
        "#[derive(Debug, Clone, Copy, PartialEq, Eq)]\n",
        "pub struct Failure {\n    pub at: u32,\n    pub acc: u64,\n}\n\n",
        prelude,
    ]
    for i in range(n):
        if shape == "ensure":
            out.append(ensure_function(i, attribute, prologue, extra))
        elif shape == "async":
            out.append(async_function(i, attribute, prologue, extra))
        elif shape == "expanded-slot":
            out.append(expanded_slot_function(i))
        elif shape == "expanded-borrow-free":
            out.append(expanded_borrow_free_function(i))
        else:
            out.append(function(i, attribute, prologue, extra))
    if shape == "async":
        # Not an `async fn` awaiting all 500 (one state machine with 500
        # suspension points would cost more than the functions): each future
        # is polled once, which `cleanup()`, never pending, lets finish.
        out.append(ASYNC_RUN_ALL)
        for i in range(n):
            out.append(
                f"    match poll_once(step_{i}(input, limit), &mut cx) {{ Some(Ok(v)) => sum = sum.wrapping_add(v), "
                "Some(Err(_)) => failures += 1, None => {} }\n"
            )
        out.append("    (sum, failures)\n}\n")
        return "".join(out)
    out.append("/// Calls every function; counts the failures.\n")
    out.append("pub fn run_all(input: u64, limit: u64) -> (u64, u32) {\n")
    out.append("    let mut sum = 0u64;\n    let mut failures = 0u32;\n")
    for i in range(n):
        out.append(
            f"    match step_{i}(input, limit) {{ Ok(v) => sum = sum.wrapping_add(v), Err(_) => failures += 1 }}\n"
        )
    out.append("    (sum, failures)\n}\n")
    return "".join(out)


# The head of the async variants' `run_all`.
ASYNC_RUN_ALL = """fn poll_once<F: std::future::Future>(future: F, cx: &mut std::task::Context<'_>) -> Option<F::Output> {
    match std::pin::pin!(future).poll(cx) {
        std::task::Poll::Ready(output) => Some(output),
        std::task::Poll::Pending => None,
    }
}

/// Polls every function once; counts the failures.
pub fn run_all(input: u64, limit: u64) -> (u64, u32) {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut sum = 0u64;
    let mut failures = 0u32;
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Only rewrite when the contents change, so reruns keep cargo's caches.
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w") as f:
        f.write(text)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = os.path.abspath(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    with open(os.path.join(ROOT, "Cargo.lock")) as f:
        lock = f.read()
    for name, (deps, source) in FLOOR_MACROS.items():
        d = os.path.join(out, "floor-macros", name)
        write(os.path.join(d, "Cargo.toml"), manifest(f"floor-{name}", deps, proc_macro=True))
        write(os.path.join(d, "src", "lib.rs"), source)
        if not os.path.exists(os.path.join(d, "Cargo.lock")):
            write(os.path.join(d, "Cargo.lock"), lock)
    for name, (deps, prelude, attribute, prologue, shape, extra) in variants(out).items():
        d = os.path.join(out, "gen500", name)
        write(os.path.join(d, "Cargo.toml"), manifest(f"gen500-{name}", deps))
        write(os.path.join(d, "src", "lib.rs"), library(n, prelude, attribute, prologue, shape, extra))
        if not os.path.exists(os.path.join(d, "Cargo.lock")):
            write(os.path.join(d, "Cargo.lock"), lock)
    for name, deps in DEPS.items():
        d = os.path.join(out, "dep", name)
        write(os.path.join(d, "Cargo.toml"), manifest(f"dep-{name}", deps))
        write(os.path.join(d, "src", "lib.rs"), "//! Empty: only the dependency is built.\n")
        if not os.path.exists(os.path.join(d, "Cargo.lock")):
            write(os.path.join(d, "Cargo.lock"), lock)


if __name__ == "__main__":
    main()
