//! What names a body reads as integers (range bounds, indices, lengths, `as` casts to an
//! integer, bit operations): the locals and items that are no floats, and whether a `let`'s
//! value is read as one before it is bound again.

use super::*;

/// Names read as integers: range bounds, indices, array lengths (`[0.0; N]`), `as` casts.
pub(super) fn integer_names(block: &syn::Block, sig: &Signature) -> HashSet<String> {
    let mut reads = IntegerReads::new(primitive_float_type(&sig.float));
    reads.visit_block(block);
    reads.names
}

/// Whether `stmts`, the statements after `let name = ..;`, read `name` as an integer before
/// they bind it again (a later `let name` may hold a float).
/// `float`: the function's, if `f32` or `f64`.
pub(crate) fn read_as_integer(
    name: &syn::Ident,
    stmts: &[SynStmt],
    float: Option<&'static str>,
) -> bool {
    let mut reads = IntegerReads::new(float);
    for stmt in stmts {
        match stmt {
            SynStmt::Local(local) if matches!(&local.pat, Pat::Ident(pi) if pi.ident == *name) => {
                if let Some(init) = &local.init {
                    reads.visit_expr(&init.expr);
                }
                break;
            }
            stmt => reads.visit_stmt(stmt),
        }
    }
    reads.names.contains(&name.to_string())
}

/// Collects the names an expression reads as integers.
struct IntegerReads {
    names: HashSet<String>,
    /// The function's float type, if `f32` or `f64`: a cast to the other (`EPS as f64` in an
    /// `f32` function) says nothing.
    float: Option<&'static str>,
}

impl IntegerReads {
    fn new(float: Option<&'static str>) -> Self {
        IntegerReads {
            names: HashSet::default(),
            float,
        }
    }

    fn note(&mut self, e: &Expr) {
        match e {
            Expr::Path(p) => {
                if let Some(last) = p.path.segments.last() {
                    self.names.insert(last.ident.to_string());
                }
            }
            // `pts[ed[0]]`: `ed` holds integers.
            Expr::Index(i) => self.note(&i.expr),
            _ => {}
        }
    }
}

impl IntegerReads {
    /// The names in an expression that is an integer (an index, a length, a range a loop
    /// counts through): also the operands of its arithmetic (`n - 1 - i`), which Rust types
    /// as the result.
    fn note_integer(&mut self, e: &Expr) {
        match e {
            Expr::Binary(b)
                if matches!(
                    b.op,
                    syn::BinOp::Add(_)
                        | syn::BinOp::Sub(_)
                        | syn::BinOp::Mul(_)
                        | syn::BinOp::Div(_)
                        | syn::BinOp::Rem(_)
                ) =>
            {
                self.note_integer(&b.left);
                self.note_integer(&b.right);
            }
            Expr::Paren(p) => self.note_integer(&p.expr),
            Expr::Range(r) => r
                .start
                .iter()
                .chain(&r.end)
                .for_each(|e| self.note_integer(e)),
            e => self.note(e),
        }
    }
}

impl<'ast> Visit<'ast> for IntegerReads {
    // `let picks: [usize; 2] = PICKS;`: the annotation says what the constant holds.
    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let (Pat::Type(pt), Some(init)) = (&local.pat, &local.init) {
            if is_integer_type(&pt.ty) {
                match &*init.expr {
                    Expr::Reference(r) => self.note(&r.expr),
                    e => self.note(e),
                }
            }
        }
        syn::visit::visit_local(self, local);
    }
    fn visit_expr_range(&mut self, r: &'ast syn::ExprRange) {
        r.start.iter().chain(&r.end).for_each(|e| self.note(e));
        syn::visit::visit_expr_range(self, r);
    }
    // Bits: `ix >> 20`, `ix &= 0x7fffffff`, `k | 1` (no float has them; a bool's `&` and `|`
    // are told apart by an integer literal beside them).
    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        let shift = matches!(
            b.op,
            syn::BinOp::Shl(_)
                | syn::BinOp::Shr(_)
                | syn::BinOp::ShlAssign(_)
                | syn::BinOp::ShrAssign(_)
        );
        let bits = matches!(
            b.op,
            syn::BinOp::BitAnd(_)
                | syn::BinOp::BitOr(_)
                | syn::BinOp::BitXor(_)
                | syn::BinOp::BitAndAssign(_)
                | syn::BinOp::BitOrAssign(_)
                | syn::BinOp::BitXorAssign(_)
        );
        let int_literal = |e: &Expr| {
            matches!(
                e,
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(_),
                    ..
                })
            )
        };
        if shift || (bits && (int_literal(&b.left) || int_literal(&b.right))) {
            self.note_integer(&b.left);
            self.note_integer(&b.right);
        }
        syn::visit::visit_expr_binary(self, b);
    }
    fn visit_expr_index(&mut self, i: &'ast syn::ExprIndex) {
        self.note_integer(&i.index);
        syn::visit::visit_expr_index(self, i);
    }
    fn visit_expr_repeat(&mut self, r: &'ast syn::ExprRepeat) {
        self.note_integer(&r.len);
        syn::visit::visit_expr_repeat(self, r);
    }
    // `for i in 0..n - 1`, `for i in (0..n).rev()`: a range a loop counts through.
    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        let mut counted = &*f.expr;
        loop {
            match counted {
                Expr::MethodCall(m)
                    if ["rev", "step_by", "skip", "take"].contains(&&*m.method.to_string()) =>
                {
                    counted = &m.receiver
                }
                Expr::Paren(p) => counted = &p.expr,
                _ => break,
            }
        }
        if let Expr::Range(_) = counted {
            self.note_integer(counted);
        }
        syn::visit::visit_expr_for_loop(self, f);
    }
    fn visit_expr_cast(&mut self, c: &'ast syn::ExprCast) {
        let other_float = matches!(
            (self.float, primitive_float_type(&c.ty)),
            (Some(f), Some(t)) if f != t
        );
        if !other_float {
            self.note(&c.expr);
        }
        syn::visit::visit_expr_cast(self, c);
    }
}

/// Whether a type holds integers only: an integer, or an array, slice or reference of them
/// (`[usize; 2]`, `&[i32]`).
pub(super) fn is_integer_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p
            .path
            .get_ident()
            .is_some_and(|i| INT_TYPES.contains(&i.to_string().as_str())),
        syn::Type::Array(a) => is_integer_type(&a.elem),
        syn::Type::Slice(s) => is_integer_type(&s.elem),
        syn::Type::Reference(r) => is_integer_type(&r.elem),
        syn::Type::Paren(p) => is_integer_type(&p.elem),
        _ => false,
    }
}
