//! The macros never panic: every path returns a `syn::Error` or an item.
//!
//! A deterministic mutation fuzzer feeds valid functions, mutated token by
//! token, and random token soup through both attributes' expansion (on
//! `proc_macro2` token streams, so it runs as a unit test), with valid and
//! invalid arguments. It asserts that the expansion never panics, and that
//! its output always parses as items: the expanded function, or
//! `compile_error!` plus a function.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use crate::expand::attribute;
use crate::item::Attr;

/// Valid functions covering the forms and shapes the rewriter handles.
const SEEDS: &[&str] = &[
    "fn f() { defer! { a(); } b(); }",
    "fn f(x: u32) -> Result<u32, E> { defer_on_err! { r(); } defer!(|ret| *ret = Ok(1)); let y = g(x)?; if y > 1 { return Err(e()); } Ok(y) }",
    "async fn f(&self) -> Option<u8> { defer!(move { c(); }); defer_on_err!(move { d(); }); let v = h().await?; Some(v) }",
    "pub(crate) unsafe extern \"C\" fn f(p: *const u8) -> i32 { defer!(|r| *r += 1); unsafe { *p as i32 } }",
    "fn f<'a, T: Clone>(x: &'a T) -> impl Fn(i32) -> i32 + 'a where T: Send { defer!(|_r| ()); move |y| y + 1 }",
    "fn f() -> Result<impl Iterator<Item = u8>, E> { defer!(|ret| { let _ = ret.is_ok(); }); Ok(0..3) }",
    "fn f() -> u8 { #![allow(unused)] let x = 'a: { break 'a 1; }; for i in 0..3 { defer! { g(i); } if i == 1 { continue; } } x }",
    "fn f(v: Option<u8>) -> Option<u8> { defer_on_err! { z(); } let Some(x) = v else { return None; }; match x { 0 => return None, n => Some(n) } }",
    "fn f() -> Result<String, E> { defer_on_err! { z(); } Ok(format!(\"{} {x}\", a()?, x = b()?)) }",
    "fn f() -> ! { defer! { z(); } loop {} }",
    "fn f(self: Box<Self>) -> Self { defer!(|s| s.touch()); *self }",
    "default fn f() {}",
    "fn f() -> Result<(), E> { defer_on_err! { z(); } tokio::select! { x = a() => { x?; } } Ok(()) }",
    "const fn f() -> u8 { defer! { a(); } 1 }",
    "fn f() { let c = || { defer! { a(); } }; async { defer_on_err! { b(); } }; fn g() { defer! { c(); } } }",
    "fn f() -> u8 { defer! { return 1; } defer! { x?; } defer! { y.await; } defer! { break; } 2 }",
    "fn f() { defer!(|a, b| ()); defer!(|| ()); defer_on_err!(|e| ()); defer!(move x); defer!(async |r| ()); }",
    "fn f() -> Box<dyn Display> { defer!(|r| ()); if c { Box::new(1) } else { Box::new(\"s\") } }",
    "fn f() -> Result<u8, E> { defer_on_err! { a(); } if c { defer_on_err! { b(); } Err(e) } else { match d { 1 => Ok(1), _ => { Ok(2) } } } }",
    "fn f() -> Pin<Box<dyn Future<Output = Option<u8>> + Send + 'async_trait>> { Box::pin(async move { if let Some(__ret) = None::<Option<u8>> { return __ret; } let __self = self; let __ret: Option<u8> = { defer_on_err! { a(); } Some(1) }; __ret }) }",
    "async fn f() -> u8 { let __tracing_attr_span = s(); let __tracing_instrument_future = async move { if false { return loop {}; } { defer!(|r| *r += 1); 1 } }; __tracing_instrument_future.await }",
    "struct S;",
    "impl S { fn f() {} }",
    "trait T { fn f(&self); }",
    "fn f() { epilogue::defer! { a(); } ::epilogue::defer_on_err! { b(); } }",
    "fn f(mut n: u32) -> u32 { defer! { log(n); } n += 1; 'a: loop { defer! { log(n); } n += 1; if n > 3 { break 'a; } continue; } n }",
    "fn f(v: &mut Vec<u8>) -> Result<usize, E> { defer_on_err! { v.clear(); } defer!(|ret| v.push(1)); v.push(2); let x = g(v)?; bail!(\"no {x}\"); ensure!(x > 0, \"small\"); Ok(v.len()) }",
    "async fn f(w: &mut W) -> io::Result<()> { defer!(async { w.flush().await.ok(); }); defer_on_err!(async move { r().await; }); defer!(async |ret| { if w.flush().await.is_err() { *ret = Err(e()); } }); w.write(b).await?; Ok(()) }",
    "fn f(p: Poll<u8>) -> Poll<Option<Result<u8, E>>> { defer_on_err! { z(); } let x = ready!(p); for i in 0..x { skip!(i); m! { let y = 1; } } Poll::Ready(Some(Ok(x))) }",
    "fn f() -> Option<Result<u8, E>> { defer!(|r| log(r)); let x = itry!(g()); let y = match x { 0 => itry!(h()), n => n }; Some(Ok(y)) }",
    "fn f() -> String { defer!(|r| r.push('x')); format!(\"{}\", { defer! { return 7; } x + 1 }) }",
    "fn f() -> u8 { m!(defer! { a(); }); vec![{ defer! { b(); } 1 }][0] }",
];

