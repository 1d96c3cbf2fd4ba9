//! Whether a deferred action could hold a borrow that the rest of its block
//! needs.
//!
//! A drop guard borrows what its action uses from its registration to the
//! end of its block. That is free, and it is what the expansion keeps
//! wherever it cannot conflict with the code after it; where it could, the
//! action becomes borrow-free (see the runtime's `frame`). The test works on
//! tokens, on the places each side names: a local (a lowercase identifier
//! that is not a field, a method, a macro or a path segment, or a name a
//! format string captures, `"{count}"`), followed by its fields
//! (`self.stats.count`). Two places conflict when one contains the other, as
//! closures capture them since Rust 2021: `self.busy` and `self.interrupted`
//! do not, `self.items` and `self.items.len()` do, and so does `self` used
//! whole. Places read only by a formatting macro (`println!("{n}")`,
//! `format!("{}", n)`, `assert!(n > 0, …)`, `tracing::info!(n)`) are shared
//! borrows on both sides, which do not conflict with each other. It errs on
//! the side of the borrow-free form, which is always correct and costs one
//! `catch_unwind`.

use std::ops::ControlFlow;

use proc_macro2::{TokenStream, TokenTree};

/// A local and the fields after it: `["self", "stats", "count"]`.
type Place = Vec<String>;

/// A place, and whether it is only read through a shared borrow.
struct Use {
    place: Place,
    shared: bool,
}

/// Macros whose arguments are only formatted (or compared), so borrowed
/// shared; `write!` and `writeln!` also take their first argument mutably.
const FORMATTING: &[&str] = &[
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "unreachable",
    "todo",
    "unimplemented",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "event",
];

/// Whether an action written as `action` could conflict with `rest`, the
/// statements after it in its block, made only if the action uses a local.
/// `own` are names the action binds itself (a hook's parameter), which are
/// not the block's.
pub(crate) fn conflict(action: &TokenStream, own: &[String], rest: impl FnOnce() -> TokenStream) -> bool {
    let mut used = Vec::new();
    let _ = collect(action, false, &mut used);
    used.retain(|used| !own.contains(&used.place[0]));
    if used.is_empty() {
        return false;
    }
    // The walk of the rest stops at the first conflicting place: where there
    // is one, it is usually near the action (the next statement writes what
    // the action reads).
    let rest = rest();
    let conflicts = |used: &[Use]| collect(&rest, false, &mut FirstConflict(used)).is_break();
    if !conflicts(&used) {
        return false;
    }
    // Names the action binds itself (`if let Ok(value) = ret`, `let n`,
    // `for item in`) are its own, not the block's: parsed only now, when
    // the tokens alone found a conflict.
    let bound = bound_names(action);
    let before = used.len();
    used.retain(|used| !bound.contains(&used.place[0]));
    used.len() == before || (!used.is_empty() && conflicts(&used))
}

/// Where [`collect`] puts the places it finds.
trait Places {
    /// Takes one place; `Break` ends the walk.
    fn found(&mut self, place: Use) -> ControlFlow<()>;
}

/// Every place, for the action's side.
impl Places for Vec<Use> {
    fn found(&mut self, place: Use) -> ControlFlow<()> {
        self.push(place);
        ControlFlow::Continue(())
    }
}

/// The search of the rest of the block for a place that conflicts with one
/// of the action's.
struct FirstConflict<'a>(&'a [Use]);

impl Places for FirstConflict<'_> {
    fn found(&mut self, later: Use) -> ControlFlow<()> {
        let conflicts = self
            .0
            .iter()
            .any(|used| !(used.shared && later.shared) && overlap(&used.place, &later.place));
        if conflicts {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// The names bound by patterns in `tokens` (statements or an expression).
fn bound_names(tokens: &TokenStream) -> Vec<String> {
    struct Bindings(Vec<String>);
    impl syn::visit_mut::VisitMut for Bindings {
        fn visit_pat_ident_mut(&mut self, binding: &mut syn::PatIdent) {
            self.0.push(binding.ident.to_string());
            syn::visit_mut::visit_pat_ident_mut(self, binding);
        }
    }
    let mut bindings = Bindings(Vec::new());
    if !may_bind(tokens) {
        // Most actions (`file.flush()`, a log line) bind nothing: not worth
        // syn's parse, the costliest step of this check.
        return bindings.0;
    }
    let parsed = syn::parse::Parser::parse2(syn::Block::parse_within, tokens.clone());
    if let Ok(mut stmts) = parsed {
        for stmt in &mut stmts {
            syn::visit_mut::VisitMut::visit_stmt_mut(&mut bindings, stmt);
        }
    }
    bindings.0
}

/// Whether `tokens` hold what a pattern binding comes with: `let` (with
/// `if let`, `while let` and `let … else`), `for`, `match`, `fn`, or a
/// closure's `|`. A pattern elsewhere would be in a macro's arguments, which
/// syn leaves unparsed.
fn may_bind(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == "let" || ident == "for" || ident == "match" || ident == "fn",
        TokenTree::Punct(punct) => punct.as_char() == '|',
        TokenTree::Group(group) => may_bind(&group.stream()),
        TokenTree::Literal(_) => false,
    })
}

