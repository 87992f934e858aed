//! A closure whose body is a block holding only its value, rewritten before lowering into
//! the closure of that value, which means the same:
//!
//! ```text
//! std::array::from_fn(|p| {                =>   std::array::from_fn(|p| std::array::from_fn(|i| x[p][i]))
//!     std::array::from_fn(|i| x[p][i])
//! })
//! ```
//!
//! rustfmt writes a closure so when its value does not fit on one line; the lowering looks
//! into closure bodies for what they make (an inner `from_fn`, a row literal, an iterator)
//! and would otherwise see only a block.

use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ReturnType, Stmt};

/// Rewrites every closure of `block` whose body is a block of its value alone.
pub fn desugar(block: &mut Block) {
    Closures.visit_block_mut(block);
}

struct Closures;

impl VisitMut for Closures {
    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        visit_mut::visit_expr_closure_mut(self, c);
        // (`|v| -> f64 { v }`: a closure that states its return type needs the block)
        if !matches!(c.output, ReturnType::Default) {
            return;
        }
        if let Some(value) = only_value(&c.body) {
            *c.body = value;
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The value of `{ value }`, a plain block (no label, attribute, `unsafe`) of nothing else.
fn only_value(body: &Expr) -> Option<Expr> {
    let Expr::Block(b) = body else {
        return None;
    };
    if b.label.is_some() || !b.attrs.is_empty() {
        return None;
    }
    match &*b.block.stmts {
        // (`|p| {{ e }}` too)
        [Stmt::Expr(value, None)] => Some(only_value(value).unwrap_or_else(|| value.clone())),
        _ => None,
    }
}
