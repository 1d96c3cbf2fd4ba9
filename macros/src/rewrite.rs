//! The body rewriter: replaces each marker the [`scan`](crate::scan) left
//! with its action's guard and, when the function has an exit slot, routes
//! every `return` and `?` of the function through it. It stops at closures,
//! async blocks, `const` blocks and nested items: their `return` and `?` are
//! their own.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Error, Expr, Macro, Stmt};

use crate::deferred::as_invocation;
use crate::errors::Errors;
use crate::guard::{self, Position};
use crate::macro_args::{first_exit, visit_args};
use crate::names::Names;
use crate::root::{relocate, Root};
use crate::scan::{marker_index, mentions_marker, Deferred};
use crate::slot::store;

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
    /// The invocations the scan parsed, taken as their markers are met.
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

    /// Gives the rewriter the invocations the scan parsed.
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

    /// The guard of the invocation the scan numbered `index`: `None` in
    /// [`Mode::Strip`], or when the invocation did not parse (its error was
    /// reported).
    fn guard(&mut self, index: usize) -> Option<TokenStream> {
        let deferred = self.deferred.get_mut(index).and_then(Option::take)?;
        let place = Position {
            index: self.next_index,
            top: self.block_depth == 1,
        };
        self.next_index += 1;
        let action = deferred.action.filter(|_| self.mode != Mode::Strip)?;
        let scope = self.scope();
        let cx = guard::Context {
            private: &self.private,
            scope: &scope,
            site: &self.names.site,
        };
        Some(guard::guard(
            action,
            &deferred.attrs,
            deferred.location,
            &cx,
            place,
        ))
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
        let private = &relocate(&self.private, try_.question_token.span);
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

    /// Expands the markers inside another macro's arguments and, with a
    /// slot, rewrites the `?` and `return` there, or reports them when the
    /// arguments are not expressions; then the invocation is replaced by
    /// `unreachable!()`, so that rustc adds no error of its own.
    fn rewrite_macro(&mut self, mac: &mut Macro) {
        let exit = if self.slot { first_exit(&mac.tokens) } else { None };
        if exit.is_none() && !mentions_marker(&mac.tokens) {
            return;
        }
        if !visit_args(mac, |expr| self.visit_expr_mut(expr)) {
            // The scan parsed the arguments of every macro with a marker.
            let Some((span, what)) = exit else {
                return;
            };
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
            if let Some(index) = marker_index(&stmt) {
                if let Some(guard) = self.guard(index) {
                    block.stmts.push(Stmt::Item(syn::Item::Verbatim(guard)));
                }
                continue;
            }
            if let Some(invocation) = as_invocation(&stmt, self.root) {
                // The scan accounts for every invocation; one it did not
                // see must not vanish silently.
                self.errors.push(Error::new(
                    crate::deferred::location(invocation.call),
                    format!(
                        "`{}!` could not be placed by `#[defer_on_exit]`; move it into a block of the function body",
                        invocation.mac.name()
                    ),
                ));
                continue;
            }
            self.visit_stmt_mut(&mut stmt);
            block.stmts.push(stmt);
        }
        self.block_depth -= 1;
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // Their own `return` and `?`; misplaced `defer!` was reported.
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Return(ret) if self.slot => *expr = self.rewrite_return(ret),
            Expr::Try(try_) if self.slot => *expr = self.rewrite_try(try_),
            Expr::Macro(mac) => self.rewrite_macro(&mut mac.mac),
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        match stmt {
            Stmt::Macro(mac) => self.rewrite_macro(&mut mac.mac),
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
