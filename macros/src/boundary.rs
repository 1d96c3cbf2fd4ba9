//! `#[recover]`'s boundary around the (already rewritten) body.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::Block;

use crate::args::{Conversion, RecoverArgs};
use crate::expand::in_braces;
use crate::names::Names;
use crate::return_type::ReturnType;
use crate::root::Root;

/// `body` inside `catch_unwind`, with the conversion of a caught panic into
/// the return value that `args` ask for.
pub(crate) fn wrap(
    body: TokenStream,
    block: &Block,
    args: &RecoverArgs,
    root: &Root,
    names: &Names,
    ret: &ReturnType,
    is_async: bool,
) -> TokenStream {
    let private = root.private();
    let site = &names.site;
    let handler = handler(args, root, ret);
    // `!` cannot be named in a turbofish, and has nothing to coerce to.
    let ty = if ret.is_never {
        quote!(_).into()
    } else {
        ret.erased().clone()
    };
    // The user's braces around the moved body: the block keeps the edition
    // of the user's code (Rust 2024 drops a tail's temporaries before the
    // block's locals), and borrow errors point at its end.
    let moved = in_braces(block.brace_token.span, body);
    if is_async {
        quote! {
            #private::recover_async(#site, #private::pin!(async move #moved), #handler).await
        }
    } else {
        // The return type named on the call is the closure's: its exits
        // coerce to it as the function's did. `move`, so that the parameters
        // are captured as they are, in registers, rather than by reference,
        // which would first spill them to the stack (measured: +3
        // instructions per call).
        quote! {
            #private::recover::<_, #ty, _, _>(#site, move || #moved, #handler)
        }
    }
}

/// What a caught panic becomes, as a closure `FnOnce(Panic) -> R`.
pub(crate) fn handler(args: &RecoverArgs, root: &Root, ret: &ReturnType) -> TokenStream {
    match &args.conversion {
        // The return type is named, so that the bound is checked against
        // it (not an inferred `{integer}`), at its tokens; and inside a
        // closure, so that it is checked once, not again where the
        // handler is passed.
        Conversion::ReturnType => {
            let path = root.private_at(ret.span);
            let ty = ret.erased().located_at(ret.span);
            quote_spanned!(ret.span=> |__panic| #path::from_panic::<#ty>(__panic))
        }
        Conversion::Default(span) => {
            let path = root.private_at(*span);
            let ty = ret.erased();
            quote_spanned!(*span=> |__panic| #path::default_value::<#ty>(__panic))
        }
        Conversion::With(handler) => quote!(#handler),
    }
}
