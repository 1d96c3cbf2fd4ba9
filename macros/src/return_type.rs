//! The annotated function's return type, as the expansion needs to name it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::visit_mut::{self, VisitMut};
use syn::Type;

use crate::trees::Trees;

#[allow(clippy::struct_excessive_bools)] // independent facts about one type
pub(crate) struct ReturnType {
    /// The type with every `impl Trait` replaced by `_`, for positions where
    /// `impl Trait` is not allowed (a turbofish); inference fills it in.
    erased: Trees,
    /// The type with every `impl Trait` replaced by `()`: what the `tracing`
    /// classifier looks at, which only needs the outer type (`Result<_, E>`)
    /// and must not leave an inference variable of its own.
    probe: Trees,
    /// Where errors about the return type point: the type, or the function
    /// name when there is no `->`.
    pub(crate) span: Span,
    pub(crate) has_impl_trait: bool,
    pub(crate) is_unit: bool,
    pub(crate) is_never: bool,
    /// The whole type is `impl Trait`, so nothing about it can be named.
    pub(crate) is_opaque: bool,
    /// Which values of the type leave the function early (`Err(_)`,
    /// `None`, `Poll::Pending`, …), as far as its outer types tell: what a
    /// `return` hidden in another macro may return.
    pub(crate) early_exits: Option<EarlyExits>,
}

/// The shapes of return type whose early exits a `return` hidden in another
/// macro can take (the runtime's `shape` types of the same names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EarlyExits {
    /// `Result<T, E>`, `io::Result<T>`, any path ending in `Result`: `Err(_)`.
    Result,
    /// `Option<T>`: `None`.
    Option,
    /// `Option<Result<T, E>>`, an iterator of results: `None`, `Some(Err(_))`.
    OptionResult,
    /// `Poll<T>`: `Pending`.
    Poll,
    /// `Poll<Result<T, E>>`: `Pending`, `Ready(Err(_))`.
    PollResult,
    /// `Poll<Option<T>>`, a stream: `Pending`, `Ready(None)`.
    PollOption,
    /// `Poll<Option<Result<T, E>>>`, a stream of results: `Pending`,
    /// `Ready(None)`, `Ready(Some(Err(_)))`.
    PollOptionResult,
}

impl EarlyExits {
    /// The runtime's shape type.
    pub(crate) const fn shape(self) -> &'static str {
        match self {
            EarlyExits::Result => "ResultExits",
            EarlyExits::Option => "OptionExits",
            EarlyExits::OptionResult => "OptionResultExits",
            EarlyExits::Poll => "PollExits",
            EarlyExits::PollResult => "PollResultExits",
            EarlyExits::PollOption => "PollOptionExits",
            EarlyExits::PollOptionResult => "PollOptionResultExits",
        }
    }

    fn of(ty: &Type) -> Option<Self> {
        let (name, inner) = outer_name(ty)?;
        let is_result = |ty: Option<&Type>| {
            ty.and_then(outer_name)
                .is_some_and(|(name, _)| name.ends_with("Result"))
        };
        let is_option = |ty: Option<&Type>| ty.and_then(outer_name).is_some_and(|(name, _)| name == "Option");
        if name.ends_with("Result") {
            return Some(EarlyExits::Result);
        }
        match name.as_str() {
            "Option" if is_result(inner) => Some(EarlyExits::OptionResult),
            "Option" => Some(EarlyExits::Option),
            "Poll" if is_result(inner) => Some(EarlyExits::PollResult),
            "Poll" if is_option(inner) => {
                let inner = inner.and_then(outer_name).and_then(|(_, inner)| inner);
                if is_result(inner) {
                    Some(EarlyExits::PollOptionResult)
                } else {
                    Some(EarlyExits::PollOption)
                }
            }
            "Poll" => Some(EarlyExits::Poll),
            _ => None,
        }
    }
}

/// The last segment of a path type, and its first generic type argument.
fn outer_name(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(path) = peel(ty) else {
        return None;
    };
    let last = path.path.segments.last()?;
    let first_argument = match &last.arguments {
        syn::PathArguments::AngleBracketed(arguments) => {
            arguments.args.iter().find_map(|argument| match argument {
                syn::GenericArgument::Type(ty) => Some(ty),
                _ => None,
            })
        }
        _ => None,
    };
    Some((last.ident.to_string(), first_argument))
}