const ARGS: &[&str] = &[
    "",
    "default",
    "with = |p| p.resume()",
    "with = handler",
    "crate = ::epilogue",
    "crate = epilogue, default",
    "default, default",
    "default, with = h",
    "with",
    "with =",
    "default = 1",
    "unknown",
    "crate",
    "crate = ",
    ", ,",
    "with = |p| { p }, crate = x::y",
];

/// Tokens the mutations insert: the ones the rewriter looks at.
const VOCABULARY: &[&str] = &[
    "?",
    "return",
    "defer!",
    "defer_on_err!",
    "move",
    "async",
    ".await",
    "|",
    "||",
    ";",
    ",",
    "::",
    "'a",
    "const",
    "unsafe",
    "!",
    "break",
    "continue",
    "fn",
    "let",
    "else",
    "match",
    "=>",
    "_",
    "impl",
    "dyn",
    "->",
    "#",
    "=",
    "&",
    "mut",
    "self",
    "Self",
    "loop",
    "if",
    "0",
    "\"s\"",
    "'label",
    "#[defer_on_exit]",
    "#[recover]",
    "async move",
    "bail!",
    "ready!",
    "x",
    "x +=",
    "= x",
    "{ }",
    "( )",
    "[ ]",
];

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

fn tokens(text: &str) -> TokenStream {
    TokenStream::from_str(text).unwrap_or_default()
}

/// Applies one random token-level mutation somewhere in the tree.
fn mutate(stream: TokenStream, rng: &mut Rng) -> TokenStream {
    let mut trees: Vec<TokenTree> = stream.into_iter().collect();
    let groups: Vec<usize> = trees
        .iter()
        .enumerate()
        .filter(|(_, tree)| matches!(tree, TokenTree::Group(_)))
        .map(|(index, _)| index)
        .collect();
    // Half the time, go down into a group.
    if !groups.is_empty() && rng.below(2) == 0 {
        let index = groups[rng.below(groups.len())];
        if let TokenTree::Group(group) = &trees[index] {
            let mut inner = Group::new(group.delimiter(), mutate(group.stream(), rng));
            inner.set_span(group.span());
            trees[index] = TokenTree::Group(inner);
        }
        return trees.into_iter().collect();
    }
    let position = rng.below(trees.len() + 1);
    match rng.below(6) {
        0 if !trees.is_empty() => {
            trees.remove(position.min(trees.len() - 1));
        }
        1 if !trees.is_empty() => {
            let copy = trees[position.min(trees.len() - 1)].clone();
            trees.insert(position.min(trees.len()), copy);
        }
        2 if trees.len() > 1 => {
            let other = rng.below(trees.len());
            let position = position.min(trees.len() - 1);
            trees.swap(position, other);
        }
        3 if !trees.is_empty() => {
            // Flatten a group into its tokens, or wrap a token in a group.
            let index = position.min(trees.len() - 1);
            match trees.remove(index) {
                TokenTree::Group(group) => {
                    for (offset, tree) in group.stream().into_iter().enumerate() {
                        trees.insert(index + offset, tree);
                    }
                }
                tree => {
                    let delimiter =
                        [Delimiter::Brace, Delimiter::Parenthesis, Delimiter::Bracket][rng.below(3)];
                    trees.insert(index, TokenTree::Group(Group::new(delimiter, tree.into())));
                }
            }
        }
        _ => {
            let word = VOCABULARY[rng.below(VOCABULARY.len())];
            for (offset, tree) in tokens(word).into_iter().enumerate() {
                trees.insert(position.min(trees.len()) + offset, tree);
            }
        }
    }
    trees.into_iter().collect()
}

