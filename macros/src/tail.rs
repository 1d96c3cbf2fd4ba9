//! Storing the body's final value in the exit slot.
//!
//! The value is stored where it is computed: when the tail of the body is a
//! block, an `if`/`else` or a `match`, the store goes into the tail of that
//! block, of each branch, of each arm (the rewriter walks there). The
//! deferred actions of those inner blocks then run after the value is
//! stored, so that a `defer_on_err!` written in the branch that returns
//! `Err` sees it:
//!
//! ```text
//! if missing {
//!     defer_on_err! { rollback() }   // runs: the function returns this Err
//!     Err(NotFound)
//! } else { … }
//! ```

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use syn::{Attribute, Expr, Stmt};

use crate::return_type::ReturnType;
use crate::slot::store;

/// Stores the value of a block that is (or whose value becomes) the body's:
/// the stores the rewriter puts at the ends of such blocks.
pub(crate) struct Tail<'a> {
    pub(crate) exit: &'a Ident,
    pub(crate) ret: &'a ReturnType,
}

impl Tail<'_> {
    /// Stores the `()` of a unit function whose last statement is not an
    /// expression. That statement may diverge (`panic!(…);`, `return;`),
    /// which makes the store unreachable: not the user's code to warn about,
    /// and `()` needs no type to coerce to.
    /// (Statements of the user's block, not a block of their own: the first
    /// unreachable statement is the one warned about, so it must be the one
    /// that allows it.)
    pub(crate) fn store_unit(&self, stmts: &mut Vec<Stmt>) {
        let seen = Ident::new("__seen", Span::mixed_site());
        let store = store(self.exit, &quote!(()), Span::mixed_site());
        stmts.push(Stmt::Item(syn::Item::Verbatim(quote! {
            #[allow(unreachable_code)]
            let #seen = #store;
        })));
        stmts.push(Stmt::Expr(Expr::Verbatim(quote!(#seen)), None));
    }

    /// Stores one value and yields the proof.
    ///
    /// The value is first bound with the return type as its annotation, so
    /// that it is checked and coerced (`Box<T>` to `Box<dyn Trait>`) exactly
    /// as a tail expression is, with "expected due to this" pointing at the
    /// user's return type. A type with `impl Trait` cannot be written there;
    /// its value goes straight into the slot, whose type gives a returned
    /// closure its signature. The value may diverge (`loop {}`, `panic!()`),
    /// which makes the store unreachable: not the user's code to warn about.
    pub(crate) fn store_leaf(&self, attrs: &[Attribute], value: &TokenStream) -> TokenStream {
        let exit = self.exit;
        let seen = Ident::new("__seen", Span::mixed_site());
        if self.ret.has_impl_trait {
            let store = store(exit, value, Span::mixed_site());
            quote!({
                #(#attrs)*
                #[allow(unreachable_code)]
                let #seen = #store;
                #seen
            })
        } else {
            let value = crate::coerce::typed_place(value);
            let store = store(exit, &value, Span::mixed_site());
            quote!({
                #(#attrs)*
                #[allow(unreachable_code)]
                let #seen = #store;
                #seen
            })
        }
    }
}

pub(crate) fn starts_with_return(tokens: &TokenStream) -> bool {
    matches!(tokens.clone().into_iter().next(), Some(proc_macro2::TokenTree::Ident(ident)) if ident == "return")
}

/// Outer attributes of an expression, taken off it: an attribute allowed on
/// a tail expression (`#[allow(…)] { … }`) is not allowed on the initializer
/// of the `let` the expression moves into, so it goes on the `let`.
pub(crate) fn take_attrs(expr: &mut Expr) -> Vec<Attribute> {
    let attrs = match expr {
        Expr::Array(e) => &mut e.attrs,
        Expr::Assign(e) => &mut e.attrs,
        Expr::Async(e) => &mut e.attrs,
        Expr::Await(e) => &mut e.attrs,
        Expr::Binary(e) => &mut e.attrs,
        Expr::Block(e) => &mut e.attrs,
        Expr::Call(e) => &mut e.attrs,
        Expr::Cast(e) => &mut e.attrs,
        Expr::Closure(e) => &mut e.attrs,
        Expr::Const(e) => &mut e.attrs,
        Expr::Field(e) => &mut e.attrs,
        Expr::ForLoop(e) => &mut e.attrs,
        Expr::If(e) => &mut e.attrs,
        Expr::Index(e) => &mut e.attrs,
        Expr::Lit(e) => &mut e.attrs,
        Expr::Loop(e) => &mut e.attrs,
        Expr::Macro(e) => &mut e.attrs,
        Expr::Match(e) => &mut e.attrs,
        Expr::MethodCall(e) => &mut e.attrs,
        Expr::Paren(e) => &mut e.attrs,
        Expr::Path(e) => &mut e.attrs,
        Expr::Reference(e) => &mut e.attrs,
        Expr::Struct(e) => &mut e.attrs,
        Expr::Try(e) => &mut e.attrs,
        Expr::Tuple(e) => &mut e.attrs,
        Expr::Unary(e) => &mut e.attrs,
        Expr::Unsafe(e) => &mut e.attrs,
        Expr::While(e) => &mut e.attrs,
        _ => return Vec::new(),
    };
    std::mem::take(attrs)
}
