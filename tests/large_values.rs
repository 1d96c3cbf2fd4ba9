//! An annotated function that moves a large value must not need much more
//! stack than the plain one in a debug build.
//! Plain `defer!` adds nothing; the exit slot adds a bounded number of copies
//! of the value per exit; a panic boundary costs about what a hand-written
//! `catch_unwind` costs.
//!
//! The stack a function needs is measured, not guessed: the test re-runs this
//! binary in child processes (a stack overflow aborts the process) on threads
//! of a given stack size, and bisects for the smallest that works.

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

fn run_case(case: &str) -> u8 {
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
    let (mut low, mut high) = (16 * 1024, 16 * 1024 * 1024);
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
    // temporary before storing it (optimised builds merge those), so a debug
    // build needs about two copies per exit: 2 exits here…
    assert!(copies("with_slot", plain) <= 6.0);
    // …and 7 here (4 `return`, 2 `?`, the tail).
    assert!(copies("many_exits", plain) <= 2.0 * 7.0 + 3.0);
    let hand = stack_needed("hand_written_boundary");
    println!("hand_written_boundary: {} KiB", hand / 1024);
    // `catch_unwind` itself copies the value several times in a debug
    // build; the boundary adds a few, the most on the first boundary of a
    // thread (measured here: each case runs on a new thread), which installs
    // the panic hook first.
    assert!(copies("boundary", hand) <= 3.0);
    assert!(copies("boundary_with_slot", hand) <= 9.0);
}