/// Whether one place contains the other.
fn overlap(a: &Place, b: &Place) -> bool {
    a.iter().zip(b).all(|(a, b)| a == b)
}

/// Gives `places` every place that `tokens` may use, until it breaks;
/// `formatted`: the tokens are a formatting macro's arguments.
fn collect(tokens: &TokenStream, formatted: bool, places: &mut impl Places) -> ControlFlow<()> {
    let tokens: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (index, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                let previous = index.checked_sub(1).and_then(|before| tokens.get(before));
                let next = tokens.get(index + 1);
                if may_name_a_local(&name, previous, next, tokens.get(index + 2)) {
                    let (place, whole) = place_from(name, &tokens[index + 1..]);
                    places.found(Use {
                        place,
                        shared: formatted && !whole,
                    })?;
                }
            }
            TokenTree::Group(group) => {
                let name = index
                    .checked_sub(2)
                    .and_then(|at| match (&tokens[at], &tokens[at + 1]) {
                        (TokenTree::Ident(name), TokenTree::Punct(bang)) if bang.as_char() == '!' => {
                            Some(name.to_string())
                        }
                        _ => None,
                    });
                match name.as_deref() {
                    Some("write" | "writeln") => {
                        // The writer is borrowed mutably, the rest formatted.
                        let stream: Vec<TokenTree> = group.stream().into_iter().collect();
                        let comma = stream
                            .iter()
                            .position(|token| matches!(token, TokenTree::Punct(p) if p.as_char() == ','))
                            .unwrap_or(stream.len());
                        collect(&stream[..comma].iter().cloned().collect(), false, places)?;
                        collect(&stream[comma..].iter().cloned().collect(), true, places)?;
                    }
                    Some(name) if FORMATTING.contains(&name) => collect(&group.stream(), true, places)?,
                    _ => collect(&group.stream(), formatted, places)?,
                }
            }
            TokenTree::Literal(literal) => captured_by_format(&literal.to_string(), places)?,
            TokenTree::Punct(_) => {}
        }
    }
    ControlFlow::Continue(())
}

/// The place that starts with the local `name`, given the tokens after it:
/// its fields, up to a method call (which may use the whole value before
/// it, mutably: then `true`) or anything else.
fn place_from(name: String, after: &[TokenTree]) -> (Place, bool) {
    let mut place = vec![name];
    let mut rest = after;
    while let [TokenTree::Punct(dot), field, tail @ ..] = rest {
        if dot.as_char() != '.' {
            break;
        }
        let field = match field {
            TokenTree::Ident(ident) if ident != "await" => ident.to_string(),
            TokenTree::Literal(index) => index.to_string(),
            _ => break,
        };
        let is_method_call = matches!(tail.first(), Some(TokenTree::Group(group))
            if group.delimiter() == proc_macro2::Delimiter::Parenthesis)
            || matches!(tail.first(), Some(TokenTree::Punct(p)) if p.as_char() == ':');
        if is_method_call {
            return (place, true);
        }
        place.push(field);
        rest = tail;
    }
    (place, false)
}

fn may_name_a_local(
    name: &str,
    previous: Option<&TokenTree>,
    next: Option<&TokenTree>,
    after_next: Option<&TokenTree>,
) -> bool {
    let starts_lowercase = name
        .trim_start_matches("r#")
        .starts_with(|c: char| c.is_lowercase() || c == '_');
    if !starts_lowercase || is_keyword(name) {
        return false;
    }
    let punct =
        |token: Option<&TokenTree>, c: char| matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == c);
    // `.field`, `.method()`, `'label`, `path::segment`.
    let after_dot_or_quote = punct(previous, '.') || punct(previous, '\'');
    let in_path = punct(previous, ':') || (punct(next, ':') && punct(after_next, ':'));
    // `macro!(…)`, but not `x != y`.
    let is_macro = punct(next, '!') && !punct(after_next, '=');
    // `function(…)`: an item, as far as tokens tell (a local closure called
    // on both sides conflicts only if it is `FnMut`).
    let is_call = matches!(next, Some(TokenTree::Group(group)) if group.delimiter() == proc_macro2::Delimiter::Parenthesis);
    // `field: value` in a struct literal, `x: T` in a binding: not a use
    // of a local of the block.
    let before_colon = punct(next, ':') && !punct(after_next, ':');
    !(after_dot_or_quote || in_path || is_macro || is_call || before_colon)
}

fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "_"
    )
}

