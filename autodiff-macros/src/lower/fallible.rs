//! Fallible functions (`-> Result<T, E>`, `-> Option<T>`): the body rewritten to compute the
//! float it succeeds with. `Ok(v)` / `Some(v)` become `v`; an early `Err(e)` / `None` becomes
//! `__fail!(Err(e))`, which leaves `NAME_adjoint` with that error before the reverse sweep
//! (lowering reads it as a diverging statement, like `unreachable!()`).

use syn::visit_mut::VisitMut;
use syn::{Expr, Stmt};

/// The statements with every success unwrapped and every failure a `__fail!`.
pub fn unwrap_successes(stmts: &[Stmt]) -> Vec<Stmt> {
    let mut block = syn::Block {
        brace_token: Default::default(),
        stmts: stmts.to_vec(),
    };
    Outcomes.visit_block_mut(&mut block);
    if let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() {
        tail_outcome(tail);
    }
    block.stmts
}

/// `Ok(v)`/`Some(v)`: the value; `Err(e)`/`None`: a failure.
enum Outcome {
    Success(Expr),
    Failure,
}

fn outcome(expr: &Expr) -> Option<Outcome> {
    match expr {
        Expr::Call(c) if c.args.len() == 1 => {
            let Expr::Path(p) = &*c.func else { return None };
            let last = p.path.segments.last()?.ident.to_string();
            match last.as_str() {
                "Ok" | "Some" => c.args.first().cloned().map(Outcome::Success),
                "Err" => Some(Outcome::Failure),
                _ => None,
            }
        }
        Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "None") => {
            Some(Outcome::Failure)
        }
        _ => None,
    }
}

fn fail(failure: &Expr) -> Expr {
    syn::parse_quote!(::autodiff::__fail!(#failure))
}

/// Rewrites the outcome that `expr` ends with, through `if`, `match` and blocks.
fn tail_outcome(expr: &mut Expr) {
    match outcome(expr) {
        Some(Outcome::Success(value)) => *expr = value,
        Some(Outcome::Failure) => *expr = fail(expr),
        None => match expr {
            Expr::If(i) => {
                if let Some(Stmt::Expr(tail, None)) = i.then_branch.stmts.last_mut() {
                    tail_outcome(tail);
                }
                if let Some((_, else_branch)) = &mut i.else_branch {
                    tail_outcome(else_branch);
                }
            }
            Expr::Match(m) => m
                .arms
                .iter_mut()
                .for_each(|arm| tail_outcome(&mut arm.body)),
            Expr::Block(b) => {
                if let Some(Stmt::Expr(tail, None)) = b.block.stmts.last_mut() {
                    tail_outcome(tail);
                }
            }
            Expr::Paren(p) => tail_outcome(&mut p.expr),
            // `checked_sqrt(v)`, a fallible callee's own result: its success, or its failure
            // returned as it is.
            Expr::Call(_) => *expr = syn::parse_quote!(#expr?),
            _ => {}
        },
    }
}

/// `return Ok(v)` -> `return v`; `return Err(e)` -> `__fail!(Err(e))`.
struct Outcomes;

impl VisitMut for Outcomes {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        let mut failure = None;
        if let Expr::Return(syn::ExprReturn {
            expr: Some(inner), ..
        }) = expr
        {
            match outcome(inner) {
                Some(Outcome::Success(value)) => **inner = value,
                Some(Outcome::Failure) => failure = Some(fail(inner)),
                // `return if c { Ok(a) } else { Err(e) };`: the outcomes it ends with.
                None => tail_outcome(inner),
            }
        }
        match failure {
            Some(failure) => *expr = failure,
            None => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }

    // A closure's `return` and an item's belong to them.
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
