//! The forward sweep: the IR printed back as Rust, plus what the plan asks for (branch values
//! exported through an `if`'s result, loop tapes pushed at the end of an iteration).

use super::*;
use crate::activity::RegionKind;
use crate::fusion::{linear, Fused, Linear};
use crate::sig::Param;

impl Gen<'_> {
    pub(crate) fn op(&self, op: &Op) -> TokenStream {
        match op {
            Op::Copy(x) => self.operand(x).into(),
            Op::Unary(UnOp::Neg, x) => {
                let x = self.operand(x);
                quote!(-#x)
            }
            Op::Unary(UnOp::Not, x) => {
                let x = self.operand(x);
                quote!(!#x)
            }
            Op::Binary(op, a, b) => {
                let (a, b) = (self.value_of(a), self.value_of(b));
                let op = binop_tokens(*op);
                quote!(#a #op #b)
            }
            Op::Cast(x, ty) => {
                let x = self.value_of(x);
                quote!(#x as #ty)
            }
            Op::NumCast(path, x) => {
                let x = self.value_of(x);
                quote!(#path(#x).unwrap())
            }
            Op::Prim {
                rule,
                floats,
                others,
                owner,
            } => {
                let f = self.rule_operands(rule, floats);
                let o: Vec<_> = others.iter().map(|x| self.operand(x)).collect();
                // Dual numbers have the float methods, not `f64::max(..)`.
                let owner = owner
                    .as_ref()
                    .filter(|_| !floats.iter().any(|x| self.is_dual(x)));
                rules::forward(rule, owner, &f, &o)
            }
            Op::IntMethod {
                name,
                receiver,
                args,
            } => {
                let r = self.operand(receiver);
                let a = args.iter().map(|x| self.operand(x));
                quote!(#r.#name(#(#a),*))
            }
            Op::Call {
                callee,
                args,
                unwrap,
                ..
            } => match self.dual_call(args) {
                // The value as a dual number: the callee's sweeps on dual numbers, with
                // nothing to pull back yet.
                Some(rest) => {
                    // An array as it is now: its snapshot is for the reverse sweep.
                    let mut a: Vec<TokenStream> = args
                        .iter()
                        .map(|a| match a {
                            Arg::Array(x) if x.snapshot.is_some() => {
                                self.adjoint_arg(&Arg::Array(ArrayArg {
                                    snapshot: None,
                                    ..x.clone()
                                }))
                            }
                            _ => self.adjoint_arg(a),
                        })
                        .collect();
                    let generated = rest.len() - 1;
                    a.extend(rest);
                    let call = callee.call(self.adjoint_suffix(), a, generated);
                    self.unwrapped(unwrap.as_ref(), call)
                }
                None => {
                    let call = callee.call("", args.iter().map(|a| self.arg(a)).collect(), 0);
                    self.unwrapped(unwrap.as_ref(), call)
                }
            },
            Op::Load { array, index } => {
                if let [Operand::Var(at)] = index.as_slice() {
                    if let Some((view, i)) = self.views.get(&(*array, *at)) {
                        return quote!(#view[#i]);
                    }
                }
                let a = self.array(*array);
                // A number of a tuple parameter: `p.0`.
                if let (true, [Operand::Lit(syn::Lit::Int(k))]) =
                    (self.is_tuple_param(*array), index.as_slice())
                {
                    let k = syn::Index {
                        index: k.base10_parse().unwrap_or_default(),
                        span: k.span(),
                    };
                    return quote!(#a.#k);
                }
                let i = index.iter().map(|x| self.operand(x));
                quote!(#a #([#i])*)
            }
            Op::Opaque(o) => self.opaque(o),
            Op::Snapshot { array, row } => {
                let fixed = self.body.array(*array).fixed;
                let a = self.array(*array);
                // A fixed-size array is `Copy`; a `Vec` is cloned; a row may be either.
                match row {
                    Some(r) => {
                        let r = self.operand(r);
                        match fixed {
                            true => quote!(#a[#r]),
                            false => quote!(::autodiff::__private::row_copy(&#a[#r])),
                        }
                    }
                    None if fixed => a.into(),
                    None => quote!(#a.clone()),
                }
            }
            Op::Len { array, row } => {
                let a = self.array(*array);
                match row {
                    Some(r) => {
                        let r = self.operand(r);
                        quote!(#a[#r].len())
                    }
                    None => quote!(#a.len()),
                }
            }
        }
    }

    /// Whether a callee's `_adjoint` (`_tangent`, `_dual_adjoint`) takes a shadow for the
    /// array argument `a`: a float array's, except a parameter's rows read as data lent whole
    /// (`inner(w, xs)` of `xs: &[[f64; 2]]` left out of `#[grad(..)]`), which only the
    /// callee's `_with_data` takes, as `Const`.
    pub(crate) fn takes_array_shadow(&self, a: &ArrayArg) -> bool {
        self.body.array(a.array).elem == Elem::Float
            && !self.listed_array(a).is_some_and(Param::data_slot)
    }

    /// The struct or rows parameter (`Param::listed`) an array argument passes whole:
    /// `f(net, x)`, `f(w, xs)`, differentiated or read as data.
    fn listed_array(&self, a: &ArrayArg) -> Option<&Param> {
        if a.row.is_some() || a.slice.is_some() || !a.members.is_empty() {
            return None;
        }
        let info = self.body.array(a.array);
        let param = match (info.origin, &info.path) {
            (ArrayOrigin::Param(p), _) => Some(&self.sig.params[p]),
            // Rows read as data are bound like a data struct's array field.
            (ArrayOrigin::Constant, Some(path)) => self
                .sig
                .params
                .iter()
                .find(|p| p.is_written() && path.is_ident(&p.ident)),
            _ => None,
        };
        param.filter(|p| p.listed && p.is_written())
    }

    /// Whether a call on `args` goes through the callee's `_with_data` item: one passes a
    /// struct or rows of this function whole, whose shadow in the plain item depends on the
    /// callee's `#[grad(..)]`. (No struct is differentiated on dual numbers: `_dual_adjoint`
    /// has no such form.)
    pub(crate) fn calls_with_data(&self, args: &[Arg]) -> bool {
        let whole = |a: &Arg| match a {
            Arg::Data { .. } | Arg::Record { path: Some(_), .. } => true,
            // (a tuple's shadow is always there, an array's is)
            Arg::Record { path: None, .. } => false,
            // (a `Vec` handed on by value: the callee's may be data, `settle_rows`)
            Arg::Array(a) => self.listed_array(a).is_some() || self.moved_vec(a),
            Arg::Scalar(_) => false,
        };
        self.dual.is_none() && args.iter().any(whole)
    }

    /// The name of the callee's item `base` (`adjoint`, `tangent`) to call: its `_with_data`
    /// form when `with_data`.
    pub(crate) fn item_suffix(base: &str, with_data: bool) -> String {
        match with_data {
            true => format!("{base}_with_data"),
            false => base.to_string(),
        }
    }

    /// Whether `a` is an array field of a data struct (`ParamKind::DataArray`), read through
    /// the reference bound to it at the top.
    pub(crate) fn is_data_field(&self, a: ArrayId) -> bool {
        self.data_array_param(a).is_some()
    }

    /// Whether `a` is a `Vec` parameter of data taken by value (`xs: Vec<f64>` left out of
    /// `#[grad(..)]`): not a reference, unlike the other parameters.
    pub(crate) fn is_owned_data(&self, a: ArrayId) -> bool {
        self.data_array_param(a)
            .is_some_and(|p| matches!(p.kind, ParamKind::DataArray { owned: true, .. }))
    }

    /// The `ParamKind::DataArray` parameter that the constant array `a` reads.
    pub(crate) fn data_array_param(&self, a: ArrayId) -> Option<&Param> {
        let info = self.body.array(a);
        let path = info.path.as_ref()?;
        self.sig.params.iter().find(|p| {
            info.origin == ArrayOrigin::Constant
                && matches!(p.kind, ParamKind::DataArray { .. })
                && path.is_ident(&p.ident)
        })
    }

    /// The parameter made of a data struct's field (`data_c` of `data.c`) that `a` reads.
    pub(super) fn data_field_param(&self, a: ArrayId) -> Option<&Param> {
        self.data_array_param(a).filter(|p| p.field.is_some())
    }

    pub(crate) fn arg(&self, arg: &Arg) -> TokenStream {
        match arg {
            Arg::Scalar(x) => self.operand(x).into(),
            Arg::Data { value, by_ref } => {
                let amp = by_ref.then(|| quote!(&));
                let value = self.operand(value);
                quote!(#amp #value)
            }
            Arg::Record {
                path,
                fields,
                by_ref,
            } => {
                let amp = by_ref.then(|| quote!(&));
                let value = self.rebuilt(path.as_ref(), fields);
                quote!(#amp #value)
            }
            Arg::Array(a) => {
                let name = self.array(a.array);
                let amp = a.by_ref.then(|| quote!(&));
                let row = a.row.as_ref().map(|r| {
                    let r = self.operand(r);
                    quote!([#r])
                });
                let slice = self.slice_index(a);
                // `*x` of a parameter `x: &[f64; N]`, passed by value
                let whole = a.row.is_none() && a.slice.is_none();
                let deref = (a.deref && whole && self.is_reference(a.array)).then(|| quote!(*));
                let members = &a.members;
                match self.moved_vec(a) {
                    true => quote!(::core::clone::Clone::clone(&#name)),
                    false => quote!(#amp #deref #name #row #(.#members)* #slice),
                }
            }
        }
    }

    /// Whether `array` is a tuple parameter (`p: (f64, f64)`), its numbers read as `p.0`.
    pub(crate) fn is_tuple_param(&self, array: ArrayId) -> bool {
        match self.body.array(array).origin {
            ArrayOrigin::Param(p) => matches!(
                &self.sig.params[p].kind,
                ParamKind::Array { shape, .. } if matches!(**shape, Shape::Tuple { .. })
            ),
            _ => false,
        }
    }

    /// Whether the local array is declared a `Vec` (`vec![0.0; n]`, a copy `x.to_vec()`).
    fn declared_vec(&self, array: ArrayId) -> bool {
        let mut found = false;
        self.body.block.for_each_stmt(&mut |stmt| {
            found |= matches!(stmt, Stmt::DeclareArray { array: a, vec_len: Some(_), .. } if *a == array);
        });
        found
    }

    /// Whether `a` is a `Vec` the call takes by value (`energy(v)` of a local `v`, or of a
    /// parameter `v: Vec<f64>`): the sweeps call the callee more than once (its forward
    /// sweep, its `_adjoint`), each on a clone.
    pub(crate) fn moved_vec(&self, a: &ArrayArg) -> bool {
        // (most arrays are lent, `&x`: told first, before any look at the body)
        let whole_by_value =
            !a.by_ref && !a.deref && a.row.is_none() && a.slice.is_none() && a.members.is_empty();
        if !whole_by_value {
            return false;
        }
        let info = self.body.array(a.array);
        match info.origin {
            // (a `Vec` the function makes: not an array a call returns, of a type not seen)
            ArrayOrigin::Local => info.dims == 1 && (info.resizable || self.declared_vec(a.array)),
            ArrayOrigin::Param(p) => matches!(
                &self.sig.params[p].kind,
                ParamKind::Array { shape, .. } if matches!(**shape, Shape::VecOwned)
            ),
            ArrayOrigin::Constant => matches!(
                self.data_array_param(a.array).map(|p| &p.kind),
                Some(ParamKind::DataArray { owned: true, .. })
            ),
        }
    }

    pub fn forward_block(&mut self, block: &Block) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in &block.stmts {
            out.extend([self.forward_stmt(stmt)]);
            out.extend([self.early_adjoints(stmt)]);
        }
        out
    }

    /// The adjoints a fused loop's reverse adds into, declared (zero) where the values they
    /// belong to are defined, before that loop runs.
    fn early_adjoints(&mut self, stmt: &Stmt) -> TokenStream {
        let mut out = TokenStream::new();
        let fusion = &self.an.fusion;
        let defined: Vec<Var> = match stmt {
            Stmt::Let { var, .. } => vec![*var],
            Stmt::If { phis, .. } => phis.iter().map(|p| p.var).collect(),
            Stmt::Loop(l) => l.carried.iter().map(|c| c.out).collect(),
            Stmt::DeclareArray { array, .. } | Stmt::CallArray { array, .. } => {
                if fusion.early_arrays.contains(array) {
                    out.extend([self.array_buffer(stmt, true)]);
                }
                Vec::new()
            }
            // The adjoint of an array declared early follows its length.
            Stmt::Resize { array, len, .. } => {
                if fusion.early_arrays.contains(array) && self.an.active_array[array.0] {
                    let (d, n) = (self.array_adj(*array), self.operand(len));
                    out.extend([resize_to(d, n)]);
                }
                Vec::new()
            }
            Stmt::Store { .. } | Stmt::Effect(_) => Vec::new(),
        };
        for v in defined {
            if self.an.fusion.early_vars.contains(&v) {
                let (d, zero) = (self.adj(v), self.adjoint_zero(v));
                out.extend([quote!(let mut #d = #zero;)]);
            }
        }
        out
    }

    /// Before a fused loop: the passive values its seeds read, then the seeds, the adjoints
    /// of its accumulators' final values (by accumulator).
    fn seeds(&mut self, fused: &Fused) -> (TokenStream, HashMap<Var, Ident>) {
        let mut out = TokenStream::new();
        for (v, op) in &fused.hoisted {
            out.extend([self.definition(*v, op)]);
        }
        let d_out = self.d_out.clone();
        let mut seeds = HashMap::default();
        for (inner, terms) in &fused.seeds {
            let mut e: Option<TokenStream> = None;
            for t in terms {
                let mut term = quote!(#d_out);
                for (op, factor) in &t.factors {
                    let (op, factor) = (binop_tokens(*op), self.operand(factor));
                    term = quote!(#term #op #factor);
                }
                e = Some(match (e, t.negative) {
                    (None, false) => term,
                    (None, true) => quote!(-(#term)),
                    (Some(e), false) => quote!(#e + #term),
                    (Some(e), true) => quote!(#e - #term),
                });
            }
            let info = self.body.var(*inner);
            let (name, span) = (format!("d_{}_seed", info.name), info.span);
            let seed = self.fresh(&name, span);
            out.extend([quote!(let #seed = #e;)]);
            seeds.insert(*inner, seed);
        }
        (out, seeds)
    }

    /// The calls a fused loop can pull back where they run: `total += g(..)` (or `-=`, or
    /// `total = total - c * g(..) + ..` with literal factors), each value on the way to the
    /// accumulator's next value read once, so the call's adjoint is the accumulator's seed
    /// (times the factors), known before the loop. `g_adjoint` then computes the value too,
    /// instead of `g` running again in the reverse. Only where what it adds into is there
    /// already and stays valid: no float argument but arrays (parameters, or locals declared
    /// before the loop) that the rest of the iteration does not write.
    fn pulled_calls(&self, l: &Loop, seeds: &HashMap<Var, Ident>) -> HashMap<Var, TokenStream> {
        let mut pulled = HashMap::default();
        if self.dual.is_some() {
            return pulled;
        }
        let stmts = &l.body.stmts;
        let defined = |v: Var| {
            stmts.iter().enumerate().find_map(|(p, s)| match s {
                Stmt::Let { var, op } if *var == v => Some((p, op)),
                _ => None,
            })
        };
        let once = |x: &Operand| x.var().filter(|v| self.uses.get(v) == Some(&1));
        for c in &l.carried {
            let Some(seed) = seeds.get(&c.inner) else {
                continue;
            };
            // Down the chain of sums from the next value to the accumulator.
            let mut link = once(&c.next);
            while let Some(v) = link.filter(|v| *v != c.inner) {
                let (rest, term, negative) = match defined(v).and_then(|(_, op)| linear(op)) {
                    Some(Linear::Add(a, b)) if self.sums_from(a, c.inner, &defined) => {
                        (a, b, false)
                    }
                    Some(Linear::Add(a, b)) if self.sums_from(b, c.inner, &defined) => {
                        (b, a, false)
                    }
                    Some(Linear::Sub(a, b)) if self.sums_from(a, c.inner, &defined) => (a, b, true),
                    _ => break,
                };
                link = if rest.var() == Some(c.inner) {
                    None
                } else {
                    once(rest)
                };
                let Some(term) = once(term) else { continue };
                let base = if negative {
                    quote!(-#seed)
                } else {
                    quote!(#seed)
                };
                // The call itself, or the call times or over a literal.
                let (value, d) = match defined(term).map(|(_, op)| op) {
                    Some(Op::Call { .. }) => (term, base),
                    Some(op) => match linear(op) {
                        Some(
                            Linear::Mul(x, k @ Operand::Lit(_))
                            | Linear::Mul(k @ Operand::Lit(_), x),
                        ) => {
                            let k = self.float_operand(k);
                            match once(x) {
                                Some(x) => (x, quote!(#base * #k)),
                                None => continue,
                            }
                        }
                        Some(Linear::Div(x, k @ Operand::Lit(_))) => {
                            let k = self.float_operand(k);
                            match once(x) {
                                Some(x) => (x, quote!(#base / #k)),
                                None => continue,
                            }
                        }
                        _ => continue,
                    },
                    None => continue,
                };
                let Some((
                    p,
                    Op::Call {
                        args, unwrap: None, ..
                    },
                )) = defined(value)
                else {
                    continue;
                };
                // A scalar argument's adjoint is added where the call would have been
                // reversed (`pulled_adds`).
                let pullable = args.iter().all(|arg| match arg {
                    Arg::Scalar(_) | Arg::Data { .. } | Arg::Record { .. } => true,
                    Arg::Array(a) => {
                        !self.an.active_array[a.array.0]
                            || (self.an.fusion.early_arrays.contains(&a.array)
                                || matches!(self.body.array(a.array).origin, ArrayOrigin::Param(_)))
                                && !writes_array(&stmts[p + 1..], a.array)
                    }
                });
                if pullable {
                    pulled.insert(value, d);
                }
            }
        }
        pulled
    }

    /// Whether `x` is the accumulator `acc`, or a sum or difference whose first term (either
    /// term of a sum) is, down a chain of values of the loop body.
    fn sums_from<'b>(
        &self,
        x: &Operand,
        acc: Var,
        defined: &impl Fn(Var) -> Option<(usize, &'b Op)>,
    ) -> bool {
        let Some(v) = x.var() else { return false };
        if v == acc {
            return true;
        }
        match defined(v).and_then(|(_, op)| linear(op)) {
            Some(Linear::Add(a, b)) => {
                self.sums_from(a, acc, defined) || self.sums_from(b, acc, defined)
            }
            Some(Linear::Sub(a, _)) => self.sums_from(a, acc, defined),
            _ => false,
        }
    }

    /// A fused loop's reverse of the current iteration, run right after its forward: the
    /// accumulators' next values get the seeds.
    fn fused_reverse(&mut self, l: &Loop, seeds: &HashMap<Var, Ident>) -> TokenStream {
        let mut pieces = Vec::new();
        for c in &l.carried {
            if let Some(seed) = seeds.get(&c.inner) {
                pieces.extend(self.add_to(&c.next, quote!(#seed)));
                self.dropped.insert(c.inner);
            }
        }
        pieces.extend(self.reverse_stmts(&l.body));
        let buffers = self.array_buffers(&l.body);
        let region = self.an.loop_regions[&key(l)];
        self.finalize(pieces, &l.body, region, buffers).tokens
    }

    /// `let v: F = op;`, annotated where Rust could not infer the type (a value computed from
    /// literals, a passed-through value whose `let` declared its type).
    pub(crate) fn definition(&self, var: Var, op: &Op) -> TokenStream {
        let v = self.var(var);
        let e = self.op(op);
        let span = self.body.var(var).span;
        let ty = match op {
            Op::Opaque(Opaque {
                declared: Some(t), ..
            }) => Some(quote!(: #t)),
            _ => self
                .computes_from_constants(op)
                .then(|| self.annotation(var))
                .flatten(),
        };
        let m = self.body.var(var).mutable.then(|| quote!(mut));
        quote_spanned!(span=> let #m #v #ty = #e;)
    }

    pub(crate) fn forward_stmt(&mut self, stmt: &Stmt) -> TokenStream {
        match stmt {
            Stmt::Let { var, op } => {
                if matches!(op, Op::Snapshot { .. }) && !self.an.snapshots.contains(var) {
                    return TokenStream::new();
                }
                if let (Op::Snapshot { array, .. }, true) =
                    (op, self.snapshot_buffers.contains_key(var))
                {
                    // Appended to its loop's flat snapshot tape.
                    let tape = self
                        .snapshot_tapes
                        .values()
                        .find(|(_, saved)| saved.contains(var))
                        .map(|(t, _)| t.clone());
                    let a = self.array(*array);
                    return quote!(::autodiff::__private::append_copy(&mut #tape, &#a););
                }
                // On dual numbers, a call whose result nothing reads (`check_finite(s);`, of
                // `()`): called on the values, as written, with nothing to differentiate (its
                // callee need not have a `_dual_adjoint`).
                if let (
                    Some(_),
                    Op::Call {
                        callee,
                        args,
                        unwrap,
                        ..
                    },
                ) = (&self.dual, op)
                {
                    let scalars = args
                        .iter()
                        .all(|a| matches!(a, Arg::Scalar(_) | Arg::Data { .. }));
                    if scalars && !self.uses.contains_key(var) && self.has_dual_arg(args) {
                        let values = args.iter().map(|a| match a {
                            Arg::Scalar(x) => self.value_of(x).into(),
                            other => self.arg(other),
                        });
                        let call = callee.call("", values.collect(), 0);
                        let (v, call) = (self.var(*var), self.unwrapped(unwrap.as_ref(), call));
                        return quote!(let #v = #call;);
                    }
                }
                if let (Some(d), Op::Call { callee, args, .. }) =
                    (self.pulled.get(var).cloned(), op)
                {
                    let v = self.var(*var);
                    self.held_back = Some(Vec::new());
                    let pieces = self.adjoint_call(callee, args, d, Some(quote!(let #v =)));
                    let adds = self.held_back.take().unwrap_or_default();
                    self.pulled_adds.insert(*var, adds);
                    return pieces.into_iter().flat_map(|p| p.tokens).collect();
                }
                self.definition(*var, op)
            }
            Stmt::Store {
                array,
                index,
                value,
            } => {
                let value = match self.is_dual_array(*array) {
                    true => self.as_dual(value),
                    false => self.operand(value),
                };
                if let [Operand::Var(at)] = index.as_slice() {
                    if let Some((row, i)) = self.views.get(&(*array, *at)) {
                        return quote!(#row[#i] = #value;);
                    }
                }
                let a = self.array(*array);
                let i = index.iter().map(|x| self.operand(x));
                quote!(#a #([#i])* = #value;)
            }
            Stmt::Resize { array, len, .. } => {
                let (a, n) = (self.array(*array), self.operand(len));
                resize_to(a, n)
            }
            Stmt::DeclareArray {
                array,
                like: Some(source),
                ..
            } => {
                let a = self.array(*array);
                let zeros = self.zeros_like(*source, self.is_dual_array(*array));
                quote!(let mut #a = #zeros;)
            }
            Stmt::DeclareArray {
                array,
                fill,
                fixed_lens,
                vec_len,
                row_len,
                like: None,
            } => {
                let a = self.array(*array);
                // A typed fill (`0.0_f64`): the stores may be literals too.
                let fill = match self.body.array(*array).elem {
                    Elem::Float if self.is_dual_array(*array) => self.as_dual(fill),
                    Elem::Float => self.float_operand(fill),
                    Elem::Bool | Elem::Other => self.operand(fill),
                };
                let init =
                    self.array_init(fill.into(), fixed_lens, vec_len.as_ref(), row_len.as_ref());
                quote!(let mut #a = #init;)
            }
            Stmt::CallArray {
                array,
                callee,
                args,
                shape,
                tuple,
                unwrap,
                ..
            } => {
                let a = self.array(*array);
                // On dual numbers, a result of data that the function then writes dual
                // numbers into: lifted to constants.
                let lift = self.is_dual_array(*array) && !self.has_dual_arg(args);
                let call = match self.dual_call(args) {
                    // The value as dual numbers: the callee's sweeps on dual numbers with a
                    // zero cotangent.
                    Some(rest) => {
                        let generated = rest.len() - 1;
                        let mut a: Vec<TokenStream> =
                            args.iter().map(|x| self.adjoint_arg(x)).collect();
                        a.extend(rest);
                        callee.call(self.adjoint_suffix(), a, generated)
                    }
                    None => callee.call("", args.iter().map(|x| self.arg(x)).collect(), 0),
                };
                let call = self.unwrapped(unwrap.as_ref(), call);
                let call = match tuple {
                    true => quote!(::autodiff::__private::tuple_array(#call)),
                    false => call,
                };
                let m = self.stored.contains(array).then(|| quote!(mut));
                let mut out = match lift {
                    true => quote!(let #m #a = ::autodiff::__private::lift(&#call);),
                    false => quote!(let #m #a = #call;),
                };
                if self.an.required.contains(shape) {
                    let s = self.var(*shape);
                    out.extend([quote!(let #s = ::autodiff::__private::ZeroShape::of(&#a);)]);
                }
                out
            }
            Stmt::Effect(o) => {
                let (lets, tokens) = (self.captures(o), &o.tokens);
                if lets.is_empty() {
                    quote!(#tokens;)
                } else {
                    quote!({ #lets #tokens; })
                }
            }
            Stmt::If {
                cond,
                then_block,
                else_block,
                phis,
            } => self.forward_if(stmt, cond, then_block, else_block, phis),
            Stmt::Loop(l) => self.forward_loop(l),
        }
    }

    pub(crate) fn array_init(
        &self,
        fill: TokenStream,
        fixed_lens: &[syn::Expr],
        vec_len: Option<&Operand>,
        row_len: Option<&Operand>,
    ) -> TokenStream {
        let mut init = fill;
        for len in fixed_lens.iter().rev() {
            init = quote!([#init; #len]);
        }
        if let Some(m) = row_len {
            let m = self.operand(m);
            init = quote!(::std::vec![#init; #m]);
        }
        match vec_len {
            Some(n) => {
                let n = self.operand(n);
                quote!(::std::vec![#init; #n])
            }
            None => init,
        }
    }

    /// Zeros of the type of an array whose type is not written in the function; dual numbers
    /// when `dual` (on dual numbers, the zeros of a copy the function writes dual numbers
    /// into, and every adjoint, even of a copy of data).
    pub(crate) fn zeros_like(&self, source: ArrayId, dual: bool) -> TokenStream {
        // A parameter is a reference already; a local array is not, nor data taken by value.
        let amp = (self.body.array(source).origin == ArrayOrigin::Local
            || self.is_owned_data(source))
        .then(|| quote!(&));
        let lift = dual && !self.is_dual_array(source);
        let matrix = self.body.array(source).dims == 2;
        let source = self.array(source);
        let zeros = match matrix {
            true => quote!(::autodiff::__private::SameShape::zeros_like(#amp #source)),
            false => quote!(::autodiff::__private::ZeroShape::of(#amp #source).zeros()),
        };
        match lift {
            true => quote!(::autodiff::__private::lift(&#zeros)),
            false => zeros,
        }
    }

    pub(super) fn forward_if(
        &mut self,
        stmt: &Stmt,
        cond: &Operand,
        then_block: &Block,
        else_block: &Block,
        phis: &[Phi],
    ) -> TokenStream {
        let k = key(stmt);
        let exports: Vec<Var> = self
            .an
            .exports
            .get(&k)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let (then_region, _) = self.an.branch_regions[&k];
        let mut outs = Vec::new();
        let mut then_vals = Vec::new();
        let mut else_vals = Vec::new();
        for phi in phis {
            outs.push(self.var(phi.var));
            // Literals on both sides would leave a float phi's type to inference.
            let value = |op: &Operand| match self.body.var(phi.var).ty {
                _ if self.is_dual(&Operand::Var(phi.var)) => self.as_dual(op),
                Ty::Float => self.float_operand(op),
                _ => self.operand(op),
            };
            then_vals.push(value(&phi.then_value));
            else_vals.push(value(&phi.else_value));
        }
        for v in exports {
            let ident = self.var(v);
            let (value, dummy) = match self.copied_from_around(v, k) {
                // A copy of data in scope around the `if`: the data itself.
                Some(source) => (
                    ident.to_token_stream(),
                    self.var(source).into_token_stream(),
                ),
                // Data of a type the function does not see (a row lent by `xs.last()`): no
                // value stands in for it, so it goes out as an `Option`, set where the branch
                // that computes it defines it.
                None if self.exported_as_option(v, k) => {
                    let value = match self.option_set_by(v, k) {
                        true => quote!(::core::option::Option::Some(#ident)),
                        false => ident.to_token_stream(),
                    };
                    (value, quote!(::core::option::Option::None))
                }
                _ => (ident.to_token_stream(), self.export_placeholder(v)),
            };
            outs.push(ident.clone());
            let (value, dummy) = (value.into(), dummy.into());
            if self.an.within(self.an.def_region[v.0], then_region) {
                then_vals.push(value);
                else_vals.push(dummy);
            } else {
                then_vals.push(dummy);
                else_vals.push(value);
            }
        }
        let c = self.operand(cond);
        let t = self.forward_block(then_block);
        let e = self.forward_block(else_block);
        match outs.len() {
            0 if else_block.stmts.is_empty() => quote!(if #c { #t }),
            0 => quote!(if #c { #t } else { #e }),
            1 => {
                let (o, tv, ev) = (&outs[0], &then_vals[0], &else_vals[0]);
                // A flag the branch only sets (`continue`'s): the condition itself.
                let flag = |op: &Operand| match op {
                    Operand::Lit(syn::Lit::Bool(b)) => Some(b.value),
                    _ => None,
                };
                let set = match phis {
                    [p] if t.is_empty() && e.is_empty() => {
                        (flag(&p.then_value), flag(&p.else_value))
                    }
                    _ => (None, None),
                };
                match set {
                    (Some(true), Some(false)) => quote!(let #o = #c;),
                    (Some(false), Some(true)) => quote!(let #o = !#c;),
                    _ => quote!(let #o = if #c { #t #tv } else { #e #ev };),
                }
            }
            _ => {
                quote!(let (#(#outs),*) = if #c { #t (#(#then_vals),*) } else { #e (#(#else_vals),*) };)
            }
        }
    }

    /// Whether `v`, exported from a branch, goes out as an `Option`: data of a type the
    /// function does not see, for which no placeholder can be written (`0` for a number, but
    /// nothing for a `&[f64; 2]`).
    pub(super) fn exported_as_option(&self, v: Var, k: usize) -> bool {
        let var = self.body.var(v);
        let unseen = var.ty == Ty::Unknown || (var.shapeless && !var.varied);
        unseen
            && self.copied_from_around(v, k).is_none()
            && !self.snapshot_of.contains_key(&v)
            && !self.handed_on.contains(&v)
            && !self.is_dual(&Operand::Var(v))
    }

    /// The data `v` copies (`copy_of`), where it is in scope around the `if` with key `k`:
    /// what a branch of it that does not make the copy exports in its place.
    fn copied_from_around(&self, v: Var, k: usize) -> Option<Var> {
        let around = self.an.regions[self.an.branch_regions[&k].0].parent;
        let source = self.body.var(v).copy_of?;
        self.an
            .within(around, self.an.def_region[source.0])
            .then_some(source)
    }

    /// Whether the `if` with key `k` is where exported `v` becomes `Some`: one of its branches
    /// defines it, or an `if` in one that exports it as it is (a copy of data in scope
    /// there); an `if` around one that exports the `Option` hands it on.
    pub(super) fn option_set_by(&self, v: Var, k: usize) -> bool {
        let (then_region, else_region) = self.an.branch_regions[&k];
        let mut region = self.an.def_region[v.0];
        let mut inner = None;
        while region != then_region && region != else_region && region != 0 {
            if let RegionKind::Branch(nested) = self.an.regions[region].kind {
                inner = Some(nested);
            }
            region = self.an.regions[region].parent;
        }
        inner.is_none_or(|nested| !self.exported_as_option(v, nested))
    }

    /// What a branch that does not define `v` exports in its place.
    pub(super) fn export_placeholder(&self, v: Var) -> TokenStream {
        match self.snapshot_of.get(&v) {
            // A snapshot: an array of its shape (a `Vec` is empty).
            Some((array, row)) => {
                let info = self.body.array(*array);
                if info.fixed || *row {
                    let zero = match info.elem {
                        Elem::Float => self.zero_for(self.is_dual_array(*array)).into(),
                        Elem::Bool => quote!(false),
                        Elem::Other => quote!(0),
                    };
                    let skip = usize::from(*row);
                    info.lens[skip..].iter().rev().fold(zero, |inner, len| {
                        let len = self.operand(len);
                        quote!([#inner; #len])
                    })
                } else if self.returned.contains(array) {
                    // An array a call returned, whose type the function does not spell out:
                    // `[T; N]` or `Vec<T>` of floats (`Default` only for a concrete float).
                    quote!(<_ as ::autodiff::__private::ReturnedArray<_>>::zeros(0))
                } else if let Some(source) = self.body.block.copied_like(*array) {
                    // A copy of a model's field: zeros of the field's type.
                    self.zeros_like(source, self.is_dual_array(*array))
                } else if info.lens.is_empty() && info.origin == ArrayOrigin::Local {
                    // A copy of an array of a type the function does not spell out.
                    quote!(::core::default::Default::default())
                } else {
                    quote!(::std::vec::Vec::new())
                }
            }
            // A call's result only handed on, of the other branch's shape.
            None if self.handed_on.contains(&v) => {
                quote!(<_ as ::autodiff::__private::HandedOn<_>>::placeholder())
            }
            None => self.dummy(self.body.var(v).ty, self.is_dual(&Operand::Var(v))),
        }
    }

    pub(crate) fn dummy(&self, ty: Ty, dual: bool) -> TokenStream {
        match ty {
            _ if dual => self.zero_for(true).into(),
            Ty::Float => self.zero_for(false).into(),
            Ty::Int => quote!(0),
            Ty::Bool => quote!(false),
            // A passed-through value (a number of some type): the other branch's type decides.
            Ty::Unknown => quote!(::autodiff::__private::placeholder()),
        }
    }

    /// The range of a counted loop; `receiver` when a method is called on it. `double_ended`
    /// asks for a form that runs backwards through adaptors that need an exact size to (a zip
    /// with the tape, `step_by`; the reverse replay of a loop left early takes the first
    /// `trips` counters backwards): `a..=b` written `a..b + 1`, and a range of `i64`, which
    /// has no exact size, counted first.
    pub(crate) fn range(
        &self,
        range: &CountedRange,
        receiver: bool,
        double_ended: bool,
    ) -> TokenStream {
        self.range_of(range, None, receiver, double_ended)
    }

    /// `range`, of a loop whose counter is `counter`: a wide one (`i == n` of an `n: u64`)
    /// makes its range wide, whatever its bounds say (`0..10`).
    pub(crate) fn range_of(
        &self,
        range: &CountedRange,
        counter: Option<Var>,
        receiver: bool,
        double_ended: bool,
    ) -> TokenStream {
        let (s, e) = (self.operand(&range.start), self.operand(&range.end));
        let bare = match (range.inclusive, double_ended) {
            (true, false) => quote!(#s..=#e),
            (true, true) => quote!(#s..#e + 1),
            (false, _) => quote!(#s..#e),
        };
        let wide = [&range.start, &range.end]
            .into_iter()
            .any(|x| super::loops::wide_operand(x, &self.wide))
            || counter.is_some_and(|c| self.wide.contains(&c));
        if double_ended && wide {
            return self.adapted(range, quote!(::autodiff::__private::counted(#bare)));
        }
        if range.adaptors.is_empty() && !receiver {
            return bare;
        }
        self.adapted(range, quote!((#bare)))
    }

    /// `range`'s adaptors applied to `r`.
    fn adapted(&self, range: &CountedRange, mut r: TokenStream) -> TokenStream {
        for a in &range.adaptors {
            r = match a {
                Adaptor::Rev => quote!(#r.rev()),
                Adaptor::StepBy(k) => {
                    let k = self.operand(k);
                    quote!(#r.step_by(#k))
                }
                Adaptor::Skip(k) => {
                    let k = self.operand(k);
                    quote!(#r.skip(#k))
                }
                Adaptor::Take(k) => {
                    let k = self.operand(k);
                    quote!(#r.take(#k))
                }
            };
        }
        r
    }

    /// The snapshots loop `k` tapes that go on a flat tape: copies of a scratch vector declared
    /// at the top level (`vec![0.0; d]`, whose length never changes), taken directly in the
    /// loop's body, in the order the body takes them. Each iteration appends the vector's
    /// elements to one `Vec` (reserved before the loop) instead of pushing a clone of its own.
    fn flat_snapshots(&self, k: usize) -> Vec<Var> {
        let Some(plan) = self.an.loops.get(&k) else {
            return Vec::new();
        };
        let region = self.an.loop_regions[&k];
        let Some(l) = self.loops.get(&k) else {
            return Vec::new();
        };
        // Only the copies calls read (a checkpointed loop's saved state is restored whole).
        let passed = super::call_snapshots(&l.body);
        l.body
            .stmts
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::Let { var, .. } => Some(*var),
                _ => None,
            })
            .filter(|v| {
                plan.taped.contains(v)
                    && passed.contains(v)
                    && self.an.def_region[v.0] == region
                    && self
                        .snapshot_of
                        .get(v)
                        .is_some_and(|(a, row)| !row && self.top_vecs.contains(a))
            })
            .collect()
    }

    /// The values loop `k` pushes on its tape: the taped ones not on a flat snapshot tape.
    pub(super) fn tape_values(&self, plan: &crate::activity::LoopPlan) -> Vec<Var> {
        plan.taped
            .iter()
            .copied()
            .filter(|v| !self.snapshot_buffers.contains_key(v))
            .collect()
    }

    pub(super) fn tape_names(&mut self, k: usize, span: Span) -> (Option<Ident>, Option<Ident>) {
        if let Some(t) = self.tapes.get(&k) {
            return t.clone();
        }
        let flat = self.flat_snapshots(k);
        if !flat.is_empty() {
            let snapshots = self.fresh("snapshots", span);
            self.tape_decls
                .extend([quote!(let mut #snapshots = ::std::vec::Vec::new();)]);
            for v in &flat {
                let buf = self.fresh(&format!("{}_buf", self.body.var(*v).name), span);
                self.tape_decls
                    .extend([quote!(let mut #buf = ::std::vec::Vec::new();)]);
                self.snapshot_buffers.insert(*v, buf);
            }
            self.snapshot_tapes.insert(k, (snapshots, flat));
        }
        let plan = self.an.loops.get(&k);
        // Not the vectors whose reads take the element their fill stores instead.
        let copied: Vec<ArrayId> = plan
            .map(|p| p.copied.as_slice())
            .unwrap_or_default()
            .iter()
            .filter(|&&array| !self.element_filled.contains_key(&(k, array)))
            .copied()
            .collect();
        let copies = copied
            .into_iter()
            .map(|array| {
                let name = &self.body.array(array).name;
                let tape = self.fresh(&format!("{name}_copies"), span);
                self.tape_decls
                    .extend([quote!(let mut #tape = ::std::vec::Vec::new();)]);
                let view = self.fresh(&format!("{name}_saved"), span);
                super::CopyTape { array, tape, view }
            })
            .collect();
        self.copy_tapes.insert(k, copies);
        let has_values = plan.is_some_and(|p| !self.tape_values(p).is_empty());
        let has_bits = plan.is_some_and(|p| !p.bits.is_empty());
        let tape = has_values.then(|| self.fresh("tape", span));
        let bits = has_bits.then(|| self.fresh("decisions", span));
        if let Some(t) = &tape {
            // Numbers go on the stack first (a value of a type the macro does not know is one
            // when a rule computes with it); snapshots of arrays and other values, not
            // necessarily `Copy`, on the heap.
            let decl = if self.scalar_tape(k) {
                let n = proc_macro2::Literal::usize_unsuffixed(self.stack_capacity(k));
                let slots = format_ident!("{}_slots", t);
                quote! {
                    let mut #slots = ::autodiff::__private::tape_slots::<_, #n>();
                    let mut #t = ::autodiff::__private::SlotTape::new(&mut #slots);
                }
            } else {
                quote!(let mut #t = ::std::vec::Vec::new();)
            };
            self.tape_decls.extend([decl]);
        }
        if let Some(b) = &bits {
            self.tape_decls
                .extend([quote!(let mut #b = ::autodiff::__private::BitStack::default();)]);
        }
        self.tapes.insert(k, (tape.clone(), bits.clone()));
        (tape, bits)
    }

    /// Whether a loop's tape holds numbers alone (a `SlotTape`; else a `Vec`).
    pub(super) fn scalar_tape(&self, k: usize) -> bool {
        self.an.loops.get(&k).is_some_and(|p| {
            self.tape_values(p).iter().all(|v| {
                !self.snapshot_of.contains_key(v)
                    && (matches!(self.body.var(*v).ty, Ty::Float | Ty::Int | Ty::Bool)
                        || self.rule_operands.contains(v))
            })
        })
    }

    /// How many of a loop's tape entries are kept on the stack: all of them when the loop
    /// and the loops around it (up to the function or a fused loop, whose iterations empty
    /// the tape) count literal ranges, up to a cap; otherwise the first few.
    fn stack_capacity(&self, k: usize) -> usize {
        const CAP: usize = 256;
        const UNKNOWN: usize = 32;
        let mut total: usize = 1;
        let mut region = self.an.loop_regions[&k];
        while let RegionKind::LoopBody(key) = self.an.regions[region].kind {
            if self.an.fusion.loops.contains_key(&key) {
                break;
            }
            let trips = self.loops.get(&key).and_then(|l| literal_trips(l));
            match trips {
                Some(n) => total = total.saturating_mul(n),
                None => return UNKNOWN,
            }
            region = self.an.regions[region].parent;
        }
        total.clamp(1, CAP)
    }

    pub(super) fn forward_loop(&mut self, l: &Loop) -> TokenStream {
        let k = key(l);
        let active = self.an.has_adjoint.get(&k).copied().unwrap_or(false);
        let (tape, bits) = self.tape_names(k, l.span);
        let plan = self.an.loops.get(&k);
        let fused = self.an.fusion.loops.get(&k).filter(|_| active);
        let (mut out, seeds) = match fused {
            Some(f) => self.seeds(f),
            None => (TokenStream::new(), HashMap::default()),
        };
        let pulled = self.pulled_calls(l, &seeds);
        self.dropped.extend(pulled.keys());
        self.pulled.extend(pulled);
        // Carried values: `let mut x = init;` ... `x = next;` at the end of each iteration.
        let inners: Vec<Var> = l.carried.iter().map(|c| c.inner).collect();
        let updates: Vec<&Carried> = l
            .carried
            .iter()
            .filter(|c| c.next.var() != Some(c.inner))
            .collect();
        for c in &l.carried {
            let v = self.var(c.inner);
            let init = self.carried_value(c.inner, &c.init);
            let m = updates
                .iter()
                .any(|u| u.inner == c.inner)
                .then(|| quote!(mut));
            let ty = (!matches!(c.init, Operand::Var(_))).then(|| self.annotation(c.inner));
            out.extend([quote!(let #m #v #ty = #init;)]);
        }
        let trips = l.trips.filter(|_| active).map(|t| self.var(t));
        if let Some(t) = &trips {
            out.extend([quote!(let mut #t = 0usize;)]);
        }
        self.reserve_frames
            .push((self.an.loop_regions[&k], Vec::new()));
        let untaped = self.untaped;
        self.untaped |= Self::is_segment_loop(l);
        let (mut views, mut viewed) = self.begin_views(l, |_| true);
        let (rows, written) = self.begin_row_writes(l);
        views.extend([rows]);
        viewed.extend(written);
        let mut body = self.forward_block(&l.body);
        self.untaped = untaped;
        if fused.is_some() {
            body.extend([self.fused_reverse(l, &seeds)]);
        }
        self.end_views(viewed);
        let nested_reserves = self
            .reserve_frames
            .pop()
            .map(|(_, r)| r)
            .unwrap_or_default();
        if let Some(t) = &trips {
            body.extend([quote!(#t += 1;)]);
        }
        if !self.untaped {
            for c in &self.copy_tapes[&k] {
                let (tape, a) = (&c.tape, self.array(c.array));
                body.extend([quote!(::autodiff::__private::append_copy(&mut #tape, &#a);)]);
            }
        }
        if let (Some(tape), Some(plan), false) = (&tape, plan, self.untaped) {
            let vals: Vec<Ident> = self
                .tape_values(plan)
                .iter()
                .map(|v| self.var(*v))
                .collect();
            // A counted loop reserved its entries before it ran; a `while` loop's grow.
            let push = match l.kind {
                LoopKind::While { .. } if self.scalar_tape(k) => format_ident!("push_grow"),
                _ => format_ident!("push"),
            };
            body.extend([if vals.len() == 1 {
                quote!(#tape.#push(#(#vals)*);)
            } else {
                quote!(#tape.#push((#(#vals),*));)
            }]);
        }
        if let (Some(bits), Some(plan), false) = (&bits, plan, self.untaped) {
            for b in &plan.bits {
                let b = self.var(*b);
                body.extend([quote!(#bits.push(#b);)]);
            }
        }
        // Parallel assignment when one carried value feeds another.
        let feeds_other = updates
            .iter()
            .any(|u| u.next.var().is_some_and(|n| inners.contains(&n)));
        if feeds_other && updates.len() > 1 {
            let lhs: Vec<Ident> = updates.iter().map(|u| self.var(u.inner)).collect();
            let rhs: Vec<TokenStream> = updates
                .iter()
                .map(|u| self.carried_value(u.inner, &u.next))
                .collect();
            body.extend([quote!((#(#lhs),*) = (#(#rhs),*);)]);
        } else {
            for u in &updates {
                let (v, n) = (self.var(u.inner), self.carried_value(u.inner, &u.next));
                body.extend([quote!(#v = #n;)]);
            }
        }
        if let Some(exit) = &l.exit {
            let e = self.operand(exit);
            body.extend([quote!(if #e { break; })]);
        }
        match &l.kind {
            LoopKind::Counted { counter, range } => {
                let r = self.range(range, false, false);
                let receiver = self.range(range, true, false);
                let trips = quote!(#receiver.size_hint().0);
                let own = range_operands(range);
                let reserve = |tape: Ident, count: TokenStream| Reserve {
                    tape,
                    count,
                    reads: own.clone(),
                };
                // A fused loop empties its nested loops' tapes every iteration.
                let mut reserves: Vec<Reserve> = nested_reserves
                    .into_iter()
                    .map(|mut r| {
                        if fused.is_none() {
                            let per = &r.count;
                            r.count = quote!(#trips * #per);
                            r.reads.extend(&own);
                        }
                        r
                    })
                    .collect();
                reserves.extend(tape.clone().map(|t| reserve(t, trips.clone())));
                for c in &self.copy_tapes[&k] {
                    let a = self.array(c.array);
                    reserves.push(reserve(c.tape.clone(), quote!(#trips * #a.len())));
                }
                if let Some((snapshots, saved)) = self.snapshot_tapes.get(&k) {
                    let lens = saved.iter().map(|v| {
                        let a = self.array(self.snapshot_of[v].0);
                        quote!(#a.len())
                    });
                    reserves.push(reserve(snapshots.clone(), quote!(#trips * (#(#lens)+*))));
                }
                // The first run of a checkpointed loop pushes nothing.
                if self.untaped {
                    reserves.clear();
                }
                // Reserve once for all executions of this loop when the enclosing loop's
                // trip count covers them and what the count reads is defined outside that
                // loop's body (a nested loop's bound too: `0..len` with `len` read in it);
                // otherwise here.
                for r in reserves {
                    match self.reserve_frames.last_mut() {
                        Some((parent_body, frame))
                            if r.reads.iter().all(|v| {
                                !self.an.within(self.an.def_region[v.0], *parent_body)
                            }) =>
                        {
                            frame.push(r);
                        }
                        _ => {
                            let Reserve { tape, count, .. } = r;
                            out.extend([quote!(#tape.reserve(#count);)]);
                        }
                    }
                }
                let reversed_here = fused.is_some() && self.an.required.contains(counter);
                let i = if reversed_here || self.uses_in_forward(*counter, l) {
                    let i = self.var(*counter);
                    quote!(#i)
                } else {
                    quote!(_)
                };
                out.extend([self.with_views(&l.kind, &views, quote!(for #i in #r { #body }))]);
            }
            LoopKind::While { header, cond } => {
                // The trip count is unknown: nested loops reserve once per iteration.
                let reserve: TokenStream = nested_reserves
                    .iter()
                    .map(|Reserve { tape, count, .. }| quote!(#tape.reserve(#count);))
                    .collect();
                body = quote!(#reserve #body);
                let h = self.forward_block(header);
                let c = self.operand(cond);
                let check = if matches!(cond, Operand::Lit(syn::Lit::Bool(b)) if b.value) {
                    TokenStream::new()
                } else {
                    quote!(if !#c { break; })
                };
                out.extend([quote!(loop { #h #check #body })]);
            }
        }
        for c in &l.carried {
            let (o, i) = (self.var(c.out), self.var(c.inner));
            out.extend([quote!(let #o = #i;)]);
        }
        out
    }

    /// Whether `op` is float arithmetic on literals and constants alone (`2.0 * 3.0`), whose
    /// type Rust cannot infer without an annotation when a method is called on it later.
    pub(super) fn computes_from_constants(&self, op: &Op) -> bool {
        let arithmetic = matches!(
            op,
            Op::Copy(_) | Op::Unary(..) | Op::Binary(..) | Op::Prim { .. }
        );
        let mut reads_var = false;
        op.visit_operands(&mut |x| reads_var |= x.var().is_some());
        arithmetic && !reads_var
    }

    /// `: F` for a float value bound to a literal, whose type Rust could not infer from a
    /// method call on it (`let mut s: f64 = 0.0; s = s.sin();`).
    pub(crate) fn annotation(&self, v: Var) -> Option<TokenStream> {
        let is_float = self.body.var(v).ty == Ty::Float;
        match &self.dual {
            Some(dual) if self.is_dual(&Operand::Var(v)) => is_float.then(|| quote!(: #dual)),
            _ => is_float.then(|| {
                let f = &self.float;
                quote!(: #f)
            }),
        }
    }

    /// A carried value's start or next value: a dual number when the carried value is one.
    fn carried_value(&self, inner: Var, op: &Operand) -> TokenStream {
        match self.is_dual(&Operand::Var(inner)) {
            true => self.as_dual(op).into(),
            false => self.operand(op).into(),
        }
    }

    /// On dual numbers, a call of `g` with a dual argument: the arguments of
    /// `g_dual_adjoint` after the call's own, a zero `d_out` and `Const` shadows.
    fn dual_call(&self, args: &[Arg]) -> Option<Vec<TokenStream>> {
        if !self.has_dual_arg(args) {
            return None;
        }
        // (No struct is differentiated on dual numbers: a local one passed whole is data. A
        // tuple's shadow is always there.)
        let shadows = args.iter().filter(|a| match a {
            Arg::Scalar(x) => self.takes_derivative(x),
            Arg::Data { .. } | Arg::Record { path: Some(_), .. } => false,
            Arg::Record { path: None, .. } => true,
            Arg::Array(a) => self.takes_array_shadow(a),
        });
        let consts = shadows.map(|_| quote!(::autodiff::Const));
        // (zero of whatever the callee's `d_out` is: a dual number, or an array of them for a
        // result handed on whole)
        let zero = quote!(::autodiff::__private::zero_cotangent());
        Some([zero].into_iter().chain(consts).collect())
    }

    /// Whether a call reads a dual number (a float, or an array of them).
    /// Whether a derivative flows into any of `args`.
    pub(crate) fn has_active_arg(&self, args: &[Arg]) -> bool {
        let active = |x: &Operand| x.var().is_some_and(|v| self.an.active[v.0]);
        args.iter().any(|a| match a {
            Arg::Scalar(x) => active(x),
            Arg::Data { .. } => false,
            Arg::Record { fields, .. } => fields.iter().any(|(_, x)| active(x)),
            Arg::Array(a) => self.an.active_array[a.array.0],
        })
    }

    pub(crate) fn has_dual_arg(&self, args: &[Arg]) -> bool {
        args.iter().any(|a| match a {
            Arg::Scalar(x) => self.is_dual(x),
            Arg::Data { .. } => false,
            Arg::Record { fields, .. } => fields.iter().any(|(_, x)| self.is_dual(x)),
            Arg::Array(a) => self.is_dual_array(a.array),
        })
    }

    pub(crate) fn uses_in_forward(&self, v: Var, l: &Loop) -> bool {
        let mut used = false;
        l.body.visit_operands(&mut |op| used |= op.var() == Some(v));
        for c in &l.carried {
            used |= c.next.var() == Some(v);
        }
        used |= l.exit.as_ref().and_then(Operand::var) == Some(v);
        used
    }
}

/// The trip count of `for i in a..b` (or `a..=b`, reversed or not) over integer literals.
fn literal_trips(l: &Loop) -> Option<usize> {
    let LoopKind::Counted { range, .. } = &l.kind else {
        return None;
    };
    if range.adaptors.iter().any(|a| !matches!(a, Adaptor::Rev)) {
        return None;
    }
    let int = |x: &Operand| match x {
        Operand::Lit(syn::Lit::Int(i)) => i.base10_parse::<usize>().ok(),
        _ => None,
    };
    let (start, end) = (int(&range.start)?, int(&range.end)?);
    Some(end.saturating_sub(start) + usize::from(range.inclusive && end >= start))
}
