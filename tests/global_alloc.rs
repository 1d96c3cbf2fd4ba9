//! `#[recover]` on a `#[global_allocator]`'s `alloc`: the first boundary
//! installs epilogue's panic hook, which allocates, which enters the
//! boundary again. That inner boundary must not wait for the installation
//! it is part of (it did, and this binary hung before `main`).
//!
//! A test binary of its own: the global allocator is the whole binary's.

use epilogue::recover;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// Counts allocations; a panic while allocating (there is none here) would
/// become a failed allocation instead of unwinding out of the allocator.
struct Counting;

// SAFETY: delegates to `System`, which upholds `GlobalAlloc`'s contract.
unsafe impl GlobalAlloc for Counting {
    #[recover(with = |_panic| std::ptr::null_mut())]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Relaxed);
        // SAFETY: the caller's contract is `System.alloc`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn a_boundary_in_the_global_allocator_installs_the_hook_and_allocates() {
    let before = ALLOCATIONS.load(Relaxed);
    let values: Vec<u64> = (0..1000).collect();
    assert_eq!(values.iter().sum::<u64>(), 499_500);
    assert!(ALLOCATIONS.load(Relaxed) > before);
    // The hook is in place: a recovered panic elsewhere has its location.
    let panic = epilogue::catch(|| panic!("after the allocator")).unwrap_err();
    assert_eq!(panic.location().map(|location| location.file()), Some(file!()));
}
