//! Many threads, each recovering thousands of panics, some in nested
//! boundaries and some with cleanups that panic while unwinding: every
//! `Panic` must carry its own message and location, nothing may abort, and
//! nothing may leak (allocations are counted).

use epilogue::{defer_on_exit, recover, Panic};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};

/// Counts live allocations, to see that recovering panics leaks nothing.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(1, Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        LIVE.fetch_sub(1, Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(pointer, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const LINE_OF_PANIC: u32 = line!() + 3;
#[recover]
fn fails(thread: usize, round: usize) -> Result<(), Panic> {
    panic!("thread {thread} round {round}");
}

#[recover]
#[defer_on_exit]
fn fails_with_panicking_cleanup(thread: usize, round: usize) -> Result<(), Panic> {
    defer! { panic!("cleanup of thread {thread} round {round}") }
    panic!("original of thread {thread} round {round}");
}

#[recover]
fn nested(thread: usize, round: usize) -> Result<String, Panic> {
    let inner = fails(thread, round).unwrap_err();
    assert_eq!(inner.message(), format!("thread {thread} round {round}"));
    panic!("outer of thread {thread} round {round}");
}

fn work(thread: usize, rounds: usize) {
    for round in 0..rounds {
        let panic = fails(thread, round).unwrap_err();
        assert_eq!(panic.message(), format!("thread {thread} round {round}"));
        assert_eq!(panic.location().unwrap().line(), LINE_OF_PANIC);
        let panic = fails_with_panicking_cleanup(thread, round).unwrap_err();
        assert_eq!(
            panic.message(),
            format!("original of thread {thread} round {round}")
        );
        let panic = nested(thread, round).unwrap_err();
        assert_eq!(panic.message(), format!("outer of thread {thread} round {round}"));
    }
}

#[test]
fn many_threads_many_panics_no_cross_talk_no_leak() {
    // Cleanup panics are reported through the panic hook: silence them.
    std::panic::set_hook(Box::new(|_| {}));
    let threads = 8;
    let rounds = 1500;
    // Warm up: first use of the hook, thread-locals, the backtrace setting.
    work(0, 10);
    let before = LIVE.load(Relaxed);
    let handles: Vec<_> = (1..=threads)
        .map(|thread| std::thread::spawn(move || work(thread, rounds)))
        .collect();
    for handle in handles {
        handle.join().expect("no thread panicked past its boundaries");
    }
    work(0, rounds);
    // Each spawned thread's allocations (its stack, thread-locals) are freed
    // when it ends; what remains is what this thread holds.
    let after = LIVE.load(Relaxed);
    assert!(after - before <= 4, "{} allocations still live", after - before);
}
