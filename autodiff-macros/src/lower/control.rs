//! Lowering of `if`, `match`, `return`, `break` and `continue`.

use super::*;

impl Lowerer<'_> {
    // ----- control flow ---------------------------------------------------------------------

    pub(super) fn lower_if(&mut self, i: &syn::ExprIf) -> Option<Value> {
        let span = i.span();
        let then_branch = &i.then_branch;
        let else_branch = i.else_branch.as_ref().map(|(_, e)| &**e);
        if let Expr::Let(l) = &*i.cond {
            return self.lower_if_let(l, then_branch, else_branch, span);
        }
        let cond = self.condition(&i.cond);
        self.lower_if_with(
            cond,
            |lw| Some(lw.lower_scoped(then_branch)),
            |lw| else_branch.map(|e| lw.lower_expr(e)),
            span,
        )
    }

    /// `if let Some(w) = weights { .. }` on data (an `Option` parameter, a lookup): the test
    /// and each name the pattern binds are read as written, where the pattern matched.
    fn lower_if_let(
        &mut self,
        l: &syn::ExprLet,
        then_branch: &syn::Block,
        else_branch: Option<&Expr>,
        span: Span,
    ) -> Option<Value> {
        let (pat, scrutinee) = (&*l.pat, &*l.expr);
        if let Some(value) = self.optional_if_let(pat, scrutinee, then_branch, else_branch, span) {
            return value;
        }
        if let Some(branch) = self.element_if_let(pat, scrutinee, then_branch, else_branch) {
            return Some(self.lower_expr(&branch));
        }
        // `if let [a, b, ..] = x` (or `&[a, b, ..]`): on the length, the elements bound inside.
        if let (Some(ps), true) = (slice_pattern(pat), self.is_known_array(scrutinee)) {
            let base = self.lower_expr(scrutinee);
            let fits = self.slice_fits(ps, &base, span);
            let bind = |lw: &mut Self| lw.bind_slice_pattern(ps, &base);
            return self.lower_if_binding(fits, bind, then_branch, else_branch, span);
        }
        let Some(matched) = self.data_match(pat, scrutinee, "if let`/`while let") else {
            return Some(Value::Error);
        };
        let bind = |lw: &mut Self| lw.bind_matched(pat, scrutinee);
        self.lower_if_binding(matched, bind, then_branch, else_branch, span)
    }

    /// `if cond { then_branch } else { else_branch }` where `bind` binds the names the
    /// `then_branch` reads, in a scope of their own (an `if let`'s).
    pub(super) fn lower_if_binding(
        &mut self,
        cond: Operand,
        bind: impl FnOnce(&mut Self),
        then_branch: &syn::Block,
        else_branch: Option<&Expr>,
        span: Span,
    ) -> Option<Value> {
        self.lower_if_with(
            cond,
            |lw| {
                lw.scopes.push(HashMap::default());
                bind(lw);
                let value = lw.lower_scoped(then_branch);
                lw.scopes.pop();
                Some(value)
            },
            |lw| else_branch.map(|e| lw.lower_expr(e)),
            span,
        )
    }

    /// `if let Some(&v) = x.last() { .. } else { .. }` on a differentiated array (`first`,
    /// `last`, `get(i)`, with `.copied()`), also several at once (`if let (Some(&a), Some(&b))
    /// = (x.first(), x.last())`): the branch on whether the elements are there, the elements
    /// read inside it.
    fn element_if_let(
        &self,
        pat: &Pat,
        scrutinee: &Expr,
        then_branch: &syn::Block,
        else_branch: Option<&Expr>,
    ) -> Option<Expr> {
        let pairs: Vec<(&Pat, &Expr)> = match (pat, scrutinee) {
            (Pat::Tuple(p), Expr::Tuple(e)) if p.elems.len() == e.elems.len() => {
                p.elems.iter().zip(&e.elems).collect()
            }
            _ => vec![(pat, scrutinee)],
        };
        let mut bindings: Vec<syn::Stmt> = Vec::new();
        let mut missing: Vec<Expr> = Vec::new();
        for (pat, scrutinee) in pairs {
            let (inner, element, absent) = self.some_element(pat, scrutinee)?;
            bindings.push(syn::parse_quote!(let #inner = #element;));
            missing.push(absent);
        }
        let stmts = &then_branch.stmts;
        let otherwise = else_branch.map(|e| quote!(else #e));
        Some(syn::parse_quote_spanned!(pat.span()=>
            if #(!(#missing))&&* { #(#bindings)* #(#stmts)* } #otherwise
        ))
    }

    /// `Some(p)` matched against an element of a differentiated array that may be missing
    /// (or a reduction of its items): `p` without a leading `&`, the element, and the
    /// condition under which there is none.
    fn some_element<'p>(&self, pat: &'p Pat, scrutinee: &Expr) -> Option<(&'p Pat, Expr, Expr)> {
        let Pat::TupleStruct(some) = pat else {
            return None;
        };
        let ok = some.path.is_ident("Ok");
        let ([inner], true) = (
            &*some.elems.iter().collect::<Vec<_>>(),
            some.qself.is_none() && (some.path.is_ident("Some") || ok),
        ) else {
            return None;
        };
        // A reference to the element (`Some(&v)`, without `.copied()`) is read by value.
        let (by_ref, inner) = match *inner {
            Pat::Reference(r) => (true, &*r.pat),
            inner => (false, inner),
        };
        let (element, missing) = match self.optional_element(scrutinee) {
            Some(found) if !ok => found,
            // `if let Some(t) = hit_sphere(ray, s)`, `if let Ok(v) = safe_ln(x)` of a fallible
            // call on differentiated values: its value where it succeeded (the call tested as
            // data first, then made again for its value, which its derivative follows).
            _ if self.is_fallible_call(scrutinee) => {
                let span = scrutinee.span();
                let failed = match ok {
                    true => quote!(is_err),
                    false => quote!(is_none),
                };
                (
                    syn::parse_quote_spanned!(span=> #scrutinee.unwrap()),
                    syn::parse_quote_spanned!(span=> #scrutinee.#failed()),
                )
            }
            _ if ok => return None,
            Some(found) => found,
            // `if let Some(m) = x.iter().copied().reduce(f64::max)`: the reduction unwrapped
            // where it has a value (tested as data, once more).
            None if self.is_optional_reduction(scrutinee) => {
                let span = scrutinee.span();
                let deref = by_ref.then(|| quote!(*));
                (
                    syn::parse_quote_spanned!(span=> #deref #scrutinee.unwrap()),
                    syn::parse_quote_spanned!(span=> #scrutinee.is_none()),
                )
            }
            None => return None,
        };
        Some((inner, element, missing))
    }

    /// Whether `e` is a call of a function (of a model's method) on differentiated values,
    /// which a pattern `Some(..)` or `Ok(..)` says is fallible.
    pub(super) fn is_fallible_call(&self, e: &Expr) -> bool {
        let call = match e {
            Expr::Call(c) => {
                !matches!(&*c.func, Expr::Path(p) if super::names::is_constructor(&p.path))
            }
            Expr::MethodCall(m) => self.model_method(m).is_some(),
            _ => false,
        };
        call && self.reads(&e.to_token_stream()).varied
    }

    /// Whether `e` reduces a differentiated array's items to an `Option` without changing what
    /// it reads (`x.iter().copied().reduce(f64::max)`, `.max_by(..)`, `.min_by(..)`).
    pub(super) fn is_optional_reduction(&self, e: &Expr) -> bool {
        let Expr::MethodCall(m) = e else {
            return false;
        };
        ["reduce", "max_by", "min_by"].contains(&&*m.method.to_string())
            && !changes_what_it_reads(e)
            && self.reads(&e.to_token_stream()).varied
    }

    /// A `match` of two arms without guards, `Some(p)` and `None` (or `_`), on a reduction of a
    /// differentiated array or a fallible call on differentiated values, or `Ok(p)` and
    /// `Err(_)` (or `_`) on such a call, as `if let Some(p) = .. { .. } else { .. }`.
    fn reduction_match(&self, m: &syn::ExprMatch) -> Option<Expr> {
        let [a, b] = &*m.arms.iter().collect::<Vec<_>>() else {
            return None;
        };
        let success = |p: &Pat| match p {
            Pat::TupleStruct(t) if t.path.is_ident("Some") => Some(false),
            Pat::TupleStruct(t) if t.path.is_ident("Ok") => Some(true),
            _ => None,
        };
        // (`Err(_)`: the error is not bound, so nothing reads it)
        let failure = |p: &Pat, ok: bool| match p {
            Pat::Ident(i) => !ok && is_none_name(&i.ident),
            Pat::Path(p) => !ok && p.path.is_ident("None"),
            Pat::TupleStruct(t) => {
                ok && t.path.is_ident("Err") && t.elems.iter().all(|e| matches!(e, Pat::Wild(_)))
            }
            p => matches!(p, Pat::Wild(_)),
        };
        let (some, none, ok) = match (success(&a.pat), success(&b.pat)) {
            (Some(ok), None) if failure(&b.pat, ok) => (a, b, ok),
            (None, Some(ok)) if failure(&a.pat, ok) => (b, a, ok),
            _ => return None,
        };
        let reduction = !ok && self.is_optional_reduction(&m.expr);
        if a.guard.is_some() || b.guard.is_some() || !(reduction || self.is_fallible_call(&m.expr))
        {
            return None;
        }
        let (scrutinee, pat, then, otherwise) = (&m.expr, &some.pat, &some.body, &none.body);
        Some(syn::parse_quote_spanned!(m.span()=>
            if let #pat = #scrutinee { #then } else { #otherwise }
        ))
    }

    /// Whether data `scrutinee` matches `pat` (`matches!(weights, Some(w))`), read as written;
    /// `None`, reported, when the value is differentiated or changes when read.
    fn data_match(&mut self, pat: &Pat, scrutinee: &Expr, construct: &str) -> Option<Operand> {
        if self.reads(&scrutinee.to_token_stream()).varied && !is_search(scrutinee) {
            let message = match scrutinee {
                Expr::MethodCall(_) if super::element_refs::lends_element(scrutinee) => "#[grad] takes a mutable reference to an element (`v.last_mut()`, `v.first_mut()`, `v.get_mut(i)`) of a local, a field or an element of one, read and written only as `*r` or a method's receiver (`if let Some(r) = v.last_mut() { *r *= 2.0; }`): otherwise index the element instead (`let i = v.len() - 1; v[i] *= 2.0;`)".to_string(),
                // `if let Ok(v) = safe_ln(x)`, `let Some(v) = g(x) else { .. }`
                Expr::Call(_) | Expr::MethodCall(_) => format!("#[grad] takes the value of a fallible call with `?`, `.unwrap()` or `.unwrap_or(default)` (`let v = safe_ln(x)?;`), not by `{construct}`: the derivative follows the value; to branch on a failure, test it first (`if safe_ln(x).is_ok() {{ let v = safe_ln(x).unwrap(); .. }}`: a condition passes no derivative)"),
                _ => format!("#[grad] supports `{construct}` on data (an `Option` parameter, a lookup in a table): this value depends on a differentiated input; test it with a comparison, or compute the case as an index"),
            };
            self.errors.on(scrutinee, message);
            return None;
        }
        if changes_what_it_reads(scrutinee) {
            self.errors.on(
                scrutinee,
                format!("#[grad] reads the value of a `{construct}` once for the test and once per name it binds: bind the value to a local first (`let next = it.next();`)"),
            );
            return None;
        }
        let test: Expr = syn::parse_quote_spanned!(pat.span()=> matches!(#scrutinee, #pat));
        match self.try_opaque(&test, true)? {
            Value::Scalar(Operand::Var(v)) => {
                self.vars[v.0].ty = Ty::Bool;
                Some(Operand::Var(v))
            }
            _ => None,
        }
    }

    /// Binds, in the current scope, each name `pat` binds, read from data `scrutinee` where
    /// it matched.
    fn bind_matched(&mut self, pat: &Pat, scrutinee: &Expr) {
        let mut names = Vec::new();
        bound_names(pat, &mut names);
        // A capitalized name inside the pattern (`Some(T)`, `Troe { A, T3 }`) binds as
        // Rust resolves it: a number read where the pattern matched is the constant's value
        // when the name is a constant, so it is bound where it reads a number.
        let capitalized = capitalized_names(pat);
        names.extend(capitalized.iter().cloned());
        // The pattern's names, taken out under names of their own: a local they shadow
        // (`Some(x)` beside a differentiated `x`) is not what the value reads.
        let own =
            |name: &syn::Ident| syn::Ident::new(&format!("{SYNTHETIC}bound_{name}"), name.span());
        let mut renamed = pat.clone();
        let mut rename = RenameBindings {
            names: &names,
            to: &own,
        };
        syn::visit_mut::VisitMut::visit_pat_mut(&mut rename, &mut renamed);
        // Every name read before any is bound: the scrutinee may read a name the pattern
        // binds again (`if let (Some(i), j) = (i.checked_sub(1), j + i)`).
        let values: Vec<Option<Value>> = names
            .iter()
            .map(|name| {
                // A number behind a reference (bound through `&Reg`) is read by value.
                let bound = build::bound(own(name));
                let value: Expr = syn::parse_quote_spanned!(name.span()=> match #scrutinee {
                    #renamed => #bound,
                    _ => ::core::unreachable!(),
                });
                self.try_opaque(&value, is_search(scrutinee))
            })
            .collect();
        for (name, value) in names.iter().zip(values) {
            match value {
                Some(Value::Scalar(op)) => {
                    // `Some(delta)` of an `Option<f64>` parameter: a float, which a call
                    // passes with a shadow.
                    let declared = self.data_type(scrutinee).and_then(|ty| {
                        bound_type(pat, &ty, name).map(|bound| type_kind(bound, self.sig))
                    });
                    if let (Some(Ty::Float), Operand::Var(v)) = (declared, &op) {
                        self.vars[v.0].ty = Ty::Float;
                    }
                    // `Loss::Huber { delta }`, `Some(x)` of `rows.last()`: taken for a float,
                    // as a data struct's field is, unless it is read as an integer or named
                    // like a size.
                    let payload = declared.is_none()
                        && (holds_variant_payload(pat) || self.looks_float(scrutinee));
                    if let (true, Operand::Var(v)) = (payload, &op) {
                        self.guess_float_data(*v, name);
                    }
                    let ty = self.ty(&op);
                    let cell = self.new_cell(&name.to_string(), op, ty, false);
                    self.bind(name.to_string(), cell);
                }
                // A variant or constant that is no number, left to Rust.
                _ if capitalized.contains(name) => {}
                Some(_) => self.bind(name.to_string(), Binding::Poisoned),
                // (Never silently: a name bound to nothing would read as nothing.)
                None => {
                    self.errors.on(
                        name,
                        format!("#[grad] binds `{name}` by a pattern on data, and cannot read it: bind it under another name"),
                    );
                    self.bind(name.to_string(), Binding::Poisoned);
                }
            }
        }
    }

    /// The type written for data `expr`: a parameter's (`d: Option<f64>`), also borrowed or
    /// dereferenced, or an element's of one (`ys[t]` of `ys: &[Option<f64>]`).
    fn data_type(&self, expr: &Expr) -> Option<syn::Type> {
        match expr {
            Expr::Reference(r) => self.data_type(&r.expr),
            Expr::Paren(p) => self.data_type(&p.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.data_type(&u.expr),
            Expr::Index(i) if !matches!(&*i.index, Expr::Range(_)) => {
                let container = self.data_type(&i.expr)?;
                super::prescan::element_type(&container).cloned()
            }
            Expr::Path(p) => self
                .sig
                .written_types
                .get(&p.path.get_ident()?.to_string())
                .cloned(),
            _ => None,
        }
    }

    /// An `if` whose branches are lowered by two closures; merges cells and values with phis.
    pub(super) fn lower_if_with(
        &mut self,
        cond: Operand,
        then_branch: impl FnOnce(&mut Self) -> Option<Value>,
        else_branch: impl FnOnce(&mut Self) -> Option<Value>,
        span: Span,
    ) -> Option<Value> {
        let before: Vec<Operand> = self.cells.iter().map(|c| c.value.clone()).collect();
        let n_cells = before.len();
        self.branches += 1;

        self.open_block(Scope::Branch);
        let then_value = then_branch(self);
        let then_stmts = self.close_block();
        let then_cells: Vec<Operand> = self.cells[..n_cells]
            .iter()
            .map(|c| c.value.clone())
            .collect();
        self.cells.truncate(n_cells);
        for (cell, value) in self.cells.iter_mut().zip(&before) {
            cell.value = value.clone();
        }

        self.open_block(Scope::Branch);
        let else_value = else_branch(self);
        let else_stmts = self.close_block();
        self.branches -= 1;
        let else_cells: Vec<Operand> = self.cells[..n_cells]
            .iter()
            .map(|c| c.value.clone())
            .collect();
        self.cells.truncate(n_cells);

        let mut phis = Vec::new();
        for (cell, (t, e)) in then_cells.iter().zip(&else_cells).enumerate() {
            if same_operand(t, e) {
                self.cells[cell].value = t.clone();
                continue;
            }
            let ty = match self.cells[cell].ty {
                Ty::Unknown => [t, e]
                    .into_iter()
                    .map(|x| self.ty(x))
                    .find(|ty| *ty != Ty::Unknown)
                    .unwrap_or(Ty::Unknown),
                ty => ty,
            };
            self.cells[cell].ty = ty;
            let name = self.cells[cell].name.clone();
            let phi = self.phi(&name, ty, t.clone(), e.clone(), span);
            self.cells[cell].value = Operand::Var(phi.var);
            phis.push(phi);
        }
        let value = match (then_value, else_value) {
            (Some(t), Some(e)) => Some(self.merge_values(t, e, &mut phis, span)),
            (Some(Value::Unit), None) | (None, _) => None,
            (Some(t), None) => {
                // A guard's value: the else branch never produces the function's result.
                let e = self.dummy_like(&t);
                Some(self.merge_values(t, e, &mut phis, span))
            }
        };
        self.emit(Stmt::If {
            cond,
            then_block: Block { stmts: then_stmts },
            else_block: Block { stmts: else_stmts },
            phis,
        });
        value
    }

    pub(super) fn dummy_like(&self, v: &Value) -> Value {
        match v {
            Value::Scalar(op) => Value::Scalar(self.dummy(self.ty(op))),
            Value::Tuple(vs) => Value::Tuple(vs.iter().map(|v| self.dummy_like(v)).collect()),
            other => other.clone(),
        }
    }

    pub(super) fn merge_values(
        &mut self,
        t: Value,
        e: Value,
        phis: &mut Vec<Phi>,
        span: Span,
    ) -> Value {
        match (t, e) {
            // Reported where the branch's value failed.
            (Value::Error, _) | (_, Value::Error) => Value::Error,
            (Value::Scalar(a), Value::Scalar(b)) => {
                if same_operand(&a, &b) {
                    return Value::Scalar(a);
                }
                let ty = match (self.ty(&a), self.ty(&b)) {
                    (Ty::Unknown, t) | (t, _) => t,
                };
                let phi = self.phi("t", ty, a, b, span);
                let var = phi.var;
                phis.push(phi);
                Value::Scalar(Operand::Var(var))
            }
            (Value::Tuple(a), Value::Tuple(b)) if a.len() == b.len() => Value::Tuple(
                a.into_iter()
                    .zip(b)
                    .map(|(x, y)| self.merge_values(x, y, phis, span))
                    .collect(),
            ),
            (Value::Unit, Value::Unit) => Value::Unit,
            // A branch that diverges (`_ => unreachable!()`) beside statements (`0 => r += x`)
            // or a tuple (`0 => (s, c)`).
            (Value::Unit, Value::Scalar(x)) | (Value::Scalar(x), Value::Unit)
                if self.is_placeholder(&x) =>
            {
                Value::Unit
            }
            (v @ Value::Tuple(_), Value::Scalar(x)) if self.is_placeholder(&x) => {
                let never = self.dummy_like(&v);
                self.merge_values(v, never, phis, span)
            }
            (Value::Scalar(x), v @ Value::Tuple(_)) if self.is_placeholder(&x) => {
                let never = self.dummy_like(&v);
                self.merge_values(never, v, phis, span)
            }
            // A branch that leaves (`return`, `break`, `continue`, a panic) has no value (Rust
            // types it `!`): the other's stands, and what the leaving one gives is never read
            // where a `let` binds the value or the function returns it.
            (v @ (Value::Scalar(_) | Value::Tuple(_)), Value::Unit) if self.value_may_leave => {
                let never = self.dummy_like(&v);
                self.merge_values(v, never, phis, span)
            }
            (Value::Unit, v @ (Value::Scalar(_) | Value::Tuple(_))) if self.value_may_leave => {
                let never = self.dummy_like(&v);
                self.merge_values(never, v, phis, span)
            }
            (Value::Array(_) | Value::Row { .. } | Value::View(_), _)
            | (_, Value::Array(_) | Value::Row { .. } | Value::View(_)) => {
                self.errors.at(
                    span,
                    "#[grad] takes an `if`/`match` whose branches give numbers or tuples of numbers, not arrays: assign the array in the branches instead (`let mut a = *u; if c { a = *v; }`)",
                );
                Value::Error
            }
            _ => {
                self.errors.at(
                    span,
                    "#[grad] needs both branches of an `if`/`match` to produce the same kind of value (a number or a tuple of numbers); a branch that leaves (`continue`, `return`) may stand beside a value that a `let` binds: `let v = if c { a } else { continue };`",
                );
                Value::Error
            }
        }
    }

    /// A new value that is `then_value` or `else_value`: varied if either is, and float data
    /// if either is and its type is not known (`match k { 0 => TABLE[0], _ => g(EPS)? }`).
    fn phi(
        &mut self,
        name: &str,
        ty: Ty,
        then_value: Operand,
        else_value: Operand,
        span: Span,
    ) -> Phi {
        let var = self.new_var(name, ty, span);
        self.vars[var.0].varied = self.is_varied(&then_value) || self.is_varied(&else_value);
        let float_data = self.is_float_data(&then_value) || self.is_float_data(&else_value);
        if ty == Ty::Unknown && float_data {
            self.table_elements.insert(var);
        }
        Phi {
            var,
            then_value,
            else_value,
        }
    }

    pub(super) fn lower_match(&mut self, m: &syn::ExprMatch) -> Value {
        // `match &cfg.weights { Some(ws) => ws[i], None => 1.0 }`: arms that destructure
        // data, tried in order as `if let`s.
        let destructures = |p: &Pat| match p {
            Pat::Or(o) => o
                .cases
                .iter()
                .any(|c| matches!(c, Pat::TupleStruct(_) | Pat::Struct(_))),
            p => matches!(p, Pat::TupleStruct(_) | Pat::Struct(_)),
        };
        // `match x.iter().copied().reduce(f64::max) { Some(v) => .., None => .. }`: the `if let`
        // on the reduction.
        if let Some(if_let) = self.reduction_match(m) {
            return self.lower_expr(&if_let);
        }
        // `match best { Some((i, b)) if b > s => .., _ => .. }` on a local `Option`.
        if let Some(value) = self.optional_match(m) {
            return value;
        }
        // `match xs.binary_search_by(|v| v.total_cmp(&x)) { Ok(i) | Err(i) => i }`: the
        // search runs once, its result data to match on.
        if is_search(&m.expr) {
            let found = proc_macro2::Ident::new(
                &crate::reverse::unmentioned(&m.to_token_stream(), "found"),
                m.expr.span(),
            );
            let (scrutinee, arms) = (&m.expr, &m.arms);
            return self.lower_expr(&syn::parse_quote_spanned!(m.span()=>
                { let #found = #scrutinee; match #found { #(#arms)* } }
            ));
        }
        if m.arms.iter().any(|a| destructures(&a.pat))
            && !self.reads(&m.expr.to_token_stream()).varied
        {
            return self.lower_expr(&if_let_chain(&m.expr, &m.arms));
        }
        // `match xs { [] => .., [a] => .., [a, b, rest @ ..] => .. }`: the shapes of a slice,
        // tried in order as `if let`s (which read a differentiated one element by element).
        let shape = |p: &Pat| matches!(p, Pat::Slice(_) | Pat::Wild(_));
        if m.arms.iter().all(|a| shape(&a.pat))
            && m.arms.iter().any(|a| matches!(a.pat, Pat::Slice(_)))
        {
            return self.lower_expr(&if_let_chain(&m.expr, &m.arms));
        }
        // `match x.first() { Some(&v) => a, None => b }`: `if let Some(&v) = x.first()`.
        if let [first, second] = &*m.arms {
            let is_none = |p: &Pat| match p {
                Pat::Ident(n) => n.ident == "None" && n.subpat.is_none(),
                Pat::Path(p) => p.path.is_ident("None"),
                _ => false,
            };
            // `None` may come first; `_` only last (an arm before it would never run).
            let (some, none) = match is_none(&first.pat) {
                true => (second, first),
                false => (first, second),
            };
            let otherwise = is_none(&none.pat)
                || matches!(
                    (&none.pat, std::ptr::eq(none, second)),
                    (Pat::Wild(_), true)
                );
            if some.guard.is_none() && none.guard.is_none() && otherwise {
                let (body, other) = (&some.body, &none.body);
                let then_branch: syn::Block = syn::parse_quote!({ #body });
                let else_branch: Expr = syn::parse_quote!({ #other });
                if let Some(branch) =
                    self.element_if_let(&some.pat, &m.expr, &then_branch, Some(&else_branch))
                {
                    return self.lower_expr(&branch);
                }
            }
        }
        // Data read in place (`tail`, `cfg.kind`, `&cfg.kind`, `*t`, `types[i]`) is matched
        // against a path pattern as written: an enum need not implement `PartialEq`.
        let place = (read_again(&m.expr) && !self.reads(&m.expr.to_token_stream()).varied)
            .then_some(&*m.expr);
        // A tuple (`match (i, j)`, `match (a > 0.0, b > 0.0)`) is matched element by element.
        // Variants matched in place need no value (which a copy of a `*t` not `Copy` lacks).
        let in_place =
            |a: &syn::Arm| variant_path(&a.pat).is_some() || matches!(a.pat, Pat::Wild(_));
        if place.is_some() && m.arms.iter().all(in_place) {
            return self
                .lower_arms(&Value::Unit, place, &m.arms, m.span())
                .unwrap_or(Value::Unit);
        }
        let scrutinee = match self.lower_expr(&m.expr) {
            tuple @ Value::Tuple(_) => tuple,
            value => Value::Scalar(self.scalar_of(value, &m.expr)),
        };
        self.lower_arms(&scrutinee, place, &m.arms, m.span())
            .unwrap_or(Value::Unit)
    }

    /// `match` as a chain of `if`s on the arms' patterns. What an arm binds (`m =>`) is seen
    /// by its guard and body only, never by the arms after it or the code after the `match`.
    pub(super) fn lower_arms(
        &mut self,
        scrutinee: &Value,
        place: Option<&Expr>,
        arms: &[syn::Arm],
        span: Span,
    ) -> Option<Value> {
        let (arm, rest) = arms.split_first()?;
        self.scopes.push(HashMap::default());
        let pattern = self.pattern_condition(scrutinee, place, &arm.pat);
        // A guard is read only where the pattern matched (`n if x[n] > 0.0`).
        let cond = match (pattern, &arm.guard) {
            (pattern, None) => pattern,
            (None, Some((_, guard))) => Some(self.expr_scalar(guard)),
            (Some(pattern), Some((_, guard))) => {
                let guarded = self.lower_if_with(
                    pattern,
                    |lw| Some(Value::Scalar(lw.expr_scalar(guard))),
                    |_| Some(Value::Scalar(Operand::Lit(lit_bool(false)))),
                    span,
                );
                match guarded {
                    Some(Value::Scalar(matched)) => Some(matched),
                    _ => {
                        self.errors.bug(span, "a guard without a value");
                        None
                    }
                }
            }
        };
        let bindings = self.scopes.pop().unwrap_or_default();
        let body = |lw: &mut Self| {
            lw.scopes.push(bindings);
            let value = lw.lower_expr(&arm.body);
            lw.scopes.pop();
            Some(value)
        };
        match cond {
            None => body(self),
            Some(cond) => self.lower_if_with(
                cond,
                body,
                |lw| lw.lower_arms(scrutinee, place, rest, span),
                span,
            ),
        }
    }

    /// The condition under which `pat` matches, `None` for `_`. `place`: the scrutinee as
    /// written, when it is data that can be read again.
    pub(super) fn pattern_condition(
        &mut self,
        scrutinee: &Value,
        place: Option<&Expr>,
        pat: &Pat,
    ) -> Option<Operand> {
        let span = pat.span();
        if let (Some(place), Some(path)) = (place, variant_path(pat)) {
            let condition: Expr = syn::parse_quote_spanned!(span=> matches!(#place, #path));
            return match self.try_opaque(&condition, true)? {
                Value::Scalar(Operand::Var(v)) => {
                    self.vars[v.0].ty = Ty::Bool;
                    Some(Operand::Var(v))
                }
                _ => None,
            };
        }
        let scrutinee = match (scrutinee, pat) {
            (_, Pat::Wild(_)) => return None,
            (_, Pat::Paren(p)) => return self.pattern_condition(scrutinee, place, &p.pat),
            (Value::Tuple(values), Pat::Tuple(t)) if values.len() == t.elems.len() => {
                return self.tuple_condition(values, &t.elems, span);
            }
            // A binding arm (`m =>`, `pair =>`): matches everything, binds the scrutinee.
            (value, Pat::Ident(pi)) if pi.subpat.is_none() && !is_constant_name(pi) => {
                self.bind_pattern(pat, value.clone());
                return None;
            }
            (_, Pat::Or(o)) => {
                let mut acc: Option<Operand> = None;
                for case in &o.cases {
                    let c = self.pattern_condition(scrutinee, place, case)?;
                    acc = Some(match acc {
                        None => c,
                        Some(a) => self.let_op("t", Ty::Bool, Op::Binary(BinOp::Or, a, c), span),
                    });
                }
                return acc;
            }
            (Value::Scalar(op), _) => op,
            _ => {
                self.errors.on(
                    pat,
                    "#[grad] matches a tuple with tuple patterns of the same length, made of literal, range, `|`, `_` and name patterns",
                );
                return None;
            }
        };
        match pat {
            Pat::Lit(l) => Some(self.let_op(
                "t",
                Ty::Bool,
                Op::Binary(BinOp::Eq, scrutinee.clone(), Operand::Lit(l.lit.clone())),
                span,
            )),
            Pat::Path(p) => Some(self.let_op(
                "t",
                Ty::Bool,
                Op::Binary(
                    BinOp::Eq,
                    scrutinee.clone(),
                    Operand::Const(Expr::Path(p.clone())),
                ),
                span,
            )),
            Pat::Range(r) => {
                let lo = r.start.as_ref().map(|s| self.expr_scalar(s));
                let hi = r.end.as_ref().map(|e| self.expr_scalar(e));
                let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
                let mut conds = Vec::new();
                if let Some(lo) = lo {
                    conds.push(self.let_op(
                        "t",
                        Ty::Bool,
                        Op::Binary(BinOp::Ge, scrutinee.clone(), lo),
                        span,
                    ));
                }
                if let Some(hi) = hi {
                    let op = if inclusive { BinOp::Le } else { BinOp::Lt };
                    conds.push(self.let_op(
                        "t",
                        Ty::Bool,
                        Op::Binary(op, scrutinee.clone(), hi),
                        span,
                    ));
                }
                let mut it = conds.into_iter();
                let first = it.next()?;
                Some(it.fold(first, |a, c| {
                    self.let_op("t", Ty::Bool, Op::Binary(BinOp::And, a, c), span)
                }))
            }
            Pat::Ident(pi) if pi.subpat.is_none() => {
                let path = Pat::Path(variant_path(pat)?);
                self.pattern_condition(&Value::Scalar(scrutinee.clone()), place, &path)
            }
            // `match safe_ln(x) { Ok(v) => .., Err(_) => .. }` of a differentiated value.
            Pat::TupleStruct(ts)
                if ts
                    .path
                    .get_ident()
                    .is_some_and(|i| ["Ok", "Err", "Some"].contains(&&*i.to_string())) =>
            {
                self.errors.on(
                    ts,
                    "#[grad] matches a fallible call on differentiated values with two arms, `Ok(v)` and `Err(_)` (or `Some(v)` and `None`), without guards: the call is tested, then made again for its value, which the derivative follows, so no error is bound; or take the value with `?` or `.unwrap_or(default)`",
                );
                None
            }
            other => {
                self.errors.on(
                    other,
                    "#[grad] supports `match` on integers and bools with literal, range, `|` and `_` patterns",
                );
                None
            }
        }
    }

    /// The condition under which each of a tuple's values matches its pattern.
    fn tuple_condition(
        &mut self,
        values: &[Value],
        pats: &syn::punctuated::Punctuated<Pat, syn::Token![,]>,
        span: Span,
    ) -> Option<Operand> {
        let mut acc: Option<Operand> = None;
        for (value, pat) in values.iter().zip(pats) {
            let Some(c) = self.pattern_condition(value, None, pat) else {
                continue;
            };
            acc = Some(match acc {
                None => c,
                Some(a) => self.let_op("t", Ty::Bool, Op::Binary(BinOp::And, a, c), span),
            });
        }
        acc
    }

    pub(super) fn lower_return(&mut self, r: &syn::ExprReturn) {
        let Some(e) = &r.expr else {
            self.errors
                .on(r, "#[grad] needs `return` to return the float result");
            return;
        };
        let value = self.lower_expr(e);
        self.assign_return(value, r.span());
    }

    /// `assign_return` where no branch of the value's expression has returned already.
    pub(super) fn assign_return_unless_exited(&mut self, value: Value, span: Span) {
        let Some((flag, _)) = self.ret else {
            return self.assign_return(value, span);
        };
        let returned = self.cells[flag].value.clone();
        let go_on = self.let_op("go_on", Ty::Bool, Op::Unary(UnOp::Not, returned), span);
        self.lower_if_with(
            go_on,
            |lw| {
                lw.assign_return(value, span);
                None
            },
            |_| None,
            span,
        );
    }

    pub(super) fn assign_return(&mut self, value: Value, span: Span) {
        let Some((flag, slots)) = self.ret.clone() else {
            self.errors.bug(span, "return without a return slot");
            return;
        };
        match (&*slots, value) {
            ([slot], value) if self.sig.tuple.is_none() => {
                let value = self.scalar(value, span);
                self.cells[*slot].value = value;
            }
            (slots, value) => {
                for (slot, number) in slots
                    .iter()
                    .zip(self.tuple_numbers(value, slots.len(), span))
                {
                    self.cells[*slot].value = number;
                }
            }
        }
        self.cells[flag].value = Operand::Lit(lit_bool(true));
        // `return` leaves every loop.
        let all_loops: Vec<usize> = self.loops.iter().filter_map(|l| l.brk).collect();
        for cell in all_loops {
            self.cells[cell].value = Operand::Lit(lit_bool(true));
        }
    }

    pub(super) fn lower_break(&mut self, b: &syn::ExprBreak) {
        if b.label.is_some() {
            if let Some(e) = &b.expr {
                self.errors.on(
                    e,
                    "#[grad] supports `break value` out of the `loop` it is written in, not out of an enclosing labeled one: assign the value to a variable declared before the loops, then `break`",
                );
            }
            // Loops lose their labels before lowering (`labels::desugar`): this one names a
            // block, reported where it is written.
            return;
        }
        if let Some(e) = &b.expr {
            let value = self.expr_scalar(e);
            match self.loops.last().and_then(|l| l.value) {
                Some(cell) => {
                    if self.cells[cell].ty == Ty::Unknown {
                        self.cells[cell].ty = self.ty(&value);
                    }
                    self.cells[cell].value = value;
                }
                None => self
                    .errors
                    .bug(b.span(), "break with a value outside a loop's value"),
            }
        }
        match self.loops.last().and_then(|l| l.brk) {
            Some(cell) => self.cells[cell].value = Operand::Lit(lit_bool(true)),
            None => self.errors.bug(b.span(), "break outside a loop"),
        }
    }

    pub(super) fn lower_continue(&mut self, c: &syn::ExprContinue) {
        if c.label.is_some() {
            // Loops lose their labels before lowering (`labels::desugar`): Rust reports
            // this one, which names none.
            return;
        }
        match self.loops.last().and_then(|l| l.cont) {
            Some(cell) => self.cells[cell].value = Operand::Lit(lit_bool(true)),
            None => self.errors.bug(c.span(), "continue outside a loop"),
        }
    }
}

/// A capitalized name in a pattern (`N_MAX`, `Lower` with `use Tail::*`): a constant or a
/// variant, as Rust resolves it, not a binding.
fn is_constant_name(pi: &syn::PatIdent) -> bool {
    pi.by_ref.is_none()
        && pi.mutability.is_none()
        && pi
            .ident
            .to_string()
            .starts_with(|c: char| c.is_ascii_uppercase())
}

/// The capitalized names inside a pattern, not the pattern itself (a bare `N_MAX` arm is a
/// constant's), nor the variants `None`, `Some`, `Ok` and `Err`: `T` in `Some(T)`.
fn capitalized_names(pat: &Pat) -> Vec<syn::Ident> {
    let mut names = Vec::new();
    if !matches!(pat, Pat::Ident(p) if p.subpat.is_none()) {
        pattern_names(pat, &mut names, &|p| {
            p.subpat.is_none()
                && is_constant_name(p)
                && !["None", "Some", "Ok", "Err"].contains(&&*p.ident.to_string())
        });
    }
    names
}

/// A name or a chain of fields (`tail`, `cfg.kind`, `self.mode`): read again for free.
pub(super) fn is_place(expr: &Expr) -> bool {
    match expr {
        Expr::Path(p) => p.path.get_ident().is_some(),
        Expr::Field(f) => is_place(&f.base),
        Expr::Paren(p) => is_place(&p.expr),
        _ => false,
    }
}

/// The variant or constant a pattern names: `Atom::O`, or a capitalized name (`N_MAX`,
/// `Lower` with `use Tail::*`), which Rust resolves to one, not a binding.
fn variant_path(pat: &Pat) -> Option<syn::PatPath> {
    match pat {
        Pat::Path(p) => Some(p.clone()),
        Pat::Ident(pi) if pi.subpat.is_none() && is_constant_name(pi) => Some(syn::ExprPath {
            attrs: Vec::new(),
            qself: None,
            path: pi.ident.clone().into(),
        }),
        _ => None,
    }
}

/// An expression that reads places only (`cfg.kind`, `&cfg.kind`, `*t`, `types[i + 1]`): read
/// again for every arm of a `match` at no cost and with no effect.
pub(super) fn read_again(expr: &Expr) -> bool {
    match expr {
        Expr::Path(p) => p.path.get_ident().is_some(),
        Expr::Lit(_) => true,
        Expr::Field(f) => read_again(&f.base),
        Expr::Paren(p) => read_again(&p.expr),
        Expr::Reference(r) => r.mutability.is_none() && read_again(&r.expr),
        Expr::Unary(u) => read_again(&u.expr),
        Expr::Index(i) => read_again(&i.expr) && read_again(&i.index),
        Expr::Binary(b) => read_again(&b.left) && read_again(&b.right),
        _ => false,
    }
}

/// The names a pattern binds (`w` in `Some(w)`, `a` and `b` in `(Some(a), b @ 1..)`), not
/// constants or variants (`N_MAX`, `None`).
/// Renames the bindings `names` of a pattern (not the paths it matches against).
struct RenameBindings<'a> {
    names: &'a [syn::Ident],
    to: &'a dyn Fn(&syn::Ident) -> syn::Ident,
}

impl syn::visit_mut::VisitMut for RenameBindings<'_> {
    // `Huber { delta }` is `Huber { delta: delta }`: the field keeps its name.
    fn visit_field_pat_mut(&mut self, f: &mut syn::FieldPat) {
        f.colon_token.get_or_insert_with(Default::default);
        syn::visit_mut::visit_field_pat_mut(self, f);
    }

    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        if self.names.contains(&p.ident) {
            p.ident = (self.to)(&p.ident);
        }
        syn::visit_mut::visit_pat_ident_mut(self, p);
    }
}

pub(crate) fn bound_names(pat: &Pat, out: &mut Vec<syn::Ident>) {
    pattern_names(pat, out, &|p| {
        !p.ident
            .to_string()
            .starts_with(|c: char| c.is_ascii_uppercase())
    });
}

/// The names of `pat` that `keep` takes, in order.
fn pattern_names(pat: &Pat, out: &mut Vec<syn::Ident>, keep: &dyn Fn(&syn::PatIdent) -> bool) {
    struct Names<'a> {
        out: &'a mut Vec<syn::Ident>,
        keep: &'a dyn Fn(&syn::PatIdent) -> bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Names<'_> {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if (self.keep)(p) {
                self.out.push(p.ident.clone());
            }
            syn::visit::visit_pat_ident(self, p);
        }
        // The alternatives of `A(x) | B(x)` bind the same names.
        fn visit_pat_or(&mut self, p: &'ast syn::PatOr) {
            if let Some(first) = p.cases.first() {
                self.visit_pat(first);
            }
        }
    }
    syn::visit::Visit::visit_pat(&mut Names { out, keep }, pat);
}

/// Whether reading `e` changes what it reads (`it.next()`, `v.pop()`, `&mut ..`): it cannot
/// be read once per use.
fn changes_what_it_reads(e: &Expr) -> bool {
    struct Finds(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finds {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            const TAKING: &[&str] = &[
                "next",
                "next_back",
                "pop",
                "pop_front",
                "pop_back",
                "take",
                "remove",
                "swap_remove",
                "nth",
            ];
            self.0 |= TAKING.contains(&m.method.to_string().as_str());
            syn::visit::visit_expr_method_call(self, m);
        }
        fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
            self.0 |= r.mutability.is_some();
            syn::visit::visit_expr_reference(self, r);
        }
    }
    let mut finds = Finds(false);
    syn::visit::Visit::visit_expr(&mut finds, e);
    finds.0
}

/// Whether `e` returns no float whatever it reads (`xs.binary_search_by(|v| v.total_cmp(&x))`):
/// data to match on, the comparisons inside it having no derivative.
fn is_search(e: &Expr) -> bool {
    matches!(e, Expr::MethodCall(c) if opaque::is_non_float_call(c) || finds_in_range(c))
}

/// `(0..n).find(|&i| x[i] > 0.0)`, `(0..n).rev().find(..)`: an index found by a test, data
/// however the test reads differentiated values.
fn finds_in_range(m: &syn::ExprMethodCall) -> bool {
    let mut source = &*m.receiver;
    loop {
        source = match source {
            Expr::Paren(p) => &p.expr,
            Expr::MethodCall(a)
                if ["rev", "step_by", "skip", "take"].contains(&&*a.method.to_string()) =>
            {
                &a.receiver
            }
            Expr::Range(_) => return m.method == "find",
            _ => return false,
        };
    }
}

/// The arms of a `match` on data as the `if let` chain that tries them in order; an arm that
/// matches anything (`_`, a name) and the last arm of the (exhaustive) match, when it binds
/// nothing, are the last `else`. A guard is tested inside its arm, the arms after it written
/// again for when it fails; where the arm binds names, the guard is tested where it matched
/// and the arms after it tried outside, which the names it binds do not reach (`Some(x) if x
/// > 1.0 => .., _ => x * x` reads the parameter `x` there).
fn if_let_chain(scrutinee: &Expr, arms: &[syn::Arm]) -> Expr {
    let Some((arm, rest)) = arms.split_first() else {
        return syn::parse_quote!(::core::unreachable!());
    };
    let (pat, body) = (&arm.pat, &arm.body);
    let otherwise = || if_let_chain(scrutinee, rest);
    if let (Some((_, guard)), false) = (&arm.guard, binds_nothing(pat)) {
        let within = |then: &Expr, or: Expr| -> Expr {
            match pat {
                Pat::Ident(p) if p.subpat.is_none() => {
                    syn::parse_quote!({ let #pat = #scrutinee; #then })
                }
                _ => syn::parse_quote!(if let #pat = #scrutinee { #then } else { #or }),
            }
        };
        let matched = within(guard, syn::parse_quote!(false));
        let taken = within(body, syn::parse_quote!(::core::unreachable!()));
        let otherwise = otherwise();
        return syn::parse_quote!(if #matched { #taken } else { #otherwise });
    }
    let body: Expr = match &arm.guard {
        Some((_, guard)) => {
            let otherwise = otherwise();
            syn::parse_quote!(if #guard { #body } else { #otherwise })
        }
        None => syn::parse_quote!({ #body }),
    };
    match pat {
        Pat::Wild(_) => body,
        _ if rest.is_empty() && arm.guard.is_none() && binds_nothing(pat) => body,
        Pat::Ident(p) if p.subpat.is_none() && !is_none_name(&p.ident) => {
            syn::parse_quote!({ let #pat = #scrutinee; #body })
        }
        _ => {
            let otherwise = otherwise();
            syn::parse_quote!(if let #pat = #scrutinee { #body } else { #otherwise })
        }
    }
}

/// The type of `name` where `pat` binds it from a value of type `ty`, when the pattern's
/// shape shows it: `Some(d)` of `Option<f64>`, `Ok(v)` / `Err(e)` of a `Result`, `(a, b)` of a
/// tuple, through references.
fn bound_type<'t>(
    pat: &Pat,
    ty: &'t syn::Type,
    name: &proc_macro2::Ident,
) -> Option<&'t syn::Type> {
    let ty = match ty {
        syn::Type::Reference(r) => return bound_type(pat, &r.elem, name),
        syn::Type::Paren(p) => return bound_type(pat, &p.elem, name),
        ty => ty,
    };
    match pat {
        Pat::Ident(p) if p.ident == *name && p.subpat.is_none() => Some(ty),
        Pat::Reference(r) => bound_type(&r.pat, ty, name),
        Pat::Paren(p) => bound_type(&p.pat, ty, name),
        Pat::Tuple(p) => {
            let syn::Type::Tuple(t) = ty else {
                return None;
            };
            p.elems
                .iter()
                .zip(&t.elems)
                .find_map(|(p, ty)| bound_type(p, ty, name))
        }
        Pat::TupleStruct(p) => {
            let syn::Type::Path(tp) = ty else {
                return None;
            };
            let wrapper = tp.path.segments.last()?;
            let variant = p.path.segments.last()?.ident.to_string();
            let at = match (wrapper.ident.to_string().as_str(), variant.as_str()) {
                ("Option", "Some") | ("Result", "Ok") => 0,
                ("Result", "Err") => 1,
                _ => return None,
            };
            let syn::PathArguments::AngleBracketed(args) = &wrapper.arguments else {
                return None;
            };
            let Some(syn::GenericArgument::Type(inner)) = args.args.iter().nth(at) else {
                return None;
            };
            let [only] = &*p.elems.iter().collect::<Vec<_>>() else {
                return None;
            };
            bound_type(only, inner, name)
        }
        _ => None,
    }
}

/// Whether a pattern destructures a variant of a data enum (`Loss::Huber { delta }`,
/// `Reg::L2(lambda)`), not an `Option` or a `Result`, whose types a parameter may show.
fn holds_variant_payload(pat: &Pat) -> bool {
    let path = match pat {
        Pat::TupleStruct(p) => &p.path,
        Pat::Struct(p) => &p.path,
        Pat::Reference(r) => return holds_variant_payload(&r.pat),
        Pat::Paren(p) => return holds_variant_payload(&p.pat),
        _ => return false,
    };
    let last = path.segments.last().map(|s| s.ident.to_string());
    !matches!(last.as_deref(), Some("Some" | "Ok" | "Err") | None)
}

/// Whether a pattern only tests its value (`None`, `Loss::Squared`, `Some(_)`).
fn binds_nothing(pat: &Pat) -> bool {
    match pat {
        Pat::Wild(_) | Pat::Rest(_) | Pat::Path(_) | Pat::Lit(_) | Pat::Range(_) => true,
        Pat::Ident(p) => is_none_name(&p.ident),
        Pat::Or(p) => p.cases.iter().all(binds_nothing),
        Pat::Paren(p) => binds_nothing(&p.pat),
        Pat::Reference(p) => binds_nothing(&p.pat),
        Pat::Tuple(p) => p.elems.iter().all(binds_nothing),
        Pat::TupleStruct(p) => p.elems.iter().all(binds_nothing),
        Pat::Struct(p) => p.fields.iter().all(|f| binds_nothing(&f.pat)),
        _ => false,
    }
}

/// `None` written as a bare name pattern (syn reads it as a binding).
fn is_none_name(ident: &proc_macro2::Ident) -> bool {
    ident == "None"
}

/// The slice pattern `pat` is, seen through a `&` (`&[a, b, ..]` binds the elements by value,
/// as the sweeps read them).
pub(super) fn slice_pattern(pat: &Pat) -> Option<&syn::PatSlice> {
    match pat {
        Pat::Slice(ps) => Some(ps),
        Pat::Reference(r) if r.mutability.is_none() => match &*r.pat {
            Pat::Slice(ps) => Some(ps),
            _ => None,
        },
        _ => None,
    }
}
