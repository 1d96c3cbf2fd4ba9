//! One `defer!` or `defer_on_err!` invocation: recognising it, and parsing it
//! into the form of [`forms`](crate::forms) its tokens are written in.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{token, Attribute, Block, Error, Expr, ExprAsync, ExprClosure, Result, Stmt, Token};

use crate::check;
use crate::forms::{self, Form, Macro, Shape};
use crate::root::Root;

/// A `defer!`/`defer_on_err!` statement found in a block.
pub(crate) struct Invocation<'a> {
    pub(crate) mac: Macro,
    pub(crate) attrs: &'a [Attribute],
    pub(crate) call: &'a syn::Macro,
}

/// What an invocation asks for, checked.
pub(crate) struct Action {
    pub(crate) form: &'static Form,
    /// `move`: capture by value at registration.
    pub(crate) capture: Option<Token![move]>,
    pub(crate) body: Body,
}

/// The user's code in an action.
pub(crate) enum Body {
    /// The statements of a [`Shape::Block`] form.
    Stmts(TokenStream),
    /// The closure of a [`Shape::Closure`] or [`Shape::AsyncClosure`] form,
    /// `async` and `move` included.
    Closure(Box<ExprClosure>),
    /// The `async { … }` block of a [`Shape::AsyncBlock`] form, `move`
    /// included.
    Future(Box<ExprAsync>),
    /// The function of a [`Shape::Mapping`]: a closure or a path.
    Mapping(Box<Expr>),
}

impl Action {
    /// Whether the action takes what it uses at its registration (`move`).
    pub(crate) fn captures_at_registration(&self) -> bool {
        self.capture.is_some()
    }

    /// The tokens of the user's code, for the borrow test.
    pub(crate) fn tokens(&self) -> TokenStream {
        match &self.body {
            Body::Stmts(stmts) => stmts.clone(),
            Body::Closure(closure) => closure.body.to_token_stream(),
            Body::Future(future) => future.block.to_token_stream(),
            Body::Mapping(mapping) => mapping.to_token_stream(),
        }
    }