/// Random token soup.
fn soup(rng: &mut Rng) -> TokenStream {
    let length = rng.below(40);
    let mut trees = Vec::new();
    for _ in 0..length {
        match rng.below(4) {
            0 => trees.push(TokenTree::Ident(Ident::new(
                ["fn", "f", "x", "defer", "async"][rng.below(5)],
                Span::call_site(),
            ))),
            1 => trees.push(TokenTree::Punct(Punct::new(
                ['?', '!', '|', ';', '#', '&', '='][rng.below(7)],
                Spacing::Alone,
            ))),
            _ => trees.extend(tokens(VOCABULARY[rng.below(VOCABULARY.len())])),
        }
    }
    trees.into_iter().collect()
}

fn check(attr: Attr, args: &TokenStream, item: &TokenStream) {
    let expanded = catch_unwind(AssertUnwindSafe(|| attribute(attr, args.clone(), item.clone())));
    let Ok(expanded) = expanded else {
        panic!("#[{}({args})] panicked on:\n{item}", attr.name());
    };
    // Whatever the input, the output is items (or the untouched input, when
    // the input itself does not parse: rustc then reports its syntax error).
    // A deferred block goes into the output unparsed when nothing in it needs
    // checking, so its own syntax errors are rustc's to report, there.
    if syn::parse2::<syn::File>(item.clone()).is_ok_and(|mut file| deferred_blocks_parse(&mut file)) {
        assert!(
            syn::parse2::<syn::File>(expanded.clone()).is_ok(),
            "#[{}({args})] produced output that does not parse:\n{item}\n=>\n{expanded}",
            attr.name()
        );
    }
}

#[test]
fn seeds_expand_to_items() {
    for seed in SEEDS {
        for args in ARGS {
            for attr in [Attr::DeferOnExit, Attr::Recover] {
                check(attr, &tokens(args), &tokens(seed));
            }
        }
    }
}

#[test]
fn mutated_functions_never_make_the_macros_panic() {
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    for round in 0..20_000 {
        let seed = tokens(SEEDS[round % SEEDS.len()]);
        let mut item = seed;
        for _ in 0..=rng.below(4) {
            item = mutate(item, &mut rng);
        }
        let args = if rng.below(4) == 0 {
            mutate(tokens(ARGS[rng.below(ARGS.len())]), &mut rng)
        } else {
            tokens(ARGS[rng.below(ARGS.len())])
        };
        let attr = if rng.below(2) == 0 {
            Attr::DeferOnExit
        } else {
            Attr::Recover
        };
        check(attr, &args, &item);
    }
}

#[test]
fn token_soup_never_makes_the_macros_panic() {
    let mut rng = Rng(0x0dd_ba11_5eed_1234);
    for _ in 0..5_000 {
        let item = soup(&mut rng);
        let args = soup(&mut rng);
        check(Attr::DeferOnExit, &args, &item);
        check(Attr::Recover, &args, &item);
    }
}

// ---- Every invocation is accounted for.

/// A random function body built from the constructs the rewriter handles:
/// blocks, branches, loops with labels, `match`, closures, other macros'
/// arguments, and every deferred form, with every exit. Its invocations of
/// `defer!`/`defer_on_err!` are counted as they are written.
struct Body {
    rng: Rng,
    invocations: usize,
    depth: usize,
}

impl Body {
    fn stmts(&mut self, out: &mut String) {
        for _ in 0..=self.rng.below(4) {
            self.stmt(out);
        }
    }

    fn block(&mut self, out: &mut String) {
        out.push('{');
        self.depth += 1;
        self.stmts(out);
        self.depth -= 1;
        out.push('}');
    }

