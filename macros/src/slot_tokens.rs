//! A function with an exit slot or a frame, expanded on tokens: a synchronous
//! function whose deferred actions are statements of its outermost block, at
//! least one of which needs the slot (`defer_on_err!`, a hook) or a frame (a
//! block action that may hold a borrow the statements after it need, the
//! last action of the function: it runs after a frame around them, which
//! returns through the slot, or, in a function with no other use for one
//! and without `tracing`, with the value itself), and whose exits are plain
//! enough to route without parsing the body:
//! - `return value`, which ends at the `;` or `,` after it, or where its
//!   group ends;
//! - `value?`, where `value` is a postfix chain (`a.b(c)?`, `f(x)?[0]?`,
//!   `path::to::f()?`, `write!(…)?`), found by walking back from the `?`;
//! - the final value, stored where it is computed: in the final expression
//!   of the body, or of each branch of a final block, `if`/`else` or
//!   `match`.
//!
//! Closures are kept as written (their `return`s and `?`s are their own), and
//! so are macros known not to return (`format!`, `vec!`…) with nothing to
//! route in their arguments. A block action's statements go into its guard
//! unparsed; a hook or a `move` block is parsed and checked as the full
//! expansion does.
//!
//! Parsing the function with syn cost half of what the attribute takes on
//! such a function, in a proc macro that runs unoptimised; here the tokens are
//! walked once. What the walk is not sure of goes to the full expansion,
//! which gives the same tokens for what is taken here (a test compares them)
//! and the errors for the rest: an `async` block or a nested item (their
//! exits are their own), any other macro (it may hide a `return`), a label,
//! an attribute, a `?` after anything but a postfix chain, generic arguments
//! in an expression (their `,` and `>` would be misread), an action in an
//! inner block, an action after a frame, a hook that may hold a borrow, a
//! frame without a final value, a body a check would reject, a unit or
//! `impl Trait` return type, and a signature the full expansion adjusts.

use proc_macro2::{Delimiter, Group, Ident, Spacing, Span, TokenStream, TokenTree};
use quote::quote_spanned;

use crate::deferred::{self, Action, Body};
use crate::forms::{self, Macro, Shape};
use crate::frame::{self, Frame, OnReturn};
use crate::guard::{self, Context, Position};
use crate::guards_only::{self, Written};
use crate::names::Names;
use crate::return_type::ReturnType;
use crate::root::Root;
use crate::tail::Tail;
use crate::trees::{is_keyword, is_macro_call, is_path_separator, is_punct, splice, Trees};
use crate::{borrows, expand, hidden, slot};

