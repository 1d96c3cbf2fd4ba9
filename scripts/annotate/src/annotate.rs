//! Where the attributes and deferred statements go in one parsed file: a list
//! of insertions at byte offsets of the original text.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::visit::{self, Visit};
use syn::{
    AttrStyle, Attribute, Block, GenericArgument, ImplItemFn, ItemFn, PathArguments, ReturnType, Signature,
    TraitItemFn, Type, Visibility,
};

/// What to put on each function.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// `#[defer_on_exit]` and an empty `defer! {}`: in a synchronous
    /// function, the attribute's token-level path.
    Defer,
    /// `#[defer_on_exit]` and a hook that reads the return value.
    Hook,
    /// `Hook`, plus an empty `defer_on_err!` where the return type can fail.
    HookErr,
    /// `#[recover(with = |p| p.resume())]`: re-raises every panic.
    Recover,
    /// `HookErr` and `Recover` together.
    Both,
}

impl Mode {
    pub fn parse(name: &str) -> Option<Mode> {
        match name {
            "defer" => Some(Mode::Defer),
            "hook" => Some(Mode::Hook),
            "hook_err" => Some(Mode::HookErr),
            "recover" => Some(Mode::Recover),
            "both" => Some(Mode::Both),
            _ => None,
        }
    }

    fn defers(self) -> bool {
        matches!(self, Mode::Defer | Mode::Hook | Mode::HookErr | Mode::Both)
    }

    fn on_err(self) -> bool {
        matches!(self, Mode::HookErr | Mode::Both)
    }

    fn recover(self) -> bool {
        matches!(self, Mode::Recover | Mode::Both)
    }
}

const RECOVER: &str = "#[::epilogue::recover(with = |p| p.resume())] ";
const DEFER_ON_EXIT: &str = "#[::epilogue::defer_on_exit] ";
const HOOK: &str = " defer!(|ret| { let _ = &ret; });";
const ON_ERR: &str = " defer_on_err! {}";
/// A function returning `!` cannot have a hook: it gets a plain action.
const PLAIN_DEFER: &str = " defer! {}";

/// Counts over every file, for the summary line.
#[derive(Default, Debug)]
pub struct Tally {
    pub annotated: usize,
    pub with_on_err: usize,
    pub never_returning: usize,
    pub const_fn: usize,
    pub no_body: usize,
    pub already_annotated: usize,
    pub in_macros: usize,
}

/// `text` to insert at byte offset `at` of the original source.
#[derive(Debug)]
pub struct Insertion {
    pub at: usize,
    pub text: String,
}

/// The insertions that annotate every function of `file`.
pub fn insertions(source: &str, file: &syn::File, mode: Mode, tally: &mut Tally) -> Vec<Insertion> {
    let mut finder = Finder {
        source,
        mode,
        tally,
        insertions: Vec::new(),
    };
    finder.visit_file(file);
    finder.insertions
}

/// The byte offset just after the file's inner attributes (`#![…]`, `//!`),
/// where an `extern crate` item may go.
pub fn after_inner_attributes(source: &str, file: &syn::File) -> usize {
    inner_attributes_end(source, &file.attrs).unwrap_or(0)
}

/// Where the last inner attribute among `attrs` ends: for a `//!` comment,
/// the start of the next line, so that inserted code is not commented out.
fn inner_attributes_end(source: &str, attrs: &[Attribute]) -> Option<usize> {
    attrs
        .iter()
        .filter(|attr| matches!(attr.style, AttrStyle::Inner(_)))
        .map(|attr| {
            let end = end(attr.bracket_token.span.close());
            if source[start(attr.pound_token.span)..].starts_with("//") {
                source[end..]
                    .find('\n')
                    .map_or(source.len(), |newline| end + newline + 1)
            } else {
                end
            }
        })
        .max()
}

