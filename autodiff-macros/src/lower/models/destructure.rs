//! `let Self { w, b } = self;`, `let Dense { w, b: bias, .. } = &net.l1;`, `let Cfg { n, ..
//! } = cfg;`, `let &Rate { log_a, ea } = rate;`, `let Weight(a, b) = w;`, and the same
//! patterns in a parameter's place: a model or a data struct destructured into its
//! fields. Before the scan, such a `let` becomes one `let` per bound field, which the scan
//! and the rewrite then treat as any local bound to a field.
//!
//! A model's field is bound by reference when the body reads it as an array or lends it
//! (indexed, iterated, passed to a call or a method: `let w = &self.w;`), else by value
//! (`let b = self.b;` for `s + b`, `*b`, `b.exp()`): a number read through Rust's reference
//! is the number, which is what the sweeps need. A data struct's field is bound as Rust binds
//! it: by reference when the struct is reached through one (`cfg` of `cfg: &Cfg`, `&w`,
//! `self` of `&self`), by value otherwise (`*cfg`, `net.cfg`, a struct passed by value), so
//! the body's own `*n` and `0..n` read it as written. `mut` binds a copy.

use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Member, Pat, Stmt};

use crate::hash::{HashMap, HashSet};

use super::{field_chain, model_name};
use crate::lower::strip_type;

pub(in crate::lower) struct Destructure<'a> {
    pub(in crate::lower) models: &'a HashMap<String, usize>,
    pub(in crate::lower) data: &'a HashSet<usize>,
    /// Parameters passed by reference (`cfg: &Cfg`, `&self`), by name.
    pub(in crate::lower) references: HashSet<String>,
    /// Locals the body reads as arrays or lends, by name.
    pub(in crate::lower) lent: HashSet<String>,
}

/// What a `let` destructures: the place its fields are read from, whether that is data, and
/// whether Rust binds the fields by reference.
struct Place<'e> {
    expr: &'e Expr,
    data: bool,
    by_reference: bool,
}

