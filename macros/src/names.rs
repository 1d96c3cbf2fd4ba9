//! The identifiers the expansion introduces. Mixed-site hygiene keeps them
//! apart from the user's names.

use proc_macro2::{Ident, Span};

pub(crate) struct Names {
    /// The exit slot.
    pub(crate) exit: Ident,
    /// The site closure whose type names the function.
    pub(crate) site: Ident,
}

impl Names {
    pub(crate) fn new() -> Self {
        Names {
            exit: Ident::new("__exit", Span::mixed_site()),
            site: Ident::new("__site", Span::mixed_site()),
        }
    }
}
