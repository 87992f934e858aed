//! A chain that collects into a `Vec` and goes on, rewritten before lowering into the `let`
//! of the collected `Vec` and the rest of the chain on it, the form the lowering knows:
//!
//! ```text
//! let d: Vec<f64> = ys.iter()                      let collected = ys.iter()
//!     .collect::<Vec<f64>>()                  =>       .collect::<Vec<f64>>();
//!     .windows(2).map(|w| w[1] - w[0])             let d: Vec<f64> = collected
//!     .collect();                                      .windows(2).map(|w| w[1] - w[0]).collect();
//!
//! 2.0 * ys.iter().collect::<Vec<_>>()         =>   2.0 * { let collected = ys.iter().collect::<Vec<_>>();
//!     .windows(2).map(..).sum::<f64>()                     collected.windows(2).map(..).sum::<f64>() }
//! ```
//!
//! A chain's receiver is computed before anything else in it, so the collected `Vec` comes
//! first either way: a statement's `let` goes before the statement (a `let`'s value, a
//! statement, an assignment's value, a `for` loop's iterator), anywhere else a block takes
//! the chain's place.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, Block, Expr, ExprMethodCall, GenericArgument, Ident, Stmt, Type};

use super::SYNTHETIC;

/// Rewrites every chain of `block` that goes on after collecting a `Vec`, in closures too.
pub fn desugar(block: &mut Block) {
    Collected { count: 0 }.visit_block_mut(block);
}

struct Collected {
    count: usize,
}

impl Collected {
    fn fresh(&mut self, span: Span) -> Ident {
        self.count += 1;
        Ident::new(&format!("{SYNTHETIC}collected{}_vec", self.count), span)
    }

    /// Pushes `stmt` on `out`, after the `let` of each `Vec` its chain collects and goes on
    /// from.
    fn hoist(&mut self, mut stmt: Stmt, out: &mut Vec<Stmt>) {
        if let Some(chain) = statement_chain(&mut stmt) {
            if let Some(collected) = split(chain, |span| self.fresh(span)) {
                let (name, collect) = collected;
                self.hoist(parse_quote!(let #name = #collect;), out);
            }
        }
        out.push(stmt);
    }
}

impl VisitMut for Collected {
    fn visit_block_mut(&mut self, block: &mut Block) {
        let mut stmts = Vec::with_capacity(block.stmts.len());
        for stmt in std::mem::take(&mut block.stmts) {
            self.hoist(stmt, &mut stmts);
        }
        block.stmts = stmts;
        visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Some((name, collect)) = split(e, |span| self.fresh(span)) {
            let rest = &*e;
            *e = parse_quote!({
                let #name = #collect;
                #rest
            });
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The chain a statement computes before anything else: a `let`'s value, the statement
/// itself, the value assigned to a local (`s = ..`, `s += ..`), a `for` loop's iterator.
fn statement_chain(stmt: &mut Stmt) -> Option<&mut Expr> {
    match stmt {
        Stmt::Local(local) => local.init.as_mut().map(|init| &mut *init.expr),
        Stmt::Expr(e, _) => Some(statement_value(e)),
        _ => None,
    }
}

/// The statement `e`'s value, which it computes first.
fn statement_value(e: &mut Expr) -> &mut Expr {
    if !assigns_local(e) {
        return e;
    }
    match e {
        Expr::Assign(a) => &mut a.right,
        Expr::Binary(b) => &mut b.right,
        Expr::ForLoop(f) => &mut f.expr,
        other => other,
    }
}

/// `s = ..` or `s += ..` (`-=`, ..) of a local `s`, which reads nothing before the value,
/// or a `for` loop, which computes its iterator first.
fn assigns_local(e: &Expr) -> bool {
    match e {
        Expr::ForLoop(_) => true,
        Expr::Assign(a) => matches!(*a.left, Expr::Path(_)),
        Expr::Binary(b) => {
            super::expr::compound_op(&b.op).is_some() && matches!(*b.left, Expr::Path(_))
        }
        _ => false,
    }
}

/// When the chain `e` goes on after a `.collect::<Vec<..>>()`: the last such collect, whose
/// place in `e` now reads the local `fresh` names, and that name.
fn split(e: &mut Expr, fresh: impl FnOnce(Span) -> Ident) -> Option<(Ident, Expr)> {
    let depth = collect_depth(e)?;
    let mut link = e;
    for _ in 0..depth {
        let Expr::MethodCall(m) = link else {
            return None;
        };
        link = &mut m.receiver;
    }
    let name = fresh(link.span());
    let collect = std::mem::replace(link, parse_quote!(#name));
    Some((name, collect))
}

/// How many calls down the chain `e` the last `.collect::<Vec<..>>()` that a call follows
/// is.
fn collect_depth(e: &Expr) -> Option<usize> {
    let Expr::MethodCall(top) = e else {
        return None;
    };
    let mut link = &*top.receiver;
    let mut depth = 1;
    while let Expr::MethodCall(m) = link {
        if collects_vec(m) {
            return Some(depth);
        }
        link = &m.receiver;
        depth += 1;
    }
    None
}

/// `.collect::<Vec<..>>()`.
fn collects_vec(m: &ExprMethodCall) -> bool {
    let Some(turbofish) = &m.turbofish else {
        return false;
    };
    let vec = match turbofish.args.first() {
        Some(GenericArgument::Type(Type::Path(p))) if turbofish.args.len() == 1 => {
            p.path.segments.last().is_some_and(|s| s.ident == "Vec")
        }
        _ => false,
    };
    m.method == "collect" && m.args.is_empty() && vec
}