/// The expansion of `#[defer_on_exit]` on the function `function`, if it is
/// one this module expands. `conflict_at`: what the `defer!`-only expansion
/// already found, the index of the first action's name that may hold a
/// borrow the statements after it need (so that neither it nor those
/// before it are checked again).
pub(crate) fn expand(function: &Written, conflict_at: Option<usize>) -> Option<TokenStream> {
    let stmts = &function.stmts;
    let names = Names::new(cfg!(feature = "tracing"));
    let private = Root::default_root().private();
    let exit = &names.exit;
    // A frame the `defer!`-only expansion found is the function's only use
    // for a slot, which it needs only for `tracing`.
    let slot_known = conflict_at.is_none() || frame::NEEDS_A_SLOT;
    let exits = Exits {
        exit,
        slot: slot_known,
        private: &private,
        frame: None,
    };
    // A frame the `defer!`-only expansion found: the statements after its
    // action are routed out of it at once.
    let known_frame = conflict_at.map(|at| Frame::new(false, FRAME_LABEL, stmts[at].span()));
    let in_known_frame = known_frame.as_ref().map(|frame| Exits {
        frame: Some(frame),
        ..exits
    });
    // The statements first, the cheapest way to see that the function is
    // not one to take here (a closure or macro with an exit of its own);
    // then the actions, some of which syn parses.
    let mut parts = block_parts(stmts, &exits, conflict_at.zip(in_known_frame.as_ref()))?;
    let (needs_slot, frame_at) = parse_actions(stmts, &mut parts, conflict_at)?;
    let slot = needs_slot || (frame_at.is_some() && frame::NEEDS_A_SLOT);
    if !slot && frame_at.is_none() {
        // Only `defer!`s that need no frame: the token-level expansion of
        // those did not take the function, and the full one says why.
        return None;
    }
    let output = return_type(&function.head)?;
    // A unit function's value needs storing only in a slot.
    if (output.is_unit && slot) || output.is_never || output.has_impl_trait || output.is_opaque {
        return None;
    }
    let exits = Exits { slot, ..exits };

    let scope = if slot {
        slot::reborrowed(exit)
    } else {
        slot::no_slot(&private)
    };
    let cx = Context {
        private: &private,
        scope: &scope,
        site: &names.site,
        // Synchronous.
        in_place: guard::in_place(false),
    };
    let framed = match frame_at {
        Some(at) => {
            let rest = parts.split_off(at + 1);
            let Some(Part::Action(action, location)) = parts.pop() else {
                return None;
            };
            Some((action, location, rest))
        }
        None => None,
    };
    let mut out = TokenStream::new();
    let mut guards = 0;
    for part in parts {
        match part {
            Part::Action(action, location) => {
                let position = Position {
                    index: guards,
                    top: true,
                };
                splice(
                    &mut out,
                    guard::guard(action, &Trees::default(), location, &cx, position),
                );
                guards += 1;
            }
            // Without a slot, the statements before the frame return as
            // written.
            Part::Routed(routed, stmt) if slot => routed.append_to(stmt, &mut out),
            Part::Routed(_, stmt) => out.extend(stmt.iter().cloned()),
            // Each was parsed above.
            Part::Invocation(_) => return None,
            Part::Value(value) => splice(&mut out, exits.store(value, &output)?),
        }
    }
    if let Some((action, location, rest)) = framed {
        let position = Position {
            index: guards,
            top: true,
        };
        let frame = match known_frame {
            Some(frame) => Framed::RoutedIn(frame),
            None => Framed::NotYet(Frame::new(false, FRAME_LABEL, location)),
        };
        splice(
            &mut out,
            framed_action(action, &frame, rest, &exits, &output, &cx, position)?,
        );
    }

    let mut body = if slot {
        let inner = expand::in_braces(function.body.delim_span(), out);
        slot::sync_slot(&inner, &output, &private, &names)
    } else {
        out
    };
    if let Some(site) = &names.site_closure {
        body = quote_spanned!(Span::call_site()=> let #site = || {}; #body);
    }
    Some(function.with_body(body))
}

/// The statements of the outermost block `stmts`, each routed with `exits`
/// (those after the action at `framed.0`, with `framed.1`: a frame's) or
/// kept for later: an invocation, parsed by [`parse_actions`], and the final
/// value, stored where the frame (if any) is known.
fn block_parts<'a>(
    stmts: &'a [TokenTree],
    exits: &Exits<'_>,
    framed: Option<(usize, &Exits<'_>)>,
) -> Option<Vec<Part<'a>>> {
    let mut parts = Vec::new();
    let mut at = 0;
    while at < stmts.len() {
        if let TokenTree::Ident(ident) = &stmts[at] {
            if Macro::is_name(ident) {
                parts.push(Part::Invocation(at));
                // `name!(…)`, `name! { … }` and a `;`, checked when parsed.
                at += 3 + usize::from(is_punct(stmts, at + 3, ';'));
                continue;
            }
        }
        let (end, ends) = statement(stmts, at)?;
        let stmt = &stmts[at..end];
        let exits = match framed {
            Some((action, in_frame)) if at > action => in_frame,
            _ => exits,
        };
        parts.push(match ends {
            Ends::Statement => Part::Routed(exits.route(stmt)?, stmt),
            Ends::Value => Part::Value(stmt),
        });
        at = end;
    }
    Some(parts)
}

