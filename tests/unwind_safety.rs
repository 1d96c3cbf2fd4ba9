//! What `#[recover]` assumes: like every `catch_unwind` wrapper it asserts
//! unwind safety, so state that the caller can still see after a recovered
//! panic is left as the panic left it. Nothing rolls back; a `Mutex` whose
//! guard was held across the panic comes back poisoned.

use epilogue::{catch, recover};
use std::cell::RefCell;
use std::sync::Mutex;

#[recover(default)]
fn add_all(totals: &Mutex<Vec<u32>>, items: &[&str]) -> usize {
    let mut totals = totals.lock().unwrap();
    for item in items {
        totals.push(item.parse().expect("not a number"));
    }
    totals.len()
}

#[test]
fn a_mutex_held_across_a_recovered_panic_comes_back_poisoned_and_half_updated() {
    let totals = Mutex::new(Vec::new());
    assert_eq!(add_all(&totals, &["1", "2"]), 2);
    assert!(!totals.is_poisoned());

    // The function returns its recovered value...
    assert_eq!(add_all(&totals, &["3", "x", "5"]), 0);
    // ... and the guard it held was dropped while unwinding: std poisoned
    // the mutex, whose data is half-updated.
    assert!(totals.is_poisoned());
    let poisoned = totals.lock().unwrap_err();
    assert_eq!(*poisoned.into_inner(), [1, 2, 3]);

    // Repaired and cleared, it works again.
    totals
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .truncate(2);
    totals.clear_poison();
    assert_eq!(add_all(&totals, &["3"]), 3);
    assert_eq!(*totals.lock().unwrap(), [1, 2, 3]);
}

#[recover]
fn parse_into(out: &mut Vec<u32>, items: &[&str]) -> Option<()> {
    for item in items {
        out.push(item.parse().expect("not a number"));
    }
    Some(())
}

#[test]
fn a_mut_parameter_is_left_half_filled() {
    let mut out = Vec::new();
    assert_eq!(parse_into(&mut out, &["1", "2", "x", "4"]), None);
    assert_eq!(out, [1, 2]);
}

#[test]
fn a_refcell_borrowed_across_the_panic_is_released_but_half_updated() {
    let cell = RefCell::new(Vec::new());
    let panic = catch(|| {
        let mut items = cell.borrow_mut();
        items.push("first");
        panic!("before the second");
    })
    .unwrap_err();
    assert_eq!(panic.message(), "before the second");
    // The borrow ended while unwinding; a `RefCell` is never poisoned.
    assert_eq!(*cell.borrow(), ["first"]);
}
