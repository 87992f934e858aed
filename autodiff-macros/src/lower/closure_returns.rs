//! A closure's early `return`s, rewritten before lowering into the branches they stand for,
//! so the closure can be inlined where it is called (a `return` inlined would leave the whole
//! function):
//!
//! ```text
//! |v: f64| {                         |v: f64| {
//!     if v < 0.0 {                       if v < 0.0 {
//!         return 0.0;            =>          0.0
//!     }                                  } else {
//!     v.sqrt()                               v.sqrt()
//! }                                      }
//!                                    }
//! ```
//!
//! What follows an `if` that returns on one side goes into the other side. A closure whose
//! `return`s sit elsewhere (in a loop, a `match`, after a `let` that the moved statements
//! would then see) is left as written, and reported where it is inlined.

use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, Block, Expr, Stmt};

use super::stmt::contains_return;

/// What is said of a closure whose `return`s are not all branches.
pub const UNSUPPORTED: &str = "#[grad] inlines a closure's `return` where it is a branch (`if c { return a; }` and the rest after it), not from inside a loop, a `match` or a `let`: compute the closure's value with `if`/`else`, or make it a function with `#[grad]`";

/// Rewrites the `return`s of every closure in `block` that has them in branches, then the
/// closures whose body is a block of its value alone (`closure_bodies.rs`).
pub fn desugar(block: &mut Block) {
    Closures.visit_block_mut(block);
}

struct Closures;

impl VisitMut for Closures {
    fn visit_expr_closure_mut(&mut self, c: &mut syn::ExprClosure) {
        visit_mut::visit_expr_closure_mut(self, c);
        if returns(&c.body) {
            if let Some(body) = as_branches(&c.body) {
                *c.body = body;
            }
        }
        super::closure_bodies::unwrap_value(c);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Whether `e` returns (not from a closure inside it).
fn returns(e: &Expr) -> bool {
    contains_return(&parse_quote!({ #e }))
}

/// `e`, whose value is the closure's, with its `return v` as the value `v`.
fn as_branches(e: &Expr) -> Option<Expr> {
    match e {
        _ if !returns(e) => Some(e.clone()),
        Expr::Return(r) => r.expr.as_deref().cloned(),
        Expr::Block(b) if b.label.is_none() => {
            let block = block_as_branches(&b.block.stmts)?;
            Some(parse_quote!(#block))
        }
        Expr::Paren(p) => as_branches(&p.expr),
        Expr::If(i) => {
            let cond = &i.cond;
            let then = block_as_branches(&i.then_branch.stmts)?;
            let otherwise = match &i.else_branch {
                Some((_, e)) => as_branches(e)?,
                None => return None,
            };
            Some(parse_quote!(if #cond #then else { #otherwise }))
        }
        _ => None,
    }
}

/// The block of `stmts` as a value, its `return`s as branches.
fn block_as_branches(stmts: &[Stmt]) -> Option<Block> {
    let Some(k) = stmts.iter().position(stmt_returns) else {
        return Some(parse_quote!({ #(#stmts)* }));
    };
    let (before, rest) = (&stmts[..k], &stmts[k + 1..]);
    let value: Expr = match &stmts[k] {
        // The last expression, the block's value.
        Stmt::Expr(e, None) if rest.is_empty() => as_branches(e)?,
        // `return v;`: what follows is never reached.
        Stmt::Expr(Expr::Return(r), Some(_)) => r.expr.as_deref().cloned()?,
        // `if c { .. return a; } rest`: `rest` goes where the `if` does not return.
        Stmt::Expr(Expr::If(i), _) => {
            let cond = &i.cond;
            let then = continued(&i.then_branch.stmts, rest)?;
            let otherwise = match &i.else_branch {
                None => continued(&[], rest)?,
                Some((_, e)) => match &**e {
                    Expr::Block(b) if b.label.is_none() => continued(&b.block.stmts, rest)?,
                    Expr::If(_) => continued(&[Stmt::Expr((**e).clone(), None)], rest)?,
                    _ => return None,
                },
            };
            parse_quote!(if #cond #then else #otherwise)
        }
        _ => return None,
    };
    Some(parse_quote!({ #(#before)* #value }))
}

/// A branch's statements followed by `rest`, the statements after its `if`, as one block: as
/// they are when the branch returns at its end (`rest` is never reached from it), else with
/// `rest` after them, when no `let` of the branch would be seen by `rest`.
fn continued(branch: &[Stmt], rest: &[Stmt]) -> Option<Block> {
    let ends_in_return = matches!(branch.last(), Some(Stmt::Expr(Expr::Return(_), _)));
    if ends_in_return {
        return block_as_branches(branch);
    }
    if branch
        .iter()
        .any(|s| matches!(s, Stmt::Local(_) | Stmt::Item(_)))
    {
        return None;
    }
    // The branch as a statement: a value it ends with is dropped, as the `if`'s was.
    let mut stmts: Vec<Stmt> = branch.to_vec();
    if let Some(Stmt::Expr(e, semi @ None)) = stmts.last_mut() {
        if !returns(e) {
            *semi = Some(Default::default());
        }
    }
    stmts.extend(rest.iter().cloned());
    block_as_branches(&stmts)
}

fn stmt_returns(s: &Stmt) -> bool {
    contains_return(&Block {
        brace_token: Default::default(),
        stmts: vec![s.clone()],
    })
}
