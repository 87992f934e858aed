//! Statement forms that mean supported ones, rewritten before lowering:
//!
//! ```text
//! fn f(..) -> [f64; 2] { ..; return out; }        =>   fn f(..) -> [f64; 2] { ..; out }
//! for i in 0..n { out.push(2.0 * x[i]) }          =>   for i in 0..n { out.push(2.0 * x[i]); }
//! match () { _ if a => x, _ if b => y, _ => z }   =>   if a { x } else if b { y } else { z }
//! [r, g, b].map(|v| v.clamp(0.0, 1.0))            =>   [{ let v = r; v.clamp(0.0, 1.0) }, ..]
//! fn f(..) -> [f64; 4] { ..; g(q).map(|c| 2.0 * c) }
//!                       =>   fn f(..) -> [f64; 4] { ..; let r: [f64; 4] = g(q).map(..); r }
//! ```
//!
//! A loop body's tail is a statement: Rust types it `()`.

use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, Block, Expr, Pat, Stmt};

/// Rewrites the function body `block`, in closures and nested blocks too.
pub fn desugar(block: &mut Block) {
    if let Some(Stmt::Expr(Expr::Return(r), Some(_))) = block.stmts.last() {
        if let Some(value) = r.expr.clone() {
            *block.stmts.last_mut().expect("a last statement") = Stmt::Expr(*value, None);
        }
    }
    Forms.visit_block_mut(block);
}

/// Binds the tail of a function that returns a fixed-size array to a local of that type when
/// the tail does not state its length itself (a `.map(..)` of an array a call returns, an
/// `if` or `match` choosing between local arrays): the `let` gives it.
pub fn bind_array_tail(block: &mut Block, output: &syn::ReturnType) {
    let syn::ReturnType::Type(_, ty) = output else {
        return;
    };
    if !matches!(&**ty, syn::Type::Array(_)) {
        return;
    }
    let Some(Stmt::Expr(tail, None)) = block.stmts.last() else {
        return;
    };
    let unstated = match tail {
        Expr::MethodCall(m) => m.method == "map" && !matches!(&*m.receiver, Expr::Array(_)),
        Expr::If(_) | Expr::Match(_) => true,
        _ => false,
    };
    if !unstated {
        return;
    }
    let result = syn::Ident::new(
        &format!("{}result", super::SYNTHETIC),
        syn::spanned::Spanned::span(tail),
    );
    let tail = tail.clone();
    let last = block.stmts.len() - 1;
    block.stmts[last] = parse_quote!(let #result: #ty = #tail;);
    block.stmts.push(Stmt::Expr(parse_quote!(#result), None));
}

struct Forms;

impl VisitMut for Forms {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        visit_mut::visit_expr_mut(self, e);
        match e {
            Expr::ForLoop(syn::ExprForLoop { body, .. })
            | Expr::While(syn::ExprWhile { body, .. })
            | Expr::Loop(syn::ExprLoop { body, .. }) => {
                if let Some(Stmt::Expr(_, semi @ None)) = body.stmts.last_mut() {
                    *semi = Some(Default::default());
                }
            }
            Expr::Match(m) if matches!(&*m.expr, Expr::Tuple(t) if t.elems.is_empty()) => {
                if let Some(chain) = guard_chain(&m.arms) {
                    *e = chain;
                }
            }
            Expr::MethodCall(m) if m.method == "map" && m.args.len() == 1 => {
                if let (Expr::Array(array), Expr::Closure(f)) = (&*m.receiver, &m.args[0]) {
                    if let [pat] = &*f.inputs.iter().collect::<Vec<_>>() {
                        let body = &f.body;
                        let mapped = array
                            .elems
                            .iter()
                            .map(|x| -> Expr { parse_quote!({ let #pat = #x; #body }) });
                        *e = parse_quote!([#(#mapped),*]);
                    }
                }
            }
            _ => {}
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The `if` chain of `match ()` arms `_ if cond => value`, up to the first without a guard.
fn guard_chain(arms: &[syn::Arm]) -> Option<Expr> {
    let (arm, rest) = arms.split_first()?;
    if !matches!(arm.pat, Pat::Wild(_)) {
        return None;
    }
    let body = &arm.body;
    match &arm.guard {
        None => Some(parse_quote!({ #body })),
        Some((_, cond)) => {
            let otherwise = guard_chain(rest)?;
            Some(parse_quote!(if #cond { #body } else { #otherwise }))
        }
    }
}
