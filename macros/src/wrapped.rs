//! Finding the user's body when another attribute expanded first and moved
//! it into a future.
//!
//! Attributes expand outside-in, so an attribute written above ours (or, for
//! `#[async_trait]`, on the enclosing `impl` or `trait`) hands us its
//! expansion, not the user's function:
//!
//! - `#[tracing::instrument]` on an `async fn` moves the body into
//!   `let __tracing_instrument_future = async move { …; { BODY } };` and
//!   awaits that future, instrumented; with `err` or `ret`, the future's
//!   last statement is `match async move { …; { BODY } }.await { … }`;
//! - `#[tracing::instrument(err)]` (or `ret`) on a synchronous function
//!   moves it into a closure it calls and matches on:
//!   `match (move || { if false { …__tracing_attr_fake_return… } { BODY } })() { … }`;
//! - `#[async_trait]` turns `async fn` into a plain `fn` returning
//!   `Pin<Box<dyn Future>>` whose body is
//!   `Box::pin(async move { …; let __ret: R = BODY; __ret })`;
//! - `#[tokio::main]` and `#[tokio::test]` turn `async fn` into a plain `fn`
//!   that starts with `let body = async BODY;` and ends in a block that
//!   returns `runtime.block_on(body)`.
//!
//! The user's `BODY` is then what the expansion treats as the function's
//! body (an `async fn`'s, but for the closure), with the output type those
//! attributes give it. (Synchronous `#[tracing::instrument]` without `err`
//! or `ret` needs nothing: its body's value is the tail of nested blocks,
//! which the tail store reaches.)

use quote::ToTokens;
use syn::{Block, Expr, Pat, Stmt, Type};

/// Where the user's body is.
pub(crate) enum Located {
    /// The function's own block.
    Function,
    /// The last statement of the async block of `#[tracing::instrument]`,
    /// found at this statement of the function.
    Instrumented { stmt: usize },
    /// The initializer of `let __ret` in the async block of `#[async_trait]`,
    /// found at this statement of that block, with the type of `__ret`
    /// (none for `let _: () = …`).
    AsyncTrait { stmt: usize, output: Option<Box<Type>> },
    /// The block of `let body = async BODY;` at this statement of a function
    /// that `#[tokio::main]` or `#[tokio::test]` made synchronous; the
    /// function keeps its return type.
    Tokio { stmt: usize },
    /// The last block of the closure that `#[tracing::instrument(err)]`
    /// calls in the `match` at this statement of a synchronous function.
    InstrumentedClosure { stmt: usize },
}

impl Located {
    pub(crate) fn find(block: &Block, is_async: bool) -> Self {
        if is_async {
            if let Some(stmt) = instrumented(block) {
                return Located::Instrumented { stmt };
            }
        } else if let Some((stmt, output)) = async_trait(block) {
            return Located::AsyncTrait { stmt, output };
        } else if let Some(stmt) = tokio(block) {
            return Located::Tokio { stmt };
        } else if let Some(stmt) = instrumented_closure(block) {
            return Located::InstrumentedClosure { stmt };
        }
        Located::Function
    }

