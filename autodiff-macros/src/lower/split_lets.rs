//! A `let` of a tuple or array pattern bound to a literal of as many parts, rewritten before
//! lowering into the `let`s it stands for, one per part, so that each part is bound as a
//! `let` of it alone binds it (an array a call returns, a row, a closure, a number):
//!
//! ```text
//! let [q, k] = [proj(wq, x), proj(wk, x)];        =>   let q = proj(wq, x);
//!                                                      let k = proj(wk, x);
//! let (a, b): (f64, [f64; 2]) = (x, g(w));        =>   let a: f64 = x;
//!                                                      let b: [f64; 2] = g(w);
//! ```
//!
//! Rust makes every part before it binds any, so a `let` whose later part reads a name an
//! earlier part binds (`let (a, b) = (b, a);`) is left as written.
//!
//! A deferred `let` of a tuple of names, `let (u, d): (f64, f64);` or `let (lo, hi);`, is a
//! deferred `let` of each.
//!
//! An assignment to an array pattern from an array literal of as many parts is the one to
//! a tuple it stands for: `[s1, s2] = [v + c * s1 - s2, s1];` => `(s1, s2) = (.., s1);`.
//!
//! A `let` of a block is its statements and then the `let` of the block's value, when the
//! names the block binds are not read after it (they would read the block's):
//!
//! ```text
//! let c = { let fg = mul(f, &c0); let ig = mul(i, g); add(&fg, &ig) };
//!     =>   let fg = mul(f, &c0); let ig = mul(i, g); let c = add(&fg, &ig);
//! ```

use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, Local, Pat, Stmt, Type};

use super::control::bound_names;
use super::pushes::mentions;
use super::stmt::is_rest;

/// Rewrites every such `let` of `block`, in closures and nested blocks too.
pub fn desugar(block: &mut Block) {
    Lets.visit_block_mut(block);
}

struct Lets;

impl VisitMut for Lets {
    fn visit_block_mut(&mut self, block: &mut Block) {
        visit_mut::visit_block_mut(self, block);
        let mut at = 0;
        while at < block.stmts.len() {
            match hoisted(&block.stmts[at], &block.stmts[at + 1..]) {
                Some(stmts) => {
                    let n = stmts.len();
                    block.stmts.splice(at..=at, stmts);
                    at += n;
                }
                None => at += 1,
            }
        }
        if !block.stmts.iter().any(|s| parts(s).is_some()) {
            return;
        }
        block.stmts = block.stmts.drain(..).flat_map(split).collect();
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        visit_mut::visit_expr_mut(self, e);
        let Expr::Assign(a) = e else { return };
        if let (Expr::Array(left), Expr::Array(right)) = (&*a.left, &*a.right) {
            if left.elems.len() == right.elems.len() {
                let tuple = |array: &syn::ExprArray| {
                    let mut elems = array.elems.clone();
                    // `(a)` would be no tuple.
                    if elems.len() == 1 {
                        elems.push_punct(Default::default());
                    }
                    Expr::Tuple(syn::ExprTuple {
                        attrs: array.attrs.clone(),
                        paren_token: syn::token::Paren(array.bracket_token.span),
                        elems,
                    })
                };
                *a.left = tuple(left);
                *a.right = tuple(right);
            }
        }
    }
}

/// The statements of the block a `let` binds, then the `let` of its value, when no statement
/// of `rest` reads a name the block binds (nor is the block labelled, or holds items).
fn hoisted(stmt: &Stmt, rest: &[Stmt]) -> Option<Vec<Stmt>> {
    let Stmt::Local(local) = stmt else {
        return None;
    };
    let init = local.init.as_ref().filter(|init| init.diverge.is_none())?;
    let Expr::Block(b) = &*init.expr else {
        return None;
    };
    let (Some(Stmt::Expr(tail, None)), true) = (
        b.block.stmts.last(),
        b.label.is_none() && b.attrs.is_empty(),
    ) else {
        return None;
    };
    let inner = &b.block.stmts[..b.block.stmts.len() - 1];
    if inner.iter().any(|s| matches!(s, Stmt::Item(_))) {
        return None;
    }
    let mut bound = Vec::new();
    for s in inner {
        if let Stmt::Local(l) = s {
            bound_names(&l.pat, &mut bound);
        }
    }
    if rest
        .iter()
        .any(|s| bound.iter().any(|name| mentions(s, name)))
    {
        return None;
    }
    let mut stmts = inner.to_vec();
    stmts.push(Stmt::Local(Local {
        init: Some(syn::LocalInit {
            eq_token: init.eq_token,
            expr: Box::new(tail.clone()),
            diverge: None,
        }),
        ..local.clone()
    }));
    Some(stmts)
}

