//! The exit slot: every way out of the function stores its value there
//! before the function's locals drop, so that hooks and `defer_on_err!` see
//! it while they run. An `async fn` has none: the proof of each exit carries
//! the value, through its frames, to each action.

use proc_macro2::{Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::Block;

use crate::names::Names;
use crate::return_type::ReturnType;
use crate::trees::Trees;

/// The scope of a function without a slot: `ROOT::__private::NoSlot`.
pub(crate) fn no_slot(private: &Trees) -> Trees {
    private.then("NoSlot", Span::call_site())
}

/// The scope of a synchronous function's actions: `&*__exit`, the slot
/// (already a reference, see [`slot_body`]) reborrowed, which keeps rustc's
/// errors about the guard's bounds to one label.
pub(crate) fn reborrowed(exit: &Ident) -> Trees {
    [
        Punct::new('&', Spacing::Alone).into(),
        Punct::new('*', Spacing::Alone).into(),
        TokenTree::Ident(exit.clone()),
    ]
    .into_iter()
    .collect()
}

/// Stores `value` in the exit slot and yields the proof the rewritten body
/// returns: `__exit.put(value)`. (The value is evaluated before `put`
/// borrows the slot, so a `?` inside it finds the slot free.)
pub(crate) fn store(exit: &Ident, value: &TokenStream, span: Span) -> TokenStream {
    quote_spanned!(span=> #exit.put(#value))
}

/// What leaves the function with `value`: the proof that the slot `exit`
/// holds it (see [`store`]), or, for a frame in a function without a slot
/// (`exit` is `None`), the value itself.
pub(crate) fn leaving(exit: Option<&Ident>, value: TokenStream, span: Span) -> TokenStream {
    match exit {
        Some(exit) => store(exit, &value, span),
        None => value,
    }
}

/// `value?` as the `match` it stands for, with the converted residual stored
/// in the slot `exit` before leaving the function: `leave(store, span)`
/// is the way out from where the `?` is (a `return`, or leaving a frame).
/// The conversion builds the whole return value in the runtime's frame
/// rather than the body's (see `StoreResidual`). Without a slot (`exit` is
/// `None`, in a frame) the converted residual is what leaves.
pub(crate) fn routed_try(
    private: &Trees,
    exit: Option<&Ident>,
    value: &TokenStream,
    question: Span,
    leave: impl FnOnce(&TokenStream, Span) -> TokenStream,
) -> TokenStream {
    let span = Span::mixed_site().located_at(question);
    let private = &private.located_at(question);
    // Located at the `?`: a missing conversion is reported there, as the
    // `?` operator's error.
    let store = if let Some(exit) = exit {
        let mut exit = exit.clone();
        exit.set_span(exit.span().located_at(question));
        quote_spanned!(span=> #private::StoreResidual::store_in(__residual, #exit))
    } else {
        quote_spanned!(span=> #private::FromResidual::from_residual(__residual))
    };
    let leave = leave(&store, span);
    quote_spanned! {span=>
        match #private::Branch::branch(#value) {
            ::core::ops::ControlFlow::Continue(__output) => __output,
            ::core::ops::ControlFlow::Break(__residual) => #leave,
        }
    }
}

/// The body of a function with an exit slot: the rewritten `block` (which
/// stores its value already) runs inside the slot's closure (an `async`
/// block for an `async fn`), and the function returns what the slot holds
/// once every deferred action ran.
pub(crate) fn slot_body(
    block: &mut Block,
    ret: &ReturnType,
    private: &Trees,
    names: &Names,
    is_async: bool,
    boundary: Option<&TokenStream>,
) -> TokenStream {
    let Around {
        exit,
        seen,
        ty,
        classifier,
        hint,
    } = Around::new(ret, private, names);
    let stmts = &block.stmts;
    // The user's braces again, so that "dropped here" in borrow errors
    // points at the end of the function.
    let inner = crate::expand::in_braces(block.brace_token.span, quote!(#(#stmts)*));
    // A synchronous slot is bound by reference (the temporary lives to the
    // end of the function), so that `move` copies the reference, not the
    // slot; an async one is zero-sized and `Copy`. The body owns the
    // parameters it uses, as the function did:
    // - the async block, as the function's own future: a `Send` parameter
    //   that is not `Sync` keeps the future `Send`;
    // - the closure: a write through `&mut self` that only a `Drop` reads
    //   (a "busy" flag around a callback) is not taken for a dead store, as
    //   rustc's liveness lint does for a place a closure borrows; and the
    //   parameters stay in registers. Called through an `FnOnce` bound, it
    //   can still give back a reborrow of a `&mut` parameter.
    if is_async {
        // No slot: the proof carries the value (see `CarryingExit` in the
        // runtime). The body is an `async` block awaited in place, so that a
        // `return` the attribute did not rewrite returns a value, not the
        // proof, and fails to compile; the `if false` types the block before
        // the body is checked, so that such a `return` is the one reported.
        let inner = crate::expand::in_braces(
            block.brace_token.span,
            quote!(if false { return #exit.proof_hint(); } #(#stmts)*),
        );
        quote! {
            let #exit = #private::CarryingExit::<#ty, _>::new(#classifier);
            #hint
            let #seen = async move #inner.await;
            #exit.take(#seen)
        }
    } else if let Some(handler) = boundary {
        // With `#[recover]` too: the boundary goes around the slot's body,
        // and a caught panic's value goes into the slot, so that one closure
        // holds the body and the value goes through one slot rather than
        // through the boundary too (a debug build copies it at each step).
        let site = &names.site;
        let panic = Ident::new("__panic", Span::mixed_site());
        let typed = Ident::new("__handler", Span::mixed_site());
        quote! {
            let #exit = &#private::ExitSlot::<#ty, _>::new(#classifier);
            #hint
            let #typed = #private::handler::<#ty, _>(#handler);
            let #seen = #private::recover::<_, #private::ReturnWrittenInTheBody, _, _>(
                #site,
                move || -> #private::ReturnWrittenInTheBody #inner,
                move |#panic| #exit.put(#typed(#panic)),
            );
            #exit.take(#seen)
        }
    } else {
        sync_slot(&inner, ret, private, names)
    }
}

/// The body of a synchronous function with an exit slot and no boundary:
/// `inner`, the rewritten body in the user's braces, runs in the slot's
/// closure.
pub(crate) fn sync_slot(inner: &TokenTree, ret: &ReturnType, private: &Trees, names: &Names) -> TokenStream {
    let around = Around::new(ret, private, names);
    let (exit, seen, ty) = (around.exit, &around.seen, around.ty);
    let (classifier, hint) = (&around.classifier, &around.hint);
    quote! {
        let #exit = &#private::ExitSlot::<#ty, _>::new(#classifier);
        #hint
        let #seen = #exit.run(move || -> #private::ReturnWrittenInTheBody #inner);
        #exit.take(#seen)
    }
}

/// What the code around a slot names.
struct Around<'a> {
    /// The slot.
    exit: &'a Ident,
    /// The proof the body returns.
    seen: Ident,
    /// The return type, `impl Trait` erased.
    ty: &'a Trees,
    /// What tells the `tracing` events whether the returned value failed.
    classifier: TokenStream,
    /// Ties the slot to the return type before the body is checked, so
    /// that a returned `impl Fn` closure infers its parameters.
    hint: Option<TokenStream>,
}

impl<'a> Around<'a> {
    fn new(ret: &'a ReturnType, private: &Trees, names: &'a Names) -> Self {
        let exit = &names.exit;
        let classifier = if ret.is_opaque {
            quote!(#private::Unclassified)
        } else {
            let probe = ret.probe();
            quote!(#private::Classifier::<#probe>::new().__epilogue_classifier())
        };
        let hint = ret
            .has_impl_trait
            .then(|| quote!(if false { return #exit.return_type_hint(); }));
        Around {
            exit,
            seen: Ident::new("__seen", Span::mixed_site()),
            ty: ret.erased(),
            classifier,
            hint,
        }
    }
}
