//! A running value collected into a vector (`xs.iter().scan(0.0, |acc, &x| { *acc += x;
//! Some(*acc) }).collect()`, a cumulative sum or integral), as the loop it stands for:
//!
//! ```text
//! let c: Vec<f64> = xs.iter()            let mut c: Vec<f64> = Vec::new();
//!     .scan(0.0, |acc, &x| {             let mut acc = 0.0;
//!         *acc += x;             =>      for &x in xs.iter() {
//!         Some(*acc)                         acc += x;
//!     })                                     c.push(acc);
//!     .collect();                        }
//! ```
//!
//! The state is a local of its own (its `*acc` reads and writes are the local's), and the
//! vector is pushed once per iteration, as `pushes.rs` makes one at its final size. A scan
//! whose closure ends early (`None`, `return`, `?`) or uses its state other than through `*`
//! is left as written, and reported where it is lowered.

use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, Block, Expr, Pat, Stmt};

/// Rewrites every `let v = ...scan(..).collect();` in `block`, and the tail of a function
/// that returns such a vector.
pub fn desugar(block: &mut Block) {
    Scans.visit_block_mut(block);
    if let Some(Stmt::Expr(tail, None)) = block.stmts.last() {
        let result = syn::Ident::new(
            &format!("{}scanned", super::SYNTHETIC),
            syn::spanned::Spanned::span(tail),
        );
        let local: Stmt = parse_quote!(let #result = #tail;);
        if let Some(mut stmts) = as_loop(&local) {
            block.stmts.pop();
            stmts.push(Stmt::Expr(parse_quote!(#result), None));
            block.stmts.extend(stmts);
        }
    }
}

struct Scans;

impl VisitMut for Scans {
    fn visit_block_mut(&mut self, block: &mut Block) {
        visit_mut::visit_block_mut(self, block);
        if !block.stmts.iter().any(|s| as_loop(s).is_some()) {
            return;
        }
        let stmts = std::mem::take(&mut block.stmts);
        for stmt in stmts {
            match as_loop(&stmt) {
                Some(rewritten) => block.stmts.extend(rewritten),
                None => block.stmts.push(stmt),
            }
        }
    }
}

/// `let v[: T] = ITER.scan(INIT, |ST, PAT| BODY).collect();` as its loop, if it is one.
fn as_loop(stmt: &Stmt) -> Option<Vec<Stmt>> {
    let Stmt::Local(local) = stmt else {
        return None;
    };
    let (name, ty) = match &local.pat {
        Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => (&pi.ident, None),
        Pat::Type(pt) => match &*pt.pat {
            Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                (&pi.ident, Some(&*pt.ty))
            }
            _ => return None,
        },
        _ => return None,
    };
    let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
    let Expr::MethodCall(collect) = &*init.expr else {
        return None;
    };
    if collect.method != "collect" || !collect.args.is_empty() {
        return None;
    }
    let Expr::MethodCall(scan) = &*collect.receiver else {
        return None;
    };
    let (Some(start), Some(Expr::Closure(f)), 2) =
        (scan.args.first(), scan.args.get(1), scan.args.len())
    else {
        return None;
    };
    let [state, item] = [f.inputs.first()?, f.inputs.get(1)?];
    let state = match super::strip_type(state) {
        Pat::Ident(pi) if pi.subpat.is_none() => pi.ident.clone(),
        _ => return None,
    };
    let item = super::strip_type(item).clone();
    let (mut body, value) = body_and_value(&f.body)?;
    if !ends_nowhere_early(&body, &value) {
        return None;
    }
    // The state a local of its own, under a name of its own (the statements after the loop
    // may read a local the closure's parameter shadowed).
    let local = syn::Ident::new(&format!("{}{state}", super::SYNTHETIC), state.span());
    let mut uses = StateUses {
        state: &state,
        local: &local,
        bare: false,
    };
    let mut value = value;
    body.iter_mut().for_each(|s| uses.visit_stmt_mut(s));
    uses.visit_expr_mut(&mut value);
    if uses.bare {
        return None;
    }
    let receiver = &scan.receiver;
    let vector: Stmt = match (ty, &collect.turbofish) {
        (Some(ty), _) => parse_quote!(let mut #name: #ty = ::std::vec::Vec::new();),
        (None, Some(fish)) => {
            let args = &fish.args;
            parse_quote!(let mut #name: #args = ::std::vec::Vec::new();)
        }
        (None, None) => parse_quote!(let mut #name = ::std::vec::Vec::new();),
    };
    Some(vec![
        parse_quote!(let mut #local = #start;),
        vector,
        Stmt::Expr(
            parse_quote!(for #item in #receiver {
                #(#body)*
                #name.push(#value);
            }),
            None,
        ),
    ])
}

/// The statements of a scan's closure and what its `Some(..)` gives: `{ ..; Some(v) }` or
/// `Some(v)`.
fn body_and_value(body: &Expr) -> Option<(Vec<Stmt>, Expr)> {
    let some = |e: &Expr| match e {
        Expr::Call(c)
            if c.args.len() == 1
                && matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Some")) =>
        {
            c.args.first().cloned()
        }
        _ => None,
    };
    match body {
        Expr::Block(b) if b.label.is_none() => {
            let mut stmts = b.block.stmts.clone();
            let Some(Stmt::Expr(tail, None)) = stmts.pop() else {
                return None;
            };
            Some((stmts, some(&tail)?))
        }
        other => Some((Vec::new(), some(other)?)),
    }
}

/// Whether neither the statements nor the value leave the closure early (`return`, `?`) or
/// end the scan (`None`).
fn ends_nowhere_early(body: &[Stmt], value: &Expr) -> bool {
    struct Finds(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finds {
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            self.0 = true;
        }
        fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
            self.0 = true;
        }
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            self.0 |= p.path.is_ident("None");
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }
    let mut finds = Finds(false);
    body.iter()
        .for_each(|s| syn::visit::Visit::visit_stmt(&mut finds, s));
    syn::visit::Visit::visit_expr(&mut finds, value);
    !finds.0
}

/// `*acc` as the state's local; `bare` if the state is used otherwise (lent on,
/// `acc.max(..)`).
struct StateUses<'a> {
    state: &'a syn::Ident,
    local: &'a syn::Ident,
    bare: bool,
}

impl VisitMut for StateUses<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Unary(u) = e {
            if matches!(u.op, syn::UnOp::Deref(_))
                && matches!(&*u.expr, Expr::Path(p) if p.path.is_ident(self.state))
            {
                let local = self.local;
                *e = parse_quote!(#local);
                return;
            }
        }
        if matches!(e, Expr::Path(p) if p.path.is_ident(self.state)) {
            self.bare = true;
        }
        visit_mut::visit_expr_mut(self, e);
    }
}
