//! The identifiers the expansion introduces. Mixed-site hygiene keeps them
//! apart from the user's names.

use crate::trees::Trees;
use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

pub(crate) struct Names {
    /// The exit slot.
    pub(crate) exit: Ident,
    /// What the actions and the boundary are given to name the function:
    /// the site closure, where something reads the name (a recovered
    /// `Panic`, `tracing` events); else `()`, one type for every function,
    /// which costs a debug build nothing per function.
    pub(crate) site: Trees,
    /// The site closure, `let __site = || {};` at the top of the body, whose
    /// type names the function: when the name is read.
    pub(crate) site_closure: Option<Ident>,
}

impl Names {
    /// `reads_the_name`: whether anything reads the function's name, which
    /// `#[recover]` always does and the actions do only with `tracing`.
    pub(crate) fn new(reads_the_name: bool) -> Self {
        let site_closure = reads_the_name.then(|| Ident::new("__site", Span::mixed_site()));
        Names {
            exit: Ident::new("__exit", Span::mixed_site()),
            site: site_closure.as_ref().map_or_else(unit, |site| {
                [TokenTree::Ident(site.clone())].into_iter().collect()
            }),
            site_closure,
        }
    }
}

/// `()`, as `quote!` writes it.
fn unit() -> Trees {
    let unit = Group::new(Delimiter::Parenthesis, TokenStream::new());
    [TokenTree::Group(unit)].into_iter().collect()
}
