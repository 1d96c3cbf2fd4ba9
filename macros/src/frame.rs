//! Frames: what an action that runs where its block ends becomes.
//!
//! The rest of the block after the action's registration is moved into a
//! frame, whose ways out (its end, `return`, `?`, `break`/`continue` to a
//! loop outside it) all yield a `Flow`; then the action runs; then a `match`
//! on the `Flow` goes where the rest was going. The action's code is only
//! built after the frame, so it borrows nothing while the rest runs.
//!
//! - A synchronous action (in a synchronous function) gets a closure frame,
//!   run under `catch_unwind` by the runtime's `frame`, so that the action
//!   also runs on the panic path, before the panic goes on. A `return` in it
//!   leaves with the proof that the exit slot holds the value or, in a
//!   function that needs no slot but for its frames, with the value itself
//!   ([`OnReturn`]).
//! - An async action gets a labelled block, and is awaited after it: it
//!   cannot run on a panic or a cancellation, which a pending marker reports
//!   to `tracing`.
//! - So does the attribute's `map_err`, which has no error to map on a
//!   panic or a cancellation.
//! - In an `async fn`, every action gets a labelled block, since the rest
//!   may await: there the value being returned travels in the `Flow` (the
//!   proof carries it), and a synchronous action runs after its frame
//!   against a slot the flow lends it, while the guard registered where it
//!   is written covers a panic or a cancellation.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::{Lifetime, Pat, Stmt};

use crate::deferred::{Action, Body};
use crate::guard::{self, Context, Position};
use crate::return_type::ReturnType;
use crate::trees::Trees;

/// A `break` or `continue` target that a frame's rest leaves to.
#[derive(Clone, Copy)]
pub(crate) struct Target {
    /// The loop or labelled block, by its place in the rewriter's stack.
    pub(crate) breakable: usize,
    pub(crate) is_continue: bool,
    pub(crate) has_value: bool,
}

impl Target {
    fn same_as(self, other: Target) -> bool {
        self.breakable == other.breakable && self.is_continue == other.is_continue
    }
}

/// A frame being built.
pub(crate) struct Frame {
    /// A labelled block, for an action that runs on normal exits only (an
    /// async action, a mapping); otherwise a closure that catches panics.
    labelled: bool,
    /// The label of a labelled frame's block.
    label: Lifetime,
    /// The invocation, where the frame's code is located.
    location: Span,
    targets: Vec<Target>,
}

/// The pieces of a frame that the rewriter computed.
pub(crate) struct Parts<'a> {
    /// The rest of the block, rewritten.
    pub(crate) rest: &'a TokenStream,
    /// Where a `Flow::Return` goes after the action: out of the function, or
    /// out of an enclosing frame.
    pub(crate) returned: &'a TokenStream,
    /// Where each of the frame's targets goes after the action.
    pub(crate) jumps: &'a [TokenStream],
    /// The invocation's outer attributes.
    pub(crate) attrs: &'a Trees,
    /// The exit slot.
    pub(crate) exit: &'a Ident,
    pub(crate) ret: &'a ReturnType,
    /// What the frame's `Flow::Return` holds.
    pub(crate) on_return: OnReturn,
    /// The block's value is the function's.
    pub(crate) returns_value: bool,
    /// Where the guard of a synchronous action in an `async fn` is.
    pub(crate) position: Position,
}

/// Whether a synchronous function needs an exit slot for its frames alone:
/// with `tracing`, whose event for an action after a frame tells a return
/// from a failure by the slot. Without it, the flow carries the value being
/// returned ([`OnReturn::Value`]).
pub(crate) const NEEDS_A_SLOT: bool = cfg!(feature = "tracing");

/// What a frame's `Flow::Return` holds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnReturn {
    /// The proof that the exit slot holds the value being returned.
    SlotProof,
    /// The proof, carrying the value: an `async fn` (see `CarryingExit` in
    /// the runtime).
    CarryingProof,
    /// The value itself: a synchronous function without an exit slot, whose
    /// only use for one would be its frames (a `defer!` without `tracing`,
    /// whose events tell a return from a failure by the slot).
    Value,
}

/// The local a `Flow::Return` arm binds: the proof that the slot holds the
/// returned value, or the value.
pub(crate) fn seen_ident() -> TokenStream {
    Ident::new("__seen", Span::mixed_site()).into_token_stream()
}

