//! Calls in reverse: `g_adjoint(.., d, shadows..)`, with the shadows lent to it and the
//! arguments as the call saw them.

use super::*;
use crate::code::member;

impl Gen<'_> {
    /// A call's arguments as its reverse passes them: `&mut` data the call changed (`Replay`)
    /// as a copy of its state before the call, so that the callee's `_adjoint` runs from what
    /// the call saw, and the user's data is changed once.
    pub(super) fn replaying(&self, args: &[Arg], replays: &[Replay]) -> Vec<Arg> {
        let mut args = args.to_vec();
        for r in replays {
            let (state, span) = (self.var(r.state), self.body.var(r.state).span);
            let replayed = Operand::Const(syn::parse_quote_spanned!(span=>
                &mut ::autodiff::__private::replay_state(&#state)
            ));
            match &mut args[r.position] {
                Arg::Scalar(value) | Arg::Data { value, .. } => *value = replayed,
                Arg::Array(_) | Arg::Record { .. } => {}
            }
        }
        args
    }

    /// `g(..)` in reverse: `g_adjoint(.., d, shadows..)` with an accumulator for each active
    /// float argument and `Const` for the others.
    /// `fallible`: the forward sweep unwrapped the callee's `Ok`, so its `_adjoint` returns
    /// an `Ok` too, which is dropped.
    pub(super) fn reverse_call(
        &mut self,
        callee: &Callee,
        args: &[Arg],
        d: TokenStream,
        fallible: bool,
    ) -> Vec<Piece> {
        let ignore = fallible.then(|| quote!(let _ =));
        self.adjoint_call(callee, args, d, ignore)
    }

    /// `g_adjoint(.., d, shadows..)` after `lhs` (`let _ =`, `let v =`, or nothing), and the
    /// pieces that add up what it pulled back into temporaries.
    pub(super) fn adjoint_call(
        &mut self,
        callee: &Callee,
        args: &[Arg],
        d: TokenStream,
        lhs: Option<TokenStream>,
    ) -> Vec<Piece> {
        let mut adjoint_args: Vec<TokenStream> = args.iter().map(|a| self.adjoint_arg(a)).collect();
        let mut shadows = Vec::new();
        let mut call = Piece::code(TokenStream::new());
        let mut after = Vec::new();
        let mut lent_arrays: HashSet<ArrayId> = HashSet::default();
        let zero = self.zero();
        let (split, parts) = self.split_projections(args);
        call.tokens.extend([split]);
        let field_receiver = self.field_receiver(callee, args);
        let with_data = self.calls_with_data(args) || field_receiver;
        let suffix = Self::item_suffix(self.adjoint_suffix(), with_data);
        for (position, arg) in args.iter().enumerate() {
            match arg {
                // A struct read as data: `Const` where `_with_data` takes one.
                Arg::Data { .. } => {
                    if with_data {
                        shadows.push(quote!(::autodiff::Const));
                    }
                }
                Arg::Scalar(x) => {
                    if !self.takes_derivative(x) {
                        // `_with_data` takes an argument for every parameter.
                        if with_data {
                            shadows.push(quote!(::autodiff::Const));
                        }
                        continue;
                    }
                    let pulled = self.held_back.is_some();
                    match x.var().filter(|v| self.an.active[v.0]) {
                        Some(v)
                            if !pulled
                                && self.param_index(v).is_none()
                                && call.writes.insert(v) =>
                        {
                            let d = self.adj(v);
                            shadows.push(quote!(&mut #d));
                        }
                        Some(v) => {
                            // A parameter's shadow, a value passed twice, or an argument of
                            // a pulled call: a temporary.
                            let tmp = self.fresh("d_arg", Span::call_site());
                            let zero = self.adjoint_zero(v);
                            call.tokens.extend([quote!(let mut #tmp = #zero;)]);
                            shadows.push(quote!(&mut #tmp));
                            let add = self.add_to(x, quote!(#tmp));
                            match &mut self.held_back {
                                Some(held) => held.extend(add),
                                None => after.extend(add),
                            }
                        }
                        None => shadows.push(quote!(::autodiff::Const)),
                    }
                }
                Arg::Record { path, fields, .. } => {
                    let active: Vec<(&String, &Operand)> = fields
                        .iter()
                        .filter(|(_, x)| x.var().is_some_and(|v| self.an.active[v.0]))
                        .map(|(f, x)| (f, x))
                        .collect();
                    if active.is_empty() {
                        shadows.push(quote!(::autodiff::Const));
                        continue;
                    }
                    // Zeros of the struct's type, whose fields are added into theirs after.
                    let tmp = self.fresh("d_arg", Span::call_site());
                    let value = self.rebuilt(path.as_ref(), fields);
                    let zeros = self.record_zeros(path.as_ref(), &value, fields.len());
                    call.tokens.extend([quote!(let mut #tmp = #zeros;)]);
                    shadows.push(quote!(&mut #tmp));
                    for (field, x) in active {
                        let field = member(field);
                        let add = self.add_to(x, quote!(#tmp.#field));
                        match &mut self.held_back {
                            Some(held) => held.extend(add),
                            None => after.extend(add),
                        }
                    }
                }
                Arg::Array(a) => {
                    if !self.takes_array_shadow(a) {
                        // Data: `Const` where `_with_data` takes an argument for it.
                        if with_data {
                            shadows.push(quote!(::autodiff::Const));
                        }
                        continue;
                    }
                    if !self.an.active_array[a.array.0] {
                        shadows.push(quote!(::autodiff::Const));
                        continue;
                    }
                    let slice = self.slice_index(a);
                    if let Some(part) = parts.get(&a.array) {
                        if lent_arrays.insert(a.array) {
                            shadows.push(match &a.row {
                                Some(r) => {
                                    let r = self.operand(r);
                                    let members = &a.members;
                                    let at = quote!([#r] #(.#members)* #slice);
                                    let m = closure_param(&at);
                                    quote!(#part.as_deref_mut().map(|#m| &mut #m #at))
                                }
                                None if slice.is_some() => {
                                    let m = closure_param(&quote!(#slice));
                                    quote!(#part.as_deref_mut().map(|#m| &mut #m #slice))
                                }
                                // (as a field's own shadow is lent: a number's too)
                                None => quote!(#part.as_deref_mut()),
                            });
                            continue;
                        }
                    }
                    let d = self.array_adj(a.array);
                    let is_param = matches!(self.body.array(a.array).origin, ArrayOrigin::Param(_));
                    let row = a.row.as_ref().map(|r| self.operand(r));
                    let bounds = self.slice_bounds(a);
                    let first = lent_arrays.insert(a.array);
                    let field = match self.body.array(a.array).origin {
                        ArrayOrigin::Param(p) => self.sig.params[p].field.is_some(),
                        _ => false,
                    };
                    // (two items of a model's sequence, `d(&g.ps[i], &g.ps[j])`, or two rows
                    // of its matrix: the same, with no part)
                    let item = field && row.is_some() && a.slice.is_none();
                    if !first && (!a.members.is_empty() || item) {
                        // Two parts of items of one sequence (`f(&l.attn, &l.mlp)`): the
                        // second gets zeros of its own type, added into its part after.
                        let tmp = self.fresh("d_arg", Span::call_site());
                        let (name, members) = (self.array(a.array), &a.members);
                        let at = quote!([#row] #(.#members)*);
                        let m = closure_param(&at);
                        call.tokens.extend([quote!(
                            let mut #tmp = ::autodiff::__private::zeros_like(&#name #at);
                        )]);
                        shadows.push(quote!(&mut #tmp));
                        after.push(Piece::code(quote!(::autodiff::__private::add_params(
                            #d.as_deref_mut().map(|#m| &mut #m #at),
                            &#tmp,
                        );)));
                        continue;
                    }
                    if !first && row.is_none() && a.slice.is_none() && self.is_model(a.array) {
                        // The same model twice (`self.dot(self)`): zeros of its type, added
                        // into its shadow after.
                        let tmp = self.fresh("d_arg", Span::call_site());
                        let name = self.array(a.array);
                        let source = match self.is_reference(a.array) {
                            true => name.into_token_stream(),
                            false => quote!(&#name),
                        };
                        call.tokens.extend([quote!(
                            let mut #tmp = ::autodiff::__private::zeros_like(#source);
                        )]);
                        shadows.push(quote!(&mut #tmp));
                        let shadow = self.lent_shadow(a.array, &d);
                        after.push(Piece::code(
                            quote!(::autodiff::__private::add_params(#shadow, &#tmp);),
                        ));
                        continue;
                    }
                    if !first && row.is_none() && a.slice.is_none() && (!is_param || field) {
                        // A local array (`mat_mul(&m, &m)`) or a model's field (`tr(&m.r,
                        // &m.r)`) twice, of a type the function may not write (a call's result,
                        // a matrix): a second accumulator of that type, added after (into the
                        // field's shadow, when it has one).
                        let tmp = self.fresh("d_arg", Span::call_site());
                        let (zeros, add) = match field {
                            true => {
                                let (name, m) =
                                    (self.array(a.array), self.fresh("shadow", Span::call_site()));
                                let add =
                                    quote!(::autodiff::__private::SameShape::add_from(#m, &#tmp););
                                (
                                    quote!(#name),
                                    quote!(if let ::core::option::Option::Some(#m) = #d.as_deref_mut() { #add }),
                                )
                            }
                            false => (
                                quote!(&#d),
                                quote!(::autodiff::__private::SameShape::add_from(&mut #d, &#tmp);),
                            ),
                        };
                        call.tokens.extend([quote!(
                            let mut #tmp = ::autodiff::__private::SameShape::zeros_like(#zeros);
                        )]);
                        shadows.push(quote!(&mut #tmp));
                        after.push(Piece::code(add));
                        continue;
                    }
                    if !first
                        && row.is_none()
                        && a.slice.is_none()
                        && self.body.array(a.array).dims == 2
                    {
                        // A matrix parameter twice (`mat_mul(a, a)`): a second accumulator with
                        // its rows' lengths, added into the shadow after.
                        let tmp = self.fresh("d_arg", Span::call_site());
                        let name = self.array(a.array);
                        let (r, c, rows, g) = (
                            self.fresh("r", Span::call_site()),
                            self.fresh("c", Span::call_site()),
                            self.fresh("row", Span::call_site()),
                            self.fresh("g", Span::call_site()),
                        );
                        call.tokens.extend([quote!(
                            let mut #tmp: ::std::vec::Vec<::std::vec::Vec<_>> =
                                #name.iter().map(|#rows| ::std::vec![#zero; #rows.len()]).collect();
                        )]);
                        shadows.push(quote!(&mut #tmp[..]));
                        after.push(Piece::code(quote!(
                            for (#r, #rows) in #tmp.into_iter().enumerate() {
                                for (#c, #g) in #rows.into_iter().enumerate() {
                                    ::autodiff::MatrixShadow::add_at(&mut #d, #r, #c, #g);
                                }
                            }
                        )));
                        continue;
                    }
                    if !first {
                        // The same array twice (`dot(u, u)`): a second accumulator, added after.
                        let tmp = self.fresh("d_arg", Span::call_site());
                        let len = match a.slice.as_deref() {
                            Some((_, n)) => self.operand(n).into(),
                            None => {
                                // A local array may be out of scope here (declared in a
                                // branch of the forward sweep); its adjoint has its length.
                                let name = match is_param {
                                    true => self.array(a.array).into_token_stream(),
                                    false => d.clone().into_token_stream(),
                                };
                                let row_index = row.as_ref().map(|r| quote!([#r]));
                                quote!(#name #row_index.len())
                            }
                        };
                        call.tokens
                            .extend([quote!(let mut #tmp = ::std::vec![#zero; #len];)]);
                        shadows.push(quote!(&mut #tmp));
                        // (names of their own: the user's `j` may be the row's index)
                        let (at, g) = (
                            self.fresh("at", Span::call_site()),
                            self.fresh("g", Span::call_site()),
                        );
                        let j = match &bounds {
                            Some((Some(start), _)) => quote!(#start + #at),
                            _ => quote!(#at),
                        };
                        let add = match (&row, is_param) {
                            (Some(r), true) => {
                                quote!(::autodiff::MatrixShadow::add_at(&mut #d, #r, #j, #g);)
                            }
                            (Some(r), false) => self.accumulate(quote!(#d[#r][#j]), quote!(#g)),
                            (None, true) => {
                                quote!(::autodiff::SliceShadow::add_at(&mut #d, #j, #g);)
                            }
                            (None, false) => self.accumulate(quote!(#d[#j]), quote!(#g)),
                        };
                        after.push(Piece::code(
                            quote!(for (#at, #g) in #tmp.into_iter().enumerate() { #add }),
                        ));
                        continue;
                    }
                    // A model's field is an `Option<&mut F>`: an element is projected out of
                    // it, whatever it is (a row, or a model of a sequence of them).
                    let row_index = row.as_ref().map(|r| quote!([#r]));
                    let shadow = match (&row, is_param, bounds) {
                        (_, true, _) if field && (row.is_some() || slice.is_some()) => {
                            let members = &a.members;
                            let at = quote!(#row_index #(.#members)* #slice);
                            let m = closure_param(&at);
                            quote!(#d.as_deref_mut().map(|#m| &mut #m #at))
                        }
                        (Some(r), true, None) => {
                            quote!(::autodiff::MatrixShadow::row(&mut #d, #r))
                        }
                        (Some(r), true, Some((start, end))) => {
                            let start = start.map_or(quote!(0), Into::into);
                            quote!(::autodiff::SliceShadow::part(
                                &mut ::autodiff::MatrixShadow::row(&mut #d, #r),
                                #start,
                                #end
                            ))
                        }
                        (None, true, Some((start, end))) => {
                            let start = start.map_or(quote!(0), Into::into);
                            quote!(::autodiff::SliceShadow::part(&mut #d, #start, #end))
                        }
                        (Some(_), false, _) | (None, false, Some(_)) => {
                            quote!(&mut #d #row_index #slice)
                        }
                        (None, _, None) => self.lent_shadow(a.array, &d),
                    };
                    // A model lent with one of its fields (`h(m, &m.w)`): their shadows
                    // overlap, so the model gets an accumulator of its own (a model always
                    // has zeros of its type; a field may be a matrix), added after the call.
                    let encloses_another = arg_arrays(args)
                        .into_iter()
                        .any(|b| self.shadow_encloses(a.array, b));
                    if encloses_another {
                        let tmp = self.fresh("d_arg", Span::call_site());
                        let name = self.array(a.array);
                        // Fields and `&Model` parameters are references already.
                        let source = match &row {
                            Some(r) => quote!(&#name[#r]),
                            None if self.is_reference(a.array) => name.into(),
                            None => quote!(&#name),
                        };
                        call.tokens.extend([quote!(
                            let mut #tmp = ::autodiff::__private::zeros_like(#source);
                        )]);
                        shadows.push(quote!(&mut #tmp));
                        after.push(Piece::code(
                            quote!(::autodiff::__private::add_params(#shadow, &#tmp);),
                        ));
                        continue;
                    }
                    shadows.push(match field_receiver && position == 0 {
                        true => quote!(::autodiff::__receiver_shadow!(#shadow)),
                        false => shadow,
                    });
                }
            }
        }
        let value_args = adjoint_args.clone();
        adjoint_args.push(d);
        let generated = shadows.len();
        adjoint_args.extend(shadows);
        let mut adjoint = callee.call(&suffix, adjoint_args, generated);
        // A field's adjoint only adds; the number is read again where it is wanted.
        if let (Callee::Field(..), Some(_)) = (callee, &lhs) {
            let value = callee.call("", value_args, 0);
            adjoint = quote!({ #adjoint; #value });
        }
        call.tokens.extend([quote!(#lhs #adjoint;)]);
        let mut pieces = vec![call];
        pieces.extend(after);
        pieces
    }

    /// The shadow of a whole array passed to a call, lent as what it refers to, never as
    /// `&mut` the local itself: a local whose address a call took lives in memory, its
    /// length loaded again after every store the compiler cannot tell apart from it.
    fn lent_shadow(&self, array: ArrayId, d: &TokenStream) -> TokenStream {
        let info = self.body.array(array);
        let shape = match info.origin {
            ArrayOrigin::Param(p) => match &self.sig.params[p].kind {
                ParamKind::Array { shape, .. } => Some(&**shape),
                _ => return quote!(&mut #d),
            },
            _ => None,
        };
        match shape {
            Some(Shape::Matrix { .. } | Shape::VecRows) => {
                quote!(::autodiff::MatrixShadow::lend(&mut #d))
            }
            // A model's field passed whole is of a type the function does not name (an
            // array, a matrix, a nested model, a number passed by value): its place is lent as it
            // is, `None` under `Const`.
            Some(Shape::Field { .. }) => quote!(#d.as_deref_mut()),
            Some(_) => quote!(::autodiff::SliceShadow::lend(&mut #d)),
            None if info.dims == 1 => quote!(&mut #d[..]),
            None => quote!(&mut #d),
        }
    }

    /// Fields lent to one call whose shadows are projected from the same enclosing one
    /// (`g(&o.inner, &o.mat)` with `o` also read whole): one borrow of that shadow split into
    /// a part for each (`let (d_part, d_part_1) = match ..`), where two projections would
    /// borrow it twice. Returns the split and each field's part.
    fn split_projections(&mut self, args: &[Arg]) -> (TokenStream, HashMap<ArrayId, Ident>) {
        let mut groups: BTreeMap<usize, Vec<(ArrayId, Vec<syn::Member>)>> = BTreeMap::new();
        for a in args.iter().filter_map(|a| match a {
            Arg::Array(a) => Some(a.array),
            _ => None,
        }) {
            let ArrayOrigin::Param(p) = self.body.array(a).origin else {
                continue;
            };
            let encloses_another = arg_arrays(args)
                .into_iter()
                .any(|b| self.shadow_encloses(a, b));
            if !self.an.active_array[a.0] || encloses_another {
                continue;
            }
            // Grouped by the outermost shadow they are projected from (`o.mat` and
            // `o.inner.w` both from `o`'s, through `o.inner`'s for the second).
            let mut outermost = crate::emit::enclosing(self.sig, p);
            while let Some((outer, rest)) = &outermost {
                match crate::emit::enclosing(self.sig, *outer) {
                    Some((further, mut path)) => {
                        path.extend(rest.iter().cloned());
                        outermost = Some((further, path));
                    }
                    None => break,
                }
            }
            if let Some((outer, rest)) = outermost {
                let group = groups.entry(outer).or_default();
                if group.iter().all(|(b, _)| *b != a) {
                    group.push((a, rest));
                }
            }
        }
        let mut split = TokenStream::new();
        let mut parts = HashMap::default();
        for (outer, fields) in groups.into_iter().filter(|(_, f)| f.len() > 1) {
            self.used_shadows.insert(outer);
            let place = &self.shadows[outer];
            // A projection is a fresh `Option<&mut _>`; a local is reborrowed.
            let source = match crate::emit::enclosing(self.sig, outer) {
                Some(_) => quote!(#place),
                None => quote!(#place.as_deref_mut()),
            };
            let m = local("m", Span::call_site());
            let mut names = Vec::new();
            let mut projections = Vec::new();
            for (array, rest) in &fields {
                self.array_adj(*array);
                let name = self.fresh("d_part", Span::call_site());
                let filter = match self.body.array(*array).origin {
                    ArrayOrigin::Param(p) => self.sig.params[p]
                        .field
                        .as_ref()
                        .map(|f| models::param_field_filter(self.sig, f.model, &f.path)),
                    _ => None,
                };
                projections.push(quote!(Some(&mut #m #(.#rest)*) #filter));
                parts.insert(*array, name.clone());
                names.push(name);
            }
            let nones = std::iter::repeat_n(quote!(None), names.len());
            split.extend([quote!(
                let (#(mut #names),*) = match #source {
                    Some(#m) => (#(#projections),*),
                    None => (#(#nones),*),
                };
            )]);
        }
        (split, parts)
    }

    /// Whether the parameter array `a` is a model and `b` one of its fields, or `a` a field
    /// and `b` a field inside it: `b`'s shadow is part of `a`'s.
    fn shadow_encloses(&self, a: ArrayId, b: ArrayId) -> bool {
        let place = |array: ArrayId| match self.body.array(array).origin {
            ArrayOrigin::Param(p) => Some(match &self.sig.params[p].field {
                Some(field) => (field.model, field.path.as_slice()),
                None => (p, &[][..]),
            }),
            _ => None,
        };
        match (place(a), place(b)) {
            (Some((m, x)), Some((n, y))) => m == n && models::extends(y, x),
            _ => false,
        }
    }

    /// Whether the call is a method's on a model's field (`self.act.apply(x)`, `l.forward(h)`
    /// of `for l in &self.layers`): the field's type, which this function does not see, says
    /// whether the method's block differentiates it (a sub-model) or reads it as data (a
    /// `#[params(skip)]` enum), so the call goes through `_with_data`, which takes either
    /// (`__receiver_shadow!`).
    pub(crate) fn field_receiver(&self, callee: &Callee, args: &[Arg]) -> bool {
        let (Callee::Method(_), Some(Arg::Array(a))) = (callee, args.first()) else {
            return false;
        };
        match self.body.array(a.array).origin {
            ArrayOrigin::Param(p) => self.dual.is_none() && self.sig.params[p].field.is_some(),
            _ => false,
        }
    }

    /// Whether `array` is a model parameter (or a nested model field) passed whole.
    fn is_model(&self, array: ArrayId) -> bool {
        let ArrayOrigin::Param(p) = self.body.array(array).origin else {
            return false;
        };
        matches!(self.sig.params[p].kind, ParamKind::Model { .. })
    }

    /// Whether a parameter array is bound to a reference: a field, `&[T]`, `&Model`.
    pub(super) fn is_reference(&self, array: ArrayId) -> bool {
        let ArrayOrigin::Param(p) = self.body.array(array).origin else {
            // A data struct's field, bound by reference at the top (`let data_c = &data.c;`).
            return self.data_field_param(array).is_some();
        };
        match &self.sig.params[p].kind {
            ParamKind::Model { by_ref, .. } => *by_ref,
            ParamKind::Array { shape, .. } => !shape.by_value(),
            _ => false,
        }
    }

    /// `&x[a..b]` passed to a call: where its elements start in the array (or row), `None`
    /// at the first, and where they end, `a + n`.
    pub(crate) fn slice_bounds(&self, a: &ArrayArg) -> Option<(Option<Code>, TokenStream)> {
        let (start, len) = a.slice.as_deref()?;
        let n = self.operand(len);
        Some(match start.is_zero() {
            true => (None, n.into()),
            false => {
                let s = self.operand(start);
                (Some(s.clone()), quote!(#s + #n))
            }
        })
    }

    /// The index of `&x[a..b]` passed to a call: `[a..a + n]`, or `[..n]` from the start.
    pub(crate) fn slice_index(&self, a: &ArrayArg) -> Option<TokenStream> {
        let (start, end) = self.slice_bounds(a)?;
        Some(quote!([#start..#end]))
    }

    /// What names a callee's adjoint: `g_adjoint`; `g_dual_adjoint` on dual numbers.
    pub(crate) fn adjoint_suffix(&self) -> &'static str {
        match self.dual {
            Some(_) => "dual_adjoint",
            None => "adjoint",
        }
    }

    /// An argument of `g_adjoint`: the array as the call saw it, when it was written again
    /// since. On dual numbers, `g_dual_adjoint`'s float parameters are dual: data are lifted
    /// to constants.
    pub(crate) fn adjoint_arg(&self, arg: &Arg) -> TokenStream {
        let a = match arg {
            // Data of a shape the function does not write (`x` of `for (x, y) in data`),
            // lifted as a number or an array, in the shape the callee takes.
            Arg::Scalar(Operand::Var(v))
                if self.dual.is_some()
                    && self.body.var(*v).shapeless
                    && !self.an.varied[v.0]
                    && crate::lower::primitive_float_type(&self.sig.float).is_some() =>
            {
                let x = self.var(*v);
                return quote!(::autodiff::__private::pass(&::autodiff::__private::lift(&#x)));
            }
            Arg::Scalar(x) if self.dual.is_some() && self.takes_derivative(x) => {
                return self.as_dual(x).into()
            }
            Arg::Scalar(x) => return self.operand(x).into(),
            Arg::Data { .. } | Arg::Record { .. } => return self.arg(arg),
            Arg::Array(a) => a,
        };
        // A snapshot restored from a flat tape is a reference to a `Vec` already.
        let (source, is_ref) = match a.snapshot.filter(|s| self.an.snapshots.contains(s)) {
            Some(saved) => {
                let flat = self.snapshot_buffers.contains_key(&saved);
                let saved = self.var(saved);
                (quote!(#saved), flat)
            }
            None => {
                let name = self.array(a.array);
                let row = a.row.as_ref().map(|r| {
                    let r = self.operand(r);
                    quote!([#r])
                });
                // `*x` of a parameter `x: &[f64; N]`, passed by value: a reference here
                let is_ref = a.deref && row.is_none() && self.is_reference(a.array);
                let members = &a.members;
                (quote!(#name #row #(.#members)*), is_ref)
            }
        };
        // A slice is taken of what the call saw, a snapshot included.
        let (source, is_ref) = match self.slice_bounds(a) {
            Some((start, end)) if is_ref => {
                let start = start.map_or(quote!(0), Into::into);
                let part = quote!(::autodiff::__private::slice_part(#source, #start, #end));
                (part, true)
            }
            Some((start, end)) => (quote!(#source[#start..#end]), false),
            None => (source, is_ref),
        };
        let amp = a.by_ref.then(|| quote!(&));
        // (data rows lent whole stay data: the callee reads them so)
        let lift =
            self.dual.is_some() && self.takes_array_shadow(a) && !self.is_dual_array(a.array);
        if lift {
            let rows = self.body.array(a.array).dims - usize::from(a.row.is_some()) == 2;
            // (a constant's depth is its type's, which is not written here)
            let constant = self.body.array(a.array).origin == ArrayOrigin::Constant
                && !self.is_data_field(a.array)
                && self.data_array_param(a.array).is_none();
            let lift = match (constant, rows) {
                (true, _) => quote!(lift_constant),
                (false, true) => quote!(lift_rows),
                (false, false) => quote!(lift),
            };
            let borrowed = match is_ref {
                true => source,
                false => quote!(&#source),
            };
            let lifted = quote!(::autodiff::__private::#lift(#borrowed));
            // A constant's type is not written here: a number, an array, or a slice
            // reference; `pass` gives the lifted copy the shape the callee takes.
            let constant = self.body.array(a.array).origin == ArrayOrigin::Constant;
            return match (constant, a.by_ref) {
                (true, false) => quote!(::autodiff::__private::pass(&#lifted)),
                _ => quote!(#amp #lifted),
            };
        }
        let info = self.body.array(a.array);
        if info.origin == ArrayOrigin::Constant && !self.is_data_field(a.array) {
            // `#[grad]` cannot see a constant's type: it took this one for float data by its
            // name, and passes a shadow for it. `float_data` says so where the guess is wrong.
            let span = info.span;
            return quote_spanned!(span=> ::autodiff::__private::float_data(#amp #source));
        }
        match (is_ref, a.by_ref) {
            (true, true) => source,
            (true, false) if a.deref => quote!(*#source),
            (true, false) => quote!(#source.clone()),
            (false, _) if self.moved_vec(a) => quote!(::core::clone::Clone::clone(&#source)),
            (false, _) => quote!(#amp #source),
        }
    }
}

/// The results of calls that the body only hands on whole to other calls (`norm(sub(a,
/// b))`, `let t = sub(a, b); norm(t);`, `norm(&Pair { t, u })`): numbers, or arrays returned by value, which the
/// macro cannot tell apart without the callee's type. Their adjoints are made of the result's
/// own shape (`__private::HandedOn`, picked by the compiler; in a function generic over its
/// float too: `add3(add3(a, b), b)` of `[T; 3]`).
pub(super) fn handed_on_results(body: &Body, uses: &HashMap<Var, usize>) -> HashSet<Var> {
    let mut results = Vec::new();
    let mut as_arguments: HashMap<Var, usize> = HashMap::default();
    body.block.for_each_stmt(&mut |stmt| {
        let args = match stmt {
            Stmt::Let {
                var,
                op: Op::Call { args, .. },
            } => {
                results.push(*var);
                args
            }
            Stmt::CallArray { args, .. } => args,
            _ => return,
        };
        // (a field of a struct built at the call, `first(&Pose { rotation, translation })`,
        // is handed on as an argument is)
        let handed = args.iter().flat_map(|arg| match arg {
            Arg::Scalar(x) => vec![x],
            Arg::Record { fields, .. } => fields.iter().map(|(_, x)| x).collect(),
            _ => Vec::new(),
        });
        for x in handed {
            if let Operand::Var(v) = x {
                *as_arguments.entry(*v).or_insert(0) += 1;
            }
        }
    });
    results
        .into_iter()
        .filter(|v| as_arguments.get(v).is_some_and(|n| uses.get(v) == Some(n)))
        .collect()
}
