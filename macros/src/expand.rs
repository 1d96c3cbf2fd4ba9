//! Putting it together: arguments, the item, the body, and the function that
//! comes out.
//!
//! Both attributes come here. When both are on one function, the first to
//! expand takes the other off the function and expands the two together, so
//! the result is the same in either order: the recover boundary outermost,
//! the deferred actions inside it.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::{Block, Error, Stmt};

use crate::args::{DeferArgs, RecoverArgs, Root, Strategy};
use crate::body::{self, Mode, Names, Rewriter};
use crate::errors::Errors;
use crate::item::{Attr, Companion, Function};
use crate::lints;
use crate::ret::Return;

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

/// The entry point of both attributes.
pub(crate) fn attribute(attr: Attr, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut function = match Function::parse(attr, &item) {
        Ok(function) => function,
        Err(Some(error)) => {
            let error = error.to_compile_error();
            return quote!(#error #item);
        }
        Err(None) => return item,
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
    let names = Names::new();
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

    let ret = Return::new(&function.sig.output, function.sig.ident.span());
    let is_async = function.sig.asyncness.is_some();
    let mut slot = false;
    let mut has_deferred = false;
    if plan.defer.is_some() {
        let scanned = body::scan(&mut function.block, root);
        has_deferred = scanned.has_deferred;
        slot = scanned.needs_slot;
        if !scanned.errors.is_empty() {
            errors.extend(scanned.errors);
        }
        if slot && ret.is_never {
            errors.push(Error::new(
                ret.span,
                "this function returns `!`, so it never returns a value: hooks `defer!(|ret| …)` and \
                 `defer_on_err!` could never run on a return; use `defer! { … }`, which also runs on panic",
            ));
            slot = false;
        }
        let mode = if slot { Mode::Slot } else { Mode::Guards };
        let mut rewriter = Rewriter::new(root, &names, mode);
        rewriter.visit_function_body(&mut function.block);
        errors.extend(rewriter.errors);
    }

    let private = root.private();
    let site = &names.site;

    let mut body = if slot {
        slot_body(&mut function.block, &ret, &private, &names, is_async)
    } else {
        let stmts = &function.block.stmts;
        quote!(#(#stmts)*)
    };

    let needs_site = has_deferred || plan.recover.is_some();
    if let Some(recover) = &plan.recover {
        let handler = match &recover.strategy {
            // The return type is named, so that the bound is checked against
            // it (not an inferred `{integer}`), at its tokens; and inside a
            // closure, so that it is checked once, not again where the
            // handler is passed.
            Strategy::ReturnType => {
                let path = root.private_at(ret.span);
                let ty = crate::args::relocate(ret.erased(), ret.span);
                quote_spanned!(ret.span=> |__panic| #path::from_panic::<#ty>(__panic))
            }
            Strategy::Default(span) => {
                let path = root.private_at(*span);
                let ty = ret.erased();
                quote_spanned!(*span=> |__panic| #path::default_value::<#ty>(__panic))
            }
            Strategy::With(handler) => quote!(#handler),
        };
        body = if is_async {
            quote! {
                #private::recover_async(#site, #private::pin!(async move { #body }), #handler).await
            }
        } else {
            quote! {
                #private::recover(#site, move || { #body }, #handler)
            }
        };
    }
    if needs_site {
        body = quote! {
            let #site = || {};
            #body
        };
    }
    function.with_body(&quote!(#mark_used #body))
}

/// The body of a function with an exit slot.
fn slot_body(
    block: &mut Block,
    ret: &Return,
    private: &TokenStream,
    names: &Names,
    is_async: bool,
) -> TokenStream {
    let exit = &names.exit;
    let seen = syn::Ident::new("__seen", Span::mixed_site());
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
    let tail = store_tail(&mut block.stmts, exit, ret);
    let stmts = &block.stmts;
    // The user's braces again, so that "dropped here" in borrow errors
    // points at the end of the function.
    let mut inner = TokenStream::new();
    block
        .brace_token
        .surround(&mut inner, |tokens| tokens.extend(quote!(#(#stmts)* #tail)));
    let allow_closure_call = lints::allow_redundant_closure_call();
    if is_async {
        quote! {
            let #exit = #private::AsyncExitSlot::<#ty, _>::new(#classifier);
            #hint
            let #seen = #exit.run(#private::pin!(async #inner)).await;
            #exit.take(#seen)
        }
    } else {
        quote! {
            let #exit = #private::ExitSlot::<#ty, _>::new(#classifier);
            #hint
            #allow_closure_call
            let #seen = (|| -> #private::ReturnSeenByDeferOnExit #inner)();
            #exit.take(#seen)
        }
    }
}

/// Routes the body's final value into the slot.
///
/// The value is first bound with the return type as its annotation, so that
/// it is checked and coerced (`Box<T>` to `Box<dyn Trait>`, branches of an
/// `if`) exactly as a tail expression is, with "expected due to this"
/// pointing at the user's return type. A type with `impl Trait` cannot be
/// written there; its value goes straight into `put`, whose parameter gives
/// a returned closure its signature.
fn store_tail(stmts: &mut Vec<Stmt>, exit: &syn::Ident, ret: &Return) -> TokenStream {
    let value = syn::Ident::new("__value", Span::mixed_site());
    let seen = syn::Ident::new("__seen", Span::mixed_site());
    // The value may diverge (`loop {}`, `panic!()`), which makes the store
    // unreachable; that is not the user's code to warn about.
    let finish = |store: TokenStream| {
        quote! {
            #[allow(unreachable_code)]
            let #seen = #store;
            #seen
        }
    };
    let store_value = |tail: TokenStream| {
        if ret.has_impl_trait {
            finish(body::store(exit, &tail, Span::mixed_site()))
        } else {
            let ty = ret.erased();
            let store = finish(body::store(exit, &quote!(#value), Span::mixed_site()));
            quote!(let #value: #ty = #tail; #store)
        }
    };
    match stmts.pop() {
        Some(Stmt::Expr(expr, None)) => store_value(quote!(#expr)),
        Some(Stmt::Macro(mac)) if mac.semi_token.is_none() && !ret.is_unit => store_value(quote!(#mac)),
        last => {
            if let Some(mut last) = last {
                if let Stmt::Macro(mac) = &mut last {
                    if mac.semi_token.is_none() && !matches!(mac.mac.delimiter, syn::MacroDelimiter::Brace(_))
                    {
                        mac.semi_token = Some(syn::Token![;](Span::call_site()));
                    }
                }
                stmts.push(last);
            }
            // A unit function ends with `()`; any other function reaches
            // here only if its last statement diverges, and the block's
            // type is then `!`, which needs no value.
            if ret.is_unit {
                finish(body::store(exit, &quote!(()), Span::mixed_site()))
            } else {
                quote!()
            }
        }
    }
}

/// Removes the deferred actions, for a function that is emitted unchanged
/// because the attribute does not apply.
fn strip(function: &mut Function, root: &Root, names: &Names) {
    Rewriter::new(root, names, Mode::Strip).visit_function_body(&mut function.block);
}
