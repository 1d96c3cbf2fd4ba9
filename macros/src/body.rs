//! The body rewriter.
//!
//! Two passes over the function body:
//! - [`scan`] finds every `defer!`/`defer_on_err!`, decides whether the
//!   function needs an exit slot (it does when there is a hook or a
//!   `defer_on_err!`), and reports misuse, including invocations inside
//!   closures, async blocks and nested functions, which it looks into only to
//!   report them;
//! - [`Rewriter`] replaces each invocation with its guard and, when there is
//!   a slot, routes every `return` and `?` of the function through it. It
//!   stops at closures, async blocks, `const` blocks and nested items: their
//!   `return` and `?` are their own.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Error, Expr, Macro, Stmt};

use crate::args::Root;
use crate::deferred::{self, as_deferred, macro_kind};
use crate::errors::Errors;
use crate::macro_args::{first_exit, visit_args};

/// The identifiers the expansion introduces. Mixed-site hygiene keeps them
/// apart from the user's names.
pub(crate) struct Names {
    /// The exit slot.
    pub(crate) exit: Ident,
    /// The site closure whose type names the function.
    pub(crate) site: Ident,
}

impl Names {
    pub(crate) fn new() -> Self {
        Names {
            exit: Ident::new("__exit", Span::mixed_site()),
            site: Ident::new("__site", Span::mixed_site()),
        }
    }
}

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

/// What [`scan`] found.
pub(crate) struct Scanned {
    /// At least one `defer!`/`defer_on_err!` in the function's own body.
    pub(crate) has_deferred: bool,
    /// A hook or a `defer_on_err!`: every exit must go through a slot.
    pub(crate) needs_slot: bool,
    /// The invocations of the body, parsed once: each statement is replaced
    /// by a marker that the [`Rewriter`] turns into the guard.
    pub(crate) deferred: Vec<Deferred>,
    pub(crate) errors: Errors,
}

/// A parsed `defer!`/`defer_on_err!` statement, waiting for its guard.
pub(crate) struct Deferred {
    /// Its outer attributes (`#[cfg(…)]`), for the guard's `let`.
    attrs: TokenStream,
    location: Span,
    /// `None` when it did not parse (the error is reported).
    action: Option<deferred::Action>,
}

/// The first token of the statement that stands for `Scanned::deferred[i]`
/// between the two passes; followed by the index.
const MARKER: &str = "__epilogue_deferred";

fn marker(index: usize) -> Stmt {
    let marker = Ident::new(MARKER, Span::call_site());
    let index = proc_macro2::Literal::usize_unsuffixed(index);
    Stmt::Item(syn::Item::Verbatim(quote!(#marker #index)))
}

/// The index a marker statement stands for.
fn marker_index(stmt: &Stmt) -> Option<usize> {
    let Stmt::Item(syn::Item::Verbatim(tokens)) = stmt else {
        return None;
    };
    let mut tokens = tokens.clone().into_iter();
    match (tokens.next(), tokens.next()) {
        (Some(proc_macro2::TokenTree::Ident(ident)), Some(proc_macro2::TokenTree::Literal(index)))
            if ident == MARKER =>
        {
            index.to_string().parse().ok()
        }
        _ => None,
    }
}

/// Finds the deferred actions of `block` and reports misplaced ones.
pub(crate) fn scan(block: &mut Block, root: &Root) -> Scanned {
    let mut scan = Scan {
        root,
        place: Place::Body,
        found: Scanned {
            has_deferred: false,
            needs_slot: false,
            deferred: Vec::new(),
            errors: Errors::default(),
        },
    };
    scan.visit_block_mut(block);
    scan.found
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Body,
    Closure,
    AsyncBlock,
    NestedFn,
}

struct Scan<'a> {
    root: &'a Root,
    place: Place,
    found: Scanned,
}

impl Scan<'_> {
    fn inside(&mut self, place: Place, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.place, place);
        visit(self);
        self.place = outer;
    }

    /// Reports a misplaced invocation (the caller then removes it, so that
    /// the fallback `macro_rules!` adds no second error).
    fn misplaced(&mut self, mac: &Macro, name: &str) {
        let message = match self.place {
            Place::Body => format!(
                "`{name}!` registers a cleanup for its enclosing block and must be a statement of its own: \
                 `{name}! {{ … }}`; it has no value"
            ),
            Place::Closure => format!(
                "`{name}!` cannot be used inside a closure: `#[defer_on_exit]` rewrites only the function's own \
                 body, and a cleanup registered here would belong to the closure; register it in the function \
                 body, or move the closure's code into a function annotated with `#[defer_on_exit]`"
            ),
            Place::AsyncBlock => format!(
                "`{name}!` cannot be used inside an `async` block: the block is a separate future that \
                 `#[defer_on_exit]` does not rewrite; move its code into an `async fn` annotated with \
                 `#[defer_on_exit]`, or register the cleanup outside the block"
            ),
            Place::NestedFn => format!(
                "`{name}!` in a nested function belongs to that function: annotate it with `#[defer_on_exit]` too"
            ),
        };
        self.found
            .errors
            .push(Error::new(deferred::location(mac), message));
    }
}

