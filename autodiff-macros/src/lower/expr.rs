//! Lowering of expressions: operators, paths, fields, indexing (method calls are in
//! `methods.rs`, assignment in `assign.rs`, conversions between number types in
//! `conversions.rs`).

use super::*;

impl Lowerer<'_> {
    // ----- expressions -----------------------------------------------------------------------

    pub(super) fn lower_expr(&mut self, expr: &Expr) -> Value {
        match expr {
            Expr::Lit(l) => Value::Scalar(Operand::Lit(l.lit.clone())),
            Expr::Paren(p) => self.lower_expr(&p.expr),
            Expr::Group(g) => self.lower_expr(&g.expr),
            Expr::Path(p) => self.lower_path(p),
            Expr::Unary(u) => self.lower_unary(u),
            Expr::Binary(b) => self.lower_binary(b),
            Expr::Assign(a) => {
                if !self.write_through_data(expr, &a.left) {
                    self.lower_assign(&a.left, None, &a.right, expr.span());
                }
                Value::Unit
            }
            Expr::Cast(c) => self.lower_cast(c),
            Expr::MethodCall(m) => self.lower_method(m),
            Expr::Call(c) => self.lower_call(c, None),
            Expr::Index(i) => self.lower_index(i),
            Expr::If(i) => self
                .lower_if(i)
                .unwrap_or(Value::Unit),
            Expr::Block(b) if b.label.is_none() => self.lower_scoped(&b.block),
            Expr::Block(b) if !self.reads(&b.to_token_stream()).varied => {
                self.try_opaque(expr, false).unwrap_or(Value::Error)
            }
            Expr::Block(b) => self.unsupported(
                &b.label,
                "#[grad] does not support a labeled block (`'b: { .. break 'b v; .. }`) that reads a differentiated value: write its exits as an `if`/`else` chain whose branches end in the values",
            ),
            Expr::Match(m) => self.lower_match(m),
            Expr::Tuple(t) => {
                if t.elems.is_empty() {
                    return Value::Unit;
                }
                Value::Tuple(t.elems.iter().map(|e| self.lower_expr(e)).collect())
            }
            Expr::ForLoop(f) => {
                self.lower_for(f);
                self.mark_checkpoint(&f.attrs);
                Value::Unit
            }
            // `while let Some(i) = stack.pop() { .. }`: the loop it stands for, the value
            // taken once per round (`loop { let next = stack.pop(); if let Some(i) = next {
            // .. } else { break; } }`).
            Expr::While(w) if matches!(&*w.cond, Expr::Let(_)) => {
                let Expr::Let(l) = &*w.cond else {
                    return Value::Error;
                };
                let next = proc_macro2::Ident::new(
                    &crate::reverse::unmentioned(&w.to_token_stream(), "next"),
                    l.expr.span(),
                );
                let (label, pat, value, body) = (&w.label, &l.pat, &l.expr, &w.body);
                self.lower_expr(&syn::parse_quote_spanned!(w.span()=>
                    #label loop {
                        let #next = #value;
                        if let #pat = #next #body else { break; }
                    }
                ))
            }
            Expr::While(w) => {
                self.lower_while(w);
                Value::Unit
            }
                        Expr::Loop(l) => {
                match self.lower_loop(l) {
                    Some(value) => Value::Scalar(value),
                    None => Value::Unit,
                }
            }
            Expr::Return(r) => {
                self.lower_return(r);
                Value::Unit
            }
            Expr::Break(b) => {
                self.lower_break(b);
                Value::Unit
            }
            Expr::Continue(c) => {
                self.lower_continue(c);
                Value::Unit
            }
            Expr::Reference(r) if r.mutability.is_some() => match &*r.expr {
                Expr::Index(index) => match self.index_target(index) {
                    // A row of a matrix (`for row in m.iter_mut()`): written through by index.
                    Some((array, index)) if index.len() == 1 && self.arrays[array.0].dims == 2 => {
                        let index = index.into_iter().next().unwrap_or_else(|| self.zero());
                        Value::Row { array, index }
                    }
                    Some((array, index)) => Value::Element { array, index },
                    None => Value::Error,
                },
                other => self.unsupported(
                    other,
                    "#[grad] supports `&mut` only on an element of a local array (`&mut v[i]`, the items of `v.iter_mut()`): a function that writes its result through a `&mut` argument should return it instead (`target += normal_lpdf(x, mu, sigma);`, `let h = layer(&w, &x);`), and a comparison reads the value (`*value < 0.0`)",
                ),
            },
            // A reference to data (`&TABLE[1..]`) is kept as written; one to a row of a data
            // struct's field (`&cfg.rows[i]`) is that row, lent to a call with a `Const` shadow.
            Expr::Reference(r)
                if !self.reads(&expr.to_token_stream()).varied && !self.is_data_row(&r.expr) =>
            {
                match self.try_opaque(expr, false) {
                    Some(value) => value,
                    None => Value::Error,
                }
            }
            Expr::Reference(r) => {
                let v = self.lower_expr(&r.expr);
                match v {
                                        Value::Array(_) | Value::Row { .. } | Value::View(_) | Value::Error => v,
                    _ => {
                        self.errors.on(
                            r,
                            "#[grad] supports `&` only on arrays passed to a function (`f(&w)`)",
                        );
                        v
                    }
                }
            }
            Expr::Closure(c) => self.unsupported(
                c,
                "#[grad] cannot differentiate through a closure used as a value (passed to a function, stored): call a local closure directly (`let sq = |v: f64| v * v; sq(x)`), use it in an iterator adaptor, or make it a function with `#[grad]`",
            ),
            Expr::Unsafe(u) => self.unsupported(
                u,
                "`unsafe` blocks are not supported in a #[grad] function: differentiation needs plain arithmetic it can see",
            ),
            Expr::Macro(m) if self.local_macro_reads(&m.mac) => Value::Error,
            Expr::Macro(m) if is_diverging(&m.mac) => {
                // `unreachable!()` as a value: a statement, then a placeholder of the type the
                // other branches give (an index as well as a number).
                self.effect(&m.mac);
                Value::Scalar(self.dummy(Ty::Unknown))
            }
            Expr::Macro(m) if opaque::is_comparison_macro(&m.mac) => {
                self.try_opaque(expr, true).unwrap_or(Value::Error)
            }
            Expr::Macro(m) => match self.try_opaque(expr, false) {
                Some(value) => value,
                None => {
                    self.reject_macro(&m.mac);
                    Value::Error
                }
            },
            // `pair.0` of a tuple local.
            Expr::Field(syn::ExprField {
                base,
                member: syn::Member::Unnamed(index),
                ..
            }) if matches!(&**base, Expr::Path(p) if p.path.get_ident().is_some_and(|i| matches!(self.lookup(&i.to_string()), Some(Binding::Tuple(_))))) =>
            {
                match self.lower_expr(base) {
                    Value::Tuple(mut values) if (index.index as usize) < values.len() => {
                        values.swap_remove(index.index as usize)
                    }
                    _ => self.unsupported(expr, "no such tuple field"),
                }
            }
            // `x.sin_cos().0`, `(a, b).1`: a field of a tuple the expression makes.
            Expr::Field(syn::ExprField {
                base,
                member: syn::Member::Unnamed(index),
                ..
            }) if makes_tuple(base) => match self.try_opaque(expr, false) {
                Some(value) => value,
                None => match self.lower_expr(base) {
                    Value::Tuple(mut values) if (index.index as usize) < values.len() => {
                        values.swap_remove(index.index as usize)
                    }
                    Value::Error => Value::Error,
                    _ => self.unsupported(expr, "no such tuple field"),
                },
            },
            // `xs.iter().fold((0.0, 0.0), |(prev, acc), x| ..).1`: the field of a fold's
            // tuple state, read off the state bound to a name.
            Expr::Field(syn::ExprField {
                base,
                member: member @ syn::Member::Unnamed(_),
                ..
            }) if folds(base) => {
                let state = proc_macro2::Ident::new(
                    &format!("{SYNTHETIC}folded_{}", self.next_synthetic()),
                    base.span(),
                );
                let read: Expr = syn::parse_quote_spanned!(member.span()=> {
                    let #state = #base;
                    #state.#member
                });
                self.lower_expr(&read)
            }
            // `x.iter().enumerate().max_by(..).unwrap().0`: an index, data.
            Expr::Field(_) if opaque::is_picked_index(expr) => self
                .try_opaque(expr, true)
                .unwrap_or(Value::Error),
            // `p.x` of a local struct.
            Expr::Field(f) if self.is_record_field(f) => self.read_record_field(f),
            // A number of an item of a sequence of structs of data (`obs.x` of `for obs in
            // &self.obstacles`, `self` read as data): data, as written.
            Expr::Field(_) if self.is_item_field(expr) && self.is_data_item_field(expr) => {
                self.try_opaque(expr, false).unwrap_or(Value::Error)
            }
            // A read of an item's field the models pass did not mark (every one it knows it
            // marks): never passed through unseen.
            Expr::Field(f) if self.is_item_field(expr) => self.unsupported(
                f,
                "#[grad] reads a field of an item of a sequence of sub-models as a number (`l.w[j]`, `net.layers[k].b`) or an integer (an index, a loop bound, `l.w.len()`), not here",
            ),
            Expr::Field(f) => match self.try_opaque(expr, false) {
                Some(value) => value,
                None => {
                    let mut base = &*f.base;
                    while let Expr::Paren(p) = base {
                        base = &p.expr;
                    }
                    // `polar(x, y).0`: a number of the tuple a differentiated call returns.
                    if let (syn::Member::Unnamed(k), Expr::Call(_) | Expr::MethodCall(_), None) =
                        (&f.member, base, call::generated_derivative(base))
                    {
                        if let Value::Scalar(tuple) = self.lower_expr(base) {
                            if let Some(x) = self.field_of_call(&tuple, k.index as usize, f.span()) {
                                return Value::Scalar(x);
                            }
                        }
                        return self.unsupported(f, &format!("#[grad] reads a number of the tuple a call returns (`{}`) when the call's arguments are differentiated: bind it first, `let (a, b) = ..;`", base.to_token_stream().to_string().replace(' ', "")));
                    }
                    let message = match base {
                        _ if call::generated_derivative(base).is_some() => {
                            call::generated_derivative(base).unwrap_or_default()
                        }
                        Expr::Struct(_) => "#[grad] reads the fields of a struct built in the function once it is bound: `let p = Pair { .. };`, then `p.a`".to_string(),
                        _ => format!("#[grad] reads the fields of its parameters (a model, a struct of data) and of structs built in the function (`let p = Point {{ .. }};`), not of `{}`, a struct computed from differentiated values (what a call or an operator returns): have a function return the numbers (a float, or an array of floats), or pass the struct's parts as parameters", base.to_token_stream().to_string().replace(' ', "")),
                    };
                    self.unsupported(f, &message)
                }
            },
            Expr::Async(a) => self.unsupported(a, "#[grad] does not support `async` blocks"),
            Expr::Await(a) => self.unsupported(a, "#[grad] does not support `.await`"),
            // `let i = xs.iter().position(|&v| v > 0.0)?;`: an index, data.
            Expr::Try(t) if matches!(&*t.expr, Expr::MethodCall(m) if opaque::finds_index(m)) => {
                self.try_opaque(expr, true).unwrap_or(Value::Error)
            }
            // `g(x)?` in a function that returns a `Result` or an `Option`, `x.first()?`.
            Expr::Try(t) => match self
                .try_opaque(expr, false)
                .or_else(|| self.lower_fallible_call(expr))
            {
                Some(value) => value,
                None => match self.element_or_return(t) {
                    Some(value) => value,
                    None => self.unsupported(
                        t,
                        "#[grad] differentiates `?` on a call (`g(x)?`) of a function with an `_adjoint`; on `x.first()`, `x.last()`, `x.get(i)`, `.max_by(..)`, `.min_by(..)` and `.reduce(..)` in a function that returns an `Option`; and on the same with `.ok_or(e)` or `.ok_or_else(f)` in one that returns a `Result`; and on a slice made into an array in a `let` that states its type (`let [a, b]: [f64; 2] = x.try_into().map_err(f)?;`, `.ok()?` in one that returns an `Option`): call such a function, or compute the value without `?`",
                    ),
                },
            },
            Expr::Range(r) => self.unsupported(
                r,
                "#[grad] supports ranges only as the iterator of a `for` loop",
            ),
            Expr::Array(a) => self.unsupported(
                a,
                "#[grad] supports array literals bound to a local (`let v = [a, b, c];`): bind it first, then index it or pass `&v`",
            ),
                        Expr::Struct(s) => match self.try_opaque(expr, false) {
                Some(value) => value,
                None => self.unsupported(
                    s,
                    "#[grad] reads a struct built here field by field: bind it to a local first (`let p = Point { x, y };`), then read its fields (`p.x`) or pass it to a function (`f(&p)`)",
                ),
            },
            Expr::Let(l) => self.unsupported(
                l,
                "#[grad] supports `let` as the condition of an `if` or a `while`, or as a link of one's `&&` chain: test it in an `if let`",
            ),
            other => match self.try_opaque(other, false) {
                Some(value) => value,
                None => self.unsupported(
                    other,
                    "#[grad] does not support this expression where it depends on a differentiated input",
                ),
            },
        }
    }

    /// Whether `expr` is a row of a data struct's array field or of data rows (`cfg_rows[i]`,
    /// `xs[i]`, `row` bound by `for row in xs`), or a range of one (`&row[1..]`).
    fn is_data_row(&self, expr: &Expr) -> bool {
        let binding =
            |p: &syn::ExprPath| p.path.get_ident().and_then(|n| self.lookup(&n.to_string()));
        let data = |a: ArrayId| {
            self.arrays[a.0].origin == ArrayOrigin::Constant && self.arrays[a.0].dims == 2
        };
        match expr {
            Expr::Path(p) => matches!(binding(p), Some(Binding::Row { array, .. }) if data(array)),
            Expr::Index(i) if matches!(&*i.index, Expr::Range(_)) => self.is_data_row(&i.expr),
            Expr::Index(i) => match &*i.expr {
                Expr::Path(p) => matches!(binding(p), Some(Binding::Array(a)) if data(a)),
                _ => false,
            },
            _ => false,
        }
    }

    pub(super) fn unsupported(&mut self, tokens: impl ToTokens, message: &str) -> Value {
        self.errors.on(tokens, message);
        Value::Error
    }

    pub(super) fn lower_scoped(&mut self, block: &syn::Block) -> Value {
        self.scopes.push(HashMap::default());
        let v = self.lower_block_stmts(&block.stmts, false);
        self.scopes.pop();
        v.unwrap_or(Value::Unit)
    }

    pub(super) fn lower_path(&mut self, p: &syn::ExprPath) -> Value {
        if let Some(ident) = p.path.get_ident() {
            match self.lookup(&ident.to_string()) {
                Some(Binding::Scalar { cell, .. }) => {
                    return Value::Scalar(self.cells[cell].value.clone())
                }
                Some(Binding::Array(a)) => return Value::Array(a),
                Some(Binding::Row { array, index, .. }) => return Value::Row { array, index },
                Some(Binding::View(s)) => return Value::View(s),
                Some(Binding::Poisoned) => return Value::Error,
                Some(Binding::Tuple(values)) => return Value::Tuple(values),
                Some(Binding::Element { array, index }) => return Value::Element { array, index },
                Some(Binding::Closure(_)) => {
                    return self.unsupported(
                        p,
                        "#[grad] inlines a local closure where it is called (`sq(x)`) or passed to an iterator adaptor; it cannot be used as a value here",
                    )
                }
                // A local tuple is its numbers (`let (re, im) = acc;`, `return acc`).
                Some(Binding::Record { path: None, .. }) => {
                    return self.tuple_value(&ident.to_string())
                }
                Some(Binding::Record { fields, .. }) => {
                    let parts: Vec<String> = fields.iter().map(|f| format!("{ident}.{f}")).collect();
                    return self.unsupported(
                        p,
                        &format!("#[grad] keeps the local struct `{ident}` as its fields, one local each, and does not pass it whole to a function or method: pass its fields (`f({})`), or build the struct inside a function that takes them", parts.join(", ")),
                    );
                }
                Some(Binding::Optional { .. }) => return self.optional_whole(p),
                Some(Binding::Opaque) | None => {}
            }
        }
        // A constant, an associated constant (`f64::EPSILON`) or an opaque parameter.
        self.constant(Expr::Path(p.clone()), &p.path, p.span())
    }

    /// A constant expression; typed as a float when its path goes through the float type
    /// (`T::zero()`, `f64::EPSILON`, `std::f64::consts::PI`), so that a variable starting at
    /// it is differentiated like one starting at `0.0`.
    pub(super) fn constant(&mut self, expr: Expr, path: &syn::Path, span: Span) -> Value {
        let constant = Operand::Const(expr);
        if opaque::through_float(path, self.sig) == Ty::Float {
            Value::Scalar(self.let_op("t", Ty::Float, Op::Copy(constant), span))
        } else {
            Value::Scalar(constant)
        }
    }

    /// Whether `e` names a parameter passed through as written (`k: &usize`) or a reference
    /// to data the user took (`let n = &cfg.n;`): the user's `*n` is kept.
    pub(super) fn is_opaque_name(&self, e: &Expr) -> bool {
        let Expr::Path(p) = e else {
            return false;
        };
        let Some(ident) = p.path.get_ident() else {
            return false;
        };
        match self.lookup(&ident.to_string()) {
            Some(Binding::Opaque) => true,
            Some(Binding::Scalar { cell, .. }) => match &self.cells[cell].value {
                Operand::Var(v) => self.vars[v.0].reference,
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether `e` names data the function computes whose type it does not see (no float it
    /// differentiates, no array it tracks).
    pub(super) fn is_data_local(&self, e: &Expr) -> bool {
        let Some(ident) = (match e {
            Expr::Path(p) => p.path.get_ident(),
            _ => None,
        }) else {
            return false;
        };
        match self.lookup(&ident.to_string()) {
            Some(Binding::Scalar { cell, .. }) => match &self.cells[cell].value {
                Operand::Var(v) => !self.vars[v.0].varied && self.vars[v.0].ty == Ty::Unknown,
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether `e` is data whose type the function does not see, or a field of such data
    /// (`s`, `s.inner` for `s` in `samples`).
    pub(super) fn is_data_root(&self, e: &Expr) -> bool {
        match e {
            Expr::Field(f) => self.is_data_root(&f.base),
            // (an item of data: `mech.reactions[i]`)
            Expr::Index(i) => self.is_data_root(&i.expr),
            Expr::Paren(p) => self.is_data_root(&p.expr),
            _ => self.is_data_local(e) || self.is_opaque_name(e),
        }
    }

    pub(super) fn lower_unary(&mut self, u: &syn::ExprUnary) -> Value {
        let span = u.span();
        match u.op {
            // A reference a method returns (`*TABLE.first().unwrap()`, `*TABLE.get(m)?`) or a
            // parameter passed through holds (`*k` of `k: &usize`), when no derivative flows
            // through it, is dereferenced as written.
            SynUnOp::Deref(_)
                if matches!(&*u.expr, Expr::MethodCall(_) | Expr::Try(_))
                    || self.is_opaque_name(&u.expr) =>
            {
                let expr = Expr::Unary(u.clone());
                match self.try_opaque(&expr, false) {
                    Some(value) => value,
                    None => self.lower_expr(&u.expr),
                }
            }
            // `*v` of an element `iter_mut()` lends: its value now.
            SynUnOp::Deref(_) => match self.lower_expr(&u.expr) {
                Value::Element { array, index } => Value::Scalar(self.load(array, index, span)),
                value => value,
            },
            SynUnOp::Neg(_) => {
                let x = self.expr_scalar(&u.expr);
                // `-2.0`, or `-t` where `t` holds a literal: a negative literal.
                if let Operand::Lit(lit) = &x {
                    if let Some(negated) = negate_literal(lit) {
                        return Value::Scalar(Operand::Lit(negated));
                    }
                }
                if self.ty(&x) == Ty::Float {
                    return Value::Scalar(self.operator("neg", vec![x], span));
                }
                // `-TABLE[i]` is float data as `TABLE[i]` is.
                let data = self.is_float_data(&x);
                let ty = self.ty(&x);
                let value = self.let_op("t", ty, Op::Unary(UnOp::Neg, x), span);
                if let (Some(v), true) = (value.var(), data) {
                    self.table_elements.insert(v);
                }
                Value::Scalar(value)
            }
            SynUnOp::Not(_) => {
                let x = self.condition(&u.expr);
                let ty = self.ty(&x);
                Value::Scalar(self.let_op("t", ty, Op::Unary(UnOp::Not, x), span))
            }
            _ => self.unsupported(u, "#[grad] does not support this unary operator"),
        }
    }

    /// An arithmetic operator on floats, from the rules table.
    pub(super) fn operator(&mut self, name: &str, floats: Vec<Operand>, span: Span) -> Operand {
        match rules::operator(name) {
            Some(rule) => self.prim(rule, floats, Vec::new(), None, span),
            None => {
                self.errors
                    .bug(span, format!("no rule for the operator `{name}`"));
                self.zero()
            }
        }
    }

    pub(super) fn prim(
        &mut self,
        rule: &'static Rule,
        floats: Vec<Operand>,
        others: Vec<Operand>,
        owner: Option<syn::Type>,
        span: Span,
    ) -> Operand {
        self.let_op(
            "t",
            Ty::Float,
            Op::Prim {
                rule,
                floats,
                others,
                owner,
            },
            span,
        )
    }

    pub(super) fn lower_binary(&mut self, b: &syn::ExprBinary) -> Value {
        let span = spans::binary(b);
        if let Some(op) = compound_op(&b.op) {
            if !self.write_through_data(&Expr::Binary(b.clone()), &b.left) {
                self.lower_assign(&b.left, Some(op), &b.right, span);
            }
            return Value::Unit;
        }
        let op = match b.op {
            SynBinOp::Add(_) => BinOp::Add,
            SynBinOp::Sub(_) => BinOp::Sub,
            SynBinOp::Mul(_) => BinOp::Mul,
            SynBinOp::Div(_) => BinOp::Div,
            SynBinOp::Rem(_) => BinOp::Rem,
            SynBinOp::Eq(_) => BinOp::Eq,
            SynBinOp::Ne(_) => BinOp::Ne,
            SynBinOp::Lt(_) => BinOp::Lt,
            SynBinOp::Le(_) => BinOp::Le,
            SynBinOp::Gt(_) => BinOp::Gt,
            SynBinOp::Ge(_) => BinOp::Ge,
            SynBinOp::BitAnd(_) => BinOp::BitAnd,
            SynBinOp::BitOr(_) => BinOp::BitOr,
            SynBinOp::BitXor(_) => BinOp::BitXor,
            SynBinOp::Shl(_) => BinOp::Shl,
            SynBinOp::Shr(_) => BinOp::Shr,
            SynBinOp::And(_) | SynBinOp::Or(_) => return self.lower_short_circuit(b),
            _ => return self.unsupported(b, "#[grad] does not support this operator"),
        };
        // `l0 * &cusp.chroma`, `sum.clone() + x` (generic numeric code): arithmetic on a number
        // behind `&` or copied, the number's; so is a comparison of numbers behind `&` (`w_i <=
        // &wp` of an item of `omega.iter()`: ndspec's JONSWAP spectrum).
        // (not `kind == &Kind::Mul` of data, which compares the references as written)
        let referenced = |e: &Expr| matches!(e, Expr::Reference(r) if r.mutability.is_none());
        let numbers_compared = op.is_comparison()
            && (referenced(&b.left) || referenced(&b.right))
            && self.reads(&b.to_token_stream()).varied;
        if (!op.is_comparison()
            && (copied_operand(&b.left).is_some() || copied_operand(&b.right).is_some()))
            || numbers_compared
        {
            let number = |e: &Expr| copied_operand(e).unwrap_or(e).clone();
            let mut b = b.clone();
            (*b.left, *b.right) = (number(&b.left), number(&b.right));
            return self.lower_binary(&b);
        }
        // `best == Some(1)`, `(0..n).max_by(..) != None`: `Option`s compared, a `bool` that
        // no derivative flows through, kept as written.
        let option = |e: &Expr| match e {
            Expr::Call(c) => matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Some")),
            Expr::Path(p) => p.path.is_ident("None"),
            _ => false,
        };
        if matches!(op, BinOp::Eq | BinOp::Ne) && (option(&b.left) || option(&b.right)) {
            if let Some(value) = self.try_opaque(&Expr::Binary(b.clone()), true) {
                return value;
            }
        }
        // `frexp(y).1 > 3`: a part of what a call returns, compared, which no derivative
        // flows through, as written.
        let call_part = |e: &Expr| {
            matches!(e, Expr::Field(f) if matches!(f.member, syn::Member::Unnamed(_))
                && matches!(&*f.base, Expr::Call(_) | Expr::MethodCall(_)))
        };
        // `a == b` of two models (`PartialEq`): a comparison of the structs, as written.
        let model = |e: &Expr| {
            self.sig
                .passed_whole(e)
                .is_some_and(|p| matches!(p.kind, ParamKind::Model { .. }))
        };
        let compared = |e: &Expr| call_part(e) || model(e);
        if op.is_comparison() && (compared(&b.left) || compared(&b.right)) {
            if let Some(value) = self.try_opaque(&Expr::Binary(b.clone()), true) {
                return value;
            }
        }
        // `x.iter().filter(..).count() + positives(w)`, `positives(w) * 2`, `count(w) > n`:
        // beside an integer, a call returns one (Rust mixes no float with an integer), whatever
        // it reads.
        let arithmetic = matches!(
            op,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
        );
        let mixes = arithmetic || op.is_comparison();
        let lhs = match mixes && self.integer_by_form(&b.right) {
            true => self
                .integer_call(&b.left, false)
                .unwrap_or_else(|| self.lower_expr(&b.left)),
            false => self.lower_expr(&b.left),
        };
        let beside_integer = mixes && matches!(&lhs, Value::Scalar(l) if self.ty(l) == Ty::Int);
        let rhs = match beside_integer {
            true => self
                .integer_call(&b.right, false)
                .unwrap_or_else(|| self.lower_expr(&b.right)),
            false => self.lower_expr(&b.right),
        };
        // (already reported: nothing built on it is reported again)
        if matches!(lhs, Value::Error) || matches!(rhs, Value::Error) {
            return Value::Error;
        }
        let lhs = self.scalar_of(lhs, &b.left);
        let rhs = self.scalar_of(rhs, &b.right);
        // `j * x` of `let j = Complex::new(0.0, 1.0);`: a struct's operator on a
        // differentiated number, whose result is a struct too.
        let structure = |x: &Operand| x.var().is_some_and(|v| self.data_structs.contains_key(&v));
        if arithmetic
            && (structure(&lhs) || structure(&rhs))
            && (self.is_varied(&lhs) || self.is_varied(&rhs))
        {
            self.errors.at(
                span,
                "#[grad] does not differentiate an operator a struct implements (`impl Mul<f64> for Complex`): compute the numbers you need from the struct's fields (`(j.re * x, j.im * x)`), or write the operation as a `#[grad]` function of them",
            );
            return Value::Error;
        }
        Value::Scalar(self.binary(op, lhs, rhs, span))
    }

    /// Whether `e` is an integer by its form alone, before it is lowered: an integer literal,
    /// a local integer, a length or a count, a cast to an integer type, or arithmetic on one.
    fn integer_by_form(&self, e: &Expr) -> bool {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => !matches!(i.suffix(), "f32" | "f64"),
            Expr::Paren(p) => self.integer_by_form(&p.expr),
            Expr::Path(p) => match p.path.get_ident().and_then(|i| self.lookup(&i.to_string())) {
                Some(Binding::Scalar { cell, .. }) => self.ty(&self.cells[cell].value) == Ty::Int,
                _ => false,
            },
            Expr::MethodCall(m) => m.method == "len" || m.method == "count",
            Expr::Cast(c) => is_integer_type(&c.ty),
            Expr::Binary(b) => {
                matches!(
                    b.op,
                    SynBinOp::Add(_)
                        | SynBinOp::Sub(_)
                        | SynBinOp::Mul(_)
                        | SynBinOp::Div(_)
                        | SynBinOp::Rem(_)
                ) && (self.integer_by_form(&b.left) || self.integer_by_form(&b.right))
            }
            _ => false,
        }
    }

    pub(super) fn binary(&mut self, op: BinOp, lhs: Operand, rhs: Operand, span: Span) -> Operand {
        let (lt, rt) = (self.ty(&lhs), self.ty(&rhs));
        if op.is_comparison() {
            return self.let_op("t", Ty::Bool, Op::Binary(op, lhs, rhs), span);
        }
        let arithmetic = matches!(
            op,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem
        );
        // Data of a type the function does not see and a literal (`BIG * 1e-19` of a `const
        // BIG: f64` in an `f32` function): of that data's type, which the literal takes. An
        // integer literal says the data is an integer (`v.len() + 1`).
        let untyped_data = |x: &Operand, other: &Operand| {
            self.ty(x) == Ty::Unknown
                && !self.is_varied(x)
                && matches!(other, Operand::Lit(_))
                && self.ty(other) != Ty::Int
        };
        let untyped = arithmetic && (untyped_data(&lhs, &rhs) || untyped_data(&rhs, &lhs));
        let float = (lt == Ty::Float || rt == Ty::Float) && !untyped;
        if float && arithmetic {
            let name = match op {
                BinOp::Add => "add",
                BinOp::Sub => "sub",
                BinOp::Mul => "mul",
                BinOp::Div => "div",
                _ => "rem",
            };
            return self.operator(name, vec![lhs, rhs], span);
        }
        if float {
            let message = match op {
                // `x ^ 2.0`, as other languages write a power
                BinOp::BitXor => "#[grad] does not support `^` on floats: it is Rust's exclusive or, not a power; write `x.powi(2)` or `x.powf(y)`",
                _ => "#[grad] does not support this operator on floats (supported: + - * / % and comparisons); it takes a value computed from a float for a float: if an operand is an integer (a helper's bits, `let hx = high_word(x);`), write its type where it is bound (`let hx: u32 = high_word(x);`)",
            };
            self.errors.at(span, message);
        }
        let ty = match (untyped, lt) {
            (true, _) => Ty::Unknown,
            (false, Ty::Unknown) => rt,
            (false, _) => lt,
        };
        // Arithmetic on elements of `const` tables (`TABLE[1] - TABLE[0]`) is float data too,
        // as is data scaled by a float literal (`0.5 * cfg.c`).
        let float_literal = |x: &Operand| matches!(x, Operand::Lit(Lit::Float(_)));
        let table_data = arithmetic
            && (self.is_float_data(&lhs)
                || self.is_float_data(&rhs)
                || untyped && (float_literal(&lhs) || float_literal(&rhs)));
        let value = self.let_op("t", ty, Op::Binary(op, lhs, rhs), span);
        if let (Some(v), true) = (value.var(), table_data) {
            self.table_elements.insert(v);
        }
        value
    }

    /// `a && b`, `a || b`: `b` is evaluated only when needed, as in Rust.
    pub(super) fn lower_short_circuit(&mut self, b: &syn::ExprBinary) -> Value {
        let span = b.span();
        let is_and = matches!(b.op, SynBinOp::And(_));
        let lhs = self.condition(&b.left);
        // Lower `b` into a scratch block: when it needs no statements, it is safe to evaluate
        // eagerly.
        self.open_block(Scope::Branch);
        let cells_before: Vec<Operand> = self.cells.iter().map(|c| c.value.clone()).collect();
        let rhs = self.condition(&b.right);
        let scratch = self.close_block();
        let op = if is_and { BinOp::And } else { BinOp::Or };
        if scratch.is_empty() {
            return Value::Scalar(self.let_op("t", Ty::Bool, Op::Binary(op, lhs, rhs), span));
        }
        for (cell, value) in self.cells.iter_mut().zip(cells_before) {
            cell.value = value;
        }
        let right = &b.right;
        let value = if is_and {
            self.lower_if_with(
                lhs,
                |lw| Some(Value::Scalar(lw.condition(right))),
                |_| Some(Value::Scalar(Operand::Lit(lit_bool(false)))),
                span,
            )
        } else {
            self.lower_if_with(
                lhs,
                |_| Some(Value::Scalar(Operand::Lit(lit_bool(true)))),
                |lw| Some(Value::Scalar(lw.condition(right))),
                span,
            )
        };
        value.unwrap_or(Value::Unit)
    }

    pub(super) fn index_target(
        &mut self,
        index: &syn::ExprIndex,
    ) -> Option<(ArrayId, Vec<Operand>)> {
        let mut offset = None;
        let (base, mut indices) = match &*index.expr {
            Expr::Index(inner) if !matches!(&*inner.index, Expr::Range(_)) => {
                let (base, idx) = self.index_target(inner)?;
                (base, idx)
            }
            other => match self.lower_expr(other) {
                Value::Array(a) => (a, Vec::new()),
                Value::Row { array, index } => (array, vec![index]),
                Value::View(s) => {
                    offset = Some(s.offset);
                    (s.array, s.row.into_iter().collect())
                }
                Value::Error => return None,
                _ => {
                    self.errors.on(
                        other,
                        "#[grad] can index only arrays, slices and Vecs of floats or integers",
                    );
                    return None;
                }
            },
        };
        if let Expr::Range(r) = &*index.index {
            self.errors.on(
                r,
                "#[grad] does not support slicing with a range: pass the whole array and index it",
            );
            return None;
        }
        // `x[argmax(x)]`: a function that returns an integer.
        let value = self
            .integer_call(&index.index, false)
            .unwrap_or_else(|| self.lower_expr(&index.index));
        // (already reported: an index read from a name whose `let` was rejected)
        if let Value::Error = value {
            return None;
        }
        let mut i = self.scalar_of(value, &index.index);
        if let Some(offset) = offset {
            i = self.let_op(
                "t",
                Ty::Int,
                Op::Binary(BinOp::Add, offset, i),
                index.span(),
            );
        }
        // Data the function does not type (an item of a data struct's `Vec` field, taken for
        // a float) used as an index is an integer.
        if let (Ty::Float, Some(v), false) = (self.ty(&i), i.var(), self.is_varied(&i)) {
            self.vars[v.0].ty = Ty::Int;
        }
        if self.ty(&i) == Ty::Float {
            self.errors.on(
                &index.index,
                "#[grad] cannot index with a float: indices must be integers (`i as usize` if you really mean it); indices a function returns into a `let` of no type are taken for numbers: state the type (`let order: Vec<usize> = argsort(x);`)",
            );
        }
        indices.push(i);
        if indices.len() > self.arrays[base.0].dims {
            // `let m = outer(a); m[0][1]`: a call's result, which is a vector to the sweeps.
            let returned = self
                .blocks
                .iter()
                .flatten()
                .any(|stmt| matches!(stmt, Stmt::CallArray { array, .. } if *array == base));
            let message = match returned {
                true => format!("#[grad] reads `{}`, what a call returned, with more indices than it took it to have: bind a matrix a call returns to a local read with two indices (`let m = f(..); m[i][j]`), or with its type (`let m: [[f64; 3]; 3] = f(..);`)", self.arrays[base.0].written),
                false => format!("#[grad] reads this array with more indices than the {} it has here: the sweeps differentiate vectors and matrices; split a deeper array into matrices (a `Vec` of sub-models, or one field per slice); a matrix of data copied out of a deeper one (`let b = el.dm_inv[t];`) is read in place when borrowed (`let b = &el.dm_inv[t];`)", self.arrays[base.0].dims),
            };
            if self.read_too_deep.insert(base) {
                self.errors.on(index, message);
            }
            return None;
        }
        Some((base, indices))
    }

    pub(super) fn lower_index(&mut self, index: &syn::ExprIndex) -> Value {
        let span = spans::index(index);
        // `g(x)[0]`, `self.head.forward(&h)[0]`, `rot(t)[1][0]`: an element of the array (of
        // the matrix) a differentiated call returns, bound first (a call bound to a local
        // returns an array).
        let (callee, indices) = match &*index.expr {
            Expr::Index(inner) => (&*inner.expr, vec![&*inner.index, &*index.index]),
            other => (other, vec![&*index.index]),
        };
        let call = match callee {
            Expr::Call(_) => true,
            Expr::MethodCall(m) => self.model_method(m).is_some(),
            _ => false,
        };
        let reads = call.then(|| self.reads(&callee.to_token_stream()));
        if reads.is_some_and(|r| r.varied && !r.poisoned) {
            let name = format!("{SYNTHETIC}returned_{}", self.next_synthetic());
            let returned = proc_macro2::Ident::new(&name, callee.span());
            self.array_locals.insert(name.clone());
            if indices.len() == 2 {
                self.matrix_locals.insert(name);
            }
            let element: Expr = syn::parse_quote_spanned!(span=> {
                let #returned = #callee;
                #returned #([#indices])*
            });
            return self.lower_expr(&element);
        }
        if let Expr::Range(range) = &*index.index {
            if self.is_known_array(&index.expr) {
                return self.lower_slice(&index.expr, range);
            }
        }

        // A table that is not a local array or parameter (`LANCZOS[i]`, `cfg.w[i]`).
        if !self.indexes_known_array(index) {
            if let Some(value) = self.try_opaque(&Expr::Index(index.clone()), false) {
                return value;
            }
            // `SCALE[bucket(x)]`: an index from a function that returns one, then the read.
            if let Some(Value::Scalar(i)) = self.integer_call(&index.index, false) {
                let name = format!("{SYNTHETIC}index_{}", self.next_synthetic());
                let name = proc_macro2::Ident::new(&name, index.index.span());
                let cell = self.new_cell(&name.to_string(), i, Ty::Int, false);
                self.bind(name.to_string(), cell);
                let mut read = index.clone();
                *read.index = build::path(&name);
                if let Some(value) = self.try_opaque(&Expr::Index(read), false) {
                    return value;
                }
            }
        }
        let Some((array, indices)) = self.index_target(index) else {
            return Value::Error;
        };
        if indices.len() < self.arrays[array.0].dims {
            let Some(row) = indices.into_iter().next() else {
                return Value::Scalar(self.zero());
            };
            return Value::Row { array, index: row };
        }
        Value::Scalar(self.load(array, indices, span))
    }

    /// `&x[a..b]`, `&x[a..]`, `&x[..b]`: a view of a 1-D array or of another view.
    /// `x.split_at(mid)`: the views `(&x[..mid], &x[mid..])`, `mid` computed once.
    pub(super) fn lower_split_at(&mut self, base: &Expr, mid: &Expr) -> Value {
        let i = self.expr_scalar(mid);
        let name = format!("{SYNTHETIC}mid_{}", self.next_synthetic());
        let cell = self.new_cell(&name, i, Ty::Int, false);
        self.bind(name.clone(), cell);
        let mid = proc_macro2::Ident::new(&name, mid.span());
        self.lower_expr(&syn::parse_quote!((&#base[..#mid], &#base[#mid..])))
    }

    fn lower_slice(&mut self, base: &Expr, range: &syn::ExprRange) -> Value {
        let span = range.span();
        let (array, row, base_offset, base_len) = match self.lower_expr(base) {
            Value::Array(a) => {
                let len = self.length_of(&Value::Array(a), span);
                (a, None, None, len)
            }
            Value::Row { array, index } => {
                let row = Value::Row {
                    array,
                    index: index.clone(),
                };
                let len = self.length_of(&row, span);
                (array, Some(index), None, len)
            }
            Value::View(s) => (s.array, s.row, Some(s.offset), s.len),
            Value::Error => return Value::Error,
            _ => {
                return self.unsupported(
                    range,
                    "#[grad] slices with a range arrays, slices, Vecs and matrices (by rows)",
                )
            }
        };
        let start = match &range.start {
            Some(s) => self.expr_scalar(s),
            None => Operand::Lit(lit_int(0)),
        };
        let end = match (&range.end, &range.limits) {
            (Some(e), syn::RangeLimits::HalfOpen(_)) => self.expr_scalar(e),
            (Some(e), syn::RangeLimits::Closed(_)) => {
                let e = self.expr_scalar(e);
                self.let_op(
                    "t",
                    Ty::Int,
                    Op::Binary(BinOp::Add, e, Operand::Lit(lit_int(1))),
                    span,
                )
            }
            (None, _) => base_len,
        };
        let len = match start.is_zero() {
            true => end,
            false => self.let_op(
                "len",
                Ty::Int,
                Op::Binary(BinOp::Sub, end, start.clone()),
                span,
            ),
        };
        let offset = match base_offset {
            Some(o) => self.let_op("t", Ty::Int, Op::Binary(BinOp::Add, o, start), span),
            None => start,
        };
        Value::View(Box::new(Slice {
            array,
            row,
            offset,
            len,
        }))
    }

    /// Whether the innermost base of `a[i][j]` names a local array, a parameter array or a
    /// row.
    fn indexes_known_array(&self, index: &syn::ExprIndex) -> bool {
        self.is_known_array(&index.expr)
    }

    /// The binding of the variable an array expression is rooted in (`h` of `h[i]`, `(h)`),
    /// also through references and dereferences when `through_references`.
    fn array_root(&self, expr: &Expr, through_references: bool) -> Option<Binding> {
        let mut base = expr;
        loop {
            base = match base {
                Expr::Index(i) => &i.expr,
                Expr::Paren(p) => &p.expr,
                Expr::Reference(r) if through_references => &r.expr,
                Expr::Unary(u) if through_references && matches!(u.op, SynUnOp::Deref(_)) => {
                    &u.expr
                }
                Expr::Path(p) => return self.lookup(&p.path.get_ident()?.to_string()),
                _ => return None,
            };
        }
    }

    /// Whether `expr` names a local array of the function (or an element, a row or a view of
    /// one), which the body may write after a `let` binds it by value.
    pub(super) fn is_local_array(&self, expr: &Expr) -> bool {
        self.root_array(expr, false)
            .is_some_and(|a| self.arrays[a.0].origin == ArrayOrigin::Local)
    }

    /// The array `expr` is (an element, a row or a view of; a reference of too, with
    /// `through_references`).
    fn root_array(&self, expr: &Expr, through_references: bool) -> Option<ArrayId> {
        match self.array_root(expr, through_references)? {
            Binding::Array(a) => Some(a),
            Binding::Row { array, .. } => Some(array),
            Binding::View(s) => Some(s.array),
            _ => None,
        }
    }

    /// Whether `expr` is (an element, a row or a reference of) a local array, a parameter
    /// array or a row.
    pub(super) fn is_known_array(&self, expr: &Expr) -> bool {
        matches!(
            self.array_root(expr, true),
            Some(Binding::Array(_) | Binding::Row { .. } | Binding::View(_) | Binding::Poisoned)
        )
    }

    /// Whether `expr` names an array of rows (`let mut rows = vec![[0.0; 3]; n];`, `w:
    /// &[[f64; 3]]`).
    pub(super) fn is_matrix(&self, expr: &Expr) -> bool {
        let Expr::Path(p) = expr else { return false };
        let Some(Binding::Array(a)) = p.path.get_ident().and_then(|i| self.lookup(&i.to_string()))
        else {
            return false;
        };
        self.arrays[a.0].dims >= 2
    }

    /// Whether `expr` is (an element, a row or a reference of) a known array of floats.
    pub(super) fn holds_floats(&self, expr: &Expr) -> bool {
        self.root_array(expr, true)
            .is_some_and(|a| self.arrays[a.0].elem == Elem::Float)
    }

    pub(super) fn apply_rule(
        &mut self,
        rule: &'static Rule,
        receiver: Operand,
        args: Vec<Operand>,
        owner: Option<syn::Type>,
        name: &dyn ToTokens,
        span: Span,
    ) -> Operand {
        if args.len() + 1 != rule.floats + rule.others {
            self.errors.on(
                name,
                format!(
                    "`{}` takes {} argument(s) here",
                    rule.name,
                    rule.floats + rule.others - 1
                ),
            );
            return self.zero();
        }
        let mut floats = vec![receiver];
        let mut rest = args.into_iter();
        floats.extend(rest.by_ref().take(rule.floats - 1));
        self.prim(rule, floats, rest.collect(), owner, span)
    }
}

pub(super) fn compound_op(op: &SynBinOp) -> Option<BinOp> {
    Some(match op {
        SynBinOp::AddAssign(_) => BinOp::Add,
        SynBinOp::SubAssign(_) => BinOp::Sub,
        SynBinOp::MulAssign(_) => BinOp::Mul,
        SynBinOp::DivAssign(_) => BinOp::Div,
        SynBinOp::RemAssign(_) => BinOp::Rem,
        // (on integers: `ix &= 0x7fffffff;`, libm's bit tricks)
        SynBinOp::BitAndAssign(_) => BinOp::BitAnd,
        SynBinOp::BitOrAssign(_) => BinOp::BitOr,
        SynBinOp::BitXorAssign(_) => BinOp::BitXor,
        SynBinOp::ShlAssign(_) => BinOp::Shl,
        SynBinOp::ShrAssign(_) => BinOp::Shr,
        _ => return None,
    })
}

/// `panic!`, `unreachable!`, `todo!`, `unimplemented!`: they never produce a value.
pub(super) fn is_diverging(mac: &syn::Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| {
        // `__fail!(Err(e))`: an early `Err`/`None` of a fallible function.
        ["panic", "unreachable", "todo", "unimplemented", "__fail"]
            .contains(&s.ident.to_string().as_str())
    })
}

/// `-lit`: the literal with its sign flipped, suffix kept (`-2.0`, `2.0` from `-2.0`).
fn negate_literal(lit: &Lit) -> Option<Lit> {
    let (digits, suffix, span) = match lit {
        Lit::Float(f) => (
            f.base10_digits().to_string(),
            f.suffix().to_string(),
            f.span(),
        ),
        Lit::Int(i) => (
            i.base10_digits().to_string(),
            i.suffix().to_string(),
            i.span(),
        ),
        _ => return None,
    };
    let flipped = match digits.strip_prefix('-') {
        Some(positive) => positive.to_string(),
        None => format!("-{digits}"),
    };
    let repr = format!("{flipped}{suffix}");
    Some(match lit {
        Lit::Float(_) => Lit::Float(syn::LitFloat::new(&repr, span)),
        _ => Lit::Int(syn::LitInt::new(&repr, span)),
    })
}

/// Whether `expr` makes a tuple of numbers: `a.sin_cos()`, `f64::sin_cos(a)`, `(a, b)`.
fn makes_tuple(expr: &Expr) -> bool {
    match expr {
        Expr::Tuple(_) => true,
        Expr::Paren(p) => makes_tuple(&p.expr),
        Expr::MethodCall(m) => m.method == "sin_cos" && m.args.is_empty(),
        Expr::Call(c) => {
            matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "sin_cos"))
                && c.args.len() == 1
        }
        _ => false,
    }
}

/// Whether `expr` is a `fold` (in parentheses or not).
fn folds(expr: &Expr) -> bool {
    match expr {
        Expr::Paren(p) => folds(&p.expr),
        Expr::MethodCall(m) => m.method == "fold" && m.args.len() == 2,
        _ => false,
    }
}
