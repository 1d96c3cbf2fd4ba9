//! A function whose body does not parse, as it is while being typed: given
//! back as written, so that rustc reports the syntax error once, at the
//! user's tokens, and nothing else.
//!
//! Left as they are, the deferred statements would each add "cannot find
//! macro `defer`". Instead each becomes the runtime's `unparsed!`, which
//! type-checks its code where the form allows (an editor then completes and
//! hovers inside it as in a plain function) and runs nothing. The body starts
//! with a call to the runtime's `unparsed_body`, which fails the build, with
//! a message of its own, only if rustc compiles the function to machine
//! code: never when the syntax error is real, and always if this crate's
//! parser ever rejects a body that rustc accepts.

use proc_macro2::{Delimiter, Group, Ident, Spacing, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Result, Signature, Token, Visibility};

use crate::forms::Macro;
use crate::root::relocate;
use crate::trees::Trees;

/// The item as written, its deferred statements neutralised, or unchanged
/// if it has no body.
pub(crate) fn as_written(item: TokenStream, private: &Trees) -> TokenStream {
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let Some(body_at) = tokens
        .iter()
        .rposition(|token| matches!(token, TokenTree::Group(group) if group.delimiter() == Delimiter::Brace))
    else {
        return tokens.into_iter().collect();
    };
    let head: TokenStream = tokens[..body_at].iter().cloned().collect();
    let returned = syn::parse2::<Head>(head).ok().and_then(|head| hook_type(&head.0));
    let TokenTree::Group(body) = &tokens[body_at] else {
        unreachable!("found as a brace group above");
    };
    let mut stream = neutralise(body.stream(), private, returned.as_ref());
    stream = after_inner_attributes(stream, &quote!(#private::unparsed_body(|| {});));
    let mut rebuilt = Group::new(Delimiter::Brace, stream);
    rebuilt.set_span(body.span());
    tokens[body_at] = TokenTree::Group(rebuilt);
    tokens.into_iter().collect()
}

/// What comes before a function's body: its attributes, visibility and
/// signature.
struct Head(Signature);

impl Parse for Head {
    fn parse(input: ParseStream<'_>) -> Result<Self> {
        input.call(Attribute::parse_outer)?;
        input.parse::<Visibility>()?;
        if input.peek(Token![default]) {
            input.parse::<Token![default]>()?;
        }
        let signature = input.parse()?;
        if !input.is_empty() {
            return Err(input.error("expected the body"));
        }
        Ok(Head(signature))
    }
}

/// The type a hook's parameter points to: the return type, unless it is
/// opaque (`impl Trait` cannot be written in a closure's parameter).
fn hook_type(signature: &Signature) -> Option<TokenStream> {
    match &signature.output {
        syn::ReturnType::Default => Some(quote!(())),
        syn::ReturnType::Type(_, ty) => {
            let ty = ty.to_token_stream();
            let opaque = ty
                .clone()
                .into_iter()
                .any(|token| matches!(&token, TokenTree::Ident(ident) if ident == "impl"));
            (!opaque).then_some(ty)
        }
    }
}

/// `stream` with every `defer!(…)`/`defer_on_err!(…)` invocation, at any
/// depth, pointed at `unparsed!`.
fn neutralise(stream: TokenStream, private: &Trees, returned: Option<&TokenStream>) -> TokenStream {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(tokens.len());
    let mut index = 0;
    while index < tokens.len() {
        if let Some((name, group)) = invocation_at(&tokens, index) {
            // The path before the name (`epilogue::`, `::epilogue::`).
            while ends_with_path_separator(&out) {
                out.truncate(out.len() - 2);
                if matches!(out.last(), Some(TokenTree::Ident(_))) {
                    out.pop();
                }
            }
            let span = name.span();
            let contents = neutralise(group.stream(), private, returned);
            let mut inner = Group::new(
                group.delimiter(),
                quote_spanned!(span=> #name [#returned] #contents),
            );
            inner.set_span(group.span());
            out.extend(relocate(&quote!(#private::unparsed!), span).into_trees());
            out.push(TokenTree::Group(inner));
            index += 3;
            continue;
        }
        match &tokens[index] {
            TokenTree::Group(group) => {
                let mut rebuilt =
                    Group::new(group.delimiter(), neutralise(group.stream(), private, returned));
                rebuilt.set_span(group.span());
                out.push(TokenTree::Group(rebuilt));
            }
            other => out.push(other.clone()),
        }
        index += 1;
    }
    out.into_iter().collect()
}

/// `defer ! (…)` or `defer_on_err ! {…}` at `index`: the name and the group.
fn invocation_at(tokens: &[TokenTree], index: usize) -> Option<(Ident, Group)> {
    let [TokenTree::Ident(name), TokenTree::Punct(bang), TokenTree::Group(group), ..] = &tokens[index..]
    else {
        return None;
    };
    (Macro::is_name(name) && bang.as_char() == '!').then(|| (name.clone(), group.clone()))
}

/// Whether `out` ends with `::`.
fn ends_with_path_separator(out: &[TokenTree]) -> bool {
    let [.., TokenTree::Punct(first), TokenTree::Punct(second)] = out else {
        return false;
    };
    first.as_char() == ':' && first.spacing() == Spacing::Joint && second.as_char() == ':'
}

/// `stream` with `statement` after its inner attributes (`#![…]`).
fn after_inner_attributes(stream: TokenStream, statement: &TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = stream.into_iter().collect();
    let mut at = 0;
    while let [TokenTree::Punct(hash), TokenTree::Punct(bang), TokenTree::Group(_), ..] = &tokens[at..] {
        if hash.as_char() != '#' || bang.as_char() != '!' {
            break;
        }
        at += 3;
    }
    let mut out: TokenStream = tokens[..at].iter().cloned().collect();
    out.extend(statement.clone());
    out.extend(tokens[at..].iter().cloned());
    out
}

#[cfg(test)]
mod tests {
    use super::as_written;
    use quote::quote;

    fn written(item: proc_macro2::TokenStream) -> String {
        as_written(item, &crate::root::Root::default_root().private()).to_string()
    }

    #[test]
    fn deferred_statements_at_any_depth_and_path_are_neutralised() {
        let out = written(quote! {
            fn f(v: Vec<u8>) -> Result<usize, String> {
                defer! { a(); }
                if x { epilogue::defer_on_err!(|err| b(err)); }
                let x = v.;
            }
        });
        assert!(!out.contains("defer !"), "{out}");
        assert!(!out.contains("epilogue :: defer_on_err"), "{out}");
        assert!(
            out.contains(
                ":: epilogue :: __private :: unparsed ! { defer [Result < usize , String >] a () ; }"
            ),
            "{out}"
        );
        assert!(
            out.contains("unparsed ! (defer_on_err [Result < usize , String >] | err | b (err))"),
            "{out}"
        );
        assert!(
            out.contains("{ :: epilogue :: __private :: unparsed_body (|| { }) ;"),
            "{out}"
        );
    }

    #[test]
    fn the_check_goes_after_inner_attributes_and_opaque_types_are_not_named() {
        let out = written(quote! {
            fn f() -> impl Sized { #![allow(unused)] defer!(|ret| ret); 1 + }
        });
        assert!(
            out.contains("# ! [allow (unused)] :: epilogue :: __private :: unparsed_body"),
            "{out}"
        );
        assert!(out.contains("unparsed ! (defer [] | ret | ret)"), "{out}");
    }
}
