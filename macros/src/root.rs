//! The path of the runtime crate, and the one rule for recognising
//! epilogue's names in the user's code.

use proc_macro2::{Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::Path;

use crate::trees::Trees;

/// The path of the runtime crate: `::epilogue` unless `crate = path` says
/// otherwise (for a crate that re-exports epilogue).
#[derive(Clone)]
pub(crate) struct Root(Trees);

impl Root {
    pub(crate) fn default_root() -> Self {
        let mut root = path_separator();
        root.push(Ident::new("epilogue", Span::call_site()).into());
        Root(root.into_iter().collect())
    }

    pub(crate) fn new(path: &Path) -> Self {
        Root(path.into_token_stream().into())
    }

    pub(crate) fn same_as(&self, other: &Root) -> bool {
        self.0.to_token_stream().to_string() == other.0.to_token_stream().to_string()
    }

    /// `ROOT::__private`, where everything the expansion calls lives.
    pub(crate) fn private(&self) -> Trees {
        let mut private = self.0.clone();
        private.extend(path_separator());
        private.extend([Ident::new("__private", Span::call_site()).into()]);
        private
    }

    /// `ROOT::__private`, located at `span`: a path whose call fails a trait
    /// bound is what rustc points at, so it must be located at the user's
    /// tokens (the `defer_on_err!`, the `?`, the return type).
    pub(crate) fn private_at(&self, span: Span) -> Trees {
        self.private().located_at(span)
    }

    /// Whether `path` names epilogue's item `name` (a macro or an attribute):
    /// `name` itself, as it is imported or recognised inside an annotated
    /// function; `epilogue::name` or `::epilogue::name`; or `ROOT::name`
    /// under `crate = ROOT`. This is the only rule by which the expansion
    /// recognises its own names.
    pub(crate) fn names(&self, path: &Path, name: &str) -> bool {
        let Some(last) = path.segments.last() else {
            return false;
        };
        if last.ident != name {
            return false;
        }
        let prefix: Vec<String> = path
            .segments
            .iter()
            .take(path.segments.len() - 1)
            .map(|segment| segment.ident.to_string())
            .collect();
        match &prefix[..] {
            [] => path.leading_colon.is_none(),
            [crate_name] if crate_name == "epilogue" => true,
            _ => prefix == self.segments(),
        }
    }

    /// The identifiers of the root path (`["my_crate", "reexports"]`).
    fn segments(&self) -> Vec<String> {
        self.0
            .iter()
            .filter_map(|token| match token {
                TokenTree::Ident(ident) => Some(ident.to_string()),
                _ => None,
            })
            .collect()
    }
}

/// `::`, as `quote!` writes it.
fn path_separator() -> Vec<TokenTree> {
    vec![
        Punct::new(':', Spacing::Joint).into(),
        Punct::new(':', Spacing::Alone).into(),
    ]
}

/// The same tokens, located at `span`; their hygiene is unchanged.
pub(crate) fn relocate(tokens: &TokenStream, span: Span) -> Trees {
    Trees::from(tokens.clone()).located_at(span)
}
