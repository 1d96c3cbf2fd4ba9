//! The annotated item: a function with a body, or a compile error that names
//! what it is instead.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::buffer::Cursor;
use syn::parse::{Parse, ParseStream};
use syn::{braced, token, Attribute, Block, Error, Result, Signature, Token, Visibility};

use crate::root::Root;
use crate::trees::splice;

/// A free function, method, trait method with a default body, `async`,
/// `unsafe`, `extern` or generic: anything `fn` with a body.
pub(crate) struct Function {
    pub(crate) outer_attrs: Vec<Attribute>,
    pub(crate) inner_attrs: Vec<Attribute>,
    /// The visibility, `default` and signature, as written: printing the
    /// parsed signature back is costly in a proc macro built unoptimised,
    /// and the expansion never changes it.
    head: TokenStream,
    pub(crate) sig: Signature,
    pub(crate) block: Block,
}

/// The other attribute of this crate, found on the same function.
pub(crate) struct Companion {
    /// Its path as written (`recover`, `epilogue::defer_on_exit`).
    pub(crate) path: TokenStream,
    pub(crate) args: TokenStream,
}

impl Companion {
    /// A `use` of the attribute's path for the expanded body: expanding it
    /// together with this one means rustc never resolves its name, and the
    /// user's `use epilogue::{defer_on_exit, recover};` would be reported
    /// unused.
    pub(crate) fn mark_used(&self) -> TokenStream {
        let path = &self.path;
        quote!(#[allow(unused_imports)] use #path as _;)
    }
}

/// Which of the two attributes is expanding.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attr {
    DeferOnExit,
    Recover,
}

impl Attr {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Attr::DeferOnExit => "defer_on_exit",
            Attr::Recover => "recover",
        }
    }

    pub(crate) fn other(self) -> Attr {
        match self {
            Attr::DeferOnExit => Attr::Recover,
            Attr::Recover => Attr::DeferOnExit,
        }
    }
}

impl Parse for Function {
    fn parse(input: ParseStream<'_>) -> Result<Self> {
        let outer_attrs = input.call(Attribute::parse_outer)?;
        let start = input.cursor();
        let _: Visibility = input.parse()?;
        if input.peek(Token![default]) && !input.peek2(Token![!]) {
            let _: Token![default] = input.parse()?;
        }
        let sig: Signature = input.parse()?;
        let head = tokens_between(start, input.cursor());
        if input.peek(Token![;]) {
            return Err(Error::new(Span::call_site(), "missing body"));
        }
        let content;
        let brace_token: token::Brace = braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let stmts = content.call(Block::parse_within)?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the function"));
        }
        Ok(Function {
            outer_attrs,
            inner_attrs,
            head,
            sig,
            block: Block { brace_token, stmts },
        })
    }
}

/// The tokens from `start` up to `end`, a cursor after it in the same group.
fn tokens_between(start: Cursor<'_>, end: Cursor<'_>) -> TokenStream {
    let mut tokens = TokenStream::new();
    let mut at = start;
    while at != end {
        let Some((token, next)) = at.token_tree() else {
            break;
        };
        tokens.extend(std::iter::once(token));
        at = next;
    }
    tokens
}

impl Function {
    /// Parses the annotated item, or explains what it is and why the
    /// attribute does not apply. `Err(None)`: the item does not parse at all,
    /// and rustc will report its syntax error when it sees it unchanged.
    pub(crate) fn parse(attr: Attr, item: &TokenStream) -> std::result::Result<Self, Option<Error>> {
        syn::parse2::<Function>(item.clone()).map_err(|_| not_a_function(attr, item))
    }

    /// Removes the other attribute of this crate, if it is on the function as
    /// well, and returns it: both attributes expand together, whichever is
    /// written first.
    pub(crate) fn take_companion(&mut self, attr: Attr, root: &Root) -> Option<Companion> {
        let name = attr.other().name();
        let position = self
            .outer_attrs
            .iter()
            .position(|attribute| root.names(attribute.path(), name))?;
        let attribute = self.outer_attrs.remove(position);
        let path = attribute.path().to_token_stream();
        let args = match attribute.meta {
            syn::Meta::Path(_) => TokenStream::new(),
            syn::Meta::List(list) => list.tokens,
            syn::Meta::NameValue(name_value) => name_value.value.into_token_stream(),
        };
        Some(Companion { path, args })
    }

