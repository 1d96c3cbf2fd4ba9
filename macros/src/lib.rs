//! The attribute macros of [`epilogue`](https://docs.rs/epilogue). Depend on
//! `epilogue`, which re-exports them with their documentation; this crate's
//! API has no stability guarantee of its own.
//!
//! Layout: `args` parses attribute arguments, `item` the annotated function,
//! `deferred` one `defer!`/`defer_on_err!` invocation and its guard, `body`
//! scans and rewrites the function body, `macro_args` looks into other
//! macros' arguments, `ret` names the return type, `tail` stores the body's
//! final value, `wrapped` finds a body another attribute moved into a future,
//! `expand` puts the function back together, `errors` and `lints` support
//! them.

mod args;
mod body;
mod closure;
mod coerce;
mod deferred;
mod errors;
mod expand;
mod item;
mod macro_args;
mod ret;
mod returns;
mod tail;
mod wrapped;

#[cfg(test)]
mod fuzz_tests;

use proc_macro::TokenStream;

use item::Attr;

#[doc = include_str!("../docs/defer_on_exit.md")]
#[proc_macro_attribute]
pub fn defer_on_exit(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(Attr::DeferOnExit, args.into(), item.into()).into()
}

#[doc = include_str!("../docs/recover.md")]
#[proc_macro_attribute]
pub fn recover(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(Attr::Recover, args.into(), item.into()).into()
}
