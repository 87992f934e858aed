//! Slice patterns bound to arrays, rows and views (`let [a, b] = *x;`, `let [first, ..,
//! last] = x else { .. };`, `[head @ .., tail]`): their elements read by index, a rest bound
//! to a view of what is left, lengths checked as the pattern requires.

use syn::spanned::Spanned;

use super::stmt::is_rest;
use super::*;

impl Lowerer<'_> {
    /// `let [first, .., last] = x else { return .. };`: the elements are read only when the
    /// length matches, and the `else` block leaves the function or loop otherwise.
    pub(super) fn lower_let_else_slice(&mut self, ps: &syn::PatSlice, init: &Expr, diverge: &Expr) {
        let span = ps.span();
        let base = self.lower_expr(init);
        if !matches!(base, Value::Array(_) | Value::Row { .. } | Value::View(_)) {
            if !matches!(base, Value::Error) {
                self.errors.on(
                    init,
                    "#[grad] matches slice patterns against arrays and slices",
                );
            }
            self.poison(&Pat::Slice(ps.clone()));
            return;
        }
        let fits = self.slice_fits(ps, &base, span);
        let fixed = ps.elems.iter().filter(|p| !is_rest(p)).count();
        // The numbers the elements bind, read only when the length fits.
        let mut names = Vec::new();
        for pat in ps.elems.iter().filter(|p| !is_rest(p)) {
            control::bound_names(pat, &mut names);
        }
        let elements = self.lower_if_with(
            fits,
            |lw| {
                lw.scopes.push(HashMap::default());
                lw.bind_slice_pattern(ps, &base);
                let values = names
                    .iter()
                    .map(|name| match lw.lookup(&name.to_string()) {
                        Some(Binding::Scalar { cell, .. }) => Value::Scalar(lw.cells[cell].value.clone()),
                        Some(Binding::Poisoned) => Value::Error,
                        _ => lw.unsupported(
                            name,
                            "#[grad] supports `let ... else` slice patterns that bind numbers (and a rest slice `rest @ ..`)",
                        ),
                    })
                    .collect();
                lw.scopes.pop();
                Some(Value::Tuple(values))
            },
            |lw| {
                drop(lw.lower_expr(diverge));
                None
            },
            span,
        );
        match elements {
            Some(Value::Tuple(values)) => {
                for (name, value) in names.iter().zip(values) {
                    self.bind_pattern(&syn::parse_quote!(#name), value);
                }
            }
            _ => self.poison(&Pat::Slice(ps.clone())),
        }
        // `rest @ ..` reads nothing: its slice is bound whether the length fits or not.
        if let Some(rest) = ps.elems.iter().position(is_rest) {
            if let Pat::Ident(pi) = &ps.elems[rest] {
                let view = self.rest_view(&base, rest, fixed, span);
                self.bind_pattern(&Pat::Ident(without_subpattern(pi)), view);
            }
        }
    }

    /// `let [a, b] = *x;`, `let [first, .., last] = x;`, `let [a, rest @ ..] = x;`: each
    /// name binds one element, a rest binding the slice between.
    /// Whether `base` has the length slice pattern `ps` needs (as many elements as it
    /// names, at least that many with a rest `..`).
    pub(super) fn slice_fits(&mut self, ps: &syn::PatSlice, base: &Value, span: Span) -> Operand {
        let has_rest = ps.elems.iter().any(is_rest);
        let fixed = ps.elems.iter().filter(|p| !is_rest(p)).count();
        let len = self.length_of(base, span);
        let op = if has_rest { BinOp::Ge } else { BinOp::Eq };
        let fits = Op::Binary(op, len, Operand::Lit(lit_int(fixed)));
        self.let_op("fits", Ty::Bool, fits, span)
    }

    pub(super) fn bind_slice_pattern(&mut self, ps: &syn::PatSlice, base: &Value) {
        let span = ps.span();
        let rest = ps.elems.iter().position(is_rest);
        let fixed = ps.elems.iter().filter(|p| !is_rest(p)).count();
        let after = rest.map_or(0, |r| ps.elems.len() - r - 1);
        for (i, pat) in ps.elems.iter().enumerate() {
            if let (true, Pat::Ident(pi)) = (is_rest(pat), pat) {
                let view = self.rest_view(base, i, fixed, span);
                self.bind_pattern(&Pat::Ident(without_subpattern(pi)), view);
                continue;
            }
            if is_rest(pat) || matches!(pat, Pat::Wild(_)) {
                continue;
            }
            let index = match rest {
                Some(r) if i > r => {
                    let len = self.length_of(base, span);
                    let back = Operand::Lit(lit_int(after - (i - r - 1)));
                    self.let_op("t", Ty::Int, Op::Binary(BinOp::Sub, len, back), span)
                }
                _ => Operand::Lit(lit_int(i)),
            };
            let element = self.element(base, index, span);
            self.bind_pattern(pat, element);
        }
    }

    /// The slice a rest pattern at position `at` binds: what `fixed` other elements leave.
    fn rest_view(&mut self, base: &Value, at: usize, fixed: usize, span: Span) -> Value {
        let len = self.length_of(base, span);
        let rest_len = self.let_op(
            "len",
            Ty::Int,
            Op::IntMethod {
                name: syn::Ident::new("saturating_sub", span),
                receiver: len,
                args: vec![Operand::Lit(lit_int(fixed))],
            },
            span,
        );
        let (array, row, offset) = match base {
            Value::Array(a) => (*a, None, Operand::Lit(lit_int(at))),
            Value::Row { array, index } => (*array, Some(index.clone()), Operand::Lit(lit_int(at))),
            Value::View(s) => {
                let offset = self.let_op(
                    "t",
                    Ty::Int,
                    Op::Binary(BinOp::Add, s.offset.clone(), Operand::Lit(lit_int(at))),
                    span,
                );
                (s.array, s.row.clone(), offset)
            }
            _ => return Value::Error,
        };
        Value::View(Box::new(Slice {
            array,
            row,
            offset,
            len: rest_len,
        }))
    }

    /// Element `index` of an array or row: a number, or a row of a matrix.
    pub(super) fn element(&mut self, base: &Value, index: Operand, span: Span) -> Value {
        let (array, indices) = match base {
            Value::Array(a) => (*a, vec![index]),
            Value::Row { array, index: row } => (*array, vec![row.clone(), index]),
            Value::View(s) => {
                let i = self.let_op(
                    "t",
                    Ty::Int,
                    Op::Binary(BinOp::Add, s.offset.clone(), index),
                    span,
                );
                (s.array, s.row.iter().cloned().chain([i]).collect())
            }
            _ => return Value::Error,
        };
        if indices.len() < self.arrays[array.0].dims {
            return Value::Row {
                array,
                index: indices[0].clone(),
            };
        }
        Value::Scalar(self.load(array, indices, span))
    }

    /// The length of an array or row.
    pub(super) fn length_of(&mut self, base: &Value, span: Span) -> Operand {
        let (array, row, dim) = match base {
            Value::View(s) => return s.len.clone(),
            Value::Array(a) => (*a, None, 0),
            Value::Row { array, index } => (*array, Some(index.clone()), 1),
            _ => return Operand::Lit(lit_int(0)),
        };
        if let Some(len) = self.known_len(array, dim, span) {
            return len;
        }
        self.let_op("len", Ty::Int, Op::Len { array, row }, span)
    }
}

/// `rest @ ..` as `rest`.
fn without_subpattern(pi: &syn::PatIdent) -> syn::PatIdent {
    syn::PatIdent {
        subpat: None,
        ..pi.clone()
    }
}
