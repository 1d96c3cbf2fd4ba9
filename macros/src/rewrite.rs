//! The body rewriter.
//!
//! It replaces each marker the [`scan`](crate::scan) left with its action:
//! a guard where the action is written, or, for an action that runs where its
//! block ends (an async action, or one that must borrow nothing until then),
//! a frame around the rest of the block (see [`frame`](crate::frame)). When
//! the function has an exit slot, it routes every way out of the function
//! through it: `return` and `?` store their value and leave with the proof,
//! and the body's final value is stored where it is computed. Inside a frame,
//! a way out of the frame (`return`, `?`, a `break` or `continue` to a loop
//! outside it) leaves the frame with a `Flow` that says where it was going,
//! and the code after the frame goes on there once the action ran. A
//! function without a slot whose actions need frames ([`Mode::Frames`])
//! has only its frames' ways out rewritten: a `return` or `?` there leaves
//! with the value in the `Flow`.
//!
//! It stops at closures, async blocks, `const` blocks and nested items: their
//! `return`, `?`, `break` and `continue` are their own.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Error, Expr, Lifetime, Macro, Stmt};

use crate::deferred::as_invocation;
use crate::errors::Errors;
use crate::frame::{self, Frame, OnReturn, Target};
use crate::guard::{self, Position};
use crate::hidden;
use crate::macro_args::{first_exit, visit_args};
use crate::names::Names;
use crate::return_type::ReturnType;
use crate::root::Root;
use crate::scan::{marker_index, mentions_marker, Deferred};
use crate::slot::{self, store};
use crate::tail::{starts_with_return, take_attrs, Tail};
use crate::trees::Trees;

/// What the rewriter does with the body.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Removes the deferred actions, leaving a body that compiles without
    /// the attribute (when the attribute itself is in error).
    Strip,
    /// Replaces the deferred actions with guards, and nothing else.
    Guards,
    /// Guards and frames, in a function without an exit slot: only the
    /// exits of a frame are routed, and a `return` or `?` there leaves the
    /// frame with the value being returned.
    Frames,
    /// Guards and frames, and every exit routed through the exit slot.
    Slot,
}

/// A loop or a labelled block: where a `break` or `continue` goes.
struct Breakable {
    label: Option<Ident>,
    is_loop: bool,
    /// A `loop`, whose `break` may carry a value (a `while` or `for` loop's
    /// may not, not even `()`).
    breaks_with_value: bool,
    /// How many frames were open when it was entered: a jump to it from
    /// inside more frames leaves the innermost one.
    frames: usize,
}

/// What kind of breakable a [`Breakable`] is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum BreakableKind {
    Loop,
    WhileOrFor,
    /// A labelled block.
    Block,
}

/// Rewrites the body of one function.
pub(crate) struct Rewriter<'a> {
    root: &'a Root,
    private: Trees,
    names: &'a Names,
    ret: &'a ReturnType,
    mode: Mode,
    /// With a slot in an `async fn`: the proof carries the value.
    carried: bool,
    /// Whether the function is an `async fn`, whose future keeps its guards.
    is_async: bool,
    /// The invocations the scan parsed, taken as their markers are met.
    deferred: Vec<Option<Deferred>>,
    next_index: usize,
    /// How many blocks deep the rewriter is: 1 in the body's outermost block.
    block_depth: usize,
    /// The frames the rewriter is inside, innermost last.
    frames: Vec<Frame>,
    breakables: Vec<Breakable>,
    /// How many wrapped macros' arguments the rewriter is inside: their
    /// exits are the wrapping closure's, which routes them.
    in_wrapped_args: usize,
    pub(crate) errors: Errors,
}