    fn stmt(&mut self, out: &mut String) {
        let nested = self.depth < 4;
        match self.rng.below(16) {
            0 => {
                self.invocations += 1;
                out.push_str("defer! { log(x); } ");
            }
            1 => {
                self.invocations += 1;
                out.push_str("defer_on_err! { x += 1; } ");
            }
            2 => {
                self.invocations += 1;
                out.push_str("defer!(|ret| { let _ = ret; }); ");
            }
            3 => {
                self.invocations += 1;
                out.push_str("defer!(move { log(x); }); ");
            }
            4 => {
                self.invocations += 1;
                out.push_str("defer!(async { w(x).await; }); ");
            }
            5 => out.push_str("x += 1; "),
            6 => out.push_str("let y = g(x)?; "),
            7 => out.push_str("if x > 3 { return Err(e()); } "),
            8 => out.push_str("bail!(\"no\"); "),
            9 if nested => {
                out.push_str("'l: for i in 0..3 ");
                self.block(out);
                out.push_str(" if x > 1 { continue; } ");
            }
            10 if nested => {
                out.push_str("if x > 2 ");
                self.block(out);
                out.push_str(" else ");
                self.block(out);
                out.push(' ');
            }
            11 if nested => {
                out.push_str("let v = format!(\"{}\", ");
                self.block(out);
                out.push_str("); ");
            }
            12 if nested => {
                out.push_str("let c = || ");
                self.block(out);
                out.push_str("; ");
            }
            13 if nested => {
                out.push_str("match x { 0 => ");
                self.block(out);
                out.push_str(" _ => {} } ");
            }
            14 if nested => {
                out.push_str("loop { if x > 5 { break; } ");
                self.stmts(out);
                out.push_str(" } ");
            }
            15 if nested => {
                out.push_str("opaque! { ");
                self.stmts(out);
                out.push_str(" } ");
            }
            _ => out.push_str("log(x); "),
        }
    }
}

/// How many actions the expansion registers: guards (`defer`, `defer_in_place`,
/// `defer_on_err`, `defer_on_err_owning`, `hook`), borrow-free actions run
/// after their frame (`defer_now`, `defer_on_err_now`, or a guard), and
/// async actions.
fn registrations(tokens: &TokenStream) -> usize {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut count = 0;
    for (index, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Ident(ident) if ident == "__private" => {
                if let Some(TokenTree::Ident(name)) = trees.get(index + 3) {
                    let name = name.to_string();
                    if [
                        "defer",
                        "defer_in_place",
                        "defer_now",
                        "defer_on_err",
                        "defer_on_err_now",
                        "defer_on_err_owning",
                        "hook",
                        "running",
                        "running_with",
                    ]
                    .contains(&name.as_str())
                    {
                        count += 1;
                    }
                }
            }
            TokenTree::Group(group) => count += registrations(&group.stream()),
            _ => {}
        }
    }
    count
}

thread_local!(static CHECKED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });

#[test]
fn every_invocation_registers_an_action_or_fails_the_build() {
    let mut rng = Rng(0xacc0_0417_ed00_0001);
    for round in 0..3_000 {
        let mut body = Body {
            rng: Rng(rng.next() | 1),
            invocations: 0,
            depth: 0,
        };
        let mut text = String::new();
        body.stmts(&mut text);
        let asyncness = if round % 2 == 0 { "async " } else { "" };
        let item = tokens(&format!(
            "{asyncness}fn f(mut x: u32) -> Result<u32, E> {{ {text} Ok(x) }}"
        ));
        for attr in [Attr::DeferOnExit, Attr::Recover] {
            let expanded = attribute(attr, TokenStream::new(), item.clone());
            let failed = expanded.to_string().contains("compile_error");
            // The async form in a synchronous function, one inside a closure
            // or an opaque macro: the build fails, at that invocation.
            if !failed {
                CHECKED.with(|c| c.set(c.get() + usize::from(body.invocations > 0)));
                assert_eq!(
                    registrations(&expanded),
                    body.invocations,
                    "an invocation vanished from #[{}]:\n{item}\n=>\n{expanded}",
                    attr.name()
                );
            }
            assert!(
                failed || body.invocations == 0 || attr == Attr::DeferOnExit,
                "#[recover] alone accepted a deferred action:\n{item}"
            );
        }
    }
    // Not vacuous: many bodies expand without an error and are counted.
    assert!(CHECKED.with(std::cell::Cell::get) > 500);
}

/// Whether the statements of every `defer! { … }`/`defer_on_err! { … }` in
/// `file` parse.
fn deferred_blocks_parse(file: &mut syn::File) -> bool {
    struct Blocks(bool);
    impl syn::visit_mut::VisitMut for Blocks {
        fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
            let name = mac.path.segments.last().map(|last| last.ident.to_string());
            if matches!(name.as_deref(), Some("defer" | "defer_on_err")) {
                self.0 &= syn::parse::Parser::parse2(syn::Block::parse_within, mac.tokens.clone()).is_ok();
            }
        }
    }
    let mut blocks = Blocks(true);
    syn::visit_mut::VisitMut::visit_file_mut(&mut blocks, file);
    blocks.0
}

// ---- The token-level expansion is the full one, where it applies.

