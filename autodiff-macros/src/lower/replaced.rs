//! `std::mem::replace` of a local, rewritten before lowering into the read and the
//! assignment it stands for, so that loops see the local assigned:
//!
//! ```text
//! let old = std::mem::replace(&mut a, next);   =>   let replaced = a;
//!                                                   a = next;
//!                                                   let old = replaced;
//! std::mem::replace(&mut a, next);             =>   a = next;
//! prev = std::mem::replace(&mut a, next);      =>   let replaced = a;
//!                                                   a = next;
//!                                                   prev = replaced;
//! ```
//!
//! `next` is computed before `a` changes, as Rust evaluates it before the call.

use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, Block, Expr, Ident, Stmt};

use super::SYNTHETIC;

/// Rewrites every `mem::replace` of a local in `block` that is a statement, a `let`'s value
/// or an assignment's.
pub fn desugar(block: &mut Block) {
    Replaced { count: 0 }.visit_block_mut(block);
}

struct Replaced {
    count: usize,
}

impl VisitMut for Replaced {
    fn visit_block_mut(&mut self, block: &mut Block) {
        visit_mut::visit_block_mut(self, block);
        if !block.stmts.iter().any(|s| replaced_stmt(s).is_some()) {
            return;
        }
        let mut stmts = Vec::with_capacity(block.stmts.len() + 2);
        for stmt in block.stmts.drain(..) {
            let Some((name, value)) = replaced_stmt(&stmt) else {
                stmts.push(stmt);
                continue;
            };
            let (name, value) = (name.clone(), value.clone());
            let mut old = || {
                self.count += 1;
                let old = Ident::new(&format!("{SYNTHETIC}replaced_{}", self.count), name.span());
                stmts.push(parse_quote!(let #old = #name;));
                stmts.push(parse_quote!(#name = #value;));
                old
            };
            match stmt {
                Stmt::Local(mut local) => {
                    let old = old();
                    if let Some(init) = &mut local.init {
                        init.expr = parse_quote!(#old);
                    }
                    stmts.push(Stmt::Local(local));
                }
                Stmt::Expr(Expr::Assign(mut assign), semi) => {
                    let old = old();
                    assign.right = parse_quote!(#old);
                    stmts.push(Stmt::Expr(Expr::Assign(assign), semi));
                }
                _ => stmts.push(parse_quote!(#name = #value;)),
            }
        }
        block.stmts = stmts;
    }
}

/// The local and the value of `let p = mem::replace(&mut a, v);`, `p = mem::replace(&mut a,
/// v);` or `mem::replace(&mut a, v);`.
fn replaced_stmt(stmt: &Stmt) -> Option<(&Ident, &Expr)> {
    match stmt {
        Stmt::Local(local) => local
            .init
            .as_ref()
            .filter(|init| init.diverge.is_none())
            .and_then(|init| replace_call(&init.expr)),
        Stmt::Expr(Expr::Assign(a), Some(_)) => replace_call(&a.right),
        Stmt::Expr(e, Some(_)) => replace_call(e),
        _ => None,
    }
}

/// `std::mem::replace(&mut a, value)` (or `mem::replace`, `core::mem::replace`) of a local
/// `a`: `a` and `value`.
fn replace_call(expr: &Expr) -> Option<(&Ident, &Expr)> {
    let Expr::Call(c) = expr else { return None };
    let Expr::Path(p) = &*c.func else { return None };
    let segments: Vec<String> = p
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let replace = matches!(
        &segments.iter().map(String::as_str).collect::<Vec<_>>()[..],
        ["std" | "core", "mem", "replace"] | ["mem", "replace"]
    );
    match (replace, &*c.args.iter().collect::<Vec<_>>()) {
        (true, [Expr::Reference(r), value]) if r.mutability.is_some() => match &*r.expr {
            Expr::Path(name) => Some((name.path.get_ident()?, value)),
            _ => None,
        },
        _ => None,
    }
}
