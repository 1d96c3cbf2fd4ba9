//! The annotated function's return type, as the expansion needs to name it.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::visit_mut::{self, VisitMut};
use syn::Type;

use crate::trees::{is_path_separator, is_punct, Trees};

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

    fn of<T: Outer>(ty: &T) -> Option<Self> {
        let (name, inner) = ty.outer()?;
        let is_result = |ty: Option<&T>| {
            ty.and_then(Outer::outer)
                .is_some_and(|(name, _)| name.ends_with("Result"))
        };
        let is_option = |ty: Option<&T>| {
            ty.and_then(Outer::outer)
                .is_some_and(|(name, _)| name == "Option")
        };
        if name.ends_with("Result") {
            return Some(EarlyExits::Result);
        }
        match name.as_str() {
            "Option" if is_result(inner) => Some(EarlyExits::OptionResult),
            "Option" => Some(EarlyExits::Option),
            "Poll" if is_result(inner) => Some(EarlyExits::PollResult),
            "Poll" if is_option(inner) => {
                let inner = inner.and_then(Outer::outer).and_then(|(_, inner)| inner);
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

/// A type as far as its early exits go: the last segment of a path type,
/// and its first generic type argument.
trait Outer {
    fn outer(&self) -> Option<(String, Option<&Self>)>;
}

impl Outer for Type {
    fn outer(&self) -> Option<(String, Option<&Type>)> {
        outer_name(self)
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

/// A path type read on its tokens: its last segment's name and first
/// generic type argument.
struct PathType {
    last: String,
    first_argument: Option<Box<PathType>>,
}

impl Outer for PathType {
    fn outer(&self) -> Option<(String, Option<&PathType>)> {
        Some((self.last.clone(), self.first_argument.as_deref()))
    }
}

/// Words that cannot be a segment of a type's path.
const NOT_A_SEGMENT: &[&str] = &[
    "_", "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become",
    "box", "do", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Reads the path type at `tokens[*at]`: `::`-separated identifiers, each
/// with generic arguments that are lifetimes or such path types. `None` for
/// anything else (a reference, a tuple, `impl Trait`, a turbofish, an
/// associated type binding, a const argument…).
fn path_type(tokens: &[TokenTree], at: &mut usize) -> Option<PathType> {
    if is_path_separator(tokens, *at) {
        *at += 2;
    }
    loop {
        let TokenTree::Ident(segment) = tokens.get(*at)? else {
            return None;
        };
        let last = segment.to_string();
        if NOT_A_SEGMENT.contains(&last.as_str()) {
            return None;
        }
        *at += 1;
        let first_argument = if is_punct(tokens, *at, '<') {
            *at += 1;
            generic_arguments(tokens, at)?.into_iter().next()
        } else {
            None
        };
        if !is_path_separator(tokens, *at) {
            return Some(PathType {
                last,
                first_argument: first_argument.map(Box::new),
            });
        }
        *at += 2;
    }
}

/// Reads the generic arguments after a `<`, through the `>`: lifetimes and
/// path types, at least one. Returns the types among them.
fn generic_arguments(tokens: &[TokenTree], at: &mut usize) -> Option<Vec<PathType>> {
    let mut types = Vec::new();
    loop {
        if is_punct(tokens, *at, '\'') {
            // `'a`
            if !matches!(tokens.get(*at + 1), Some(TokenTree::Ident(_))) {
                return None;
            }
            *at += 2;
        } else {
            types.push(path_type(tokens, at)?);
        }
        if is_punct(tokens, *at, ',') {
            *at += 1;
            if !is_punct(tokens, *at, '>') {
                continue;
            }
        }
        if !is_punct(tokens, *at, '>') {
            return None;
        }
        *at += 1;
        return Some(types);
    }
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
            span: joined_span(&tokens.clone().into_iter().collect::<Vec<_>>()),
            erased: erased.into(),
            probe,
            has_impl_trait,
        }
    }

    /// The return type written as `tokens`, read without syn when it is a
    /// path type whose generic arguments are lifetimes and such types
    /// (`Result<u64, io::Error>`, `Option<Vec<T>>`): nearly every return
    /// type, and the parse of it was a tenth of a token-level expansion.
    /// `None` for any other type, which syn reads.
    pub(crate) fn of_path_tokens(tokens: &[TokenTree]) -> Option<Self> {
        let mut at = 0;
        let ty = path_type(tokens, &mut at)?;
        if at != tokens.len() {
            return None;
        }
        let trees: Trees = tokens.iter().cloned().collect();
        Some(ReturnType {
            erased: trees.clone(),
            probe: trees,
            span: joined_span(tokens),
            has_impl_trait: false,
            is_unit: false,
            is_never: false,
            is_opaque: false,
            early_exits: EarlyExits::of(&ty),
        })
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
fn joined_span(tokens: &[TokenTree]) -> Span {
    match tokens {
        [] => Span::call_site(),
        [only] => only.span(),
        [first, .., last] => first.span().join(last.span()).unwrap_or(first.span()),
    }
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
        TokenTree::Ident(ident) => ident == "impl",
        TokenTree::Group(group) => mentions_impl(&group.stream()),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::ReturnType;
    use proc_macro2::{TokenStream, TokenTree};

    fn facts(ret: &ReturnType) -> (String, String, [bool; 4], Option<super::EarlyExits>) {
        let text = |trees: &super::Trees| quote::quote!(#trees).to_string();
        (
            text(&ret.erased),
            text(&ret.probe),
            [ret.has_impl_trait, ret.is_unit, ret.is_never, ret.is_opaque],
            ret.early_exits,
        )
    }

    #[test]
    fn a_path_type_read_on_its_tokens_is_what_syn_reads() {
        for ty in [
            "u32",
            "Result<u64, Failure>",
            "io::Result<()>",
            "::std::io::Result<Vec<u8>>",
            "Option<Result<T, E>>",
            "Option<&'a str>",
            "Poll<Option<Result<Bytes, io::Error>>>",
            "Poll<Option<u8>>",
            "Poll<Result<(), E>>",
            "Poll<T>",
            "Cow<'a, str>",
            "Result<Self, E,>",
            "crate::Result<super::Out>",
            "r#type::Result<u8>",
            "fmt::Result",
            "Box<dyn Error>",
        ] {
            let tokens: TokenStream = ty.parse().unwrap();
            let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
            let parsed: syn::Type = syn::parse2(tokens.clone()).unwrap();
            let by_syn = ReturnType::written(&parsed, &tokens);
            match ReturnType::of_path_tokens(&trees) {
                Some(on_tokens) => assert_eq!(facts(&on_tokens), facts(&by_syn), "{ty}"),
                // Left to syn: a reference, a tuple or `dyn` inside.
                None => assert!(
                    [
                        "Option<&'a str>",
                        "Poll<Result<(), E>>",
                        "io::Result<()>",
                        "Box<dyn Error>"
                    ]
                    .contains(&ty),
                    "{ty} was not read on its tokens"
                ),
            }
        }
    }

    #[test]
    fn anything_but_a_path_type_is_left_to_syn() {
        for ty in [
            "()",
            "!",
            "&'a str",
            "(u8, u16)",
            "[u8; 4]",
            "impl Iterator<Item = u8>",
            "Vec::<u8>",
            "<T as Trait>::Output",
            "Box<dyn Fn(u8) -> u8>",
            "Iter<Item = u8>",
            "Array<u8, 4>",
            "Array<u8, { N }>",
            "fn(u8) -> u8",
            "Result<>",
            "Result<u8",
            "_",
        ] {
            let trees: Vec<TokenTree> = ty.parse::<TokenStream>().unwrap().into_iter().collect();
            assert!(ReturnType::of_path_tokens(&trees).is_none(), "{ty}");
        }
    }
}
