//! Lowering of method calls: float methods by their rules, integer methods, a model's own
//! methods, `len`, and the methods that stand for other code (`copy_from_slice` into a
//! local array, `c.then(|| e)`).

use super::*;

impl Lowerer<'_> {
    pub(super) fn lower_method(&mut self, m: &syn::ExprMethodCall) -> Value {
        if let Some(value) = self.struct_method(m) {
            return value;
        }
        if let Some(value) = self.optional_method(m) {
            return value;
        }
        // `chain.reduce(f).unwrap_or_default()` (`max_by`, `min_by`): the float's zero.
        if let Some(taken) = reduction_or_zero(m, self.sig) {
            return self.lower_expr(&taken);
        }
        // `x.last().copied().map_or(d, |v| ..)` of a differentiated element: the `if let`.
        if let Some(branch) = option_mapped(m) {
            if self.reads(&m.receiver.to_token_stream()).varied {
                return self.lower_expr(&branch);
            }
        }
        if let Some(element) = self.end_element(m) {
            return element;
        }
        if let Some(each) = counted_for_each(m) {
            return self.lower_expr(&each);
        }
        if let Some(bound) = self.struct_element_bound(m) {
            return self.lower_expr(&bound);
        }
        // `dot(&v.map(|e| 2.0 * e), w)`: the array `let` would bind (`let y = v.map(..);`),
        // under a name of its own.
        if let Some(array) = self.mapped_array(&Expr::MethodCall(m.clone())) {
            return Value::Array(array);
        }
        // Shrinking a local array (a worklist, `while let Some(i) = stack.pop()`), which a
        // copy of data is too.
        const SHRINKING: &[&str] = &[
            "pop",
            "truncate",
            "clear",
            "remove",
            "swap_remove",
            "retain",
            "drain",
            "dedup",
            "split_off",
        ];
        let name = m.method.to_string();
        let local_array = matches!(&*m.receiver, Expr::Path(p)
            if p.path.get_ident().is_some_and(|i| matches!(self.lookup(&i.to_string()), Some(Binding::Array(_)))));
        if local_array && SHRINKING.contains(&&*name) {
            return self.unsupported(
                &m.method,
                &format!("#[grad] cannot differentiate `.{name}(..)` on a local array: the sweeps track its elements, not a changing length; keep the length in use in a local and index below it (`let mut top = stack.len(); while top > 0 {{ top -= 1; let i = stack[top]; .. }}`)"),
            );
        }
        if let Some(copy) = copy_into_local(m, |name| {
            matches!(self.lookup(name), Some(Binding::Array(_)))
        }) {
            return self.lower_expr(&copy);
        }
        let span = spans::method_call(m);
        if let Some(value) = self.lower_in_place_on_row(m, &name, span) {
            return value;
        }
        // `T::from(e).unwrap()`, `T::from_f64(e).unwrap()`: a conversion to the float type.
        if let Some(value) = self.lower_num_cast(m) {
            return value;
        }
        // `piv.swap(k, p)` of a local array of indices: its elements read and written as the
        // sweeps see them (as written, it would run on the reference the code passed through
        // rebinds it as).
        let local = super::prescan::local_name(&m.receiver);
        if let Some(Binding::Array(a)) = local.and_then(|n| self.lookup(&n)) {
            if let Some(value) = self.lower_in_place(m, &Value::Array(a), &name, span) {
                return value;
            }
        }
        let expr = Expr::MethodCall(m.clone());
        if opaque::is_non_float_call(m) {
            if let Some(value) = self.try_opaque(&expr, true) {
                return value;
            }
        }
        let float_rule = rules::lookup(&name).is_some();
        // A float method on constants (`(2.0 * PI).ln()`) keeps the types the user wrote.
        if float_rule && !self.reads(&expr.to_token_stream()).varied {
            if let Some(value) = self.try_opaque(&expr, false) {
                return value;
            }
        }
        // `rows[0].is_empty()`, `0..values.capacity()`: about a container's length, its
        // receiver differentiated or not.
        if matches!(&*name, "is_empty" | "capacity") && m.args.is_empty() {
            if let Some(value) = self.try_opaque(&expr, true) {
                return value;
            }
        }
        // `img.iter().map(|r| r.len()).sum::<usize>()`: a count, whatever it reads.
        if counts(m) {
            if let Some(value) = self.try_opaque(&expr, true) {
                return value;
            }
        }
        let array_len = name == "len" && self.is_known_array(&m.receiver);
        if !float_rule && !array_len {
            if let Some(value) = self.try_opaque(&expr, false) {
                return value;
            }
            if let Some(value) = self.lower_iterator_chain(m) {
                return value;
            }
            if let Some(found) = iter::single_item(m) {
                return self.lower_expr(&found);
            }
            if let Some(taken) = then_taken(m) {
                return self.lower_expr(&taken);
            }
            // `airmass.unwrap_or_else(|| relative_airmass(zenith))` of a data `Option`: the
            // match it stands for, its default differentiated.
            if let Some(matched) = self.data_option_default(m) {
                return self.lower_expr(&matched);
            }
            if let (true, [mid]) = (name == "split_at", &*m.args.iter().collect::<Vec<_>>()) {
                if self.is_known_array(&m.receiver) {
                    return self.lower_split_at(&m.receiver, mid);
                }
            }
            // `g(x).unwrap()`, `self.l1.forward(x).expect("..")`, `g(x).unwrap_or(0.0)`: a
            // fallible callee's `Ok` value.
            if let Some(value) = self.lower_fallible_call(&expr) {
                return value;
            }
        }
        if let Some(t) = &m.turbofish {
            // (a chain that collects into a `Vec` and goes on is the `let` of it: `collected.rs`)
            if name == "collect" {
                return self.unsupported(t, iter::COLLECTED_MID_CHAIN);
            }
            return self.unsupported(t, "#[grad] does not support turbofish on methods");
        }
        // `b.attn.score(h)` of an item `b`: a part of it lent to its own method, which is no
        // value to lower first.
        // So is a local struct's own method (`dist.ln_pdf(x)`), on the struct rebuilt.
        let lent_whole = self.item_part(&m.receiver).is_some()
            || self.record_passed(&m.receiver).is_some()
            || matches!(&*m.receiver, Expr::Struct(_));
        if lent_whole {
            if let Some(value) = self.lower_model_method(m, None) {
                return value;
            }
        }
        // `TENORS.map(|t| (-z * t).exp())` of a `const` table, where no `let` states the
        // length (`stmt.rs`'s `array_map` takes it from there).
        if let (true, Expr::Path(p)) = (name == "map" && m.args.len() == 1, &*m.receiver) {
            let table = float_data::indexes_constant(&syn::parse_quote!(#p[0]));
            if table && self.reads(&m.args.to_token_stream()).varied {
                return self.unsupported(
                    &m.method,
                    "#[grad] maps a `const` table when the `let` it is bound by states its length (`let d: [f64; 3] = TENORS.map(|t| (-z * t).exp());`)",
                );
            }
        }
        if self.maps_returned_array(m) {
            return self.unsupported(
                &m.method,
                "#[grad] maps the array a call returns when the `let` it is bound by states its length (`let h: [f64; 3] = g(x).map(|v| v.tanh());`), which the call's result does not tell it",
            );
        }
        let receiver = self.lower_expr(&m.receiver);
        // (already reported: nothing built on it is reported again)
        if let Value::Error = receiver {
            return Value::Error;
        }
        if name == "len" && m.args.is_empty() {
            return self.lower_len(m, receiver);
        }
        let unknown_method = || {
            format!(
                "#[grad] cannot differentiate the method `{name}`: its receiver or arguments depend on a differentiated input, and it is not a float method with a derivative rule ({}); call a function with `#[grad]` or a hand-written `_adjoint` instead",
                rules::method_names()
            )
        };
        // `x.clone()` of a number (palette's generic code): the number.
        if let (Value::Scalar(x), true) = (
            &receiver,
            ["clone", "to_owned"].contains(&&*name) && m.args.is_empty(),
        ) {
            return Value::Scalar(x.clone());
        }
        // `idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]))`: data put in the order a comparison of
        // differentiated values gives (no derivative flows through a comparison), as written.
        if matches!(receiver, Value::Scalar(_))
            && [
                "sort_by",
                "sort_unstable_by",
                "sort_by_key",
                "sort_unstable_by_key",
            ]
            .contains(&&*name)
        {
            if let Some(value) = self.try_opaque(&Expr::MethodCall(m.clone()), true) {
                return value;
            }
        }
        // `self.ln_pdf(x)` with `self` as data: a call of the type's method; `warp.apply(x)`
        // of a data parameter: its `apply_adjoint` by method-call syntax.
        if rules::lookup(&name).is_none() && matches!(receiver, Value::Scalar(_)) {
            if let Some(call) = self.method_as_call(m) {
                return self.lower_call(&call, None);
            }
            if let Some(value) = self.lower_model_method(m, None) {
                return value;
            }
        }
        // `net.forward(x)`, `self.l1.forward(x)`: a method of a model (`z.abs()` of a complex
        // number too: a struct has no float methods).
        if !matches!(receiver, Value::Scalar(_)) {
            if let Some(value) = self.lower_model_method(m, None) {
                return value;
            }
        }
        if !matches!(receiver, Value::Scalar(_)) && rules::lookup(&name).is_none() {
            if let Some(value) = self.lower_in_place(m, &receiver, &name, span) {
                return value;
            }
            // Growing a local array: the sweeps track its elements, not a changing length.
            if matches!(receiver, Value::Array(_)) && name == "push" {
                return self.unsupported(
                    &m.method,
                    "#[grad] cannot differentiate `.push(..)` on a local array here: the sweeps track its elements, not a changing length, so a vector declared empty is made before the one `for` loop that fills it, at the most items that loop can push: at most once per iteration at each `push` (in branches too), none in an inner loop or a closure, the vector mentioned nowhere else in the loop; otherwise make it at its size and write by index (`let mut out = vec![0.0; n * m]; out[i * m + j] = ..`), or build it with `.iter().map(..).collect::<Vec<_>>()`",
                );
            }
            if matches!(receiver, Value::Array(_))
                && ["extend", "extend_from_slice", "insert", "append"].contains(&&*name)
            {
                return self.unsupported(
                    &m.method,
                    &format!("#[grad] cannot differentiate `.{name}(..)` on a local array: the sweeps track its elements, not a changing length; make the vector at its final size and write into it (`let mut v = vec![0.0; a.len() + b.len()]; v[..a.len()].copy_from_slice(a); v[a.len()..].copy_from_slice(b);`), or build it whole (`let v: Vec<f64> = a.iter().chain(b).copied().collect();`)"),
                );
            }
            // An iterator kept for later (`let mut it = x.iter(); it.next()`).
            if matches!(receiver, Value::Array(_))
                && [
                    "iter",
                    "iter_mut",
                    "into_iter",
                    "windows",
                    "chunks",
                    "chunks_exact",
                ]
                .contains(&&*name)
            {
                return self.unsupported(
                    &m.method,
                    &format!("#[grad] iterates a differentiated array (`.{name}()` here) in a `for` loop or one chain (`for v in x.iter()`, `x.iter().map(..).sum()`), takes single elements with `*x.iter().nth(k).unwrap()`, `.last().unwrap()`, or from an iterator kept in a local with `*it.next().unwrap()` before using the rest whole (`for v in it`, `it.fold(..)`), but not this way: index the array instead (`x[0]`, `&x[1..]`)"),
                );
            }
            // A copy used in place (`x.to_vec().windows(2)`), not bound.
            if matches!(receiver, Value::Array(_))
                && ["to_vec", "clone", "to_owned"].contains(&&*name)
            {
                return self.unsupported(
                    &m.method,
                    &format!("#[grad] copies a differentiated array with `.{name}()` only into a local (`let v = x.{name}();`), whose elements it then tracks: bind the copy first, or read the array itself (`x.windows(2)`, `x.iter()`)"),
                );
            }
            // `h.map(f)` of an array whose length is not written here (a call's result).
            if name == "map" && m.args.len() == 1 {
                return self.unsupported(
                    &m.method,
                    "#[grad] maps an array only when it knows the array's length: state it where the array is bound (`let h: [f64; 3] = g(x);`), or map through indices or an iterator (`let y: [f64; 3] = std::array::from_fn(|i| f(h[i]));`, `h.iter().map(f).collect::<Vec<_>>()`)",
                );
            }
            // `let z: Complex = Complex::new(a, b); z.modulus()`: what the call returned, an
            // array to the sweeps.
            if let (Value::Array(array), Expr::Path(_)) = (&receiver, &*m.receiver) {
                let made = self.blocks.iter().flatten().find_map(|stmt| match stmt {
                    Stmt::CallArray {
                        array: a, callee, ..
                    } if a == array => Some(callee.clone()),
                    _ => None,
                });
                if let Some(callee) = made {
                    return self.method_of_returned(m, &callee, "an array");
                }
            }
            // Any other method of an array or a model: one error, on it.
            return self.unsupported(&m.method, &unknown_method());
        }
        let receiver = self.scalar_of(receiver, &m.receiver);
        if name == "into" && m.args.is_empty() && self.ty(&receiver) == Ty::Float {
            return self.unstated_into(m, receiver);
        }
        let args: Vec<Operand> = m.args.iter().map(|a| self.expr_scalar(a)).collect();
        let receiver_ty = self.ty(&receiver);
        if receiver_ty == Ty::Int {
            return self.int_method(m, receiver, args);
        }
        if name == "sin_cos" && args.is_empty() {
            return self.sin_cos(receiver, &m.method, span);
        }
        match rules::lookup(&name) {
            Some(rule) => {
                Value::Scalar(self.apply_rule(rule, receiver, args, None, &m.method, span))
            }
            // `let o = safe_ln(x); o.unwrap_or(d)`: the `Option` a fallible call returned.
            None if matches!(&*m.receiver, Expr::Path(_))
                && unwraps(&name)
                && self.returning_call(&receiver).is_some() =>
            {
                self.unsupported(
                    &m.method,
                    "#[grad] takes the value of a fallible call where it is made (`safe_ln(x)?`, `safe_ln(x).unwrap()`, `safe_ln(x).unwrap_or(0.0)` with a default no differentiated value flows into), not from the `Option` or `Result` bound to a local",
                )
            }
            // `let dist = Exp::new(rate)?; dist.ln_pdf(x)`: what a call returns from
            // differentiated values is a number or an array to the sweeps, never a struct.
            None if matches!(&*m.receiver, Expr::Path(_)) && !unwraps(&name) => {
                match self.returning_call(&receiver) {
                    Some(callee) => self.method_of_returned(m, &callee, "a number"),
                    None => self.unsupported(&m.method, &unknown_method()),
                }
            }
            None => self.unsupported(&m.method, &unknown_method()),
        }
    }

    /// The error for a method called on what a call returned from differentiated values
    /// (`let dist = Exp::new(rate)?; dist.ln_pdf(x)`): the sweeps read it as `read_as` (a
    /// number or an array), never as a struct whose methods they could call.
    fn method_of_returned(
        &mut self,
        m: &syn::ExprMethodCall,
        callee: &Callee,
        read_as: &str,
    ) -> Value {
        let written = m.receiver.to_token_stream().to_string();
        // `Exp` of `Exp::new`: the struct the constructor makes, most likely.
        let owner = match callee {
            Callee::Path(p) if p.segments.len() >= 2 => {
                p.segments[p.segments.len() - 2].ident.to_string()
            }
            _ => "Dist".to_string(),
        };
        let method = &m.method;
        self.unsupported(
            &m.method,
            &format!("#[grad] takes `{written}` for {read_as}: it holds what a call returned from differentiated values, which #[grad] reads as a float or an array of them, not as a struct whose methods it could call; if `{written}` is a struct, build it in the function with a struct literal (`let {written} = {owner} {{ .. }};`), whose `#[grad]` methods are then differentiated; if it is a number, `{method}` (a trait's method, not a float method with a derivative rule) needs one: call a function with `#[grad]` or a hand-written `_adjoint` instead"),
        )
    }

    /// The function whose call returned `x` (`Op::Call`), bound in an open block.
    fn returning_call(&self, x: &Operand) -> Option<Callee> {
        let v = x.var()?;
        self.blocks.iter().flatten().find_map(|stmt| match stmt {
            Stmt::Let {
                var,
                op: Op::Call { callee, .. },
            } if *var == v => Some(callee.clone()),
            _ => None,
        })
    }

    /// `x.sin_cos()`: the pair `(x.sin(), x.cos())`, each by its own rule.
    pub(super) fn sin_cos(&mut self, x: Operand, name: &dyn ToTokens, span: Span) -> Value {
        let [sin, cos] = ["sin", "cos"].map(|f| {
            let rule = rules::lookup(f).expect("sin and cos have rules");
            Value::Scalar(self.apply_rule(rule, x.clone(), Vec::new(), None, name, span))
        });
        Value::Tuple(vec![sin, cos])
    }

    /// `bonds[k].energy(x)` of `bonds: &[Bond]`, with a differentiated argument: the element
    /// bound with its type stated first (`let b: &Bond = &bonds[k];`), a struct of data whose
    /// `#[grad]` method is called (as in a loop over the items, `loops.rs`).
    fn struct_element_bound(&mut self, m: &syn::ExprMethodCall) -> Option<Expr> {
        let Expr::Index(element) = &*m.receiver else {
            return None;
        };
        let ty = prescan::root_type(&element.expr, &self.sig.written_types)
            .and_then(prescan::element_type)
            .filter(|ty| written_types::names_struct(ty))?;
        if !self.reads(&m.args.to_token_stream()).varied
            || self.reads(&element.to_token_stream()).varied
        {
            return None;
        }
        let name = syn::Ident::new(
            &format!("{SYNTHETIC}element_{}", self.next_synthetic()),
            element.span(),
        );
        let (method, args) = (&m.method, &m.args);
        Some(syn::parse_quote_spanned!(m.span()=> {
            let #name: &#ty = &#element;
            #name.#method(#args)
        }))
    }

    /// `self.cdf(x)` of a data `self` as `Self::cdf(self, x)`: a call that hands `self` on,
    /// differentiated through the method's `_adjoint`. `None` for another receiver (a model
    /// is called by method-call syntax, which takes it by value or by reference as the
    /// method does: [`Self::model_method`]).
    fn method_as_call(&self, m: &syn::ExprMethodCall) -> Option<syn::ExprCall> {
        let Expr::Path(receiver) = &*m.receiver else {
            return None;
        };
        let data_self = self.sig.params.iter().any(|p| {
            p.is_self() && receiver.path.is_ident(&p.ident) && matches!(p.kind, ParamKind::Opaque)
        });
        if !data_self || m.turbofish.is_some() {
            return None;
        }
        let (method, args) = (&m.method, &m.args);
        Some(syn::parse_quote_spanned!(method.span()=> Self::#method(#receiver, #args)))
    }

    /// The receiver of `m`, when it is a parameter of a type the function is generic over
    /// (`fam: &F` of `fn f<F: Family>`, or `&impl Family`).
    fn generic_receiver(&self, m: &syn::ExprMethodCall) -> Option<String> {
        let Expr::Path(receiver) = &*m.receiver else {
            return None;
        };
        self.sig
            .params
            .iter()
            .find(|p| receiver.path.is_ident(&p.ident) && p.generic)
            .map(|p| p.ident.to_string())
    }

    /// A method call that hands a model on (`d.ln_pdf(x)`, a sub-model's `self.l1.forward(x)`,
    /// `layer.forward(x)` for `layer` in `&net.layers`), or data with a differentiated argument
    /// (`warp.apply(x)`), as a call of the method on the receiver and the arguments, reached by
    /// method-call syntax: the receiver's type may not be written here, and the method may take
    /// it by value or by reference.
    pub(super) fn model_method(&self, m: &syn::ExprMethodCall) -> Option<(Callee, syn::ExprCall)> {
        let name = m.method.to_string();
        // A struct's own method may be named as a float's (`z.abs()`, the modulus of a complex
        // number): a struct has none of those.
        let float_named = rules::lookup(&name).is_some();
        // (a struct's own method named as a slice's: `self.first()`, `struct_method`)
        let own = own_method_of_struct(&name) && self.is_struct_receiver(&m.receiver);
        if !is_model_method(&name) && !float_named && !own {
            return None;
        }
        // `warp.apply(x)` on a data parameter, or on data a pattern bound (`d.d(w)` of `if let
        // Distrib::Beckmann(d) = dist`, enum dispatch), with a differentiated argument.
        let data_receiver = matches!(&*m.receiver, Expr::Path(p)
            if self.sig.params.iter().any(|q| p.path.is_ident(&q.ident) && matches!(q.kind, ParamKind::Opaque))
                || self.bound_data(p).is_some())
            && self.reads(&m.args.to_token_stream()).varied;
        // `dist.ln_pdf(x)` of a local struct built from differentiated values, or of data
        // with a differentiated argument.
        // `Warp { k: 2.0 }.apply(x)`: a struct built as the receiver.
        let varied_args = self.reads(&m.args.to_token_stream()).varied;
        let record = self.record_passed(&m.receiver).is_some()
            || matches!(&*m.receiver, Expr::Struct(s) if self.reads(&s.to_token_stream()).varied)
            || (self.data_struct_local(&m.receiver).is_some() || names::builds_struct(&m.receiver))
                && varied_args;
        let struct_receiver = record || self.is_sub_model(&m.receiver);
        if m.turbofish.is_some()
            || !(data_receiver || struct_receiver)
            || float_named && !struct_receiver
        {
            return None;
        }
        let (method, receiver, args) = (&m.method, &m.receiver, &m.args);
        let call = syn::parse_quote_spanned!(method.span()=> #method(#receiver, #args));
        Some((Callee::Method(method.clone()), call))
    }

    /// A method of a model, a sub-model or a local struct (`d.count()`, `self.first()`,
    /// `p.sum()`), which is no slice or iterator whatever its methods are named: one named as
    /// theirs that give no float (`count`, `len`, `position`, `is_empty`, ..) read as data,
    /// checked to give none (a float would lose its derivative); any other (`first`, `sum`)
    /// its own, differentiated. `None` for another receiver.
    fn struct_method(&mut self, m: &syn::ExprMethodCall) -> Option<Value> {
        let name = m.method.to_string();
        if !self.is_struct_receiver(&m.receiver) {
            return None;
        }
        if gives_no_float_by_name(&name) {
            let span = spans::method_call(m);
            let checked = syn::parse_quote_spanned!(span=>
                ::autodiff::__private::gives_no_float(#m)
            );
            return self.try_opaque(&checked, true);
        }
        match own_method_of_struct(&name) {
            true => self.lower_model_method(m, None),
            false => None,
        }
    }

    /// Whether `e` is a model, a sub-model or a local struct (`self`, `net.l1`, `p`, `Pair {
    /// .. }`), through `&` and parentheses.
    fn is_struct_receiver(&self, e: &Expr) -> bool {
        match e {
            Expr::Reference(r) => self.is_struct_receiver(&r.expr),
            Expr::Paren(p) => self.is_struct_receiver(&p.expr),
            Expr::Struct(_) => true,
            // (an item of a sequence of sub-models, not a row of a matrix: `net_layers[k]`)
            Expr::Index(i) => {
                let sequence = matches!(&*i.expr, Expr::Path(p) if p.path.get_ident().is_some_and(|ident| {
                    matches!(self.lookup(&ident.to_string()), Some(Binding::Array(a))
                        if matches!(self.arrays[a.0].origin, ArrayOrigin::Param(q) if self.sig.params[q].field.is_some()))
                }));
                sequence && self.is_sub_model(e)
            }
            _ => self.is_sub_model(e) || self.record_passed(e).is_some(),
        }
    }

    /// A call of a model's method (see [`Self::model_method`]), with `unwrap` for a fallible
    /// one (`?`, `.unwrap()`); `None` for another method.
    pub(super) fn lower_model_method(
        &mut self,
        m: &syn::ExprMethodCall,
        unwrap: Option<Unwrap>,
    ) -> Option<Value> {
        let (callee, call) = self.model_method(m)?;
        if let Some(receiver) = self.generic_receiver(m) {
            self.errors.on(
                m,
                format!(
                    "#[grad] cannot differentiate this call of a method of `{receiver}`, whose type is a type parameter: a method is differentiated through the `{method}_adjoint` that `#[grad]` writes for each type, which a trait bound does not provide; give `{receiver}` a concrete type (a struct, or an enum of the cases matched in `{method}`)",
                    method = m.method
                ),
            );
            return Some(Value::Error);
        }
        Some(match callee {
            Callee::Path(_) => self.lower_call(&call, unwrap),
            Callee::Method(_) | Callee::Field(..) => self.call_value(callee, &call, unwrap),
        })
    }

    /// The value of the local `p` names when it is data a pattern bound (or another `let`),
    /// of a type the function does not see.
    pub(super) fn bound_data(&self, p: &syn::ExprPath) -> Option<Operand> {
        let Some(Binding::Scalar { cell, .. }) = p
            .path
            .get_ident()
            .and_then(|name| self.lookup(&name.to_string()))
        else {
            return None;
        };
        let value = &self.cells[cell].value;
        (value.var().is_some() && !self.is_varied(value)).then(|| value.clone())
    }

    /// Whether `expr` is a model lent whole (`self.l1` as the function binds it) or an item
    /// of a sequence of them (`&net.layers[k]`).
    pub(super) fn is_sub_model(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Reference(r) => self.is_sub_model(&r.expr),
            // `net_layers[k].attn`: a sub-model inside an item
            Expr::Field(_) => self.item_part(expr).is_some(),
            Expr::Paren(p) => self.is_sub_model(&p.expr),
            Expr::Path(p) => {
                let Some(ident) = p.path.get_ident() else {
                    return false;
                };
                matches!(self.lookup(&ident.to_string()), Some(Binding::Array(a))
                    if self.arrays[a.0].dims == 0)
            }
            Expr::Index(i) => match &*i.expr {
                Expr::Path(p) => p.path.get_ident().is_some_and(|ident| {
                    matches!(self.lookup(&ident.to_string()), Some(Binding::Array(a))
                        if self.arrays[a.0].dims == 2)
                }),
                _ => false,
            },
            _ => false,
        }
    }

    /// `.len()` of an array, a row or a slice view.
    fn lower_len(&mut self, m: &syn::ExprMethodCall, receiver: Value) -> Value {
        match receiver {
            Value::Array(_) | Value::Row { .. } | Value::View(_) => {
                Value::Scalar(self.length_of(&receiver, spans::method_call(m)))
            }
            Value::Error => Value::Error,
            // Valid Rust: the macro took for a number what is an array (a call's result).
            _ => self.unsupported(
                &m.receiver,
                &format!("#[grad] reads `{}` as an array here, but took it for a number: what a call returns, and what is read from it, is a number to it unless the `let` binding the call states an array type (`let v: [f64; 3] = g(x);`)", m.receiver.to_token_stream()),
            ),
        }
    }

    /// `opt.unwrap_or_else(|| default)` or `opt.unwrap_or(default)` of an `Option` (or a
    /// `Result`) that reads no differentiated value: `match opt { Some(v) => v, None =>
    /// default }`, the default differentiated.
    fn data_option_default(&self, m: &syn::ExprMethodCall) -> Option<Expr> {
        let default = match (
            m.method.to_string().as_str(),
            &*m.args.iter().collect::<Vec<_>>(),
        ) {
            ("unwrap_or_else", [Expr::Closure(c)]) if c.inputs.is_empty() => &*c.body,
            // (`y.unwrap_or(m)` of an `Option` or a `Result`: `Outcome::value` takes both)
            ("unwrap_or", [d]) => d,
            _ => return None,
        };
        if self.reads(&m.receiver.to_token_stream()).varied {
            return None;
        }
        let option = &m.receiver;
        // (the arm's binding is seen by neither the scrutinee nor the default)
        let value = proc_macro2::Ident::new("value", m.method.span());
        Some(syn::parse_quote_spanned!(m.span()=>
            match ::autodiff::__private::Outcome::value(#option) {
                ::core::option::Option::Some(#value) => #value,
                ::core::option::Option::None => #default,
            }
        ))
    }

    pub(super) fn int_method(
        &mut self,
        m: &syn::ExprMethodCall,
        receiver: Operand,
        args: Vec<Operand>,
    ) -> Value {
        let name = m.method.to_string();
        if !INT_METHODS.contains(&name.as_str()) {
            return self.unsupported(
                &m.method,
                &format!(
                    "#[grad] does not support the integer method `{name}`; supported: {}",
                    INT_METHODS.join(", ")
                ),
            );
        }
        Value::Scalar(self.let_op(
            "t",
            Ty::Int,
            Op::IntMethod {
                name: m.method.clone(),
                receiver,
                args,
            },
            spans::method_call(m),
        ))
    }
}

/// `buf.copy_from_slice(src)`, `buf[a..b].copy_from_slice(&x[c..d])`, `l[i].copy_from_slice(
/// row)` (or `clone_from_slice`, the same for numbers) into a local array `buf` or a row of a
/// local matrix `l` (`is_local_array` says which names are): the loop it stands for, element
/// by element from a view of the source (`copy_from_slice` panics where the lengths differ; the
/// loop stops at the source's end).
fn copy_into_local(m: &syn::ExprMethodCall, is_local_array: impl Fn(&str) -> bool) -> Option<Expr> {
    let ([source], true) = (
        &*m.args.iter().collect::<Vec<_>>(),
        m.method == "copy_from_slice" || m.method == "clone_from_slice",
    ) else {
        return None;
    };
    let (mut array, start): (&Expr, Expr) = match &*m.receiver {
        Expr::Index(i) if matches!(&*i.index, Expr::Range(_)) => {
            let Expr::Range(r) = &*i.index else {
                return None;
            };
            (
                &i.expr,
                r.start.as_deref().cloned().unwrap_or(syn::parse_quote!(0)),
            )
        }
        other => (other, syn::parse_quote!(0)),
    };
    // A row of a matrix (`l[i]`), its index read as written.
    let mut row = None;
    if let Expr::Index(i) = array {
        (array, row) = (&*i.expr, Some(&i.index));
    }
    let Expr::Path(p) = array else { return None };
    if !p
        .path
        .get_ident()
        .is_some_and(|i| is_local_array(&i.to_string()))
    {
        return None;
    }
    let (src, k) = (
        proc_macro2::Ident::new(&format!("{SYNTHETIC}source"), m.method.span()),
        proc_macro2::Ident::new(&format!("{SYNTHETIC}k"), m.method.span()),
    );
    let source = match source {
        Expr::Reference(_) => (*source).clone(),
        other => syn::parse_quote!(&#other),
    };
    let row = row.map(|r| quote::quote!([#r]));
    Some(syn::parse_quote!({
        let #src = #source;
        for #k in 0..#src.len() {
            #array #row [(#start) + #k] = #src[#k];
        }
    }))
}

/// `c.then(|| e)` as `if c { Some(e) } else { None }`; `c.then_some(e)`, whose `e` is
/// evaluated either way, as `{ let v = e; if c { Some(v) } else { None } }`.
pub(super) fn bool_then(m: &syn::ExprMethodCall) -> Option<Expr> {
    let cond = &m.receiver;
    let span = m.method.span();
    match (
        m.method.to_string().as_str(),
        &*m.args.iter().collect::<Vec<_>>(),
    ) {
        ("then", [Expr::Closure(c)]) if c.inputs.is_empty() => {
            let body = &c.body;
            Some(syn::parse_quote_spanned!(span=> if #cond { Some(#body) } else { None }))
        }
        ("then_some", [value]) => {
            let v = proc_macro2::Ident::new(&format!("{SYNTHETIC}then"), span);
            Some(syn::parse_quote_spanned!(span=> {
                let #v = #value;
                if #cond { Some(#v) } else { None }
            }))
        }
        _ => None,
    }
}

/// `c.then(|| e).unwrap_or(d)` as `if c { e } else { d }` (`then_some` the same, its `e`
/// evaluated first).
fn then_taken(m: &syn::ExprMethodCall) -> Option<Expr> {
    let (Expr::MethodCall(then), [default]) = (&*m.receiver, &*m.args.iter().collect::<Vec<_>>())
    else {
        return None;
    };
    if m.method != "unwrap_or" {
        return None;
    }
    let option = bool_then(then)?;
    // The `if` of `Some(e)` and `None` with `e` and `d` in their places.
    let mut taken = option;
    super::arrays::branch_tail_mut(&mut taken, &mut |tail| match tail {
        Expr::Call(c) if c.args.len() == 1 => *tail = c.args[0].clone(),
        Expr::Path(_) => *tail = (*default).clone(),
        _ => {}
    });
    Some(taken)
}

/// `expr` with a `c.then(..)` or `c.then_some(..)` it is (or its block ends in) written as an
/// `if` of `Some` and `None`, which a local `Option` is bound from.
pub(super) fn then_as_if(expr: &Expr) -> Option<Expr> {
    match expr {
        Expr::MethodCall(m) => bool_then(m),
        Expr::Paren(p) => then_as_if(&p.expr),
        Expr::Block(b) => {
            let Some(SynStmt::Expr(tail, None)) = b.block.stmts.last() else {
                return None;
            };
            let tail = then_as_if(tail)?;
            let mut b = b.clone();
            if let Some(last) = b.block.stmts.last_mut() {
                *last = SynStmt::Expr(tail, None);
            }
            Some(Expr::Block(b))
        }
        _ => None,
    }
}

/// A method of an `Option` or a `Result` that takes its value.
fn unwraps(name: &str) -> bool {
    name.starts_with("unwrap")
        || name.starts_with("map")
        || [
            "expect",
            "ok",
            "ok_or",
            "ok_or_else",
            "is_some",
            "is_none",
            "is_ok",
            "is_err",
        ]
        .contains(&name)
}

/// `chain.reduce(f).unwrap_or_default()` (or `max_by`, `min_by`, and `.copied()` before the
/// unwrap) as `.unwrap_or(0.0)`: the reduction of a differentiated chain is a float.
fn reduction_or_zero(m: &syn::ExprMethodCall, sig: &Signature) -> Option<Expr> {
    if m.method != "unwrap_or_default" || !m.args.is_empty() {
        return None;
    }
    let Expr::MethodCall(reduced) = iter::without_copied(&m.receiver) else {
        return None;
    };
    if !matches!(&*reduced.method.to_string(), "reduce" | "max_by" | "min_by") {
        return None;
    }
    let zero = rules::float_literal(&sig.float, sig.float_is_generic, 0.0);
    let (chain, span) = (&m.receiver, m.method.span());
    Some(syn::parse_quote_spanned!(span=> #chain.unwrap_or(#zero)))
}

/// `o.map_or(d, |v| e)`, `o.map_or_else(|| d, |v| e)` and `o.map(|v| e).unwrap_or(d)` of an
/// element that may be missing (`o` = `x.last().copied()`) as the `if let Some(v) = o { e }
/// else { d }` they stand for (not a closure that `return`s: inlined, it would leave the
/// function).
fn option_mapped(m: &syn::ExprMethodCall) -> Option<Expr> {
    let args: Vec<&Expr> = m.args.iter().collect();
    let (option, default, map) = match (m.method.to_string().as_str(), &*args) {
        ("map_or", [d, f]) => (&*m.receiver, (*d).clone(), *f),
        ("map_or_else", [Expr::Closure(d), f]) if d.inputs.is_empty() => {
            (&*m.receiver, (*d.body).clone(), *f)
        }
        ("unwrap_or", [d]) => match &*m.receiver {
            Expr::MethodCall(inner) if inner.method == "map" && inner.args.len() == 1 => {
                (&*inner.receiver, (*d).clone(), &inner.args[0])
            }
            _ => return None,
        },
        _ => return None,
    };
    if !is_element_option(option) {
        return None;
    }
    let Expr::Closure(f) = map else { return None };
    let [pat] = &*f.inputs.iter().collect::<Vec<_>>() else {
        return None;
    };
    let pat = match pat {
        syn::Pat::Type(typed) => &*typed.pat,
        other => other,
    };
    let then_branch = build::value_block((*f.body).clone());
    if stmt::contains_return(&then_branch) {
        return None;
    }
    let span = m.method.span();
    let cond: Expr = syn::parse_quote_spanned!(span=> let Some(#pat) = #option);
    Some(Expr::If(syn::ExprIf {
        attrs: Vec::new(),
        if_token: syn::token::If(span),
        cond: Box::new(cond),
        then_branch,
        else_branch: Some((
            syn::token::Else(span),
            Box::new(build::block(vec![syn::Stmt::Expr(default, None)])),
        )),
    }))
}

/// `x.last().copied()` (`first`, `get(i)`, `.cloned()`) as the `Option` of a number it is:
/// `if let Some(v) = x.last().copied() { Some(v) } else { None }`.
pub(super) fn element_option_value(e: &Expr) -> Option<Expr> {
    let copied = !std::ptr::eq(iter::without_copied(e), e);
    if !copied || !is_element_option(e) {
        return None;
    }
    let v = syn::Ident::new(&format!("{SYNTHETIC}element"), e.span());
    Some(syn::parse_quote_spanned!(e.span()=> if let Some(#v) = #e { Some(#v) } else { None }))
}

/// `x.first()`, `x.last()`, `x.get(i)`, by reference or `.copied()`: an element that may be
/// missing.
fn is_element_option(e: &Expr) -> bool {
    matches!(iter::without_copied(e), Expr::MethodCall(m) if matches!(
        (m.method.to_string().as_str(), m.args.len()),
        ("first" | "last", 0) | ("get", 1)
    ))
}

/// `chain.map(|(i, v)| out[i] = v * v).count()` (argmin's test functions): a `for_each` whose
/// closure returns nothing, run for its writes, which the count only drives. Its value, the
/// count, is not kept: the form is a statement.
fn counted_for_each(m: &syn::ExprMethodCall) -> Option<Expr> {
    let Expr::MethodCall(map) = &*m.receiver else {
        return None;
    };
    let [Expr::Closure(f)] = &*map.args.iter().collect::<Vec<_>>() else {
        return None;
    };
    let writes = match &*f.body {
        Expr::Assign(_) => true,
        Expr::Binary(b) => super::expr::compound_op(&b.op).is_some(),
        Expr::Block(b) => matches!(b.block.stmts.last(), None | Some(SynStmt::Expr(_, Some(_)))),
        _ => false,
    };
    let chain = &map.receiver;
    (m.method == "count" && m.args.is_empty() && map.method == "map" && writes)
        .then(|| syn::parse_quote_spanned!(m.span()=> #chain.for_each(#f)))
}

/// Whether `m` sums (or multiplies) integers: `.sum::<usize>()`, or a `sum()` of a `map` to
/// lengths, counts or integer literals (`.map(|r| r.len())`, `.map(|_| 1)`).
fn counts(m: &syn::ExprMethodCall) -> bool {
    if !(m.method == "sum" || m.method == "product") || !m.args.is_empty() {
        return false;
    }
    let stated = m.turbofish.as_ref().is_some_and(
        |t| matches!(t.args.first(), Some(syn::GenericArgument::Type(ty)) if is_integer_type(ty)),
    );
    let mapped_to_integers = matches!(&*m.receiver, Expr::MethodCall(map)
    if map.method == "map"
        && matches!(map.args.first(), Some(Expr::Closure(c)) if match &*c.body {
            Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => {
                !["f32", "f64"].contains(&i.suffix())
            }
            Expr::MethodCall(inner) => inner.method == "len" || inner.method == "count",
            _ => false,
        }));
    stated || mapped_to_integers
}

/// A method named as one of a slice's, an iterator's or a container's that give no float
/// (`len`, `count`, `position`, `is_empty`, `contains`): of a struct, read as data.
fn gives_no_float_by_name(name: &str) -> bool {
    opaque::is_non_float_method(name) || ["len", "is_empty", "capacity"].contains(&name)
}

/// Whether a method of a struct of this name is its own, differentiated through its
/// `_adjoint` whatever slice or iterator method it is named as (`first`, `sum`): not a
/// float's (`abs` of a complex number is lowered beside those), not one that copies it
/// (`clone`), gives no float, or unwraps.
pub(crate) fn own_method_of_struct(name: &str) -> bool {
    rules::lookup(name).is_none()
        && !["clone", "to_owned", "as_ref"].contains(&name)
        && !gives_no_float_by_name(name)
        && !opaque::is_success_method(name)
}

/// An integer's methods that give an integer (`i.abs_diff(j)`, `k.saturating_sub(1)`).
pub(crate) const INT_METHODS: &[&str] = &[
    "min",
    "max",
    "clamp",
    "abs",
    "abs_diff",
    "pow",
    "saturating_sub",
    "saturating_add",
    "rem_euclid",
    "div_euclid",
];
