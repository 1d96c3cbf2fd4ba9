//! The exit slot: every way out of the function stores its value there
//! before the function's locals drop, so that hooks and `defer_on_err!` see
//! it while they run.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Block;

use crate::names::Names;
use crate::return_type::ReturnType;

/// Stores `value` in the exit slot and yields the proof the rewritten body
/// returns.
///
/// An assignment rather than a call taking the value: a debug build copies
/// every large argument onto its caller's stack, while `*place = Some(value)`
/// builds the `Some` in the slot. (Assignment evaluates the value before the
/// place, so a `?` inside the value finds the slot free.) Each exit still
/// builds its value in a temporary of its own in a debug build; optimised
/// builds merge them.
pub(crate) fn store(exit: &Ident, value: &TokenStream, span: Span) -> TokenStream {
    quote_spanned! {span=>
        {
            *#exit.place() = ::core::option::Option::Some(#value);
            #exit.stored()
        }
    }
}

/// The body of a function with an exit slot: the rewritten `block` (which
/// stores its value already) runs inside the slot's closure (an `async` block for an `async fn`), and the
/// function returns what the slot holds once every deferred action ran.
pub(crate) fn slot_body(
    block: &mut Block,
    ret: &ReturnType,
    private: &TokenStream,
    names: &Names,
    is_async: bool,
) -> TokenStream {
    let exit = &names.exit;
    let seen = Ident::new("__seen", Span::mixed_site());
    let ty = ret.erased();
    let classifier = if ret.is_opaque {
        quote!(#private::Unclassified)
    } else {
        let probe = ret.probe();
        quote!(#private::classifier!(#probe))
    };
    // Ties the slot to the return type before the body is checked, so that a
    // returned `impl Fn` closure infers its parameters.
    let hint = if ret.has_impl_trait {
        quote!(if false { return #exit.return_type_hint(); })
    } else {
        quote!()
    };
    let stmts = &block.stmts;
    // The user's braces again, so that "dropped here" in borrow errors
    // points at the end of the function.
    let inner = crate::expand::in_braces(block.brace_token.span, quote!(#(#stmts)*));
    // The slot is bound by reference (the temporary lives to the end of the
    // function), so that `move` copies the reference, not the slot. The body
    // owns the parameters it uses, as the function did:
    // - the async block, as the function's own future: a `Send` parameter
    //   that is not `Sync` keeps the future `Send`;
    // - the closure: a write through `&mut self` that only a `Drop` reads
    //   (a "busy" flag around a callback) is not taken for a dead store, as
    //   rustc's liveness lint does for a place a closure borrows; and the
    //   parameters stay in registers. Called through an `FnOnce` bound, it
    //   can still give back a reborrow of a `&mut` parameter.
    if is_async {
        quote! {
            let #exit = &#private::AsyncExitSlot::<#ty, _>::new(#classifier);
            #hint
            let #seen = #exit.run(#private::pin!(async move #inner)).await;
            #exit.take(#seen)
        }
    } else {
        quote! {
            let #exit = &#private::ExitSlot::<#ty, _>::new(#classifier);
            #hint
            let #seen = #exit.run(move || -> #private::ReturnWrittenInTheBody #inner);
            #exit.take(#seen)
        }
    }
}