    /// The names the action binds for itself: a closure's parameters.
    pub(crate) fn own_names(&self) -> Vec<String> {
        match &self.body {
            Body::Closure(closure) => closure
                .inputs
                .iter()
                .flat_map(ToTokens::to_token_stream)
                .filter_map(|token| match token {
                    TokenTree::Ident(ident) => Some(ident.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Recognises a statement that is a `defer!`/`defer_on_err!` invocation.
pub(crate) fn as_invocation<'a>(stmt: &'a Stmt, root: &Root) -> Option<Invocation<'a>> {
    let (attrs, call) = match stmt {
        Stmt::Macro(stmt) => (&stmt.attrs[..], &stmt.mac),
        Stmt::Expr(Expr::Macro(expr), _) => (&expr.attrs[..], &expr.mac),
        _ => return None,
    };
    let mac = Macro::named_by(&call.path, root)?;
    Some(Invocation { mac, attrs, call })
}

/// The span that generated code for this invocation is located at: the
/// macro's name, so that borrow errors on the deferred closure point at the
/// `defer!` the user wrote, not at the attribute.
pub(crate) fn location(call: &syn::Macro) -> Span {
    call.path
        .segments
        .last()
        .map_or_else(|| call.path.span(), |last| last.ident.span())
}

impl Invocation<'_> {
    /// Parses the invocation and checks its body.
    pub(crate) fn parse(&self, root: &Root) -> Result<Action> {
        let form = |shape| forms::find(self.mac, shape).map_err(|message| self.error(message));
        if let Some((capture, body)) = plain_block(&self.call.tokens) {
            return Ok(Action {
                form: form(Shape::Block)?,
                capture,
                body: Body::Stmts(body),
            });
        }
        let parse = |input: ParseStream<'_>| parse_action(self, root, input);
        parse.parse2(self.call.tokens.clone())
    }

    fn error(&self, message: String) -> Error {
        Error::new(location(self.call), message)
    }
}

/// Whether the tokens of a `defer! { … }` are statements that need no
/// checking: not a `move` or closure form, and with none of the tokens the
/// checks look for anywhere inside. Then they go into the guard as written,
/// unparsed: parsing them is most of what an expansion costs, in a
/// proc-macro that runs unoptimised. Anything else is parsed and checked,
/// so the errors are the same either way.
pub(crate) fn plain_block(tokens: &TokenStream) -> Option<(Option<Token![move]>, TokenStream)> {
    let mut iter = tokens.clone().into_iter();
    match iter.next() {
        // `move { … }`, and nothing after the block.
        Some(TokenTree::Ident(ident)) if ident == "move" => {
            let Some(TokenTree::Group(block)) = iter.next() else {
                return None;
            };
            let body = block.stream();
            let plain = block.delimiter() == Delimiter::Brace
                && iter.next().is_none()
                && body.clone().into_iter().all(|token| is_unremarkable(&token));
            plain.then(|| (Some(Token![move](ident.span())), body))
        }
        Some(TokenTree::Ident(ident)) if ident == "async" => None,
        Some(TokenTree::Punct(punct)) if punct.as_char() == '|' => None,
        _ => tokens
            .clone()
            .into_iter()
            .all(|token| is_unremarkable(&token))
            .then(|| (None, tokens.clone())),
    }
}

/// Whether a token is none of those [`check`] looks for.
fn is_unremarkable(token: &TokenTree) -> bool {
    match token {
        TokenTree::Ident(ident) => {
            // One conversion: in a proc macro, each asks the compiler.
            let name = ident.to_string();
            !(matches!(name.as_str(), "return" | "break" | "continue" | "await") || Macro::names(&name))
        }
        TokenTree::Punct(punct) => punct.as_char() != '?',
        TokenTree::Group(group) => group.stream().into_iter().all(|token| is_unremarkable(&token)),
        TokenTree::Literal(_) => true,
    }
}

fn parse_action(invocation: &Invocation<'_>, root: &Root, input: ParseStream<'_>) -> Result<Action> {
    let mac = invocation.mac;
    let form_of = |shape| forms::find(mac, shape).map_err(|message| invocation.error(message));
    let fork = input.fork();
    let capture: Option<Token![move]> = fork.parse()?;
    let is_future = input.peek(Token![async])
        && (input.peek2(token::Brace) || (input.peek2(Token![move]) && input.peek3(token::Brace)));
    if is_future {
        let mut future: ExprAsync = input.parse()?;
        if !input.is_empty() {
            return Err(input.error(format_args!(
                "unexpected tokens after the `async` block: write `{}!(async {{ … }})`",
                mac.name()
            )));
        }
        let async_form = forms::find(mac, Shape::AsyncBlock)
            .map_err(|message| Error::new(future.async_token.span, message))?;
        check::future(&mut future, async_form, root)?;
        return Ok(Action {
            form: async_form,
            capture: future.capture.as_ref().map(|capture| Token![move](capture.span)),
            body: Body::Future(Box::new(future)),
        });
    }
    let is_closure = fork.peek(Token![|]) || fork.peek(Token![||]) || input.peek(Token![async]);
    if is_closure {
        let mut closure: ExprClosure = input.parse()?;
        if !input.is_empty() {
            return Err(input.error(format_args!(
                "unexpected tokens after the closure: write one closure, `{}!(|…| …)`",
                mac.name()
            )));
        }
        let shape = if closure.asyncness.is_some() {
            Shape::AsyncClosure
        } else {
            Shape::Closure
        };
        let closure_form = forms::find(mac, shape).map_err(|message| {
            let at = closure
                .asyncness
                .as_ref()
                .map_or(closure.inputs_begin.span, |asyncness| asyncness.span);
            Error::new(at, message)
        })?;
        check::closure(&mut closure, closure_form, root)?;
        return Ok(Action {
            form: closure_form,
            capture: closure.capture.as_ref().map(|capture| Token![move](capture.span)),
            body: Body::Closure(Box::new(closure)),
        });
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
                    mac.name()
                )));
            }
            return Ok(Action {
                form: form_of(Shape::Block)?,
                capture: Some(capture),
                body: Body::Stmts(check::stmts(stmts, form_of(Shape::Block)?, root)?),
            });
        }
        let or_closure = forms::find(mac, Shape::Closure)
            .map(|form| {
                format!(
                    ", or {}: `{}`",
                    form.noun,
                    form.written.replacen('|', "move |", 1)
                )
            })
            .unwrap_or_default();
        return Err(Error::new(
            capture.span,
            format_args!(
                "after `move`, write the cleanup as a block: `{}!(move {{ … }})`{or_closure}",
                mac.name()
            ),
        ));
    }
    Ok(Action {
        form: form_of(Shape::Block)?,
        capture: None,
        body: Body::Stmts(check::stmts(
            input.call(Block::parse_within)?,
            form_of(Shape::Block)?,
            root,
        )?),
    })
}