impl<'a> Rewriter<'a> {
    pub(crate) fn new(root: &'a Root, names: &'a Names, ret: &'a ReturnType, mode: Mode) -> Self {
        Rewriter {
            root,
            private: root.private(),
            names,
            ret,
            mode,
            carried: false,
            is_async: false,
            deferred: Vec::new(),
            next_index: 0,
            block_depth: 0,
            frames: Vec::new(),
            breakables: Vec::new(),
            in_wrapped_args: 0,
            errors: Errors::default(),
        }
    }

    /// Whether the proof of a return carries its value.
    pub(crate) fn carrying(mut self, carried: bool) -> Self {
        self.carried = carried;
        self
    }

    /// Whether the function is an `async fn`.
    pub(crate) fn in_async_fn(mut self, is_async: bool) -> Self {
        self.is_async = is_async;
        self
    }

    /// Gives the rewriter the invocations the scan parsed.
    pub(crate) fn with_deferred(mut self, deferred: Vec<Deferred>) -> Self {
        self.deferred = deferred.into_iter().map(Some).collect();
        self
    }

    fn slot(&self) -> bool {
        self.mode == Mode::Slot
    }

    /// Whether the function's exits are rewritten here: everywhere with a
    /// slot; without one, inside a frame.
    fn rewrites_exits(&self) -> bool {
        match self.mode {
            Mode::Slot => true,
            Mode::Frames => !self.frames.is_empty(),
            Mode::Strip | Mode::Guards => false,
        }
    }

    /// Whether the function's own exits are rewritten here: see
    /// [`rewrites_exits`](Self::rewrites_exits), and outside a wrapped
    /// macro's arguments.
    fn routes_exits(&self) -> bool {
        self.rewrites_exits() && self.in_wrapped_args == 0
    }

    /// The slot, if the function has one.
    fn exit(&self) -> Option<&Ident> {
        self.slot().then_some(&self.names.exit)
    }

    /// Rewrites the function's own block (its braces stay the user's); with
    /// a slot, its value is stored.
    pub(crate) fn visit_function_body(&mut self, block: &mut Block) {
        self.rewrite_block(block, self.slot());
    }

    /// Rewrites a block; `value`: its value is the function's, to be stored
    /// in the slot.
    fn rewrite_block(&mut self, block: &mut Block, value: bool) {
        self.block_depth += 1;
        let stmts = std::mem::take(&mut block.stmts);
        block.stmts = self.rewrite_stmts(stmts, value);
        self.block_depth -= 1;
    }

