//! A mutable reference to an element that is only written and read through (`*r`,
//! `r.sin()`), rewritten before lowering into the index it stands for, under the test that the element
//! is there:
//!
//! ```text
//! if let Some(r) = v.last_mut() {         =>   if !v.is_empty() {
//!     *r *= 2.0;                                   let at = v.len() - 1;
//! }                                                v[at] *= 2.0;
//!                                              }
//! if let Some(r) = v.get_mut(i) { .. }    =>   { let at = i; if at < v.len() { .. v[at] .. } }
//! let Some(r) = v.first_mut() else {     =>   if v.is_empty() { return 0.0; }
//!     return 0.0;                              .. v[0] ..
//! };
//! ```
//!
//! `v` is a place (a local, a field, an element: `m[i]`), which reading twice does not
//! change; while `r` lives Rust lets nothing else change `v`, so `v[at]` is the element `r`
//! points to wherever `*r` was. A reference used otherwise (passed on, rebound, read in a
//! macro) is left as written, and reported (`control.rs`).

use proc_macro2::Span;
use syn::visit::Visit;
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote_spanned, Block, Expr, ExprIf, Ident, Pat, Stmt, UnOp};

use super::SYNTHETIC;

/// Rewrites every such `if let` and `let .. else` of `block`, in closures too.
pub fn desugar(block: &mut Block) {
    Refs { count: 0 }.visit_block_mut(block);
}

struct Refs {
    count: usize,
}

impl Refs {
    fn fresh(&mut self, span: Span) -> Ident {
        self.count += 1;
        Ident::new(&format!("{SYNTHETIC}at{}_index", self.count), span)
    }
}