    /// The user's body inside `block` (the function's block).
    pub(crate) fn body<'a>(&self, block: &'a mut Block) -> &'a mut Block {
        match self {
            Located::Function => block,
            Located::Instrumented { stmt } => {
                let Some(Stmt::Local(local)) = block.stmts.get_mut(*stmt) else {
                    unreachable!("checked by `find`")
                };
                let Some(Expr::Async(future)) = local.init.as_mut().map(|init| &mut *init.expr) else {
                    unreachable!("checked by `find`")
                };
                let Some(body) = instrumented_body(&mut future.block) else {
                    unreachable!("checked by `find`")
                };
                body
            }
            Located::Tokio { stmt } => {
                let Some(Stmt::Local(local)) = block.stmts.get_mut(*stmt) else {
                    unreachable!("checked by `find`")
                };
                let Some(Expr::Async(future)) = local.init.as_mut().map(|init| &mut *init.expr) else {
                    unreachable!("checked by `find`")
                };
                &mut future.block
            }
            Located::InstrumentedClosure { stmt } => {
                let Some(closure) = block.stmts.get_mut(*stmt).and_then(called_closure) else {
                    unreachable!("checked by `find`")
                };
                let Expr::Block(closure_block) = &mut *closure.body else {
                    unreachable!("checked by `find`")
                };
                let Some(Stmt::Expr(Expr::Block(body), None)) = closure_block.block.stmts.last_mut() else {
                    unreachable!("checked by `find`")
                };
                &mut body.block
            }
            Located::AsyncTrait { stmt, .. } => {
                let Some(Stmt::Expr(Expr::Call(call), None)) = block.stmts.last_mut() else {
                    unreachable!("checked by `find`")
                };
                let Some(Expr::Async(future)) = call.args.first_mut() else {
                    unreachable!("checked by `find`")
                };
                let Some(Stmt::Local(local)) = future.block.stmts.get_mut(*stmt) else {
                    unreachable!("checked by `find`")
                };
                let Some(Expr::Block(body)) = local.init.as_mut().map(|init| &mut *init.expr) else {
                    unreachable!("checked by `find`")
                };
                &mut body.block
            }
        }
    }

    /// Whether the body runs inside a future.
    pub(crate) fn is_async(&self, fn_is_async: bool) -> bool {
        fn_is_async || !matches!(self, Located::Function | Located::InstrumentedClosure { .. })
    }
}

/// `let __tracing_instrument_future = async move { …; { BODY } };`
fn instrumented(block: &Block) -> Option<usize> {
    block.stmts.iter().position(|stmt| {
        let Stmt::Local(local) = stmt else { return false };
        let Pat::Ident(binding) = &local.pat else {
            return false;
        };
        if binding.ident != "__tracing_instrument_future" {
            return false;
        }
        let Some(Expr::Async(future)) = local.init.as_ref().map(|init| &*init.expr) else {
            return false;
        };
        // Checked on a copy: the search below needs a mutable block.
        syn::parse2::<Block>(future.block.to_token_stream())
            .is_ok_and(|mut copy| instrumented_body(&mut copy).is_some())
    })
}

/// In the future of `#[tracing::instrument]`: its last block, or with `err`
/// or `ret` the last block of the future it matches on.
fn instrumented_body(future: &mut Block) -> Option<&mut Block> {
    match future.stmts.last_mut()? {
        Stmt::Expr(Expr::Block(body), None) if body.label.is_none() => Some(&mut body.block),
        Stmt::Expr(Expr::Match(matched), None) => {
            let Expr::Await(awaited) = &mut *matched.expr else {
                return None;
            };
            let Expr::Async(inner) = &mut *awaited.base else {
                return None;
            };
            let [marker, Stmt::Expr(Expr::Block(body), None)] = &mut inner.block.stmts[..] else {
                return None;
            };
            let is_tracings = marker
                .to_token_stream()
                .to_string()
                .contains("__tracing_attr_fake_return");
            (is_tracings && body.label.is_none()).then_some(&mut body.block)
        }
        _ => None,
    }
}

/// `match (move || { if false { …__tracing_attr_fake_return… } { BODY } })() { … }`:
/// the statement's index.
fn instrumented_closure(block: &Block) -> Option<usize> {
    let stmt = block.stmts.len().checked_sub(1)?;
    let closure = called_closure_ref(&block.stmts[stmt])?;
    let Expr::Block(closure_block) = &*closure.body else {
        return None;
    };
    let [marker, Stmt::Expr(Expr::Block(body), None)] = &closure_block.block.stmts[..] else {
        return None;
    };
    let is_tracings = marker
        .to_token_stream()
        .to_string()
        .contains("__tracing_attr_fake_return");
    (is_tracings && body.label.is_none()).then_some(stmt)
}