    /// Rewrites the statements of a block, or the rest of one after an
    /// action that runs at its end.
    fn rewrite_stmts(&mut self, stmts: Vec<Stmt>, value: bool) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(stmts.len());
        let mut stmts = stmts.into_iter();
        while let Some(mut stmt) = stmts.next() {
            if let Some(index) = marker_index(&stmt) {
                let Some(deferred) = self.take(index) else {
                    continue;
                };
                if deferred.at_block_end || self.carried {
                    let rest = frame::hoist_items(stmts.collect(), &mut out);
                    out.push(self.frame(deferred, rest, value));
                    return out;
                }
                if let Some(guard) = self.guard(deferred) {
                    out.push(Stmt::Item(syn::Item::Verbatim(guard)));
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
            let is_last = stmts.as_slice().is_empty();
            if value && is_last {
                return self.store_last(stmt, out);
            }
            if value && may_be_tail_under_cfg(&stmt, stmts.as_slice()) {
                if let Stmt::Expr(expr, None) = stmt {
                    out.push(Stmt::Expr(self.store_expr(expr), None));
                    continue;
                }
            }
            if !self.wrap_stmt(&mut stmt, is_last) {
                self.visit_stmt_mut(&mut stmt);
            }
            out.push(stmt);
        }
        if value && self.ret.is_unit {
            self.tail().store_unit(&mut out);
        }
        out
    }

    /// The invocation the scan numbered `index`: `None` in [`Mode::Strip`],
    /// or when the invocation did not parse (its error was reported).
    fn take(&mut self, index: usize) -> Option<Deferred> {
        let deferred = self.deferred.get_mut(index).and_then(Option::take)?;
        (self.mode != Mode::Strip && deferred.action.is_some()).then_some(deferred)
    }

    fn context<'s>(&'s self, scope: &'s Trees) -> guard::Context<'s> {
        guard::Context {
            private: &self.private,
            scope,
            site: &self.names.site,
            in_place: guard::in_place(self.is_async),
        }
    }

    /// The scope the actions consult: the slot, or nothing.
    fn scope(&self) -> Trees {
        let private = &self.private;
        let exit = &self.names.exit;
        if self.carried {
            // Zero-sized and `Copy`: nothing for the future to keep.
            quote!(#exit).into()
        } else if self.slot() {
            // Already a reference (see `slot_body` in `slot`); reborrowed,
            // which keeps rustc's errors about the guard's bounds to one label.
            slot::reborrowed(exit)
        } else {
            slot::no_slot(private)
        }
    }

    fn guard(&mut self, deferred: Deferred) -> Option<TokenStream> {
        let position = Position {
            index: self.next_index,
            top: self.block_depth == 1,
        };
        self.next_index += 1;
        let scope = self.scope();
        let action = deferred.action?;
        Some(guard::guard(
            action,
            &deferred.attrs,
            deferred.location,
            &self.context(&scope),
            position,
        ))
    }

    fn tail(&self) -> Tail<'_> {
        Tail {
            exit: &self.names.exit,
            ret: self.ret,
        }
    }

    /// The last statement of a block whose value is the function's: the
    /// value is stored where it is computed.
    fn store_last(&mut self, stmt: Stmt, mut out: Vec<Stmt>) -> Vec<Stmt> {
        match stmt {
            Stmt::Expr(expr, None) => out.push(Stmt::Expr(self.store_expr(expr), None)),
            Stmt::Macro(mut mac) if mac.semi_token.is_none() && !self.ret.is_unit => {
                let value = self.wrap(&mut mac.mac, Some(false)).unwrap_or_else(|| {
                    self.rewrite_macro(&mut mac.mac);
                    hidden::as_statement(&mac.mac, false)
                });
                out.push(Stmt::Expr(
                    Expr::Verbatim(self.tail().store_leaf(&mac.attrs, &value)),
                    None,
                ));
            }
            mut last => {
                if !self.wrap_stmt(&mut last, true) {
                    self.visit_stmt_mut(&mut last);
                }
                if let Stmt::Macro(mac) = &mut last {
                    // A unit function's last macro is a statement
                    // (`println!(…)`, `thread_local!{…}`); a paren or
                    // bracket macro needs its `;` before what follows.
                    if mac.semi_token.is_none() && !matches!(mac.mac.delimiter, syn::MacroDelimiter::Brace(_))
                    {
                        mac.semi_token = Some(syn::Token![;](Span::call_site()));
                    }
                }
                out.push(last);
                // A unit function ends with `()`; any other function gets
                // here only if its last statement diverges, and the block's
                // type is then `!`, which needs no value.
                if self.ret.is_unit {
                    self.tail().store_unit(&mut out);
                }
            }
        }
        out
    }

    /// Stores the value of an expression whose value is the function's: in
    /// the tails of its blocks, branches and arms, or around it.
    fn store_expr(&mut self, expr: Expr) -> Expr {
        match expr {
            Expr::Block(mut block) if block.label.is_none() => {
                self.rewrite_block(&mut block.block, true);
                Expr::Block(block)
            }
            Expr::Unsafe(mut block) => {
                self.rewrite_block(&mut block.block, true);
                Expr::Unsafe(block)
            }
            Expr::If(mut if_) if if_.else_branch.is_some() => {
                self.visit_expr_mut(&mut if_.cond);
                self.rewrite_block(&mut if_.then_branch, true);
                if let Some((_, otherwise)) = &mut if_.else_branch {
                    let taken = std::mem::replace(&mut **otherwise, Expr::Verbatim(TokenStream::new()));
                    **otherwise = self.store_expr(taken);
                }
                Expr::If(if_)
            }
            Expr::Match(mut match_) => {
                self.visit_expr_mut(&mut match_.expr);
                for arm in &mut match_.arms {
                    // A guard (`pat if cond`) is part of the pattern here.
                    self.visit_pat_mut(&mut arm.pat);
                    let taken = std::mem::replace(&mut *arm.body, Expr::Verbatim(TokenStream::new()));
                    *arm.body = self.store_expr(taken);
                    arm.comma.get_or_insert_with(Default::default);
                }
                Expr::Match(match_)
            }
            // Already leaves through the slot (a rewritten `return`).
            mut exit @ (Expr::Return(_) | Expr::Break(_) | Expr::Continue(_)) => {
                self.visit_expr_mut(&mut exit);
                exit
            }
            Expr::Verbatim(tokens) if starts_with_return(&tokens) => Expr::Verbatim(tokens),
            mut leaf => {
                let attrs = take_attrs(&mut leaf);
                self.visit_expr_mut(&mut leaf);
                Expr::Verbatim(self.tail().store_leaf(&attrs, &quote!(#leaf)))
            }
        }
    }

    /// The way out of the function from here, with `value` (the proof that
    /// the slot holds the returned value, or without a slot the value):
    /// `return value`, or, inside a frame, leaving the frame with
    /// `Flow::Return(value)`.
    fn leave_function(&self, value: &TokenStream, span: Span) -> TokenStream {
        match self.frames.last() {
            None => quote_spanned!(span=> return #value),
            Some(frame) => frame.leave_returning(&self.private, value, span),
        }
    }

    /// `return value` becomes `return { store value in the slot }`, or,
    /// inside a frame, leaving it with the proof (without a slot, with the
    /// value).
    fn rewrite_return(&mut self, ret: &mut syn::ExprReturn) -> Expr {
        let span = Span::mixed_site().located_at(ret.return_token.span);
        let value = if let Some(mut value) = ret.expr.take() {
            self.visit_expr_mut(&mut value);
            quote!(#value)
        } else {
            quote_spanned!(span=> ())
        };
        let attrs = &ret.attrs;
        let store = slot::leaving(self.exit(), value, span);
        let leave = match self.frames.last() {
            // The user's `return` token, for the spans of its errors.
            None => {
                let return_token = syn::Token![return](ret.return_token.span);
                quote_spanned!(span=> #return_token #store)
            }
            Some(_) => self.leave_function(&store, span),
        };
        Expr::Verbatim(quote_spanned!(span=> #(#attrs)* #leave))
    }

    /// `value?` becomes the `match` it stands for, with the converted
    /// residual stored in the slot (if any) before leaving.
    fn rewrite_try(&mut self, try_: &mut syn::ExprTry) -> Expr {
        self.visit_expr_mut(&mut try_.expr);
        let value = &try_.expr;
        let routed = slot::routed_try(
            &self.private,
            self.exit(),
            &quote!(#value),
            try_.question_token.span,
            |store, span| self.leave_function(store, span),
        );
        let attrs = &try_.attrs;
        Expr::Verbatim(quote!(#(#attrs)* #routed))
    }

    /// Where a `break` or `continue` with this label goes.
    fn target(&self, label: Option<&Lifetime>) -> Option<usize> {
        match label {
            Some(label) => self
                .breakables
                .iter()
                .rposition(|breakable| breakable.label.as_ref() == Some(&label.ident)),
            None => self.breakables.iter().rposition(|breakable| breakable.is_loop),
        }
    }

    /// The jump to `target` from here, with `value` (`()` for a `continue`
    /// or a `break` without a value): the `break`/`continue` itself, or,
    /// from inside a frame the target is outside of, leaving the frame with
    /// `Flow::Jump`.
    fn jump(&mut self, target: Target, value: &TokenStream, span: Span) -> TokenStream {
        let breakable = &self.breakables[target.breakable];
        if breakable.frames < self.frames.len() {
            let private = self.private.clone();
            let frame = self.frames.last_mut().expect("checked: inside a frame");
            let encoded = frame.encode(target, value, &private);
            return frame.leave(&quote_spanned!(span=> #private::Flow::Jump(#encoded)), span);
        }
        let label = breakable.label.as_ref().map(|label| Lifetime {
            apostrophe: label.span(),
            ident: label.clone(),
        });
        match (target.is_continue, target.has_value) {
            (true, _) => quote_spanned!(span=> continue #label),
            (false, true) => quote_spanned!(span=> break #label #value),
            (false, false) => quote_spanned!(span=> break #label),
        }
    }

    /// A `break` or `continue` that leaves the innermost frame becomes that
    /// frame's exit.
    fn rewrite_jump(&mut self, expr: &mut Expr) {
        let (label, value, is_continue, span) = match expr {
            Expr::Break(break_) => {
                if let Some(value) = &mut break_.expr {
                    self.visit_expr_mut(value);
                }
                (
                    break_.label.clone(),
                    break_.expr.take(),
                    false,
                    break_.break_token.span,
                )
            }
            Expr::Continue(continue_) => (continue_.label.clone(), None, true, continue_.continue_token.span),
            _ => return,
        };
        let leaves_frame = self
            .target(label.as_ref())
            .filter(|&breakable| self.breakables[breakable].frames < self.frames.len());
        let Some(breakable) = leaves_frame else {
            // Stays inside the frame, or is not the function's (rustc
            // reports a `break` outside a loop): as written.
            if let (Expr::Break(break_), Some(value)) = (&mut *expr, value) {
                break_.expr = Some(value);
            }
            return;
        };
        let span = Span::mixed_site().located_at(span);
        let target = Target {
            breakable,
            is_continue,
            has_value: value.is_some(),
        };
        let value = value.map_or_else(|| quote_spanned!(span=> ()), |value| quote!(#value));
        *expr = Expr::Verbatim(self.jump(target, &value, span));
    }

    /// Visits a loop's or a labelled block's body with its label known.
    fn inside_breakable(&mut self, label: Option<Ident>, kind: BreakableKind, visit: impl FnOnce(&mut Self)) {
        self.breakables.push(Breakable {
            label,
            is_loop: kind != BreakableKind::Block,
            breaks_with_value: kind == BreakableKind::Loop,
            frames: self.frames.len(),
        });
        visit(self);
        self.breakables.pop();
    }

    /// The frame of an action that runs where its block ends: the rest of
    /// the block (already without its items) runs first, then the action,
    /// then the code that goes where the rest was leaving to.
    fn frame(&mut self, deferred: Deferred, rest: Vec<Stmt>, value: bool) -> Stmt {
        let Some(action) = deferred.action else {
            unreachable!("`take` gives only parsed actions")
        };
        // An `async fn`'s frames are labelled blocks: the rest may await.
        let labelled = action.form.shape.runs_on_normal_exits_only() || self.carried;
        let top = self.block_depth == 1;
        let label = format!("'__epilogue_frame_{}", self.frames.len());
        self.frames.push(Frame::new(labelled, &label, deferred.location));
        let rest = self.rewrite_stmts(rest, value);
        let rest = quote!(#(#rest)*);
        let frame = self.frames.pop().expect("pushed above");
        let seen = frame::seen_ident();
        let returned = if self.ret.is_never && self.frames.is_empty() && !self.slot() {
            // The frame's `Infallible` (see `OnReturn::Value`): no return
            // to make.
            quote_spanned!(Span::mixed_site()=> match #seen {})
        } else {
            self.leave_function(&seen, Span::mixed_site())
        };
        let jumps: Vec<TokenStream> = frame
            .targets()
            .iter()
            .map(|&target| {
                let value = if target.has_value {
                    frame::jump_value_ident()
                } else {
                    quote!(())
                };
                self.jump(target, &value, Span::mixed_site())
            })
            .collect();
        let position = Position {
            index: self.next_index,
            top,
        };
        self.next_index += 1;
        let scope = self.scope();
        let parts = frame::Parts {
            rest: &rest,
            returned: &returned,
            jumps: &jumps,
            attrs: &deferred.attrs,
            exit: &self.names.exit,
            ret: self.ret,
            on_return: if self.carried {
                OnReturn::CarryingProof
            } else if self.slot() {
                OnReturn::SlotProof
            } else {
                OnReturn::Value
            },
            returns_value: value,
            position,
        };
        Stmt::Expr(
            Expr::Verbatim(frame.expand(action, &parts, &self.context(&scope))),
            None,
        )
    }

    /// The invocation of another macro, wrapped in a closure that catches a
    /// `return` it may hide (see `hidden`), when the function has a slot, the
    /// return type's early exits are known, and the macro is one to wrap.
    ///
    /// `statement`: for a statement of its own, whether it ends with a `;`
    /// (it stays a statement inside the wrapper, where a macro may expand
    /// to several).
    fn wrap(&mut self, mac: &mut Macro, statement: Option<bool>) -> Option<TokenStream> {
        // Without a slot, a frame has no macro that may hide a return (see
        // `hidden::may_return_in`), and the function's others return as
        // written.
        if !self.routes_exits() || !self.slot() {
            return None;
        }
        let shape = hidden::shape_for(self.ret.early_exits?, mac);
        if !hidden::wraps(mac, statement.is_some()) {
            return None;
        }
        if mentions_marker(&mac.tokens) {
            self.in_wrapped_args += 1;
            visit_args(mac, |expr| self.visit_expr_mut(expr));
            self.in_wrapped_args -= 1;
        }
        let span = Span::mixed_site().located_at(crate::deferred::location(mac));
        let returned = hidden::returned();
        let store = store(&self.names.exit, &quote!(#returned), span);
        let leave = self.leave_function(&store, span);
        let jumps = self
            .breakables
            .iter()
            .rposition(|breakable| breakable.is_loop)
            .filter(|_| hidden::may_hide_jumps(mac))
            .map(|breakable| {
                let unit = quote_spanned!(span=> ());
                let continue_ = Target {
                    breakable,
                    is_continue: true,
                    has_value: false,
                };
                let continue_ = self.jump(continue_, &unit, span);
                // A `break` hidden in the macro carries its value, if any,
                // out of the closure: in a `loop`, the user's loop breaks
                // with it, so that its type is what it was.
                let breaks_with_value = self.breakables[breakable].breaks_with_value;
                let break_ = Target {
                    breakable,
                    is_continue: false,
                    has_value: breaks_with_value,
                };
                let broke = if breaks_with_value {
                    hidden::broke(span)
                } else {
                    unit
                };
                let break_ = self.jump(break_, &broke, span);
                (continue_, break_)
            });
        let exits = hidden::Exits { leave, jumps };
        let invocation = statement.map_or_else(|| quote!(#mac), |semi| hidden::as_statement(mac, semi));
        Some(hidden::wrapper(
            &invocation,
            &self.private,
            &self.scope(),
            shape,
            &exits,
            span,
        ))
    }

    /// A statement that is another macro's invocation, wrapped (see
    /// [`wrap`](Self::wrap)); false if it is not one to wrap.
    fn wrap_stmt(&mut self, stmt: &mut Stmt, is_last: bool) -> bool {
        let Stmt::Macro(mac) = stmt else {
            return false;
        };
        let Some(wrapped) = self.wrap(&mut mac.mac, Some(mac.semi_token.is_some())) else {
            return false;
        };
        // Its `;`, or one that keeps a braced macro in the middle of a block
        // from being taken for a value.
        let semi = mac
            .semi_token
            .take()
            .or_else(|| (!is_last).then(Default::default));
        *stmt = Stmt::Expr(Expr::Verbatim(wrapped), semi);
        true
    }

    /// Expands the markers inside another macro's arguments and, with a
    /// slot, rewrites the `?` and `return` there, or reports them when the
    /// arguments are not expressions; then the invocation is replaced by
    /// `unreachable!()`, so that rustc adds no error of its own.
    fn rewrite_macro(&mut self, mac: &mut Macro) {
        let exit = if self.rewrites_exits() {
            first_exit(&mac.tokens)
        } else {
            None
        };
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
            let missed = if self.slot() {
                "hooks and `defer_on_err!` would not see this exit"
            } else {
                "it could not leave through the `defer!` above it, which runs after the statements that follow it"
            };
            self.errors.push(Error::new(
                span,
                format!(
                    "this {what} is inside `{name}!`, whose arguments `#[defer_on_exit]` cannot rewrite, so \
                     {missed}; {advice}"
                ),
            ));
        }
    }
}

impl VisitMut for Rewriter<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        self.rewrite_block(block, false);
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // Their own `return`, `?`, `break` and `continue`.
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Return(ret) if self.routes_exits() => *expr = self.rewrite_return(ret),
            Expr::Try(try_) if self.routes_exits() => *expr = self.rewrite_try(try_),
            Expr::Break(_) | Expr::Continue(_) if !self.frames.is_empty() && self.in_wrapped_args == 0 => {
                self.rewrite_jump(expr);
            }
            Expr::ForLoop(for_) => {
                self.visit_expr_mut(&mut for_.expr);
                let label = for_.label.as_ref().map(|label| label.name.ident.clone());
                self.inside_breakable(label, BreakableKind::WhileOrFor, |rewriter| {
                    rewriter.visit_block_mut(&mut for_.body);
                });
            }
            Expr::While(while_) => {
                let label = while_.label.as_ref().map(|label| label.name.ident.clone());
                self.inside_breakable(label, BreakableKind::WhileOrFor, |rewriter| {
                    rewriter.visit_expr_mut(&mut while_.cond);
                    rewriter.visit_block_mut(&mut while_.body);
                });
            }
            Expr::Loop(loop_) => {
                let label = loop_.label.as_ref().map(|label| label.name.ident.clone());
                self.inside_breakable(label, BreakableKind::Loop, |rewriter| {
                    rewriter.visit_block_mut(&mut loop_.body);
                });
            }
            Expr::Block(block) if block.label.is_some() => {
                let label = block.label.as_ref().map(|label| label.name.ident.clone());
                self.inside_breakable(label, BreakableKind::Block, |rewriter| {
                    rewriter.visit_block_mut(&mut block.block);
                });
            }
            Expr::Macro(mac) => match self.wrap(&mut mac.mac, None) {
                Some(wrapped) => *expr = Expr::Verbatim(wrapped),
                None => self.rewrite_macro(&mut mac.mac),
            },
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

/// Whether a statement before a block's tail is the real tail once `#[cfg]`
/// removed the ones after it: it and every statement after it are
/// expressions without `;`, each under a `#[cfg]` (`#[cfg(unix)] { a }
/// #[cfg(not(unix))] { b }`). The value of each is stored; the build keeps
/// one.
fn may_be_tail_under_cfg(stmt: &Stmt, after: &[Stmt]) -> bool {
    let under_cfg = |stmt: &Stmt| {
        let Stmt::Expr(expr, None) = stmt else {
            return false;
        };
        let attrs = match expr {
            Expr::Block(block) => &block.attrs,
            Expr::If(if_) => &if_.attrs,
            Expr::Match(match_) => &match_.attrs,
            Expr::Unsafe(unsafe_) => &unsafe_.attrs,
            _ => return false,
        };
        attrs.iter().any(|attr| attr.path().is_ident("cfg"))
    };
    under_cfg(stmt) && after.iter().all(under_cfg)
}