impl VisitMut for Refs {
    fn visit_block_mut(&mut self, block: &mut Block) {
        // A `let .. else` takes the statements after it as its scope.
        let mut start = 0;
        while let Some(k) = block.stmts[start..].iter().position(is_let_else) {
            let k = start + k;
            let Stmt::Local(local) = block.stmts[k].clone() else {
                break;
            };
            let mut rest = Block {
                brace_token: block.brace_token,
                stmts: block.stmts.split_off(k + 1),
            };
            block.stmts.pop();
            let stmts = self
                .unwrapped_let(&local, &mut rest)
                .unwrap_or_else(|| vec![Stmt::Local(local)]);
            start = k + stmts.len();
            block.stmts.extend(stmts);
            block.stmts.extend(rest.stmts);
        }
        visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::If(i) = e {
            if let Some(rewritten) = self.indexed_if(i) {
                *e = rewritten;
            }
        }
        visit_mut::visit_expr_mut(self, e);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

impl Refs {
    /// `if let Some(r) = v.last_mut() { .. } else { .. }` as the `if` on the index.
    fn indexed_if(&mut self, i: &ExprIf) -> Option<Expr> {
        let Expr::Let(l) = &*i.cond else {
            return None;
        };
        let reference = some_binding(&l.pat)?;
        let element = Element::of(&l.expr)?;
        let mut then = i.then_branch.clone();
        if !only_dereferenced(&then, reference) {
            return None;
        }
        let at = self.fresh(element.span);
        replace_derefs(&mut then, reference, &element.read(&at));
        let (array, span) = (&element.array, element.span);
        let otherwise = i.else_branch.as_ref().map(|(_, e)| quote::quote!(else #e));
        let attrs = &i.attrs;
        Some(match &element.position {
            Position::First => parse_quote_spanned!(span=>
                #(#attrs)* if !#array.is_empty() #then #otherwise
            ),
            Position::Last => {
                then.stmts
                    .insert(0, parse_quote_spanned!(span=> let #at = #array.len() - 1;));
                parse_quote_spanned!(span=> #(#attrs)* if !#array.is_empty() #then #otherwise)
            }
            Position::At(index) => parse_quote_spanned!(span=> {
                let #at = #index;
                #(#attrs)* if #at < #array.len() #then #otherwise
            }),
        })
    }

    /// `let Some(r) = v.last_mut() else { .. };` and the statements after it (`rest`, whose
    /// `*r` become `v[at]`) as the test that leaves by the `else` and the index's `let`.
    fn unwrapped_let(&mut self, local: &syn::Local, rest: &mut Block) -> Option<Vec<Stmt>> {
        let (reference, scrutinee, otherwise) = let_else_parts(local)?;
        let element = Element::of(scrutinee)?;
        if !only_dereferenced(rest, reference) {
            return None;
        }
        let at = self.fresh(element.span);
        replace_derefs(rest, reference, &element.read(&at));
        let (array, span) = (&element.array, element.span);
        Some(match &element.position {
            Position::First => vec![parse_quote_spanned!(span=> if #array.is_empty() #otherwise)],
            Position::Last => vec![
                parse_quote_spanned!(span=> if #array.is_empty() #otherwise),
                parse_quote_spanned!(span=> let #at = #array.len() - 1;),
            ],
            Position::At(index) => vec![
                parse_quote_spanned!(span=> let #at = #index;),
                parse_quote_spanned!(span=> if #at >= #array.len() #otherwise),
            ],
        })
    }
}

/// The element a `v.first_mut()`, `v.last_mut()` or `v.get_mut(i)` lends.
struct Element {
    array: Expr,
    position: Position,
    span: Span,
}

enum Position {
    First,
    Last,
    At(Expr),
}

impl Element {
    fn of(e: &Expr) -> Option<Element> {
        let Expr::MethodCall(m) = e else {
            return None;
        };
        let position = match (m.method.to_string().as_str(), m.args.first()) {
            ("first_mut", None) => Position::First,
            ("last_mut", None) => Position::Last,
            ("get_mut", Some(i)) if m.args.len() == 1 && !matches!(i, Expr::Range(_)) => {
                Position::At(i.clone())
            }
            _ => return None,
        };
        is_place(&m.receiver).then(|| Element {
            array: (*m.receiver).clone(),
            position,
            span: m.method.span(),
        })
    }

    /// The element, read at the index `at` holds (`v[0]` for the first).
    fn read(&self, at: &Ident) -> Expr {
        let array = &self.array;
        match self.position {
            Position::First => parse_quote_spanned!(self.span=> #array[0]),
            _ => parse_quote_spanned!(self.span=> #array[#at]),
        }
    }
}

/// A local, a field or an element of one (`v`, `self.buf`, `rows[i]`): read again, the same.
fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Path(p) => p.qself.is_none(),
        Expr::Field(f) => is_place(&f.base),
        Expr::Index(i) => is_place(&i.expr) && is_place_or_literal(&i.index),
        Expr::Paren(p) => is_place(&p.expr),
        _ => false,
    }
}

fn is_place_or_literal(e: &Expr) -> bool {
    matches!(e, Expr::Lit(_)) || is_place(e)
}

/// `r` of `Some(r)` (`Some(mut r)`).
fn some_binding(pat: &Pat) -> Option<&Ident> {
    let Pat::TupleStruct(t) = pat else {
        return None;
    };
    match (t.path.is_ident("Some"), t.elems.first()) {
        (true, Some(Pat::Ident(p))) if t.elems.len() == 1 => {
            (p.by_ref.is_none() && p.subpat.is_none()).then_some(&p.ident)
        }
        _ => None,
    }
}

/// A `let Some(r) = v.last_mut() else { .. };` (`first_mut`, `get_mut(i)`).
fn is_let_else(stmt: &Stmt) -> bool {
    matches!(stmt, Stmt::Local(local) if let_else_parts(local).is_some())
}

/// The reference, the value and the `else` of `let Some(r) = value else { .. };`, the value
/// a mutable element.
fn let_else_parts(local: &syn::Local) -> Option<(&Ident, &Expr, &Expr)> {
    let init = local.init.as_ref()?;
    let (_, otherwise) = init.diverge.as_ref()?;
    let reference = some_binding(&local.pat)?;
    Element::of(&init.expr)?;
    Some((reference, &init.expr, otherwise))
}

/// Whether every use of `reference` in `block` is `*reference` or a method's receiver
/// (`reference.sin()`), the name never bound again
/// and never in a macro's arguments (which are not read here).
fn only_dereferenced(block: &Block, reference: &Ident) -> bool {
    let mut uses = Uses {
        reference,
        dereferenced: 0,
        mentioned: 0,
        rebound: false,
    };
    uses.visit_block(block);
    !uses.rebound && uses.dereferenced == uses.mentioned
}

struct Uses<'a> {
    reference: &'a Ident,
    dereferenced: usize,
    mentioned: usize,
    rebound: bool,
}

impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_expr_unary(&mut self, u: &'ast syn::ExprUnary) {
        if matches!(u.op, UnOp::Deref(_)) && names(&u.expr, self.reference) {
            self.dereferenced += 1;
        }
        syn::visit::visit_expr_unary(self, u);
    }

    // `r.sin()`: a method call dereferences its receiver as needed, as `v[at].sin()` does.
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if names(&m.receiver, self.reference) {
            self.dereferenced += 1;
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        self.mentioned += usize::from(p.path.is_ident(self.reference));
    }

    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.rebound |= p.ident == *self.reference;
        syn::visit::visit_pat_ident(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.rebound |= super::pushes::mentions(&m.tokens, self.reference);
    }

    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

fn names(e: &Expr, name: &Ident) -> bool {
    matches!(e, Expr::Path(p) if p.path.is_ident(name))
}

/// `block` with every `*reference` (and `reference.method(..)`'s receiver) the `element` it
/// points to.
fn replace_derefs(block: &mut Block, reference: &Ident, element: &Expr) {
    struct Replace<'a> {
        reference: &'a Ident,
        element: &'a Expr,
    }
    impl VisitMut for Replace<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            if let Expr::Unary(u) = e {
                if matches!(u.op, UnOp::Deref(_)) && names(&u.expr, self.reference) {
                    *e = self.element.clone();
                    return;
                }
            }
            if let Expr::MethodCall(m) = e {
                if names(&m.receiver, self.reference) {
                    *m.receiver = self.element.clone();
                }
            }
            visit_mut::visit_expr_mut(self, e);
        }

        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    Replace { reference, element }.visit_block_mut(block);
}

/// `v.first_mut()`, `v.last_mut()`, `v.get_mut(i)`: what the lowering reports when a
/// reference it lends is not rewritten.
pub(super) fn lends_element(e: &Expr) -> bool {
    matches!(e, Expr::MethodCall(m) if ["first_mut", "last_mut", "get_mut"].contains(&&*m.method.to_string()))
}
