//! A `#![no_std]` driver initialisation, Zig's `errdefer` style: each step
//! registers its undo, which runs only if a later step fails. It uses every
//! synchronous deferred form, an async cleanup driven by a hand-rolled
//! executor, and builds as a static library that `harness.c` calls, reporting
//! each event through a callback. No `std`, no `alloc`: the panic handler
//! below would clash with `std`'s, were it linked in.
#![no_std]

use core::ffi::{c_char, CStr};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use epilogue::defer_on_exit;

/// Where events go: the harness prints them.
pub type Record = extern "C" fn(event: *const c_char, value: i32);

/// An event: a fixed name and a number.
fn note(record: Record, event: &CStr, value: i32) {
    record(event.as_ptr(), value);
}

extern "C" {
    /// The C library's, which the harness links: `core` has none.
    fn abort() -> !;
}

/// Nothing unwinds (`panic = "abort"`): a panic ends the harness, whose exit
/// status the test checks.
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: `abort` takes nothing and never returns.
    unsafe { abort() }
}

/// The host's prebuilt `core` is compiled for unwinding and names this
/// symbol; with `panic = "abort"` nothing ever calls it. (A bare-metal
/// target's `core` does not need it.)
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

/// Why initialisation failed: the step that did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitError {
    step: i32,
}

/// The hardware, as far as this test needs one.
#[derive(Default)]
struct Device {
    clock: bool,
    power: bool,
    dma_channels: i32,
}

fn step(record: Record, name: &CStr, number: i32, fail_at: i32) -> Result<(), InitError> {
    if number == fail_at {
        note(record, c"step failed", number);
        return Err(InitError { step: number });
    }
    note(record, name, number);
    Ok(())
}

/// Brings the device up in four steps; a failing step undoes the ones before
/// it, in reverse order. Returns the DMA channels reserved (a hook adds the
/// reserved spare), or the failing step's number, negated.
#[defer_on_exit]
fn init(record: Record, fail_at: i32) -> Result<i32, InitError> {
    let mut device = Device::default();
    // Runs on every exit, and sees `device` as the body left it although the
    // body goes on changing it (the action borrows nothing until it runs).
    defer! { note(record, c"init finished, clock on", i32::from(device.clock)) }
    // The error the function returns, before its locals drop.
    defer_on_err!(|err| note(record, c"init failed at step", err.step));

    step(record, c"clock on", 1, fail_at)?;
    device.clock = true;
    defer_on_err! {
        device.clock = false;
        note(record, c"undo: clock off", 1);
    }

    step(record, c"power on", 2, fail_at)?;
    device.power = true;
    // `move`: a copy of `device.power` now; the undo does not see later
    // changes.
    let powered = device.power;
    defer_on_err!(move {
        note(record, c"undo: power off, was on", i32::from(powered));
    });

    let mut reserved = 0;
    for channel in 0..3 {
        // A block-scoped cleanup: runs at the end of each iteration.
        defer! { note(record, c"channel probed", channel) }
        if channel == 1 {
            continue;
        }
        reserved += 1;
    }
    step(record, c"dma reserved", 3, fail_at)?;
    device.dma_channels = reserved;
    defer_on_err! { note(record, c"undo: dma released", device.dma_channels) }

    step(record, c"irq enabled", 4, fail_at)?;
    // A hook on the value being returned: the spare channel counts.
    defer!(|ret| {
        if let Ok(channels) = ret {
            *channels += 1;
        }
    });
    // `move |ret|`: captures `reserved` by value now.
    defer!(move |ret| note(
        record,
        c"returning ok with reserved",
        if ret.is_ok() { reserved } else { -1 }
    ));
    Ok(device.dma_channels)
}

/// `init` for C: the channels, or the failing step negated.
#[no_mangle]
pub extern "C" fn epilogue_init(record: Record, fail_at: i32) -> i32 {
    match init(record, fail_at) {
        Ok(channels) => channels,
        Err(error) => -error.step,
    }
}

/// A function returning `Option`: `None` is its failure, for
/// `defer_on_err!` as for `?`.
#[defer_on_exit]
fn lookup(record: Record, table: &[i32], index: usize) -> Option<i32> {
    defer_on_err! { note(record, c"lookup missed", i32::try_from(index).unwrap_or(-1)) }
    let found = *table.get(index)?;
    if found < 0 {
        return None;
    }
    Some(found * 10)
}

/// `lookup` over a fixed table for C: the value, or -1.
#[no_mangle]
pub extern "C" fn epilogue_lookup(record: Record, index: i32) -> i32 {
    let index = usize::try_from(index).unwrap_or(usize::MAX);
    lookup(record, &[4, -1, 7], index).unwrap_or(-1)
}

/// Function-level error context: the error returned, whatever its source,
/// says where it happened.
#[defer_on_exit(map_err = |err| InitError { step: err.step + 100 })]
fn reinit(record: Record, fail_at: i32) -> Result<i32, InitError> {
    let channels = init(record, fail_at)?;
    Ok(channels)
}

/// `reinit` for C: the channels, or the mapped error negated.
#[no_mangle]
pub extern "C" fn epilogue_reinit(record: Record, fail_at: i32) -> i32 {
    match reinit(record, fail_at) {
        Ok(channels) => channels,
        Err(error) => -error.step,
    }
}

/// An async cleanup, awaited where the function returns: a flush that
/// yields once, as a driver waiting for its FIFO would.
#[defer_on_exit]
async fn transfer(record: Record, bytes: i32) -> Result<i32, InitError> {
    let mut sent = 0;
    defer!(async {
        YieldOnce(false).await;
        note(record, c"async flush after sending", sent);
    });
    if bytes < 0 {
        return Err(InitError { step: bytes });
    }
    sent = bytes;
    Ok(sent)
}

/// An `async fn` whose actions read the value being returned, a guard and
/// an async hook: without `std` too, its future is `Send`, as nothing is
/// shared across its `.await`s. Checked when this crate builds.
#[defer_on_exit]
async fn send_checked(bytes: i32) -> Result<i32, InitError> {
    defer_on_err! { let _ = bytes; }
    defer!(async |ret| {
        YieldOnce(false).await;
        if let Ok(sent) = ret {
            *sent += 1;
        }
    });
    YieldOnce(false).await;
    Ok(bytes)
}

fn assert_send<F: Future + Send>(future: F) -> F {
    future
}

const _: fn() = || drop(assert_send(send_checked(1)));

/// Pending once, then ready.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: core::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// `transfer` for C, on an executor that polls until ready: the bytes sent,
/// or -1.
#[no_mangle]
pub extern "C" fn epilogue_transfer(record: Record, bytes: i32) -> i32 {
    let mut future = pin!(transfer(record, bytes));
    let mut cx = Context::from_waker(Waker::noop());
    let mut polls = 0;
    loop {
        polls += 1;
        if let Poll::Ready(result) = future.as_mut().poll(&mut cx) {
            note(record, c"polls", polls);
            return result.unwrap_or(-1);
        }
    }
}