impl Destructure<'_> {
    /// The model or data struct, or the field chain of one, that `init` destructures:
    /// `self`, `*self`, `&net.l1`.
    fn place<'e>(&self, init: &'e Expr) -> Option<Place<'e>> {
        let (expr, by_reference) = match init {
            Expr::Reference(r) if r.mutability.is_none() => (&*r.expr, true),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => (&*u.expr, false),
            Expr::Paren(p) => return self.place(&p.expr),
            Expr::Path(p) => (
                init,
                p.path
                    .get_ident()
                    .is_some_and(|i| self.references.contains(&i.to_string())),
            ),
            other => (other, false),
        };
        let model = model_name(self.models, expr)
            .or_else(|| field_chain(self.models, expr).map(|(m, _)| m))?;
        Some(Place {
            expr,
            data: self.data.contains(&model),
            by_reference,
        })
    }

    /// The `let`s a struct pattern on a model or a data struct stands for, or `None` to
    /// leave `stmt` as written (lowering reports a pattern it cannot bind).
    fn field_lets(&self, stmt: &Stmt) -> Option<Vec<Stmt>> {
        let Stmt::Local(local) = stmt else {
            return None;
        };
        let init = local.init.as_ref().filter(|init| init.diverge.is_none())?;
        // `let &Rate { log_a, ea } = rate;`: the fields bound by value.
        let (pat, by_value) = match strip_type(&local.pat) {
            Pat::Reference(r) if r.mutability.is_none() => (&*r.pat, true),
            pat => (pat, false),
        };
        let fields = fields(pat)?;
        let mut place = self.place(&init.expr)?;
        place.by_reference &= !by_value;
        let base = place.expr;
        let mut lets = Vec::new();
        for (member, pat) in fields {
            let read: Expr = syn::parse_quote_spanned!(pat.span()=> #base.#member);
            match pat {
                Pat::Wild(_) => {}
                // (`ref mut` is left to lowering, which reports it.)
                Pat::Ident(pi)
                    if pi.subpat.is_none() && (pi.by_ref.is_none() || pi.mutability.is_none()) =>
                {
                    let (name, mutability) = (&pi.ident, &pi.mutability);
                    let by_reference = if place.data {
                        place.by_reference || pi.by_ref.is_some()
                    } else {
                        self.lent.contains(&name.to_string())
                    };
                    lets.push(if by_reference && mutability.is_none() {
                        syn::parse_quote_spanned!(name.span()=> let #name = &#read;)
                    } else {
                        syn::parse_quote_spanned!(name.span()=> let #mutability #name = #read;)
                    });
                }
                // `w: [w0, w1]`: the array's elements, as `let [w0, w1] = net.w;` binds them.
                Pat::Slice(elements) if !place.data => {
                    lets.push(syn::parse_quote_spanned!(elements.span()=> let #elements = #read;))
                }
                // A nested struct destructured in place.
                Pat::Struct(_) | Pat::TupleStruct(_) => {
                    let inner: Stmt = if place.by_reference || !place.data {
                        syn::parse_quote!(let #pat = &#read;)
                    } else {
                        syn::parse_quote!(let #pat = #read;)
                    };
                    lets.extend(self.field_lets(&inner)?);
                }
                _ => return None,
            }
        }
        Some(lets)
    }
}

/// The fields a struct pattern binds, with their patterns: named (`Net { w, b: bias, .. }`)
/// or by position (`Weight(a, b)`, `Pair(first, ..)`).
fn fields(pat: &Pat) -> Option<Vec<(Member, &Pat)>> {
    match pat {
        Pat::Struct(ps) => Some(
            ps.fields
                .iter()
                .map(|f| (f.member.clone(), &*f.pat))
                .collect(),
        ),
        Pat::TupleStruct(ts) => {
            let mut fields = Vec::new();
            for (index, p) in ts.elems.iter().enumerate() {
                match p {
                    // Positions after a `..` count from an end the macro does not see.
                    Pat::Rest(_) if index + 1 == ts.elems.len() => {}
                    Pat::Rest(_) => return None,
                    p => fields.push((Member::from(index), p)),
                }
            }
            Some(fields)
        }
        _ => None,
    }
}

impl VisitMut for Destructure<'_> {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        super::replace_stmts(block, |stmt| self.field_lets(stmt));
        syn::visit_mut::visit_block_mut(self, block);
    }
}

/// The parameters passed by reference (`cfg: &Cfg`, `&self`), by name.
pub(in crate::lower) fn reference_params(sig: &syn::Signature) -> HashSet<String> {
    sig.inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Receiver(r) => r.reference.is_some().then(|| "self".to_string()),
            syn::FnArg::Typed(t) => match (&*t.pat, &*t.ty) {
                (Pat::Ident(pi), syn::Type::Reference(_)) => Some(pi.ident.to_string()),
                _ => None,
            },
        })
        .collect()
}

/// The locals `block` reads as arrays (indexed, iterated: `lower::array_names`) or lends
/// whole: a bare name passed to a call or a method, or the receiver of a method that is not a
/// float's (`layer.forward(x)`).
pub(in crate::lower) fn lent_names(block: &syn::Block) -> HashSet<String> {
    struct Collect(HashSet<String>);
    impl Collect {
        fn note(&mut self, e: &Expr) {
            if let Expr::Path(p) = e {
                if let Some(i) = p.path.get_ident() {
                    self.0.insert(i.to_string());
                }
            }
        }
    }
    impl<'ast> Visit<'ast> for Collect {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            c.args.iter().for_each(|a| self.note(a));
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            m.args.iter().for_each(|a| self.note(a));
            if crate::lower::is_array_method(&m.method.to_string()) {
                self.note(&m.receiver);
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut c = Collect(crate::lower::prescan::array_names(&block.stmts, false));
    c.visit_block(block);
    c.0
}

/// Whether `block` has a struct pattern: most bodies have none, and skip the pass.
pub(in crate::lower) fn destructures(block: &syn::Block) -> bool {
    struct Find(bool);
    impl<'ast> Visit<'ast> for Find {
        fn visit_pat_struct(&mut self, _: &'ast syn::PatStruct) {
            self.0 = true;
        }
        fn visit_pat_tuple_struct(&mut self, _: &'ast syn::PatTupleStruct) {
            self.0 = true;
        }
    }
    let mut f = Find(false);
    f.visit_block(block);
    f.0
}
