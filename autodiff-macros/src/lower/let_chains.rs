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
//! Where the `else` reads a name a `let` of the chain binds (`if let Some(x) = o && x > 1.0 {
//! .. } else { x * x }`, the parameter `x` there), its copies inside would read the binding:
//! the chain is tested first, to a flag, and the `else` runs outside it.
//!
//! A `while` so conditioned is the `loop` that tests the same in an `if`, with `break` as its
//! `else`. Plain conditions between the `let`s stay chained with `&&`. A `let` of a tuple
//! written out (`if let (Some(a), Some(b)) = (v.last_mut(), w.last())`) is the chain of its
//! parts.

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
            Expr::If(i) => {
                if let Some(chain) = tuple_let_as_chain(&i.cond) {
                    *i.cond = chain;
                }
                if chains_let(&i.cond) {
                    *e = nested(i);
                }
            }
            Expr::While(w) => {
                if let Some(chain) = tuple_let_as_chain(&w.cond) {
                    *w.cond = chain;
                }
                if chains_let(&w.cond) {
                    *e = as_loop(w);
                }
            }
            _ => {}
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// `let (Some(a), Some(b)) = (v.last_mut(), w.last())` as the chain of its parts, `let
/// Some(a) = v.last_mut() && let Some(b) = w.last()` (each tested in turn, as the tuple's
/// pattern is), for a tuple written out of as many values as the pattern has parts.
fn tuple_let_as_chain(cond: &Expr) -> Option<Expr> {
    let Expr::Let(l) = cond else { return None };
    let (syn::Pat::Tuple(pats), Expr::Tuple(values)) = (&*l.pat, &*l.expr) else {
        return None;
    };
    if pats.elems.len() != values.elems.len() || pats.elems.len() < 2 {
        return None;
    }
    // The tuple is made before its pattern binds anything: a value that reads a name an
    // earlier part binds (`(Some(i), j) = (i.checked_sub(1), j + i)`) would read the new one.
    let mut bound = Vec::new();
    for (p, v) in pats.elems.iter().zip(&values.elems) {
        let mut read = Vec::new();
        super::opaque::mentioned_names(quote::ToTokens::to_token_stream(v), &mut read);
        if read.iter().any(|(name, _)| bound.contains(name)) {
            return None;
        }
        super::control::bound_names(p, &mut bound);
    }
    let lets = pats
        .elems
        .iter()
        .zip(&values.elems)
        .map(|(p, v)| -> Expr { parse_quote!(let #p = #v) });
    let mut chain: Option<Expr> = None;
    for one in lets {
        chain = Some(match chain {
            None => one,
            Some(before) => parse_quote!(#before && #one),
        });
    }
    chain
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
    if let Some((_, otherwise)) = &i.else_branch {
        let mut bound = Vec::new();
        for c in conjuncts(&i.cond) {
            if let Expr::Let(l) = c {
                super::control::bound_names(&l.pat, &mut bound);
            }
        }
        if bound
            .iter()
            .any(|name| super::pushes::mentions(otherwise, name))
        {
            let cond = &i.cond;
            let matched = nested(&parse_quote!(if #cond { true } else { false }));
            let then = &i.then_branch;
            let taken = nested(&parse_quote!(if #cond #then else { ::core::unreachable!() }));
            return parse_quote!(if #matched { #taken } else #otherwise);
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

    fn desugared(mut block: Block) -> String {
        desugar(&mut block);
        block.to_token_stream().to_string()
    }

    #[test]
    fn the_else_runs_outside_the_bindings_it_would_read() {
        let chained: Block = parse_quote!({
            if let Some(x) = o && x > 1.0 { x * 2.0 } else { x * x }
        });
        // (the chain tested to a flag, then again for the bindings, never failing there)
        let expected = "{ if if let Some (x) = o { if x > 1.0 { true } else { false } } \
            else { false } { if let Some (x) = o { if x > 1.0 { x * 2.0 } \
            else { :: core :: unreachable ! () } } else { :: core :: unreachable ! () } } \
            else { x * x } }";
        assert_eq!(desugared(chained), expected);
    }

    #[test]
    fn an_else_that_reads_no_binding_is_copied_into_each_level() {
        let chained: Block = parse_quote!({
            if let Some(i) = idx && x[i] > 0.0 { x[i] * x[i] } else { x[0] }
        });
        let expected = "{ if let Some (i) = idx { if x [i] > 0.0 { x [i] * x [i] } \
            else { x [0] } } else { x [0] } }";
        assert_eq!(desugared(chained), expected);
    }
}
