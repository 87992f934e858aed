//! Local arrays: buffers (`[0.0; N]`, `vec![0.0; n]`), literals (`[a, b]`, `vec![a, b]`),
//! copies (`let mut a = *w;`, `w.to_vec()`) and `collect()`ed chains. Each is declared once
//! and filled by stores, so its elements are differentiated like any other local array's.

use proc_macro2::Ident;
use syn::parse_quote;

use super::*;

pub(super) enum LocalArray {
    /// The `let` is not a local array.
    No,
    Declared(ArrayId),
    /// A malformed one, already reported.
    Failed,
}

/// What a new local array holds before its first store.
struct Declaration {
    elem: Elem,
    fill: Operand,
    /// Fixed lengths, outermost first, as written.
    fixed_lens: Vec<Expr>,
    /// The run-time length of a `Vec`.
    vec_len: Option<Operand>,
    /// The run-time length of each row of a `Vec` of `Vec`s.
    row_len: Option<Operand>,
    /// Zeros of the type of this parameter array instead.
    like: Option<ArrayId>,
}

impl Lowerer<'_> {
    /// `annotated`: the type written on the `let` (`let mut y: [T; 3] = ..`), if any.
    pub(super) fn try_local_array(
        &mut self,
        pat: &Pat,
        annotated: Option<&syn::Type>,
        init: &Expr,
    ) -> LocalArray {
        let Pat::Ident(pi) = pat else {
            return match init {
                Expr::Repeat(_) | Expr::Array(_) => {
                    self.errors
                        .on(pat, "#[grad] needs a local array to be bound to a name");
                    LocalArray::Failed
                }
                _ => LocalArray::No,
            };
        };
        if let Some(copy) = match init {
            Expr::Call(c) => self.vec_from_copy(c),
            _ => None,
        } {
            return self.try_local_array(pat, annotated, &copy);
        }
        let mutable = pi.mutability.is_some();
        // Read as an array, or typed as one (`let t: [f64; 3] = sub(a, b);`, passed on whole).
        let read_as_array = self
            .let_read_as_array
            .take()
            .unwrap_or_else(|| self.array_locals.contains(&pi.ident.to_string()));
        let array = read_as_array || annotated.is_some_and(is_array_type);
        // The `let`'s type says whether a call's result is a matrix.
        if let Some(syn::Type::Array(a)) = annotated {
            match matches!(&*a.elem, syn::Type::Array(_)) {
                true => self.matrix_locals.insert(pi.ident.to_string()),
                false => self.matrix_locals.remove(&pi.ident.to_string()),
            };
        }
        match init {
            Expr::Repeat(r) => self.buffer(pi, r, None, annotated),
            Expr::Macro(m) if m.mac.path.is_ident("vec") => match vec_elements(&m.mac) {
                Some(Expr::Repeat(r)) => {
                    let len = self.expr_scalar(&r.len);
                    self.buffer(pi, &r, Some(len), annotated)
                }
                Some(Expr::Array(a)) => self.literal(pi, &a, true, annotated),
                _ => {
                    self.errors
                        .on(m, "#[grad] supports `vec![fill; n]` and `vec![a, b, ..]`");
                    LocalArray::Failed
                }
            },
            Expr::Array(a) => match self.rows_length(a) {
                Some(cols) => self.matrix_of_rows(pi, a, cols),
                None => self.literal(pi, a, false, annotated),
            },
            // `let n = Gaussian::new(0.0, 1.0);` whose methods are called: a struct of data.
            Expr::Call(_)
                if names::constructs(init) && !self.reads(&init.to_token_stream()).varied =>
            {
                LocalArray::No
            }
            // A function that returns an array: the name is read as one.
            Expr::Call(c) if array => match self.call_array(&pi.ident, c, None) {
                Some(array) => self.returned(array, annotated),
                None => LocalArray::Failed,
            },
            // A model's method that returns an array (`self.l1.forward(x)`).
            Expr::MethodCall(m) if array && self.model_method(m).is_some() => {
                match self.method_call_array(&pi.ident, m, None) {
                    Some(array) => self.returned(array, annotated),
                    None => LocalArray::Failed,
                }
            }
            // What a fallible one succeeds with (`g(x)?`, `self.l1.forward(x).unwrap()`).
            Expr::Try(_) | Expr::MethodCall(_) if array && self.fallible_call(init).is_some() => {
                match self.fallible_array(&pi.ident, init) {
                    Some(Some(array)) => self.returned(array, annotated),
                    _ => LocalArray::Failed,
                }
            }
            Expr::MethodCall(m) if m.method == "collect" && m.args.is_empty() => {
                // `let peaks: Vec<usize> = (1..n - 1).filter(|&i| x[i] > x[i - 1]).collect();`:
                // indices picked by comparing numbers, data whatever it reads.
                let data =
                    annotated.is_some_and(|ty| super::written_types::holds_no_float(ty, self.sig));
                if data || self.try_opaque_check(init) {
                    return LocalArray::No;
                }
                self.collect(pi, m, annotated)
            }
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && ["to_vec", "clone", "to_owned"].contains(&&*m.method.to_string())
                    && self.is_known_array(&m.receiver) =>
            {
                self.copy(pi, &m.receiver, m.method != "to_vec")
            }
            // A copy of a constant table (`let mut t: [[f64; 4]; 4] = IDENTITY;`).
            Expr::Path(p)
                if array && !self.is_local_call(&p.path) && names::names_constant(&p.path) =>
            {
                self.constant_copy(pi, p, annotated)
            }
            // `let c = *w;`: a value of its own, even when not `mut` (`&c` is a reference to
            // it, not to the reference `w` is).
            Expr::Unary(u) if matches!(u.op, SynUnOp::Deref(_)) && self.is_known_array(&u.expr) => {
                self.copy(pi, &u.expr, true)
            }
            // `let old = h;` of a local array is a copy too: the body may write `h` after. A
            // `&mut` reference to a row (`&mut rows[i]`, an item of `rows.iter_mut()`) is
            // passed on as it is: writes through the new name go to `rows`.
            Expr::Path(_) | Expr::Index(_)
                if self.is_known_array(init)
                    && (mutable || self.is_local_array(init))
                    && !self.names_mutable_row(init) =>
            {
                self.copy(pi, init, true)
            }
            _ => LocalArray::No,
        }
    }

    /// `let t: [[f64; 4]; 4] = IDENTITY;` of a constant table: a buffer of the type written,
    /// then the table's entries stored into it, as for the literal the table holds (the macro
    /// cannot see a constant's type, so the `let` must give it).
    fn constant_copy(
        &mut self,
        pi: &syn::PatIdent,
        table: &syn::ExprPath,
        annotated: Option<&syn::Type>,
    ) -> LocalArray {
        let mut lens = Vec::new();
        let mut ty = annotated;
        while let Some(syn::Type::Array(a)) = ty {
            lens.push(a.len.clone());
            ty = Some(&a.elem);
        }
        let name = &pi.ident;
        let Some(annotated) = annotated else {
            let written: Vec<String> = table
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let table_name = written.join("::");
            self.errors.on(
                table,
                format!("#[grad] cannot see the type of `{table_name}`, copied into the local array `{name}`: write it on the `let`, as in `let mut {name}: [f64; 3] = {table_name};`"),
            );
            return LocalArray::Failed;
        };
        // A table of data of another type (`[f64; 3]` in a function generic over `T`, of
        // integers) is read as data, as written.
        if lens.is_empty() || ty.is_none_or(|t| type_kind(t, self.sig) != Ty::Float) {
            return LocalArray::No;
        }
        let span = table.span();
        let indices: Vec<syn::Ident> = (0..lens.len())
            .map(|_| quote::format_ident!("{SYNTHETIC}i_{}", self.next_synthetic(), span = span))
            .collect();
        let fill = lens.iter().rev().fold(
            quote::quote_spanned!(span=> 0.0),
            |fill, len| quote::quote_spanned!(span=> [#fill; #len]),
        );
        self.lower_stmt(&syn::parse_quote_spanned!(span=> let mut #name: #annotated = #fill;));
        let mut copy: syn::Stmt =
            syn::parse_quote_spanned!(span=> #name #([#indices])* = #table #([#indices])*;);
        for (index, len) in indices.iter().zip(&lens).rev() {
            copy = syn::parse_quote_spanned!(span=> for #index in 0..#len { #copy });
        }
        self.lower_stmt(&copy);
        match self.lookup(&name.to_string()) {
            Some(Binding::Array(array)) => LocalArray::Declared(array),
            _ => LocalArray::Failed,
        }
    }

    /// Whether `expr` reads nothing that depends on a float parameter (then it is data, kept
    /// as written).
    fn try_opaque_check(&self, expr: &Expr) -> bool {
        let reads = self.reads(&expr.to_token_stream());
        !reads.varied && !reads.poisoned
    }

    /// Whether `expr` is a name bound to a `&mut` reference to a row of a matrix.
    pub(super) fn names_mutable_row(&self, expr: &Expr) -> bool {
        let Expr::Path(p) = expr else {
            return false;
        };
        let binding = p.path.get_ident().and_then(|n| self.lookup(&n.to_string()));
        matches!(binding, Some(Binding::Row { lent_mut: true, .. }))
    }

    /// `[fill; N]`, `[[fill; M]; N]`, `vec![fill; n]`, `vec![[fill; M]; n]`,
    /// `vec![vec![fill; m]; n]`.
    fn buffer(
        &mut self,
        pi: &syn::PatIdent,
        r: &syn::ExprRepeat,
        vec_len: Option<Operand>,
        annotated: Option<&syn::Type>,
    ) -> LocalArray {
        // Rows that are vectors themselves: their run-time length.
        let rows = match (&vec_len, &*r.expr) {
            (Some(_), Expr::Macro(m)) => match vec_elements(&m.mac) {
                Some(Expr::Repeat(row)) => Some(row),
                _ => None,
            },
            _ => None,
        };
        let row_len = rows.as_ref().map(|row| self.expr_scalar(&row.len));
        let (fill, mut fixed_lens) = repeat_parts(rows.as_ref().map_or(&r.expr, |row| &row.expr));
        if vec_len.is_none() {
            fixed_lens.insert(0, (*r.len).clone());
        }
        let varied = self.reads(&fill.to_token_stream()).varied;
        let fill = self.expr_scalar(&fill);
        // The element type written on the `let` decides; else the fill's (a generic helper's
        // result, `[zero::<T>(); 3]`, has none here: see `assign_element`).
        let written = annotated.map_or(Ty::Unknown, |t| type_kind(element_type(t), self.sig));
        let elem = match written {
            Ty::Float => Elem::Float,
            Ty::Bool => Elem::Bool,
            Ty::Int => Elem::Other,
            _ if self.ty(&fill) == Ty::Float || matches!(fill, Operand::Const(_)) => Elem::Float,
            _ if self.ty(&fill) == Ty::Bool => Elem::Bool,
            _ => Elem::Other,
        };
        let dims =
            fixed_lens.len() + usize::from(vec_len.is_some()) + usize::from(row_len.is_some());
        if dims > 2 {
            // (at the name: a `vec![..]`'s brackets are not where the user wrote them)
            self.errors.on(
                &pi.ident,
                format!("#[grad] supports local arrays of one or two dimensions; `{}` has {dims}: keep one matrix per slice (`let mut m0 = [[0.0; 2]; 2];`), or flatten it (`vec![0.0; n * 4]`, indexed `[(k * 2 + i) * 2 + j]`)", pi.ident),
            );
        }
        // `[x; n]` of a differentiated `x`: zeros, then `x` stored into each element, so that
        // every element's adjoint reaches `x`.
        let (initial, each) = if varied {
            (self.zero(), Some(fill))
        } else {
            (fill, None)
        };
        let array = self.declare(
            pi,
            Declaration {
                elem,
                fill: initial,
                fixed_lens,
                vec_len,
                row_len,
                like: None,
            },
        );
        if let Some(fill) = each {
            self.store_each(array, &pi.ident, fill, dims, r.span());
        }
        LocalArray::Declared(array)
    }

    /// `for i in 0..a.len() { a[i] = fill; }` (a loop per dimension) for the array just
    /// declared as `name`.
    fn store_each(&mut self, array: ArrayId, name: &Ident, fill: Operand, dims: usize, span: Span) {
        let k = self.next_synthetic();
        let synthetic = |base: &str| Ident::new(&format!("{SYNTHETIC}{base}_{k}"), span);
        let (value, i, j) = (synthetic("fill"), synthetic("i"), synthetic("j"));
        let cell = self.new_cell(&value.to_string(), fill, Ty::Float, false);
        self.bind(value.to_string(), cell);
        self.bind(name.to_string(), Binding::Array(array));
        let looped: Expr = if dims == 2 {
            syn::parse_quote_spanned!(span=> for #i in 0..#name.len() {
                for #j in 0..#name[#i].len() {
                    #name[#i][#j] = #value;
                }
            })
        } else {
            syn::parse_quote_spanned!(span=> for #i in 0..#name.len() {
                #name[#i] = #value;
            })
        };
        drop(self.lower_expr(&looped));
    }

    /// The array a call returns, of the length its `let` states (`let h: [f64; 3] = g(x);`,
    /// which `h.map(f)` needs; `[[f64; 3]; 3]` a matrix's).
    fn returned(&mut self, array: ArrayId, annotated: Option<&syn::Type>) -> LocalArray {
        if let Some(syn::Type::Array(a)) = annotated {
            let mut lens = vec![Operand::Const(a.len.clone())];
            if let (syn::Type::Array(row), 2) = (&*a.elem, self.arrays[array.0].dims) {
                lens.push(Operand::Const(row.len.clone()));
            }
            self.arrays[array.0].lens = lens;
        }
        LocalArray::Declared(array)
    }

    /// `[a, b, c]`, `[[a, b], [c, d]]`, `vec![a, b, c]`: a buffer, then one store each.
    /// `annotated`: the type written on the `let`, if any.
    fn literal(
        &mut self,
        pi: &syn::PatIdent,
        a: &syn::ExprArray,
        is_vec: bool,
        annotated: Option<&syn::Type>,
    ) -> LocalArray {
        let rows: Vec<Vec<&Expr>> = match a.elems.first() {
            Some(Expr::Array(_)) => a
                .elems
                .iter()
                .map(|row| match row {
                    Expr::Array(r) => r.elems.iter().collect(),
                    other => vec![other],
                })
                .collect(),
            _ => vec![a.elems.iter().collect()],
        };
        let matrix = matches!(a.elems.first(), Some(Expr::Array(_)));
        let cols = rows.first().map_or(0, Vec::len);
        if matrix && rows.iter().any(|r| r.len() != cols) {
            self.errors.on(
                a,
                "#[grad] needs the rows of an array literal to have one length",
            );
            return LocalArray::Failed;
        }
        let values: Vec<Vec<Operand>> = rows
            .iter()
            .map(|row| row.iter().map(|e| self.expr_scalar(e)).collect())
            .collect();
        let first = values.iter().flatten().next().cloned();
        // In a function generic over `T`, a table of float literals (`[0.5, 0.25]`) is of
        // `f64`, as Rust infers it (read through `T::from(c[i])`): data, never `T`.
        let literal_table = self.sig.float_is_generic
            && values
                .iter()
                .flatten()
                .all(|v| matches!(v, Operand::Lit(Lit::Float(_))));
        let float = !literal_table
            && values
                .iter()
                .flatten()
                .any(|v| matches!(self.ty(v), Ty::Float | Ty::Unknown));
        let (elem, fill) = match (float, first) {
            // Of the type the `let` states (`[f32; 2]`), or Rust's default.
            (false, Some(Operand::Lit(Lit::Float(l)))) if literal_table => {
                let digits = l.base10_digits();
                let number = annotated
                    .map(element_type)
                    .map(|t| t.to_token_stream().to_string());
                let typed = match number.as_deref() {
                    Some(t @ ("f32" | "f64")) => rules::suffixed(digits, t),
                    _ => digits.to_string(),
                };
                let fill = syn::LitFloat::new(&typed, l.span());
                (Elem::Other, Operand::Lit(Lit::Float(fill)))
            }
            (false, Some(first)) => (Elem::Other, first),
            _ => (Elem::Float, self.zero()),
        };
        let count = |n: usize| -> Expr {
            Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: lit_int(n),
            })
        };
        let outer = if matrix { rows.len() } else { cols };
        let mut fixed_lens = if matrix {
            vec![count(cols)]
        } else {
            Vec::new()
        };
        let vec_len = if is_vec {
            Some(Operand::Lit(lit_int(outer)))
        } else {
            fixed_lens.insert(0, count(outer));
            None
        };
        let array = self.declare(
            pi,
            Declaration {
                elem,
                fill,
                fixed_lens,
                vec_len,
                row_len: None,
                like: None,
            },
        );
        for (i, row) in values.into_iter().enumerate() {
            for (j, value) in row.into_iter().enumerate() {
                let index = if matrix {
                    vec![Operand::Lit(lit_int(i)), Operand::Lit(lit_int(j))]
                } else {
                    vec![Operand::Lit(lit_int(j))]
                };
                self.stored(array);
                self.emit(Stmt::Store {
                    array,
                    index,
                    value,
                });
            }
        }
        LocalArray::Declared(array)
    }

    /// The constant length of the rows that make an array literal (`[pts[i], pts[j]]`, `[u, v]`
    /// of local arrays): a matrix then.
    fn rows_length(&self, a: &syn::ExprArray) -> Option<Expr> {
        let first = a.elems.first()?;
        let array_len = |id: ArrayId| match self.arrays[id.0].lens.first() {
            Some(Operand::Const(n)) if self.arrays[id.0].dims == 1 => Some(n.clone()),
            _ => None,
        };
        match first {
            // A row of a matrix.
            Expr::Index(i) => match &*i.expr {
                Expr::Path(p) => match self.lookup(&p.path.get_ident()?.to_string())? {
                    Binding::Array(id) if self.arrays[id.0].dims == 2 => self.fixed_row_len(id),
                    _ => None,
                },
                _ => None,
            },
            Expr::Path(p) => match self.lookup(&p.path.get_ident()?.to_string())? {
                Binding::Row { array, .. } => self.fixed_row_len(array),
                Binding::Array(id) => array_len(id),
                _ => None,
            },
            _ => None,
        }
    }

    /// `let tri = [pts[a], pts[b], pts[c]];`: a matrix of rows of length `cols`, zeros, then
    /// each row's elements stored.
    fn matrix_of_rows(&mut self, pi: &syn::PatIdent, a: &syn::ExprArray, cols: Expr) -> LocalArray {
        let span = a.span();
        let rows = Expr::Lit(syn::ExprLit {
            attrs: Vec::new(),
            lit: lit_int(a.elems.len()),
        });
        let array = self.declare(
            pi,
            Declaration {
                elem: Elem::Float,
                fill: self.zero(),
                fixed_lens: vec![rows, cols.clone()],
                vec_len: None,
                row_len: None,
                like: None,
            },
        );
        self.bind(pi.ident.to_string(), Binding::Array(array));
        let k = self.next_synthetic();
        let j = Ident::new(&format!("{SYNTHETIC}j_{k}"), span);
        let name = &pi.ident;
        let stores = a.elems.iter().enumerate().map(|(i, row)| {
            let i = lit_int(i);
            quote::quote_spanned!(span=> #name[#i][#j] = (#row)[#j];)
        });
        let looped: Expr = parse_quote!(for #j in 0..#cols { #(#stores)* });
        drop(self.lower_expr(&looped));
        LocalArray::Declared(array)
    }

    /// The length of the rows of a 2-D array when it is a constant (`M` in `[[T; M]; N]`,
    /// `&[[T; M]]`, `vec![[0.0; M]; n]`).
    fn fixed_row_len(&self, array: ArrayId) -> Option<Expr> {
        let info = &self.arrays[array.0];
        if let [_, Operand::Const(row)] = info.lens.as_slice() {
            return Some(row.clone());
        }
        let param = match info.origin {
            ArrayOrigin::Param(p) => &self.sig.params[p],
            // rows of data left out of `#[grad(..)]`
            ArrayOrigin::Constant => self.sig.params.iter().find(|p| {
                info.path
                    .as_ref()
                    .is_some_and(|path| path.is_ident(&p.ident))
            })?,
            ArrayOrigin::Local => return None,
        };
        match &param.kind {
            ParamKind::Array { shape, .. } => match &**shape {
                Shape::Matrix { cols, .. } => Some(cols.clone()),
                _ => None,
            },
            ParamKind::DataArray { row_len, .. } => row_len.as_deref().cloned(),
            _ => None,
        }
    }

    /// `let mut a = *w;`, `w.to_vec()`, `w[i].clone()`, `x[1..].to_vec()`: a new array of the
    /// same shape (a fixed-size one when `keep_type` and the source is one), filled element by
    /// element.
    fn copy(&mut self, pi: &syn::PatIdent, source: &Expr, keep_type: bool) -> LocalArray {
        let span = source.span();
        let value = self.lower_expr(source);
        let (array, dims) = match &value {
            // `let c00 = cov.xx;` of a model's field only handed on whole (`quad(c00, c01)`):
            // of a type the function does not see, a number or an array, which nothing
            // writes: the field under another name.
            Value::Array(a) if self.arrays[a.0].dims == 0 && pi.mutability.is_none() => {
                self.field_copies.insert(pi.ident.to_string(), *a);
                return LocalArray::Declared(*a);
            }
            Value::Array(a) => (*a, self.arrays[a.0].dims),
            Value::Row { array, .. } => (*array, 1),
            Value::View(s) => (s.array, 1),
            Value::Error => return LocalArray::Failed,
            _ => return LocalArray::No,
        };
        let info = &self.arrays[array.0];
        let skip = usize::from(matches!(value, Value::Row { .. }));
        let fixed_source = info.fixed && !matches!(value, Value::View(_));
        let fixed: Vec<Expr> = info.lens[skip.min(info.lens.len())..]
            .iter()
            .filter_map(|l| match l {
                Operand::Const(e) => Some(e.clone()),
                _ => None,
            })
            .collect();
        let elem = info.elem;
        // A model's field or an array a call returned: its type is not written in the
        // function, so the copy is made like it.
        let untyped = match info.origin {
            ArrayOrigin::Param(p) => self.sig.params[p].field.is_some(),
            // (at the top level, where the reverse sweep still sees the source)
            ArrayOrigin::Local => info.lens.is_empty() && self.blocks.len() == 1,
            // (a data struct's field: a constant table is only ever lent to a call)
            ArrayOrigin::Constant => true,
        };
        let whole = matches!(value, Value::Array(_));
        let declaration = if keep_type && untyped && whole && dims <= 2 {
            Declaration {
                elem,
                fill: self.zero_of(elem),
                fixed_lens: Vec::new(),
                vec_len: None,
                row_len: None,
                like: Some(array),
            }
        } else if let Some(row) = self
            .fixed_row_len(array)
            .filter(|_| keep_type && matches!(value, Value::Row { .. }))
        {
            // `*x` of a row of `xs: &[[f64; 2]]`: an array of the row's type
            Declaration {
                elem,
                fill: self.zero_of(elem),
                fixed_lens: vec![row],
                vec_len: None,
                row_len: None,
                like: None,
            }
        } else if keep_type && fixed_source {
            Declaration {
                elem,
                fill: self.zero_of(elem),
                fixed_lens: fixed,
                vec_len: None,
                row_len: None,
                like: None,
            }
        } else if dims == 1 {
            let len = self.length_of(&value, span);
            Declaration {
                elem,
                fill: self.zero_of(elem),
                fixed_lens: Vec::new(),
                vec_len: Some(len),
                row_len: None,
                like: None,
            }
        } else if let Some(row) = self.fixed_row_len(array).filter(|_| dims == 2) {
            // rows of a fixed length (`&[[f64; 2]]`, `&Vec<[f64; 2]>`)
            let len = self.length_of(&value, span);
            Declaration {
                elem,
                fill: self.zero_of(elem),
                fixed_lens: vec![row],
                vec_len: Some(len),
                row_len: None,
                like: None,
            }
        } else if dims == 2 && whole && !self.reads(&source.to_token_stream()).poisoned {
            // `m.to_vec()` of rows (`&[Vec<f64>]`, an elimination's working copy): rows of
            // the first's length, which every row is checked to have.
            let len = self.length_of(&value, span);
            let row_len: Expr = parse_quote!(#source.first().map_or(0, |row| row.len()));
            let checked: syn::Stmt = parse_quote!(assert!(
                #source.iter().all(|row| row.len() == #row_len),
                "#[grad] copies a matrix whose rows have one length"
            ););
            self.lower_stmt(&checked);
            let Some(Value::Scalar(row_len)) = self.try_opaque(&row_len, true) else {
                return LocalArray::Failed;
            };
            Declaration {
                elem,
                fill: self.zero_of(elem),
                fixed_lens: Vec::new(),
                vec_len: Some(len),
                row_len: Some(row_len),
                like: None,
            }
        } else {
            self.errors.on(
                source,
                "#[grad] copies 1-D arrays, slices and Vecs, and fixed-size matrices; copy the rows one by one",
            );
            return LocalArray::Failed;
        };
        let copy = self.declare(pi, declaration);
        let k = self.next_synthetic();
        let name = |base: &str| Ident::new(&format!("{SYNTHETIC}{base}_{k}"), span);
        let (src, dst, i, j) = (name("source"), name("copy"), name("i"), name("j"));
        let fill: Expr = if dims == 2 {
            parse_quote!(for #i in 0..#dst.len() {
                for #j in 0..#dst[#i].len() {
                    #dst[#i][#j] = #src[#i][#j];
                }
            })
        } else {
            parse_quote!(for #i in 0..#dst.len() {
                #dst[#i] = #src[#i];
            })
        };
        self.scopes.push(HashMap::default());
        self.bind_pattern(&parse_quote!(#src), value);
        self.bind(dst.to_string(), Binding::Array(copy));
        drop(self.lower_expr(&fill));
        self.scopes.pop();
        LocalArray::Declared(copy)
    }

    /// `let v: Vec<f64> = chain.collect();`: a `Vec` of the chain's length, filled in one loop.
    fn collect(
        &mut self,
        pi: &syn::PatIdent,
        m: &syn::ExprMethodCall,
        annotated: Option<&syn::Type>,
    ) -> LocalArray {
        // `self.l1.forward(x).iter().map(..).collect()`: the returned array bound first.
        if let Some((returned, call, Expr::MethodCall(chain))) = self.call_source(m) {
            self.lower_stmt(&build::let_(build::binding(&returned), call));
            return self.collect(pi, &chain, annotated);
        }
        let span = m.span();
        let stream = match self.stream(&m.receiver) {
            Ok(s) if s.tail.is_empty() => s,
            Ok(s) => {
                // (A `filter` keeps a number of items the values decide: the vector is made
                // at the chain's length and cut to the items kept, `pushes.rs`.)
                if let Some(array) = self.collect_kept(pi, &m.receiver, annotated) {
                    return LocalArray::Declared(array);
                }
                let step = s.tail[0].name();
                self.errors.on(
                    &m.method,
                    format!("#[grad] collects the items a chain keeps after `{step}` when they are numbers or rows of numbers (`Vec<f64>`, `Vec<[f64; 2]>`), as a loop pushing each one would; these are not: write that loop, pushing the numbers you need into vectors declared empty before it (`let mut out = Vec::new(); for .. {{ .. out.push(v); }}`)"),
                );
                return LocalArray::Failed;
            }
            Err((span, message)) => {
                self.errors.at(span, message);
                return LocalArray::Failed;
            }
        };
        if self.closure_returns(&m.receiver) {
            return LocalArray::Failed;
        }
        let len = self.expr_scalar(&stream.len);
        let k = self.next_synthetic();
        let name = |base: &str| Ident::new(&format!("{SYNTHETIC}{base}_{k}"), span);
        let (dst, n, i, row) = (name("collected"), name("n"), name("i"), name("row"));
        let at = (stream.at)(&parse_quote!(#i));
        if yields_tuple(&at) {
            self.errors.on(
                &m.method,
                "#[grad] collects numbers, or rows written as array literals (`.map(|(a, b)| [a, b])`), not tuples: collect into `Vec<[f64; 2]>`, or index the zipped arrays directly",
            );
            return LocalArray::Failed;
        }
        if yields_view(&at) {
            self.errors.on(
                &m.method,
                "#[grad] collects numbers, or rows written as array literals (`.map(|c| [c[0], c[1]])`), not slices (`chunks`, `windows`): read the views in the chain itself (`xy.chunks(2).map(|p| p[0] * p[1]).sum()`), or collect rows as literals",
            );
            return LocalArray::Failed;
        }
        let mut nested = false;
        let _ = tails(&at, &mut |t| {
            nested |= matches!(t, Expr::MethodCall(c) if c.method == "collect");
        });
        if nested {
            self.errors.on(
                &m.method,
                "#[grad] collects numbers, or rows of a length it knows, not vectors each made by a `collect` of their own: declare the rows (`let mut s = vec![vec![0.0; k.len()]; q.len()];`) and fill them in loops (`s[i][j] = ..`)",
            );
            return LocalArray::Failed;
        }
        // Rows that are array literals (`.map(|r| [r[0] * 2.0, r[1].sin()])`, a closure's
        // value: a block that ends in one): a vector of rows of that length, each row written
        // through a reference to it. Rows of a length the `let` states (`Vec<[f64; 2]>`, of
        // what a call returns: `.map(|x| lift(x))`): each row assigned.
        let row_len = branch_array_len(&at);
        let stated_row_len = match annotated.map(element_of_vec) {
            Some(Some(syn::Type::Array(row))) => Some(row.len.clone()),
            _ => None,
        };
        let fixed_lens = match (row_len, stated_row_len) {
            (Some(l), _) => vec![Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::LitInt::new(&l.to_string(), span).into(),
            })],
            (None, Some(stated)) => vec![stated],
            (None, None) => Vec::new(),
        };
        let rows = !fixed_lens.is_empty();
        let array = self.declare(
            pi,
            Declaration {
                elem: Elem::Float,
                fill: self.zero(),
                fixed_lens,
                vec_len: Some(len.clone()),
                row_len: None,
                like: None,
            },
        );
        let fill: Expr = match (row_len, rows) {
            (Some(_), _) => {
                let written = assign_tails(&at, &row);
                parse_quote!(for #i in 0..#n {
                    let #row = &mut #dst[#i];
                    #written;
                })
            }
            (None, true) => {
                let written = assign_tails(&at, &quote::quote!(#dst[#i]));
                parse_quote!(for #i in 0..#n {
                    #written;
                })
            }
            (None, false) => parse_quote!(for #i in 0..#n {
                #dst[#i] = #at;
            }),
        };
        self.scopes.push(HashMap::default());
        let n_cell = self.new_cell("n", len, Ty::Int, false);
        self.bind(n.to_string(), n_cell);
        self.bind(dst.to_string(), Binding::Array(array));
        drop(self.lower_expr(&fill));
        self.scopes.pop();
        LocalArray::Declared(array)
    }

    /// Whether a 1-D float vector declared now as `name` may change its length: one the body
    /// assigns whole.
    pub(super) fn may_resize(&self, name: &str) -> bool {
        self.reassigned.contains(name)
    }

    fn zero_of(&self, elem: Elem) -> Operand {
        match elem {
            Elem::Float => self.zero(),
            Elem::Bool => Operand::Lit(lit_bool(false)),
            Elem::Other => Operand::Lit(lit_int(0)),
        }
    }

    /// Declares a local array named after `pi`.
    fn declare(&mut self, pi: &syn::PatIdent, d: Declaration) -> ArrayId {
        let id = ArrayId(self.arrays.len());
        let name = self.unique_name(&pi.ident.to_string());
        let one_dim = match d.like {
            Some(source) => self.arrays[source.0].dims == 1,
            None => d.vec_len.is_some() && d.fixed_lens.is_empty() && d.row_len.is_none(),
        };
        let resizable = one_dim && d.elem == Elem::Float && self.may_resize(&pi.ident.to_string());
        // The length of a resizable one is read from it.
        let lens = match resizable {
            true => Vec::new(),
            false => d
                .vec_len
                .iter()
                .chain(&d.row_len)
                .cloned()
                .chain(d.fixed_lens.iter().map(|n| Operand::Const(n.clone())))
                .collect(),
        };
        self.arrays.push(ArrayInfo {
            name,
            written: pi.ident.to_string(),
            elem: d.elem,
            dims: match d.like {
                Some(source) => self.arrays[source.0].dims,
                None => {
                    d.fixed_lens.len()
                        + usize::from(d.vec_len.is_some())
                        + usize::from(d.row_len.is_some())
                }
            },
            origin: ArrayOrigin::Local,
            path: None,
            lens,
            // A copy made like a field may be a `Vec`.
            fixed: d.vec_len.is_none() && d.like.is_none(),
            resizable,
            final_len: None,
            span: pi.ident.span(),
        });
        self.emit(Stmt::DeclareArray {
            array: id,
            fill: d.fill,
            fixed_lens: d.fixed_lens,
            vec_len: d.vec_len,
            row_len: d.row_len,
            like: d.like,
        });
        id
    }
}

fn repeat_parts(expr: &Expr) -> (Expr, Vec<Expr>) {
    match expr {
        Expr::Repeat(inner) => {
            let (fill, mut lens) = repeat_parts(&inner.expr);
            lens.insert(0, (*inner.len).clone());
            (fill, lens)
        }
        other => (other.clone(), Vec::new()),
    }
}

/// The innermost element type of an array or `Vec` type: `f64` of `[[f64; 3]; 2]`,
/// `Vec<[f64; 3]>` or `Vec<Vec<f64>>`.
pub(super) fn element_type(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Array(a) => element_type(&a.elem),
        syn::Type::Paren(p) => element_type(&p.elem),
        syn::Type::Path(p) => match p.path.segments.last() {
            Some(last) if last.ident == "Vec" => match &last.arguments {
                syn::PathArguments::AngleBracketed(args) => match args.args.first() {
                    Some(syn::GenericArgument::Type(inner)) => element_type(inner),
                    _ => ty,
                },
                _ => ty,
            },
            _ => ty,
        },
        _ => ty,
    }
}

