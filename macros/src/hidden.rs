//! Early returns hidden in other macros (`bail!`, `ensure!`, `ready!`, a
//! crate's own `try!`-style macro): which invocations may hide one, and the
//! closure that catches it.
//!
//! In a function with an exit slot, a `return` that the rewriter cannot see
//! would skip the slot; the slot's proof type turns it into a compile error,
//! and wrapping the invocation routes it instead: the invocation runs in a
//! closure whose return type is the function's with its success payload
//! replaced (the runtime's `EarlyExits`), so a hidden `return Err(e)` (or
//! `None`, `Poll::Pending`) type-checks there and leaves through the slot.
//! Inside a loop the closure also carries an unlabelled `continue` or
//! `break` that the macro hides.
//!
//! Some invocations are better left as they are:
//! - macros known not to return (`format!`, `assert!`, `vec!`, `tracing`
//!   events…), whose arguments the rewriter reads as expressions anyway;
//! - macros that define items or bindings used after them (`thread_local!`,
//!   `pin_mut!(a)`, `tokio::pin!`, anything with a `let` or an item keyword
//!   in its tokens), which a closure would hide;
//! - macros with a visible `break` or `continue` (`tokio::select!` in a
//!   loop), which a closure cannot carry, a visible `return` (routed by the
//!   rewriter like any other), and async macros, whose `.await` a closure
//!   cannot hold.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};

use crate::forms::Macro;
use crate::return_type::EarlyExits;
use crate::trees::{is_macro_call, Trees};

/// Macros known not to return from the function that invokes them.
const PLAIN: &[&str] = &[
    // std
    "addr_of",
    "addr_of_mut",
    "assert",
    "assert_eq",
    "assert_ne",
    "assert_matches",
    "cfg",
    "column",
    "compile_error",
    "concat",
    "dbg",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "debug_assert_matches",
    "env",
    "eprint",
    "eprintln",
    "file",
    "format",
    "format_args",
    "include",
    "include_bytes",
    "include_str",
    "line",
    "matches",
    "module_path",
    "offset_of",
    "option_env",
    "panic",
    "print",
    "println",
    "stringify",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
    // tracing and log
    "debug",
    "debug_span",
    "enabled",
    "error",
    "error_span",
    "event",
    "info",
    "info_span",
    "log",
    "log_enabled",
    "span",
    "trace",
    "trace_span",
    "warn",
    "warn_span",
    // error values, not returns
    "anyhow",
    "eyre",
    "format_err",
];

/// Macros that define what the code after them uses, or that await.
const KEEP: &[&str] = &[
    "pin",
    "pin_mut",
    "thread_local",
    "lazy_static",
    "cfg_if",
    "macro_rules",
    "select",
    "select_biased",
    "join",
    "try_join",
    "join_all",
];

/// Macros that return early by design: wrapped whatever their tokens look
/// like (`ensure!(ok)` would otherwise pass for a binding definer).
const RETURNING: &[&str] = &[
    "bail",
    "ensure",
    "ready",
    "try",
    "itry",
    "try_opt",
    "try_ready",
    "try_some",
];

/// Whether `name` is a macro known not to return from the function that
/// invokes it.
pub(crate) fn never_returns(name: &str) -> bool {
    PLAIN.contains(&name)
}

/// Whether `tokens` invoke a macro that may return from the function: one
/// not known not to return, other than epilogue's own. A frame around them
/// needs the exit slot, whose wrapper routes such a return.
pub(crate) fn may_return_in(tokens: &TokenStream) -> bool {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    tokens.iter().enumerate().any(|(at, token)| match token {
        TokenTree::Ident(name) if is_macro_call(&tokens, at) => {
            let name = name.to_string();
            !never_returns(&name) && !Macro::ALL.iter().any(|ours| ours.name() == name)
        }
        TokenTree::Group(group) => may_return_in(&group.stream()),
        _ => false,
    })
}

/// Whether the invocation should run in a wrapping closure; `statement`: it
/// is a statement of its own (where it could define bindings).
pub(crate) fn wraps(mac: &syn::Macro, statement: bool) -> bool {
    let Some(name) = mac.path.segments.last().map(|last| last.ident.to_string()) else {
        return false;
    };
    if RETURNING.contains(&name.as_str()) {
        return true;
    }
    if PLAIN.contains(&name.as_str()) || KEEP.contains(&name.as_str()) {
        return false;
    }
    !(jumps_or_awaits(&mac.tokens) || (statement && defines_names(&mac.tokens)))
}