/// The closure of `match (move || { … })() { … }`.
fn called_closure_ref(stmt: &Stmt) -> Option<&syn::ExprClosure> {
    let Stmt::Expr(Expr::Match(matched), None) = stmt else {
        return None;
    };
    let Expr::Call(call) = &*matched.expr else {
        return None;
    };
    let Expr::Paren(paren) = &*call.func else {
        return None;
    };
    match &*paren.expr {
        Expr::Closure(closure) if call.args.is_empty() => Some(closure),
        _ => None,
    }
}

/// [`called_closure_ref`], mutably.
fn called_closure(stmt: &mut Stmt) -> Option<&mut syn::ExprClosure> {
    let Stmt::Expr(Expr::Match(matched), None) = stmt else {
        return None;
    };
    let Expr::Call(call) = &mut *matched.expr else {
        return None;
    };
    let Expr::Paren(paren) = &mut *call.func else {
        return None;
    };
    match &mut *paren.expr {
        Expr::Closure(closure) => Some(closure),
        _ => None,
    }
}

/// `Box::pin(async move { …; let __ret: R = BODY; __ret })`, or
/// `let _: () = BODY;` for a unit method.
fn async_trait(block: &Block) -> Option<(usize, Option<Box<Type>>)> {
    let [Stmt::Expr(Expr::Call(call), None)] = &block.stmts[..] else {
        return None;
    };
    let Expr::Path(function) = &*call.func else {
        return None;
    };
    if function.path.segments.last()?.ident != "pin" || call.args.len() != 1 {
        return None;
    }
    let Expr::Async(future) = call.args.first()? else {
        return None;
    };
    future.block.stmts.iter().enumerate().find_map(|(index, stmt)| {
        let Stmt::Local(local) = stmt else { return None };
        let Pat::Type(typed) = &local.pat else { return None };
        let named_ret = matches!(&*typed.pat, Pat::Ident(binding) if binding.ident == "__ret");
        let unit =
            matches!(&*typed.pat, Pat::Wild(_)) && matches!(&*typed.ty, Type::Tuple(t) if t.elems.is_empty());
        if !named_ret && !unit {
            return None;
        }
        if !matches!(local.init.as_ref().map(|init| &*init.expr), Some(Expr::Block(_))) {
            return None;
        }
        let output = if unit {
            None
        } else {
            // A copy through tokens: this crate does not enable `Clone` in
            // syn, which costs every user compile time.
            Some(Box::new(syn::parse2(typed.ty.to_token_stream()).ok()?))
        };
        Some((index, output))
    })
}

/// `let body = async BODY;` in a function whose last statement is a block
/// ending in `return ….block_on(body);`: nothing else is taken for the body
/// of a tokio entry point, so a user's own `let body = async { … }` is left
/// alone.
fn tokio(block: &Block) -> Option<usize> {
    let Some(Stmt::Expr(Expr::Block(last), None)) = block.stmts.last() else {
        return None;
    };
    let Some(Stmt::Expr(Expr::Return(ret), _)) = last.block.stmts.last() else {
        return None;
    };
    let Some(Expr::MethodCall(call)) = ret.expr.as_deref() else {
        return None;
    };
    let blocks_on_body = call.method == "block_on"
        && matches!(&call.args.first(), Some(Expr::Path(arg)) if arg.path.is_ident("body"));
    if !blocks_on_body {
        return None;
    }
    block.stmts.iter().position(|stmt| {
        let Stmt::Local(local) = stmt else { return false };
        let Pat::Ident(binding) = &local.pat else {
            return false;
        };
        binding.ident == "body"
            && matches!(
                local.init.as_ref().map(|init| &*init.expr),
                Some(Expr::Async(future)) if future.capture.is_none()
            )
    })
}