/// `[T; N]` or `Vec<T>`, as a `let` may be annotated.
fn is_array_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Array(_) => true,
        syn::Type::Path(tp) => tp.path.segments.last().is_some_and(|s| s.ident == "Vec"),
        _ => false,
    }
}

/// The length of the array literals every branch of `expr` (an `if`, a `match`, a block)
/// ends in, when it does (`if c { [a, b] } else { [b, a] }`); a branch that leaves
/// (`return`, `continue`, a panic) may stand beside them.
pub(super) fn branch_array_len(expr: &Expr) -> Option<usize> {
    branch_arrays(expr)?
}

/// Whether every branch of the `if`/`match` (or block) `expr` ends in an array literal, a
/// local array (`out`), a parameter's copy (`*x`) or leaves, and then the literals' length
/// (`None` without one).
pub(super) fn branch_arrays(expr: &Expr) -> Option<Option<usize>> {
    if !matches!(expr, Expr::If(_) | Expr::Match(_) | Expr::Block(_)) {
        return None;
    }
    let (mut lens, mut others) = (Vec::new(), false);
    tails(expr, &mut |tail| match tail {
        Expr::Array(a) => lens.push(a.elems.len()),
        Expr::Repeat(r) => lens.extend(literal_len(&r.len)),
        t if names_array(t) || is_call(t) || leaves(t) => {}
        _ => others = true,
    })?;
    match lens.first() {
        _ if others => None,
        Some(&first) => lens.iter().all(|&l| l == first).then_some(Some(first)),
        None => Some(None),
    }
}

