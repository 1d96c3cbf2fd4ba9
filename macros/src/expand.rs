//! Putting it together: arguments, the item, the body, and the function that
//! comes out.
//!
//! Both attributes come here. When both are on one function, the first to
//! expand takes the other off the function and expands the two together, so
//! the result is the same in either order: the recover boundary outermost,
//! the deferred actions inside it.

use proc_macro2::extra::DelimSpan;
use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::quote;
use syn::{Block, Error, Expr, Stmt};

use crate::args::{DeferArgs, RecoverArgs};
use crate::errors::Errors;
use crate::guards_only::{Declined, Written};
use crate::item::{self, Attr, Companion, Function};
use crate::names::Names;
use crate::return_type::ReturnType;
use crate::rewrite::{Mode, Rewriter};
use crate::root::Root;
use crate::scan::SlotUse;
use crate::wrapped::Located;
use crate::{boundary, coerce, frame, guards_only, returned_closures, scan, slot, slot_tokens, unparsed};

/// What to expand.
#[derive(Default)]
struct Plan {
    defer: Option<DeferArgs>,
    recover: Option<RecoverArgs>,
}

impl Plan {
    fn add(&mut self, attr: Attr, args: TokenStream, errors: &mut Errors) {
        match attr {
            Attr::DeferOnExit => match DeferArgs::parse(args) {
                Ok(args) => self.defer = Some(args),
                Err(error) => {
                    errors.push(error);
                    self.defer = Some(DeferArgs::default());
                }
            },
            Attr::Recover => match RecoverArgs::parse(args) {
                Ok(args) => self.recover = Some(args),
                // Expanding a boundary whose arguments are wrong would only
                // add errors; the function is expanded as if it had none.
                Err(error) => errors.push(error),
            },
        }
    }

    fn root(&self, errors: &mut Errors) -> Root {
        let from_defer = self.defer.as_ref().and_then(|args| args.root.as_ref());
        let from_recover = self.recover.as_ref().and_then(|args| args.root.as_ref());
        match (from_defer, from_recover) {
            (Some((_, root)), None) | (None, Some((_, root))) => root.clone(),
            (Some((_, first)), Some((span, second))) => {
                if !first.same_as(second) {
                    errors.push(Error::new(
                        *span,
                        "`#[defer_on_exit]` and `#[recover]` name different `crate` paths; give `crate = …` once",
                    ));
                }
                first.clone()
            }
            (None, None) => Root::default_root(),
        }
    }
}

/// The runtime's path the arguments give, if they parse.
fn root_of(attr: Attr, args: TokenStream) -> Root {
    let root = match attr {
        Attr::DeferOnExit => DeferArgs::parse(args).ok().and_then(|args| args.root),
        Attr::Recover => RecoverArgs::parse(args).ok().and_then(|args| args.root),
    };
    root.map_or_else(Root::default_root, |(_, root)| root)
}

/// `#[recover]` in a crate that turned off the runtime's `std` feature (which
/// turns on this crate's).
const RECOVER_NEEDS_STD: &str = "`#[recover]` needs epilogue's `std` feature: catching a panic takes \
`std::panic::catch_unwind`, which `core` does not have (and with `panic = \"abort\"` nothing \
unwinds to be caught); enable the feature, or keep to `#[defer_on_exit]`, whose forms need no `std`";

/// The entry point of both attributes.
pub(crate) fn attribute(attr: Attr, args: TokenStream, item: TokenStream) -> TokenStream {
    if attr == Attr::DeferOnExit {
        if let Some(expanded) = on_tokens(&args, &item) {
            return expanded;
        }
    }
    parsed(attr, args, item)
}

/// The expansion of `#[defer_on_exit]` on the tokens of `item`, if one of
/// the two token-level expansions takes it. A function with an action that
/// may need the exit slot is one the first never takes, nor a `defer!` that
/// may hold a borrow the rest of the body needs: it runs after a frame,
/// whose exits are routed.
pub(crate) fn on_tokens(args: &TokenStream, item: &TokenStream) -> Option<TokenStream> {
    let function = Written::split(args, item)?;
    if slot_tokens::may_need_a_slot(&function.stmts) {
        return slot_tokens::expand(&function, None);
    }
    match guards_only::expand(&function, item) {
        Ok(expanded) => Some(expanded),
        Err(Declined::Conflict { at }) => slot_tokens::expand(&function, Some(at)),
        Err(Declined::Other) => None,
    }
}

