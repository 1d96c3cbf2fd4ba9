//! The common case, expanded on tokens: a synchronous function whose only
//! deferred actions are `defer! { … }` statements of its outermost block,
//! none of them using what the statements after it use.
//!
//! Such a function needs no exit slot and no rewritten exit: its expansion
//! is each invocation replaced by its guard, every other token as written,
//! and the site closure at the top where the function's name is read. Parsing the function with syn and printing
//! it back, in a proc macro that runs unoptimised, cost as much as compiling
//! the guards; here the tokens are only walked. Whatever this walk is not
//! sure of (another form, an invocation elsewhere than at the top, an
//! attribute it would have to read, a signature the full expansion adjusts,
//! a possible borrow conflict, a body a check would reject) goes to the full
//! expansion, which gives the same tokens for what is accepted here (a test
//! compares them) and the errors for the rest.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::quote;

use crate::deferred::{self, Action, Body};
use crate::forms::{self, Macro, Shape};
use crate::guard::{self, Context, Position};
use crate::names::Names;
use crate::root::Root;
use crate::trees::{splice, Trees};
use crate::{borrows, expand, slot};

/// A function as the token-level expansions read it.
pub(crate) struct Written {
    /// The tokens before the body (attributes, visibility, signature),
    /// which [`plain_head`] accepted: the full expansion gives them back as
    /// written.
    pub(crate) head: Vec<TokenTree>,
    /// The body's braces.
    pub(crate) body: Group,
    /// The tokens inside them.
    pub(crate) stmts: Vec<TokenTree>,
}

impl Written {
    /// `item`, if it is a function the token-level expansions may take:
    /// without arguments to the attribute, and with a plain head.
    pub(crate) fn split(args: &TokenStream, item: &TokenStream) -> Option<Written> {
        if !args.is_empty() {
            return None;
        }
        let mut head: Vec<TokenTree> = item.clone().into_iter().collect();
        let Some(TokenTree::Group(body)) = head.pop() else {
            return None;
        };
        if body.delimiter() != Delimiter::Brace || !plain_head(&head) {
            return None;
        }
        let stmts = body.stream().into_iter().collect();
        Some(Written { head, body, stmts })
    }

    /// The function with `content` in place of its body's, in the user's
    /// braces.
    pub(crate) fn with_body(&self, content: TokenStream) -> TokenStream {
        let mut tokens: TokenStream = self.head.iter().cloned().collect();
        tokens.extend(std::iter::once(expand::in_braces(
            self.body.delim_span(),
            content,
        )));
        tokens
    }
}

/// Why [`expand`] did not take a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Declined {
    /// The `defer!` whose name is `stmts[at]` may hold a borrow that the
    /// statements after it need (the ones before it hold none): its action
    /// runs after a frame around them, whose exits are routed.
    Conflict { at: usize },
    /// Anything else the full expansion must see.
    Other,
}

