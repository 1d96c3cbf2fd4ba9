//! Return-site coercions for a body that moves into an `async` block.
//!
//! The body of an `async` `#[recover]` function runs inside an `async move`
//! block, whose output type rustc infers from the first value it meets, not
//! from the function's signature. Where the function coerced its values to
//! the declared type (`Box<u32>` to `Box<dyn Display>`, `&String` to
//! `&dyn Debug`), the block would stop at the first mismatch. Binding each
//! value to a `let` annotated with the return type gives every exit the
//! expected type again. (A closure takes the type from its call instead; see
//! the turbofish in `expand`.)

use proc_macro2::{Ident, Span, TokenStream};

use crate::trees::Trees;
use quote::quote_spanned;
use syn::{Block, Expr};

/// `value` checked against the return type `ty`, as a block expression.
pub(crate) fn coerced(ty: &Trees, value: &TokenStream, span: Span) -> TokenStream {
    let local = Ident::new("__value", Span::mixed_site());
    let value = typed_place(value);
    // A diverging value (`loop {}`, `panic!()`) leaves the rest unreachable:
    // generated code, not the user's to be warned about.
    quote_spanned! {span=>
        {
            let #local: #ty = #value;
            #[allow(unreachable_code)]
            let #local = #local;
            #local
        }
    }
}

/// Rewrites every `return value` of the function's own body to
/// `return coerced(value)`.
pub(crate) fn coerce_returns(block: &mut Block, ty: &Trees) {
    crate::own_returns::for_each_own_return(block, |ret| {
        if let Some(value) = &mut ret.expr {
            let span = Span::mixed_site().located_at(ret.return_token.span);
            **value = Expr::Verbatim(coerced(ty, &quote::quote!(#value), span));
        }
    });
}

/// `value` as the initializer of a `let` with a type: a match arm.
///
/// The arm gives the value the `let`'s type as its expected type, as the
/// initializer itself would, so that it coerces. Unlike the bare
/// initializer, a match arm is where clippy expects code that diverges: a
/// body ending in `panic!()` is not a `diverging_sub_expression`.
pub(crate) fn typed_place(value: &TokenStream) -> TokenStream {
    quote::quote_spanned!(Span::mixed_site()=> match () { () => #value })
}
