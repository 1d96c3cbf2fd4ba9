//! Finding the deferred actions of a function body.
//!
//! The scan visits the whole body, the arguments of other macros included,
//! and accounts for every `defer!`/`defer_on_err!` it meets: one written as
//! a statement of one of the body's blocks is parsed and replaced by a
//! marker, which the rewriter turns into the action's expansion; one written
//! anywhere else (inside a closure, an `async` block, a `const` block, a
//! nested function, an item, an expression, a macro whose arguments are not
//! expressions) is reported, with what to do instead, and removed. No
//! invocation is dropped without one or the other.

use proc_macro2::{Ident, Span, TokenStream, TokenTree};
use quote::quote;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Error, Expr, Stmt};

use crate::deferred::{self, as_invocation, Action};
use crate::errors::Errors;
use crate::forms::{self, Macro};
use crate::macro_args::visit_args;
use crate::root::Root;
use crate::trees::Trees;
use crate::{borrows, hidden};

/// What [`scan`] found.
pub(crate) struct Scanned {
    /// At least one `defer!`/`defer_on_err!` in the function's own body.
    pub(crate) has_deferred: bool,
    /// What the actions ask of the exit slot.
    pub(crate) slot: SlotUse,
    /// The invocations, in the order of their markers.
    pub(crate) deferred: Vec<Deferred>,
    pub(crate) errors: Errors,
}

/// What a function's actions ask of the exit slot, through which every exit
/// goes, from the least to the most.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum SlotUse {
    /// Nothing: no action looks at the returned value or runs after a frame.
    None,
    /// A synchronous action runs after a frame, whose flow may carry the
    /// value being returned instead (see `frame::OnReturn::Value`).
    SyncFrames,
    /// Such a frame invokes a macro that may hide a return, which only the
    /// slot's wrapper routes.
    SyncFramesHidingReturns,
    /// A form looks at the returned value, or an async action runs after
    /// a frame, which carries the value with the slot's proof.
    Needed,
}

/// A parsed `defer!`/`defer_on_err!` statement, waiting for its expansion.
pub(crate) struct Deferred {
    /// Its outer attributes (`#[cfg(…)]`), for the guard's `let`.
    pub(crate) attrs: Trees,
    /// The macro's name, where its expansion is located.
    pub(crate) location: Span,
    /// `None` when it did not parse (the error is reported).
    pub(crate) action: Option<Action>,
    /// Whether it runs where its block ends rather than from a guard: an
    /// async action, which is awaited there, or an action that could hold a
    /// borrow the rest of its block needs (see `borrows`).
    pub(crate) at_block_end: bool,
}

/// The name of the marker macro that stands for `Scanned::deferred[i]`
/// between the scan and the rewriter: `__epilogue_deferred!(i);`. A macro
/// statement, so that a marker inside another macro's arguments survives
/// being printed and parsed again.
const MARKER: &str = "__epilogue_deferred";

fn marker(index: usize) -> Stmt {
    // Built, not parsed: `parse_quote!` here took a twentieth of a slot
    // function's expansion, in a proc macro that runs unoptimised.
    let index = proc_macro2::Literal::usize_unsuffixed(index);
    Stmt::Macro(syn::StmtMacro {
        attrs: Vec::new(),
        mac: syn::Macro {
            path: Ident::new(MARKER, Span::call_site()).into(),
            bang_token: syn::Token![!](Span::call_site()),
            delimiter: syn::MacroDelimiter::Paren(syn::token::Paren(Span::call_site())),
            tokens: TokenTree::Literal(index).into(),
        },
        semi_token: Some(syn::Token![;](Span::call_site())),
    })
}

/// The index a marker statement stands for.
pub(crate) fn marker_index(stmt: &Stmt) -> Option<usize> {
    let Stmt::Macro(stmt) = stmt else {
        return None;
    };
    if !stmt.mac.path.is_ident(MARKER) {
        return None;
    }
    match stmt.mac.tokens.clone().into_iter().next() {
        Some(TokenTree::Literal(index)) => index.to_string().parse().ok(),
        _ => None,
    }
}

/// Puts `action` first in the body, as if written there, running where the
/// body ends: the attribute's `map_err`.
pub(crate) fn prepend(block: &mut Block, scanned: &mut Scanned, action: Action, location: Span) {
    scanned.slot = SlotUse::Needed;
    scanned.has_deferred = true;
    block.stmts.insert(0, marker(scanned.deferred.len()));
    scanned.deferred.push(Deferred {
        attrs: Trees::default(),
        location,
        action: Some(action),
        at_block_end: true,
    });
}

