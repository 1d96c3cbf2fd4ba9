//! The function's own `return`s.

use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ExprReturn};

/// Calls `each` on every `return value` of the function's own body, inner
/// returns first; the `return`s of its closures, async blocks, `const`
/// blocks and nested items are theirs, and left alone.
pub(crate) fn for_each_own_return(block: &mut Block, each: impl FnMut(&mut ExprReturn)) {
    OwnReturns(each).visit_block_mut(block);
}

struct OwnReturns<F>(F);

impl<F: FnMut(&mut ExprReturn)> VisitMut for OwnReturns<F> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Closure(_) | Expr::Async(_) | Expr::Const(_) => {}
            Expr::Return(ret) => {
                if let Some(value) = &mut ret.expr {
                    self.visit_expr_mut(value);
                }
                (self.0)(ret);
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_item_mut(&mut self, _item: &mut syn::Item) {}
}
