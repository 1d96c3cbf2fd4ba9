//! A corpus of function shapes, each annotated with `#[defer_on_exit]` and
//! separately with `#[recover(with = |p| p.resume())]`.
//!
//! Every shape is written three times: `*_plain` (the reference, no
//! attribute), `*_d` (`#[defer_on_exit]` with a plain `defer!`, a hook
//! `defer!(|ret| …)` and, for `Result`/`Option`, `defer_on_err!`: the full
//! rewrite of every exit through the exit slot) and `*_r`
//! (`#[recover(with = |p| p.resume())]`, which must be transparent). The
//! tests in `tests/corpus.rs` call all three and compare.
#![deny(warnings, clippy::all, clippy::pedantic)]

pub mod probe;

pub mod asyncs;
pub mod control;
pub mod hidden;
pub mod hygiene;
pub mod items;
pub mod large;
pub mod macro_args;
pub mod methods;
pub mod params;
pub mod returns;
pub mod traits;
pub mod unsafe_ffi;
