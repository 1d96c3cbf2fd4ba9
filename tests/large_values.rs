//! An annotated function that moves a large value must not need much more
//! stack than the plain one in a debug build.
//! Plain `defer!` adds nothing; the exit slot adds about one copy of the
//! value per exit; a panic boundary costs less than a hand-written
//! `catch_unwind`; and a chain of nested annotated calls with a large
//! parameter and return value needs a bounded multiple of the plain chain's
//! stack.
//!
//! The stack a function needs is measured, not guessed: the test re-runs this
//! binary in child processes (a stack overflow aborts the process) on threads
//! of a given stack size, and bisects for the smallest that works.

// Debug builds only: the stack it bounds is a debug build's, whose copies
// of large values the expansion controls (an optimised build's are the
// optimiser's), and optimising this file's 64 KiB values took rustc more
// than six minutes, a third of CI's budget.
#![cfg(debug_assertions)]

use epilogue::{defer_on_exit, recover};
use std::hint::black_box;
use std::process::Command;

const SIZE: usize = 64 * 1024;
type Big = Result<[u8; SIZE], String>;

#[inline(never)]
fn plain(fill: u8) -> Big {
    let value = [fill; SIZE];
    if fill == 0 {
        return Err("zero".into());
    }
    Ok(value)
}

#[inline(never)]
#[defer_on_exit]
fn only_defers(fill: u8) -> Big {
    defer! { black_box(1); }
    let value = [fill; SIZE];
    if fill == 0 {
        return Err("zero".into());
    }
    Ok(value)
}

#[inline(never)]
#[defer_on_exit]
fn with_slot(fill: u8) -> Big {
    defer! { black_box(1); }
    defer_on_err! { black_box(2); }
    defer!(|ret| if let Ok(bytes) = ret {
        bytes[0] = 1;
    });
    let value = [fill; SIZE];
    if fill == 0 {
        return Err("zero".into());
    }
    Ok(value)
}

#[inline(never)]
#[defer_on_exit]
fn many_exits(fill: u8) -> Big {
    defer_on_err! { black_box(2); }
    let value = [fill; SIZE];
    match fill {
        0 => return Err("zero".into()),
        1 => return Err("one".into()),
        2 => return Err("two".into()),
        3 => return Err("three".into()),
        4 => Err::<(), _>("four".to_string())?,
        5 => Err::<(), _>("five".to_string())?,
        _ => {}
    }
    Ok(value)
}

