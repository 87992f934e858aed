//! A name bound to an item of a field by reference, rewritten before lowering into the item
//! itself wherever the name is read:
//!
//! ```text
//! let cell = &self.cells[k];         =>
//! cell.step(x) + cell.b              self.cells[k].step(x) + self.cells[k].b
//! ```
//!
//! so that an item of a sequence of sub-models is reached the one way the models pass knows
//! (`net.layers[k].forward(x)`), as `let head = &self.head;` is already. A copy or a reference
//! of a whole model parameter (`let p = *a;`, `let p = a;`, `let p = a.clone();` of `a: &Vec3`)
//! is read as the parameter the same way. Only where the statements after the `let` neither
//! bind the name again nor change what the index reads.

use quote::ToTokens;

use crate::hash::HashSet;
use syn::visit::{self, Visit};
use syn::visit_mut::{self, VisitMut};
use syn::{Expr, Ident, Pat, Stmt};

/// `block` with its item aliases rewritten, if it has one; `models` are the names of the
/// model parameters.
pub fn desugared(block: &syn::Block, models: &HashSet<String>) -> Option<syn::Block> {
    let blocks = Blocks {
        changed: false,
        models,
    };
    super::rewritten(block, blocks, |b| b.changed)
}

struct Blocks<'m> {
    changed: bool,
    models: &'m HashSet<String>,
}

impl VisitMut for Blocks<'_> {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        visit_mut::visit_block_mut(self, block);
        let mut at = 0;
        while at < block.stmts.len() {
            let Some((name, item)) = alias(&block.stmts[at], self.models) else {
                at += 1;
                continue;
            };
            let rest = &block.stmts[at + 1..];
            let mut fixed = Fixed {
                names: names_in(&item),
                alias: &name,
                holds: true,
            };
            for stmt in rest {
                fixed.visit_stmt(stmt);
            }
            if !fixed.holds {
                at += 1;
                continue;
            }
            block.stmts.remove(at);
            let mut replace = Replace {
                name: &name,
                whole: matches!(item, Expr::Path(_)),
                item: &item,
            };
            for stmt in &mut block.stmts[at..] {
                replace.visit_stmt_mut(stmt);
            }
            self.changed = true;
        }
    }
}

/// `let cell = &self.cells[k];`: the name and the item (`self.cells[k]`), an index into a
/// field; `let p = *a;` (`a`, `&a`, `a.clone()`) of a model parameter `a`: the name and `a`.
fn alias(stmt: &Stmt, models: &HashSet<String>) -> Option<(Ident, Expr)> {
    let Stmt::Local(local) = stmt else {
        return None;
    };
    let Pat::Ident(pi) = &local.pat else {
        return None;
    };
    let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
    if pi.mutability.is_none() && pi.by_ref.is_none() {
        let mut whole = &*init.expr;
        loop {
            whole = match whole {
                Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => &u.expr,
                Expr::Reference(r) if r.mutability.is_none() => &r.expr,
                Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => &m.receiver,
                Expr::Paren(p) => &p.expr,
                _ => break,
            };
        }
        if let Expr::Path(p) = whole {
            if p.path
                .get_ident()
                .is_some_and(|i| models.contains(&i.to_string()))
            {
                return Some((pi.ident.clone(), whole.clone()));
            }
        }
    }
    let Expr::Reference(r) = &*init.expr else {
        return None;
    };
    let Expr::Index(index) = &*r.expr else {
        return None;
    };
    let field = matches!(&*index.expr, Expr::Field(_));
    (field && r.mutability.is_none() && pi.mutability.is_none() && pi.by_ref.is_none())
        .then(|| (pi.ident.clone(), (*r.expr).clone()))
}

/// The names an expression reads.
fn names_in(expr: &Expr) -> Vec<Ident> {
    let mut names = Vec::new();
    crate::lower::mentioned_names(expr.to_token_stream(), &mut names);
    names.into_iter().map(|(n, _)| n).collect()
}

/// Whether the statements after an alias leave it and its item's names as they were: none
/// bound again (a `let`, a closure's or a loop's pattern) or assigned.
struct Fixed<'a> {
    names: Vec<Ident>,
    alias: &'a Ident,
    holds: bool,
}

