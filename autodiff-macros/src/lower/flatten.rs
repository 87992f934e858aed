//! Flattened chains, rewritten before lowering into the nested sums they stand for:
//! `rows.iter().flatten().map(f).sum()` (or `flat_map(|r| r.iter())`, then `map`, `filter`,
//! `copied`, `cloned`; `product` too) is the sum over the rows of each row's sum, which the
//! sweeps know as a loop in a loop:
//!
//! ```text
//! w.iter().flatten().map(|v| v * v).sum::<f64>()
//!     => w.iter().map(|row| row.iter().map(|v| v * v).sum::<f64>()).sum::<f64>()
//! ```

use syn::visit::{self, Visit};
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote_spanned, Expr, ExprMethodCall, Ident, Type};

use super::SYNTHETIC;

/// `block` with every flattened sum or product rewritten, if it has one; `float` is the
/// function's float type.
pub fn desugared(block: &syn::Block, float: &Type) -> Option<syn::Block> {
    struct Mentions(bool);
    impl<'ast> Visit<'ast> for Mentions {
        fn visit_expr_method_call(&mut self, m: &'ast ExprMethodCall) {
            self.0 |= m.method == "flatten" || m.method == "flat_map";
            visit::visit_expr_method_call(self, m);
        }
    }
    let mut mentions = Mentions(false);
    mentions.visit_block(block);
    mentions.0.then(|| {
        let mut block = block.clone();
        Flattened { float, count: 0 }.visit_block_mut(&mut block);
        block
    })
}

struct Flattened<'a> {
    float: &'a Type,
    count: usize,
}

impl VisitMut for Flattened<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        visit_mut::visit_expr_mut(self, e);
        if let Expr::MethodCall(m) = e {
            if let Some(nested) = self.nested(m) {
                *e = nested;
            }
        }
    }
}

impl Flattened<'_> {
    fn nested(&mut self, m: &ExprMethodCall) -> Option<Expr> {
        if !(m.method == "sum" || m.method == "product") || !m.args.is_empty() {
            return None;
        }
        let mut after = Vec::new();
        let mut e = &*m.receiver;
        let rows = loop {
            let Expr::MethodCall(c) = e else {
                return None;
            };
            match (c.method.to_string().as_str(), c.args.first()) {
                ("flatten", None) => break &*c.receiver,
                ("flat_map", Some(Expr::Closure(f))) if c.args.len() == 1 => {
                    let [syn::Pat::Ident(row)] = &*f.inputs.iter().collect::<Vec<_>>() else {
                        return None;
                    };
                    let Expr::MethodCall(inner) = &*f.body else {
                        return None;
                    };
                    let direct =
                        matches!(&*inner.receiver, Expr::Path(p) if p.path.is_ident(&row.ident));
                    if !direct || inner.method != "iter" || !inner.args.is_empty() {
                        return None;
                    }
                    break &*c.receiver;
                }
                ("map" | "filter" | "copied" | "cloned", _) => {
                    after.push(c);
                    e = &c.receiver;
                }
                _ => return None,
            }
        };
        self.count += 1;
        let span = m.method.span();
        let row = Ident::new(&format!("{SYNTHETIC}row_{}", self.count), span);
        let mut inner: Expr = parse_quote_spanned!(span=> #row.iter());
        for c in after.into_iter().rev() {
            let (method, args) = (&c.method, &c.args);
            inner = parse_quote_spanned!(span=> #inner.#method(#args));
        }
        let (method, f) = (&m.method, self.float);
        Some(parse_quote_spanned!(span=>
            #rows.map(|#row| #inner.#method::<#f>()).#method::<#f>()
        ))
    }
}