/// The names a format string captures: `{name}`, `{name:?}`, `{name:>width$}`
/// (and `width`).
fn captured_by_format(literal: &str, places: &mut impl Places) -> ControlFlow<()> {
    if !literal.ends_with('"') {
        return ControlFlow::Continue(());
    }
    let mut rest = literal;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if rest.starts_with('{') {
            rest = &rest[1..];
            continue;
        }
        let end = rest.find('}').unwrap_or(rest.len());
        for part in rest[..end].split([':', '$', '.', ' ', '<', '>', '^', '+', '#', '-']) {
            let part = part.trim();
            if part.starts_with(|c: char| c.is_lowercase() || c == '_')
                && part.chars().all(|c| c.is_alphanumeric() || c == '_')
                && part != "_"
            {
                places.found(Use {
                    place: vec![part.to_owned()],
                    shared: true,
                })?;
            }
        }
        rest = &rest[end..];
    }
    ControlFlow::Continue(())
}

#[cfg(test)]
mod tests {
    use super::conflict;
    use std::str::FromStr;

    fn conflicts(action: &str, rest: &str) -> bool {
        conflict(&proc_macro2::TokenStream::from_str(action).unwrap(), &[], || {
            proc_macro2::TokenStream::from_str(rest).unwrap()
        })
    }

    #[test]
    fn a_local_used_after_the_action_conflicts() {
        assert!(conflicts("let _ = out.flush();", "writeln!(out, \"x\")?; Ok(())"));
        assert!(conflicts("println!(\"{count}\");", "count += 1;"));
        assert!(conflicts(
            "println!(\"{}\", items.len());",
            "println!(\"{:?}\", items.pop());"
        ));
        assert!(conflicts("println!(\"{count}\");", "writeln!(count, \"x\")?;"));
        assert!(conflicts(
            "println!(\"{}\", items.len());",
            "items.push(1); items"
        ));
        assert!(conflicts("log(&self.name);", "self.name.push('x');"));
        assert!(conflicts("drop(file)", "file.write_all(b\"x\")?;"));
    }

    #[test]
    fn names_the_action_binds_are_its_own() {
        assert!(!conflicts(
            "if let Ok(value) = ret { *value += 1; }",
            "let value = body(x); Ok(value)"
        ));
        assert!(!conflicts(
            "for item in list.iter() { log(item); }",
            "let item = 1; item"
        ));
        assert!(conflicts(
            "for item in list.iter() { log(item); }",
            "list.push(1);"
        ));
    }

    #[test]
    fn a_conflict_after_a_name_the_action_binds_is_found() {
        // The walk of the rest stops at `value`, which the action binds
        // itself; set aside, the search goes on to `total`, further down.
        let action = "if let Some(value) = cache.get(key) { total += value; }";
        assert!(conflicts(action, "let value = 2; log(value); total += 1;"));
        assert!(!conflicts(action, "let value = 2; log(value); other += 1;"));
    }

    #[test]
    fn names_bound_in_every_form_are_the_actions_own() {
        let rest = "let value = 2; value";
        // In an arm, a closure's parameters, a `let … else`, a nested
        // function, and a `let` inside a block of the action.
        assert!(!conflicts(
            "match ret { Ok(value) => log(value), Err(_) => {} }",
            rest
        ));
        assert!(!conflicts("items.iter().for_each(|value| log(value));", rest));
        assert!(!conflicts(
            "let Some(value) = ret else { return }; log(value);",
            rest
        ));
        assert!(!conflicts("fn show(value: u32) { log(value) } show(1);", rest));
        assert!(!conflicts(
            "if ready { let value = compute(); log(value); }",
            rest
        ));
        // Bound by nothing: the block's own `value`.
        assert!(conflicts("if ready { log(value); }", rest));
    }

    #[test]
    fn disjoint_fields_do_not() {
        assert!(!conflicts(
            "self.interrupted = true;",
            "self.busy = true; (self.predicate)(x); self.busy = false;"
        ));
        assert!(!conflicts("log(stats.errors);", "stats.count += 1;"));
        // A method may use the whole value; so may a use of the whole.
        assert!(conflicts("log(stats.errors);", "stats.reset();"));
        assert!(conflicts("log(stats.errors);", "send(stats);"));
        assert!(conflicts("stats.flush();", "stats.count += 1;"));
    }

    #[test]
    fn names_that_cannot_be_locals_do_not() {
        // A macro, a method, a field, a path, a type, a variant.
        assert!(!conflicts("println!(\"done\");", "println!(\"working\");"));
        assert!(!conflicts("counter.bump();", "other.bump();"));
        assert!(!conflicts("std::mem::drop(a);", "std::mem::take(&mut b);"));
        assert!(!conflicts("log(Ok(1), None);", "Ok(x)"));
        assert!(!conflicts("cleanup.set(cleanup.get() + 1);", "body(work, x)"));
        assert!(!conflicts("a != b;", "c"));
        assert!(!conflicts("log(\"done\");", "log(\"working\");"));
        // Both sides only format it.
        assert!(!conflicts(
            "panic!(\"cleanup of {thread}\")",
            "panic!(\"original of {thread}\");"
        ));
        assert!(!conflicts(
            "println!(\"{}\", total);",
            "assert!(total > 0, \"{total}\");"
        ));
    }
}