/// Whether `tokens` contain a marker: another macro's arguments that the
/// rewriter must parse again to expand it.
pub(crate) fn mentions_marker(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == MARKER,
        TokenTree::Group(group) => mentions_marker(&group.stream()),
        _ => false,
    })
}

/// Finds the deferred actions of `block`, replaces each with a marker, and
/// reports misplaced ones.
pub(crate) fn scan(block: &mut Block, root: &Root, is_async: bool) -> Scanned {
    scan_in(block, root, is_async, Region::Body)
}

/// Reports every invocation of a body that `#[recover]` alone annotates,
/// and removes it.
pub(crate) fn reject_all(block: &mut Block, root: &Root) -> Errors {
    scan_in(block, root, false, Region::RecoverOnly).errors
}

fn scan_in(block: &mut Block, root: &Root, is_async: bool, place: Region) -> Scanned {
    let mut scan = Scan {
        root,
        is_async,
        place,
        found: Scanned {
            has_deferred: false,
            slot: SlotUse::None,
            deferred: Vec::new(),
            errors: Errors::default(),
        },
    };
    scan.visit_block_mut(block);
    scan.found
}

/// Where the scan is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Region {
    /// A block of the function's own body.
    Body,
    Closure,
    AsyncBlock,
    ConstBlock,
    NestedFn,
    /// The initializer of a `const` or `static`, or another item.
    Item,
    /// The body of a function with `#[recover]` but not `#[defer_on_exit]`.
    RecoverOnly,
}

/// The error for an invocation in a function that has `#[recover]` only.
fn recover_only(mac: Macro) -> String {
    format!(
        "`{}!` needs `#[defer_on_exit]` on this function: `#[recover]` alone catches panics but runs no \
         deferred actions; add `#[defer_on_exit]` (in either order), and the actions run inside the boundary",
        mac.name()
    )
}

struct Scan<'a> {
    root: &'a Root,
    /// Whether the body runs in a future, where async forms are possible and
    /// synchronous ones stay guards (cancellation can only run a guard).
    is_async: bool,
    place: Region,
    found: Scanned,
}

impl Scan<'_> {
    fn inside(&mut self, place: Region, visit: impl FnOnce(&mut Self)) {
        let outer = std::mem::replace(&mut self.place, place);
        visit(self);
        self.place = outer;
    }

    /// Reports a misplaced invocation (the caller then removes it, so that
    /// the runtime's fallback `macro_rules!` adds no second error).
    fn misplaced(&mut self, call: &syn::Macro, mac: Macro) {
        let name = mac.name();
        let message = match self.place {
            Region::Body => format!(
                "`{name}!` registers a cleanup for its enclosing block and must be a statement of its own: \
                 `{name}! {{ … }}`; it has no value"
            ),
            Region::Closure => format!(
                "`{name}!` cannot be used inside a closure: `#[defer_on_exit]` rewrites only the function's own \
                 body, and a cleanup registered here would belong to the closure; register it in the function \
                 body, or move the closure's code into a function annotated with `#[defer_on_exit]`"
            ),
            Region::AsyncBlock => format!(
                "`{name}!` cannot be used inside an `async` block: the block is a separate future that \
                 `#[defer_on_exit]` does not rewrite; move its code into an `async fn` annotated with \
                 `#[defer_on_exit]`, or register the cleanup outside the block"
            ),
            Region::ConstBlock => format!(
                "`{name}!` cannot be used inside a `const` block: it is evaluated at compile time, where \
                 nothing runs on exit; register the cleanup outside the block"
            ),
            Region::NestedFn => format!(
                "`{name}!` in a nested function belongs to that function: annotate it with `#[defer_on_exit]` too"
            ),
            Region::Item => format!(
                "`{name}!` cannot be used in an item's definition: only the function's own body runs cleanups; \
                 register it in the function body"
            ),
            Region::RecoverOnly => recover_only(mac),
        };
        self.found
            .errors
            .push(Error::new(deferred::location(call), message));
    }

    /// Looks into the arguments of a macro that is not ours, when they
    /// mention ours: parsed as expressions, they are scanned like the rest
    /// of the body and printed back. Arguments that do not parse cannot be
    /// rewritten, and each invocation in them is reported.
    fn visit_other_macro(&mut self, call: &mut syn::Macro) {
        if !mentions_ours(&call.tokens) {
            return;
        }
        if visit_args(call, |expr| self.visit_expr_mut(expr)) {
            return;
        }
        let name = call
            .path
            .segments
            .last()
            .map(|last| last.ident.to_string())
            .unwrap_or_default();
        for (ident, mac) in our_names(&call.tokens) {
            let message = if self.place == Region::RecoverOnly {
                recover_only(mac)
            } else {
                format!(
                    "`{}!` is inside `{name}!`, whose arguments `#[defer_on_exit]` cannot parse as expressions, \
                     so it cannot register this cleanup; move it out of `{name}!` into a block of the function",
                    mac.name()
                )
            };
            self.found.errors.push(Error::new(ident.span(), message));
        }
        // The invocations go, the rest of the macro stays, so that it adds
        // no error (or "unused macro" warning) of its own.
        call.tokens = without_ours(&call.tokens);
    }
}