/// The expansion of any function, parsed with syn.
pub(crate) fn parsed(attr: Attr, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut function = match Function::parse(attr, &item) {
        Ok(function) => function,
        Err(Some(error)) => {
            let error = error.to_compile_error();
            return quote!(#error #item);
        }
        // Not parsed: most likely being typed. rustc reports the syntax
        // error; the deferred statements must add nothing to it.
        Err(None) => return unparsed::as_written(item, &root_of(attr, args).private()),
    };
    let mut errors = Errors::default();
    let mut plan = Plan::default();
    plan.add(attr, args, &mut errors);
    let provisional_root = plan.root(&mut Errors::default());
    let companion = function.take_companion(attr, &provisional_root);
    if let Some(companion) = &companion {
        plan.add(attr.other(), companion.args.clone(), &mut errors);
    }
    let root = plan.root(&mut errors);
    if plan.recover.is_some() && !cfg!(feature = "std") {
        errors.push(match (&companion, attr) {
            (Some(companion), Attr::DeferOnExit) => Error::new_spanned(&companion.path, RECOVER_NEEDS_STD),
            _ => Error::new(Span::call_site(), RECOVER_NEEDS_STD),
        });
        plan.recover = None;
    }
    let mark_used = companion.as_ref().map(Companion::mark_used);
    let mut expanded = expand(&mut function, &plan, &root, mark_used.as_ref(), &mut errors);
    if !errors.is_empty() {
        // The build fails on these errors; the parts of the body they
        // removed must not add "unused variable" warnings to them.
        expanded = quote!(#[allow(unused, unreachable_code)] #expanded);
    }
    let compile_errors = errors.to_compile_errors();
    quote!(#compile_errors #expanded)
}

fn expand(
    function: &mut Function,
    plan: &Plan,
    root: &Root,
    mark_used: Option<&TokenStream>,
    errors: &mut Errors,
) -> TokenStream {
    // The actions read the function's name only for `tracing` events, which
    // the runtime's feature turns on here too.
    let names = Names::new(plan.recover.is_some() || cfg!(feature = "tracing"));
    if let Some(constness) = &function.sig.constness {
        let name = if plan.recover.is_some() {
            "recover"
        } else {
            "defer_on_exit"
        };
        errors.push(Error::new(
            constness.span,
            format_args!(
                "`#[{name}]` cannot be used on a `const fn`: its expansion uses {}, which constant \
                 evaluation cannot run; remove `const` or the attribute",
                if plan.recover.is_some() {
                    "closures, drop guards and `catch_unwind`"
                } else {
                    "closures and drop guards"
                }
            ),
        ));
        strip(function, root, &names);
        return function.unchanged();
    }

    let fn_is_async = function.sig.asyncness.is_some();
    let located = Located::find(&function.block, fn_is_async);
    let ret = match &located {
        Located::AsyncTrait { output, .. } => ReturnType::new(output.as_deref(), function.sig.ident.span()),
        _ => ReturnType::of(&function.sig.output, function.sig.ident.span()),
    };
    if plan.recover.as_ref().is_some_and(RecoverArgs::contains_panics) {
        // No panic leaves the function: its docs need no `# Panics`.
        function
            .outer_attrs
            .push(syn::parse_quote!(#[allow(clippy::missing_panics_doc)]));
    }
    let coerces_to_dyn = plan.defer.is_some() && mentions_dyn(&function.sig.output);
    if (plan.recover.is_some() || coerces_to_dyn)
        && function.sig.inputs.iter().any(item::is_ptr_arg_candidate)
    {
        // Clippy cannot see that the body, now a closure, coerces such a
        // parameter (`&String` to `&dyn Debug`, as the value the slot
        // stores), and would suggest `&str`.
        function
            .outer_attrs
            .push(syn::parse_quote!(#[allow(clippy::ptr_arg)]));
    }
    let output = match (&located, &function.sig.output) {
        (Located::AsyncTrait { output, .. }, _) => output.as_deref(),
        (_, syn::ReturnType::Type(_, ty)) => Some(&**ty),
        (_, syn::ReturnType::Default) => None,
    };
    let is_async = located.is_async(fn_is_async);
    let block = located.body(&mut function.block);
    returned_closures::annotate(block, output);
    let body = expand_body(block, plan, root, &names, &ret, is_async, errors);
    block.stmts = vec![Stmt::Expr(Expr::Verbatim(body), None)];
    if let Some(mark_used) = mark_used {
        function
            .block
            .stmts
            .insert(0, Stmt::Item(syn::Item::Verbatim(mark_used.clone())));
    }
    function.unchanged()
}

/// The new content of the user's body block.
fn expand_body(
    block: &mut Block,
    plan: &Plan,
    root: &Root,
    names: &Names,
    ret: &ReturnType,
    is_async: bool,
    errors: &mut Errors,
) -> TokenStream {
    let deferred = if let Some(args) = &plan.defer {
        Some(rewrite_deferred(block, args, root, names, ret, is_async, errors))
    } else {
        errors.extend(scan::reject_all(block, root));
        None
    };
    let has_deferred = deferred.is_some_and(|found| found.has_deferred);
    let slot = deferred.is_some_and(|found| found.slot);

    // An empty body cannot panic; left empty, it stays what lints such as
    // `extra_unused_type_parameters` recognise (`fn assert_send<T: Send>() {}`).
    let recover = plan
        .recover
        .as_ref()
        .filter(|_| !block.stmts.is_empty() || has_deferred);
    // A synchronous body with a slot puts its boundary inside the slot.
    let boundary_in_slot = recover
        .filter(|_| slot && !is_async && !ret.is_never)
        .map(|args| boundary::handler(args, root, ret));
    let mut body = if slot {
        slot::slot_body(
            block,
            ret,
            &root.private(),
            names,
            is_async,
            boundary_in_slot.as_ref(),
        )
    } else if plan.recover.is_some() && is_async && !ret.is_never && !ret.is_opaque {
        coerce::coerce_returns(block, ret.erased());
        let stmts = &block.stmts;
        coerce::coerced(
            ret.erased(),
            &in_braces(block.brace_token.span, quote!(#(#stmts)*)).into(),
            Span::mixed_site(),
        )
    } else {
        let stmts = &block.stmts;
        quote!(#(#stmts)*)
    };

    if let (Some(args), None) = (recover, &boundary_in_slot) {
        body = boundary::wrap(body, block, args, root, names, ret, is_async);
    }
    if let (true, Some(site)) = (has_deferred || recover.is_some(), &names.site_closure) {
        body = quote! {
            let #site = || {};
            #body
        };
    }
    body
}

/// What the deferred actions of a body need.
#[derive(Clone, Copy)]
struct Needs {
    has_deferred: bool,
    slot: bool,
}

/// Finds the deferred actions of the body, checks them, and rewrites the
/// body: guards in their place and, when the function needs an exit slot,
/// every exit routed through it.
fn rewrite_deferred(
    block: &mut Block,
    args: &DeferArgs,
    root: &Root,
    names: &Names,
    ret: &ReturnType,
    is_async: bool,
    errors: &mut Errors,
) -> Needs {
    let mut scanned = scan::scan(block, root, is_async);
    if let Some((span, mapping)) = &args.map_err {
        // A copy through tokens: this crate does not enable `Clone` in syn.
        if let Ok(mapping) = syn::parse2::<Expr>(quote!(#mapping)) {
            let action = crate::deferred::Action {
                form: &crate::forms::MAP_ERR,
                capture: None,
                body: crate::deferred::Body::Mapping(Box::new(mapping)),
            };
            scan::prepend(block, &mut scanned, action, *span);
        }
    }
    errors.extend(scanned.errors);
    let mut slot = scanned.slot == SlotUse::Needed;
    if slot && ret.is_never {
        errors.push(Error::new(
            ret.span,
            "this function returns `!`, so it never returns a value: hooks `defer!(|ret| …)` and \
             `defer_on_err!` could never run on a return; use `defer! { … }`, which also runs on panic",
        ));
        slot = false;
    }
    // A synchronous frame's flow carries the value being returned, without
    // a slot, if the return type can be named, no macro in the frame may
    // hide a return, and `tracing` does not read the slot; a function that
    // returns `!` never has one.
    let frames_need_a_slot = match scanned.slot {
        SlotUse::SyncFrames => frame::NEEDS_A_SLOT || ret.has_impl_trait || ret.is_opaque,
        SlotUse::SyncFramesHidingReturns => true,
        SlotUse::None | SlotUse::Needed => false,
    };
    slot |= frames_need_a_slot && !ret.is_never;
    // In an `async fn`, the value travels with the proof through the frames
    // instead of through a slot that guards would share with the body across
    // `.await`s: every action runs after its frame, the synchronous ones
    // against a slot lent for that moment.
    let carried = slot && is_async;
    let mode = if slot {
        Mode::Slot
    } else if matches!(
        scanned.slot,
        SlotUse::SyncFrames | SlotUse::SyncFramesHidingReturns
    ) {
        Mode::Frames
    } else {
        Mode::Guards
    };
    let mut rewriter = Rewriter::new(root, names, ret, mode)
        .carrying(carried)
        .in_async_fn(is_async)
        .with_deferred(scanned.deferred);
    rewriter.visit_function_body(block);
    errors.extend(rewriter.errors);
    Needs {
        has_deferred: scanned.has_deferred,
        slot,
    }
}

/// Whether a return type has a trait object, which a parameter may coerce to.
fn mentions_dyn(output: &syn::ReturnType) -> bool {
    fn dyn_in(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) => ident == "dyn",
            TokenTree::Group(group) => dyn_in(group.stream()),
            _ => false,
        })
    }
    dyn_in(quote!(#output))
}

/// `tokens` in braces with the span of the user's `braces`.
pub(crate) fn in_braces(braces: DelimSpan, tokens: TokenStream) -> TokenTree {
    let mut group = Group::new(Delimiter::Brace, tokens);
    group.set_span(braces.join());
    TokenTree::Group(group)
}

/// Removes the deferred actions, for a function that is emitted unchanged
/// because the attribute does not apply.
fn strip(function: &mut Function, root: &Root, names: &Names) {
    let is_async = function.sig.asyncness.is_some();
    let ret = ReturnType::of(&function.sig.output, function.sig.ident.span());
    let scanned = scan::scan(&mut function.block, root, is_async);
    Rewriter::new(root, names, &ret, Mode::Strip)
        .with_deferred(scanned.deferred)
        .visit_function_body(&mut function.block);
}
