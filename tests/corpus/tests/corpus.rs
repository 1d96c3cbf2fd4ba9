//! Calls every shape of the corpus in its three versions.

mod support;

#[path = "params.rs"]
mod params;

#[path = "returns.rs"]
mod returns;

#[path = "methods.rs"]
mod methods;

#[path = "control.rs"]
mod control;

#[path = "hidden.rs"]
mod hidden;

#[path = "macro_args.rs"]
mod macro_args;

#[path = "items.rs"]
mod items;

#[path = "hygiene.rs"]
mod hygiene;

#[path = "unsafe_ffi.rs"]
mod unsafe_ffi;

#[path = "large.rs"]
mod large;

#[path = "asyncs.rs"]
mod asyncs;

#[path = "traits.rs"]
mod traits;
