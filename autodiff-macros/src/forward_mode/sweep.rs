//! The tangent sweep: the IR printed back as Rust, each active value followed by its tangent.
//!
//! No tape and no reverse sweep: a value's tangent is computed right after the value, from
//! the tangents of its operands. The derivative of a primitive comes from its row in
//! `rules.rs`: a row gives the adjoint contributions `d_x_i += c_i(d)`, linear in the
//! output's adjoint `d`, and the tangent of the output is `sum_i c_i(t_x_i)`, each
//! contribution with `d` replaced by its operand's tangent. Branches hand their tangents out
//! with their values; loops carry the tangents of the values they carry; each active local
//! array has a tangent array; a call of `g` calls `g_tangent`.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use crate::activity::Analysis;
use crate::code::{member, Code};
use crate::ir::*;
use crate::reverse::Gen;
use crate::sig::Signature;

pub struct Sweep<'a> {
    /// Prints the primal statements as the reverse mode's forward sweep does.
    gen: Gen<'a>,
    body: &'a Body,
    an: &'a Analysis,
    sig: &'a Signature,
    /// The tangent of each active value.
    tangent: HashMap<Var, Ident>,
    /// The tangent array of each active local array.
    array_tangent: HashMap<ArrayId, Ident>,
    /// The tangent argument of each float parameter, by parameter index.
    params: &'a [Option<Ident>],
    /// Local arrays some statement stores into (declared `mut`).
    stored: HashSet<ArrayId>,
}

impl<'a> Sweep<'a> {
    pub fn new(
        body: &'a Body,
        an: &'a Analysis,
        sig: &'a Signature,
        params: &'a [Option<Ident>],
    ) -> Self {
        let mut gen = Gen::new(
            body,
            an,
            sig,
            &[],
            crate::reverse::local("d_out", Span::call_site()),
        );
        // The tangent arguments' names are taken.
        for p in params.iter().flatten() {
            gen.fresh(&p.to_string(), Span::call_site());
        }
        let mut stored = HashSet::new();
        body.block.for_each_stmt(&mut |s| {
            if let Stmt::Store { array, .. } | Stmt::Resize { array, .. } = s {
                stored.insert(*array);
            }
        });
        Sweep {
            gen,
            body,
            an,
            sig,
            tangent: HashMap::new(),
            array_tangent: HashMap::new(),
            params,
            stored,
        }
    }