/// The length of the rows of the matrix literals the branches of `expr` end in (`if c {
/// [[a, b], [b, a]] } else { .. }`), when every literal is one and their rows agree.
pub(super) fn branch_matrix_cols(expr: &Expr) -> Option<usize> {
    let mut cols = Vec::new();
    tails(expr, &mut |tail| {
        if let Expr::Array(a) = tail {
            for row in &a.elems {
                cols.push(match row {
                    Expr::Array(r) => Some(r.elems.len()),
                    _ => None,
                });
            }
        }
    })?;
    let first = (*cols.first()?)?;
    cols.iter().all(|&c| c == Some(first)).then_some(first)
}

/// `expr` with each array it ends in written into `name`: a literal element by element, `if
/// c { [a, b] } else { .. }` as `if c { name[0] = a; name[1] = b; } else { .. }`; a local
/// array, a parameter's copy, a row or a call's array whole (`name = out;`, `name = *x;`,
/// `name = y[k];`). `name` may be a row (`m[j]`).
pub(super) fn assign_tails(expr: &Expr, name: &impl quote::ToTokens) -> Expr {
    let mut expr = expr.clone();
    branch_tail_mut(&mut expr, &mut |tail| match tail {
        Expr::Array(a) => {
            let writes = a.elems.iter().enumerate().map(|(i, e)| {
                let i = syn::Index::from(i);
                quote::quote!(#name[#i] = #e;)
            });
            *tail = parse_quote!({ #(#writes)* });
        }
        // `[0.0; 3]`: every element written.
        Expr::Repeat(r) => {
            let (value, len) = (&r.expr, &r.len);
            let i = syn::Ident::new(&format!("{SYNTHETIC}filled"), r.span());
            *tail = parse_quote!({ for #i in 0..#len { #name[#i] = #value; } });
        }
        // Any other array (`out`, `*x`, `g(x)`, a row `y[k]`) assigned whole.
        t if !leaves(t) => {
            let named = t.clone();
            *t = parse_quote!({ #name = #named; });
        }
        _ => {}
    });
    expr
}

/// The arrays the branches of `expr` end in by name (`*x`, `out`): the lengths of the fixed
/// ones tell the length of the array the branches make when no literal does.
pub(super) fn branch_named_arrays(expr: &Expr) -> Vec<Expr> {
    let mut named = Vec::new();
    let _ = tails(expr, &mut |tail| {
        if names_array(tail) {
            named.push(tail.clone());
        }
    });
    named
}

/// A call (`swap2(x)`, `m.forward(&h)`): in a branch beside arrays, the array it returns.
/// The length an integer literal writes (`3` of `[0.0; 3]`).
fn literal_len(e: &Expr) -> Option<usize> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse().ok(),
        _ => None,
    }
}

/// A call, or a `vec![..]`: an array of a length it tells.
fn is_call(e: &Expr) -> bool {
    match e {
        Expr::Call(_) | Expr::MethodCall(_) => true,
        Expr::Macro(m) => m.mac.path.is_ident("vec"),
        _ => false,
    }
}

/// `out` or `*x`: a local array, or a parameter's copy, by name.
fn names_array(e: &Expr) -> bool {
    match e {
        Expr::Path(p) => p.path.get_ident().is_some(),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => names_array(&u.expr),
        _ => false,
    }
}

pub(super) fn leaves(e: &Expr) -> bool {
    match e {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Macro(m) => super::expr::is_diverging(&m.mac),
        _ => false,
    }
}

/// Calls `f` on the value each branch of an `if`/`match` ends in; `None` when `expr` is
/// neither or a branch ends in a statement.
fn tails(expr: &Expr, f: &mut dyn FnMut(&Expr)) -> Option<()> {
    if let Expr::Block(b) = expr {
        return block_tail(&b.block, f);
    }
    match expr {
        Expr::If(i) => {
            block_tail(&i.then_branch, f)?;
            match &i.else_branch {
                Some((_, e)) => branch_tail(e, f),
                None => None,
            }
        }
        Expr::Match(m) => m.arms.iter().try_for_each(|arm| branch_tail(&arm.body, f)),
        _ => None,
    }
}

fn branch_tail(e: &Expr, f: &mut dyn FnMut(&Expr)) -> Option<()> {
    match e {
        Expr::If(_) | Expr::Match(_) => tails(e, f),
        Expr::Block(b) => block_tail(&b.block, f),
        other => {
            f(other);
            Some(())
        }
    }
}

fn block_tail(b: &syn::Block, f: &mut dyn FnMut(&Expr)) -> Option<()> {
    match b.stmts.last() {
        Some(syn::Stmt::Expr(e, None)) => branch_tail(e, f),
        // `{ ..; return x; }`, `{ continue; }`
        Some(syn::Stmt::Expr(e, Some(_))) if leaves(e) => Some(()),
        Some(syn::Stmt::Macro(m)) if super::expr::is_diverging(&m.mac) => Some(()),
        _ => None,
    }
}

fn tails_mut(expr: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    match expr {
        Expr::If(i) => {
            block_tail_mut(&mut i.then_branch, f);
            if let Some((_, e)) = &mut i.else_branch {
                branch_tail_mut(e, f);
            }
        }
        Expr::Match(m) => m
            .arms
            .iter_mut()
            .for_each(|arm| branch_tail_mut(&mut arm.body, f)),
        _ => {}
    }
}

pub(super) fn branch_tail_mut(e: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    match e {
        Expr::If(_) | Expr::Match(_) => tails_mut(e, f),
        Expr::Block(b) => block_tail_mut(&mut b.block, f),
        other => f(other),
    }
}

fn block_tail_mut(b: &mut syn::Block, f: &mut dyn FnMut(&mut Expr)) {
    if let Some(syn::Stmt::Expr(e, None)) = b.stmts.last_mut() {
        branch_tail_mut(e, f);
    }
}

/// Whether an item of a chain is a tuple (`zip`, `enumerate`, a closure's `(a, b)`).
/// Whether a chain's item is a slice view (`&x[a..b]` of `chunks`, `windows`).
fn yields_view(e: &Expr) -> bool {
    match e {
        Expr::Reference(r) => {
            matches!(&*r.expr, Expr::Index(i) if matches!(&*i.index, Expr::Range(_)))
        }
        Expr::Paren(p) => yields_view(&p.expr),
        _ => false,
    }
}

fn yields_tuple(e: &Expr) -> bool {
    match e {
        Expr::Tuple(_) => true,
        Expr::Paren(p) => yields_tuple(&p.expr),
        Expr::Block(b) => {
            matches!(b.block.stmts.last(), Some(syn::Stmt::Expr(e, None)) if yields_tuple(e))
        }
        _ => false,
    }
}

/// `T` of `Vec<T>`.
fn element_of_vec(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last().filter(|s| s.ident == "Vec")?;
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first() {
            Some(syn::GenericArgument::Type(t)) => Some(t),
            _ => None,
        },
        _ => None,
    }
}
