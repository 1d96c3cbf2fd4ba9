//! Seeing into other macros' arguments.
//!
//! `println!("{}", load()?)`, `vec![a?, b?]`, `write!(f, "{}", x?)` and
//! `assert!(check()?)` hide a `?` inside a macro's tokens. Such arguments are
//! re-parsed as comma-separated expressions (or `value; count`), rewritten
//! like the rest of the body, and printed back. A macro whose arguments are
//! not expressions (`tokio::select!`, a DSL) cannot be rewritten; if it
//! visibly contains a `?` or `return`, the rewriter reports it instead of
//! letting that exit skip the hooks.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Macro, Token};

/// The parsed arguments of a macro.
enum MacroArgs {
    List(Punctuated<Expr, Token![,]>),
    Repeat(Box<Expr>, Token![;], Box<Expr>),
}

impl ToTokens for MacroArgs {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            MacroArgs::List(list) => list.to_tokens(tokens),
            MacroArgs::Repeat(value, semi, count) => {
                value.to_tokens(tokens);
                semi.to_tokens(tokens);
                count.to_tokens(tokens);
            }
        }
    }
}

fn parse_args(tokens: TokenStream) -> Option<MacroArgs> {
    let list = |input: ParseStream<'_>| Punctuated::<Expr, Token![,]>::parse_terminated(input);
    if let Ok(list) = list.parse2(tokens.clone()) {
        return Some(MacroArgs::List(list));
    }
    let repeat = |input: ParseStream<'_>| -> syn::Result<MacroArgs> {
        Ok(MacroArgs::Repeat(input.parse()?, input.parse()?, input.parse()?))
    };
    repeat.parse2(tokens).ok()
}

/// Visits each argument of `mac` as an expression and prints the visited
/// arguments back into the macro. Returns false, leaving the macro alone, when
/// the arguments are not expressions.
pub(crate) fn visit_args(mac: &mut Macro, mut visit: impl FnMut(&mut Expr)) -> bool {
    let Some(mut args) = parse_args(mac.tokens.clone()) else {
        return false;
    };
    match &mut args {
        MacroArgs::List(list) => list.iter_mut().for_each(&mut visit),
        MacroArgs::Repeat(value, _, count) => {
            visit(value);
            visit(count);
        }
    }
    mac.tokens = args.into_token_stream();
    true
}

/// The first `?` or `return` in `tokens` that looks like an exit of the
/// enclosing function, for the error when the macro cannot be rewritten.
pub(crate) fn first_exit(tokens: &TokenStream) -> Option<(Span, &'static str)> {
    let mut previous_is_value = false;
    for token in tokens.clone() {
        match &token {
            TokenTree::Ident(ident) if ident == "return" => return Some((ident.span(), "`return`")),
            // `value?`, not `?Sized`.
            TokenTree::Punct(punct) if punct.as_char() == '?' && previous_is_value => {
                return Some((punct.span(), "`?`"));
            }
            TokenTree::Group(group) => {
                if let Some(found) = first_exit(&group.stream()) {
                    return Some(found);
                }
            }
            _ => {}
        }
        previous_is_value = match &token {
            // `impl ?Sized`, `dyn ?Sized` are bounds, not `?` operators.
            TokenTree::Ident(ident) => ident != "impl" && ident != "dyn",
            TokenTree::Literal(_) | TokenTree::Group(_) => true,
            TokenTree::Punct(punct) => punct.as_char() == '?',
        };
    }
    None
}