#[inline(never)]
fn hand_written_boundary(fill: u8) -> Big {
    match std::panic::catch_unwind(move || plain(fill)) {
        Ok(value) => value,
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

#[inline(never)]
#[recover(with = |panic| panic.resume())]
fn boundary(fill: u8) -> Big {
    plain(fill)
}

#[inline(never)]
#[recover(with = |panic| panic.resume())]
#[defer_on_exit]
fn boundary_with_slot(fill: u8) -> Big {
    defer_on_err! { black_box(2); }
    defer!(|ret| if let Ok(bytes) = ret {
        bytes[0] = 1;
    });
    let value = [fill; SIZE];
    if fill == 0 {
        return Err("zero".into());
    }
    Ok(value)
}

// ---- Chains: a 64 KiB parameter and return value through nested calls.

type Array = [u8; SIZE];
type Chained = Result<Array, String>;

#[inline(never)]
fn chain_plain(depth: u32, value: Array) -> Chained {
    if depth == 0 {
        return Ok(value);
    }
    let mut value = chain_plain(depth - 1, value)?;
    value[0] = value[0].wrapping_add(1);
    Ok(value)
}

#[inline(never)]
#[recover(with = |panic| panic.resume())]
fn chain_recover(depth: u32, value: Array) -> Chained {
    if depth == 0 {
        return Ok(value);
    }
    let mut value = chain_recover(depth - 1, value)?;
    value[0] = value[0].wrapping_add(1);
    Ok(value)
}

#[inline(never)]
#[defer_on_exit]
fn chain_hook(depth: u32, value: Array) -> Chained {
    defer!(|ret| if let Ok(value) = ret {
        value[1] = 1;
    });
    if depth == 0 {
        return Ok(value);
    }
    let mut value = chain_hook(depth - 1, value)?;
    value[0] = value[0].wrapping_add(1);
    Ok(value)
}

#[inline(never)]
#[defer_on_exit]
fn chain_defer_on_err(depth: u32, value: Array) -> Chained {
    defer_on_err! { black_box(2); }
    if depth == 0 {
        return Ok(value);
    }
    let mut value = chain_defer_on_err(depth - 1, value)?;
    value[0] = value[0].wrapping_add(1);
    Ok(value)
}

#[inline(never)]
#[recover(with = |panic| panic.resume())]
#[defer_on_exit]
fn chain_both(depth: u32, value: Array) -> Chained {
    defer!(|ret| if let Ok(value) = ret {
        value[1] = 1;
    });
    defer_on_err! { black_box(2); }
    if depth == 0 {
        return Ok(value);
    }
    let mut value = chain_both(depth - 1, value)?;
    value[0] = value[0].wrapping_add(1);
    Ok(value)
}

fn run_chain(case: &str, depth: u32) -> u8 {
    let function: fn(u32, Array) -> Chained = match case {
        "chain_plain" => chain_plain,
        "chain_recover" => chain_recover,
        "chain_hook" => chain_hook,
        "chain_defer_on_err" => chain_defer_on_err,
        "chain_both" => chain_both,
        other => panic!("unknown chain {other}"),
    };
    function(black_box(depth), black_box([7; SIZE])).unwrap()[0]
}

fn run_case(case: &str) -> u8 {
    if let Some((chain, depth)) = case.split_once('@') {
        return run_chain(chain, depth.parse().unwrap()).wrapping_sub(depth.parse::<u8>().unwrap());
    }
    let function: fn(u8) -> Big = match case {
        "plain" => plain,
        "only_defers" => only_defers,
        "with_slot" => with_slot,
        "many_exits" => many_exits,
        "hand_written_boundary" => hand_written_boundary,
        "boundary" => boundary,
        "boundary_with_slot" => boundary_with_slot,
        other => panic!("unknown case {other}"),
    };
    function(black_box(7)).unwrap()[3]
}

/// The child side: runs one case on a thread with the given stack.
#[test]
fn child() {
    let (Ok(case), Ok(stack)) = (
        std::env::var("EPILOGUE_STACK_CASE"),
        std::env::var("EPILOGUE_STACK_SIZE"),
    ) else {
        return;
    };
    let stack: usize = stack.parse().unwrap();
    let value = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || run_case(&case))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(value, 7);
}

fn fits(case: &str, stack: usize) -> bool {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--nocapture", "--test-threads=1"])
        .env("EPILOGUE_STACK_CASE", case)
        .env("EPILOGUE_STACK_SIZE", stack.to_string())
        .output()
        .unwrap()
        .status
        .success()
}

/// The smallest stack (to 4 KiB) that `case` runs in.
fn stack_needed(case: &str) -> usize {
    let (mut low, mut high) = (16 * 1024, 64 * 1024 * 1024);
    assert!(
        fits(case, high),
        "{case} does not run even with {high} bytes of stack"
    );
    while high - low > 4096 {
        let middle = (low + high) / 2;
        if fits(case, middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    high
}

#[test]
fn large_return_values_cost_a_bounded_number_of_extra_copies() {
    let copies = |case: &str, baseline: usize| {
        let needed = stack_needed(case);
        println!(
            "{case}: {} KiB, {:+.1} copies of the value",
            needed / 1024,
            (needed as f64 - baseline as f64) / SIZE as f64
        );
        needed.saturating_sub(baseline) as f64 / SIZE as f64
    };
    let plain = stack_needed("plain");
    println!("plain: {} KiB", plain / 1024);
    // Plain `defer!` only: guards, nothing else; the value is not touched.
    assert!(copies("only_defers", plain) < 0.5);
    // The exit slot holds one copy; each exit builds its value in a
    // temporary of its own before the slot's `put` takes it (optimised
    // builds merge those), so a debug build needs about one copy per exit:
    // 2 exits here…
    assert!(copies("with_slot", plain) <= 4.5);
    // …and 7 here (4 `return`, 2 `?`, the tail): a `?` converts its error
    // in the slot's frame, not the body's.
    assert!(copies("many_exits", plain) <= 7.5);
    let hand = stack_needed("hand_written_boundary");
    println!("hand_written_boundary: {} KiB", hand / 1024);
    // `catch_unwind` itself copies the body and its value several times in
    // a debug build; the boundary sends neither through it (see `recover`
    // in the runtime), so it needs less than `catch_unwind` written by hand,
    // with the slot too, which holds the value for both.
    assert!(copies("boundary", hand) <= 0.0);
    assert!(copies("boundary_with_slot", hand) <= 0.0);
}

/// Copies of the value per level of a chain: (stack at depth 16 − at
/// depth 4) / 12 levels, in units of the value's size.
fn copies_per_level(chain: &str) -> f64 {
    let at = |depth: u32| stack_needed(&format!("{chain}@{depth}"));
    let (one, four, sixteen) = (at(1), at(4), at(16));
    let per_level = (sixteen - four) as f64 / 12.0 / SIZE as f64;
    println!(
        "{chain}: depth 1 {} KiB, depth 4 {} KiB, depth 16 {} KiB: {per_level:.1} copies per level",
        one / 1024,
        four / 1024,
        sixteen / 1024
    );
    per_level
}

#[test]
fn nested_annotated_calls_need_a_bounded_multiple_of_the_plain_stack() {
    // A 64 KiB parameter and return value through a chain of calls, in a
    // debug build, where every move is a copy on the stack: the plain chain
    // keeps about six copies per level (the parameter, the call's result,
    // `?`'s temporaries, the local); each annotation adds its slot or
    // boundary, and a few copies of the body's captures and value.
    let plain = copies_per_level("chain_plain");
    for (chain, at_most) in [
        ("chain_hook", 2.3),
        ("chain_defer_on_err", 2.3),
        ("chain_recover", 2.6),
        ("chain_both", 2.8),
    ] {
        let copies = copies_per_level(chain);
        assert!(
            copies <= plain * at_most,
            "{chain}: {copies:.1} copies per level, more than {at_most} times the plain chain's {plain:.1}"
        );
    }
}