/// The tokens of the statements after a deferred action.
fn rest_tokens(rest: &[Stmt]) -> TokenStream {
    quote!(#(#rest)*)
}

/// Whether `tokens` mention `defer` or `defer_on_err`: the cheap test that
/// decides whether another macro's arguments are worth parsing.
fn mentions_ours(tokens: &TokenStream) -> bool {
    !our_names(tokens).is_empty()
}

/// `tokens` without the invocations of `defer!`/`defer_on_err!` (name, `!`,
/// group, and a `;` after it).
fn without_ours(tokens: &TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut kept = Vec::with_capacity(tokens.len());
    let mut index = 0;
    while index < tokens.len() {
        let is_ours = matches!(&tokens[index], TokenTree::Ident(ident) if Macro::is_name(ident))
            && matches!(tokens.get(index + 1), Some(TokenTree::Punct(bang)) if bang.as_char() == '!')
            && matches!(tokens.get(index + 2), Some(TokenTree::Group(_)));
        if is_ours {
            index += 3;
            if matches!(tokens.get(index), Some(TokenTree::Punct(semi)) if semi.as_char() == ';') {
                index += 1;
            }
            continue;
        }
        kept.push(match &tokens[index] {
            TokenTree::Group(group) => {
                let mut stripped = proc_macro2::Group::new(group.delimiter(), without_ours(&group.stream()));
                stripped.set_span(group.span());
                TokenTree::Group(stripped)
            }
            other => other.clone(),
        });
        index += 1;
    }
    kept.into_iter().collect()
}

/// Every `defer`/`defer_on_err` followed by `!` in `tokens`.
fn our_names(tokens: &TokenStream) -> Vec<(Ident, Macro)> {
    let mut found = Vec::new();
    let mut previous: Option<(Ident, Macro)> = None;
    for token in tokens.clone() {
        match &token {
            TokenTree::Punct(punct) if punct.as_char() == '!' => found.extend(previous.take()),
            TokenTree::Group(group) => found.extend(our_names(&group.stream())),
            _ => {}
        }
        previous = match token {
            TokenTree::Ident(ident) => Macro::ALL
                .into_iter()
                .find(|mac| ident == mac.name())
                .map(|mac| (ident, mac)),
            _ => None,
        };
    }
    found
}

impl VisitMut for Scan<'_> {
    fn visit_block_mut(&mut self, block: &mut Block) {
        for index in 0..block.stmts.len() {
            let stmt = &block.stmts[index];
            let Some(invocation) = as_invocation(stmt, self.root) else {
                self.visit_stmt_mut(&mut block.stmts[index]);
                continue;
            };
            if self.place != Region::Body {
                self.misplaced(invocation.call, invocation.mac);
                block.stmts[index] = Stmt::Item(syn::Item::Verbatim(TokenStream::new()));
                continue;
            }
            self.found.has_deferred = true;
            let action = match invocation
                .parse(self.root)
                .and_then(|action| self.placeable(action, &invocation))
            {
                Ok(action) => {
                    if action.form.needs_slot {
                        self.found.slot = SlotUse::Needed;
                    }
                    Some(action)
                }
                Err(error) => {
                    self.found.errors.push(error);
                    None
                }
            };
            let at_block_end = action.as_ref().is_some_and(|action| {
                action.form.shape.is_async()
                    || (!self.is_async
                        && !action.captures_at_registration()
                        && borrows::conflict(&action.tokens(), &action.own_names(), || {
                            rest_tokens(&block.stmts[index + 1..])
                        }))
            });
            // The rest of the block is moved into a frame.
            if at_block_end {
                let asks = if self.is_async {
                    SlotUse::Needed
                } else if hidden::may_return_in(&rest_tokens(&block.stmts[index + 1..])) {
                    SlotUse::SyncFramesHidingReturns
                } else {
                    SlotUse::SyncFrames
                };
                self.found.slot = self.found.slot.max(asks);
            }
            let attrs = invocation.attrs;
            let deferred = Deferred {
                attrs: quote!(#(#attrs)*).into(),
                location: deferred::location(invocation.call),
                action,
                at_block_end,
            };
            block.stmts[index] = marker(self.found.deferred.len());
            self.found.deferred.push(deferred);
        }
    }

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(closure) => {
                self.inside(Region::Closure, |scan| scan.visit_expr_mut(&mut closure.body));
            }
            Expr::Async(block) => {
                self.inside(Region::AsyncBlock, |scan| scan.visit_block_mut(&mut block.block));
            }
            Expr::Const(block) => {
                self.inside(Region::ConstBlock, |scan| scan.visit_block_mut(&mut block.block));
            }
            Expr::Macro(call) => match Macro::named_by(&call.mac.path, self.root) {
                Some(mac) => {
                    self.misplaced(&call.mac, mac);
                    *expr = Expr::Verbatim(quote!(()));
                }
                None => self.visit_other_macro(&mut call.mac),
            },
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_stmt_mut(&mut self, stmt: &mut Stmt) {
        match stmt {
            Stmt::Macro(call) => self.visit_other_macro(&mut call.mac),
            _ => visit_mut::visit_stmt_mut(self, stmt),
        }
    }

    fn visit_item_mut(&mut self, item: &mut syn::Item) {
        match item {
            syn::Item::Fn(function) => {
                if !self.has_defer_on_exit(&function.attrs) {
                    self.inside(Region::NestedFn, |scan| scan.visit_block_mut(&mut function.block));
                }
            }
            syn::Item::Impl(impl_) => {
                for item in &mut impl_.items {
                    if let syn::ImplItem::Fn(function) = item {
                        if !self.has_defer_on_exit(&function.attrs) {
                            self.inside(Region::NestedFn, |scan| scan.visit_block_mut(&mut function.block));
                        }
                    }
                }
            }
            syn::Item::Trait(trait_) => {
                for item in &mut trait_.items {
                    if let syn::TraitItem::Fn(function) = item {
                        if let (false, Some(block)) =
                            (self.has_defer_on_exit(&function.attrs), &mut function.default)
                        {
                            self.inside(Region::NestedFn, |scan| scan.visit_block_mut(block));
                        }
                    }
                }
            }
            // A macro defining items (`thread_local!`, `macro_rules!`) is
            // not the function's code.
            syn::Item::Macro(_) => {}
            _ => self.inside(Region::Item, |scan| visit_mut::visit_item_mut(scan, item)),
        }
    }
}

impl Scan<'_> {
    /// An async form is awaited, which only an `async fn` can do.
    fn placeable(&self, action: Action, invocation: &deferred::Invocation<'_>) -> syn::Result<Action> {
        let form = action.form;
        if form.shape.is_async() && !self.is_async {
            let sync_shape = match form.shape {
                forms::Shape::AsyncClosure => forms::Shape::Closure,
                _ => forms::Shape::Block,
            };
            let instead = forms::find(form.mac, sync_shape).map_or_else(
                |_| "make the function `async`".to_owned(),
                |sync| format!("here, write `{}`, or make the function `async`", sync.written),
            );
            return Err(Error::new(
                deferred::location(invocation.call),
                format!(
                    "`{}` can only be used in an `async fn`: it is awaited when its block is left, and a \
                     synchronous function cannot wait; {instead}",
                    form.written
                ),
            ));
        }
        Ok(action)
    }

    /// A nested function annotated with `#[defer_on_exit]` expands on its own.
    fn has_defer_on_exit(&self, attrs: &[syn::Attribute]) -> bool {
        attrs
            .iter()
            .any(|attr| self.root.names(attr.path(), "defer_on_exit"))
    }
}