/// The runtime shape of the wrapper's closure. `Poll<Self::Output>` tells
/// nothing about its payload, but a `?` in the arguments (`ready!(poll?)`)
/// compiles in the plain function only if the payload is a `Result`; the
/// closure needs the `Poll<Result<…>>` shape for that `?` to compile too.
pub(crate) fn shape_for(exits: EarlyExits, mac: &syn::Macro) -> &'static str {
    match exits {
        EarlyExits::Poll if has_question_mark(&mac.tokens) => EarlyExits::PollResult,
        exits => exits,
    }
    .shape()
}

fn has_question_mark(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|token| match &token {
        TokenTree::Punct(punct) => punct.as_char() == '?',
        TokenTree::Group(group) => has_question_mark(&group.stream()),
        _ => false,
    })
}

/// Whether a wrapped invocation inside a loop could hide a `break` or a
/// `continue` of it. Not one of the macros known to return and nothing
/// else: carrying a jump out of the closure gives the user's loop an exit
/// that the borrow checker takes as possible (a value assigned before the
/// loop's own `break` is then "possibly uninitialized" after it).
pub(crate) fn may_hide_jumps(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .map_or(true, |last| !RETURNING.contains(&last.ident.to_string().as_str()))
}

/// A visible `break`, `continue`, `return` or `.await` (even one inside a
/// closure of the arguments, where it would be harmless: not wrapping leaves
/// a hidden `return` a compile error, never a silent one). A visible
/// `return` is the rewriter's to route, whatever it returns; in the
/// wrapper's closure, only an early exit could leave.
fn jumps_or_awaits(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|token| match &token {
        TokenTree::Ident(ident) => ["break", "continue", "await", "return"]
            .iter()
            .any(|word| ident == word),
        TokenTree::Group(group) => jumps_or_awaits(&group.stream()),
        _ => false,
    })
}

/// Whether a statement macro's tokens look like they define names for the
/// code after it: a `let` or an item keyword, an assignment to a name
/// (`let_or!(x = value)`), or nothing but identifiers (`pin_mut!(a, b)`).
fn defines_names(tokens: &TokenStream) -> bool {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let keyword = tokens.iter().any(|token| {
        matches!(token, TokenTree::Ident(ident) if [
            "let", "fn", "struct", "enum", "union", "static", "const", "impl", "trait", "type", "mod", "use",
        ]
        .iter()
        .any(|keyword| ident == keyword))
    });
    let only_identifiers = !tokens.is_empty()
        && tokens.iter().all(|token| match token {
            TokenTree::Ident(_) => true,
            TokenTree::Punct(punct) => punct.as_char() == ',',
            _ => false,
        });
    keyword || only_identifiers || assigns(&tokens)
}

/// An `=` that is neither part of `==`, `<=`, `>=`, `!=`, `=>` nor a
/// compound assignment: `name = value`.
fn assigns(tokens: &[TokenTree]) -> bool {
    tokens.iter().enumerate().any(|(index, token)| {
        let TokenTree::Punct(punct) = token else {
            return false;
        };
        let joined_before = index
            .checked_sub(1)
            .and_then(|before| tokens.get(before))
            .is_some_and(
                |before| matches!(before, TokenTree::Punct(p) if p.spacing() == proc_macro2::Spacing::Joint),
            );
        punct.as_char() == '=' && punct.spacing() == proc_macro2::Spacing::Alone && !joined_before
    })
}

/// What a wrapper's `match` does besides giving the macro's value: where an
/// early exit leaves to, and (inside a loop) where a hidden `continue` and
/// `break` go. The rewriter computes them in its context.
pub(crate) struct Exits {
    /// Leaves the function with the early exit, bound to [`returned`].
    pub(crate) leave: TokenStream,
    /// `continue` and `break` to the innermost loop, if the macro is in one.
    pub(crate) jumps: Option<(TokenStream, TokenStream)>,
}

/// The local an early exit is bound to in the wrapper's `match`.
pub(crate) fn returned() -> Ident {
    Ident::new("__returned", Span::mixed_site())
}

