//! Short runs of tokens that the expansion splices in many places, kept as
//! trees.
//!
//! Inside the compiler, a `TokenStream` lives on the compiler's side of the
//! proc-macro bridge. Splicing one into the stream being built is a round
//! trip per stream: the trees pushed so far are sent over, then the two
//! streams joined. A tree (an identifier, a punctuation mark) is pushed onto
//! the builder's pending trees instead, and sent with them when its group is
//! made. The runtime's path, the scope and the site appear in every guard.
//! (Callgrind put a third of the attribute's run on a slot function in the
//! compiler's half of the bridge.) Also the one way to append a stream, and
//! the questions the token-level readers ask of a list of trees.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::ToTokens;

/// Tokens held as trees, spliced one tree at a time.
#[derive(Clone, Default)]
pub(crate) struct Trees(Vec<TokenTree>);

impl Trees {
    /// `self::segment`, the added tokens located at `span`, as
    /// `quote_spanned!` writes them.
    pub(crate) fn then(&self, segment: &str, span: Span) -> Trees {
        let mut path = self.clone();
        let mut first = Punct::new(':', Spacing::Joint);
        first.set_span(span);
        let mut second = Punct::new(':', Spacing::Alone);
        second.set_span(span);
        path.0
            .extend([first.into(), second.into(), Ident::new(segment, span).into()]);
        path
    }

    /// `self()`, the parentheses located at `span`.
    pub(crate) fn called(mut self, span: Span) -> Trees {
        let mut arguments = Group::new(Delimiter::Parenthesis, TokenStream::new());
        arguments.set_span(span);
        self.0.push(arguments.into());
        self
    }

    /// `receiver.method()`, the added tokens located at `span`, as
    /// `quote_spanned!` writes them.
    pub(crate) fn method_call(receiver: &Ident, method: &str, span: Span) -> Trees {
        let mut dot = Punct::new('.', Spacing::Alone);
        dot.set_span(span);
        Trees(vec![
            receiver.clone().into(),
            dot.into(),
            Ident::new(method, span).into(),
        ])
        .called(span)
    }

    /// The trees, in order.
    pub(crate) fn iter(&self) -> std::slice::Iter<'_, TokenTree> {
        self.0.iter()
    }

    /// The trees, to push onto a list of trees.
    pub(crate) fn into_trees(self) -> Vec<TokenTree> {
        self.0
    }

    /// The same tokens, located at `span`; their hygiene is unchanged.
    pub(crate) fn located_at(&self, span: Span) -> Trees {
        self.0.iter().map(|token| relocated(token, span)).collect()
    }
}

/// `token`, located at `span`, with its hygiene unchanged.
fn relocated(token: &TokenTree, span: Span) -> TokenTree {
    let mut moved = if let TokenTree::Group(group) = token {
        let stream = group
            .stream()
            .into_iter()
            .map(|token| relocated(&token, span))
            .collect();
        TokenTree::Group(Group::new(group.delimiter(), stream))
    } else {
        token.clone()
    };
    moved.set_span(token.span().located_at(span));
    moved
}

impl FromIterator<TokenTree> for Trees {
    fn from_iter<I: IntoIterator<Item = TokenTree>>(trees: I) -> Self {
        Trees(trees.into_iter().collect())
    }
}

impl From<TokenStream> for Trees {
    fn from(stream: TokenStream) -> Self {
        stream.into_iter().collect()
    }
}

impl ToTokens for Trees {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(self.0.iter().cloned());
    }
}

impl Extend<TokenTree> for Trees {
    fn extend<I: IntoIterator<Item = TokenTree>>(&mut self, trees: I) {
        self.0.extend(trees);
    }
}

/// Appends `stream` to `out` as one stream. Inside the compiler, the
/// streams are joined on its side of the bridge; extending `out` with the
/// stream's trees would bring each tree over and send it back.
pub(crate) fn splice(out: &mut TokenStream, stream: TokenStream) {
    out.extend(std::iter::once(stream));
}

/// Whether `tokens[at]` is the punctuation `c`.
pub(crate) fn is_punct(tokens: &[TokenTree], at: usize, c: char) -> bool {
    matches!(tokens.get(at), Some(TokenTree::Punct(punct)) if punct.as_char() == c)
}

/// Whether `tokens[at]` and `tokens[at + 1]` are `::`.
pub(crate) fn is_path_separator(tokens: &[TokenTree], at: usize) -> bool {
    matches!(
        (tokens.get(at), tokens.get(at + 1)),
        (Some(TokenTree::Punct(first)), Some(TokenTree::Punct(second)))
            if first.as_char() == ':' && first.spacing() == Spacing::Joint && second.as_char() == ':'
    )
}

/// Words that cannot be the last segment of a postfix chain or a macro's
/// path: after one of these, `!` is a negation and `(…)` a parenthesised
/// operand.
const KEYWORDS: &[&str] = &[
    "as", "box", "break", "continue", "else", "for", "if", "in", "let", "loop", "match", "move", "mut",
    "ref", "return", "unsafe", "where", "while",
];

/// Whether `ident` is one of [`KEYWORDS`].
pub(crate) fn is_keyword(ident: &Ident) -> bool {
    let text = ident.to_string();
    KEYWORDS.contains(&text.as_str())
}

/// Whether `tokens[at]`, a word, is the name of a macro being invoked.
pub(crate) fn is_macro_call(tokens: &[TokenTree], at: usize) -> bool {
    let (TokenTree::Ident(name), Some(TokenTree::Punct(bang)), Some(TokenTree::Group(_))) =
        (&tokens[at], tokens.get(at + 1), tokens.get(at + 2))
    else {
        return false;
    };
    bang.as_char() == '!' && bang.spacing() == Spacing::Alone && !is_keyword(name)
}