impl ReturnType {
    /// The return type `ty`, or `()` when there is none.
    pub(crate) fn new(ty: Option<&Type>, fn_name_span: Span) -> Self {
        match ty {
            None => ReturnType {
                erased: quote_spanned!(fn_name_span=> ()).into(),
                probe: quote_spanned!(fn_name_span=> ()).into(),
                span: fn_name_span,
                has_impl_trait: false,
                is_unit: true,
                is_never: false,
                is_opaque: false,
                early_exits: None,
            },
            Some(ty) => Self::written(ty, &ty.to_token_stream()),
        }
    }

    /// The return type `ty`, whose tokens are `tokens` (the type as
    /// written, or printed back).
    pub(crate) fn written(ty: &Type, tokens: &TokenStream) -> Self {
        let (erased, has_impl_trait) = erase_impl_trait(tokens, &quote!(_));
        let probe = if has_impl_trait {
            erase_impl_trait(tokens, &quote!(())).0.into()
        } else {
            erased.clone().into()
        };
        ReturnType {
            is_unit: matches!(ty, Type::Tuple(tuple) if tuple.elems.is_empty()),
            is_never: matches!(ty, Type::Never(_)),
            is_opaque: matches!(peel(ty), Type::ImplTrait(_)),
            early_exits: EarlyExits::of(ty),
            span: joined_span(tokens),
            erased: erased.into(),
            probe,
            has_impl_trait,
        }
    }

    /// The type with `impl Trait` erased.
    pub(crate) fn of(output: &syn::ReturnType, fn_name_span: Span) -> Self {
        match output {
            syn::ReturnType::Default => Self::new(None, fn_name_span),
            syn::ReturnType::Type(_, ty) => Self::new(Some(ty), fn_name_span),
        }
    }

    pub(crate) fn erased(&self) -> &Trees {
        &self.erased
    }

    /// The type the `tracing` classifier probes.
    pub(crate) fn probe(&self) -> &Trees {
        &self.probe
    }
}

/// The span from the first token of `tokens` to the last, where the
/// compiler can join them, else the first token's: what syn's `span()` gives
/// for the type they print, without printing it again.
fn joined_span(tokens: &TokenStream) -> Span {
    let mut spans = tokens.clone().into_iter().map(|token| token.span());
    let Some(first) = spans.next() else {
        return Span::call_site();
    };
    spans.last().and_then(|last| first.join(last)).unwrap_or(first)
}

fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Paren(inner) => peel(&inner.elem),
        Type::Group(inner) => peel(&inner.elem),
        other => other,
    }
}

/// Replaces each `impl Trait` in a type with `replacement`.
fn erase_impl_trait(tokens: &TokenStream, replacement: &TokenStream) -> (TokenStream, bool) {
    // Most return types have none; parsing the type again (syn's types
    // are not `Clone` here) would be most of the cost of this function.
    if !mentions_impl(tokens) {
        return (tokens.clone(), false);
    }
    let Ok(mut ty) = syn::parse2::<Type>(tokens.clone()) else {
        return (replacement.clone(), true);
    };
    let mut eraser = ImplTraitEraser {
        found: false,
        replacement,
    };
    eraser.visit_type_mut(&mut ty);
    (ty.into_token_stream(), eraser.found)
}

struct ImplTraitEraser<'a> {
    found: bool,
    replacement: &'a TokenStream,
}

impl VisitMut for ImplTraitEraser<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(impl_trait) = ty {
            self.found = true;
            let span = impl_trait.impl_token.span;
            let replacement = self.replacement;
            *ty = Type::Verbatim(quote_spanned!(span=> #replacement));
        } else {
            visit_mut::visit_type_mut(self, ty);
        }
    }
}

fn mentions_impl(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(ident) => ident == "impl",
        proc_macro2::TokenTree::Group(group) => mentions_impl(&group.stream()),
        _ => false,
    })
}
