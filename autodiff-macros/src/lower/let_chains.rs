//! `if` and `while` conditions that chain `let`s with `&&` (edition 2024), rewritten before
//! lowering into the nested `if let`s they stand for; the `else` goes on each level, where
//! it runs when that level's test fails (at most one of its copies runs):
//!
//! ```text
//! if let Some(i) = idx && x[i] > 0.0 {       if let Some(i) = idx {
//!     x[i] * x[i]                                if x[i] > 0.0 { x[i] * x[i] } else { x[0] }
//! } else {                               =>  } else {
//!     x[0]                                       x[0]
//! }                                          }
//! ```
//!
//! A `while` so conditioned is the `loop` that tests the same in an `if`, with `break` as its
//! `else`. Plain conditions between the `let`s stay chained with `&&`.

use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, BinOp, Block, Expr, ExprIf, ExprWhile};

/// Rewrites every `if` and `while` of `block` whose condition chains a `let`, in closures too.
pub fn desugar(block: &mut Block) {
    Chains.visit_block_mut(block);
}

struct Chains;

impl VisitMut for Chains {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        visit_mut::visit_expr_mut(self, e);
        match e {
            Expr::If(i) if chains_let(&i.cond) => *e = nested(i),
            Expr::While(w) if chains_let(&w.cond) => *e = as_loop(w),
            _ => {}
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The operands of `a && b && c`, in order.
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Binary(b) if matches!(b.op, BinOp::And(_)) => {
            let mut all = conjuncts(&b.left);
            all.extend(conjuncts(&b.right));
            all
        }
        other => vec![other],
    }
}

fn chains_let(cond: &Expr) -> bool {
    let all = conjuncts(cond);
    all.len() > 1 && all.iter().any(|c| matches!(c, Expr::Let(_)))
}

/// `i` as one `if` per `let` of its condition (and per run of plain conditions between them),
/// each nested in the one before and each with `i`'s `else`.
fn nested(i: &ExprIf) -> Expr {
    let mut levels: Vec<Vec<&Expr>> = Vec::new();
    for c in conjuncts(&i.cond) {
        match levels.last_mut() {
            Some(run) if !matches!(c, Expr::Let(_)) && !matches!(run[0], Expr::Let(_)) => {
                run.push(c)
            }
            _ => levels.push(vec![c]),
        }
    }
    let otherwise = i.else_branch.as_ref().map(|(_, e)| quote::quote!(else #e));
    let mut body = i.then_branch.clone();
    let mut nest = None;
    for level in levels.iter().rev() {
        let inner: Expr = parse_quote!(if #(#level)&&* #body #otherwise);
        body = super::build::value_block(inner.clone());
        nest = Some(inner);
    }
    let mut outer = nest.unwrap_or_else(|| Expr::If(i.clone()));
    if let Expr::If(o) = &mut outer {
        o.attrs.clone_from(&i.attrs);
    }
    outer
}

/// `while c { .. }` as `loop { if c { .. } else { break } }`, the `if` then nested.
fn as_loop(w: &ExprWhile) -> Expr {
    let (attrs, label, cond, body) = (&w.attrs, &w.label, &w.cond, &w.body);
    let test: ExprIf = parse_quote!(if #cond #body else { break });
    let test = nested(&test);
    parse_quote!(#(#attrs)* #label loop { #test })
}
