//! Closures returned as `impl Fn(…)`.
//!
//! rustc gives a closure that is returned as `impl Fn(&str) -> usize` the
//! parameter types of that bound, so `|s| s.len()` compiles. Once the body
//! runs inside the exit slot's closure or the boundary's closure, the value
//! reaches the function's return type only after the closure was checked,
//! and a parameter used in a method call has no type yet. The expansion
//! writes the bound's parameter types onto the untyped parameters of every
//! closure the body returns: what rustc would have inferred.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{Block, Expr, Pat, PathArguments, Stmt, Type, TypeParamBound};

/// Annotates the closures `block` returns when `output` is `impl Fn…(…)`.
pub(crate) fn annotate(block: &mut Block, output: Option<&Type>) {
    let Some(inputs) = output.and_then(fn_bound_inputs) else {
        return;
    };
    let mut returns = ReturnedValues { inputs };
    crate::own_returns::for_each_own_return(block, |ret| {
        if let Some(value) = &mut ret.expr {
            returns.value(value);
        }
    });
    returns.tail_of(&mut block.stmts);
}

/// The parameter types of the `Fn`, `FnMut` or `FnOnce` bound of an
/// `impl Trait` type; none under a `for<'a>` binder, whose lifetimes the
/// closure cannot name.
fn fn_bound_inputs(ty: &Type) -> Option<Vec<TokenStream>> {
    let bounds = match ty {
        Type::ImplTrait(impl_trait) => &impl_trait.bounds,
        Type::Paren(inner) => return fn_bound_inputs(&inner.elem),
        Type::Group(inner) => return fn_bound_inputs(&inner.elem),
        _ => return None,
    };
    bounds.iter().find_map(|bound| {
        let TypeParamBound::Trait(bound) = bound else {
            return None;
        };
        if bound.lifetimes.is_some() {
            return None;
        }
        let last = bound.path.segments.last()?;
        let is_fn = last.ident == "Fn" || last.ident == "FnMut" || last.ident == "FnOnce";
        match &last.arguments {
            PathArguments::Parenthesized(arguments) if is_fn => {
                Some(arguments.inputs.iter().map(ToTokens::to_token_stream).collect())
            }
            _ => None,
        }
    })
}

struct ReturnedValues {
    inputs: Vec<TokenStream>,
}

impl ReturnedValues {
    /// The value of a block: its tail, or the tails of the branches it ends in.
    fn tail_of(&mut self, stmts: &mut [Stmt]) {
        if let Some(Stmt::Expr(tail, None)) = stmts.last_mut() {
            self.value(tail);
        }
    }

    fn value(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(closure) => self.annotate(closure),
            Expr::Paren(inner) => self.value(&mut inner.expr),
            Expr::Block(block) if block.label.is_none() => self.tail_of(&mut block.block.stmts),
            Expr::Unsafe(block) => self.tail_of(&mut block.block.stmts),
            Expr::If(if_) => {
                self.tail_of(&mut if_.then_branch.stmts);
                if let Some((_, otherwise)) = &mut if_.else_branch {
                    self.value(otherwise);
                }
            }
            Expr::Match(match_) => {
                for arm in &mut match_.arms {
                    self.value(&mut arm.body);
                }
            }
            _ => {}
        }
    }

    fn annotate(&self, closure: &mut syn::ExprClosure) {
        if closure.inputs.len() != self.inputs.len() || closure.asyncness.is_some() {
            return;
        }
        for (input, ty) in closure.inputs.iter_mut().zip(&self.inputs) {
            if matches!(input, Pat::Type(_)) {
                continue;
            }
            *input = Pat::Verbatim(quote!(#input: #ty));
        }
    }
}
