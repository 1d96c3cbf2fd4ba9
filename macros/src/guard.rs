//! The guard statement a deferred action becomes.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::deferred::{Action, Body};
use crate::root::relocate;

/// Where a guard is: its number in the function, and whether it is in the
/// outermost block of the body.
#[derive(Clone, Copy)]
pub(crate) struct Position {
    pub(crate) index: usize,
    pub(crate) top: bool,
}

/// What every guard of a function is given besides its action.
pub(crate) struct Context<'a> {
    /// `ROOT::__private`.
    pub(crate) private: &'a TokenStream,
    /// The scope the guard consults: the exit slot, or `NoSlot`.
    pub(crate) scope: &'a TokenStream,
    /// The site closure that names the function.
    pub(crate) site: &'a Ident,
}

/// `let __defer_0 = __private::defer(scope, depth, site, || { … });`, located
/// at the invocation (`at`), with its outer attributes (`#[cfg(…)]`).
pub(crate) fn guard(
    action: Action,
    attrs: &TokenStream,
    at: Span,
    cx: &Context<'_>,
    place: Position,
) -> TokenStream {
    let form = action.form;
    let span = Span::mixed_site().located_at(at);
    let private = &relocate(cx.private, at);
    let scope = &relocate(cx.scope, at);
    let site = cx.site;
    let name = format_ident!("{}_{}", form.local, place.index, span = span);
    let constructor = Ident::new(form.constructor, span);
    // At the top of the body, an empty slot can only mean a panic. In an
    // inner block, a form that runs depending on a panic must know whether
    // the thread was already unwinding when it was registered (see
    // `InnerBlock` in the runtime); the others only label their exit.
    let depth = match (place.top, form.runs_on_panic_only_if_own) {
        (true, _) => quote_spanned!(span=> #private::TopBlock),
        (false, true) => quote_spanned!(span=> #private::InnerBlock::now()),
        (false, false) => quote_spanned!(span=> #private::InnerBlock::label_only()),
    };
    let action = match action.body {
        Body::Stmts(body) => {
            let capture = action.capture;
            quote_spanned!(span=> #capture || { #body })
        }
        Body::Closure(closure) => quote!(#closure),
    };
    quote_spanned! {span=>
        #attrs
        let #name = #private::#constructor(#scope, #depth, #site, #action);
    }
}