/// Parses the invocations among `parts`: whether the form of one needs the
/// exit slot, and which one, if any, runs after a frame around the
/// statements after it (see [`expand`] for `conflict_at`).
fn parse_actions(
    stmts: &[TokenTree],
    parts: &mut [Part<'_>],
    conflict_at: Option<usize>,
) -> Option<(bool, Option<usize>)> {
    let mut needs_slot = false;
    // The action that runs after a frame around the statements after it,
    // if one may hold a borrow that they need.
    let mut frame_at = None;
    for (index, part) in parts.iter_mut().enumerate() {
        let Part::Invocation(at) = *part else {
            continue;
        };
        if frame_at.is_some() {
            // An action in a frame: a guard or a frame of its own there.
            return None;
        }
        let (action, location, end) = invocation(stmts, at)?;
        if end != at + 3 + usize::from(is_punct(stmts, at + 3, ';')) {
            return None;
        }
        let rest = || stmts[end..].iter().cloned().collect();
        let conflict = match conflict_at {
            Some(known) => at == known,
            None => {
                !action.captures_at_registration()
                    && borrows::conflict(&action.tokens(), &action.own_names(), rest)
            }
        };
        if conflict {
            // A block action only (a hook's frame differs).
            if !matches!(action.body, Body::Stmts(_)) {
                return None;
            }
            frame_at = Some(index);
        }
        needs_slot |= action.form.needs_slot;
        *part = Part::Action(action, location);
    }
    Some((needs_slot, frame_at))
}

/// The label of a frame at the top of the body. Only a labelled frame (an
/// async action's) uses it, but every frame has one.
const FRAME_LABEL: &str = "'__epilogue_frame_0";

/// The frame of an action, and whether the statements after the action
/// were routed out of it already.
enum Framed {
    RoutedIn(Frame),
    NotYet(Frame),
}

/// The frame around the statements `rest` of the outermost block, which
/// end with its value, and the action `action` that runs after it, as the
/// full expansion's rewriter writes them.
fn framed_action(
    action: Action,
    frame: &Framed,
    rest: Vec<Part<'_>>,
    exits: &Exits<'_>,
    output: &ReturnType,
    cx: &Context<'_>,
    position: Position,
) -> Option<TokenStream> {
    // With a slot, the value is stored where it is computed; without one,
    // the flow carries it, whatever the last statement.
    if exits.slot && !matches!(rest.last(), Some(Part::Value(_))) {
        return None;
    }
    let (frame, routed_in) = match frame {
        Framed::RoutedIn(frame) => (frame, true),
        Framed::NotYet(frame) => (frame, false),
    };
    let in_frame = Exits {
        frame: Some(frame),
        ..*exits
    };
    let mut routed = TokenStream::new();
    for part in rest {
        match part {
            // Nothing to route: the same in the frame.
            Part::Routed(Routed::AsWritten, stmt) => routed.extend(stmt.iter().cloned()),
            Part::Routed(Routed::Changed(changed), _) if routed_in => splice(&mut routed, changed),
            Part::Routed(Routed::Changed(_), stmt) => in_frame.route(stmt)?.append_to(stmt, &mut routed),
            Part::Value(value) if exits.slot => splice(&mut routed, in_frame.store(value, output)?),
            // Without a slot, the flow carries the value.
            Part::Value(value) => in_frame.route(value)?.append_to(value, &mut routed),
            Part::Invocation(_) | Part::Action(..) => return None,
        }
    }
    // After the action, a return leaves the function with its proof.
    let seen = frame::seen_ident();
    let returned = quote_spanned!(Span::mixed_site()=> return #seen);
    let parts = frame::Parts {
        rest: &routed,
        returned: &returned,
        jumps: &[],
        attrs: &Trees::default(),
        exit: exits.exit,
        ret: output,
        on_return: if exits.slot {
            OnReturn::SlotProof
        } else {
            OnReturn::Value
        },
        returns_value: exits.slot,
        position,
    };
    Some(frame.expand(action, &parts, cx))
}

/// Whether the outermost block `stmts` has an action that may need the
/// slot: a `defer_on_err!`, or a `defer!(…)` that may be a hook. Only such
/// a function is one [`expand`] may take.
pub(crate) fn may_need_a_slot(stmts: &[TokenTree]) -> bool {
    stmts.iter().enumerate().any(|(at, token)| match token {
        // A name is compared only before a `!`: it costs a string.
        TokenTree::Ident(ident) if is_punct(stmts, at + 1, '!') => {
            let name = ident.to_string();
            name == Macro::DeferOnErr.name()
                || (name == Macro::Defer.name()
                    && matches!(stmts.get(at + 2), Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis))
        }
        _ => false,
    })
}

/// A part of the outermost block.
enum Part<'a> {
    /// A deferred action's invocation, at this index, not parsed yet.
    Invocation(usize),
    /// A deferred action, and where its guard is located.
    Action(Action, Span),
    /// Any other statement (as written), its exits routed.
    Routed(Routed, &'a [TokenTree]),
    /// The block's final expression.
    Value(&'a [TokenTree]),
}

/// The deferred action whose invocation starts at `stmts[at]`, where its
/// guard is located, and one past its last token: a `defer! { … }` or
/// `defer_on_err! { … }` whose statements go into the guard unparsed, or a
/// `defer!(…);` statement (a hook, a `move` block) parsed and checked as
/// the full expansion does. `None` for an asynchronous form (an error in a
/// synchronous function) or anything that does not parse or check: the full
/// expansion reports it.
fn invocation(stmts: &[TokenTree], at: usize) -> Option<(Action, Span, usize)> {
    if let Some(invocation) = guards_only::invocation(stmts, at, &Macro::ALL) {
        let action = Action {
            form: forms::find(invocation.mac, Shape::Block).ok()?,
            capture: invocation.capture,
            body: Body::Stmts(invocation.body),
        };
        return Some((action, invocation.at, invocation.end));
    }
    let (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(group)), Some(TokenTree::Punct(semi))) =
        (stmts.get(at + 1), stmts.get(at + 2), stmts.get(at + 3))
    else {
        return None;
    };
    if bang.as_char() != '!' || group.delimiter() != Delimiter::Parenthesis || semi.as_char() != ';' {
        return None;
    }
    let tokens: TokenStream = stmts[at..at + 4].iter().cloned().collect();
    let parsed = syn::parse::Parser::parse2(syn::Block::parse_within, tokens).ok()?;
    let root = Root::default_root();
    let invocation = deferred::as_invocation(parsed.first()?, &root)?;
    let action = invocation.parse(&root).ok()?;
    if action.form.shape.is_async() {
        return None;
    }
    Some((action, deferred::location(invocation.call), at + 4))
}

/// The return type written after `->` in the signature `head`, if it
/// parses, or `()` if there is none.
fn return_type(head: &[TokenTree]) -> Option<ReturnType> {
    let fn_at = head
        .iter()
        .position(|token| matches!(token, TokenTree::Ident(ident) if ident == "fn"))?;
    let TokenTree::Ident(name) = head.get(fn_at + 1)? else {
        return None;
    };
    // The parameters: the first parenthesis outside the generic parameters
    // (`<F: Fn(u8) -> u8>`).
    let mut depth = 0_usize;
    let mut at = fn_at + 2;
    loop {
        match head.get(at)? {
            TokenTree::Punct(punct) if punct.as_char() == '<' => depth += 1,
            TokenTree::Punct(punct) if punct.as_char() == '>' && !is_arrow_end(head, at) => {
                depth = depth.checked_sub(1)?;
            }
            TokenTree::Group(group) if depth == 0 && group.delimiter() == Delimiter::Parenthesis => break,
            _ => {}
        }
        at += 1;
    }
    if !is_arrow_end(head, at + 2) {
        // No `->`: `()`, if nothing or a `where` clause follows.
        let unit = match head.get(at + 1) {
            None => true,
            Some(next) => matches!(next, TokenTree::Ident(word) if word == "where"),
        };
        return unit.then(|| ReturnType::new(None, name.span()));
    }
    let end = head
        .iter()
        .skip(at + 3)
        .position(|token| matches!(token, TokenTree::Ident(ident) if ident == "where"))
        .map_or(head.len(), |offset| at + 3 + offset);
    if let Some(path) = ReturnType::of_path_tokens(&head[at + 3..end]) {
        return Some(path);
    }
    let tokens: TokenStream = head[at + 3..end].iter().cloned().collect();
    let ty: syn::Type = syn::parse2(tokens.clone()).ok()?;
    Some(ReturnType::written(&ty, &tokens))
}

/// Whether `tokens[at]` is the `>` of `->` or `=>`.
fn is_arrow_end(tokens: &[TokenTree], at: usize) -> bool {
    matches!(tokens.get(at), Some(TokenTree::Punct(end)) if end.as_char() == '>')
        && at.checked_sub(1).is_some_and(|before| {
            matches!(&tokens[before], TokenTree::Punct(start)
                if matches!(start.as_char(), '-' | '=') && start.spacing() == Spacing::Joint)
        })
}

/// How a statement of the outermost block ends.
#[derive(Clone, Copy)]
enum Ends {
    /// With a `;`, or with its block.
    Statement,
    /// It is the block's final expression.
    Value,
}

/// Where the statement starting at `stmts[at]` ends (one past its last
/// token), if this module can tell: a block-like statement ends with its
/// block, any other with a `;`, or it is the final expression.
fn statement(stmts: &[TokenTree], at: usize) -> Option<(usize, Ends)> {
    let block_like = match &stmts[at] {
        TokenTree::Ident(ident) => {
            matches!(
                ident.to_string().as_str(),
                "if" | "match" | "for" | "while" | "loop" | "unsafe"
            )
        }
        TokenTree::Group(group) => group.delimiter() == Delimiter::Brace,
        // A stray `;`: syn drops it; not worth matching.
        TokenTree::Punct(_) | TokenTree::Literal(_) => false,
    };
    if !block_like {
        let semi = stmts[at..]
            .iter()
            .position(|token| matches!(token, TokenTree::Punct(semi) if semi.as_char() == ';'));
        return match semi {
            Some(0) => None,
            Some(offset) => Some((at + offset + 1, Ends::Statement)),
            None => Some((stmts.len(), Ends::Value)),
        };
    }
    let end = block_end(stmts, at)?;
    match stmts.get(end) {
        None => Some((end, Ends::Value)),
        Some(TokenTree::Punct(punct)) if punct.as_char() == ';' => Some((end + 1, Ends::Statement)),
        // `match … { … }.method()`: an expression going on.
        Some(TokenTree::Punct(punct)) if matches!(punct.as_char(), '.' | '?') => None,
        Some(_) => Some((end, Ends::Statement)),
    }
}

/// One past the last block of the block-like expression at `stmts[at]`.
fn block_end(stmts: &[TokenTree], at: usize) -> Option<usize> {
    if is_block(&stmts[at]) {
        return Some(at + 1);
    }
    let mut end = block_after(stmts, at)? + 1;
    if is_word(stmts, at, "if") {
        while is_word(stmts, end, "else") {
            end = if is_word(stmts, end + 1, "if") {
                block_after(stmts, end + 1)? + 1
            } else if stmts.get(end + 1).is_some_and(is_block) {
                end + 2
            } else {
                return None;
            };
        }
    }
    Some(end)
}

/// Where the block of the `if`, `while`, `for`, `match`, `loop` or
/// `unsafe` at `tokens[at]` is: the first block after its condition,
/// scrutinee or iterator, none of which holds a struct literal outside
/// parentheses. A pattern may hold braces (`if let Point { x, y } = p`), so
/// the block comes after the `=` of `if let` or `while let`, after the `in`
/// of `for`. A condition with another `let` (a chain) or a block-like
/// expression of its own (`if unsafe { … } { … }`) is not taken.
fn block_after(tokens: &[TokenTree], at: usize) -> Option<usize> {
    let first_block = |from: usize| (from..tokens.len()).find(|&block| is_block(&tokens[block]));
    let lets = |from: usize, to: usize| (from..to).filter(|&word| is_word(tokens, word, "let")).count();
    let from = if is_word(tokens, at, "for") {
        (at + 1..tokens.len()).find(|&word| is_word(tokens, word, "in"))? + 1
    } else if is_word(tokens, at + 1, "let") {
        // `=`, not `==`, `<=`, `..=` or `=>`.
        let is_equals = |eq: usize| {
            matches!(&tokens[eq], TokenTree::Punct(punct) if punct.as_char() == '=' && punct.spacing() == Spacing::Alone)
                && !matches!(&tokens[eq - 1], TokenTree::Punct(before) if before.spacing() == Spacing::Joint)
        };
        (at + 2..tokens.len()).find(|&eq| is_equals(eq))? + 1
    } else {
        at + 1
    };
    let block = first_block(from)?;
    // A block-like expression in the condition (`if unsafe { … } { … }`,
    // `if match … { … } { … }`) has braces of its own.
    let block_like = |word: usize| {
        [
            "unsafe", "loop", "match", "if", "else", "while", "for", "async", "const",
        ]
        .iter()
        .any(|keyword| is_word(tokens, word, keyword))
    };
    let plain = lets(at + 2, block) == 0 && !(from..block).any(block_like);
    // The condition of `if`, `while`, `match` or `for` is never empty.
    let plain = plain && (block > from || matches!(word_at(tokens, at).as_deref(), Some("loop" | "unsafe")));
    plain.then_some(block)
}

fn word_at(tokens: &[TokenTree], at: usize) -> Option<String> {
    match tokens.get(at)? {
        TokenTree::Ident(ident) => Some(ident.to_string()),
        _ => None,
    }
}

fn is_word(tokens: &[TokenTree], at: usize, word: &str) -> bool {
    matches!(tokens.get(at), Some(TokenTree::Ident(ident)) if ident == word)
}

/// Words after which a token sequence cannot be taken here: what makes a
/// `return` or `?` belong to something else than the function (a closure's
/// `|` is checked as punctuation), and what the full expansion reads.
const NOT_TAKEN: &[&str] = &[
    "async",
    "await",
    "const",
    "defer",
    "defer_on_err",
    "enum",
    "extern",
    "fn",
    "impl",
    "macro_rules",
    "mod",
    "static",
    "struct",
    "trait",
    "try",
    "type",
    "union",
    "use",
    "yield",
];

/// Routes the exits of a statement through the slot.
struct Exits<'a> {
    /// The slot's name.
    exit: &'a Ident,
    /// Whether the function has the slot; without it, a frame's exits
    /// leave it with the value.
    slot: bool,
    private: &'a Trees,
    /// The frame the statements are in, if any: a `return` leaves it with
    /// the proof, and the function returns after its action ran.
    frame: Option<&'a Frame>,
}

/// A token of the input kept as written, or what replaces a run of them.
enum Piece {
    Kept(usize),
    New(TokenStream),
}

impl Piece {
    /// Appends the piece to `out`: a kept token as a tree, new tokens as
    /// one stream (see [`splice`]).
    fn append_to(self, tokens: &[TokenTree], out: &mut TokenStream) {
        match self {
            Piece::Kept(at) => out.extend(std::iter::once(tokens[at].clone())),
            Piece::New(new) => splice(out, new),
        }
    }
}

/// `pieces`, in order, as one stream.
fn assemble(pieces: impl IntoIterator<Item = (usize, Piece)>, tokens: &[TokenTree]) -> TokenStream {
    let mut out = TokenStream::new();
    for (_, piece) in pieces {
        piece.append_to(tokens, &mut out);
    }
    out
}

/// Tokens with their exits routed, unless there was none to route.
enum Routed {
    AsWritten,
    Changed(TokenStream),
}

impl Routed {
    fn or_as_written(self, tokens: &[TokenTree]) -> TokenStream {
        let mut out = TokenStream::new();
        self.append_to(tokens, &mut out);
        out
    }

    /// Appends the routed `tokens` to `out`: as trees if they are as
    /// written, else as one stream (see [`splice`]).
    fn append_to(self, tokens: &[TokenTree], out: &mut TokenStream) {
        match self {
            Routed::AsWritten => out.extend(tokens.iter().cloned()),
            Routed::Changed(changed) => splice(out, changed),
        }
    }
}

/// A stream of the one tree `token`, still on this side of the bridge.
fn tree(token: TokenTree) -> TokenStream {
    let mut stream = TokenStream::new();
    stream.extend(std::iter::once(token));
    stream
}

impl Exits<'_> {
    /// A statement of a block whose value is the function's (`ends`: how it
    /// ends), its exits routed, and its value stored in the slot if it is
    /// the block's final expression.
    fn statement(&self, stmt: &[TokenTree], ends: Ends, ret: &ReturnType) -> Option<TokenStream> {
        match ends {
            Ends::Statement => Some(self.route(stmt)?.or_as_written(stmt)),
            Ends::Value => self.store(stmt, ret),
        }
    }

    /// The function's value `value`, stored where it is computed: in the
    /// final expression of a block, of each branch of an `if`/`else`, of
    /// each arm of a `match` (so that the deferred actions of those blocks
    /// run after it is stored); an exit (`return`, `break`, `continue`)
    /// already leaves through the slot.
    fn store(&self, value: &[TokenTree], ret: &ReturnType) -> Option<TokenStream> {
        let word = match value.first()? {
            TokenTree::Ident(ident) => ident.to_string(),
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                return (value.len() == 1)
                    .then(|| self.store_in_block(group, ret))
                    .flatten();
            }
            _ => String::new(),
        };
        match word.as_str() {
            "return" | "break" | "continue" => Some(self.route(value)?.or_as_written(value)),
            "unsafe" => {
                let [unsafe_token, TokenTree::Group(block)] = value else {
                    return None;
                };
                let mut stored = tree(unsafe_token.clone());
                splice(&mut stored, self.store_in_block(block, ret)?);
                Some(stored)
            }
            "if" | "match" if block_end(value, 0)? != value.len() => None,
            "if" => self.store_in_if(value, ret),
            "match" => self.store_in_match(value, ret),
            _ => {
                let routed = self.route(value)?.or_as_written(value);
                if !self.slot {
                    return None;
                }
                let tail = Tail { exit: self.exit, ret };
                Some(tail.store_leaf(&[], &routed))
            }
        }
    }

    /// A block whose value is the function's: its statements' exits routed,
    /// its value stored. A deferred action in it is left to the full
    /// expansion (an inner block's guard is another matter).
    fn store_in_block(&self, block: &Group, ret: &ReturnType) -> Option<TokenStream> {
        let stmts: Vec<TokenTree> = block.stream().into_iter().collect();
        let mut out = TokenStream::new();
        let mut at = 0;
        while at < stmts.len() {
            let (end, ends) = statement(&stmts, at)?;
            splice(&mut out, self.statement(&stmts[at..end], ends, ret)?);
            at = end;
        }
        let mut stored = Group::new(Delimiter::Brace, out);
        stored.set_span(block.span());
        Some(tree(TokenTree::Group(stored)))
    }

    /// `if cond { … } else …`, the value stored in each branch. Without
    /// `else`, the `if` is a value only in a unit function, which this
    /// module does not take.
    fn store_in_if(&self, value: &[TokenTree], ret: &ReturnType) -> Option<TokenStream> {
        let then = block_after(value, 0)?;
        let (TokenTree::Group(then_block), Some(else_token)) = (&value[then], value.get(then + 1)) else {
            return None;
        };
        let mut stored = tree(value[0].clone());
        self.route(&value[1..then])?
            .append_to(&value[1..then], &mut stored);
        splice(&mut stored, self.store_in_block(then_block, ret)?);
        stored.extend(std::iter::once(else_token.clone()));
        splice(&mut stored, self.store(&value[then + 2..], ret)?);
        Some(stored)
    }

    /// `match scrutinee { pattern => value, … }`, the value stored in each
    /// arm, every arm ending with a `,`.
    fn store_in_match(&self, value: &[TokenTree], ret: &ReturnType) -> Option<TokenStream> {
        let [match_token, scrutinee @ .., TokenTree::Group(arms)] = value else {
            return None;
        };
        let mut stored = tree(match_token.clone());
        self.route(scrutinee)?.append_to(scrutinee, &mut stored);
        let arm_tokens: Vec<TokenTree> = arms.stream().into_iter().collect();
        let mut routed = TokenStream::new();
        let mut at = 0;
        while at < arm_tokens.len() {
            // The pattern and its guard, up to `=>`: nothing to route.
            // (`=>`, not a closure's `->` in a guard.)
            let arrow = (at..arm_tokens.len())
                .find(|&end| is_arrow_end(&arm_tokens, end) && is_punct(&arm_tokens, end - 1, '='))?;
            let pattern = &arm_tokens[at..arrow];
            if !matches!(self.route(pattern)?, Routed::AsWritten) {
                return None;
            }
            routed.extend(arm_tokens[at..=arrow].iter().cloned());
            let body = arrow + 1;
            let end = if arm_tokens.get(body).is_some_and(is_block) {
                body + 1
            } else {
                return_end(&arm_tokens, arrow)?
            };
            splice(&mut routed, self.store(&arm_tokens[body..end], ret)?);
            match arm_tokens.get(end) {
                Some(comma @ TokenTree::Punct(punct)) if punct.as_char() == ',' => {
                    routed.extend(std::iter::once(comma.clone()));
                    at = end + 1;
                }
                // `{ … }.method()`: not an arm of its own.
                Some(TokenTree::Punct(punct)) if matches!(punct.as_char(), '.' | '?') => return None,
                Some(_) if end == body + 1 => {
                    routed.extend(std::iter::once(TokenTree::from(proc_macro2::Punct::new(
                        ',',
                        Spacing::Alone,
                    ))));
                    at = end;
                }
                Some(_) => return None,
                None => {
                    routed.extend(std::iter::once(TokenTree::from(proc_macro2::Punct::new(
                        ',',
                        Spacing::Alone,
                    ))));
                    at = end;
                }
            }
        }
        let mut group = Group::new(Delimiter::Brace, routed);
        group.set_span(arms.span());
        stored.extend(std::iter::once(TokenTree::Group(group)));
        Some(stored)
    }

    /// `tokens` with each `return` and `?` routed through the slot, or
    /// `None` if they hold something this module does not take.
    fn route(&self, tokens: &[TokenTree]) -> Option<Routed> {
        // Each piece with the index of its first input token.
        let mut pieces: Vec<(usize, Piece)> = Vec::with_capacity(tokens.len());
        let mut changed = false;
        let mut at = 0;
        while at < tokens.len() {
            match &tokens[at] {
                TokenTree::Ident(ident) => {
                    let text = ident.to_string();
                    if text == "return" {
                        let end = return_end(tokens, at)?;
                        pieces.push((at, Piece::New(self.route_return(ident, &tokens[at + 1..end])?)));
                        changed = true;
                        at = end;
                        continue;
                    }
                    if NOT_TAKEN.contains(&text.as_str()) {
                        return None;
                    }
                    if is_macro_call(tokens, at) {
                        // One known not to return (`format!`, `vec!`…),
                        // with nothing to route in its arguments, is kept
                        // as written, as the full expansion prints it back.
                        let TokenTree::Group(args) = &tokens[at + 2] else {
                            return None;
                        };
                        let inner: Vec<TokenTree> = args.stream().into_iter().collect();
                        if !hidden::never_returns(&text)
                            || args.delimiter() == Delimiter::Brace
                            || !matches!(self.route(&inner)?, Routed::AsWritten)
                        {
                            return None;
                        }
                        pieces.extend((at..at + 3).map(|kept| (kept, Piece::Kept(kept))));
                        at += 3;
                        continue;
                    }
                    pieces.push((at, Piece::Kept(at)));
                }
                TokenTree::Punct(punct) => match punct.as_char() {
                    '?' => {
                        let start = operand_start(tokens, at)?;
                        let first = pieces
                            .iter()
                            .rposition(|(index, _)| *index < start)
                            .map_or(0, |i| i + 1);
                        if pieces.get(first).map(|(index, _)| *index) != Some(start) {
                            return None;
                        }
                        let operand = assemble(pieces.drain(first..), tokens);
                        pieces.push((start, Piece::New(self.route_try(&operand, punct.span()))));
                        changed = true;
                    }
                    // After a block, either a closure that starts a
                    // statement or a `|` after a struct literal: not taken.
                    '|' if at.checked_sub(1).is_some_and(|before| is_block(&tokens[before])) => return None,
                    '|' => {
                        // A binary `|` or `||` after an operand, else a
                        // closure: its `return`s and `?`s are its own.
                        let end = if at
                            .checked_sub(1)
                            .is_some_and(|before| ends_an_operand(&tokens[before]))
                        {
                            let joined = punct.spacing() == Spacing::Joint;
                            at + 1 + usize::from(joined && is_punct(tokens, at + 1, '|'))
                        } else {
                            closure_end(tokens, at)?
                        };
                        pieces.extend((at..end).map(|kept| (kept, Piece::Kept(kept))));
                        at = end;
                        continue;
                    }
                    // A label or lifetime, an attribute.
                    '\'' | '#' => return None,
                    _ => pieces.push((at, Piece::Kept(at))),
                },
                TokenTree::Group(group) => {
                    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                    match self.route(&inner)? {
                        Routed::Changed(routed) => {
                            let mut routed = Group::new(group.delimiter(), routed);
                            routed.set_span(group.span());
                            pieces.push((at, Piece::New(tree(TokenTree::Group(routed)))));
                            changed = true;
                        }
                        Routed::AsWritten => pieces.push((at, Piece::Kept(at))),
                    }
                }
                TokenTree::Literal(_) => pieces.push((at, Piece::Kept(at))),
            }
            at += 1;
        }
        if !changed {
            return Some(Routed::AsWritten);
        }
        Some(Routed::Changed(assemble(pieces, tokens)))
    }

    /// `return value` becomes `return __exit.put(value)`, with the user's
    /// `return` token for the spans of its errors.
    fn route_return(&self, return_token: &Ident, value: &[TokenTree]) -> Option<TokenStream> {
        let span = Span::mixed_site().located_at(return_token.span());
        let value = if value.is_empty() {
            quote_spanned!(span=> ())
        } else {
            self.route(value)?.or_as_written(value)
        };
        let store = slot::leaving(self.slot.then_some(self.exit), value, span);
        Some(match self.frame {
            None => quote_spanned!(span=> #return_token #store),
            Some(frame) => frame.leave_returning(self.private, &store, span),
        })
    }

    /// `value?` becomes the `match` it stands for, as the full expansion's
    /// rewriter writes it.
    fn route_try(&self, value: &TokenStream, question: Span) -> TokenStream {
        slot::routed_try(
            self.private,
            self.slot.then_some(self.exit),
            value,
            question,
            |store, span| match self.frame {
                None => quote_spanned!(span=> return #store),
                Some(frame) => frame.leave_returning(self.private, store, span),
            },
        )
    }
}

/// One past the value of the `return` at `tokens[at]`: the `;` or `,`
/// after it, or the end of its group. A `,` could also separate generic
/// arguments (`f::<A, B>()`), so a value with a `<` before one is not taken.
fn return_end(tokens: &[TokenTree], at: usize) -> Option<usize> {
    let mut angle = false;
    for (offset, token) in tokens[at + 1..].iter().enumerate() {
        if let TokenTree::Punct(punct) = token {
            match punct.as_char() {
                ',' if angle => return None,
                ';' | ',' => return Some(at + 1 + offset),
                '<' => angle = true,
                _ => {}
            }
        }
    }
    Some(tokens.len())
}

/// One past the closure whose parameters start at the `|` at `tokens[at]`:
/// its block, or its expression up to the `,` or `;` after it or the end of
/// its group. `None` if that end is not certain (a `<` before the `,`,
/// which could open generic arguments) or the closure holds a deferred
/// action (an error the full expansion reports).
fn closure_end(tokens: &[TokenTree], at: usize) -> Option<usize> {
    let is_punct = |at: usize, c: char| is_punct(tokens, at, c);
    // `||`, or `|params|`: or-patterns in parameters are parenthesised.
    let body = if is_punct(at + 1, '|') {
        at + 2
    } else {
        (at + 1..tokens.len()).find(|&close| is_punct(close, '|'))? + 1
    };
    let end = if is_punct(body, '-') && is_punct(body + 1, '>') {
        // `-> Type { … }`: the body is a block.
        (body + 2..tokens.len()).find(|&block| {
            matches!(&tokens[block], TokenTree::Group(group) if group.delimiter() == Delimiter::Brace)
        })? + 1
    } else {
        let mut angle = false;
        let mut end = tokens.len();
        for (offset, token) in tokens[body..].iter().enumerate() {
            if let TokenTree::Punct(punct) = token {
                match punct.as_char() {
                    ',' | ';' if angle => return None,
                    ',' | ';' => {
                        end = body + offset;
                        break;
                    }
                    '<' => angle = true,
                    _ => {}
                }
            }
        }
        end
    };
    (!tokens[at..end].iter().any(guards_only::names_a_macro)).then_some(end)
}

/// Where the operand of the `?` at `tokens[question]` starts: the postfix
/// chain before it, of paths, calls, indexing, fields, method calls and
/// other `?`s. `None` if anything else could be part of it: a block, a
/// `match` or struct literal before the `?` or a `.`, generic arguments.
fn operand_start(tokens: &[TokenTree], question: usize) -> Option<usize> {
    let mut at = question;
    loop {
        // An element of the chain ends at `tokens[at - 1]`.
        let before = at.checked_sub(1)?;
        match &tokens[before] {
            TokenTree::Group(group) if group.delimiter() != Delimiter::Brace => {
                at = before;
                if at >= 2 && is_macro_call(tokens, at - 2) {
                    // `write!(…)?`: the invocation is the element, its name
                    // maybe the end of a path.
                    at -= 2;
                } else if at > 0 && ends_an_element(&tokens[at - 1]) {
                    // A call or an index goes on with its callee.
                    continue;
                } else {
                    // Parentheses, a tuple, an array.
                    return operand_from(tokens, at);
                }
            }
            TokenTree::Ident(ident) if !is_keyword(ident) => at = before,
            TokenTree::Literal(_) => at = before,
            TokenTree::Punct(punct) if punct.as_char() == '?' && before + 1 != question => {
                at = before;
                continue;
            }
            _ => return None,
        }
        // After a word, a literal or a macro's invocation: a field or
        // method call (`.`, not the range `..`) or a path (`::`) goes on to
        // the left.
        if is_lone_dot(tokens, at.wrapping_sub(1)) {
            at -= 1;
            continue;
        }
        if at >= 2 && is_path_separator(tokens, at - 2) {
            at -= 2;
            if matches!(tokens.get(at.wrapping_sub(1)), Some(TokenTree::Ident(ident)) if !is_keyword(ident)) {
                continue;
            }
        }
        return operand_from(tokens, at);
    }
}

/// `Some(at)` if the token before `tokens[at]` cannot belong to the
/// operand that starts there: not the end of generic arguments (`>`, but
/// for `=>` and `->`), a range's `..` or a path's `::`.
fn operand_from(tokens: &[TokenTree], at: usize) -> Option<usize> {
    match at.checked_sub(1).map(|before| &tokens[before]) {
        Some(TokenTree::Punct(punct)) => match punct.as_char() {
            '>' => is_arrow_end(tokens, at - 1).then_some(at),
            '.' => None,
            // A field's `a: value`, not a path's `::`.
            ':' => (!is_path_separator(tokens, at.saturating_sub(2))).then_some(at),
            _ => Some(at),
        },
        _ => Some(at),
    }
}

/// Whether `token` can end an element a call or an index applies to.
fn ends_an_element(token: &TokenTree) -> bool {
    match token {
        TokenTree::Ident(ident) => !is_keyword(ident),
        TokenTree::Group(group) => group.delimiter() != Delimiter::Brace,
        TokenTree::Punct(punct) => punct.as_char() == '?',
        TokenTree::Literal(_) => false,
    }
}

fn is_block(token: &TokenTree) -> bool {
    matches!(token, TokenTree::Group(group) if group.delimiter() == Delimiter::Brace)
}

/// Whether `token` can end the left operand of a binary `|` or `||`:
/// otherwise the `|` starts a closure.
fn ends_an_operand(token: &TokenTree) -> bool {
    match token {
        TokenTree::Ident(ident) => !is_keyword(ident),
        TokenTree::Group(_) | TokenTree::Literal(_) => true,
        TokenTree::Punct(punct) => punct.as_char() == '?',
    }
}

/// Whether `tokens[at]` is a `.` that is not part of `..`.
fn is_lone_dot(tokens: &[TokenTree], at: usize) -> bool {
    let is_dot = |at: usize| matches!(tokens.get(at), Some(TokenTree::Punct(dot)) if dot.as_char() == '.');
    is_dot(at) && !(at > 0 && is_dot(at - 1)) && !is_dot(at + 1)
}