/// Synchronous functions with `defer! { … }` statements at the top of the
/// body, some of which the token-level expansion takes and some it leaves
/// to the full one (a conflict, another form, an attribute it cannot read).
const TOP_LEVEL_SEEDS: &[&str] = &[
    "fn f() { defer! { a(); } b(); }",
    "fn f() { defer! { a(); }; b(); }",
    "fn f() { defer! { a() } }",
    "fn f() {}",
    "/// Docs.\n#[inline] pub fn f(x: u32) -> u32 { defer! { log(1); } if x > 2 { return 3; } x + 1 }",
    "pub(crate) unsafe fn f<'a, T: Clone>(t: &'a T) -> Result<T, E> where T: Send { defer! { a(); } let y = g()?; Ok(t.clone()) }",
    "fn f(v: &mut Vec<u8>) { defer! { log(1); } v.push(1); defer! { log(2); } v.push(2); }",
    "fn f(v: &mut Vec<u8>) { defer! { v.clear(); } v.push(1); }",
    "fn f(v: &mut Vec<u8>) { defer! { move { drop(w); } } v.push(1); w.len(); }",
    "fn f() -> u8 { defer! { println!(\"{}\", n); } let n = 1; if c() { defer! { a(); } } n }",
    "fn f() { #![allow(unused)] defer! { a(); } }",
    "fn f() { #[cfg(test)] defer! { a(); } }",
    "fn f() { let x = 1; defer! { a(x); } defer_on_err! { b(); } }",
    "fn f() -> Result<(), E> { defer! { a()?; } Ok(()) }",
    "async fn f() { defer! { a(); } }",
    "const fn f() { defer! { a(); } }",
    "#[recover] fn f() { defer! { a(); } }",
    "fn f() -> impl Fn(u8) -> u8 { defer! { a(); } |x| x }",
    "fn f(s: &String) -> Box<dyn Display> { defer! { a(); } Box::new(1) }",
    "fn f() { epilogue::defer! { a(); } }",
    "fn f() { let c = || { defer! { a(); } }; }",
    "fn f() { for i in 0..3 { defer! { log(i); } } }",
    "fn f(mut n: u32) -> u32 { defer! { log(total); } 'a: loop { n += 1; if n > 3 { break 'a; } } n }",
    "fn f() { defer! { let s = format!(\"{x}\"); log(s); } tracing::info!(\"{}\", y); }",
];

#[test]
fn the_token_level_expansion_is_the_full_one() {
    let (taken, left) = compare_on_seeds(TOP_LEVEL_SEEDS, guards_only);
    // Both ways are taken.
    assert!(taken >= 10 && left >= 10, "taken {taken}, left {left}");

    // Random bodies of top-level statements, the actions using locals that
    // later statements use or not.
    let mut rng = Rng(0x7012_1e7e_1000_0001);
    let mut taken = 0;
    for _ in 0..2_000 {
        let mut body = String::new();
        for _ in 0..=rng.below(6) {
            body.push_str(match rng.below(10) {
                0 => "defer! { log(a); } ",
                1 => "defer! { log(1) } ",
                2 => "defer! { move { drop(b); } } ",
                3 => "defer! { c.clear(); }; ",
                4 => "a += 1; ",
                5 => "let d = g(b)?; ",
                6 => "if a > 3 { return Err(e()); } ",
                7 => "println!(\"{c:?}\"); ",
                8 => "for i in 0..3 { log(i); } ",
                _ => "log(2); ",
            });
        }
        let item = tokens(&format!(
            "fn f(mut a: u32, b: B, c: &mut C) -> Result<u32, E> {{ {body} Ok(a) }}"
        ));
        taken += usize::from(compare(&TokenStream::new(), &item, guards_only));
    }
    assert!(taken > 500, "taken {taken}");
}

/// A token-level expansion: `Some` for a function it takes.
type TokenLevel = fn(&TokenStream, &TokenStream) -> Option<TokenStream>;

/// Whether `token_level` takes `item` under `args`; if it does, its tokens
/// must be the full expansion's.
fn compare(args: &TokenStream, item: &TokenStream, token_level: TokenLevel) -> bool {
    let Some(fast) = token_level(args, item) else {
        return false;
    };
    let full = crate::expand::parsed(Attr::DeferOnExit, args.clone(), item.clone());
    assert_eq!(token_texts(&fast), token_texts(&full), "on {item}");
    true
}