/// The expansion of `#[defer_on_exit]` on `item`, `function` as read, if the
/// function is one this module expands.
pub(crate) fn expand(function: &Written, item: &TokenStream) -> Result<TokenStream, Declined> {
    let stmts = &function.stmts;
    let invocations = invocations(stmts)?;
    if invocations.is_empty() {
        // Nothing to register: the function as written.
        return Ok(item.clone());
    }

    let names = Names::new(cfg!(feature = "tracing"));
    let private = Root::default_root().private();
    let scope = slot::no_slot(&private);
    let cx = Context {
        private: &private,
        scope: &scope,
        site: &names.site,
        // Synchronous, and no slot.
        in_place: guard::in_place(false),
    };
    let form = forms::find(Macro::Defer, Shape::Block).map_err(|_| Declined::Other)?;
    let mut out = names
        .site_closure
        .as_ref()
        .map_or_else(TokenStream::new, |site| quote!(let #site = || {};));
    let mut copied = 0;
    for (index, invocation) in invocations.into_iter().enumerate() {
        out.extend(stmts[copied..invocation.start].iter().cloned());
        let action = Action {
            form,
            capture: invocation.capture,
            body: Body::Stmts(invocation.body),
        };
        let position = Position { index, top: true };
        splice(
            &mut out,
            guard::guard(action, &Trees::default(), invocation.at, &cx, position),
        );
        copied = invocation.end;
    }
    out.extend(stmts[copied..].iter().cloned());
    Ok(function.with_body(out))
}

/// A `defer! { … }` (or `defer_on_err! { … }`) statement of the outermost
/// block.
pub(crate) struct Invocation {
    /// Which of the two.
    pub(crate) mac: Macro,
    /// Where its tokens start and end in the block (its `;` included).
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// The span of the macro's name, where the guard is located.
    pub(crate) at: Span,
    pub(crate) capture: Option<syn::Token![move]>,
    pub(crate) body: TokenStream,
}

/// Whether the attributes, visibility and signature before the body are
/// ones the full expansion gives back as written: no companion attribute
/// (`#[recover]` expands together with this one), no `async`, `const` or
/// `extern` function, and no `impl` or `dyn` in the signature (closures
/// returned as `impl Fn` get their parameter types written in; a parameter
/// that may coerce to `dyn` gets a lint allowed).
///
/// Tokens are read as text, each group printed once: in a proc macro, every
/// identifier compared or group walked is a question to the compiler.
pub(crate) fn plain_head(tokens: &[TokenTree]) -> bool {
    let mut at = 0;
    while let (Some(TokenTree::Punct(pound)), Some(TokenTree::Group(attribute))) =
        (tokens.get(at), tokens.get(at + 1))
    {
        if pound.as_char() != '#'
            || attribute.delimiter() != Delimiter::Bracket
            || has_word(&attribute.to_string(), &["recover", "defer_on_exit"])
        {
            return false;
        }
        at += 2;
    }
    let mut qualifiers = tokens[at..].iter();
    loop {
        match qualifiers.next() {
            Some(TokenTree::Ident(ident)) => match ident.to_string().as_str() {
                "fn" => break,
                "pub" | "unsafe" => {}
                _ => return false,
            },
            // `pub(crate)`
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {}
            _ => return false,
        }
    }
    !qualifiers.any(|token| match token {
        TokenTree::Ident(ident) => ident == "impl" || ident == "dyn",
        TokenTree::Group(group) => has_word(&group.to_string(), &["impl", "dyn"]),
        TokenTree::Punct(_) | TokenTree::Literal(_) => false,
    })
}

/// The `defer! { … }` statements of the block `stmts`, or `None` if the block
/// has anything the full expansion must see: an inner attribute, another
/// deferred form, an invocation elsewhere than as a statement of this block
/// or with attributes of its own, a body a check would look into, or an
/// action that may use what the statements after it use.
fn invocations(stmts: &[TokenTree]) -> Result<Vec<Invocation>, Declined> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < stmts.len() {
        match &stmts[at] {
            TokenTree::Ident(ident) if Macro::is_name(ident) => {
                let invocation = invocation(stmts, at, &[Macro::Defer]).ok_or(Declined::Other)?;
                let rest = || stmts[invocation.end..].iter().cloned().collect();
                if invocation.capture.is_none() && borrows::conflict(&invocation.body, &[], rest) {
                    return Err(Declined::Conflict { at: invocation.start });
                }
                at = invocation.end;
                found.push(invocation);
                continue;
            }
            TokenTree::Punct(pound) if pound.as_char() == '#' => {
                if matches!(stmts.get(at + 1), Some(TokenTree::Punct(bang)) if bang.as_char() == '!') {
                    return Err(Declined::Other);
                }
            }
            TokenTree::Group(group) if mentions_a_macro(group) => return Err(Declined::Other),
            _ => {}
        }
        at += 1;
    }
    Ok(found)
}

/// The invocation starting at `stmts[at]`, a macro's name, if it is a
/// `defer! { … }` statement of one of the macros `taken`, whose body goes
/// into its guard as written.
pub(crate) fn invocation(stmts: &[TokenTree], at: usize, taken: &[Macro]) -> Option<Invocation> {
    let TokenTree::Ident(name) = &stmts[at] else {
        return None;
    };
    let after_a_statement = match at.checked_sub(1).map(|before| &stmts[before]) {
        None => true,
        Some(TokenTree::Punct(semi)) => semi.as_char() == ';',
        // The end of a block-like statement (`if … { … }`); not `#[…]`.
        Some(TokenTree::Group(group)) => group.delimiter() == Delimiter::Brace,
        Some(_) => false,
    };
    let (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(group))) =
        (stmts.get(at + 1), stmts.get(at + 2))
    else {
        return None;
    };
    let name_text = name.to_string();
    let mac = *taken.iter().find(|mac| name_text == mac.name())?;
    if !after_a_statement || bang.as_char() != '!' || group.delimiter() != Delimiter::Brace {
        return None;
    }
    let (capture, body) = deferred::plain_block(&group.stream())?;
    let semi = matches!(stmts.get(at + 3), Some(TokenTree::Punct(semi)) if semi.as_char() == ';');
    Some(Invocation {
        mac,
        start: at,
        end: at + 3 + usize::from(semi),
        at: name.span(),
        capture,
        body,
    })
}

/// Whether `group` names one of the deferred macros anywhere: its text
/// first, which rules out most groups in one question to the compiler.
pub(crate) fn mentions_a_macro(group: &Group) -> bool {
    let text = group.to_string();
    Macro::ALL.iter().any(|mac| text.contains(mac.name()))
        && group.stream().into_iter().any(|token| names_a_macro(&token))
}

/// Whether `token` names one of the deferred macros, or holds a token that
/// does.
pub(crate) fn names_a_macro(token: &TokenTree) -> bool {
    match token {
        TokenTree::Ident(ident) => Macro::is_name(ident),
        TokenTree::Group(group) => group.stream().into_iter().any(|token| names_a_macro(&token)),
        TokenTree::Punct(_) | TokenTree::Literal(_) => false,
    }
}

/// Whether the printed tokens `text` contain one of `words` as a whole
/// identifier (also inside a string literal: erring towards the full
/// expansion is always correct).
fn has_word(text: &str, words: &[&str]) -> bool {
    // `contains` first: the standard library's search is compiled
    // optimised, where splitting runs this crate's unoptimised closure on
    // every character.
    words.iter().any(|word| text.contains(word))
        && text
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| words.contains(&word))
}
