//! What a value of a type the lowering cannot see is taken for where a call is handed it:
//! float data (a constant table's element, a data struct's field not named like a size, a
//! number behind a `&f64` left out of `#[grad(..)]`), which the callee gets a `Const` shadow
//! for, checked to be one where it is passed; or not (an integer, a flag, a struct).

use super::call::is_logic;
use super::names::{is_constructor, is_size_name, names_constant};
use super::*;

impl Lowerer<'_> {
    /// Whether the parameter `name` is written as a reference to the function's float
    /// (`w: &f64` left out of `#[grad(..)]`): float data behind `&`.
    pub(super) fn refers_to_number(&self, name: &str) -> bool {
        matches!(self.sig.written_types.get(name), Some(syn::Type::Reference(r))
            if crate::lower::type_kind(&r.elem, self.sig) == Ty::Float)
    }

    /// Whether `arg` is an element of a parameter whose type the function does not look into
    /// but which holds floats (`&bs[1]` of `bs: &[[[f64; 2]; 2]; 3]`; not a field, which may
    /// be a size).
    pub(super) fn part_of_float_data(&self, arg: &Expr) -> bool {
        let (mut e, mut indexed) = (arg, false);
        loop {
            e = match e {
                Expr::Reference(r) => &r.expr,
                Expr::Paren(p) => &p.expr,
                Expr::Index(i) => {
                    indexed = true;
                    &i.expr
                }
                Expr::Path(p) => {
                    let Some(ident) = p.path.get_ident() else {
                        return false;
                    };
                    return indexed
                        && matches!(self.lookup(&ident.to_string()), Some(Binding::Opaque))
                        && self.sig.float_data.iter().any(|(name, ..)| name == ident);
                }
                _ => return false,
            };
        }
    }

    /// Whether an argument of unknown type reads as a float: arithmetic on floats, a float
    /// method, an element of a `const` table, or an `if`/`match`/block ending in one.
    pub(super) fn looks_float(&self, arg: &Expr) -> bool {
        match arg {
            // A value of an enum or a struct (`Some(2.0)`, `None`, `Act::Scaled(0.5)`,
            // `Config { .. }`): data that is not a float.
            Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if is_constructor(&p.path)) => false,
            Expr::Path(p) if is_constructor(&p.path) => false,
            Expr::Struct(_) => false,
            Expr::If(i) => {
                let then_tail = i.then_branch.stmts.last();
                let tail_float = |s: Option<&syn::Stmt>| matches!(s, Some(syn::Stmt::Expr(e, None)) if self.looks_float(e));
                tail_float(then_tail)
                    || i.else_branch
                        .as_ref()
                        .is_some_and(|(_, e)| self.looks_float(e))
            }
            Expr::Match(m) => m.arms.iter().any(|a| self.looks_float(&a.body)),
            Expr::Block(b) => {
                matches!(b.block.stmts.last(), Some(syn::Stmt::Expr(e, None)) if self.looks_float(e))
            }
            Expr::Paren(p) => self.looks_float(&p.expr),
            other => match self.opaque_type(other) {
                Ty::Float => true,
                Ty::Int | Ty::Bool => false,
                Ty::Unknown => {
                    indexes_constant(other) || mentions_float(other) || self.float_parts(other)
                }
            },
        }
    }

    /// Arithmetic on values that look like floats (`TABLE[1] + TABLE[0]`), a call of them
    /// (`scale(TABLE[0], TABLE[1])`, `total(&TABLE)`), or a data struct's field not named like
    /// a size (`cfg.scale`, not `cfg.n`) or an element of one (`cfg.shift[1]`), or a float
    /// method of any of these (`cfg.shift[1].min(x)`), an element or a fold of any of these,
    /// or the success of any of these (`g(EPS)?`, `g(EPS).unwrap()`).
    pub(super) fn float_parts(&self, expr: &Expr) -> bool {
        if let Some(inner) = opaque::success_value(expr).or(build::bound_reference(expr)) {
            return self.looks_float(inner);
        }
        match expr {
            Expr::Binary(b) if compound_op(&b.op).is_none() && !is_logic(&b.op) => {
                self.looks_float(&b.left) || self.looks_float(&b.right)
            }
            Expr::Unary(u) if matches!(u.op, SynUnOp::Neg(_) | SynUnOp::Deref(_)) => {
                self.looks_float(&u.expr)
            }
            // A call on float data (`total(&TABLE)`, `scale(TABLE[0], c)`).
            Expr::Call(c) => c.args.iter().any(|a| self.looks_float(a)),
            Expr::Reference(r) => self.looks_float(&r.expr),
            // An element of a data struct's field (`cfg.shift[1]`) or of a local bound to one
            // (`let s = &cfg.shift; s[1]`), a float method of one.
            Expr::Index(i) => {
                matches!(&*i.expr, Expr::Field(_) | Expr::Path(_)) && self.float_parts(&i.expr)
            }
            Expr::MethodCall(m) if rules::lookup(&m.method.to_string()).is_some() => {
                self.looks_float(&m.receiver)
            }
            // An element taken out of float data (`TABLE.get(k).copied()`, `TABLE.first()`), a
            // copy of some (`&x[1..].to_vec()` of a data row).
            Expr::MethodCall(m)
                if [
                    "get", "first", "last", "copied", "cloned", "to_vec", "to_owned",
                ]
                .contains(&m.method.to_string().as_str()) =>
            {
                self.looks_float(&m.receiver)
            }
            // A row or a column of a matrix of data (`x.row(i)`, `m.column(j)`,
            // `v.as_slice()`): its floats, which the callee takes a shadow for.
            Expr::MethodCall(m)
                if [
                    "row",
                    "col",
                    "column",
                    "as_slice",
                    "row_slice",
                    "column_slice",
                    "get_row",
                ]
                .contains(&m.method.to_string().as_str()) =>
            {
                true
            }
            // A fold has the type it starts from (`.fold(f64::NEG_INFINITY, f64::max)`).
            Expr::MethodCall(m) if m.method == "fold" => {
                m.args.first().is_some_and(|init| self.looks_float(init))
            }
            // A field of a tuple (`pair.0` of `for pair in data`) has no name to tell a size
            // by: taken for float data, as a named field is.
            Expr::Field(f) => match &f.member {
                syn::Member::Named(name) => !is_size_name(&name.to_string().to_uppercase()),
                syn::Member::Unnamed(_) => true,
            },
            // A local holding float data (a data struct's array field included), or a float
            // constant (`-EPS`).
            Expr::Path(p) => match p.path.get_ident().map(|i| self.lookup(&i.to_string())) {
                Some(Some(Binding::Scalar { cell, .. })) => {
                    self.is_float_data(&self.cells[cell].value)
                }
                // A constant table, or an array of data (a row of one, a view of one) that
                // stays as written (`&xs[..]`, `&row[1..]` of inactive data).
                Some(Some(Binding::Array(array) | Binding::Row { array, .. })) => {
                    self.arrays[array.0].elem == Elem::Float
                }
                Some(Some(Binding::View(s))) => self.arrays[s.array.0].elem == Elem::Float,
                // `w` of `w: &f64` left out of `#[grad(..)]`.
                Some(Some(Binding::Opaque)) => self.refers_to_number(
                    &p.path
                        .get_ident()
                        .map(|i| i.to_string())
                        .unwrap_or_default(),
                ),
                Some(Some(_)) => false,
                _ => self.is_float_data_constant(&p.path),
            },
            _ => false,
        }
    }

    /// `op`, data taken for a float (a number or an array) by its look, as a call's argument
    /// with a shadow: checked to be float data, with a message where the guess is wrong
    /// (`s.label`, a `usize`), rather than a call with one argument too many. `lent`: `op` is
    /// a reference to pass as it is (`x` of `let x = &s.x;`). (Not checked in a function
    /// generic over its float, whose `T` has no such check.)
    pub(super) fn checked_float_data(&mut self, op: Operand, lent: bool, arg: &Expr) -> Operand {
        let source = op.var();
        let checked = match self.is_varied(&op) || self.sig.float_is_generic {
            true => Op::Copy(op),
            false => {
                let value = proc_macro2::Ident::new("value", arg.span());
                let capture = match lent {
                    true => Capture::Lent(op),
                    false => Capture::Value(op),
                };
                Op::Opaque(Opaque {
                    tokens: quote::quote_spanned!(arg.span()=>
                        ::autodiff::__private::float_data(#value)
                    ),
                    captures: vec![(value, capture)],
                    declared: None,
                })
            }
        };
        let typed = self.let_op("t", Ty::Float, checked, arg.span());
        // A number or an array, as the data it copies.
        if let Some(v) = typed.var() {
            self.vars[v.0].shapeless = true;
            self.vars[v.0].copy_of = source;
        }
        typed
    }

    /// Whether a passed-through value is float data: an element of a `const` table, a value
    /// computed from them, or a float constant itself (`let e = EPS;`).
    pub(super) fn is_float_data(&self, op: &Operand) -> bool {
        match op {
            Operand::Var(v) => self.table_elements.contains(v),
            Operand::Const(Expr::Path(p)) => self.is_float_data_constant(&p.path),
            _ => false,
        }
    }

    /// Takes data the lowering cannot type, bound to `name` from a part of a data value
    /// (`Loss::Huber { delta }`, `x` of `for (x, y) in data`), for floats (a number or an
    /// array), as a data struct's field is, unless `name` is read as an integer or named like
    /// a size: a call passes it with a shadow (`Const`).
    pub(super) fn guess_float_data(&mut self, v: Var, name: &syn::Ident) {
        let text = name.to_string();
        if !super::names::names_a_size_value(&text) && !self.integer_names.contains(&text) {
            self.table_elements.insert(v);
            self.vars[v.0].shapeless = true;
        }
    }

    /// Whether a path passed bare to a call names a float constant or table: a `CONSTANT`
    /// (not a local), not read as an integer anywhere in the body (a range bound, an index, an
    /// array length, an `as` cast), and not named like a size (`N`, `DIM`, `N_STEPS`).
    pub(super) fn is_float_data_constant(&self, path: &syn::Path) -> bool {
        let Some(last) = path.segments.last() else {
            return false;
        };
        let name = last.ident.to_string();
        // `IncGamma::P`: a one-letter item of a type of the user's is an enum's variant as
        // often as a constant; a float constant's name says more (`Phys::G_SI`, `Self::EPS`).
        let variant = name.len() == 1
            && matches!(&*path.segments.iter().collect::<Vec<_>>(), [owner, _] if is_constructor(&owner.ident.clone().into()));
        names_constant(path)
            && !variant
            && !is_size_name(&name)
            && !self.integer_names.contains(&name)
    }
}