/// [`compare`] on each seed, without arguments and with one: how many
/// expansions `token_level` took, and how many it left to the full one.
fn compare_on_seeds(seeds: &[&str], token_level: TokenLevel) -> (usize, usize) {
    let mut taken = 0;
    let mut left = 0;
    for seed in seeds {
        for args in ["", "crate = ::epilogue"] {
            if compare(&tokens(args), &tokens(seed), token_level) {
                taken += 1;
            } else {
                left += 1;
            }
        }
    }
    (taken, left)
}

/// The token-level expansion of a function with only `defer!`s, if it takes
/// `item`.
fn guards_only(args: &TokenStream, item: &TokenStream) -> Option<TokenStream> {
    crate::guards_only::Written::split(args, item)
        .and_then(|function| crate::guards_only::expand(&function, item).ok())
}

/// The token-level expansion of `item`, if one takes it, as the attribute
/// asks for it: the slot functions', and the `defer!`-only one's, which hands
/// a function over with the action it found holding a borrow.
fn slot_tokens(args: &TokenStream, item: &TokenStream) -> Option<TokenStream> {
    crate::expand::on_tokens(args, item)
}

/// The tokens of `tokens`, one string each, delimiters included: printing
/// would also show whether a punctuation is joined to the next token, which
/// syn does not keep for `'a` or `?;`, and which does not change the meaning.
fn token_texts(tokens: &TokenStream) -> Vec<String> {
    let mut texts = Vec::new();
    for token in tokens.clone() {
        match token {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("\u{2205}", "\u{2205}"),
                };
                texts.push(open.to_owned());
                texts.extend(token_texts(&group.stream()));
                texts.push(close.to_owned());
            }
            TokenTree::Punct(punct) => texts.push(punct.as_char().to_string()),
            other => texts.push(other.to_string()),
        }
    }
    texts
}