impl Fixed<'_> {
    fn watched(&self, ident: &Ident) -> bool {
        ident == self.alias || self.names.contains(ident)
    }
}

impl<'ast> Visit<'ast> for Fixed<'_> {
    fn visit_pat_ident(&mut self, pi: &'ast syn::PatIdent) {
        self.holds &= !self.watched(&pi.ident);
        visit::visit_pat_ident(self, pi);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        self.holds &= !assigns_watched(self, &a.left);
        visit::visit_expr_assign(self, a);
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        if super::expr::compound_op(&b.op).is_some() {
            self.holds &= !assigns_watched(self, &b.left);
        }
        visit::visit_expr_binary(self, b);
    }

    fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
        if r.mutability.is_some() {
            self.holds &= !assigns_watched(self, &r.expr);
        }
        visit::visit_expr_reference(self, r);
    }

    // A macro's tokens are not rewritten: one that names the alias keeps it.
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let mut names = Vec::new();
        crate::lower::mentioned_names(m.tokens.clone(), &mut names);
        self.holds &= !names.iter().any(|(n, _)| self.alias == n);
    }

    // Items (nested functions) have names of their own.
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Whether a place written (`k = ..`, `k += 1`, `&mut k`) is rooted at a watched name.
fn assigns_watched(fixed: &Fixed<'_>, place: &Expr) -> bool {
    match place {
        Expr::Path(p) => p.path.get_ident().is_some_and(|i| fixed.watched(i)),
        Expr::Field(f) => assigns_watched(fixed, &f.base),
        Expr::Index(i) => assigns_watched(fixed, &i.expr),
        Expr::Paren(p) => assigns_watched(fixed, &p.expr),
        Expr::Unary(u) => assigns_watched(fixed, &u.expr),
        _ => false,
    }
}

/// Every read of the alias as the item, `*cell` too; `whole`: the alias of a model parameter,
/// read as the parameter's name.
struct Replace<'a> {
    name: &'a Ident,
    item: &'a Expr,
    whole: bool,
}

impl VisitMut for Replace<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        let is_alias = |e: &Expr| matches!(e, Expr::Path(p) if p.qself.is_none() && p.path.is_ident(self.name));
        if self.whole && is_alias(expr) {
            *expr = self.item.clone();
            return;
        }
        let deref = matches!(expr, Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) && is_alias(&u.expr));
        let borrowed =
            matches!(expr, Expr::Reference(r) if r.mutability.is_none() && is_alias(&r.expr));
        if deref {
            *expr = self.item.clone();
        } else if borrowed || is_alias(expr) {
            // `g(cell, x)`, `g(&cell, x)`: the item lent as the name lends it.
            let item = self.item;
            *expr = syn::parse_quote!(&#item);
        } else {
            visit_mut::visit_expr_mut(self, expr);
        }
    }

    fn visit_expr_method_call_mut(&mut self, m: &mut syn::ExprMethodCall) {
        // `cell.step(x)`: the item's method, on the item itself.
        if matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(self.name)) {
            *m.receiver = self.item.clone();
        } else {
            self.visit_expr_mut(&mut m.receiver);
        }
        for arg in &mut m.args {
            self.visit_expr_mut(arg);
        }
    }

    fn visit_expr_field_mut(&mut self, f: &mut syn::ExprField) {
        // `cell.w`: the item's field.
        if matches!(&*f.base, Expr::Path(p) if p.path.is_ident(self.name)) {
            *f.base = self.item.clone();
        } else {
            self.visit_expr_mut(&mut f.base);
        }
    }

    fn visit_expr_index_mut(&mut self, i: &mut syn::ExprIndex) {
        // `row[j]` of an aliased row: the item indexed.
        if matches!(&*i.expr, Expr::Path(p) if p.path.is_ident(self.name)) {
            *i.expr = self.item.clone();
        } else {
            self.visit_expr_mut(&mut i.expr);
        }
        self.visit_expr_mut(&mut i.index);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
