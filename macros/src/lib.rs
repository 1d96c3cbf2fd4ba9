//! The attribute macros of [`epilogue`](https://docs.rs/epilogue). Depend on
//! `epilogue`, which re-exports them with their documentation; this crate's
//! API has no stability guarantee of its own.
//!
//! Layout, in the order an expansion uses the modules:
//! - `expand`: the entry point of both attributes, which puts the function
//!   back together; `guards_only`: the common case, a function whose only
//!   actions are plain `defer!`s, expanded on its tokens without parsing;
//!   `slot_tokens`: the next one, a function whose exits are routed through
//!   the exit slot (a hook, `defer_on_err!`) or a frame (around the statements after
//!   a `defer!` that may hold their borrow) but are plain enough (`return`,
//!   `?` after a postfix chain, a final value) to route on its tokens;
//!   `trees`: short token runs spliced as trees, streams spliced whole;
//! - `args`: the attributes' arguments; `root`: the runtime crate's path and
//!   the one rule for recognising epilogue's names;
//! - `item`: the annotated function; `wrapped`: its body when another
//!   attribute already moved it into a future;
//! - `return_type`: the return type as the expansion names it;
//!   `returned_closures`: parameter types for closures returned as
//!   `impl Fn`;
//! - `forms`: the table of deferred forms; `deferred`: parsing one
//!   invocation into its form; `check`: what a deferred body may not
//!   contain;
//! - `scan`: finding every invocation of the body; `borrows`: whether an
//!   action could hold a borrow the rest of its block needs; `rewrite`:
//!   replacing the invocations and routing the exits through the slot;
//!   `guard`: the guard a synchronous action becomes; `frame`: the frame
//!   around the rest of a block, for an action that runs where its block
//!   ends; `hidden`: returns hidden in other macros, caught by a wrapping
//!   closure; `macro_args`: other macros' arguments; `own_returns`: the
//!   function's own `return`s;
//! - `slot`: the exit slot and `tail`: storing the body's final value in it;
//! - `boundary`: `#[recover]`'s `catch_unwind`; `coerce`: return-site
//!   coercions for a body moved into an `async` block;
//! - `names`: the identifiers the expansion introduces; `errors`: collecting
//!   errors; `unparsed`: a function whose body does not parse (yet), given
//!   back as written.

mod args;
mod borrows;
mod boundary;
mod check;
mod coerce;
mod deferred;
mod errors;
mod expand;
mod forms;
mod frame;
mod guard;
mod guards_only;
mod hidden;
mod item;
mod macro_args;
mod names;
mod own_returns;
mod return_type;
mod returned_closures;
mod rewrite;
mod root;
mod scan;
mod slot;
mod slot_tokens;
mod tail;
mod trees;
mod unparsed;
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
