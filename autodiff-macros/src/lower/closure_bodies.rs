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

use syn::{Expr, ExprClosure, ReturnType, Stmt};

/// `|p| { e }` as `|p| e` (run on every closure by `closure_returns::desugar`).
pub fn unwrap_value(c: &mut ExprClosure) {
    // (`|v| -> f64 { v }`: a closure that states its return type needs the block)
    if !matches!(c.output, ReturnType::Default) {
        return;
    }
    if let Some(value) = only_value(&c.body) {
        *c.body = value;
    }
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