/// One function, whichever kind of item it is.
struct Function<'a> {
    attrs: &'a [Attribute],
    /// Byte offset of the first token after the outer attributes.
    start: usize,
    sig: &'a Signature,
    body: Option<&'a Block>,
}

struct Finder<'t> {
    source: &'t str,
    mode: Mode,
    tally: &'t mut Tally,
    insertions: Vec<Insertion>,
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_item_fn(&mut self, item: &'ast ItemFn) {
        self.annotate(&Function {
            attrs: &item.attrs,
            start: first_token(Some(&item.vis), None, &item.sig),
            sig: &item.sig,
            body: Some(&item.block),
        });
        visit::visit_item_fn(self, item);
    }

    fn visit_impl_item_fn(&mut self, item: &'ast ImplItemFn) {
        let defaultness = item.defaultness.as_ref().map(|token| token.span);
        self.annotate(&Function {
            attrs: &item.attrs,
            start: first_token(Some(&item.vis), defaultness, &item.sig),
            sig: &item.sig,
            body: Some(&item.block),
        });
        visit::visit_impl_item_fn(self, item);
    }

    fn visit_trait_item_fn(&mut self, item: &'ast TraitItemFn) {
        self.annotate(&Function {
            attrs: &item.attrs,
            start: first_token(None, None, &item.sig),
            sig: &item.sig,
            body: item.default.as_ref(),
        });
        visit::visit_trait_item_fn(self, item);
    }

    fn visit_foreign_item_fn(&mut self, item: &'ast syn::ForeignItemFn) {
        self.tally.no_body += 1;
        visit::visit_foreign_item_fn(self, item);
    }

    /// Macro invocations and `macro_rules!` bodies are token soup to syn:
    /// their functions are counted, not annotated.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.tally.in_macros += count_fns(mac.tokens.clone());
        visit::visit_macro(self, mac);
    }
}

impl Finder<'_> {
    fn annotate(&mut self, function: &Function<'_>) {
        if function.sig.constness.is_some() {
            self.tally.const_fn += 1;
            return;
        }
        let Some(body) = function.body else {
            self.tally.no_body += 1;
            return;
        };
        if function.attrs.iter().any(is_epilogue_attribute) {
            self.tally.already_annotated += 1;
            return;
        }
        self.tally.annotated += 1;
        let mut attributes = String::new();
        if self.mode.recover() {
            attributes.push_str(RECOVER);
        }
        if self.mode.defers() {
            attributes.push_str(DEFER_ON_EXIT);
            let statements = self.deferred_statements(&function.sig.output);
            self.insert(body_start(self.source, function.attrs, body), statements);
        }
        self.insert(function.start, attributes);
    }

    /// What goes first in the body of a function returning `output`.
    fn deferred_statements(&mut self, output: &ReturnType) -> String {
        if self.mode == Mode::Defer {
            return PLAIN_DEFER.to_owned();
        }
        match returns(output) {
            Returns::Never => {
                self.tally.never_returning += 1;
                PLAIN_DEFER.to_owned()
            }
            Returns::CanFail if self.mode.on_err() => {
                self.tally.with_on_err += 1;
                format!("{HOOK}{ON_ERR}")
            }
            Returns::CanFail | Returns::Other => HOOK.to_owned(),
        }
    }

    fn insert(&mut self, at: usize, text: String) {
        self.insertions.push(Insertion { at, text });
    }
}

/// What the return type says about the function's exits.
enum Returns {
    /// `-> !`: no hook can run.
    Never,
    /// `Result`, `Option` and the `Poll` types `?` works in: `defer_on_err!` compiles.
    CanFail,
    Other,
}

fn returns(output: &ReturnType) -> Returns {
    match output {
        ReturnType::Type(_, ty) if matches!(peel(ty), Type::Never(_)) => Returns::Never,
        ReturnType::Type(_, ty) if can_fail(ty) => Returns::CanFail,
        _ => Returns::Other,
    }
}