/// `stmt` as its `let`s, each split again (`let ((a, b), c) = ((x, y), z);`).
fn split(stmt: Stmt) -> Vec<Stmt> {
    match parts(&stmt) {
        Some(lets) => lets.into_iter().flat_map(split).collect(),
        None => vec![stmt],
    }
}

/// The `let` of each part of the `let` `stmt`, when it splits.
fn parts(stmt: &Stmt) -> Option<Vec<Stmt>> {
    let Stmt::Local(local) = stmt else {
        return None;
    };
    if local.init.is_none() {
        return deferred_parts(local);
    }
    let init = local.init.as_ref().filter(|init| init.diverge.is_none())?;
    let (pat, ty) = match &local.pat {
        Pat::Type(typed) => (&*typed.pat, Some(&*typed.ty)),
        pat => (pat, None),
    };
    let (pats, values): (Vec<&Pat>, Vec<&Expr>) = match (pat, &*init.expr) {
        (Pat::Tuple(p), Expr::Tuple(e)) => (p.elems.iter().collect(), e.elems.iter().collect()),
        (Pat::Slice(p), Expr::Array(e)) => (p.elems.iter().collect(), e.elems.iter().collect()),
        _ => return None,
    };
    if pats.is_empty() || pats.len() != values.len() || pats.iter().any(|p| is_rest(p)) {
        return None;
    }
    let types = part_types(ty, pats.len())?;
    if reads_earlier_part(&pats, &values) {
        return None;
    }
    let lets = pats.into_iter().zip(values).zip(types);
    let lets = lets.map(|((pat, value), ty)| {
        let pat = typed(pat, ty);
        Stmt::Local(Local {
            pat,
            init: Some(syn::LocalInit {
                eq_token: init.eq_token,
                expr: Box::new(value.clone()),
                diverge: None,
            }),
            ..local.clone()
        })
    });
    Some(lets.collect())
}

/// `let (u, d): (f64, f64);`, its parts assigned later (RustQuant's trees): a deferred `let`
/// of each, typed as the tuple's type says.
fn deferred_parts(local: &Local) -> Option<Vec<Stmt>> {
    // (or `let (lo, hi);`, a deferred `let` of each untyped)
    let (p, written) = match &local.pat {
        Pat::Type(written) => match &*written.pat {
            Pat::Tuple(p) => (p, Some(&*written.ty)),
            _ => return None,
        },
        Pat::Tuple(p) => (p, None),
        _ => return None,
    };
    let pats: Vec<&Pat> = p.elems.iter().collect();
    if pats.is_empty() || pats.iter().any(|p| is_rest(p)) {
        return None;
    }
    let types = part_types(written, pats.len())?;
    let lets = pats.into_iter().zip(types).map(|(pat, ty)| {
        let pat = typed(pat, ty);
        Stmt::Local(Local {
            pat,
            init: None,
            ..local.clone()
        })
    });
    Some(lets.collect())
}

/// `pat`, with the type `ty` written on it if there is one.
fn typed(pat: &Pat, ty: Option<Type>) -> Pat {
    match ty {
        Some(ty) => Pat::Type(syn::PatType {
            attrs: Vec::new(),
            pat: Box::new(pat.clone()),
            colon_token: Default::default(),
            ty: Box::new(ty),
        }),
        None => pat.clone(),
    }
}

/// The type of each of `n` parts, from the `let`'s type (`(f64, [f64; 2])`, `[[f64; 2]; 3]`):
/// none when it states none, and no split when it is another type (an alias).
fn part_types(ty: Option<&Type>, n: usize) -> Option<Vec<Option<Type>>> {
    match ty {
        None => Some(vec![None; n]),
        Some(Type::Tuple(t)) if t.elems.len() == n => {
            Some(t.elems.iter().cloned().map(Some).collect())
        }
        Some(Type::Array(a)) => Some(vec![Some((*a.elem).clone()); n]),
        Some(Type::Paren(p)) => part_types(Some(&p.elem), n),
        Some(_) => None,
    }
}

/// Whether a part reads a name that an earlier part's pattern binds, which separate `let`s
/// would give it in place of the one before.
fn reads_earlier_part(pats: &[&Pat], values: &[&Expr]) -> bool {
    let mut bound = Vec::new();
    pats.iter().zip(values).any(|(pat, value)| {
        let reads = bound.iter().any(|name| mentions(*value, name));
        bound_names(pat, &mut bound);
        reads
    })
}