    /// The primal and tangent statements of the whole body, and the `(value, tangent)` it
    /// ends with.
    pub fn top(&mut self) -> (TokenStream, TokenStream, TokenStream) {
        let mut code = self.block(&self.body.block);
        let (value, tangent) = match self.body.output {
            Some(out) => {
                let value = self.gen.array(out);
                let tangent = if self.an.active_array[out.0] {
                    self.array_tangent(out)
                } else {
                    // An output no parameter reaches: zeros of its shape (made before the
                    // output, a `Vec`, moves into the result).
                    let t = self.gen.fresh("t_out", Span::call_site());
                    code.extend([
                        quote!(let #t = ::autodiff::__private::ZeroShape::of(&#value).zeros();),
                    ]);
                    quote!(#t)
                };
                (value, tangent)
            }
            None => {
                let result = self.body.result.clone();
                (self.gen.operand(&result), self.t(&result))
            }
        };
        (code, value.into(), tangent)
    }

    fn zero(&self) -> TokenStream {
        self.gen.zero().into()
    }

    fn active(&self, op: &Operand) -> bool {
        self.an.is_active(op)
    }

    /// The tangent of an active value: its parameter's tangent argument, or a fresh local.
    fn t_var(&mut self, v: Var) -> Ident {
        if let Some(i) = self.gen.param_index(v) {
            if let Some(t) = &self.params[i] {
                return t.clone();
            }
        }
        if let Some(t) = self.tangent.get(&v) {
            return t.clone();
        }
        let info = self.body.var(v);
        let (name, span) = (format!("t_{}", info.name), info.span);
        let t = self.gen.fresh(&name, span);
        self.tangent.insert(v, t.clone());
        t
    }

    /// The tangent of an operand: zero unless it is active.
    fn t(&mut self, op: &Operand) -> TokenStream {
        match op.var().filter(|v| self.an.active[v.0]) {
            Some(v) => {
                let t = self.t_var(v);
                quote!(#t)
            }
            None => self.zero(),
        }
    }

    /// The tangent of an active array: a parameter's tangent argument, or a local's tangent
    /// array.
    fn array_tangent(&mut self, a: ArrayId) -> TokenStream {
        let info = self.body.array(a);
        if let ArrayOrigin::Param(i) = info.origin {
            let t = &self.params[i];
            return quote!(#t);
        }
        if let Some(t) = self.array_tangent.get(&a) {
            return quote!(#t);
        }
        let (name, span) = (format!("t_{}", info.name), info.span);
        let t = self.gen.fresh(&name, span);
        self.array_tangent.insert(a, t.clone());
        quote!(#t)
    }

    fn block(&mut self, block: &Block) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in &block.stmts {
            out.extend([self.stmt(stmt)]);
        }
        out
    }

    fn stmt(&mut self, stmt: &Stmt) -> TokenStream {
        match stmt {
            // What the call saw is what it sees now: forward mode saves nothing.
            Stmt::Let {
                op: Op::Snapshot { .. },
                ..
            } => TokenStream::new(),
            Stmt::Let { var, op } => self.let_stmt(*var, op),
            Stmt::Store {
                array,
                index,
                value,
            } => {
                let mut out = self.gen.forward_stmt(stmt);
                if self.an.active_array[array.0] {
                    let t = self.array_tangent(*array);
                    let i: Vec<Code> = index.iter().map(|x| self.gen.operand(x)).collect();
                    let tv = self.t(value);
                    out.extend([quote!(#t #([#i])* = #tv;)]);
                }
                out
            }
            Stmt::DeclareArray {
                array,
                fill,
                fixed_lens,
                vec_len,
                row_len,
                like,
            } => {
                let mut out = self.gen.forward_stmt(stmt);
                if self.an.active_array[array.0] {
                    let init = match like {
                        Some(source) => self.gen.zeros_like(*source, false),
                        None => {
                            // A typed zero: the array's type may rest on it alone.
                            let fill = match fill.var().filter(|v| self.an.active[v.0]) {
                                Some(_) => self.t(fill),
                                None if self.sig.float_is_generic => self.zero(),
                                None => self
                                    .gen
                                    .float_operand(&Operand::Lit(syn::parse_quote!(0.0)))
                                    .into(),
                            };
                            self.gen.array_init(
                                fill,
                                fixed_lens,
                                vec_len.as_ref(),
                                row_len.as_ref(),
                            )
                        }
                    };
                    let t = self.array_tangent(*array);
                    let m = self.stored.contains(array).then(|| quote!(mut));
                    out.extend([quote!(let #m #t = #init;)]);
                }
                out
            }
            Stmt::CallArray {
                array,
                callee,
                args,
                tuple,
                unwrap,
                ..
            } => {
                let a = self.gen.array(*array);
                let m = self.stored.contains(array).then(|| quote!(mut));
                let mut args_then_tangents: Vec<TokenStream> =
                    args.iter().map(|x| self.gen.arg(x)).collect();
                if !self.an.active_array[array.0] {
                    let call = callee.call("", args_then_tangents, 0);
                    let call = self.gen.unwrapped(unwrap.as_ref(), call);
                    return match tuple {
                        true => quote!(let #m #a = ::autodiff::__private::tuple_array(#call);),
                        false => quote!(let #m #a = #call;),
                    };
                }
                let t = self.array_tangent(*array);
                let (tangents, with_data) = self.call_tangents(callee, args);
                let generated = tangents.len();
                args_then_tangents.extend(tangents);
                let call = callee.call(
                    &Gen::item_suffix("tangent", with_data),
                    args_then_tangents,
                    generated,
                );
                let call = self.gen.unwrapped(unwrap.as_ref(), call);
                let call = match tuple {
                    true => quote!(::autodiff::__private::tuple_arrays(#call)),
                    false => call,
                };
                quote!(let (#m #a, #m #t) = #call;)
            }
            Stmt::Resize { array, len, .. } => {
                let mut out = self.gen.forward_stmt(stmt);
                if self.an.active_array[array.0] {
                    let (t, n) = (self.array_tangent(*array), self.gen.operand(len));
                    out.extend([resize_to(t, n)]);
                }
                out
            }
            Stmt::Effect(_) => self.gen.forward_stmt(stmt),
            Stmt::If {
                cond,
                then_block,
                else_block,
                phis,
            } => self.if_stmt(cond, then_block, else_block, phis),
            Stmt::Loop(l) => self.loop_stmt(l),
        }
    }

    fn let_stmt(&mut self, var: Var, op: &Op) -> TokenStream {
        if !self.an.active[var.0] {
            return self.gen.definition(var, op);
        }
        let span = self.body.var(var).span;
        let tangent = match op {
            Op::Call {
                callee,
                args,
                unwrap,
                ..
            } => {
                // `let (v, t_v) = g_tangent(args.., tangents..);`
                let v = self.gen.var(var);
                let t = self.t_var(var);
                let mut args_then_tangents: Vec<TokenStream> =
                    args.iter().map(|x| self.gen.arg(x)).collect();
                let (tangents, with_data) = self.call_tangents(callee, args);
                let generated = tangents.len();
                args_then_tangents.extend(tangents);
                let call = callee.call(
                    &Gen::item_suffix("tangent", with_data),
                    args_then_tangents,
                    generated,
                );
                let call = self.gen.unwrapped(unwrap.as_ref(), call);
                return quote_spanned!(span=> let (#v, #t) = #call;);
            }
            Op::Copy(x) => self.t(x),
            Op::Prim { rule, floats, .. } => self.prim_tangent(var, rule, floats, op),
            Op::Load { array, index } => self.load_tangent(*array, index),
            // Nothing else carries a derivative (the reverse sweep gives them none either).
            _ => self.zero(),
        };
        let primal = self.gen.definition(var, op);
        let t = self.t_var(var);
        let f = &self.gen_float();
        quote! {
            #primal
            let #t: #f = #tangent;
        }
    }

    fn gen_float(&self) -> TokenStream {
        let f = &self.sig.float;
        quote!(#f)
    }

    /// `sum_i c_i(t_x_i)` over the active operands: the rule's adjoint contribution to
    /// operand `i`, with the output's adjoint replaced by operand `i`'s tangent.
    fn prim_tangent(
        &mut self,
        var: Var,
        rule: &crate::rules::Rule,
        floats: &[Operand],
        op: &Op,
    ) -> TokenStream {
        let Op::Prim { others, .. } = op else {
            return self.zero();
        };
        let out = self.gen.var(var);
        let x = self.gen.rule_operands(rule, floats);
        let other: Vec<Code> = others.iter().map(|o| self.gen.operand(o)).collect();
        // A zero tangent (of data, or a direction's zero) passes on as zero, not as
        // `0 * inf` where the operand is singular (`sqrt` of a zero feature).
        let zero = self.zero();
        let guarded = rule.may_blow_up(floats, |x| self.an.is_unbounded(x));
        let guard = |d: &TokenStream, term: TokenStream| match guarded {
            true => quote!(if #d == #zero { #zero } else { #term }),
            false => term,
        };
        if let Some((square, operand)) = rule.squared(floats) {
            if !self.active(operand) {
                return self.zero();
            }
            let d = self.t(operand);
            let term = square(&self.gen.cx(x, other, out.into(), d.clone().into()));
            return guard(&d, term);
        }
        let mut terms: Vec<TokenStream> = Vec::new();
        for (i, operand) in floats.iter().enumerate() {
            if !self.active(operand) {
                continue;
            }
            let d = self.t(operand);
            let cx = self.gen.cx(
                x.clone(),
                other.clone(),
                out.clone().into(),
                d.clone().into(),
            );
            if let Some(term) = (rule.adjoint)(&cx).into_iter().nth(i) {
                terms.push(guard(&d, term));
            }
        }
        sum(terms).unwrap_or_else(|| self.zero())
    }

    /// The tangent of `a[i]` (or `a[i][j]`).
    fn load_tangent(&mut self, array: ArrayId, index: &[Operand]) -> TokenStream {
        if !self.an.active_array[array.0] {
            return self.zero();
        }
        let i: Vec<Code> = index.iter().map(|x| self.gen.operand(x)).collect();
        let t = self.array_tangent(array);
        match self.body.array(array).origin {
            ArrayOrigin::Param(_) if i.len() == 2 => {
                quote!(::autodiff::MatrixTangent::at(&#t, #(#i),*))
            }
            ArrayOrigin::Param(_) => quote!(::autodiff::SliceTangent::at(&#t, #(#i),*)),
            ArrayOrigin::Local | ArrayOrigin::Constant => quote!(#t #([#i])*),
        }
    }

    /// The tangent arguments of a call, one per float argument as `g_adjoint` takes one
    /// shadow per float argument: a value's tangent, an array's tangent by reference, or
    /// `Const`; and whether they are for the callee's `_tangent_with_data`.
    fn call_tangents(&mut self, callee: &Callee, args: &[Arg]) -> (Vec<TokenStream>, bool) {
        let mut out = Vec::new();
        let field_receiver = self.gen.field_receiver(callee, args);
        let with_data = self.gen.calls_with_data(args) || field_receiver;
        for (position, arg) in args.iter().enumerate() {
            match arg {
                // A struct read as data: `Const` where `_with_data` takes one.
                Arg::Data { .. } => {
                    if with_data {
                        out.push(quote!(::autodiff::Const));
                    }
                }
                Arg::Scalar(x) => {
                    // The same arguments as the callee's `_adjoint` takes shadows for.
                    if !self.gen.takes_derivative(x) {
                        // `_with_data` takes an argument for every parameter.
                        if with_data {
                            out.push(quote!(::autodiff::Const));
                        }
                        continue;
                    }
                    out.push(match x.var() {
                        // A call's result only handed on: its tangent as `g_tangent` takes
                        // it (an array by reference).
                        Some(v) if self.active(x) && self.gen.handed_on(v) => {
                            let t = self.t(x);
                            quote!(::autodiff::__private::HandedOn::passed(&#t))
                        }
                        _ if self.active(x) => self.t(x),
                        _ => quote!(::autodiff::Const),
                    });
                }
                // A local struct's tangent: zeros of its type, with its fields' tangents.
                Arg::Record { path, fields, .. } => {
                    let mut sets = Vec::new();
                    for (field, x) in fields {
                        if !self.active(x) {
                            continue;
                        }
                        let (field, t) = (member(field), self.t(x));
                        sets.push(quote!(tangent.#field = #t;));
                    }
                    if sets.is_empty() {
                        out.push(quote!(::autodiff::Const));
                        continue;
                    }
                    let value = self.gen.rebuilt(path.as_ref(), fields);
                    let zeros = self.gen.record_zeros(path.as_ref(), &value, fields.len());
                    out.push(quote!(&{
                        let mut tangent = #zeros;
                        #(#sets)*
                        tangent
                    }));
                }
                Arg::Array(a) => {
                    if !self.gen.takes_array_shadow(a) {
                        // Data: `Const` where `_with_data` takes an argument for it.
                        if with_data {
                            out.push(quote!(::autodiff::Const));
                        }
                        continue;
                    }
                    if !self.an.active_array[a.array.0] {
                        out.push(quote!(::autodiff::Const));
                        continue;
                    }
                    let t = self.array_tangent(a.array);
                    let row = a.row.as_ref().map(|r| self.gen.operand(r));
                    let row_index = row.as_ref().map(|r| quote!([#r]));
                    let slice = self.gen.slice_index(a);
                    let (is_param, field) = match self.body.array(a.array).origin {
                        ArrayOrigin::Param(p) => (true, self.sig.params[p].field.is_some()),
                        _ => (false, false),
                    };
                    // A parameter's tangent is a reference already (`Copy`); a model's
                    // field's is an `Option<&F>`, from which an element is projected
                    // (a row, or a model of a sequence of them).
                    out.push(match (row, is_param, self.gen.slice_bounds(a)) {
                        (_, true, _) if field && (row_index.is_some() || slice.is_some()) => {
                            let members = &a.members;
                            let at = quote!(#row_index #(.#members)* #slice);
                            let m = crate::reverse::closure_param(&at);
                            quote!(#t.map(|#m| &#m #at))
                        }
                        (Some(r), true, None) => quote!(::autodiff::MatrixTangent::row(&#t, #r)),
                        (Some(r), true, Some((start, end))) => {
                            let start = start.map_or(quote!(0), Into::into);
                            quote!(::autodiff::SliceTangent::part(
                                &::autodiff::MatrixTangent::row(&#t, #r),
                                #start,
                                #end
                            ))
                        }
                        (None, true, Some((start, end))) => {
                            let start = start.map_or(quote!(0), Into::into);
                            quote!(::autodiff::SliceTangent::part(&#t, #start, #end))
                        }
                        (None, true, None) => quote!(#t),
                        (_, false, _) => quote!(&#t #row_index #slice),
                    });
                    if field_receiver && position == 0 {
                        let t = out.pop();
                        out.push(quote!(::autodiff::__receiver_shadow!(#t)));
                    }
                }
            }
        }
        (out, with_data)
    }

    /// `let (phis.., tangents..) = if c { ..; (values.., tangents..) } else { .. };`
    fn if_stmt(
        &mut self,
        cond: &Operand,
        then_block: &Block,
        else_block: &Block,
        phis: &[Phi],
    ) -> TokenStream {
        let c = self.gen.operand(cond);
        let t = self.block(then_block);
        let e = self.block(else_block);
        let mut outs = Vec::new();
        let mut then_vals = Vec::new();
        let mut else_vals = Vec::new();
        for phi in phis {
            outs.push(self.gen.var(phi.var));
            // Literals on both sides would leave a float phi's type to inference.
            let value = |op: &Operand| match self.body.var(phi.var).ty {
                Ty::Float => self.gen.float_operand(op),
                _ => self.gen.operand(op),
            };
            then_vals.push(value(&phi.then_value));
            else_vals.push(value(&phi.else_value));
        }
        for phi in phis.iter().filter(|p| self.an.active[p.var.0]) {
            let tv = self.t_var(phi.var);
            outs.push(tv);
            let (tt, te) = (self.t(&phi.then_value), self.t(&phi.else_value));
            then_vals.push(tt.into());
            else_vals.push(te.into());
        }
        match outs.len() {
            0 if else_block.stmts.is_empty() => quote!(if #c { #t }),
            0 => quote!(if #c { #t } else { #e }),
            1 => {
                let (o, tv, ev) = (&outs[0], &then_vals[0], &else_vals[0]);
                quote!(let #o = if #c { #t #tv } else { #e #ev };)
            }
            _ => {
                quote!(let (#(#outs),*) = if #c { #t (#(#then_vals),*) } else { #e (#(#else_vals),*) };)
            }
        }
    }

    /// A loop carrying its values and their tangents.
    fn loop_stmt(&mut self, l: &Loop) -> TokenStream {
        let mut out = TokenStream::new();
        let f = self.gen_float();
        let inners: Vec<Var> = l.carried.iter().map(|c| c.inner).collect();
        let updated = |c: &Carried| c.next.var() != Some(c.inner);
        for c in &l.carried {
            let v = self.gen.var(c.inner);
            let init = self.gen.operand(&c.init);
            let m = updated(c).then(|| quote!(mut));
            let ty = (!matches!(c.init, Operand::Var(_)))
                .then(|| self.gen.annotation(c.inner))
                .flatten();
            out.extend([quote!(let #m #v #ty = #init;)]);
            if self.an.active[c.inner.0] {
                let t = self.t_var(c.inner);
                let t_init = self.t(&c.init);
                out.extend([quote!(let #m #t: #f = #t_init;)]);
            }
        }
        let mut body = self.block(&l.body);
        // Carried values and their tangents move on together, in parallel when one carried
        // value feeds another.
        let mut lhs = Vec::new();
        let mut rhs = Vec::new();
        for c in l.carried.iter().filter(|c| updated(c)) {
            lhs.push(self.gen.var(c.inner));
            rhs.push(self.gen.operand(&c.next));
            if self.an.active[c.inner.0] {
                lhs.push(self.t_var(c.inner));
                rhs.push(self.t(&c.next).into());
            }
        }
        let feeds_other = l
            .carried
            .iter()
            .filter(|c| updated(c))
            .any(|c| c.next.var().is_some_and(|n| inners.contains(&n)));
        if feeds_other && lhs.len() > 1 {
            body.extend([quote!((#(#lhs),*) = (#(#rhs),*);)]);
        } else {
            for (l, r) in lhs.iter().zip(&rhs) {
                body.extend([quote!(#l = #r;)]);
            }
        }
        if let Some(exit) = &l.exit {
            let e = self.gen.operand(exit);
            body.extend([quote!(if #e { break; })]);
        }
        match &l.kind {
            LoopKind::Counted { counter, range } => {
                let r = self.gen.range(range, false, false);
                let i = if self.gen.uses_in_forward(*counter, l) {
                    let i = self.gen.var(*counter);
                    quote!(#i)
                } else {
                    quote!(_)
                };
                out.extend([quote!(for #i in #r { #body })]);
            }
            LoopKind::While { header, cond } => {
                let h = self.block(header);
                let c = self.gen.operand(cond);
                let check = if matches!(cond, Operand::Lit(syn::Lit::Bool(b)) if b.value) {
                    TokenStream::new()
                } else {
                    quote!(if !#c { break; })
                };
                out.extend([quote!(loop { #h #check #body })]);
            }
        }
        for c in &l.carried {
            let (o, i) = (self.gen.var(c.out), self.gen.var(c.inner));
            out.extend([quote!(let #o = #i;)]);
            if self.an.active[c.out.0] {
                let (to, ti) = (self.t_var(c.out), self.t_var(c.inner));
                out.extend([quote!(let #to = #ti;)]);
            }
        }
        out
    }
}

/// `a + b - c`: the terms added up, a leading minus turned into a subtraction (exact: a
/// negation is exact in floating point), an `if` in parentheses.
fn sum(terms: Vec<TokenStream>) -> Option<TokenStream> {
    let several = terms.len() > 1;
    let mut out: Option<TokenStream> = None;
    for term in terms {
        let mut tokens: Vec<proc_macro2::TokenTree> = term.into_iter().collect();
        let negative = out.is_some()
            && matches!(tokens.first(), Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '-');
        if negative {
            tokens.remove(0);
        }
        let is_if = matches!(tokens.first(), Some(proc_macro2::TokenTree::Ident(i)) if i == "if");
        let body: TokenStream = tokens.into_iter().collect();
        let body = if is_if && several {
            quote!((#body))
        } else {
            body
        };
        out = Some(match (out, negative) {
            (None, _) => body,
            (Some(acc), false) => quote!(#acc + #body),
            (Some(acc), true) => quote!(#acc - #body),
        });
    }
    out
}
