//! Code passed through as the user wrote it (an opaque expression, what unwraps a fallible
//! call): the locals it names rebound under the names it wrote, to their current values; on
//! dual numbers, the values of the parameters it reads.

use super::*;
use crate::lower::mentioned_names;
use proc_macro2::{Delimiter, TokenTree};

impl Gen<'_> {
    /// `{ let n = n_2; let h = &h_1; expr }`: the user's expression, reading the current
    /// values of the locals it names under the names it wrote.
    pub(super) fn opaque(&self, o: &Opaque) -> TokenStream {
        let tokens = &o.tokens;
        if let Some(borrow) = self.borrow_in_place(o) {
            return borrow;
        }
        let lets = self.captures(o);
        if lets.is_empty() {
            return tokens.clone();
        }
        quote!({ #lets #tokens })
    }

    /// `&k`, `&t.0`, `&picks[i]` of a rebound number or tuple, borrowed where the value lives
    /// (`{ let i = i_1; &picks_1[i] }`): a borrow of the block's own `let k = ..;` would not
    /// outlive the block.
    fn borrow_in_place(&self, o: &Opaque) -> Option<TokenStream> {
        let mut trees = o.tokens.clone().into_iter();
        let amp = match trees.next()? {
            TokenTree::Punct(p) if p.as_char() == '&' => p,
            _ => return None,
        };
        let TokenTree::Ident(root) = trees.next()? else {
            return None;
        };
        let place: Vec<TokenTree> = trees.collect();
        let value: TokenStream = match &o.captures.iter().find(|(name, _)| *name == root)?.1 {
            capture @ (Capture::Value(_) | Capture::Tuple(_)) => self.capture_value(capture),
            _ => return None,
        };
        if !is_place(&place) {
            return None;
        }
        let value = match place.is_empty() || value.clone().into_iter().count() == 1 {
            true => value,
            false => quote!((#value)),
        };
        let mut names = Vec::new();
        mentioned_names(place.iter().cloned().collect(), &mut names);
        let lets = o
            .captures
            .iter()
            .filter(|(name, _)| *name != root || names.iter().any(|(n, _)| n == name));
        let lets: Vec<TokenStream> = lets
            .map(|(name, capture)| {
                let value = self.capture_value(capture);
                quote!(let #name = #value;)
            })
            .collect();
        let borrow = quote!(#amp #value #(#place)*);
        Some(match lets.is_empty() {
            true => borrow,
            false => quote!({ #(#lets)* #borrow }),
        })
    }

    /// The rebinding `let`s of a pass-through expression; on dual numbers, also of the float
    /// parameters it reads under their own names, as their values (`assert!(x > 0.0)`,
    /// `Err(Error::Domain(x))`).
    /// A fallible `call` unwrapped as written. What the unwrapping reads is bound between the
    /// call and it, as for code passed through: the locals under their names, a parameter
    /// that is a dual number as its value (`.ok_or(E::Domain(x))?`).
    pub(crate) fn unwrapped(&self, unwrap: Option<&Unwrap>, call: TokenStream) -> TokenStream {
        let Some(u) = unwrap else {
            return call;
        };
        let mut read = u.suffix.clone();
        read.extend(u.or.as_ref().map(ToTokens::to_token_stream));
        let lets = self.captures(&Opaque {
            tokens: read,
            captures: u.captures.clone(),
            declared: None,
        });
        if lets.is_empty() {
            return Unwrap::apply(unwrap, call);
        }
        let result = local("result", Span::call_site());
        let unwrapped = Unwrap::apply(unwrap, quote!(#result));
        quote!({
            let #result = #call;
            #lets
            #unwrapped
        })
    }

    pub(super) fn captures(&self, o: &Opaque) -> TokenStream {
        let lets = o.captures.iter().map(|(name, capture)| {
            let value = match capture {
                // A local array of a fixed size passed on by value (`hash(corner)` of `let
                // corner = [x as isize, 0];`): a copy, as the user's own (`Copy`) was.
                Capture::Array(a)
                    if self.body.array(*a).fixed
                        && self.body.array(*a).origin == ArrayOrigin::Local
                        && passed_by_value(o.tokens.clone(), name) =>
                {
                    let array = self.array(*a);
                    match self.is_dual_array(*a) {
                        true => quote!(::autodiff::__private::dual_values(&#array)),
                        false => quote!(#array),
                    }
                }
                capture => self.capture_value(capture),
            };
            quote!(let #name = #value;)
        });
        let params = self.dual_params_read(o).into_iter().map(|v| {
            let (name, value) = (self.var(v), self.value_of(&Operand::Var(v)));
            quote!(let #name = #value;)
        });
        let arrays = self.dual_arrays_read(o);
        quote!(#(#lets)* #(#params)* #arrays)
    }

    /// On dual numbers, the float array parameters a pass-through expression names
    /// (`x.iter().any(|&v| v < 0.0)`, `count_positive(x)`), bound to a copy of their values
    /// in the shape the code as written reads.
    fn dual_arrays_read(&self, o: &Opaque) -> TokenStream {
        if self.dual.is_none() {
            return TokenStream::new();
        }
        let mut names = Vec::new();
        crate::lower::mentioned_names(o.tokens.clone(), &mut names);
        let mut out = TokenStream::new();
        for (a, info) in self.body.arrays.iter().enumerate() {
            let ArrayOrigin::Param(p) = info.origin else {
                continue;
            };
            let param = &self.sig.params[p];
            // (A local under the parameter's name is rebound by its capture, to its values.)
            let named = names.iter().any(|(n, _)| *n == param.ident)
                && !o.captures.iter().any(|(c, _)| *c == param.ident);
            if !named || param.field.is_some() || !self.is_dual_array(ArrayId(a)) {
                continue;
            }
            let ident = &param.ident;
            let by_value =
                matches!(&param.kind, ParamKind::Array { shape, .. } if shape.by_value());
            out.extend([match by_value {
                true => quote!(let #ident = ::autodiff::__private::dual_values(&#ident);),
                false => quote!(let #ident = &::autodiff::__private::dual_values(#ident);),
            }]);
        }
        out
    }

    /// On dual numbers, the float parameters a pass-through expression names and does not
    /// capture: dual numbers, where the code as written reads floats.
    fn dual_params_read(&self, o: &Opaque) -> Vec<Var> {
        if self.dual.is_none() {
            return Vec::new();
        }
        let mut names = Vec::new();
        crate::lower::mentioned_names(o.tokens.clone(), &mut names);
        self.body
            .param_vars
            .iter()
            .copied()
            .filter(|&v| self.is_dual(&Operand::Var(v)))
            .filter(|&v| {
                let name = &self.body.var(v).name;
                names.iter().any(|(n, _)| n == name) && !o.captures.iter().any(|(c, _)| c == name)
            })
            .collect()
    }

    /// A number rebound for code passed through: a dual number's value.
    fn captured_number(&self, x: &Operand) -> Code {
        match self.is_dual(x) {
            true => self.value_of(x),
            false => self.float_operand(x),
        }
    }

    /// A local struct rebuilt from its fields' values: `Point { x: x_2, y: t_5 }`.
    pub(crate) fn rebuilt(
        &self,
        path: Option<&syn::Path>,
        fields: &[(String, Operand)],
    ) -> TokenStream {
        let Some(path) = path else {
            // A tuple goes to a `#[grad]` callee: on dual numbers, all of its numbers dual
            // (`_dual_adjoint` takes dual ones, data lifted: `tor(x, (0.8, 0.15))`).
            let dual = self.dual.is_some() || fields.iter().any(|(_, x)| self.is_dual(x));
            let numbers = fields.iter().map(|(_, x)| match dual {
                true => self.as_dual(x),
                false => self.captured_number(x),
            });
            return quote!((#(#numbers,)*));
        };
        let fields = fields.iter().map(|(f, x)| {
            let (f, value) = (format_ident!("{}", f), self.captured_number(x));
            // (a call's result handed on whole may be a `Vec`, which each rebuilding of the
            // struct would move: `Dist { lp: shift(x) }`)
            match x.var().is_some_and(|v| self.handed_on(v)) {
                true => quote!(#f: ::core::clone::Clone::clone(&#value)),
                false => quote!(#f: #value),
            }
        });
        quote!(#path { #(#fields),* })
    }

    /// Zeros of the type of a struct or tuple rebuilt from `fields` (`value`): the shadow or
    /// tangent a call gets for it.
    pub(crate) fn record_zeros(
        &self,
        path: Option<&syn::Path>,
        value: &TokenStream,
        len: usize,
    ) -> TokenStream {
        match path {
            Some(_) => quote!(::autodiff::__private::zeros_like(&#value)),
            None => {
                let zeros = std::iter::repeat_n(self.zero(), len);
                quote!((#(#zeros,)*))
            }
        }
    }

    /// What a pass-through expression's local is rebound to.
    fn capture_value(&self, capture: &Capture) -> TokenStream {
        match capture {
            // A literal keeps the float type the user's `let` gave it; code passed through
            // reads a dual number's value.
            Capture::Value(x) if self.is_dual(x) => self.value_of(x).into(),
            // `let xs = &s.xs;` stays a reference under the user's name (a `Vec` is not
            // `Copy`, and the user's code may dereference it).
            Capture::Value(Operand::Var(v)) if self.body.vars[v.0].reference => {
                self.operand(&Operand::Var(*v)).into()
            }
            Capture::Value(x) => self.float_operand(x).into(),
            Capture::Lent(x) => self.operand(x).into(),
            // A field of a data struct is bound at the top as a reference already; a `Vec`
            // parameter taken by value is lent (a copy under another name would move it).
            Capture::Array(a) if self.is_owned_data(*a) => {
                let array = self.array(*a);
                quote!(&#array)
            }
            Capture::Array(a) if self.is_data_field(*a) => self.array(*a).into(),
            Capture::Array(a) => {
                let array = self.array(*a);
                self.values_if_dual(*a, quote!(&#array))
            }
            Capture::Row(a, i) => {
                let (array, i) = (self.array(*a), self.operand(i));
                self.values_if_dual(*a, quote!(&#array[#i]))
            }
            Capture::Tuple(xs) => {
                let xs = xs.iter().map(|x| self.captured_number(x));
                quote!((#(#xs),*))
            }
            Capture::Record { path, fields } => self.rebuilt(Some(path), fields),
            Capture::Optional {
                some,
                values,
                tuple,
            } => {
                let some = self.operand(some);
                let values = values.iter().map(|x| self.captured_number(x));
                let value = match tuple {
                    true => quote!((#(#values),*)),
                    false => quote!(#(#values)*),
                };
                quote!(if #some {
                    ::core::option::Option::Some(#value)
                } else {
                    ::core::option::Option::None
                })
            }
            Capture::View(s) => {
                let a = self.array(s.array);
                let row = s.row.as_ref().map(|r| {
                    let r = self.operand(r);
                    quote!([#r])
                });
                let (o, n) = (self.operand(&s.offset), self.operand(&s.len));
                self.values_if_dual(s.array, quote!(&#a #row [#o..#o + #n]))
            }
        }
    }

    /// `reference` to (a part of) `array`, as code passed through reads it: on dual numbers,
    /// a reference to a copy of their values (the code is written for floats, `s * row[a]`).
    fn values_if_dual(&self, array: ArrayId, reference: TokenStream) -> TokenStream {
        match self.is_dual_array(array) {
            true => quote!(&::autodiff::__private::dual_values(#reference)),
            false => reference,
        }
    }
}

/// Whether `tokens`, after a local's name, make a place in it: fields (`.0`, `.w`) and indices
/// (`[i]`), no method call.
fn is_place(mut tokens: &[TokenTree]) -> bool {
    loop {
        match tokens {
            [] => return true,
            [TokenTree::Group(g), rest @ ..] if g.delimiter() == Delimiter::Bracket => {
                tokens = rest
            }
            [TokenTree::Punct(dot), TokenTree::Ident(_) | TokenTree::Literal(_), rest @ ..]
                if dot.as_char() == '.' =>
            {
                let called = match rest.first() {
                    Some(TokenTree::Group(g)) => g.delimiter() == Delimiter::Parenthesis,
                    Some(TokenTree::Punct(p)) => p.as_char() == ':',
                    _ => false,
                };
                if called {
                    return false;
                }
                tokens = rest;
            }
            _ => return false,
        }
    }
}

/// Whether `tokens` pass `name` bare as an argument (`hash(corner)`, `t.get(i, corner)`).
fn passed_by_value(tokens: TokenStream, name: &Ident) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Group(g) => {
            let arguments: Vec<TokenTree> = g.stream().into_iter().collect();
            let bare = g.delimiter() == proc_macro2::Delimiter::Parenthesis
                && arguments
                    .split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
                    .any(|argument| matches!(argument, [TokenTree::Ident(i)] if i == name));
            bare || passed_by_value(g.stream(), name)
        }
        _ => false,
    })
}
