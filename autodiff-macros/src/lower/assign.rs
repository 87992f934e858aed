//! Lowering of assignment: `x = ..`, `x op= ..` of a local number, an array element or a
//! whole array, tuple assignment, and the cells that hold a variable's current value.

use super::*;

impl Lowerer<'_> {
    /// `name = right` or `name op= right` of a local scalar or array.
    fn assign_named(
        &mut self,
        name: &str,
        left: &Expr,
        op: Option<BinOp>,
        right: &Expr,
        span: Span,
    ) {
        match self.lookup(name) {
            Some(Binding::Scalar { cell, mutable }) => {
                if !mutable {
                    // rustc reports this on the original function.
                    return;
                }
                // `idx = (0..n).collect();` of a `let mut idx = Vec::new();` of data, named as
                // the user names it: assigned where it is, as written.
                if self.data_vectors.contains(&cell) && op.is_none() {
                    if self.reads(&right.to_token_stream()).varied {
                        self.errors.on(
                            right,
                            format!("#[grad] took `{name}` for a vector of data: it is declared without an element type (`Vec::new()`), and this value, which depends on a differentiated input, is not known where it is declared; write its type on the `let` (`let mut {name}: Vec<f64> = Vec::new();`) so that the derivative is kept"),
                        );
                        return;
                    }
                    self.effect_tokens(quote!(#left = #right));
                    return;
                }
                // `ix = get_high_word(x);` of a `let ix: u32;`: a function that returns an
                // integer, as it is in a `let` that states the type.
                let integer = (op.is_none() && self.cells[cell].ty == Ty::Int)
                    .then(|| self.integer_call(right, false))
                    .flatten();
                let rhs = match integer {
                    Some(value) => self.scalar(value, right.span()),
                    None => self.expr_scalar(right),
                };
                let value = match op {
                    Some(op) => {
                        let current = self.cells[cell].value.clone();
                        self.binary(op, current, rhs, span)
                    }
                    None => rhs,
                };
                self.set_cell(cell, value);
            }
                                Some(Binding::Poisoned) => {}
            // `x = &x[1..];` of a slice parameter, moved forward as it is consumed.
            Some(Binding::Array(a))
                if op.is_none()
                    && matches!(self.arrays[a.0].origin, ArrayOrigin::Param(_))
                    && is_subslice(right) =>
            {
                self.errors.on(
                    right,
                    format!("#[grad] does not move a slice parameter along (`{name} = &{name}[k..]`): the sweeps index `{name}` where it starts; keep the start in a counter instead (`let mut at = 0; .. {name}[at] .. at += k;`, with `{name}.len() - at` for the length left)"),
                );
            }
            Some(Binding::Array(a)) if op.is_none() => {
                let dims = self.arrays[a.0].dims;
                self.assign_whole_array(left, a, dims, right, span);
            }
            Some(Binding::Array(_)) => {
                self.errors.on(
                    left,
                    "#[grad] does not support this operator on a whole array: write its elements by index",
                );
            }
            _ => self.errors.on(
                left,
                format!("#[grad] cannot assign to `{name}` here: only local variables and local arrays can be assigned"),
            ),
        }
    }

    /// `k = f(&k, b).map(|v| v * dt);` to a local array of constant length (a Runge-Kutta
    /// stage buffer): the mapped array bound first with the local's type, which states the
    /// length the call's result does not tell, then assigned.
    fn assign_mapped_call(&mut self, left: &syn::ExprPath, right: &Expr) -> bool {
        let Expr::MethodCall(m) = right else {
            return false;
        };
        let Some(Binding::Array(array)) = left
            .path
            .get_ident()
            .and_then(|name| self.lookup(&name.to_string()))
        else {
            return false;
        };
        let info = &self.arrays[array.0];
        let (1, Elem::Float, [Operand::Const(len)]) = (info.dims, info.elem, &*info.lens) else {
            return false;
        };
        let len = len.clone();
        if !self.maps_returned_array(m) {
            return false;
        }
        let (float, span) = (self.sig.float.clone(), right.span());
        let mapped = proc_macro2::Ident::new(
            &format!("{SYNTHETIC}mapped_{}", self.next_synthetic()),
            span,
        );
        self.lower_stmt(&syn::parse_quote_spanned!(span=> let #mapped: [#float; #len] = #right;));
        self.lower_stmt(&syn::parse_quote_spanned!(span=> #left = #mapped;));
        true
    }

    pub(super) fn lower_assign(
        &mut self,
        left: &Expr,
        op: Option<BinOp>,
        right: &Expr,
        span: Span,
    ) {
        match left {
            Expr::Path(p) if self.assign_record(p, right) => {}
            Expr::Path(_) if op.is_none() && self.assign_optional(left, right) => {}
            Expr::Path(p) if op.is_none() && self.assign_mapped_call(p, right) => {}
            Expr::Path(p) if p.path.get_ident().is_some() => {
                let name = p
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                self.assign_named(&name, left, op, right, span);
            }
            // `p.x = ..` of a local struct.
            Expr::Field(f) if self.is_record_field(f) => {
                if let Some(key) = self.record_field(f) {
                    self.assign_named(&key, left, op, right, span);
                }
            }
            Expr::Index(index) => {
                if let Some((array, indices)) = self.index_target(index) {
                    let dims = self.arrays[array.0].dims;
                    if op.is_none() && indices.len() < dims {
                        // `rows[t] = matvec(&w, &x[t]);`: a whole row.
                        self.assign_whole_array(left, array, dims - indices.len(), right, span);
                    } else {
                        self.assign_element(left, array, indices, op, right, span);
                    }
                }
            }
            // `*v += x` for `v` from `iter_mut()`.
            Expr::Unary(u)
                if matches!(u.op, SynUnOp::Deref(_)) && self.element_ref(&u.expr).is_some() =>
            {
                if let Some((array, indices)) = self.element_ref(&u.expr) {
                    self.assign_element(left, array, indices, op, right, span);
                }
            }
            Expr::Field(f) => self.errors.on(
                f,
                "#[grad] does not support assigning to a struct field: use a local variable",
            ),
            Expr::Unary(u) if matches!(u.op, SynUnOp::Deref(_)) => self.errors.on(
                u,
                "#[grad] does not support writing through a reference: use a local variable",
            ),
            // `(a, b) = (b, a + x * b);`
            Expr::Tuple(t) if op.is_none() => self.assign_tuple(t, right, span),
            other => self.errors.on(
                other,
                "#[grad] cannot assign to this expression: assign to a local variable, an element `a[i]`, or a tuple of local variables",
            ),
        }
    }

    /// `(a, b) = rhs;` as `{ let (t, u) = rhs; a = t; b = u; }` (`let t = b; let u = a;` for
    /// `rhs = (b, a)`): every right-hand value is read before any is assigned, as in Rust.
    fn assign_tuple(&mut self, left: &syn::ExprTuple, right: &Expr, span: Span) {
        let k = self.next_synthetic();
        let mut names = Vec::new();
        let mut assigns = Vec::new();
        for (i, target) in left.elems.iter().enumerate() {
            let name = proc_macro2::Ident::new(&format!("{SYNTHETIC}part_{k}_{i}"), span);
            if !matches!(target, Expr::Infer(_)) {
                assigns.push(syn::Stmt::Expr(
                    syn::parse_quote_spanned!(span=> #target = #name),
                    Some(Default::default()),
                ));
            }
            names.push(name);
        }
        // `(a, b) = (b, a)` of arrays: a `let` per part, each a copy of its array (a tuple
        // pattern would bind names for the arrays themselves, `b` read after `a` changed).
        let lets: Vec<syn::Stmt> = match right {
            Expr::Tuple(parts) if parts.elems.len() == names.len() => names
                .iter()
                .zip(&parts.elems)
                .map(|(name, part)| syn::parse_quote_spanned!(span=> let #name = #part;))
                .collect(),
            _ => vec![syn::parse_quote_spanned!(span=> let (#(#names,)*) = #right;)],
        };
        let block: Expr = syn::parse_quote_spanned!(span=> {
            #(#lets)*
            #(#assigns)*
        });
        drop(self.lower_expr(&block));
    }

    /// `a = rhs;` for a local array `a`: the new array made first, then copied in element by
    /// element (`s = step(&s, h)` reads the old `s` before any element changes).
    fn assign_whole_array(
        &mut self,
        array: &Expr,
        id: ArrayId,
        dims: usize,
        right: &Expr,
        span: Span,
    ) {
        let fixed = self.arrays[id.0].fixed;
        let k = self.next_synthetic();
        let synthetic =
            |base: &str| proc_macro2::Ident::new(&format!("{SYNTHETIC}{base}_{k}"), span);
        let (i, j) = (synthetic("i"), synthetic("j"));
        // A local array, or a row of a local matrix (`i = r[0];` of `let r = rotate(..);`), is
        // read where it is (`rows[0] = a;`); anything else is made first.
        let local = |e: &Expr, rows: bool| {
            matches!(e, Expr::Path(p) if p.path.get_ident().is_some_and(|n| {
                matches!(self.lookup(&n.to_string()), Some(Binding::Array(a))
                    if !rows || self.arrays[a.0].dims == dims + 1)
            }))
        };
        let local_array =
            local(right, false) || matches!(right, Expr::Index(row) if local(&row.expr, true));
        let new: Expr = match local_array {
            true => right.clone(),
            false => build::path(&synthetic("assigned")),
        };
        // A `Vec` keeps its length (its elements are what the sweeps track): one of another
        // length is a panic that says so, never a copy cut short.
        let same_len = |a: proc_macro2::TokenStream, b: proc_macro2::TokenStream| {
            let message = format!(
                "autodiff: `{} = ..` gives it a length of {{}} where it had {{}}: a #[grad] function changes the length of a vector of numbers assigned whole, not the shape of a matrix (keep its number of rows)",
                array.to_token_stream()
            );
            match fixed {
                true => proc_macro2::TokenStream::new(),
                false => quote!(assert!(#b == #a, #message, #b, #a);),
            }
        };
        let outer = same_len(quote!(#array.len()), quote!(#new.len()));
        let copy: Expr = if dims == 2 {
            let row = same_len(quote!(#array[#i].len()), quote!(#new[#i].len()));
            syn::parse_quote_spanned!(span=> for #i in 0..#array.len() {
                #row
                for #j in 0..#array[#i].len() {
                    #array[#i][#j] = #new[#i][#j];
                }
            })
        } else {
            syn::parse_quote_spanned!(span=> for #i in 0..#array.len() {
                #array[#i] = #new[#i];
            })
        };
        let made: Option<syn::Stmt> = (!local_array).then(|| {
            // A call bound to it returns an array, a matrix if `array` is one.
            self.array_locals.insert(new.to_token_stream().to_string());
            if dims == 2 {
                self.matrix_locals.insert(new.to_token_stream().to_string());
            }
            // `v = it.collect();` collects into `v`'s type, which the new name does not have.
            match collects_untyped(right) && !fixed {
                true => syn::parse_quote_spanned!(span=> let #new: ::std::vec::Vec<_> = #right;),
                false => syn::parse_quote_spanned!(span=> let #new = #right;),
            }
        });
        let resizable = self.arrays[id.0].resizable && matches!(array, Expr::Path(_));
        if !resizable {
            let block: Expr = syn::parse_quote_spanned!(span=> {
                #made
                #outer
                #copy
            });
            drop(self.lower_expr(&block));
            return;
        }
        // A vector that may change its length takes the new one before the copy.
        self.scopes.push(HashMap::default());
        drop(self.lower_block_stmts(made.as_slice(), false));
        let len = self.expr_scalar(&syn::parse_quote_spanned!(span=> #new.len()));
        let prev = self.let_op(
            "len",
            Ty::Int,
            Op::Len {
                array: id,
                row: None,
            },
            span,
        );
        if let Some(prev) = prev.var() {
            self.emit(Stmt::Resize {
                array: id,
                len,
                prev,
            });
            self.stored(id);
        }
        drop(self.lower_expr(&copy));
        self.scopes.pop();
    }

    /// `a[i] = e`, `a[i] op= e`, `*v = e`: a store into a local array.
    fn assign_element(
        &mut self,
        left: &Expr,
        array: ArrayId,
        indices: Vec<Operand>,
        op: Option<BinOp>,
        right: &Expr,
        span: Span,
    ) {
        if let ArrayOrigin::Param(_) = self.arrays[array.0].origin {
            self.errors.on(
                left,
                format!(
                    "#[grad] cannot write into the parameter `{}`: parameters are read-only in a differentiated function; copy it into a local array first (`let mut a = *w;` or `w.to_vec()`)",
                    self.arrays[array.0].written
                ),
            );
            return;
        }
        let rhs = self.expr_scalar(right);
        let value = match op {
            Some(op) => {
                let current = self.load(array, indices.clone(), span);
                self.binary(op, current, rhs, span)
            }
            None => rhs,
        };
        // A derivative stored where the array was taken for integers would be dropped.
        if self.arrays[array.0].elem != Elem::Float && self.is_varied(&value) {
            self.errors.on(
                right,
                format!(
                    "#[grad] cannot tell that `{}` holds floats (the type of its fill is not known here), so the derivative of this value would be lost: write its type on the `let` (`let mut {0}: [f64; N] = ..`, `Vec<T>`) or fill it with a float (`0.0`, `T::zero()`)",
                    self.arrays[array.0].written
                ),
            );
        }
        self.stored(array);
        self.emit(Stmt::Store {
            array,
            index: indices,
            value,
        });
    }

    /// A read of one element.
    pub(super) fn load(&mut self, array: ArrayId, index: Vec<Operand>, span: Span) -> Operand {
        let ty = match self.arrays[array.0].elem {
            Elem::Float => Ty::Float,
            Elem::Bool => Ty::Bool,
            Elem::Other => Ty::Int,
        };
        self.let_op("t", ty, Op::Load { array, index }, span)
    }

    /// The element a name from `iter_mut()` refers to.
    fn element_ref(&self, expr: &Expr) -> Option<(ArrayId, Vec<Operand>)> {
        let Expr::Path(p) = expr else {
            return None;
        };
        match self.lookup(&p.path.get_ident()?.to_string()) {
            Some(Binding::Element { array, index }) => Some((array, index)),
            _ => None,
        }
    }

    pub(super) fn set_cell(&mut self, cell: usize, value: Operand) {
        // Keep the user's name on the new value of a variable.
        if let Operand::Var(v) = &value {
            if self.is_fresh_temporary(*v) {
                let base = self.cells[cell].name.clone();
                self.vars[v.0].name = self.user_name(&base);
            }
        }
        // A variable that started at a constant of unknown type takes the type of what is
        // assigned to it.
        if self.cells[cell].ty == Ty::Unknown {
            self.cells[cell].ty = self.ty(&value);
        }
        self.cells[cell].value = value;
    }
}

/// `&a[k..]`, `&a[..k]`, `&a[i..j]`: a part of an array.
fn is_subslice(e: &Expr) -> bool {
    match e {
        Expr::Reference(r) => {
            matches!(&*r.expr, Expr::Index(i) if matches!(*i.index, Expr::Range(_)))
        }
        Expr::Paren(p) => is_subslice(&p.expr),
        _ => false,
    }
}

/// `it.collect()` without a turbofish: its type is the one it is assigned to.
fn collects_untyped(e: &Expr) -> bool {
    matches!(e, Expr::MethodCall(m) if m.method == "collect" && m.turbofish.is_none())
}
