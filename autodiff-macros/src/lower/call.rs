//! Lowering of calls: to primitives in path form and to functions with an `_adjoint`.

use super::names::{builds_struct, is_constructor, is_size_name};
use super::*;

impl Lowerer<'_> {
    /// `g(..)`, or with `unwrap`, a fallible `g(..)?` / `g(..).unwrap()` whose `Ok` value is
    /// differentiated.
    /// `Vec::from(x)` of a differentiated slice or array: the copy `x.to_vec()`, which the
    /// lowering follows element by element.
    pub(super) fn vec_from_copy(&self, c: &syn::ExprCall) -> Option<Expr> {
        let Expr::Path(p) = &*c.func else {
            return None;
        };
        let segments: Vec<_> = p.path.segments.iter().collect();
        let ([vec, from], [arg]) = (&*segments, &*c.args.iter().collect::<Vec<_>>()) else {
            return None;
        };
        (vec.ident == "Vec" && from.ident == "from" && self.reads(&arg.to_token_stream()).varied)
            .then(|| syn::parse_quote_spanned!(c.span()=> (#arg).to_vec()))
    }

    pub(super) fn lower_call(&mut self, c: &syn::ExprCall, unwrap: Option<Unwrap>) -> Value {
        let span = c.span();
        let Expr::Path(p) = &*c.func else {
            return self.unsupported(
                &c.func,
                "#[grad] supports calls of named functions only (`g(x)`, `path::g(x)`)",
            );
        };
        if let Some(copy) = self.vec_from_copy(c) {
            return self.lower_expr(&copy);
        }
        // `<f64>::exp(x)`, `<T>::sqrt(x)`: a type's own item, as `f64::exp(x)` names it.
        if let Some(q) = p.qself.as_ref().filter(|q| q.position == 0) {
            if let syn::Type::Path(ty) = &*q.ty {
                if ty.qself.is_none() {
                    let mut path = ty.path.clone();
                    // In expression position: `Dense::<f64>::score` for `<Dense<f64>>::score`.
                    for segment in &mut path.segments {
                        if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
                            args.colon2_token = Some(Default::default());
                        }
                    }
                    path.segments.extend(p.path.segments.iter().cloned());
                    let mut call = c.clone();
                    *call.func = Expr::Path(syn::ExprPath {
                        attrs: p.attrs.clone(),
                        qself: None,
                        path,
                    });
                    return self.lower_call(&call, unwrap);
                }
            }
        }
        match models::marked(&Expr::Call(c.clone())) {
            Some(models::Marked::Number(read)) => return self.item_field(read, None),
            Some(models::Marked::Cast(read)) => {
                let float = self.sig.float.clone();
                return self.item_field(read, Some(float));
            }
            // An integer: a size or an index, passed through checked to be one (the field's
            // type is not written here), or a length.
            Some(models::Marked::Integer(read)) => {
                let field = Expr::Call(c.clone());
                let read = match read {
                    Expr::MethodCall(_) => read,
                    _ => &field,
                };
                return self.try_opaque(read, true).unwrap_or(Value::Error);
            }
            None => {}
        }
        let path = &p.path;
        if let Some(value) = self.swap(path, c) {
            return value;
        }
        // No differentiated value reaches it: called as written (constants keep their types,
        // no `_adjoint` is needed).
        if !c.args.is_empty() && !self.is_local_call(path) && unwrap.is_none() {
            if let Some(value) = self.try_opaque(&Expr::Call(c.clone()), false) {
                return value;
            }
        }
        // `f64::exp(x)`, `T::exp(x)`, `Float::exp(x)`: a primitive in path form.
        if path.segments.len() >= 2 {
            let last = &path.segments[path.segments.len() - 1].ident;
            let owner = &path.segments[path.segments.len() - 2].ident;
            let primitive = primitive_float(owner).is_some();
            let float_owner =
                primitive || owner == "Float" || type_kind_path(owner, self.sig) == Ty::Float;
            // `f64::from(x)`: a conversion of a float, the identity into the function's own
            // float type (`precision` reports one into the other that the result reads).
            if primitive && last == "from" && c.args.len() == 1 {
                let x = self.expr_scalar(&c.args[0]);
                if self.ty(&x) == Ty::Float {
                    let ty: syn::Type = syn::parse_quote!(#owner);
                    return self.cast_to(x, ty, span);
                }
            }
            if float_owner && last == "sin_cos" && c.args.len() == 1 {
                let x = self.expr_scalar(&c.args[0]);
                return self.sin_cos(x, last, span);
            }
            if float_owner {
                if let Some(rule) = rules::lookup(&last.to_string()) {
                    let mut args = c.args.iter().map(|a| self.expr_scalar(a));
                    let Some(receiver) = args.next() else {
                        return self.unsupported(c, "missing arguments");
                    };
                    let rest: Vec<Operand> = args.collect();
                    let owner = primitive.then(|| syn::parse_quote!(#owner));
                    return Value::Scalar(self.apply_rule(rule, receiver, rest, owner, last, span));
                }
            }
        }
        if let Some(ident) = path.get_ident() {
            match self.lookup(&ident.to_string()) {
                Some(Binding::Poisoned) => return Value::Error,
                Some(Binding::Closure(closure)) => return self.call_closure(&closure, c),
                _ => {}
            }
            if self.holds_a_function(ident) {
                // A closure or function parameter called on data only (`f(i as f64)`, the
                // integrand at a grid point): called as written.
                if !self.reads(&c.to_token_stream()).varied {
                    if let Some(value) = self.try_opaque(&Expr::Call(c.clone()), false) {
                        return value;
                    }
                }
                self.called_through(ident);
                return Value::Error;
            }
        }
        if c.args.is_empty() {
            // `T::zero()`, `T::one()`, `f64::epsilon()`: a constant.
            return self.constant(Expr::Call(c.clone()), path, span);
        }
        // `std::hint::black_box(x)`, `std::convert::identity(x)`: the value itself.
        if let ([arg], Some(last)) = (&*c.args.iter().collect::<Vec<_>>(), path.segments.last()) {
            // (a bare `identity` may be the user's own activation)
            let qualified = path.segments.len() > 1;
            if last.ident == "black_box" || (qualified && last.ident == "identity") {
                return self.lower_expr(arg);
            }
        }
        if is_constructor(path) {
            return self.unsupported(
                c,
                "#[grad] cannot differentiate a value wrapped in an enum variant or a tuple struct (`Some(x)`, `Ok(x)`, `Meters(x)`): it differentiates floats, arrays and models; pass the value itself (`g(w, x)` with a parameter `x: f64`), or unwrap it in the called function",
            );
        }
        self.call_value(Callee::Path(path.clone()), c, unwrap)
    }

    /// A number in a field of an item of a sequence of sub-models (`net_layers[k].w[j]`, which
    /// the models pass marked): the call of [`Callee::Field`] on the item and the indices;
    /// `cast`: read through `as` to the function's float (`l.n as f64`).
    pub(super) fn item_field(&mut self, read: &Expr, cast: Option<syn::Type>) -> Value {
        let mut indices = Vec::new();
        let mut e = read;
        while let Expr::Index(i) = e {
            indices.push(&*i.index);
            e = &i.expr;
        }
        indices.reverse();
        match e {
            Expr::Field(f) if self.is_sub_model(&f.base) => {
                let (item, span) = (&f.base, read.span());
                let call = syn::parse_quote_spanned!(span=> field(&#item, #(#indices),*));
                self.call_value(Callee::Field(f.member.clone(), cast), &call, None)
            }
            _ => self.unsupported(
                read,
                "#[grad] reads a field of an item of a sequence of sub-models picked by an index (`net.layers[k].w[j]`) or by a loop over them",
            ),
        }
    }

    /// `net_layers[k].attn.inner` (or a reference to it): a part of an item of a sequence of
    /// sub-models, the item and the fields that lead to the part.
    pub(super) fn item_part<'e>(&self, expr: &'e Expr) -> Option<(&'e Expr, Vec<syn::Member>)> {
        let mut e = match expr {
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            other => other,
        };
        let mut members = Vec::new();
        while let Expr::Field(f) = e {
            if !matches!(f.member, syn::Member::Named(_)) {
                return None;
            }
            members.push(f.member.clone());
            e = &f.base;
        }
        members.reverse();
        let Expr::Index(i) = e else { return None };
        let Expr::Path(p) = &*i.expr else { return None };
        let Some(Binding::Array(array)) = self.lookup(&p.path.get_ident()?.to_string()) else {
            return None;
        };
        let info = &self.arrays[array.0];
        let sequence = match info.origin {
            ArrayOrigin::Param(p) => self.sig.params[p].field.is_some(),
            _ => false,
        };
        let single = !matches!(&*i.index, Expr::Range(_));
        (sequence && single && info.dims == 2 && !members.is_empty()).then_some((e, members))
    }

    /// Whether `expr` is a field of an item of a sequence of sub-models (`net_layers[k].w`) at
    /// any indices.
    pub(super) fn is_item_field(&self, expr: &Expr) -> bool {
        let mut e = expr;
        while let Expr::Index(i) = e {
            e = &i.expr;
        }
        matches!(e, Expr::Field(f) if matches!(&*f.base, Expr::Index(_)) && self.is_sub_model(&f.base))
    }

    /// Whether `expr`, a field of an item of a sequence (`is_item_field`), is one of a
    /// sequence of structs of data (a field of a parameter read as data).
    pub(super) fn is_data_item_field(&self, expr: &Expr) -> bool {
        let mut e = expr;
        while let Expr::Index(syn::ExprIndex { expr: inner, .. })
        | Expr::Field(syn::ExprField { base: inner, .. }) = e
        {
            e = inner;
        }
        matches!(e, Expr::Path(p) if p.path.get_ident().is_some_and(|ident| matches!(
            self.lookup(&ident.to_string()),
            Some(Binding::Array(a)) if self.arrays[a.0].origin == ArrayOrigin::Constant
        )))
    }

    /// The value of a call of `callee` on `c`'s arguments, differentiated through its
    /// `_adjoint`.
    pub(super) fn call_value(
        &mut self,
        callee: Callee,
        c: &syn::ExprCall,
        unwrap: Option<Unwrap>,
    ) -> Value {
        // `d.d(w)` of `Distrib::Beckmann(d)`: a method's receiver that is data a pattern bound
        // is a struct of data (whatever its name says), which only the callee's `_with_data`
        // surely takes.
        let bound_receiver = match (&callee, c.args.first()) {
            (Callee::Method(_), Some(Expr::Path(p))) => self.bound_data(p),
            _ => None,
        };
        let (mut args, replays) = match bound_receiver {
            Some(value) => {
                let mut rest = c.clone();
                rest.args = c.args.iter().skip(1).cloned().collect();
                let (mut args, replays) = self.call_args(&rest);
                args.insert(
                    0,
                    Arg::Data {
                        value,
                        by_ref: false,
                    },
                );
                (args, replays)
            }
            None => self.call_args(c),
        };
        // `cfg.act.apply(x)`: a method's receiver that is a field of data is a struct of
        // data (of the callee's type), which only the callee's `_with_data` surely takes.
        if let (Callee::Method(_), Some(Arg::Array(a))) = (&callee, args.first()) {
            let whole = a.row.is_none() && a.slice.is_none() && a.members.is_empty();
            if whole && self.is_data_field_whole(a.array) {
                let path = self.arrays[a.array.0]
                    .path
                    .clone()
                    .expect("a data field's path");
                args[0] = Arg::Data {
                    value: Operand::Const(syn::parse_quote!(#path)),
                    by_ref: true,
                };
            } else if let (Some(index), true) = (&a.row, self.is_data_item(a)) {
                // `layer.apply(z)` of `for layer in &self.layers`, `self` read as data: an item
                // of a sequence of structs of data, which the callee may differentiate.
                let item = proc_macro2::Ident::new("item", c.span());
                let op = Op::Opaque(Opaque {
                    tokens: quote::quote!(#item),
                    captures: vec![(item, Capture::Row(a.array, index.clone()))],
                    declared: None,
                });
                let value = self.let_op("item", Ty::Unknown, op, c.span());
                args[0] = Arg::Data {
                    value,
                    by_ref: false,
                };
            }
        }
        let float = args.iter().any(|a| match a {
            Arg::Scalar(op) => self.ty(op) == Ty::Float,
            Arg::Data { .. } => false,
            Arg::Record { fields, .. } => fields.iter().any(|(_, x)| self.ty(x) == Ty::Float),
            Arg::Array(a) => self.arrays[a.array.0].elem == Elem::Float,
        });
        let ty = if float { Ty::Float } else { Ty::Unknown };
        Value::Scalar(self.let_op(
            "t",
            ty,
            Op::Call {
                callee,
                args,
                replays,
                unwrap,
            },
            c.span(),
        ))
    }

    /// A call whose result is read as an integer (`x[argmax(x)]`, `count(row) as f64`,
    /// `let k = argmax(x);` with `k` an index): a function that returns an integer, called as
    /// written whatever it reads, with no `_adjoint`. Its derivative is zero. Where Rust would
    /// also accept a float there (`as`, a `let`), `checked` wraps the call in a check that
    /// rejects a float at compile time: a differentiated function's result must not lose its
    /// derivative. `None` for what is not a named function's call reading a differentiated
    /// value (a call on data is passed through anyway, as its types are).
    pub(super) fn integer_call(&mut self, expr: &Expr, checked: bool) -> Option<Value> {
        let checked = match checked {
            true => Checked::Whole,
            false => Checked::No,
        };
        self.data_call(expr, checked, Ty::Int)
    }

    /// `integer_call` of a `let` whose tuple pattern discards parts (`let (_, q) =
    /// frexp(x);`): only the parts it binds are checked to be integers.
    pub(super) fn integer_parts_call(&mut self, expr: &Expr, pat: &Pat) -> Option<Value> {
        self.data_call(expr, Checked::Parts(pat), Ty::Int)
    }

    /// A value read as a `bool` (a condition; an operand of `&&`, `||`, `!`): a call there
    /// returns one (`if in_range(x)`, `!all_positive(w)`), called as written whatever it
    /// reads, with no `_adjoint` (nor `_dual_adjoint`: on dual numbers it reads their values).
    pub(super) fn condition(&mut self, expr: &Expr) -> Operand {
        match self.data_call(expr, Checked::No, Ty::Bool) {
            Some(Value::Scalar(op)) => op,
            _ => self.expr_scalar(expr),
        }
    }

    /// `integer_call`, and `condition`'s call: a call of a named function returning `ty`.
    fn data_call(&mut self, expr: &Expr, checked: Checked<'_>, ty: Ty) -> Option<Value> {
        // `let n = count(xs)?;`, `.unwrap()`: what a fallible one succeeds with.
        let unwrapped = match expr {
            Expr::Try(t) => Some(&*t.expr),
            Expr::MethodCall(m) if is_unwrap(m) => Some(&*m.receiver),
            _ => None,
        };
        if let Some(Expr::Call(c)) = unwrapped {
            if self.data_call_candidate(c) {
                return self.data_value(expr, checked, ty);
            }
        }
        // `t.hash(corner) as f64`, `perm.get(c)` as an index: a method of data (not a float
        // method) read as an integer returns one too.
        // `prev_index(x, xp).min(n - 2)`, `match upper(knots, t) { Some(i) => i, None => .. }`
        // read as an integer: a call returning one, and what is made of it.
        let integer_of_call = |e: &Expr| match e {
            Expr::Call(c) => self.data_call_candidate(c),
            _ => false,
        };
        let made_of_call = match expr {
            // (an integer's method: not a float's, though `min`, `max`, `clamp` are both)
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                integer_of_call(&m.receiver)
                    && (rules::lookup(&name).is_none() || ["min", "max", "clamp"].contains(&&*name))
            }
            Expr::Match(m) => integer_of_call(&m.expr),
            _ => false,
        };
        if made_of_call {
            return self.data_value(expr, checked, ty);
        }
        if let Expr::MethodCall(m) = expr {
            let data_receiver = !self.reads(&m.receiver.to_token_stream()).varied;
            if !data_receiver
                || rules::lookup(&m.method.to_string()).is_some()
                || !self.reads(&expr.to_token_stream()).varied
                || !matches!(&*m.receiver, Expr::Path(_) | Expr::Field(_))
            {
                return None;
            }
            return self.data_value(expr, checked, ty);
        }
        let Expr::Call(c) = expr else {
            return None;
        };
        if let Some(marked) = models::marked(expr) {
            return match marked {
                models::Marked::Integer(_) => Some(self.lower_call(c, None)),
                models::Marked::Number(_) | models::Marked::Cast(_) => None,
            };
        }
        if !self.data_call_candidate(c) {
            return None;
        }
        self.data_value(expr, checked, ty)
    }

    /// Whether `c` calls a named function on differentiated values that may return data (not
    /// a closure, which is inlined, nor `T::from(k)` or `f64::exp(x)`, which make floats).
    fn data_call_candidate(&self, c: &syn::ExprCall) -> bool {
        let Expr::Path(p) = &*c.func else {
            return false;
        };
        !c.args.is_empty()
            && !self.is_local_call(&p.path)
            && opaque::through_float(&p.path, self.sig) != Ty::Float
            && self.reads(&c.to_token_stream()).varied
    }

    /// The call `expr` of `data_call`, as written, checked as `checked` says.
    fn data_value(&mut self, expr: &Expr, checked: Checked<'_>, ty: Ty) -> Option<Value> {
        let span = expr.span();
        let call = match checked {
            Checked::No => expr.clone(),
            Checked::Whole => {
                syn::parse_quote_spanned!(span=> ::autodiff::__private::integer(#expr))
            }
            Checked::Parts(pat) => {
                let whole = syn::Ident::new(&format!("{SYNTHETIC}checked"), span);
                let parts = stmt::names_bound(pat).unwrap_or_default();
                syn::parse_quote_spanned!(span=> match #expr {
                    #whole => {
                        let #pat = &#whole;
                        #(::autodiff::__private::integer(*#parts);)*
                        #whole
                    }
                })
            }
        };
        let value = self.try_opaque(&call, true)?;
        if let Value::Scalar(Operand::Var(v)) = &value {
            self.vars[v.0].ty = ty;
        }
        Some(value)
    }

    /// The arguments of a call of a function with an `_adjoint`, lowered.
    fn call_args(&mut self, c: &syn::ExprCall) -> (Vec<Arg>, Vec<Replay>) {
        let span = c.span();
        let mut args = Vec::new();
        let integers = runtime_integer_arguments(&c.func);
        let replays = c
            .args
            .iter()
            .enumerate()
            .filter_map(|(position, arg)| {
                let state = self.state_before(arg)?;
                Some(Replay { position, state })
            })
            .collect();
        for (position, arg) in c.args.iter().enumerate() {
            // `cross_mut(&mut g[0], a, b)`: an element or a row of a local array written
            // through the call, which its `_adjoint` cannot pull back.
            if let Expr::Reference(r) = arg {
                if r.mutability.is_some() && matches!(&*r.expr, Expr::Index(_)) {
                    self.errors.on(
                        arg,
                        "#[grad] cannot pull a derivative back through a function that writes its result through a `&mut` argument: have it return the value instead (`v[0] = square(a);`, `g[0] = cross(a, b);`)",
                    );
                    continue;
                }
            }
            // A struct parameter read as data, passed whole (`f(cfg, x)`, `self.step(x)` of a
            // `self` left out of `#[grad(..)]`): as written, for the callee's `_with_data`,
            // which the callee may differentiate.
            if self.passes_data_struct(arg) {
                let value = Operand::Const(arg.clone());
                args.push(Arg::Data {
                    value,
                    by_ref: false,
                });
                continue;
            }
            // A constant named like a size (`N_STEPS`): an integer, with no shadow, checked to
            // be one (a float named so would miss the callee's shadow argument).
            if let Some(constant) = self.size_constant(arg) {
                let checked = self.size_checked(Operand::Const(constant.clone()), arg);
                args.push(Arg::Scalar(checked));
                continue;
            }
            // `f(x, Cfg { s: 2.0 })`, `f(x, &Meters(2.0))`: a struct of data built in place;
            // `&LimitState::K`, a variant lent (no number is: `#[grad]` takes numbers by value).
            let (built, lent) = match arg {
                Expr::Reference(r) => (&*r.expr, true),
                other => (other, false),
            };
            let lent_variant = lent
                && matches!(built, Expr::Path(p) if p.qself.is_none()
                && p.path.segments.len() >= 2
                && p.path.segments.iter().rev().take(2).all(|s| {
                    s.ident.to_string().starts_with(|c: char| c.is_ascii_uppercase())
                }));
            if (builds_struct(built) || lent_variant)
                && !self.reads(&built.to_token_stream()).varied
            {
                let value = Operand::Const(arg.clone());
                args.push(Arg::Data {
                    value,
                    by_ref: false,
                });
                continue;
            }
            if let Some((value, by_ref, in_branch)) = self.data_struct_local(arg) {
                if in_branch {
                    self.errors.on(
                        arg,
                        "#[grad] passes a struct of data bound inside a branch to a function it differentiates only when it is bound before the `if`: move its `let` above the `if`",
                    );
                    continue;
                }
                args.push(Arg::Data { value, by_ref });
                continue;
            }
            // A local struct of numbers (`&dist`, `dist` of `let dist = Normal { .. }`), or a
            // struct literal of differentiated values, rebuilt from its fields at the call.
            if let Some(record) = self.record_argument(arg) {
                let Some((path, fields)) = record else {
                    continue;
                };
                let by_ref = matches!(arg, Expr::Reference(_));
                args.push(Arg::Record {
                    path: Some(path),
                    fields,
                    by_ref,
                });
                continue;
            }
            // A tuple of numbers (`dist((x, y), q)`, `dist(p, q)`), rebuilt at the call.
            if let Some(tuple) = self.tuple_argument(arg) {
                if let Some((fields, by_ref)) = tuple {
                    args.push(Arg::Record {
                        path: None,
                        fields,
                        by_ref,
                    });
                }
                continue;
            }
            if let Some(table) = self.constant_table(arg) {
                args.push(table);
                continue;
            }
            if let Expr::Reference(syn::ExprReference { expr, .. }) = arg {
                // `&g(..)`, `&self.l1.forward(x)`: the array a vector-valued function
                // returns, lent to this call.
                let temp = syn::Ident::new("t", expr.span());
                let returned = match &**expr {
                    Expr::Call(inner) => Some(self.call_array(&temp, inner, None)),
                    Expr::MethodCall(m) if self.model_method(m).is_some() => {
                        Some(self.method_call_array(&temp, m, None))
                    }
                    // `&g(x)?`: the array a fallible one succeeds with.
                    fallible => self.fallible_array(&temp, fallible),
                };
                if let Some(array) = returned {
                    if let Some(array) = array {
                        args.push(Arg::Array(self.array_arg(array, None, true, arg.span())));
                    }
                    continue;
                }
            }
            // `&[1.0, 2.0, x]`, `[x, y]`: a local array of its own, lent or passed to this call.
            if let Some(literal) = self.literal_array(arg) {
                if let Some(array) = literal {
                    let by_ref = matches!(arg, Expr::Reference(_));
                    args.push(Arg::Array(self.array_arg(array, None, by_ref, arg.span())));
                }
                continue;
            }
            // `&l.attn` of an item `l` of a sequence of sub-models (`&net_layers[k].attn`):
            // lent with the same part of the item's shadow.
            if let Some((item, members)) = self.item_part(arg) {
                if let Value::Row { array, index } = self.lower_expr(item) {
                    let by_ref = matches!(arg, Expr::Reference(_));
                    args.push(Arg::Array(ArrayArg {
                        members,
                        ..self.array_arg(array, Some(index), by_ref, span)
                    }));
                    continue;
                }
            }
            match self.lower_expr(arg) {
                // An element of a `const` table (`TABLE[k]`), a call on constants, part of a
                // parameter the function does not look into that holds floats (`&bs[1]` of
                // `bs: &[[[f64; 2]; 2]; 3]`), ...: float data for the callee, which takes a
                // shadow for it.
                // (float data whatever its name: `k` of `let k = 0.5 * cfg.c;`)
                Value::Scalar(op)
                    if self.ty(&op) == Ty::Unknown
                        && !integers.contains(&position)
                        && (self.is_float_data(&op)
                            || !names_an_index(arg)
                                && (self.looks_float(arg)
                                    || self.part_of_float_data(arg)
                                    || op
                                        .var()
                                        .is_some_and(|v| self.call_results.contains(&v)))) =>
                {
                    let lent = op.var().is_some_and(|v| self.vars[v.0].reference);
                    let typed = self.checked_float_data(op, lent, arg);
                    args.push(Arg::Scalar(typed));
                }
                // A field of data named like a size (`cfg.n`, `w.k`), or a value bound from data
                // (`*h` of `Shape::Plate { w, h }`): an integer, checked to be one, as such a
                // constant is (a float there would miss the callee's shadow).
                Value::Scalar(op)
                    if self.ty(&op) == Ty::Unknown
                        && (matches!(arg, Expr::Field(f) if matches!(&f.member,
                            syn::Member::Named(n) if is_size_name(&n.to_string().to_uppercase())))
                            || names_an_index(strip_deref(arg)) && !self.typed_parameter(arg)) =>
                {
                    let checked = self.size_checked(op, arg);
                    args.push(Arg::Scalar(checked));
                }
                Value::Scalar(op) => args.push(Arg::Scalar(op)),
                Value::Array(array) => {
                    let by_ref = matches!(arg, Expr::Reference(_));
                    // (`*x`, or a copy of a field under another name)
                    let copied_field = matches!(arg, Expr::Path(p)
                        if p.path.get_ident().is_some_and(|n| self.field_copies.get(&n.to_string()) == Some(&array)));
                    let deref = copied_field
                        || matches!(arg, Expr::Unary(u) if matches!(u.op, SynUnOp::Deref(_)));
                    args.push(Arg::Array(ArrayArg {
                        deref,
                        ..self.array_arg(array, None, by_ref, span)
                    }));
                }
                Value::Row { array, index } => {
                    // A row bound by `for row in w.iter()` is a reference already, as is one
                    // an `Option` of a reference gives (`xs.first().unwrap()`); one bound by
                    // value (`let a = v[0];`) is a copy.
                    let copied = matches!(arg, Expr::Path(p) if matches!(
                        p.path.get_ident().and_then(|i| self.lookup(&i.to_string())),
                        Some(Binding::Row { copied: true, .. })
                    ));
                    let by_ref = (matches!(arg, Expr::Reference(_) | Expr::Path(_)) && !copied)
                        || lends_element(arg);
                    args.push(Arg::Array(self.array_arg(array, Some(index), by_ref, span)));
                }
                Value::Element { array, index } => {
                    args.push(Arg::Scalar(self.load(array, index, span)));
                }
                Value::Error => {}
                // `&x[a..b]`, `&w[i][a..]`, a view bound before (`let head = &x[..k];`): the
                // callee sees those elements, and its reverse adds into theirs.
                Value::View(s) => {
                    let Slice {
                        array,
                        row,
                        offset,
                        len,
                    } = *s;
                    let rows = self.arrays[array.0]
                        .dims
                        .saturating_sub(usize::from(row.is_some()));
                    if rows >= 2 {
                        self.errors.on(
                            arg,
                            "#[grad] cannot pass a range of a matrix's rows (`&w[a..b]`) to a function: pass the matrix, or one row (`&w[i]`) at a time",
                        );
                        continue;
                    }
                    args.push(Arg::Array(ArrayArg {
                        slice: Some(Box::new((offset, len))),
                        ..self.array_arg(array, row, true, span)
                    }));
                }
                _ => {
                    self.errors
                        .on(arg, "#[grad] cannot pass this value to a function");
                }
            }
        }
        (args, replays)
    }

    /// `value`, the argument `arg` taken for an integer by its name, checked to be one: a float
    /// named so would miss the callee's shadow argument.
    fn size_checked(&mut self, value: Operand, arg: &Expr) -> Operand {
        let (name, span) = (proc_macro2::Ident::new("value", arg.span()), arg.span());
        let checked = quote::quote_spanned!(span=> ::autodiff::__private::size_data(#name));
        self.through_value(name, checked, value, Ty::Int, span)
    }

    /// Whether `arg` is a parameter whose type the signature writes (`k: Option<usize>`), not
    /// rebound since: its type, not its name, says what it is.
    fn typed_parameter(&self, arg: &Expr) -> bool {
        let Expr::Path(p) = strip_deref(arg) else {
            return false;
        };
        p.path.get_ident().is_some_and(|name| {
            let name = name.to_string();
            self.sig.written_types.contains_key(&name) && !self.rebound_names.contains(&name)
        })
    }

    /// `arg` if it is a constant (`SCREAMING_CASE`, no local) named like a size.
    fn size_constant<'e>(&self, arg: &'e Expr) -> Option<&'e Expr> {
        let Expr::Path(p) = arg else { return None };
        let name = p.path.get_ident()?.to_string();
        let screaming = !name.contains(|c: char| c.is_ascii_lowercase());
        (screaming && is_size_name(&name) && self.lookup(&name).is_none()).then_some(arg)
    }

    /// Whether `e` builds a struct or an enum's value (`builds_struct`), or calls a struct the
    /// body declares, whatever its name's case (`terms(1, -171996)`).
    pub(super) fn builds_value(&self, e: &Expr) -> bool {
        builds_struct(e)
            || matches!(e, Expr::Call(c) if matches!(&*c.func, Expr::Path(p)
                if p.path.get_ident().is_some_and(|i| self.local_structs.contains(&i.to_string()))))
    }

    /// Whether `arg` passes a struct parameter read as data whole (`Param::data_slot`), not
    /// the number a `&f64` of data refers to (`*w`).
    fn passes_data_struct(&self, arg: &Expr) -> bool {
        self.sig.passed_whole(arg).is_some_and(|p| {
            p.data_slot()
                && matches!(self.lookup(&p.ident.to_string()), Some(Binding::Opaque))
                && !self.refers_to_number(&p.ident.to_string())
        })
    }

    /// A copy of the `&mut` data parameter `arg` hands a call (`rng` of `rng: &mut Rng`), made
    /// before the call (`Replay`); `Clone` is required, with a message saying why.
    fn state_before(&mut self, arg: &Expr) -> Option<Var> {
        let Expr::Path(p) = arg else {
            return None;
        };
        let param = self.sig.passed_whole(arg).filter(|p| p.lent_mut)?;
        if !matches!(self.lookup(&param.ident.to_string()), Some(Binding::Opaque)) {
            return None;
        }
        let op = Op::Opaque(Opaque {
            tokens: quote::quote_spanned!(arg.span()=> ::autodiff::__private::replay_state(&*#p)),
            captures: Vec::new(),
            declared: None,
        });
        self.let_op("state", Ty::Unknown, op, arg.span()).var()
    }

    /// The local bound to a struct literal of data that `arg` passes whole (`unit`, `&unit`),
    /// whether by reference, and whether it was bound in a branch.
    pub(super) fn data_struct_local(&self, arg: &Expr) -> Option<(Operand, bool, bool)> {
        let (path, by_ref) = match arg {
            Expr::Reference(r) => (&*r.expr, true),
            other => (other, false),
        };
        let Expr::Path(p) = path else {
            return None;
        };
        let Some(Binding::Scalar { cell, .. }) = self.lookup(&p.path.get_ident()?.to_string())
        else {
            return None;
        };
        let value = self.cells[cell].value.clone();
        let v = value.var()?;
        let in_branch = *self.data_structs.get(&v)?;
        Some((Operand::Var(v), by_ref, in_branch))
    }

    /// An array literal argument (`[x, y]`, `&[x, 2.0]`, `[0.0; 3]`), bound to a local array
    /// of its own first: `Some` of it (`Some(None)` if it failed to lower), `None` for any
    /// other argument.
    fn literal_array(&mut self, arg: &Expr) -> Option<Option<ArrayId>> {
        let literal = match arg {
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            other => other,
        };
        // (`vec![1.0, 0.5]` too: a `Vec` of its own, handed on by value)
        let vec_literal = matches!(literal, Expr::Macro(m) if m.mac.path.is_ident("vec"));
        if !matches!(literal, Expr::Array(_) | Expr::Repeat(_)) && !vec_literal {
            return None;
        }
        let name = format!("{SYNTHETIC}literal_{}", self.next_synthetic());
        let name = syn::Ident::new(&name, literal.span());
        self.lower_stmt(&build::let_(build::binding(&name), literal.clone()));
        Some(match self.lookup(&name.to_string()) {
            Some(Binding::Array(array)) => Some(array),
            _ => None,
        })
    }

    /// `let h = g(..);` where `g` returns an array (a vector-valued `#[grad]` function, a
    /// layer): a local array holding the result.
    pub(super) fn call_array(
        &mut self,
        name: &syn::Ident,
        c: &syn::ExprCall,
        unwrap: Option<Unwrap>,
    ) -> Option<ArrayId> {
        if let Expr::Path(p) = &*c.func {
            let local = p.path.get_ident().and_then(|i| self.lookup(&i.to_string()));
            if let Some(Binding::Closure(closure)) = local {
                return self.closure_array(&closure, c);
            }
        }
        let Expr::Path(p) = &*c.func else {
            self.unsupported(
                &c.func,
                "#[grad] supports calls of named functions only (`g(x)`, `path::g(x)`)",
            );
            return None;
        };
        if let Some(ident) = p.path.get_ident().filter(|i| self.holds_a_function(i)) {
            self.called_through(ident);
            return None;
        }
        Some(self.array_of_call(name, Callee::Path(p.path.clone()), c, unwrap))
    }

    /// Whether `ident` names a local or a parameter (then a closure, function pointer or
    /// trait object where it is called), not a function.
    fn holds_a_function(&self, ident: &syn::Ident) -> bool {
        self.lookup(&ident.to_string()).is_some()
            || self.sig.params.iter().any(|p| p.ident == *ident)
    }

    /// Reports a call of differentiated values through `ident`, a local or parameter.
    fn called_through(&mut self, ident: &syn::Ident) {
        self.errors.on(
            ident,
            format!("#[grad] cannot differentiate a call through `{ident}`, a parameter or local holding a closure, function pointer or trait object, whose derivative it cannot see: call a named function that has `#[grad]` (or a hand-written `_adjoint`) instead; a closure defined in this function (`let sq = |v: f64| v * v;`) is inlined"),
        );
    }

    /// `let h = self.l1.forward(x);`, `let h = net.forward(x);`: a method of a model that
    /// returns an array. `None` for another method.
    pub(super) fn method_call_array(
        &mut self,
        name: &syn::Ident,
        m: &syn::ExprMethodCall,
        unwrap: Option<Unwrap>,
    ) -> Option<ArrayId> {
        let (callee, call) = self.model_method(m)?;
        Some(self.array_of_call(name, callee, &call, unwrap))
    }

    /// A local array named `name` holding what `callee` returns on `c`'s arguments: a matrix
    /// when the body reads `name` with two indices or its `let` says so.
    fn array_of_call(
        &mut self,
        name: &syn::Ident,
        callee: Callee,
        c: &syn::ExprCall,
        unwrap: Option<Unwrap>,
    ) -> ArrayId {
        let (args, replays) = self.call_args(c);
        let written = name.to_string();
        let matrix = self.matrix_locals.contains(&written);
        let called = CalledArray {
            dims: if matrix { 2 } else { 1 },
            len: None,
            resizable: !matrix && self.may_resize(&written),
            tuple: false,
        };
        self.call_into_array(
            &written,
            (callee, args, replays),
            called,
            unwrap,
            name.span(),
        )
    }

    /// A local array named after `written` that a call of `callee` on `args` fills
    /// (`Stmt::CallArray`), of the shape `called` gives it, its result unwrapped by `unwrap`
    /// for a fallible callee.
    pub(super) fn call_into_array(
        &mut self,
        written: &str,
        (callee, args, replays): (Callee, Vec<Arg>, Vec<Replay>),
        called: CalledArray,
        unwrap: Option<Unwrap>,
        span: Span,
    ) -> ArrayId {
        let array = ArrayId(self.arrays.len());
        let unique = self.unique_name(written);
        self.arrays.push(ArrayInfo {
            name: unique,
            written: written.to_string(),
            elem: Elem::Float,
            dims: called.dims,
            origin: ArrayOrigin::Local,
            path: None,
            lens: called.len.iter().cloned().collect(),
            fixed: called.len.is_some(),
            resizable: called.resizable,
            final_len: None,
            span,
        });
        let shape = self.new_var(&format!("{written}_shape"), Ty::Unknown, span);
        self.emit(Stmt::CallArray {
            array,
            callee,
            args,
            replays,
            shape,
            tuple: called.tuple,
            unwrap,
        });
        array
    }

    /// `&TABLE` (a `const` or `static` table): an array argument that is data.
    fn constant_table(&mut self, arg: &Expr) -> Option<Arg> {
        let (p, by_ref) = match arg {
            Expr::Reference(r) => match &*r.expr {
                Expr::Path(p) => (p, true),
                _ => return None,
            },
            // A bare constant (`dot(z, COEFFS)`, `scale(x, EPS)`): float data, by the look of
            // its name and uses (a size such as `N` or `DIM` is an integer).
            Expr::Path(p) if self.is_float_data_constant(&p.path) => (p, false),
            _ => return None,
        };
        let local = p
            .path
            .get_ident()
            .is_some_and(|i| self.lookup(&i.to_string()).is_some());
        if local || p.path.segments.len() > 2 {
            return None;
        }
        let id = ArrayId(self.arrays.len());
        let written = p.path.to_token_stream().to_string();
        self.arrays.push(ArrayInfo {
            name: written.clone(),
            written,
            elem: Elem::Float,
            dims: 1,
            origin: ArrayOrigin::Constant,
            path: Some(p.path.clone()),
            lens: Vec::new(),
            fixed: false,
            resizable: false,
            final_len: None,
            span: p.span(),
        });
        Some(Arg::Array(ArrayArg {
            array: id,
            row: None,
            slice: None,
            by_ref,
            members: Vec::new(),
            deref: false,
            snapshot: None,
        }))
    }

    /// `std::mem::swap(&mut a, &mut b)` (or `mem::swap`) of two local numbers: the names
    /// exchange their values; nothing is called. Of two fixed-size local arrays (double
    /// buffering): their elements are exchanged one by one (one type, one length).
    fn swap(&mut self, path: &syn::Path, c: &syn::ExprCall) -> Option<Value> {
        let names = swapped_names(path, c);
        if let [a, b] = &names[..] {
            let local_array = |name: &str| match self.lookup(name) {
                Some(Binding::Array(id)) => {
                    let info = &self.arrays[id.0];
                    (info.origin == ArrayOrigin::Local).then_some((info.dims, info.fixed, id))
                }
                _ => None,
            };
            // `Vec`s of one length (`let mut next = vec![0.0; cur.len()];`, both `vec![0.0;
            // n]`): exchanging the elements is the swap.
            let same_length = |x: ArrayId, y: ArrayId| {
                let (x, y) = (&self.arrays[x.0], &self.arrays[y.0]);
                x.dims == 1
                    && y.dims == 1
                    && matches!((x.lens.first(), y.lens.first()), (Some(m), Some(n)) if super::same_operand(m, n))
            };
            match (local_array(a), local_array(b)) {
                (Some((dims @ (1 | 2), true, _)), Some((_, true, _))) => {
                    return Some(self.swap_arrays(a, b, dims, c.span()));
                }
                (Some((1, _, x)), Some((1, _, y))) if same_length(x, y) => {
                    return Some(self.swap_arrays(a, b, 1, c.span()));
                }
                (Some(_), Some(_)) => {
                    return Some(self.unsupported(
                        c,
                        "#[grad] swaps fixed-size local arrays (`[f64; N]`, `[[f64; M]; N]`) and `Vec`s made at one length (`vec![0.0; n]` both, or `vec![0.0; cur.len()]`) element by element, not `Vec`s whose lengths may differ, which a swap exchanges too: copy the one into the other (`for i in 0..n { cur[i] = next[i]; }`), or make them at one length",
                    ));
                }
                _ => {}
            }
        }
        let cells: Vec<usize> = names
            .iter()
            .filter_map(|name| self.mutable_cell(name))
            .collect();
        let [a, b] = cells[..] else {
            return None;
        };
        let (value_a, ty_a) = (self.cells[a].value.clone(), self.cells[a].ty);
        self.cells[a].value = std::mem::replace(&mut self.cells[b].value, value_a);
        self.cells[a].ty = std::mem::replace(&mut self.cells[b].ty, ty_a);
        Some(Value::Unit)
    }

    /// `std::mem::swap` of the local arrays `a` and `b` of `dims` dimensions, as the loop
    /// over their elements that exchanges them.
    fn swap_arrays(&mut self, a: &str, b: &str, dims: usize, span: Span) -> Value {
        let k = self.next_synthetic();
        let name = |n: &str| syn::Ident::new(&format!("{SYNTHETIC}swap_{n}_{k}"), span);
        let (a, b) = (syn::Ident::new(a, span), syn::Ident::new(b, span));
        let (i, j, t) = (name("i"), name("j"), name("t"));
        let exchange = |at: proc_macro2::TokenStream| -> syn::Block {
            syn::parse_quote_spanned!(span=> {
                let #t = #a #at;
                #a #at = #b #at;
                #b #at = #t;
            })
        };
        let body = match dims {
            1 => exchange(quote!([#i])),
            _ => {
                let inner = exchange(quote!([#i][#j]));
                syn::parse_quote_spanned!(span=> { for #j in 0..#a[#i].len() #inner })
            }
        };
        let swapped: Expr = syn::parse_quote_spanned!(span=> { for #i in 0..#a.len() #body });
        self.lower_expr(&swapped)
    }

    /// Whether `a` is one item of a data struct's field (`self.layers[k]`), whole.
    fn is_data_item(&self, a: &ArrayArg) -> bool {
        let info = &self.arrays[a.array.0];
        a.row.is_some()
            && a.slice.is_none()
            && a.members.is_empty()
            && info.origin == ArrayOrigin::Constant
            && info.path.is_some()
    }

    /// Whether `array` is a field of a data struct passed whole (`&cfg.inner`, `&cfg.shift`):
    /// of a type the function does not see.
    pub(super) fn is_data_field_whole(&self, array: ArrayId) -> bool {
        let info = &self.arrays[array.0];
        info.dims == 0 && info.origin == ArrayOrigin::Constant && info.path.is_some()
    }

    /// Whether `path` names a local (a closure), which is inlined, never passed through.
    pub(super) fn is_local_call(&self, path: &syn::Path) -> bool {
        path.get_ident()
            .is_some_and(|i| self.lookup(&i.to_string()).is_some())
    }

    /// An array argument; a local array also gets a snapshot of what the call sees (emitted
    /// only if the array is written again later or goes out of scope before the reverse sweep).
    fn array_arg(
        &mut self,
        array: ArrayId,
        row: Option<Operand>,
        by_ref: bool,
        span: Span,
    ) -> ArrayArg {
        let info = &self.arrays[array.0];
        let snapshot = (info.origin == ArrayOrigin::Local).then(|| {
            let op = Op::Snapshot {
                array,
                row: row.clone(),
            };
            let saved = self.let_op("saved", Ty::Unknown, op, span);
            saved.var()
        });
        ArrayArg {
            array,
            row,
            slice: None,
            by_ref,
            members: Vec::new(),
            deref: false,
            snapshot: snapshot.flatten(),
        }
    }

    /// `let sq = |v: f64| v * v;`: kept to be inlined where it is called, with the values of
    /// the locals it reads at this point (a closure sees what it captured, not later
    /// shadowing or assignments).
    pub(super) fn define_closure(&mut self, name: &syn::Ident, closure: &syn::ExprClosure) {
        let body = &closure.body;
        let message = if contains_return(&syn::parse_quote!({ #body })) {
            Some(super::closure_returns::UNSUPPORTED)
        } else if assigns_outside(closure) {
            Some("#[grad] does not support a closure that assigns to variables outside it: write the loop out, or return the value")
        } else {
            None
        };
        if let Some(message) = message {
            self.errors.on(closure, message);
            self.bind(name.to_string(), Binding::Poisoned);
            return;
        }
        let mut captures = self.closure_captures(&body.to_token_stream());
        // A `move` closure holds its own copy of a fixed-size local array (a `Vec` is moved
        // into it, never written after): later writes to the array are not what it reads.
        if closure.capture.is_some() {
            for (ident, capture) in &mut captures {
                let Capture::Array(a) = capture else { continue };
                let info = &self.arrays[a.0];
                if info.origin != ArrayOrigin::Local || !info.fixed {
                    continue;
                }
                let copy = format!("{SYNTHETIC}moved_{ident}_{}", self.next_synthetic());
                let copy = syn::Ident::new(&copy, ident.span());
                self.lower_stmt(&build::let_(build::binding(&copy), build::path(ident)));
                if let Some(Binding::Array(copied)) = self.lookup(&copy.to_string()) {
                    *a = copied;
                }
            }
        }
        let closure = LocalClosure {
            closure: closure.clone(),
            captures,
        };
        self.bind(name.to_string(), Binding::Closure(Rc::new(closure)));
        self.closures_bound = true;
    }

    /// A local closure that returns an array (`let rot = |a: f64| [a.cos(), a.sin()];`,
    /// `rot(x)`): inlined, its array literals written into a local array of their length, or
    /// the local array it ends in (`|t: f64| { let mut xy = [0.0; 2]; ..; xy }`).
    fn closure_array(&mut self, closure: &LocalClosure, c: &syn::ExprCall) -> Option<ArrayId> {
        let body = &closure.closure.body;
        let Some(len) = arrays::branch_array_len(body).or(match &**body {
            Expr::Array(a) => Some(a.elems.len()),
            _ => None,
        }) else {
            return match self.call_closure(closure, c) {
                Value::Array(array) => Some(array),
                Value::Error => None,
                _ => {
                    self.errors.on(
                        c,
                        "#[grad] reads this closure's result as an array, which it supports when the closure ends in an array literal (`|a: f64| [a.cos(), a.sin()]`) or a local array",
                    );
                    None
                }
            };
        };
        let name = proc_macro2::Ident::new(
            &format!("{SYNTHETIC}closure_{}", self.next_synthetic()),
            c.span(),
        );
        let float = self.sig.float.clone();
        self.declare_array(&name, &float, &syn::Index::from(len));
        let Some(Binding::Array(array)) = self.lookup(&name.to_string()) else {
            return None;
        };
        self.call_closure_with(closure, c, &arrays::assign_tails(body, &name));
        Some(array)
    }

    /// A call of a local closure: its body, inlined with the parameters bound to the
    /// arguments.
    fn call_closure(&mut self, closure: &LocalClosure, c: &syn::ExprCall) -> Value {
        self.call_closure_with(closure, c, &closure.closure.body)
    }

    /// `closure` inlined on `c`'s arguments, with `body` in place of its own.
    fn call_closure_with(
        &mut self,
        closure: &LocalClosure,
        c: &syn::ExprCall,
        body: &Expr,
    ) -> Value {
        let params = &closure.closure.inputs;
        if params.len() != c.args.len() {
            return self.unsupported(
                c,
                &format!("this closure takes {} argument(s)", params.len()),
            );
        }
        let args: Vec<Value> = c
            .args
            .iter()
            .map(|a| match self.literal_array(a) {
                Some(literal) => literal.map_or(Value::Error, Value::Array),
                None => self.lower_expr(a),
            })
            .collect();
        self.scopes.push(HashMap::default());
        for (ident, capture) in &closure.captures {
            let binding = match capture {
                Capture::Value(value) | Capture::Lent(value) => {
                    let ty = self.ty(value);
                    self.new_cell(&ident.to_string(), value.clone(), ty, false)
                }
                Capture::Array(a) => Binding::Array(*a),
                Capture::Row(array, index) => Binding::Row {
                    array: *array,
                    index: index.clone(),
                    lent_mut: false,
                    copied: false,
                },
                Capture::View(s) => Binding::View(s.clone()),
                Capture::Tuple(xs) => {
                    Binding::Tuple(xs.iter().cloned().map(Value::Scalar).collect())
                }
                Capture::Record { path, fields } => {
                    let path = Some(path.clone());
                    self.bind_record(&ident.to_string(), path, fields.clone(), false);
                    continue;
                }
                Capture::Optional {
                    some,
                    values,
                    tuple,
                } => {
                    let mut numbers = values.iter().cloned().map(Value::Scalar);
                    let value = match tuple {
                        true => Value::Tuple(numbers.collect()),
                        false => numbers.next().unwrap_or(Value::Error),
                    };
                    self.bind_optional(&ident.to_string(), some.clone(), value, false);
                    continue;
                }
            };
            self.bind(ident.to_string(), binding);
        }
        for (param, value) in params.iter().zip(args) {
            self.bind_pattern(param, value);
        }
        // The type a closure states it returns (`|n: usize| -> f64 { t[..n].iter().sum() }`)
        // types what its body passes through; an array's elements, written into the local
        // array it is read as (`closure_array`), are the body's own.
        let own_body = std::ptr::eq(body, &*closure.closure.body);
        let value = match &closure.closure.output {
            syn::ReturnType::Type(_, ty) if own_body => {
                let returned = syn::Ident::new(&format!("{SYNTHETIC}returned"), body.span());
                self.lower_expr(&syn::parse_quote!({ let #returned: #ty = #body; #returned }))
            }
            _ => self.lower_expr(body),
        };
        self.scopes.pop();
        value
    }
}

/// How `data_call` checks that a call's result holds no float: not at all, whole, or in the
/// parts a pattern binds.
pub(super) enum Checked<'p> {
    No,
    Whole,
    Parts(&'p Pat),
}

/// What is said of a call of an item `#[grad]` generates (`inner_loss_grad(w, x)`, read as
/// the tuple it returns) on differentiated values: a derivative of a derivative.
pub(super) fn generated_derivative(e: &Expr) -> Option<String> {
    let Expr::Call(c) = e else { return None };
    let Expr::Path(p) = &*c.func else { return None };
    let name = p.path.segments.last()?.ident.to_string();
    let suffix = ["_grad", "_hvp", "_hessian", "_jacobian", "_tangent"]
        .into_iter()
        .find(|s| name.ends_with(s))?;
    let base = name.strip_suffix(suffix)?;
    Some(format!("#[grad] cannot differentiate `{name}`, which `#[grad]` generated from `{base}`: a derivative of a derivative is second order, which it computes only as `modes(hvp)` on one function. Write the inner derivative as a function of its own with `#[grad]` (`fn {base}_d(..) -> f64`, by hand), or write `{name}_adjoint` by hand from `{base}_hvp`"))
}

/// Whether `arg` is a local named like an index (`idx` of `let idx = r.item;`).
/// `e` through any `*` and parentheses.
fn strip_deref(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Unary(u) if matches!(u.op, SynUnOp::Deref(_)) => e = &u.expr,
            Expr::Paren(p) => e = &p.expr,
            _ => return e,
        }
    }
}

fn names_an_index(arg: &Expr) -> bool {
    matches!(arg, Expr::Path(p) if p.path.get_ident().is_some_and(|i| {
        super::names::names_a_size_value(&i.to_string())
    }))
}

/// Whether a method chain gives an element by reference: `xs.first().unwrap()`,
/// `xs.iter().next().unwrap()`, not `xs.first().copied().unwrap()`.
fn lends_element(e: &Expr) -> bool {
    let mut e = e;
    let mut chained = false;
    while let Expr::MethodCall(m) = e {
        if m.method == "copied" || m.method == "cloned" {
            return false;
        }
        (e, chained) = (&m.receiver, true);
    }
    chained
}

/// The positions of the integer parameters of a runtime primitive called by `func` (the class
/// index of `softmax_cross_entropy(&logits, sample.label)`): data handed there is an integer
/// whatever its name.
fn runtime_integer_arguments(func: &Expr) -> &'static [usize] {
    const INTEGER_PARAMETERS: &[(&str, &[usize])] = &[("softmax_cross_entropy", &[1])];
    let Expr::Path(p) = func else { return &[] };
    let Some(last) = p.path.segments.last() else {
        return &[];
    };
    INTEGER_PARAMETERS
        .iter()
        .find(|(name, _)| last.ident == name)
        .map_or(&[], |(_, positions)| positions)
}

/// Whether a closure assigns to a name it does not bind itself (a parameter, a `let`, a loop
/// pattern): a variable outside it, which inlining cannot write.
fn assigns_outside(closure: &syn::ExprClosure) -> bool {
    struct Bound(HashSet<String>);
    impl<'ast> syn::visit::Visit<'ast> for Bound {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut bound = Bound(HashSet::default());
    syn::visit::Visit::visit_expr_closure(&mut bound, closure);
    let body = &closure.body;
    scan_loop(&syn::parse_quote!({ #body }))
        .assigned
        .iter()
        .any(|name| !bound.0.contains(name))
}

/// `&&`, `||` and the comparisons: no float comes out of them.
pub(super) fn is_logic(op: &syn::BinOp) -> bool {
    matches!(op, syn::BinOp::And(_) | syn::BinOp::Or(_)) || is_comparison(op)
}

/// `==`, `!=`, `<`, `<=`, `>`, `>=`.
pub(super) fn is_comparison(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(op, Eq(_) | Ne(_) | Lt(_) | Le(_) | Gt(_) | Ge(_))
}

/// The names `std::mem::swap(&mut a, &mut b)` (or `mem::swap`) exchanges; none for any other
/// call.
pub(super) fn swapped_names(path: &syn::Path, c: &syn::ExprCall) -> Vec<String> {
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    if !matches!(
        segments[..],
        ["std" | "core", "mem", "swap"] | ["mem", "swap"]
    ) {
        return Vec::new();
    }
    c.args
        .iter()
        .filter_map(|arg| match arg {
            Expr::Reference(r) if r.mutability.is_some() => match &*r.expr {
                Expr::Path(p) => Some(p.path.get_ident()?.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The shape of the local array a call fills (`call_into_array`): its dimensions, its
/// length when known (a tuple's), whether it may be resized, and whether the callee returns
/// a tuple of its numbers.
pub(super) struct CalledArray {
    pub(super) dims: usize,
    pub(super) len: Option<Operand>,
    pub(super) resizable: bool,
    pub(super) tuple: bool,
}
