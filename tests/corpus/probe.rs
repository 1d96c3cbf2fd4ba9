//! What the deferred actions of the `*_d` shapes record, per thread.

use std::cell::{Cell, RefCell};
use std::fmt::Debug;

/// How many deferred actions of each kind ran.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Hooks `defer!(|ret| …)`.
    pub hooks: u32,
    /// `defer_on_err! { … }`.
    pub errs: u32,
    /// `defer! { … }`.
    pub defers: u32,
}

thread_local! {
    static COUNTS: Cell<Counts> = const { Cell::new(Counts { hooks: 0, errs: 0, defers: 0 }) };
    static SEEN: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn bump(change: impl FnOnce(&mut Counts)) {
    COUNTS.with(|counts| {
        let mut now = counts.get();
        change(&mut now);
        counts.set(now);
    });
}

/// A `defer! { … }` ran.
pub fn defer() {
    bump(|counts| counts.defers += 1);
}

/// A `defer_on_err! { … }` ran.
pub fn err() {
    bump(|counts| counts.errs += 1);
}

/// A hook ran (on a value it cannot print).
pub fn hook<T: ?Sized>(_ret: &T) {
    bump(|counts| counts.hooks += 1);
}

/// A hook ran and saw `ret`.
pub fn seen<T: Debug + ?Sized>(ret: &T) {
    bump(|counts| counts.hooks += 1);
    SEEN.with(|seen| seen.borrow_mut().push(format!("{ret:?}")));
}

/// Takes (and resets) what this thread recorded.
#[must_use]
pub fn take() -> (Counts, Vec<String>) {
    let counts = COUNTS.with(|counts| counts.replace(Counts::default()));
    let seen = SEEN.with(|seen| std::mem::take(&mut *seen.borrow_mut()));
    (counts, seen)
}
