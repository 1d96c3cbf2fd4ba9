//! One `defer!` or `defer_on_err!` invocation: recognising it, parsing its
//! form, checking its body, and the guard it becomes.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{token, Attribute, Block, Error, Expr, ExprClosure, Lifetime, Macro, Path, Result, Stmt, Token};

use crate::args::Root;
use crate::errors::Errors;

/// Which macro.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Defer,
    DeferOnErr,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Defer => "defer",
            Kind::DeferOnErr => "defer_on_err",
        }
    }
}

/// What the invocation asks for.
pub(crate) enum Action {
    /// `defer! { … }`, `defer_on_err! { … }`, and their `move { … }` forms.
    Block {
        kind: Kind,
        capture: Option<Token![move]>,
        /// The statements, checked.
        body: TokenStream,
    },
    /// `defer!(|ret| …)` and `defer!(move |ret| …)`.
    Hook(Box<ExprClosure>),
}

impl Action {
    /// Whether the function needs an exit slot for this action.
    pub(crate) fn needs_slot(&self) -> bool {
        !matches!(
            self,
            Action::Block {
                kind: Kind::Defer,
                ..
            }
        )
    }
}

/// Whether `path` names `defer!` or `defer_on_err!`: `defer`,
/// `epilogue::defer`, `::epilogue::defer`, or `ROOT::defer` with `crate = ROOT`.
pub(crate) fn macro_kind(path: &Path, root: &Root) -> Option<Kind> {
    let last = &path.segments.last()?.ident;
    let kind = if last == "defer" {
        Kind::Defer
    } else if last == "defer_on_err" {
        Kind::DeferOnErr
    } else {
        return None;
    };
    let ours = (path.segments.len() == 1 && path.leading_colon.is_none())
        || (path.segments.len() == 2 && path.segments[0].ident == "epilogue")
        || root.is_prefix_of(path);
    ours.then_some(kind)
}

/// A `defer!`/`defer_on_err!` statement found in a block.
pub(crate) struct Found<'a> {
    pub(crate) kind: Kind,
    pub(crate) attrs: &'a [Attribute],
    pub(crate) mac: &'a Macro,
}

/// Recognises a statement that is a `defer!`/`defer_on_err!` invocation.
pub(crate) fn as_deferred<'a>(stmt: &'a Stmt, root: &Root) -> Option<Found<'a>> {
    let (attrs, mac) = match stmt {
        Stmt::Macro(stmt) => (&stmt.attrs[..], &stmt.mac),
        Stmt::Expr(Expr::Macro(expr), _) => (&expr.attrs[..], &expr.mac),
        _ => return None,
    };
    let kind = macro_kind(&mac.path, root)?;
    Some(Found { kind, attrs, mac })
}

/// The span that generated code for this invocation is located at: the
/// macro's name, so that borrow errors on the deferred closure point at the
/// `defer!` the user wrote, not at the attribute.
pub(crate) fn location(mac: &Macro) -> Span {
    mac.path
        .segments
        .last()
        .map_or_else(|| mac.path.span(), |last| last.ident.span())
}

impl Found<'_> {
    /// Parses the invocation and checks its body.
    pub(crate) fn parse(&self) -> Result<Action> {
        let kind = self.kind;
        if let Some((capture, body)) = plain_block(&self.mac.tokens) {
            return Ok(Action::Block { kind, capture, body });
        }
        let mut action =
            (|input: ParseStream<'_>| parse_action(kind, input)).parse2(self.mac.tokens.clone())?;
        check_action(&mut action)?;
        Ok(action)
    }
}

/// Whether the tokens of a `defer! { … }` are statements that need no
/// checking: not a `move` or closure form, and with none of the tokens the
/// checks look for anywhere inside. Then they go into the guard as written,
/// unparsed: parsing them is most of what an expansion costs, in a
/// proc-macro that runs unoptimised. Anything else is parsed and checked,
/// so the errors are the same either way.
fn plain_block(tokens: &TokenStream) -> Option<(Option<Token![move]>, TokenStream)> {
    let mut iter = tokens.clone().into_iter();
    match iter.next() {
        // `move { … }`, and nothing after the block.
        Some(proc_macro2::TokenTree::Ident(ident)) if ident == "move" => {
            let Some(proc_macro2::TokenTree::Group(block)) = iter.next() else {
                return None;
            };
            let body = block.stream();
            let plain = block.delimiter() == proc_macro2::Delimiter::Brace
                && iter.next().is_none()
                && body.clone().into_iter().all(|token| is_unremarkable(&token));
            plain.then(|| (Some(Token![move](ident.span())), body))
        }
        Some(proc_macro2::TokenTree::Ident(ident)) if ident == "async" => None,
        Some(proc_macro2::TokenTree::Punct(punct)) if punct.as_char() == '|' => None,
        _ => tokens
            .clone()
            .into_iter()
            .all(|token| is_unremarkable(&token))
            .then(|| (None, tokens.clone())),
    }
}

fn is_unremarkable(token: &proc_macro2::TokenTree) -> bool {
    match token {
        proc_macro2::TokenTree::Ident(ident) => {
            !(ident == "return"
                || ident == "break"
                || ident == "continue"
                || ident == "await"
                || ident == "defer"
                || ident == "defer_on_err")
        }
        proc_macro2::TokenTree::Punct(punct) => punct.as_char() != '?',
        proc_macro2::TokenTree::Group(group) => {
            group.stream().into_iter().all(|token| is_unremarkable(&token))
        }
        proc_macro2::TokenTree::Literal(_) => true,
    }
}