impl VisitMut for Scan<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        for stmt in &mut block.stmts {
            let Some(found) = as_deferred(stmt, self.root) else {
                self.visit_stmt_mut(stmt);
                continue;
            };
            if self.place != Place::Body {
                self.misplaced(found.mac, found.kind.name());
                *stmt = Stmt::Item(syn::Item::Verbatim(TokenStream::new()));
                continue;
            }
            self.found.has_deferred = true;
            let action = match found.parse() {
                Ok(action) => {
                    self.found.needs_slot |= action.needs_slot();
                    Some(action)
                }
                Err(error) => {
                    self.found.errors.push(error);
                    None
                }
            };
            let location = deferred::location(found.mac);
            let attrs = found.attrs;
            let attrs = quote!(#(#attrs)*);
            *stmt = marker(self.found.deferred.len());
            self.found.deferred.push(Deferred {
                attrs,
                location,
                action,
            });
        }
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(closure) => {
                self.inside(Place::Closure, |scan| scan.visit_expr_mut(&mut closure.body));
            }
            Expr::Async(block) => {
                self.inside(Place::AsyncBlock, |scan| scan.visit_block_mut(&mut block.block));
            }
            Expr::Macro(mac) => {
                if let Some(kind) = macro_kind(&mac.mac.path, self.root) {
                    self.misplaced(&mac.mac, kind.name());
                    *expr = Expr::Verbatim(quote!(()));
                }
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_fn_mut(&mut self, item: &mut syn::ItemFn) {
        if !has_defer_on_exit(&item.attrs) {
            self.inside(Place::NestedFn, |scan| scan.visit_block_mut(&mut item.block));
        }
    }

    fn visit_impl_item_fn_mut(&mut self, item: &mut syn::ImplItemFn) {
        if !has_defer_on_exit(&item.attrs) {
            self.inside(Place::NestedFn, |scan| scan.visit_block_mut(&mut item.block));
        }
    }

    fn visit_trait_item_fn_mut(&mut self, item: &mut syn::TraitItemFn) {
        if let (false, Some(block)) = (has_defer_on_exit(&item.attrs), &mut item.default) {
            self.inside(Place::NestedFn, |scan| scan.visit_block_mut(block));
        }
    }
}

fn has_defer_on_exit(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path()
            .segments
            .last()
            .is_some_and(|last| last.ident == "defer_on_exit")
    })
}

/// What the rewriter does with the body.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Removes the deferred actions, leaving a body that compiles without
    /// the attribute (when the attribute itself is in error).
    Strip,
    /// Replaces the deferred actions with guards, and nothing else.
    Guards,
    /// Guards, plus every exit routed through the exit slot.
    Slot,
}

/// Replaces deferred actions with guards and, with a slot, every exit with a
/// store into the slot.
pub(crate) struct Rewriter<'a> {
    root: &'a Root,
    private: TokenStream,
    names: &'a Names,
    mode: Mode,
    slot: bool,
    /// The invocations [`scan`] parsed, taken as their markers are met.
    deferred: Vec<Option<Deferred>>,
    next_index: usize,
    /// How many blocks deep the rewriter is: 1 in the body's outermost block.
    block_depth: usize,
    pub(crate) errors: Errors,
}

impl<'a> Rewriter<'a> {
    pub(crate) fn new(root: &'a Root, names: &'a Names, mode: Mode) -> Self {
        Rewriter {
            root,
            private: root.private(),
            names,
            mode,
            slot: mode == Mode::Slot,
            deferred: Vec::new(),
            next_index: 0,
            block_depth: 0,
            errors: Errors::default(),
        }
    }

    /// Gives the rewriter the invocations [`scan`] parsed.
    pub(crate) fn with_deferred(mut self, deferred: Vec<Deferred>) -> Self {
        self.deferred = deferred.into_iter().map(Some).collect();
        self
    }

