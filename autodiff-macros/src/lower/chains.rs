//! Chains rewritten before lowering into what the sweeps know. A flattened sum or product,
//! `rows.iter().flatten().map(f).sum()` (or `flat_map(|r| r.iter())`, then `map`, `filter`,
//! `copied`, `cloned`), is the sum over the rows of each row's sum, a loop in a loop; a sum
//! over a sequence of sub-models whose closure lends each to a call or reads its fields is the
//! loop that lends them (`lower/models.rs` differentiates it):
//!
//! ```text
//! w.iter().flatten().map(|v| v * v).sum::<f64>()
//!     => w.iter().map(|row| row.iter().map(|v| v * v).sum::<f64>()).sum::<f64>()
//! self.layers.iter().map(|l| l.penalty()).sum::<f64>()
//!     => { let mut total = 0.0; for l in self.layers.iter() { total += l.penalty(); } total }
//! ```

use syn::visit::{self, Visit};
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote_spanned, Expr, ExprMethodCall, Ident, Type};

use super::SYNTHETIC;
use crate::hash::HashSet;

/// `block` with those chains rewritten, if it has one; `float` is the function's float type,
/// `models` the names of its model parameters (whose sequences of sub-models a chain may lend).
pub fn desugared(block: &syn::Block, float: &Type, models: &HashSet<String>) -> Option<syn::Block> {
    struct Mentions(bool, bool);
    impl<'ast> Visit<'ast> for Mentions {
        fn visit_expr_method_call(&mut self, m: &'ast ExprMethodCall) {
            self.0 |= m.method == "flatten"
                || m.method == "flat_map"
                || (self.1 && (m.method == "sum" || m.method == "collect") && m.args.is_empty())
                || (self.1 && m.method == "fold" && m.args.len() == 2);
            visit::visit_expr_method_call(self, m);
        }
    }
    let mut mentions = Mentions(false, !models.is_empty());
    mentions.visit_block(block);
    mentions.0.then(|| {
        let mut block = block.clone();
        Chains {
            float,
            models,
            count: 0,
        }
        .visit_block_mut(&mut block);
        block
    })
}

struct Chains<'a> {
    float: &'a Type,
    models: &'a HashSet<String>,
    count: usize,
}

impl VisitMut for Chains<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        visit_mut::visit_expr_mut(self, e);
        if let Expr::MethodCall(m) = e {
            if let Some(rewritten) = self.nested(m).or_else(|| self.lending(m)) {
                *e = rewritten;
            }
        }
    }
}

impl Chains<'_> {
    /// `seq.iter().map(|l| body).sum()`, `.collect()` or `seq.iter().fold(init, |acc, l|
    /// body)` over a field of sub-models (or rows), `body` lending `l` to calls (or reading
    /// its fields, for a model's field) only: the loop that adds up, pushes or folds `body`; a
    /// vector `acc` may change its length (layers of different widths).
    fn lending(&mut self, m: &ExprMethodCall) -> Option<Expr> {
        let span = m.method.span();
        let args: Vec<&Expr> = m.args.iter().collect();
        let method = m.method.to_string();
        let (iter, acc, init, closure) = match (method.as_str(), &*args) {
            ("sum" | "collect", []) => {
                let Expr::MethodCall(map) = &*m.receiver else {
                    return None;
                };
                let (Some(Expr::Closure(closure)), 1) = (map.args.first(), map.args.len()) else {
                    return None;
                };
                if map.method != "map" {
                    return None;
                }
                self.count += 1;
                let f = self.float;
                let (name, init): (&str, Expr) = match method.as_str() {
                    "collect" => (
                        "collected",
                        parse_quote_spanned!(span=> ::std::vec::Vec::<#f>::new()),
                    ),
                    // A literal for a concrete float type; `T::zero()` for a generic one.
                    _ if matches!(f, Type::Path(p) if p.path.is_ident("f64") || p.path.is_ident("f32")) => {
                        ("total", parse_quote_spanned!(span=> 0.0))
                    }
                    _ => ("total", parse_quote_spanned!(span=> #f::zero())),
                };
                let acc = Ident::new(&format!("{SYNTHETIC}{name}_{}", self.count), span);
                (&*map.receiver, acc, init, closure)
            }
            ("fold", [init, Expr::Closure(f)]) => {
                let [syn::Pat::Ident(acc), _] = &*f.inputs.iter().collect::<Vec<_>>() else {
                    return None;
                };
                (&*m.receiver, acc.ident.clone(), (*init).clone(), f)
            }
            _ => return None,
        };
        let Expr::MethodCall(iter) = iter else {
            return None;
        };
        let mut iter: &ExprMethodCall = iter;
        // `.zip(xs)` of the items with a parameter's or a local's (`|(row, x)| dot(row, x)`;
        // also `&xs`, `xs.iter()`).
        let mut partner = None;
        if let (true, [other], Expr::MethodCall(inner)) = (
            iter.method == "zip",
            &*iter.args.iter().collect::<Vec<_>>(),
            &*iter.receiver,
        ) {
            let array = match other {
                Expr::Reference(r) => &*r.expr,
                Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => &*m.receiver,
                other => other,
            };
            if !matches!(array, Expr::Path(p) if p.path.get_ident().is_some()) {
                return None;
            }
            (partner, iter) = (Some(*other), inner);
        }
        let field = matches!(&*iter.receiver, Expr::Field(_));
        if iter.method != "iter" || !iter.args.is_empty() || !field {
            return None;
        }
        let (item, pattern) = match (&*closure.inputs.iter().collect::<Vec<_>>(), partner) {
            ([syn::Pat::Ident(item)] | [_, syn::Pat::Ident(item)], None) => {
                (item.ident.clone(), syn::Pat::Ident(item.clone()))
            }
            ([syn::Pat::Tuple(pair)], Some(_)) if pair.elems.len() == 2 => {
                let syn::Pat::Ident(item) = &pair.elems[0] else {
                    return None;
                };
                (item.ident.clone(), syn::Pat::Tuple(pair.clone()))
            }
            _ => return None,
        };
        let mut uses = super::models::Uses::of(&item);
        uses.visit_expr(&closure.body);
        let mut root = &*iter.receiver;
        while let Expr::Field(f) = root {
            root = &f.base;
        }
        let of_model = matches!(root, Expr::Path(p) if p.path.get_ident().is_some_and(|i| self.models.contains(&i.to_string())));
        if !(uses.only_lent() || of_model && uses.lent_or_read()) {
            return None;
        }
        let (sequence, body) = (&iter.receiver, &closure.body);
        let step: syn::Stmt = match method.as_str() {
            "sum" => parse_quote_spanned!(span=> #acc += #body;),
            "collect" => parse_quote_spanned!(span=> #acc.push(#body);),
            _ => parse_quote_spanned!(span=> #acc = #body;),
        };
        let zipped = partner.map(|other| quote::quote!(.zip(#other)));
        Some(parse_quote_spanned!(span=> {
            let mut #acc = #init;
            for #pattern in #sequence.iter() #zipped {
                #step
            }
            #acc
        }))
    }

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