fn parse_action(kind: Kind, input: ParseStream<'_>) -> Result<Action> {
    let fork = input.fork();
    let capture: Option<Token![move]> = fork.parse()?;
    let is_closure = fork.peek(Token![|]) || fork.peek(Token![||]) || input.peek(Token![async]);
    if is_closure {
        let closure: ExprClosure = input.parse()?;
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the hook: write one closure, `defer!(|ret| …)`"));
        }
        if kind == Kind::DeferOnErr {
            return Err(Error::new(
                closure.inputs_begin.span,
                "`defer_on_err!` takes a block of statements, not a closure: write `defer_on_err! { … }`; \
                 to look at the returned error, use a hook: `defer!(|ret| if let Err(error) = ret { … })`",
            ));
        }
        return Ok(Action::Hook(Box::new(closure)));
    }
    if let Some(capture) = capture {
        if fork.peek(token::Brace) {
            let _: Token![move] = input.parse()?;
            let content;
            syn::braced!(content in input);
            let stmts = content.call(Block::parse_within)?;
            if !input.is_empty() {
                return Err(input.error(format_args!(
                    "unexpected tokens after the block: write `{}!(move {{ … }})`",
                    kind.name()
                )));
            }
            return checked_block(kind, Some(capture), stmts);
        }
        return Err(Error::new(
            capture.span,
            format_args!(
                "after `move`, write the cleanup as a block: `{}!(move {{ … }})`{}",
                kind.name(),
                if kind == Kind::Defer {
                    ", or a hook: `defer!(move |ret| …)`"
                } else {
                    ""
                }
            ),
        ));
    }
    checked_block(kind, None, input.call(Block::parse_within)?)
}

fn checked_block(kind: Kind, capture: Option<Token![move]>, mut stmts: Vec<Stmt>) -> Result<Action> {
    let mut check = BodyCheck::default();
    for stmt in &mut stmts {
        check.visit_stmt_mut(stmt);
    }
    check.errors.into_result()?;
    Ok(Action::Block {
        kind,
        capture,
        body: quote!(#(#stmts)*),
    })
}

fn check_action(action: &mut Action) -> Result<()> {
    let mut check = BodyCheck::default();
    match action {
        // Checked as it was parsed.
        Action::Block { .. } => {}
        Action::Hook(closure) => {
            if let Some(asyncness) = &closure.asyncness {
                check.errors.push(Error::new(
                    asyncness.span,
                    "a hook cannot be `async`: deferred actions run from `Drop`, which cannot wait",
                ));
            }
            if closure.inputs.len() != 1 {
                check.errors.push(Error::new(
                    closure.inputs_begin.span,
                    format_args!(
                        "a hook takes exactly one parameter, the value being returned: `defer!(|ret| …)` \
                         (this closure takes {}); for a cleanup that does not need the value, write `defer! {{ … }}`",
                        closure.inputs.len()
                    ),
                ));
            }
            check.visit_expr_mut(&mut closure.body);
        }
    }
    check.errors.into_result()
}

/// Rejects what cannot work inside a deferred body: it runs from `Drop`,
/// after the function has decided how it exits.
#[derive(Default)]
struct BodyCheck {
    errors: Errors,
    loops: usize,
    labels: Vec<Lifetime>,
}

impl BodyCheck {
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

impl VisitMut for BodyCheck {
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
                self.errors.push(Error::new(
                    await_.await_token.span,
                    "`.await` cannot be used in a deferred block: deferred actions run from `Drop`, which \
                     cannot wait; await the operation before the block ends instead",
                ));
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

    fn visit_macro_mut(&mut self, mac: &mut Macro) {
        let name = mac.path.segments.last().map(|last| last.ident.to_string());
        if matches!(name.as_deref(), Some("defer" | "defer_on_err")) {
            self.errors.push(Error::new(
                location(mac),
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

/// Where a guard is: its number in the function, and whether it is in the
/// outermost block of the body.
#[derive(Clone, Copy)]
pub(crate) struct Place {
    pub(crate) index: usize,
    pub(crate) top: bool,
}

/// The guard statement an action becomes.
pub(crate) fn guard(
    action: Action,
    attrs: &TokenStream,
    at: Span,
    private: &TokenStream,
    scope: &TokenStream,
    site: &Ident,
    place: Place,
) -> TokenStream {
    let span = Span::mixed_site().located_at(at);
    let private = &crate::args::relocate(private, at);
    let scope = &crate::args::relocate(scope, at);
    let index = place.index;
    // Only `defer_on_err!` in an inner block needs to know whether the
    // thread was unwinding when it was registered (see `Inner`).
    let depth = match (&action, place.top) {
        (_, true) => quote_spanned!(span=> #private::Top),
        (
            Action::Block {
                kind: Kind::DeferOnErr,
                ..
            },
            false,
        ) => quote_spanned!(span=> #private::Inner::now()),
        (_, false) => quote_spanned!(span=> #private::Inner::label_only()),
    };
    match action {
        Action::Block { kind, capture, body } => {
            let (name, constructor) = match kind {
                Kind::Defer => (
                    format_ident!("__defer_{}", index, span = span),
                    quote_spanned!(span=> defer),
                ),
                Kind::DeferOnErr => (
                    format_ident!("__defer_on_err_{}", index, span = span),
                    quote_spanned!(span=> defer_on_err),
                ),
            };
            let closure = quote_spanned!(span=> #capture || { #body });
            quote_spanned! {span=>
                #attrs
                let #name = #private::#constructor(#scope, #depth, #site, #closure);
            }
        }
        Action::Hook(closure) => {
            let name = format_ident!("__hook_{}", index, span = span);
            quote_spanned! {span=>
                #attrs
                let #name = #private::hook(#scope, #depth, #site, #closure);
            }
        }
    }
}
