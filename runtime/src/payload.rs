//! Panic payloads, as `catch_unwind` hands them over.

use std::any::Any;

/// The message of a panic whose payload is neither `&str` nor `String`
/// (`std::panic::panic_any(42)`, say).
pub(crate) const NON_STRING_PAYLOAD: &str = "panic payload is not a string";

/// The message of a payload: the payload itself when it is a `&str` or a
/// `String`, which is what `panic!` makes.
pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> Option<&str> {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        Some(text)
    } else {
        payload.downcast_ref::<String>().map(String::as_str)
    }
}