    /// The scope the guards consult: the slot, or nothing.
    fn scope(&self) -> TokenStream {
        let private = &self.private;
        let exit = &self.names.exit;
        if self.slot {
            // Already a reference (see `slot_body` in `expand`); reborrowed,
            // which keeps rustc's errors about the guard's bounds to one label.
            quote!(&*#exit)
        } else {
            quote!(#private::NoSlot)
        }
    }

    /// `return value` becomes `return { store value in the slot }`.
    fn rewrite_return(&mut self, ret: &mut syn::ExprReturn) -> Expr {
        let span = Span::mixed_site().located_at(ret.return_token.span);
        let return_token = syn::Token![return](ret.return_token.span);
        let value = if let Some(mut value) = ret.expr.take() {
            self.visit_expr_mut(&mut value);
            quote!(#value)
        } else {
            quote_spanned!(span=> ())
        };
        let attrs = &ret.attrs;
        let store = store(&self.names.exit, &value, span);
        Expr::Verbatim(quote_spanned!(span=> #(#attrs)* #return_token #store))
    }

    /// `value?` becomes the `match` it stands for, with the converted
    /// residual stored in the slot before returning.
    fn rewrite_try(&mut self, try_: &mut syn::ExprTry) -> Expr {
        self.visit_expr_mut(&mut try_.expr);
        let span = Span::mixed_site().located_at(try_.question_token.span);
        let private = &crate::args::relocate(&self.private, try_.question_token.span);
        let store = store(
            &self.names.exit,
            &quote_spanned!(span=> #private::FromResidual::from_residual(__residual)),
            span,
        );
        let value = &try_.expr;
        let attrs = &try_.attrs;
        Expr::Verbatim(quote_spanned! {span=>
            #(#attrs)*
            match #private::Branch::branch(#value) {
                ::core::ops::ControlFlow::Continue(__output) => __output,
                ::core::ops::ControlFlow::Break(__residual) => return #store,
            }
        })
    }

    /// Rewrites `?` and `return` inside another macro's arguments, or reports
    /// them when the arguments are not expressions; then the invocation is
    /// replaced by `unreachable!()`, so that rustc adds no error of its own.
    fn rewrite_macro(&mut self, mac: &mut Macro) {
        let Some((span, what)) = first_exit(&mac.tokens) else {
            return;
        };
        if !visit_args(mac, |expr| self.visit_expr_mut(expr)) {
            let name = mac
                .path
                .segments
                .last()
                .map(|last| last.ident.to_string())
                .unwrap_or_default();
            // Same delimiter: a braced statement macro needs no `;`.
            mac.path = syn::parse_quote!(::core::unreachable);
            mac.tokens = TokenStream::new();
            let advice = if what == "`?`" {
                "bind the value before the macro (`let value = …?;`) and use `value` inside it"
            } else {
                "set a variable inside the macro and `return` after it"
            };
            self.errors.push(Error::new(
                span,
                format!(
                    "this {what} is inside `{name}!`, whose arguments `#[defer_on_exit]` cannot rewrite, so hooks \
                     and `defer_on_err!` would not see this exit; {advice}"
                ),
            ));
        }
    }
}

impl VisitMut for Rewriter<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        self.block_depth += 1;
        let stmts = std::mem::take(&mut block.stmts);
        for mut stmt in stmts {
            let scanned = marker_index(&stmt)
                .and_then(|index| self.deferred.get_mut(index))
                .and_then(Option::take);
            let found = if scanned.is_some() {
                None
            } else {
                as_deferred(&stmt, self.root)
            };
            let unparsed = found.map(|found| {
                // Misuse was reported by the scan (or is, for an invocation
                // it did not see, by rustc's fallback macro); a faulty
                // invocation is dropped so it causes no further errors.
                let action = if self.mode == Mode::Strip {
                    None
                } else {
                    found.parse().ok()
                };
                Deferred {
                    attrs: {
                        let attrs = found.attrs;
                        quote!(#(#attrs)*)
                    },
                    location: deferred::location(found.mac),
                    action,
                }
            });
            let guard = scanned.or(unparsed).map(|found| {
                let index = self.next_index;
                self.next_index += 1;
                let action = if self.mode == Mode::Strip {
                    None
                } else {
                    found.action
                };
                action.map(|action| {
                    deferred::guard(
                        action,
                        &found.attrs,
                        found.location,
                        &self.private,
                        &self.scope(),
                        &self.names.site,
                        deferred::Place {
                            index,
                            top: self.block_depth == 1,
                        },
                    )
                })
            });
            match guard {
                Some(Some(guard)) => block.stmts.push(Stmt::Item(syn::Item::Verbatim(guard))),
                Some(None) => {}
                None => {
                    self.visit_stmt_mut(&mut stmt);
                    block.stmts.push(stmt);
                }
            }
        }
        self.block_depth -= 1;
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // Their own `return` and `?`; misplaced `defer!` was reported.
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Macro(mac) if macro_kind(&mac.mac.path, self.root).is_some() => {
                *expr = Expr::Verbatim(quote!(()));
            }
            Expr::Return(ret) if self.slot => *expr = self.rewrite_return(ret),
            Expr::Try(try_) if self.slot => *expr = self.rewrite_try(try_),
            Expr::Macro(mac) if self.slot => self.rewrite_macro(&mut mac.mac),
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        match stmt {
            Stmt::Macro(mac) if self.slot => self.rewrite_macro(&mut mac.mac),
            _ => visit_mut::visit_stmt_mut(self, stmt),
        }
    }

    fn visit_item_mut(&mut self, _item: &mut syn::Item) {}
}

impl Rewriter<'_> {
    /// Rewrites the function's own block (its braces stay the user's).
    pub(crate) fn visit_function_body(&mut self, block: &mut Block) {
        self.visit_block_mut(block);
    }
}
