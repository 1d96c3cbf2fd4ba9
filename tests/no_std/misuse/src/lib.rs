//! What needs epilogue's `std` feature, used without it. `tests/no_std.rs`
//! builds this crate once per feature, each turning on one misuse, and
//! checks the error names the feature.
#![no_std]

#[cfg(feature = "recover")]
#[epilogue::recover]
pub fn recovered() -> Option<u32> {
    Some(1)
}

#[cfg(feature = "recover-with-defer")]
#[epilogue::defer_on_exit]
#[epilogue::recover]
pub fn both() -> Option<u32> {
    defer! { let _ = 1; }
    Some(1)
}

#[cfg(feature = "catch")]
pub fn caught() -> bool {
    epilogue::catch(|| 1).is_ok()
}

#[cfg(feature = "panic-type")]
pub fn message(panic: &epilogue::Panic) -> &str {
    panic.message()
}
