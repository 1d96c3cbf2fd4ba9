//! The arguments of `#[defer_on_exit(…)]` and `#[recover(…)]`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Error, Expr, Path, Result};

/// The path of the runtime crate: `::epilogue` unless `crate = path` says
/// otherwise (for a crate that re-exports epilogue).
#[derive(Clone)]
pub(crate) struct Root(TokenStream);

impl Root {
    pub(crate) fn default_root() -> Self {
        Root(quote!(::epilogue))
    }

    pub(crate) fn same_as(&self, other: &Root) -> bool {
        self.0.to_string() == other.0.to_string()
    }

    /// `ROOT::__private`, where everything the expansion calls lives.
    pub(crate) fn private(&self) -> TokenStream {
        let root = &self.0;
        quote!(#root::__private)
    }

    /// `ROOT::__private`, located at `span`: a path whose call fails a trait
    /// bound is what rustc points at, so it must be located at the user's
    /// tokens (the `defer_on_err!`, the `?`, the return type).
    pub(crate) fn private_at(&self, span: Span) -> TokenStream {
        relocate(&self.private(), span)
    }

    /// Whether `path` is `ROOT::name` (written with or without a leading `::`).
    pub(crate) fn is_prefix_of(&self, path: &Path) -> bool {
        let prefix: Vec<String> = self
            .0
            .clone()
            .into_iter()
            .filter_map(|token| match token {
                proc_macro2::TokenTree::Ident(ident) => Some(ident.to_string()),
                _ => None,
            })
            .collect();
        let segments: Vec<String> = path
            .segments
            .iter()
            .map(|segment| segment.ident.to_string())
            .collect();
        segments.len() == prefix.len() + 1 && segments[..prefix.len()] == prefix[..]
    }
}

/// `#[defer_on_exit(…)]`.
#[derive(Default)]
pub(crate) struct DeferArgs {
    pub(crate) root: Option<(Span, Root)>,
}

/// `#[recover(…)]`.
#[derive(Default)]
pub(crate) struct RecoverArgs {
    pub(crate) root: Option<(Span, Root)>,
    pub(crate) strategy: Strategy,
}

/// What a caught panic becomes.
#[derive(Default)]
pub(crate) enum Strategy {
    /// Decided by the return type (`FromPanic`).
    #[default]
    ReturnType,
    /// `default`: `Default::default()`.
    Default(Span),
    /// `with = handler`.
    With(Box<Expr>),
}

impl RecoverArgs {
    /// Whether every panic of the body ends at the boundary. A handler given
    /// with `with` may resume it.
    pub(crate) fn contains_panics(&self) -> bool {
        !matches!(self.strategy, Strategy::With(_))
    }
}

impl DeferArgs {
    pub(crate) fn parse(tokens: TokenStream) -> Result<Self> {
        let mut args = DeferArgs::default();
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("crate") {
                parse_root(&meta, &mut args.root)
            } else {
                Err(meta.error(format_args!(
                    "unknown argument `{}`: `#[defer_on_exit]` takes no arguments except `crate = path::to::epilogue`",
                    path_text(&meta.path)
                )))
            }
        });
        parser.parse2(tokens)?;
        Ok(args)
    }
}

impl RecoverArgs {
    pub(crate) fn parse(tokens: TokenStream) -> Result<Self> {
        let mut args = RecoverArgs::default();
        let parser = syn::meta::parser(|meta| {
            let span = meta.path.segments[0].ident.span();
            if meta.path.is_ident("crate") {
                parse_root(&meta, &mut args.root)
            } else if meta.path.is_ident("default") {
                if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                    return Err(meta.error("`default` takes no value: write `#[recover(default)]`"));
                }
                set_strategy(&mut args.strategy, Strategy::Default(span), span)
            } else if meta.path.is_ident("with") {
                if !meta.input.peek(syn::Token![=]) {
                    return Err(meta.error(
                        "`with` needs a handler: `#[recover(with = |panic| …)]` or `#[recover(with = path::to::handler)]`",
                    ));
                }
                let handler: Expr = meta.value()?.parse()?;
                set_strategy(&mut args.strategy, Strategy::With(Box::new(handler)), span)
            } else {
                Err(meta.error(format_args!(
                    "unknown argument `{}`: `#[recover]` takes `default`, `with = handler` or `crate = path::to::epilogue`",
                    path_text(&meta.path)
                )))
            }
        });
        parser.parse2(tokens)?;
        Ok(args)
    }
}

/// The same tokens, located at `span`; their hygiene is unchanged.
pub(crate) fn relocate(tokens: &TokenStream, span: Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut relocated =
                    proc_macro2::Group::new(group.delimiter(), relocate(&group.stream(), span));
                relocated.set_span(group.span().located_at(span));
                token = proc_macro2::TokenTree::Group(relocated);
            } else {
                token.set_span(token.span().located_at(span));
            }
            token
        })
        .collect()
}

fn parse_root(meta: &ParseNestedMeta<'_>, root: &mut Option<(Span, Root)>) -> Result<()> {
    let span = meta.path.segments[0].ident.span();
    if root.is_some() {
        return Err(Error::new(span, "`crate` is given twice"));
    }
    let path: Path = meta.value()?.parse()?;
    *root = Some((span, Root(path.into_token_stream())));
    Ok(())
}

fn set_strategy(current: &mut Strategy, new: Strategy, span: Span) -> Result<()> {
    let name = |strategy: &Strategy| match strategy {
        Strategy::ReturnType => "",
        Strategy::Default(_) => "default",
        Strategy::With(..) => "with",
    };
    match (&*current, &new) {
        (Strategy::ReturnType, _) => {
            *current = new;
            Ok(())
        }
        (old, new) if name(old) == name(new) => Err(Error::new(span, format_args!("`{}` is given twice", name(new)))),
        _ => Err(Error::new(
            span,
            "`default` and `with` cannot both be given: a panic becomes either `Default::default()` or what the handler returns",
        )),
    }
}

fn path_text(path: &Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}
