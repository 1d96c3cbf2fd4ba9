//! What a deferred body may not contain.
//!
//! A deferred action runs while its block is already being left, after the
//! function decided how it exits: it cannot decide that again (`return`,
//! `?`, `break`/`continue` out of the action), wait (`.await` in a
//! synchronous action), or register further actions.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::{self, VisitMut};
use syn::{Error, Expr, ExprAsync, ExprClosure, Lifetime, Result, Stmt};

use crate::errors::Errors;
use crate::forms::{self, Form, Macro, Shape};
use crate::root::Root;

/// Checks the statements of a block form; gives them back as tokens.
pub(crate) fn stmts(mut stmts: Vec<Stmt>, form: &'static Form, root: &Root) -> Result<TokenStream> {
    let mut check = BodyCheck::new(form, root);
    for stmt in &mut stmts {
        check.visit_stmt_mut(stmt);
    }
    check.errors.into_result()?;
    Ok(quote!(#(#stmts)*))
}

/// Checks the block of an `async` form.
pub(crate) fn future(future: &mut ExprAsync, form: &'static Form, root: &Root) -> Result<()> {
    let mut check = BodyCheck::new(form, root);
    check.visit_block_mut(&mut future.block);
    check.errors.into_result()
}

/// Checks the closure of a closure form: its parameters, and its body.
pub(crate) fn closure(closure: &mut ExprClosure, form: &'static Form, root: &Root) -> Result<()> {
    let mut check = BodyCheck::new(form, root);
    if closure.inputs.len() != 1 {
        check.errors.push(Error::new(
            closure.inputs_begin.span,
            format_args!(
                "{} takes exactly one parameter, {}: `{}` (this closure takes {}); for a cleanup that does \
                 not need the value, write `{}! {{ … }}`",
                form.noun,
                form.parameter,
                form.written,
                closure.inputs.len(),
                form.mac.name(),
            ),
        ));
    }
    check.visit_expr_mut(&mut closure.body);
    check.errors.into_result()
}

struct BodyCheck<'a> {
    form: &'static Form,
    root: &'a Root,
    errors: Errors,
    loops: usize,
    labels: Vec<Lifetime>,
}

impl<'a> BodyCheck<'a> {
    fn new(form: &'static Form, root: &'a Root) -> Self {
        BodyCheck {
            form,
            root,
            errors: Errors::default(),
            loops: 0,
            labels: Vec::new(),
        }
    }

    fn leaves_body(&self, label: Option<&Lifetime>) -> bool {
        match label {
            Some(label) => !self.labels.iter().any(|known| known.ident == label.ident),
            None => self.loops == 0,
        }
    }

    fn in_loop(&mut self, label: Option<&Lifetime>, visit: impl FnOnce(&mut Self)) {
        self.loops += 1;
        self.labels.extend(label.cloned());
        visit(self);
        if label.is_some() {
            self.labels.pop();
        }
        self.loops -= 1;
    }
}

impl VisitMut for BodyCheck<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // Their own `return`, `?` and loops.
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Return(ret) => self.errors.push(Error::new(
                ret.return_token.span,
                "`return` cannot be used in a deferred block: the block runs while the function is already \
                 exiting; to change what the function returns, use a hook: `defer!(|ret| *ret = …)`",
            )),
            Expr::Try(try_) => {
                self.errors.push(Error::new(
                    try_.question_token.span,
                    "`?` cannot be used in a deferred block: a cleanup cannot make the function return early; \
                     handle the error here (`if let Err(error) = … { … }`, `.ok()`), or turn it into the \
                     returned error with a hook: `defer!(|ret| …)`",
                ));
                self.visit_expr_mut(&mut try_.expr);
            }
            Expr::Await(await_) => {
                if !self.form.shape.is_async() {
                    let mac = self.form.mac;
                    let async_form = forms::find(mac, Shape::AsyncBlock)
                        .map_or_else(|_| String::new(), |form| format!(": write `{}`", form.written));
                    self.errors.push(Error::new(
                        await_.await_token.span,
                        format!(
                            "`.await` cannot be used in a synchronous deferred block, which runs from `Drop` and \
                             cannot wait; in an `async fn`, an async cleanup is awaited when its block ends{async_form}"
                        ),
                    ));
                }
                self.visit_expr_mut(&mut await_.base);
            }
            Expr::Break(break_) => {
                if self.leaves_body(break_.label.as_ref()) {
                    self.errors.push(Error::new(
                        break_.break_token.span,
                        "`break` cannot leave a deferred block: the block runs when its enclosing block is left, \
                         not at this point of the loop",
                    ));
                }
                visit_mut::visit_expr_break_mut(self, break_);
            }
            Expr::Continue(continue_) => {
                if self.leaves_body(continue_.label.as_ref()) {
                    self.errors.push(Error::new(
                        continue_.continue_token.span,
                        "`continue` cannot leave a deferred block: the block runs when its enclosing block is \
                         left, not at this point of the loop",
                    ));
                }
            }
            Expr::ForLoop(for_) => {
                self.visit_expr_mut(&mut for_.expr);
                let label = for_.label.as_ref().map(|label| label.name.clone());
                self.in_loop(label.as_ref(), |check| check.visit_block_mut(&mut for_.body));
            }
            Expr::While(while_) => {
                let label = while_.label.as_ref().map(|label| label.name.clone());
                self.in_loop(label.as_ref(), |check| {
                    check.visit_expr_mut(&mut while_.cond);
                    check.visit_block_mut(&mut while_.body);
                });
            }
            Expr::Loop(loop_) => {
                let label = loop_.label.as_ref().map(|label| label.name.clone());
                self.in_loop(label.as_ref(), |check| check.visit_block_mut(&mut loop_.body));
            }
            Expr::Block(block) => {
                let label = block.label.as_ref().map(|label| label.name.clone());
                self.labels.extend(label.clone());
                visit_mut::visit_expr_block_mut(self, block);
                if label.is_some() {
                    self.labels.pop();
                }
            }
            Expr::Macro(mac) => self.visit_macro_mut(&mut mac.mac),
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        if let Stmt::Macro(mac) = stmt {
            self.visit_macro_mut(&mut mac.mac);
        } else {
            visit_mut::visit_stmt_mut(self, stmt);
        }
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        if Macro::named_by(&mac.path, self.root).is_some() {
            self.errors.push(Error::new(
                crate::deferred::location(mac),
                "a deferred block cannot register deferred actions of its own: write this cleanup directly in \
                 the deferred block, or in the function body before or after it",
            ));
            return;
        }
        // Look into format-like arguments; what does not parse is left to rustc.
        let _ = crate::macro_args::visit_args(mac, |expr| self.visit_expr_mut(expr));
    }

    fn visit_item_mut(&mut self, _item: &mut syn::Item) {}
}