    /// The function with a new body; the signature, attributes and the
    /// braces of the body are the user's own tokens, so that lints such as
    /// `dead_code` and go-to-definition keep pointing at user code.
    pub(crate) fn with_body(&self, body: &TokenStream) -> TokenStream {
        let Function {
            outer_attrs,
            inner_attrs,
            head,
            sig: _,
            block,
        } = self;
        let mut braced = TokenStream::new();
        block.brace_token.surround(&mut braced, |tokens| {
            for attribute in inner_attrs {
                attribute.to_tokens(tokens);
            }
            splice(tokens, body.clone());
        });
        quote!(#(#outer_attrs)* #head #braced)
    }

    /// The function unchanged, but for whatever the caller did to the block.
    pub(crate) fn unchanged(&self) -> TokenStream {
        let stmts = &self.block.stmts;
        self.with_body(&quote!(#(#stmts)*))
    }
}

fn not_a_function(attr: Attr, item: &TokenStream) -> Option<Error> {
    let name = attr.name();
    if looks_like_bodiless_fn(item) {
        return Some(Error::new(
            Span::call_site(),
            format_args!(
                "`#[{name}]` needs a function body: a trait method without a default body has nothing to rewrite; \
                 put `#[{name}]` on the method in each `impl` instead"
            ),
        ));
    }
    let what = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Struct(_)) => Some("a struct"),
        Ok(syn::Item::Enum(_)) => Some("an enum"),
        Ok(syn::Item::Union(_)) => Some("a union"),
        Ok(syn::Item::Trait(_)) => Some("a trait (put it on the trait's methods that have a default body)"),
        Ok(syn::Item::Impl(_)) => Some("an `impl` block (put it on the methods inside)"),
        Ok(syn::Item::Mod(_)) => Some("a module"),
        Ok(syn::Item::Const(_)) => Some("a constant"),
        Ok(syn::Item::Static(_)) => Some("a static"),
        Ok(syn::Item::Type(_)) => Some("a type alias"),
        Ok(syn::Item::Use(_)) => Some("a `use` declaration"),
        Ok(syn::Item::Macro(_)) => Some("a macro invocation"),
        Ok(syn::Item::ExternCrate(_)) => Some("an `extern crate`"),
        Ok(syn::Item::ForeignMod(_)) => Some("an `extern` block"),
        Ok(syn::Item::TraitAlias(_)) => Some("a trait alias"),
        Ok(_) => Some("this item"),
        Err(_) => None,
    };
    if let Some(what) = what {
        return Some(Error::new(
            Span::call_site(),
            format_args!("`#[{name}]` can only be applied to functions and methods, not to {what}"),
        ));
    }
    None
}

fn looks_like_bodiless_fn(item: &TokenStream) -> bool {
    let tokens: Vec<_> = item.clone().into_iter().collect();
    let has_fn = tokens
        .iter()
        .any(|token| matches!(token, proc_macro2::TokenTree::Ident(ident) if ident == "fn"));
    let ends_with_semi =
        matches!(tokens.last(), Some(proc_macro2::TokenTree::Punct(punct)) if punct.as_char() == ';');
    has_fn && ends_with_semi
}

/// A parameter clippy's `ptr_arg` looks at: `&String`, `&Vec<T>`, `&PathBuf`
/// or `&Cow<T>`, borrowed shared or mutably.
pub(crate) fn is_ptr_arg_candidate(input: &syn::FnArg) -> bool {
    let syn::FnArg::Typed(typed) = input else {
        return false;
    };
    let syn::Type::Reference(reference) = &*typed.ty else {
        return false;
    };
    let syn::Type::Path(path) = &*reference.elem else {
        return false;
    };
    path.path.segments.last().is_some_and(|last| {
        ["String", "Vec", "PathBuf", "Cow"]
            .iter()
            .any(|name| last.ident == name)
    })
}