/// The local a `Jump::Here` arm binds: the value of a `break`.
pub(crate) fn jump_value_ident() -> TokenStream {
    Ident::new("__jump_value", Span::mixed_site()).into_token_stream()
}

/// Moves the items of `rest` (`fn`, `struct`, `use`, …) to `out`, before the
/// frame: an item is visible in its whole block, the action and the
/// statements before the frame included.
///
/// Not an `impl`: it names nothing, applies wherever its type is seen
/// anyway, and may be for a type that a macro of the rest defines
/// (`pin_project! { struct … }`, which stays in the frame, as any macro
/// must: it could be a statement).
pub(crate) fn hoist_items(rest: Vec<Stmt>, out: &mut Vec<Stmt>) -> Vec<Stmt> {
    let (items, rest): (Vec<Stmt>, Vec<Stmt>) = rest.into_iter().partition(|stmt| {
        matches!(
            stmt,
            Stmt::Item(item)
                if !matches!(item, syn::Item::Macro(_) | syn::Item::Verbatim(_) | syn::Item::Impl(_))
        )
    });
    out.extend(items);
    rest
}

impl Frame {
    pub(crate) fn new(labelled: bool, label: &str, location: Span) -> Self {
        Frame {
            labelled,
            label: Lifetime::new(label, Span::mixed_site()),
            location,
            targets: Vec::new(),
        }
    }