/// `Result<..>` or any other path ending in `Result` (`io::Result<T>`,
/// `fmt::Result`, a crate's own `Result<T>` alias), `Option<..>`,
/// `Poll<Result<..>>`, `Poll<Option<Result<..>>>`. Only the last segment's
/// name is compared: `TestResult` or `ParseResult` may be anything.
fn can_fail(ty: &Type) -> bool {
    match last_segment(ty) {
        Some((name, _)) if name == "Result" || name == "Option" => true,
        Some((name, args)) if name == "Poll" => {
            first_type_argument(args).is_some_and(|inner| is_result(inner) || is_option_of_result(inner))
        }
        _ => false,
    }
}

fn is_result(ty: &Type) -> bool {
    last_segment(ty).is_some_and(|(name, _)| name == "Result")
}

fn is_option_of_result(ty: &Type) -> bool {
    match last_segment(ty) {
        Some((name, args)) if name == "Option" => first_type_argument(args).is_some_and(is_result),
        _ => false,
    }
}

/// The name and generic arguments of the last segment of a path type.
fn last_segment(ty: &Type) -> Option<(String, &PathArguments)> {
    match peel(ty) {
        Type::Path(path) if path.qself.is_none() => {
            let segment = path.path.segments.last()?;
            Some((segment.ident.to_string(), &segment.arguments))
        }
        _ => None,
    }
}

fn first_type_argument(args: &PathArguments) -> Option<&Type> {
    let PathArguments::AngleBracketed(args) = args else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        GenericArgument::Type(ty) => Some(ty),
        _ => None,
    })
}

fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Paren(inner) => peel(&inner.elem),
        Type::Group(inner) => peel(&inner.elem),
        other => other,
    }
}

/// `#[defer_on_exit]`, `#[recover]`, or anything under `epilogue::`.
fn is_epilogue_attribute(attr: &Attribute) -> bool {
    let segments = &attr.path().segments;
    segments.iter().any(|segment| segment.ident == "epilogue")
        || segments
            .last()
            .is_some_and(|last| last.ident == "defer_on_exit" || last.ident == "recover")
}

/// The byte offset of the first token of a function after its outer
/// attributes: visibility, `default`, `async`, `unsafe`, `extern`, `fn`.
fn first_token(vis: Option<&Visibility>, defaultness: Option<Span>, sig: &Signature) -> usize {
    let vis = vis.and_then(|vis| match vis {
        Visibility::Public(token) => Some(token.span),
        Visibility::Restricted(restricted) => Some(restricted.pub_token.span),
        Visibility::Inherited => None,
    });
    [
        vis,
        defaultness,
        sig.asyncness.as_ref().map(|token| token.span),
        sig.unsafety.as_ref().map(|token| token.span),
        sig.abi.as_ref().map(|abi| abi.extern_token.span),
        Some(sig.fn_token.span),
    ]
    .into_iter()
    .flatten()
    .map(start)
    .min()
    .expect("a function has a `fn` token")
}

/// Where the first statement of the body goes: after the `{` and after any
/// inner attributes of the body (syn moves those into the function's attributes).
fn body_start(source: &str, attrs: &[Attribute], body: &Block) -> usize {
    let brace = end(body.brace_token.span.open());
    inner_attributes_end(source, attrs).map_or(brace, |attrs_end| attrs_end.max(brace))
}

/// `fn` keywords not followed by `(` (which would be a function pointer
/// type), however deeply nested: `fn name` and `fn $name` alike.
fn count_fns(tokens: TokenStream) -> usize {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut count = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Ident(ident) if ident == "fn" => {
                let pointer = matches!(
                    tokens.get(i + 1),
                    Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis
                );
                count += usize::from(!pointer);
            }
            TokenTree::Group(group) => count += count_fns(group.stream()),
            _ => {}
        }
    }
    count
}

fn start(span: Span) -> usize {
    span.byte_range().start
}

fn end(span: Span) -> usize {
    span.byte_range().end
}