/// Synchronous functions with an exit slot, some of which the token-level
/// expansion of slot functions takes and some it leaves to the full one.
const SLOT_SEEDS: &[&str] = &[
    "fn f(x: u32) -> Result<u32, E> { defer_on_err! { a(); } if x > 2 { return Err(e()); } Ok(x) }",
    "fn f(x: u32) -> Result<u32, E> { defer! { log(); } defer_on_err! { a(); } let y = g(x)?; Ok(y + 1) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let y = s.g()?.h(1)?[0]?; Ok(y) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let y = ::m::g()? + m::h(x.0?)?; Ok(y) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } return Ok(g()?); }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } for k in 0..9 { if k > 3 { return Err(e(k)); } } return Err(e(0)) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } match x { 0 => return Err(e()), _ => {} } while c() { g()?; } Ok(1) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } if let Some(x) = o { return Ok(x); } else if c { g()?; } else { return Err(e()); } Ok(2) }",
    "fn f() -> Option<u8> { defer_on_err! { a(); } let Some(x) = o else { return None; }; let v = [x, 1]; Some(v[0]? + (v.first())?) }",
    "fn f() -> Result<u32, E> { defer_on_err! { move { a(); } } loop { if g()? { break; } } unsafe { h() }; Ok(S { a: 1 }.a) }",
    "#[inline] pub fn f<T: Into<u8>, F: Fn() -> u8>(t: T) -> Result<Vec<u8>, E> where T: Copy { defer_on_err! { a(); } Ok(vec(t)?) }",
    "fn f() -> Result<u32, E> { defer_on_err!(|e| log(e)); Ok(1) }",
    "fn f() -> Result<u32, E> { defer!(|ret| log(ret)); defer_on_err! { a(); } Ok(1) }",
    "fn f(n: u32) -> u32 { defer!(|ret| *ret += 1); defer!(move { log(n); }); n * 2 }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let y = h(|x| x?).map_err(|e| E::from(e))?; Ok(y) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let g = move || -> Result<u8, E> { return Ok(h()?); }; Ok(g()? | 1 || c) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let v: Vec<_> = w.iter().map(|&x| x + 1).collect(); Ok(v[0]?) }",
    "fn f(w: &mut W) -> fmt::Result { defer!(|ret| log(ret)); write!(w, \"{}\", 1)?; Ok(()) }",
    "fn f(x: u8) -> Result<String, E> { defer_on_err! { a(); } println!(\"{}\", x); if x > 1 { return Err(format!(\"{x}\").into()); } let v = vec![x; 3]; format!(\"{v:?}\") }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } if c { Ok(1) } else { Err(e()) } }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } match x { A | B if c => { g()?; Ok(1) } C => Ok(h()?), _ => return Err(e()) } }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } match x { A if v.iter().any(|y| -> bool { y? }) => Ok(1), _ => Ok(2) } }",
    "fn f(p: P) -> Result<u32, E> { defer_on_err! { a(); } for P { x, y } in ps { g(x)?; } while let Q::R { z } = q()? { h(z)?; } if let P { x: 1..=5, .. } = p { Ok(1) } else if let S {} = s { return Err(e()); } else { Ok(g(p)?) } }",
    // A block action that may hold a borrow the statements after it need:
    // it runs after a frame around them.
    "fn f(v: &mut Vec<u8>) -> Result<u32, E> { defer_on_err! { v.clear(); } v.push(1); Ok(1) }",
    "fn f(x: u32) -> Result<u32, E> { let mut n = 0; defer! { log(n); } for k in 0..x { n += k; if n > 9 { return Err(e(n)); } } g(n)?; Ok(n) }",
    "fn f(w: &mut W) -> Result<u32, E> { defer_on_err! { a(); } g(w)?; defer! { w.flush(); } w.push(1)?; loop { if c() { break; } continue; } match x { 0 => Ok(1), _ => Err(e()) } }",
    "fn f(v: &mut Vec<u8>) -> Option<u8> { defer! { v.clear(); } v.push(1); let x = v.first()?; if *x > 2 { return None; } Some(*x) }",
    // Without a slot, the frame's flow carries the value: any last
    // statement, and a unit function.
    "fn f(v: &mut Vec<u8>) -> Result<u32, E> { defer! { v.clear(); } v.push(1); return Ok(1); }",
    "fn f(v: &mut Vec<u8>) { defer! { v.clear(); } v.push(1); }",
    "fn f<T>(v: &mut Vec<T>, n: usize) where T: Default { defer! { v.clear(); } while v.len() < n { if n > 9 { return; } v.push(T::default()); } }",
    // Left to the full expansion.
    "fn f(v: &mut Vec<u8>) -> Result<u32, E> { defer! { v.clear(); } v.push(1); defer! { log(); } Ok(1) }",
    "fn f(v: &mut Vec<u8>) -> Result<u32, E> { defer_on_err! { v.clear(); } v.push(1); return Ok(1); }",
    "fn f(v: &mut Vec<u8>) { defer_on_err! { v.clear(); } v.push(1); }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } if let Some(x) = o && let P { y } = x { return Ok(y); } Ok(1) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } if unsafe { g() } { Ok(1) } else { Err(e()) } }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } while match x { _ => c } { g()?; } Ok(1) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } if c { Ok(1) } }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } match x { A => { defer_on_err! { b(); } Ok(1) } _ => Ok(2) } }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } match x { A if g()? => Ok(1), _ => Ok(2) } }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } println!(\"{}\", g()?); Ok(1) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } m!(x); Ok(1) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let y = h(|x| f::<A, B>(x)?); Ok(y) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let y = h(|x| { defer! { b(); } x }); Ok(y) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let y = S {} | t?; Ok(y) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } ensure!(c); Ok(1) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let y = g::<u8>()?; Ok(y) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } let y = match x { _ => g() }?; Ok(y) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } 'a: loop { break 'a; } Ok(1) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } fn g() -> u8 { return 1; } Ok(1) }",
    "fn f() -> Result<u32, E> { defer_on_err! { a(); } #[cfg(x)] g()?; Ok(1) }",
    "fn f() -> Result<u32, E> { defer!(async |ret| log(ret)); defer_on_err! { a(); } Ok(1) }",
    "fn f() -> Result<u32, E> { defer!(|ret| return); Ok(1) }",
    "fn f(v: &mut Vec<u8>) -> Result<u32, E> { defer!(|ret| v.clear()); v.push(1); Ok(1) }",
    "fn f() -> Result<impl Debug, E> { defer_on_err! { a(); } Ok(1) }",
    "fn f() { defer_on_err! { a(); } }",
    "async fn f() -> Result<u32, E> { defer_on_err! { a(); } Ok(1) }",
    "#[recover] fn f() -> Result<u32, E> { defer_on_err! { a(); } Ok(1) }",
];