/// Whether `expr` indexes a table that is not a local (`TABLE[k]`, `Self::COEFFS[i]`).
pub(super) fn indexes_constant(expr: &Expr) -> bool {
    let mut e = expr;
    let mut indexed = false;
    loop {
        e = match e {
            Expr::Index(i) => {
                indexed = true;
                &i.expr
            }
            Expr::Unary(u) if matches!(u.op, SynUnOp::Neg(_)) => &u.expr,
            // A float method of an element (`TABLE[1].powi(3)`).
            Expr::MethodCall(m) if rules::lookup(&m.method.to_string()).is_some() => &m.receiver,
            Expr::Paren(p) => &p.expr,
            Expr::Path(p) => {
                return indexed
                    && p.path.segments.last().is_some_and(|s| {
                        let name = s.ident.to_string();
                        name.chars().any(|c| c.is_ascii_uppercase())
                            && !name.chars().any(|c| c.is_ascii_lowercase())
                    })
            }
            _ => return false,
        };
    }
}

/// Whether `expr` has a float literal or calls a float method anywhere (`-1.125 + w[1]`,
/// `d.atan()`): a value computed with floats, whatever else it reads.
pub(super) fn mentions_float(expr: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_lit_float(&mut self, _: &'ast syn::LitFloat) {
            self.0 = true;
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            let name = m.method.to_string();
            let ambiguous = ["abs", "max", "min", "clamp", "signum"].contains(&name.as_str());
            if rules::lookup(&name).is_some() && !ambiguous {
                self.0 = true;
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(expr);
    finder.0
}