    pub(crate) fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Leaves the frame with `flow`.
    pub(crate) fn leave(&self, flow: &TokenStream, span: Span) -> TokenStream {
        if self.labelled {
            let label = &self.label;
            quote_spanned!(span=> break #label #flow)
        } else {
            quote_spanned!(span=> return #flow)
        }
    }

    /// Leaves the frame for the function's return, with the proof `value`
    /// that the slot holds the returned value.
    pub(crate) fn leave_returning(&self, private: &Trees, value: &TokenStream, span: Span) -> TokenStream {
        self.leave(&quote_spanned!(span=> #private::Flow::Return(#value)), span)
    }

    /// The `Jump` that stands for `target`, with `value`: `Here(value)`
    /// wrapped in one `Further` per target before it.
    pub(crate) fn encode(&mut self, target: Target, value: &TokenStream, private: &Trees) -> TokenStream {
        let index = self
            .targets
            .iter()
            .position(|known| known.same_as(target))
            .unwrap_or_else(|| {
                self.targets.push(target);
                self.targets.len() - 1
            });
        let mut encoded = quote!(#private::Jump::Here(#value));
        for _ in 0..index {
            encoded = quote!(#private::Jump::Further(#encoded));
        }
        encoded
    }

    /// The type of the frame's `Flow::Jump` payload, with its values
    /// inferred: `Jump<_, Jump<_, Infallible>>` for two targets.
    fn jump_type(&self, private: &Trees) -> TokenStream {
        let mut ty = quote!(::core::convert::Infallible);
        for _ in &self.targets {
            ty = quote!(#private::Jump<_, #ty>);
        }
        ty
    }

    /// `match flow { Normal(value) => value, Return(seen) => …, Jump(…) => … }`.
    fn dispatch(&self, flow: &impl ToTokens, parts: &Parts<'_>, private: &Trees) -> TokenStream {
        let span = Span::mixed_site().located_at(self.location);
        let value = Ident::new("__value", span);
        let seen = seen_ident();
        let returned = parts.returned;
        let jump = Ident::new("__jump", span);
        // `match __jump {}` as trees: with no target (most frames), nothing
        // to splice.
        let mut no_arms = Group::new(Delimiter::Brace, TokenStream::new());
        no_arms.set_span(span);
        let mut jumps: Trees = [
            Ident::new("match", span).into(),
            jump.clone().into(),
            no_arms.into(),
        ]
        .into_iter()
        .collect::<Trees>();
        for (target, code) in self.targets.iter().zip(parts.jumps).rev() {
            let binding = if target.has_value {
                jump_value_ident()
            } else {
                quote!(_)
            };
            jumps = Trees::from(quote_spanned! {span=>
                match #jump {
                    #private::Jump::Here(#binding) => #code,
                    #private::Jump::Further(#jump) => #jumps,
                }
            });
        }
        let dispatch = quote_spanned! {span=>
            match #flow {
                #private::Flow::Normal(#value) => #value,
                #private::Flow::Return(#seen) => #returned,
                #private::Flow::Jump(#jump) => #jumps,
            }
        };
        if !self.targets.iter().any(|target| target.is_continue) {
            return dispatch;
        }
        // A `continue` at the end of a loop's body is the user's jump carried
        // over the action, not a redundant one.
        let after = Ident::new("__after", span);
        quote_spanned! {span=>
            #[allow(clippy::needless_continue)]
            let #after = #dispatch;
            #after
        }
    }

    /// The frame, the action and the dispatch, as one block expression.
    pub(crate) fn expand(&self, action: Action, parts: &Parts<'_>, cx: &Context<'_>) -> TokenStream {
        let span = Span::mixed_site().located_at(self.location);
        let private = &cx.private.located_at(self.location);
        let rest = parts.rest;
        let value = Ident::new("__value", span);
        let flow = Ident::new("__flow", span);
        let jump_type = self.jump_type(private);
        let proof = match parts.on_return {
            OnReturn::SlotProof => quote_spanned!(span=> #private::ReturnWrittenInTheBody),
            OnReturn::CarryingProof => {
                let ty = parts.ret.erased();
                quote_spanned!(span=> #private::ReturnWrittenInTheBody<#ty>)
            }
            // Nothing of type `!` can be written on stable Rust as a type
            // argument; a value of it coerces to any type.
            OnReturn::Value if parts.ret.is_never => quote_spanned!(span=> ::core::convert::Infallible),
            OnReturn::Value => parts.ret.erased().to_token_stream(),
        };
        let flow_type = quote_spanned!(span=> #private::Flow<_, #proof, #jump_type>);
        // A value, unlike a proof, may need its expected type where it is
        // returned (`Box::new(error)` as a `Box<dyn Error>`): the closure
        // frame's return type is written, and the flow's follows from it.
        let (closure_type, flow_annotation) = if parts.on_return == OnReturn::Value && !self.labelled {
            (Some(&flow_type), None)
        } else {
            (None, Some(&flow_type))
        };
        let (closure_type, flow_annotation) = (closure_type.iter(), flow_annotation.iter());
        // When the proof carries the value, a block whose value is the
        // function's ends with a return like any other, so that the action
        // finds the value in `Flow::Return`.
        // The block's value, then the flow: when the rest diverges, the
        // second `let` is the first unreachable statement, and the one that
        // allows it, rather than the user's code. (The rest is a match arm,
        // where clippy expects code that may diverge.)
        let end = Ident::new(
            if parts.on_return == OnReturn::CarryingProof && parts.returns_value {
                "Return"
            } else {
                "Normal"
            },
            span,
        );
        let body = quote_spanned! {span=>
            let #value = match () { () => { #rest } };
            #[allow(unreachable_code)]
            let #flow #(: #flow_annotation)* = #private::Flow::#end(#value);
            #flow
        };
        if !self.labelled {
            let frame = Ident::new("__frame", span);
            let run = guard::run_after_frame(
                action,
                parts.attrs,
                self.location,
                cx,
                &Trees::method_call(&frame, "after", span),
            );
            let dispatch = self.dispatch(&Trees::method_call(&frame, "resume", span), parts, private);
            // The body becomes the closure's braces as it is: quoted into
            // them, the rest, the largest stream, would be joined twice.
            let mut closure_body = Group::new(Delimiter::Brace, body);
            closure_body.set_span(span);
            return quote_spanned! {span=>
                {
                    let #frame = #private::frame(|| #(-> #closure_type)* #closure_body);
                    #run
                    #dispatch
                }
            };
        }
        let label = &self.label;
        let scope = cx.scope;
        let site = cx.site;
        let dispatch = self.dispatch(&flow, parts, private);
        let attrs = parts.attrs;
        if parts.on_return == OnReturn::CarryingProof && !action.form.shape.is_async() {
            return self.expand_lent(action, parts, cx, &body, &dispatch);
        }
        if let Body::Mapping(mapping) = &action.body {
            let scope = &scope.located_at(self.location);
            let (registration, mapping) = registered_mapping(mapping, cx, self.location);
            return quote_spanned! {span=>
                {
                    #registration
                    let #flow = #label: { #body };
                    #private::map_err(#scope, #site, #mapping);
                    #dispatch
                }
            };
        }
        let kind = Ident::new(action.form.kind, span);
        let pending = Ident::new("__pending", span);
        // A hook changes the value in the flow.
        let mutable = matches!(action.body, Body::Closure(_)).then(|| quote!(mut));
        let (registration, awaited) = async_action(action, parts, cx, self.location, &flow);
        quote_spanned! {span=>
            {
                #attrs
                let #pending = #private::pending(#scope, #site, #private::Kind::#kind);
                #registration
                let #mutable #flow = #label: { #body };
                #pending.settle();
                #attrs
                #awaited
                #dispatch
            }
        }
    }
}

impl Frame {
    /// A synchronous action in an `async fn`: the value being returned, if
    /// any, is lent to a slot after the frame, and the action runs against
    /// it there.
    ///
    /// - `defer!` and `defer_on_err!` keep the guard they have everywhere,
    ///   registered where they are written (so they borrow as a guard
    ///   does), which also runs on a panic or a cancellation if the frame
    ///   never returns; after the frame, it runs at once. So do the `move`
    ///   hooks, which capture where they are written.
    /// - Hooks (`|ret|`, `|err|`) and `map_err` have nothing to do on those
    ///   exits: they are built after the frame and run there only, borrowing
    ///   nothing before.
    fn expand_lent(
        &self,
        action: Action,
        parts: &Parts<'_>,
        cx: &Context<'_>,
        body: &TokenStream,
        dispatch: &TokenStream,
    ) -> TokenStream {
        let span = Span::mixed_site().located_at(self.location);
        let private = &cx.private.located_at(self.location);
        let label = &self.label;
        let flow = Ident::new("__flow", span);
        let lent = Ident::new("__lent", span);
        let exit = parts.exit;
        let attrs = parts.attrs;
        let (registration, run) = if let Body::Mapping(mapping) = &action.body {
            let (registration, mapping) = registered_mapping(mapping, cx, self.location);
            let site = cx.site;
            (
                registration,
                quote_spanned!(span=> #private::map_err(#lent.slot(), #site, #mapping);),
            )
        } else if matches!(action.body, Body::Closure(_)) && !action.captures_at_registration() {
            // A hook runs only when the function returns, never on a panic
            // or a cancellation: it needs no guard, and is built after the
            // frame, borrowing nothing while the rest runs.
            let slot = quote_spanned!(span=> #lent.slot());
            let slot = Trees::from(slot);
            let cx = Context { scope: &slot, ..*cx };
            let depth = quote_spanned!(span=> #private::AfterFrame::NORMAL);
            (
                TokenStream::new(),
                guard::run_after_frame(action, attrs, self.location, &cx, &depth),
            )
        } else {
            let name = guard::local_name(action.form, parts.position.index, span);
            let registration = guard::guard(action, attrs, self.location, cx, parts.position);
            (
                registration,
                quote_spanned!(span=> #attrs #name.run_in(#lent.slot());),
            )
        };
        quote_spanned! {span=>
            {
                #registration
                let #flow = #label: { #body };
                let #lent = #exit.lend(#flow);
                #run
                let #flow = #lent.give_back();
                #dispatch
            }
        }
    }
}

/// A mapping's registration, if it is a `move` closure (or a block ending
/// in one), which captures at the top of the body, as `move` forms do at
/// their registration, so that it can keep what the body consumes; it is
/// typed there, through `mapping`. Then the mapping to call.
fn registered_mapping(mapping: &syn::Expr, cx: &Context<'_>, at: Span) -> (TokenStream, TokenStream) {
    let span = Span::mixed_site().located_at(at);
    let private = &cx.private.located_at(at);
    let scope = &cx.scope.located_at(at);
    if captures_at_the_top(mapping) {
        let registered = Ident::new("__registered", span);
        (
            quote_spanned!(span=> let #registered = #private::mapping(#scope, #mapping);),
            quote!(#registered),
        )
    } else {
        (quote!(), quote!(#mapping))
    }
}

/// An async action: what is built at its registration (the future or the
/// closure of a `move` form, which captures there), and the statement that
/// runs it after the frame. The code of a form without `move` runs inline,
/// in the function's own future: an `async` block of its own would borrow
/// the function's locals across its `.await`s, and a borrowed `Cell` would
/// make the function's future `!Send`. The value being returned, if any, is
/// in the frame's `flow`: the proof carries it in an `async fn`.
fn async_action(
    action: Action,
    parts: &Parts<'_>,
    cx: &Context<'_>,
    at: Span,
    flow: &Ident,
) -> (TokenStream, TokenStream) {
    let span = Span::mixed_site().located_at(at);
    let private = &cx.private.located_at(at);
    let scope = &cx.scope.located_at(at);
    let site = cx.site;
    let kind = Ident::new(action.form.kind, span);
    let registered = Ident::new("__registered", span);
    let running = Ident::new("__running", span);
    let moves = action.captures_at_registration();
    let returned = Ident::new("__returned", span);
    // The value the frame returns, if any, labels the exit for `tracing`.
    let start = |returned: TokenStream| quote_spanned!(span=> let #running = #private::running_with(#scope, #returned, #site, #private::Kind::#kind););
    match action.body {
        Body::Future(future) => {
            let (registration, code) = if moves {
                (
                    quote_spanned!(span=> let #registered = #future;),
                    quote_spanned!(span=> #registered.await;),
                )
            } else {
                // The user's block as a statement: its value must be `()`,
                // and rustc says so at its tail, suggesting a `;`. The
                // braces are the user's `async { … }`'s, not superfluous.
                let block = &future.block;
                (quote!(), quote_spanned!(span=> #[allow(unused_braces)] #block))
            };
            let start = start(quote_spanned!(span=> #flow.returned()));
            // A cleanup that diverges leaves the rest unreachable: not the
            // user's code to be warned about.
            let run = quote_spanned!(span=> { #start #code #[allow(unreachable_code)] #running.finish(); });
            let awaited = if action.form.mac == crate::forms::Macro::DeferOnErr {
                // Located at the invocation: a return type without a failure
                // case (`Outcome`) is reported there.
                quote_spanned!(span=> if #private::failing_with(&#flow) #run)
            } else {
                run
            };
            (registration, awaited)
        }
        Body::Closure(closure) => {
            let (registration, code) = if moves {
                let closure = typed_hook(*closure, parts.ret);
                (
                    quote_spanned!(span=> let #registered = #closure;),
                    quote_spanned!(span=> #registered(#returned).await;),
                )
            } else {
                let pattern = closure
                    .inputs
                    .first()
                    .map(ToTokens::to_token_stream)
                    .unwrap_or_default();
                let body = &closure.body;
                (
                    quote!(),
                    quote_spanned!(span=> let () = { let #pattern = #returned; #body };),
                )
            };
            // Only when the function returns; the hook changes the value in
            // the flow, where it travels on.
            let start = start(quote_spanned!(span=> ::core::option::Option::Some(&*#returned)));
            let awaited = quote_spanned! {span=>
                if let ::core::option::Option::Some(#returned) = #flow.returned_mut() {
                    #start
                    #code
                    #[allow(unreachable_code)]
                    #running.finish();
                }
            };
            (registration, awaited)
        }
        Body::Stmts(_) | Body::Mapping(_) => unreachable!("an async form has an async body"),
    }
}

/// Whether a mapping is a `move` closure, or a block that ends in one.
fn captures_at_the_top(mapping: &syn::Expr) -> bool {
    match mapping {
        syn::Expr::Closure(closure) => closure.capture.is_some(),
        syn::Expr::Block(block) => matches!(
            block.block.stmts.last(),
            Some(Stmt::Expr(syn::Expr::Closure(closure), None)) if closure.capture.is_some()
        ),
        _ => false,
    }
}

/// The closure of `defer!(async move |ret| …)`, with the type of its
/// parameter written: it is built before it is called, so its body cannot
/// infer it from the call.
fn typed_hook(mut closure: syn::ExprClosure, ret: &ReturnType) -> syn::ExprClosure {
    let ty = ret.erased();
    for input in &mut closure.inputs {
        if !matches!(input, Pat::Type(_)) {
            *input = Pat::Verbatim(quote!(#input: &mut #ty));
        }
    }
    closure
}