/// The value a `break` hidden in a wrapped macro left its loop with.
pub(crate) fn broke(span: Span) -> TokenStream {
    let broke = Ident::new("__broke", span);
    quote!(#broke)
}

/// A macro written as a statement, moved where an expression goes: in a
/// block of its own, where it is still a statement, because a macro that
/// expands to several (`let x = …; loop { … }`) parses only as one. With
/// its `;` (`semi`), the block's value is `()`, as the statement's was;
/// without, the value of the expansion's last expression.
pub(crate) fn as_statement(mac: &syn::Macro, semi: bool) -> TokenStream {
    let span = crate::deferred::location(mac);
    if semi {
        quote_spanned!(span=> { #mac; })
    } else {
        quote_spanned!(span=> { #mac })
    }
}

/// The wrapper around an invocation (`invocation`: the macro as written,
/// or a statement made an expression by [`as_statement`]), for a function
/// whose early exits have the runtime shape `shape`.
pub(crate) fn wrapper(
    invocation: &TokenStream,
    private: &Trees,
    scope: &Trees,
    shape: &str,
    exits: &Exits,
    at: Span,
) -> TokenStream {
    let span = Span::mixed_site().located_at(at);
    // In a match arm, where clippy expects code that may diverge (`bail!`).
    let invocation = &quote_spanned!(span=> match () { () => #invocation });
    let shape = Ident::new(shape, span);
    let value = Ident::new("__value", span);
    let with = Ident::new("__with", span);
    let returned = returned();
    let leave = &exits.leave;
    let proceed =
        |value: TokenStream| quote_spanned!(span=> #private::proceed(#scope, #private::#shape, #value));
    let (body, carried) = match &exits.jumps {
        None => {
            let proceeded = proceed(quote!(#value));
            // A macro that always returns leaves the rest unreachable: not
            // the user's code to be warned about.
            (
                quote_spanned! {span=>
                    let #value = #invocation;
                    #[allow(unreachable_code)]
                    let #with = #proceeded;
                    #with
                },
                quote_spanned!(span=> ::core::ops::ControlFlow::Continue(#value) => #value,),
            )
        }
        Some((continue_, break_)) => {
            // A loop around the invocation, inside the closure: a `continue`
            // hidden in the macro starts its second pass, which carries the
            // `continue` out; a `break` ends it, with the value it has.
            // Without a hidden `break` that loop never ends: its type is
            // whatever the user's loop breaks with, which keeps a `loop` of
            // type `!` or `T` as it was.
            let pass = Ident::new("__pass", span);
            let broke = broke(span);
            let value_pass = proceed(quote_spanned!(span=> #private::Carried::Value(#value)));
            let hid_continue = proceed(quote_spanned!(span=> #private::Carried::Continue));
            let hid_break = proceed(quote_spanned!(span=> #private::Carried::Break(#broke)));
            (
                quote_spanned! {span=>
                    let mut #pass = false;
                    #[allow(unreachable_code, clippy::never_loop)]
                    let #broke = loop {
                        if #pass {
                            return #hid_continue;
                        }
                        #pass = true;
                        let #value = #invocation;
                        return #value_pass;
                    };
                    #[allow(unreachable_code)]
                    let #with = #hid_break;
                    #with
                },
                quote_spanned! {span=>
                    ::core::ops::ControlFlow::Continue(#private::Carried::Value(#value)) => #value,
                    ::core::ops::ControlFlow::Continue(#private::Carried::Continue) => #continue_,
                    ::core::ops::ControlFlow::Continue(#private::Carried::Break(#broke)) => #break_,
                },
            )
        }
    };
    quote_spanned! {span=>
        match #private::hidden(#scope, #private::#shape, || { #body }) {
            #carried
            ::core::ops::ControlFlow::Break(#returned) => #leave,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::wraps;

    fn wrapped(text: &str, statement: bool) -> bool {
        wraps(&syn::parse_str::<syn::Macro>(text).unwrap(), statement)
    }

    #[test]
    fn returning_and_unknown_macros_are_wrapped() {
        assert!(wrapped("bail!(\"no\")", true));
        assert!(wrapped("anyhow::ensure!(ok)", true));
        assert!(wrapped("ready!(self.poll_inner(cx))", false));
        assert!(wrapped("itry!(entry)", false));
        assert!(wrapped("my_crate::check!(x > 1, \"too small\")", true));
    }

    #[test]
    fn macros_that_define_names_jump_or_await_are_not() {
        assert!(!wrapped("println!(\"{x}\")", true));
        assert!(!wrapped("thread_local! { static X: u8 = 1; }", true));
        assert!(!wrapped("pin_mut!(a, b)", true));
        assert!(!wrapped("tokio::pin!(future)", true));
        assert!(!wrapped("my_let!(let x = 1)", true));
        assert!(!wrapped("let_or_bail!(first = values.first())", true));
        assert!(wrapped("check!(a == b)", true));
        assert!(wrapped("check!(a >= b, \"x\")", true));
        assert!(!wrapped("select! { _ = a => continue, _ = b => {} }", false));
        assert!(!wrapped("unwrap_or!(x, break)", false));
        assert!(!wrapped("with_future!(f.await)", false));
        assert!(!wrapped(
            "probe_loop!(i < n, { if found(i) { return Some(i); } })",
            true
        ));
    }

    #[test]
    fn item_definitions_are_not() {
        assert!(!wrapped("define! { fn f() {} }", true));
        assert!(!wrapped("lazy_static! { static ref X: u8 = 1; }", true));
    }
}