#[test]
fn the_token_level_expansion_of_slot_functions_is_the_full_one() {
    let (taken, left) = compare_on_seeds(SLOT_SEEDS, slot_tokens);
    // Both ways are taken: each seed above the comment, without arguments
    // (with `tracing`, the frames without a slot have one and go to the
    // full expansion).
    let expected = if crate::frame::NEEDS_A_SLOT { 27 } else { 30 };
    assert!(taken == expected && left >= 30, "taken {taken}, left {left}");

    // Random bodies of statements with exits of every kind the token-level
    // expansion takes, and some it does not.
    let mut rng = Rng(0x5107_7013_e4e5_0001);
    let mut taken = 0;
    let mut framed = 0;
    let mut without_slot = 0;
    for _ in 0..3_000 {
        let mut body = String::new();
        for _ in 0..=rng.below(7) {
            body.push_str(match rng.below(30) {
                18 => "let s = S { a: s()?, b: 1 }; ",
                19 => "let t = (x.0?, -g()?, &h()?, !p()?, *q()?); ",
                20 => "let r = a..b?; ",
                21 => "let w = [r()?; 2]; ",
                22 => "k(m::n::o()?.p)?; ",
                23 => "let u = o.ok_or_else(|| e())?.map(|x| x?).unwrap_or(0 | a); ",
                24 => "let u = q.map(move |(x, y)| -> Result<u8, E> { Ok(x? + y) })?; ",
                25 => "let u = a || b(|| c)? && d | e; ",
                26 => "let m = vec![a, 2]; tracing::info!(x = 1, \"{}\", m.len()); ",
                27 => "log::info!(\"x {}\", g()?); ",
                28 => "if a == 0 { return Err(format!(\"{a}\").into()); } ",
                29 => "write!(w, \"{}\", a)?; std::writeln!(w)?; let s = format!(\"{a}\").len(); ",
                0 => "defer! { log(a); } ",
                1 => "defer_on_err! { log(1) } ",
                2 => "defer_on_err! { move { drop(b); } } ",
                3 => "defer!(|ret| c.clear()); ",
                4 => "a += 1; ",
                5 => "let d = g(b)?; ",
                6 => "if a > 3 { return Err(e()); } ",
                7 => "defer_on_err!(|err| log(err, a)); ",
                17 => "let x = s.f()?.g(h()?)?[0]; ",
                8 => "for i in 0..3 { if i == a { return Err(e()); } k(i)?; } ",
                9 => "match a { 0 => return Err(e()), n => { m(n)?; } } ",
                10 => "while let Some(x) = it.next() { p::q(x)?; } ",
                11 => "let y = if c { 1 } else { z()? }; ",
                12 => "println!(\"{c:?}\"); ",
                13 => "let v = w.iter().map(|x| x?).count(); ",
                14 => "unsafe { r(a)?; } ",
                _ => "log(2); ",
            });
        }
        let tail = match rng.below(11) {
            0 => "Ok(a)",
            1 => "return Ok(a);",
            2 => "g(a)?; Ok(a + t()?)",
            3 => "return Err(e())",
            4 => "if a > 1 { Ok(a) } else if c.d { return Err(e()); } else { g()?; Ok(2) }",
            5 => "match a { 0 => Ok(1), 1 => { h()?; Ok(2) } n if n > 5 => return Err(e()), _ => unsafe { Ok(k()?) } }",
            6 => "{ let z = g()?; Ok(z) }",
            7 => "match a { 0 => if c.d { Ok(1) } else { Err(e()) }, _ => match b.x()? { Some(y) => Ok(y), None => { Ok(0) } } }",
            8 => "if let P { x, .. } = c.p { Ok(x?) } else { Err(e()) }",
            9 => "if unsafe { c.ok() } { Ok(a) } else { Err(e()) }",
            _ => "Ok(S { a }.a)",
        };
        let item = tokens(&format!(
            "fn f(mut a: u32, b: B, c: &mut C) -> Result<u32, E> {{ {body} {tail} }}"
        ));
        let same = compare(&TokenStream::new(), &item, slot_tokens);
        taken += usize::from(same);
        // A `defer!` whose action uses `a` before `a += 1`: its frame, in a
        // function with no other use for a slot or with one.
        let out = slot_tokens(&TokenStream::new(), &item).filter(|_| same);
        if let Some(out) = out
            .map(|out| out.to_string())
            .filter(|out| out.contains("__frame"))
        {
            framed += 1;
            without_slot += usize::from(!out.contains("ExitSlot"));
        }
    }
    assert!(taken > 300 && framed > 30, "taken {taken}, framed {framed}");
    // Without `tracing`, whose events read the slot, some frames have none.
    if crate::frame::NEEDS_A_SLOT {
        assert_eq!(without_slot, 0);
    } else {
        assert!(
            without_slot > 10 && framed - without_slot > 10,
            "{without_slot} of {framed}"
        );
    }
}
