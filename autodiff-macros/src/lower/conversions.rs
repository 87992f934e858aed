//! Conversions between number types: `x as f64`, `T::from(x).unwrap()`, `f64::from(x)`,
//! `.into()`. On a differentiated value, into the function's own float type they are the
//! identity; into another, `precision.rs` reports them where the result reads them. And a
//! slice into an array, `x.try_into().unwrap()`: its elements.

use super::*;

impl Lowerer<'_> {
    pub(super) fn lower_cast(&mut self, c: &syn::ExprCast) -> Value {
        let target = type_kind(&c.ty, self.sig);
        // `count(row) as f64`: a function that returns an integer. Not `g(x) as f64` in an
        // `f32` function, which may widen a float: a float `precision` reports where the
        // result reads it, and otherwise (a condition) needs no derivative.
        let integer = if is_other_float(&c.ty, self.sig) {
            None
        } else {
            self.integer_call(&c.expr, target != Ty::Int)
        };
        let value = integer.unwrap_or_else(|| self.lower_expr(&c.expr));
        let x = self.scalar_of(value, &c.expr);
        // Spanned on the type: `x as f64` says where the value goes.
        self.cast_to(x, (*c.ty).clone(), c.ty.span())
    }

    /// `let y: F = x.into();` of a differentiated `x`: the identity into the function's own
    /// float type; into another float type in an `f32` function the conversion `precision`
    /// checks (as `F::from(x)`); anything else an error on the conversion.
    pub(super) fn stated_into(&mut self, init: &Expr, ty: &syn::Type) -> Option<Value> {
        let Expr::MethodCall(m) = init else {
            return None;
        };
        let receiver = m.receiver.to_token_stream();
        if m.method != "into" || !m.args.is_empty() || !self.reads(&receiver).varied {
            return None;
        }
        let x = self.expr_scalar(&m.receiver);
        if type_kind(ty, self.sig) == Ty::Float {
            return Some(Value::Scalar(x));
        }
        if primitive_float_type(ty).is_some() && primitive_float_type(&self.sig.float).is_some() {
            return Some(self.cast_to(x, ty.clone(), m.method.span()));
        }
        let (from, to) = (self.sig.float.to_token_stream(), ty.to_token_stream());
        Some(self.unsupported(
            &m.method,
            &format!("#[grad] cannot differentiate a conversion from `{from}` to `{to}`: it differentiates in one float type per function (`{from}` here), so the derivative would not follow the value; compute in `{from}` throughout"),
        ))
    }

    /// `x as ty`: the identity on a differentiated value (of the function's float type
    /// already). Data keeps its conversion: its type is a guess (`(BIG * 1e-19) as f32` of a
    /// `const BIG: f64`).
    pub(super) fn cast_to(&mut self, x: Operand, ty: syn::Type, span: Span) -> Value {
        let target = type_kind(&ty, self.sig);
        if target == Ty::Float && self.ty(&x) == Ty::Float && self.is_varied(&x) {
            return Value::Scalar(x);
        }
        Value::Scalar(self.let_op("t", target, Op::Cast(x, ty), span))
    }

    /// `.into()` of a differentiated value whose type is not stated (`let y: T = x.into();`
    /// is `stated_into`): the identity in an `f64` function, where no other float type is a
    /// target; in an `f32` or generic one it may widen into `f64`, which the sweeps would
    /// compute in the function's type instead (a wrong value, no error).
    pub(super) fn unstated_into(&mut self, m: &syn::ExprMethodCall, receiver: Operand) -> Value {
        if primitive_float_type(&self.sig.float) == Some("f64") {
            return Value::Scalar(receiver);
        }
        let float = self.sig.float.to_token_stream();
        self.unsupported(
            &m.method,
            &format!("#[grad] converts a differentiated value with `.into()` only into the function's own float type, stated where it is bound (`let y: {float} = x.into();`): it differentiates in one float type per function (`{float}` here), and into `f64` the derivative would not follow the value"),
        )
    }

    /// `T::from(e).unwrap()`, `T::from_f64(e).unwrap()`, `T::from_f32(e).unwrap()`: the
    /// identity on a value of the float type, a conversion otherwise.
    pub(super) fn lower_num_cast(&mut self, m: &syn::ExprMethodCall) -> Option<Value> {
        if m.method != "unwrap" || !m.args.is_empty() {
            return None;
        }
        // `(r * r).to_f64().unwrap()` in an `f64` function (smartcore's metrics): the identity.
        if let Expr::MethodCall(to) = &*m.receiver {
            let own = primitive_float_type(&self.sig.float)
                .is_some_and(|f| to.method == format!("to_{f}") && to.args.is_empty());
            return own.then(|| self.lower_expr(&to.receiver));
        }
        let Expr::Call(call) = &*m.receiver else {
            return None;
        };
        let Expr::Path(p) = &*call.func else {
            return None;
        };
        let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
        // `f64::to_f64(&x[i]).unwrap()`: the same in the path form.
        if let ([ty, to], [arg], Some(f)) = (
            &*segments,
            &*call.args.iter().collect::<Vec<_>>(),
            primitive_float_type(&self.sig.float),
        ) {
            if ty.ident == f && to.ident == format!("to_{f}") {
                let number = match arg {
                    Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
                    arg => arg,
                };
                return Some(self.lower_expr(number));
            }
        }
        let conversion = segments.last().is_some_and(|s| {
            ["from", "from_f64", "from_f32"].contains(&s.ident.to_string().as_str())
        }) && call.args.len() == 1;
        // `num_traits::NumCast::from(x)`: the trait's, into the type the `let` infers, the
        // function's float as far as the sweeps go.
        let by_trait = p.qself.is_none()
            && segments.len() >= 2
            && ["NumCast", "FromPrimitive"]
                .contains(&segments[segments.len() - 2].ident.to_string().as_str());
        let is_from = conversion && (segments.len() == 2 || p.qself.is_some() || by_trait);
        let target = match by_trait {
            true => Some(&segments[segments.len() - 2].ident),
            false => crate::ir::conversion_target(p),
        };
        let (true, Some(target)) = (is_from, target) else {
            return None;
        };
        // A conversion of a constant or of data is kept as written: its argument is of the
        // type the function converts from (`f32::from_f64(1.0 / 2.427)` divides in `f64`).
        let arg = &call.args[0];
        if !self.reads(&arg.to_token_stream()).varied {
            return self.try_opaque(&Expr::MethodCall(m.clone()), false);
        }
        let ty = match by_trait {
            true => Ty::Float,
            false => type_kind_path(target, self.sig),
        };
        let x = self.expr_scalar(arg);
        if ty == Ty::Float && self.ty(&x) == Ty::Float && x.var().is_some() {
            return Some(Value::Scalar(x));
        }
        Some(Value::Scalar(self.let_op(
            "t",
            ty,
            Op::NumCast(p.clone(), x),
            spans::method_call(m),
        )))
    }

    /// `let [a, b]: [f64; 2] = x.try_into().unwrap();` (`.expect(..)`, of `x`, `&x[i..j]`,
    /// `x[i..]`, ..) of a differentiated slice: the length checked as `try_into` checks it,
    /// then the array of its elements, `[x[i], x[i + 1]]` (`std::array::from_fn` for a length
    /// not written as a number), which the statements returned bind as the `let` does. The
    /// length is the type's written on the `let` or the pattern's.
    pub(super) fn slice_into_array(
        &self,
        pat: &Pat,
        annotated: Option<&syn::Type>,
        init: &Expr,
    ) -> Option<Vec<SynStmt>> {
        let (into, adapters) = self.slice_conversion(init)?;
        if into.method != "try_into" || !into.args.is_empty() {
            return None;
        }
        let mut slice = &*into.receiver;
        while let Expr::Paren(syn::ExprParen { expr, .. })
        | Expr::Reference(syn::ExprReference {
            expr,
            mutability: None,
            ..
        }) = slice
        {
            slice = expr;
        }
        let (base, start) = match slice {
            Expr::Index(i) => match &*i.index {
                Expr::Range(r) if !matches!(r.limits, syn::RangeLimits::Closed(_)) => {
                    (&*i.expr, r.start.as_deref())
                }
                _ => return None,
            },
            Expr::Path(_) => (slice, None),
            _ => return None,
        };
        if !matches!(base, Expr::Path(_)) || !self.reads(&base.to_token_stream()).varied {
            return None;
        }
        let len: Expr = match (annotated, pat) {
            (Some(syn::Type::Array(a)), _) => a.len.clone(),
            (None, Pat::Slice(ps)) if !ps.elems.iter().any(stmt::is_rest) => {
                build::int(ps.elems.len())
            }
            _ => return None,
        };
        let span = into.method.span();
        let float = &self.sig.float;
        let ty = annotated
            .cloned()
            .unwrap_or_else(|| syn::parse_quote!([#float; #len]));
        let at = |k: Expr| -> Expr {
            match start {
                Some(s) => syn::parse_quote_spanned!(span=> #base[#s + #k]),
                None => syn::parse_quote_spanned!(span=> #base[#k]),
            }
        };
        let elements: Expr = match &len {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(n),
                ..
            }) => {
                let n: usize = n.base10_parse().ok()?;
                let elements = (0..n).map(|k| at(build::int(k)));
                syn::parse_quote_spanned!(span=> [#(#elements),*])
            }
            _ => {
                let i = quote::format_ident!("{SYNTHETIC}i", span = span);
                let element = at(build::path(&i));
                syn::parse_quote_spanned!(span=> ::std::array::from_fn(|#i| #element))
            }
        };
        let check = match adapters {
            None => {
                syn::parse_quote_spanned!(span=> assert_eq!(#slice.len(), #len, "a slice made into an array of another length");)
            }
            Some(adapters) => {
                let failure = self.conversion_failure(slice, &ty, adapters)?;
                syn::parse_quote_spanned!(span=> if #slice.len() != #len {
                    ::autodiff::__fail!(#failure);
                })
            }
        };
        Some(vec![
            check,
            syn::parse_quote_spanned!(span=> let #pat: #ty = #elements;),
        ])
    }

    /// `x.try_into()` and how it is unwrapped: by `.unwrap()` or `.expect(..)` (`None`: a
    /// slice of another length panics), or by `?` in a fallible function, after `.map_err(f)`
    /// or nothing in one that returns a `Result`, after `.ok()` in one that returns an
    /// `Option` (those adapters).
    fn slice_conversion<'e>(
        &self,
        init: &'e Expr,
    ) -> Option<(&'e syn::ExprMethodCall, Option<proc_macro2::TokenStream>)> {
        let (converted, adapters) = match init {
            Expr::MethodCall(unwrap) if is_unwrap(unwrap) => (&*unwrap.receiver, None),
            Expr::Try(t) => {
                let result = matches!(self.sig.fallible?, crate::sig::Fallible::Result);
                match &*t.expr {
                    Expr::MethodCall(m) if m.method == "map_err" && m.args.len() == 1 && result => {
                        let (method, args) = (&m.method, &m.args);
                        (&*m.receiver, Some(quote!(.#method(#args))))
                    }
                    Expr::MethodCall(m) if m.method == "ok" && m.args.is_empty() && !result => {
                        (&*m.receiver, Some(proc_macro2::TokenStream::new()))
                    }
                    converted if result => (converted, Some(proc_macro2::TokenStream::new())),
                    _ => return None,
                }
            }
            _ => return None,
        };
        match converted {
            Expr::MethodCall(into) => Some((into, adapters)),
            _ => None,
        }
    }

    /// What a fallible function returns where `slice` is not as long as the array `ty`: `None`,
    /// or the error of the conversion, through the `adapters` (`.map_err(f)`) and `From`, as
    /// `?` returns it.
    fn conversion_failure(
        &self,
        slice: &Expr,
        ty: &syn::Type,
        adapters: proc_macro2::TokenStream,
    ) -> Option<Expr> {
        let syn::Type::Array(array) = ty else {
            return None;
        };
        let element = &array.elem;
        Some(match self.sig.fallible? {
            crate::sig::Fallible::Option => syn::parse_quote!(::core::option::Option::None),
            crate::sig::Fallible::Result => syn::parse_quote!(
                ::core::result::Result::Err(::core::convert::From::from(
                    <#ty as ::core::convert::TryFrom<&[#element]>>::try_from(&(#slice)[..])
                        #adapters
                        .err()
                        .expect("a slice of another length")
                ))
            ),
        })
    }
}
