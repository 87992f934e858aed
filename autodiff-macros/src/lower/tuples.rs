//! Calls of functions that return a tuple of numbers (`let (r, theta) = polar(x, y);`,
//! `polar(x, y).0`): the callee is differentiated as one returning the array of them, so the
//! call is one of an array-valued function whose numbers are read by index.

use syn::spanned::Spanned;

use super::call::CalledArray;
use super::stmt::is_rest;
use super::*;

impl Lowerer<'_> {
    /// `pat` bound to `tuple`, the value of the call just lowered, when that call's arguments
    /// are differentiated: the names bind the numbers of the call made one of an array
    /// (`tuple_call`), those after a `..` counted from its end (`let (phi, .., r) = ..`).
    /// `false` (and nothing changed) when `tuple` is not such a call's value.
    pub(super) fn bind_tuple_of_call(&mut self, pt: &syn::PatTuple, tuple: &Operand) -> bool {
        let rest = pt.elems.iter().position(is_rest);
        let len = rest.is_none().then_some(pt.elems.len());
        let Some(array) = self.tuple_call(tuple, len, pt.span()) else {
            return false;
        };
        let elems: Vec<&Pat> = pt.elems.iter().collect();
        let (before, after) = match rest {
            Some(r) => (&elems[..r], elems.len() - r - 1),
            None => (&elems[..], 0),
        };
        for (i, p) in before.iter().enumerate() {
            let element = self.load(array, vec![index_literal(i, p.span())], p.span());
            self.bind_pattern(p, Value::Scalar(element));
        }
        if after > 0 {
            let span = pt.span();
            let len = self.let_op("len", Ty::Int, Op::Len { array, row: None }, span);
            for (j, p) in elems[elems.len() - after..].iter().enumerate() {
                let back = index_literal(after - j, p.span());
                let index = self.binary(BinOp::Sub, len.clone(), back, p.span());
                let element = self.load(array, vec![index], p.span());
                self.bind_pattern(p, Value::Scalar(element));
            }
        }
        true
    }

    /// `call.k` (`polar(x, y).0`) of a call just lowered to `tuple`, as the number at `k` of
    /// the call made one of an array (`tuple_call`).
    pub(super) fn field_of_call(
        &mut self,
        tuple: &Operand,
        k: usize,
        span: Span,
    ) -> Option<Operand> {
        let array = self.tuple_call(tuple, None, span)?;
        Some(self.load(array, vec![index_literal(k, span)], span))
    }

    /// `value.k` of a tuple of data (what a call on data returns), a number passed through.
    pub(super) fn element_of_data(&mut self, tuple: &Operand, k: usize, span: Span) -> Operand {
        let (name, k) = (proc_macro2::Ident::new("value", span), syn::Index::from(k));
        let read = quote::quote_spanned!(span=> #name.#k);
        self.through_value(name, read, tuple.clone(), Ty::Unknown, span)
    }

    /// The first `count` numbers of the tuple a call just lowered to `tuple` returns (`let p =
    /// polar(x, y);` read as `p.0`, `p.1`), the call made one of an array (`tuple_call`).
    pub(super) fn numbers_of_call(
        &mut self,
        tuple: &Operand,
        count: usize,
        span: Span,
    ) -> Option<Vec<Operand>> {
        let array = self.tuple_call(tuple, None, span)?;
        Some(
            (0..count)
                .map(|k| self.load(array, vec![index_literal(k, span)], span))
                .collect(),
        )
    }

    /// The call whose value `tuple` is, the last statement lowered, made one of an array
    /// (`Stmt::CallArray` with `tuple`), of `len` numbers if known (else the callee's type
    /// tells it): what a call of a function returning a tuple of numbers is where its
    /// arguments are differentiated, or what a fallible one succeeds with (`polar(x, y)?`). `None`
    /// for any other value.
    fn tuple_call(&mut self, tuple: &Operand, len: Option<usize>, span: Span) -> Option<ArrayId> {
        let v = tuple.var().filter(|_| self.is_varied(tuple))?;
        let block = self.blocks.last_mut()?;
        let is_call = matches!(
            block.last(),
            Some(Stmt::Let { var, op: Op::Call { .. } }) if *var == v
        );
        if !is_call {
            return None;
        }
        let Some(Stmt::Let {
            op:
                Op::Call {
                    callee,
                    args,
                    replays,
                    unwrap,
                },
            ..
        }) = block.pop()
        else {
            return None;
        };
        if let Some(d) = unwrap.as_ref().and_then(|u| u.or.as_ref()) {
            self.errors.on(
                d,
                "#[grad] takes what a fallible call returning a tuple succeeds with by `?`, `.unwrap()` or `.expect(..)`, not with a default tuple: have the function return an array (`-> Option<[f64; 2]>`), whose default may be given (`.unwrap_or([0.0, 1.0])`)",
            );
        }
        let written = self.vars[v.0].name.clone();
        let called = CalledArray {
            dims: 1,
            len: len.map(|n| index_literal(n, span)),
            resizable: false,
            tuple: true,
        };
        let array = self.call_into_array(&written, (callee, args, replays), called, unwrap, span);
        Some(array)
    }

    /// The `len` numbers of a tuple the function returns (`return (a, b);`, a call of a
    /// function returning one), zeros beside an error.
    pub(super) fn tuple_numbers(&mut self, value: Value, len: usize, span: Span) -> Vec<Operand> {
        let numbers = match value {
            Value::Tuple(values) if values.len() == len => {
                Some(values.into_iter().map(|v| self.scalar(v, span)).collect())
            }
            Value::Scalar(op) => {
                let numbers = self.numbers_of_call(&op, len, span);
                if numbers.is_none() {
                    self.errors.at(
                        span,
                        format!("#[grad] returns a tuple of {len} numbers written out (`(a, b)`), a call's, or a local bound to either: bind this value to a tuple first, `let (a, b) = ..;`"),
                    );
                }
                numbers
            }
            Value::Error => None,
            _ => {
                self.errors.at(
                    span,
                    format!("#[grad] needs this function to return a tuple of {len} numbers here"),
                );
                None
            }
        };
        numbers.unwrap_or_else(|| vec![self.zero(); len])
    }

    /// The array of the numbers a function returning a tuple ends with, in `slots`: the
    /// function's output.
    pub(super) fn returned_tuple(&mut self, slots: &[usize], span: Span) -> Option<ArrayId> {
        let name = proc_macro2::Ident::new(&format!("{SYNTHETIC}result"), span);
        let float = self.sig.float.clone();
        self.declare_array(&name, &float, &slots.len());
        let Some(Binding::Array(array)) = self.lookup(&name.to_string()) else {
            return None;
        };
        for (i, slot) in slots.iter().enumerate() {
            let value = self.cells[*slot].value.clone();
            self.stored(array);
            self.emit(Stmt::Store {
                array,
                index: vec![index_literal(i, span)],
                value,
            });
        }
        Some(array)
    }
}

/// `k` as the integer literal an index is written with (`0`, not `0usize`).
pub(super) fn index_literal(k: usize, span: Span) -> Operand {
    Operand::Lit(syn::Lit::Int(syn::LitInt::new(&k.to_string(), span)))
}
