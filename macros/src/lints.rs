//! Lint attributes for generated statements.
//!
//! Each goes on the one generated statement that needs it, never on the
//! user's code, so the user's own lints keep firing.

use proc_macro2::TokenStream;
use quote::quote;

/// `(|| body)()` is the point of the expansion: the closure is where `return`
/// and `?` land.
pub(crate) fn allow_redundant_closure_call() -> TokenStream {
    quote!(#[allow(unknown_lints, clippy::redundant_closure_call)])
}
