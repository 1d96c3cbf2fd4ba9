//! The arguments of `#[defer_on_exit(…)]` and `#[recover(…)]`.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Error, Expr, Path, Result};

use crate::root::Root;

/// `#[defer_on_exit(…)]`.
#[derive(Default)]
pub(crate) struct DeferArgs {
    pub(crate) root: Option<(Span, Root)>,
    /// `map_err = …`, with the span of `map_err`.
    pub(crate) map_err: Option<(Span, Box<Expr>)>,
}

/// `#[recover(…)]`.
#[derive(Default)]
pub(crate) struct RecoverArgs {
    pub(crate) root: Option<(Span, Root)>,
    pub(crate) conversion: Conversion,
}

/// What a caught panic becomes.
#[derive(Default)]
pub(crate) enum Conversion {
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
        !matches!(self.conversion, Conversion::With(_))
    }
}

impl DeferArgs {
    pub(crate) fn parse(tokens: TokenStream) -> Result<Self> {
        let mut args = DeferArgs::default();
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("crate") {
                parse_root(&meta, &mut args.root)
            } else if meta.path.is_ident("map_err") {
                let span = meta.path.segments[0].ident.span();
                if args.map_err.is_some() {
                    return Err(Error::new(span, "`map_err` is given twice"));
                }
                if !meta.input.peek(syn::Token![=]) {
                    return Err(meta.error(
                        "`map_err` needs a function of the error: `#[defer_on_exit(map_err = |err| err.context(\"…\"))]`",
                    ));
                }
                args.map_err = Some((span, Box::new(meta.value()?.parse()?)));
                Ok(())
            } else {
                Err(meta.error(format_args!(
                    "unknown argument `{}`: `#[defer_on_exit]` takes `map_err = |err| …` and \
                     `crate = path::to::epilogue`",
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
                set_conversion(&mut args.conversion, Conversion::Default(span), span)
            } else if meta.path.is_ident("with") {
                if !meta.input.peek(syn::Token![=]) {
                    return Err(meta.error(
                        "`with` needs a handler: `#[recover(with = |panic| …)]` or `#[recover(with = path::to::handler)]`",
                    ));
                }
                let handler: Expr = meta.value()?.parse()?;
                set_conversion(&mut args.conversion, Conversion::With(Box::new(handler)), span)
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

fn parse_root(meta: &ParseNestedMeta<'_>, root: &mut Option<(Span, Root)>) -> Result<()> {
    let span = meta.path.segments[0].ident.span();
    if root.is_some() {
        return Err(Error::new(span, "`crate` is given twice"));
    }
    let path: Path = meta.value()?.parse()?;
    *root = Some((span, Root::new(&path)));
    Ok(())
}

fn set_conversion(current: &mut Conversion, new: Conversion, span: Span) -> Result<()> {
    let name = |conversion: &Conversion| match conversion {
        Conversion::ReturnType => "",
        Conversion::Default(_) => "default",
        Conversion::With(..) => "with",
    };
    match (&*current, &new) {
        (Conversion::ReturnType, _) => {
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
