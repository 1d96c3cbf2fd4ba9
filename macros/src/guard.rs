//! What a synchronous deferred action becomes: a guard, registered where the
//! action is written, or (borrow-free) a guard built and run where its block
//! ends.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};

use crate::deferred::{Action, Body};
use crate::forms::Form;
use crate::trees::Trees;

/// Where a guard is: its number in the function, and whether it is in the
/// outermost block of the body.
#[derive(Clone, Copy)]
pub(crate) struct Position {
    pub(crate) index: usize,
    pub(crate) top: bool,
}

/// What every action of a function is given besides its own code.
pub(crate) struct Context<'a> {
    /// `ROOT::__private`.
    pub(crate) private: &'a Trees,
    /// The scope the action consults: the exit slot, or `NoSlot`.
    pub(crate) scope: &'a Trees,
    /// What names the function: the site closure, or `()`.
    pub(crate) site: &'a Trees,
    /// Whether a form that has an in-place guard (`Form::in_place`) gets it
    /// here (see [`in_place`]).
    pub(crate) in_place: bool,
}

/// Whether guards may hold their action through a pointer: in a
/// synchronous function (a future keeps its guards, and must stay `Send`).
/// Where a pointer would cost at run time (with the `tracing` feature, and
/// for `defer_on_err!` in an optimised build), the runtime's in-place
/// constructors move the action into a guard that owns it instead: the
/// expansion is the same either way, and so are its errors.
pub(crate) fn in_place(is_async: bool) -> bool {
    !is_async
}

/// `let __defer_0 = __private::defer(scope, depth, site, || { … });`, located
/// at the invocation (`at`), with its outer attributes (`#[cfg(…)]`).
pub(crate) fn guard(
    action: Action,
    attrs: &Trees,
    at: Span,
    cx: &Context<'_>,
    position: Position,
) -> TokenStream {
    let form = action.form;
    let span = Span::mixed_site().located_at(at);
    let private = cx.private.located_at(at);
    let name = local_name(form, position.index, span);
    // At the top of the body, an empty slot can only mean a panic. In an
    // inner block, a form that runs depending on a panic must know whether
    // the thread was already unwinding when it was registered (see
    // `InnerBlock` in the runtime); the others only label their exit.
    let depth = match (position.top, form.runs_on_panic_only_if_own) {
        (true, _) => private.then("TopBlock", span),
        (false, true) => private.then("InnerBlock", span).then("now", span).called(span),
        (false, false) => private
            .then("InnerBlock", span)
            .then("label_only", span)
            .called(span),
    };
    if let Some(in_place) = in_place_guard(&action, attrs, at, cx, &private, &depth, Then::Bind(&name)) {
        return in_place;
    }
    let guard = construct(action, at, cx, &depth);
    quote_spanned! {span=>
        #attrs
        let #name = #guard;
    }
}

/// The local that holds the guard of the form's `index`th action.
pub(crate) fn local_name(form: &Form, index: usize, span: Span) -> Ident {
    format_ident!("{}_{}", form.local, index, span = span)
}

/// The guard of a borrow-free action, built after its frame and run at
/// once (`depth`: how the frame was left): the action's closure is made only
/// now, so it borrowed nothing while the frame ran.
pub(crate) fn run_after_frame(
    action: Action,
    attrs: &Trees,
    at: Span,
    cx: &Context<'_>,
    depth: &impl ToTokens,
) -> TokenStream {
    let span = Span::mixed_site().located_at(at);
    // One action after each frame, in a block of its own: its local can
    // have the same name every time.
    let name = Ident::new(action.form.local, span);
    let private = cx.private.located_at(at);
    if let Some(in_place) = in_place_guard(&action, attrs, at, cx, &private, depth, Then::RunNow(&name)) {
        return in_place;
    }
    let guard = construct(action, at, cx, depth);
    quote_spanned! {span=>
        #attrs
        #guard.run_now();
    }
}

/// What becomes of a guard once built, and the name its action's local is
/// made from.
#[derive(Clone, Copy)]
enum Then<'a> {
    /// Bound to this local, where it waits for its block to be left.
    Bind(&'a Ident),
    /// Run at once: the action of a borrow-free form, after its frame.
    RunNow(&'a Ident),
}

/// The action's `Option` local (`let mut __defer_0_action = Some(|| { … });`)
/// and the guard that holds a pointer to it, declared after it so that it
/// drops first, when the form has an in-place guard here (see
/// [`in_place`]). One `quote!`: each stream spliced into another is a
/// round trip to the compiler.
fn in_place_guard(
    action: &Action,
    attrs: &Trees,
    at: Span,
    cx: &Context<'_>,
    private: &Trees,
    depth: &impl ToTokens,
    then: Then<'_>,
) -> Option<TokenStream> {
    let (true, Some(in_place), Body::Stmts(body)) = (cx.in_place, action.form.in_place, &action.body) else {
        return None;
    };
    let span = Span::mixed_site().located_at(at);
    let (Then::Bind(name) | Then::RunNow(name)) = then;
    let action_name = format_ident!("{}_action", name, span = span);
    let capture = &action.capture;
    let site = cx.site;
    // Located at the invocation, as the owning guard's: an unmet bound on
    // the scope (`defer_on_err!` in a function without a failure case) is
    // reported at the macro, not at the attribute. `-> ()` reports a value
    // where `()` is expected in the action's body, as the owning guard's
    // `FnOnce()` bound does.
    let scope = cx.scope.located_at(at);
    // `let __defer_0 = guard(…);`, or `now(…);`.
    let (binding, constructor) = match then {
        Then::Bind(name) => (Some(name), in_place.guard),
        Then::RunNow(_) => (None, in_place.now),
    };
    let binding = binding.into_iter();
    let constructor = Ident::new(constructor, span);
    Some(quote_spanned! {span=>
        #attrs
        let mut #action_name = #private::Some(#capture || -> () { #body });
        #attrs
        #(let #binding =)* #private::#constructor(#scope, &mut #action_name, #depth, #site);
    })
}

/// `__private::defer(scope, depth, site, || { … })`: the call that builds a
/// guard, named after its form in the registry.
fn construct(action: Action, at: Span, cx: &Context<'_>, depth: &impl ToTokens) -> TokenStream {
    let span = Span::mixed_site().located_at(at);
    let private = cx.private.located_at(at);
    let scope = cx.scope.located_at(at);
    let site = cx.site;
    let constructor = Ident::new(action.form.constructor, span);
    let code = match action.body {
        Body::Stmts(body) => {
            let capture = action.capture;
            quote_spanned!(span=> #capture || { #body })
        }
        Body::Closure(closure) => quote!(#closure),
        // Async forms and mappings are not guards (see `frame`); the scan
        // never makes one.
        Body::Future(future) => quote!(#future),
        Body::Mapping(mapping) => quote!(#mapping),
    };
    quote_spanned!(span=> #private::#constructor(#scope, #depth, #site, #code))
}
