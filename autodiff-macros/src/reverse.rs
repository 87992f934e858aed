//! The forward sweep and the reverse sweep, as Rust tokens.
//!
//! The forward sweep is the IR printed back as Rust, plus what the plan asks for: branch
//! values exported through an `if`'s result, loop tapes pushed at the end of an iteration.
//! The reverse sweep walks the IR backwards: each active statement adds its operands'
//! adjoints (rules from `rules.rs`), `if`s replay their decision, loops run backwards,
//! popping what the forward sweep pushed and recomputing what it did not.

use std::collections::{BTreeSet, HashMap, HashSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::activity::{key, Analysis};
use crate::ir::*;
use crate::rules::{self, Cx};
use crate::sig::{ParamKind, Signature};

pub struct Sweeps {
    /// Declarations of tapes, before the forward sweep.
    pub tapes: TokenStream,
    pub forward: TokenStream,
    pub reverse: TokenStream,
    pub result: TokenStream,
    /// Shadow parameters that the reverse sweep adds into (others need no `mut`).
    pub used_shadows: HashSet<usize>,
}

pub struct Gen<'a> {
    body: &'a Body,
    an: &'a Analysis,
    sig: &'a Signature,
    float: TokenStream,
    names: HashSet<String>,
    adjoint: HashMap<Var, Ident>,
    array_adjoint: HashMap<ArrayId, Ident>,
    tapes: HashMap<usize, (Option<Ident>, Option<Ident>)>,
    tape_decls: TokenStream,
    /// Shadow parameter idents, by parameter index.
    shadows: &'a [Option<Ident>],
    used_shadows: HashSet<usize>,
    d_out: Ident,
}

/// A generated local: hygienic (never clashes with user names), located at the user's code.
pub fn local(name: &str, span: Span) -> Ident {
    Ident::new(name, Span::mixed_site().located_at(span))
}

impl<'a> Gen<'a> {
    pub fn new(
        body: &'a Body,
        an: &'a Analysis,
        sig: &'a Signature,
        shadows: &'a [Option<Ident>],
        d_out: Ident,
    ) -> Self {
        let f = &sig.float;
        let mut names: HashSet<String> = body.vars.iter().map(|v| v.name.clone()).collect();
        names.extend(body.arrays.iter().map(|a| a.name.clone()));
        names.extend(shadows.iter().flatten().map(|s| s.to_string()));
        names.insert(d_out.to_string());
        Gen {
            body,
            an,
            sig,
            float: quote!(#f),
            names,
            adjoint: HashMap::new(),
            array_adjoint: HashMap::new(),
            tapes: HashMap::new(),
            tape_decls: TokenStream::new(),
            shadows,
            used_shadows: HashSet::new(),
            d_out,
        }
    }

    fn fresh(&mut self, base: &str, span: Span) -> Ident {
        let name = if self.names.insert(base.to_string()) {
            base.to_string()
        } else {
            (1..)
                .map(|i| format!("{base}_{i}"))
                .find(|n| self.names.insert(n.clone()))
                .unwrap_or_default()
        };
        local(&name, span)
    }

    fn cx_lit(&self, value: f64) -> TokenStream {
        self.cx(Vec::new(), Vec::new(), quote!(), quote!()).lit(value)
    }

    fn zero(&self) -> TokenStream {
        self.cx_lit(0.0)
    }

    fn cx(&self, x: Vec<TokenStream>, other: Vec<TokenStream>, out: TokenStream, d: TokenStream) -> Cx {
        Cx {
            x,
            other,
            out,
            d,
            float: self.float.clone(),
            generic: self.sig.float_is_generic,
        }
    }

    // ----- names ------------------------------------------------------------------------------

    fn param_index(&self, v: Var) -> Option<usize> {
        let i = self.body.param_vars.iter().position(|p| *p == v)?;
        // param_vars holds scalar params in order; map back to the signature index.
        self.sig
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.kind, ParamKind::Float | ParamKind::Int | ParamKind::Bool))
            .nth(i)
            .map(|(idx, _)| idx)
    }

    fn var(&self, v: Var) -> Ident {
        if let Some(i) = self.param_index(v) {
            return self.sig.params[i].ident.clone();
        }
        let info = self.body.var(v);
        local(&info.name, info.span)
    }

    fn array(&self, a: ArrayId) -> TokenStream {
        let info = self.body.array(a);
        match info.origin {
            ArrayOrigin::Param(i) => {
                let ident = &self.sig.params[i].ident;
                quote!(#ident)
            }
            ArrayOrigin::Local => {
                let ident = local(&info.name, info.span);
                quote!(#ident)
            }
        }
    }

    fn operand(&self, op: &Operand) -> TokenStream {
        match op {
            Operand::Var(v) => {
                let ident = self.var(*v);
                quote!(#ident)
            }
            Operand::Lit(l) => quote!(#l),
            Operand::Const(e) => quote!(#e),
        }
    }

    fn adj(&mut self, v: Var) -> Ident {
        if let Some(a) = self.adjoint.get(&v) {
            return a.clone();
        }
        let info = self.body.var(v);
        let (name, span) = (format!("d_{}", info.name), info.span);
        let ident = self.fresh(&name, span);
        self.adjoint.insert(v, ident.clone());
        ident
    }

    fn array_adj(&mut self, a: ArrayId) -> TokenStream {
        let info = self.body.array(a);
        if let ArrayOrigin::Param(i) = info.origin {
            self.used_shadows.insert(i);
            let s = &self.shadows[i];
            return quote!(#s);
        }
        if let Some(ident) = self.array_adjoint.get(&a) {
            return quote!(#ident);
        }
        let (name, span) = (format!("d_{}", info.name), info.span);
        let ident = self.fresh(&name, span);
        self.array_adjoint.insert(a, ident.clone());
        quote!(#ident)
    }

    /// `d_x += e` for an active operand (or `d_x.add(e)` for a scalar parameter).
    fn add_to(&mut self, op: &Operand, e: TokenStream) -> TokenStream {
        let Some(v) = op.var().filter(|v| self.an.active[v.0]) else {
            return TokenStream::new();
        };
        if let Some(i) = self.param_index(v) {
            self.used_shadows.insert(i);
            let s = &self.shadows[i];
            return quote!(::autodiff::Shadow::add(&mut #s, #e););
        }
        let d = self.adj(v);
        self.accumulate(quote!(#d), e)
    }

    /// `target += e`; spelled out for a generic `T: Float`, which has no `+=`.
    fn accumulate(&self, target: TokenStream, e: TokenStream) -> TokenStream {
        if self.sig.float_is_generic {
            quote!(#target = #target + #e;)
        } else {
            quote!(#target += #e;)
        }
    }

    // ----- forward ------------------------------------------------------------------------------

    fn op(&self, op: &Op) -> TokenStream {
        match op {
            Op::Copy(x) => self.operand(x),
            Op::Unary(UnOp::Neg, x) => {
                let x = self.operand(x);
                quote!(-#x)
            }
            Op::Unary(UnOp::Not, x) => {
                let x = self.operand(x);
                quote!(!#x)
            }
            Op::Binary(op, a, b) => {
                let (a, b) = (self.operand(a), self.operand(b));
                let op = binop_tokens(*op);
                quote!(#a #op #b)
            }
            Op::Cast(x, ty) => {
                let x = self.operand(x);
                quote!(#x as #ty)
            }
            Op::NumCast(path, x) => {
                let x = self.operand(x);
                quote!(#path(#x).unwrap())
            }
            Op::Prim { rule, floats, others } => {
                let f: Vec<_> = floats.iter().map(|x| self.operand(x)).collect();
                let o: Vec<_> = others.iter().map(|x| self.operand(x)).collect();
                rules::forward(rule, &f, &o)
            }
            Op::IntMethod { name, receiver, args } => {
                let r = self.operand(receiver);
                let a = args.iter().map(|x| self.operand(x));
                quote!(#r.#name(#(#a),*))
            }
            Op::Call { path, args } => {
                let a = args.iter().map(|a| self.arg(a));
                quote!(#path(#(#a),*))
            }
            Op::Load { array, index } => {
                let a = self.array(*array);
                let i = index.iter().map(|x| self.operand(x));
                quote!(#a #([#i])*)
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

    fn arg(&self, arg: &Arg) -> TokenStream {
        match arg {
            Arg::Scalar(x) => self.operand(x),
            Arg::Array(a) => {
                let name = self.array(a.array);
                let amp = a.by_ref.then(|| quote!(&));
                match &a.row {
                    Some(r) => {
                        let r = self.operand(r);
                        quote!(#amp #name[#r])
                    }
                    None => quote!(#amp #name),
                }
            }
        }
    }

    pub fn forward_block(&mut self, block: &Block) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in &block.stmts {
            out.extend(self.forward_stmt(stmt));
        }
        out
    }

    fn forward_stmt(&mut self, stmt: &Stmt) -> TokenStream {
        match stmt {
            Stmt::Let { var, op } => {
                let v = self.var(*var);
                let e = self.op(op);
                let span = self.body.var(*var).span;
                let ty = matches!(op, Op::Copy(x) if !matches!(x, Operand::Var(_)))
                    .then(|| self.annotation(*var));
                quote_spanned!(span=> let #v #ty = #e;)
            }
            Stmt::Store { array, index, value } => {
                let a = self.array(*array);
                let i = index.iter().map(|x| self.operand(x));
                let value = self.operand(value);
                quote!(#a #([#i])* = #value;)
            }
            Stmt::DeclareArray {
                array,
                fill,
                fixed_lens,
                vec_len,
            } => {
                let a = self.array(*array);
                let init = self.array_init(self.operand(fill), fixed_lens, vec_len.as_ref());
                quote!(let mut #a = #init;)
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

    fn array_init(&self, fill: TokenStream, fixed_lens: &[syn::Expr], vec_len: Option<&Operand>) -> TokenStream {
        let mut init = fill;
        for len in fixed_lens.iter().rev() {
            init = quote!([#init; #len]);
        }
        match vec_len {
            Some(n) => {
                let n = self.operand(n);
                quote!(::std::vec![#init; #n])
            }
            None => init,
        }
    }

    fn forward_if(
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
            then_vals.push(self.operand(&phi.then_value));
            else_vals.push(self.operand(&phi.else_value));
        }
        for v in exports {
            let ident = self.var(v);
            let dummy = self.dummy(self.body.var(v).ty);
            outs.push(ident.clone());
            if self.an.within(self.an.def_region[v.0], then_region) {
                then_vals.push(quote!(#ident));
                else_vals.push(dummy);
            } else {
                then_vals.push(dummy);
                else_vals.push(quote!(#ident));
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
                quote!(let #o = if #c { #t #tv } else { #e #ev };)
            }
            _ => quote!(let (#(#outs),*) = if #c { #t (#(#then_vals),*) } else { #e (#(#else_vals),*) };),
        }
    }

    fn dummy(&self, ty: Ty) -> TokenStream {
        match ty {
            Ty::Float | Ty::Unknown => self.zero(),
            Ty::Int => quote!(0),
            Ty::Bool => quote!(false),
        }
    }

    /// The range of a counted loop; `receiver` when a method is called on it.
    fn range(&self, range: &CountedRange, receiver: bool) -> TokenStream {
        let (s, e) = (self.operand(&range.start), self.operand(&range.end));
        let bare = if range.inclusive {
            quote!(#s..=#e)
        } else {
            quote!(#s..#e)
        };
        if range.adaptors.is_empty() && !receiver {
            return bare;
        }
        let mut r = quote!((#bare));
        for a in &range.adaptors {
            r = match a {
                Adaptor::Rev => quote!(#r.rev()),
                Adaptor::StepBy(k) => {
                    let k = self.operand(k);
                    quote!(#r.step_by(#k))
                }
            };
        }
        r
    }

    fn tape_names(&mut self, k: usize, span: Span) -> (Option<Ident>, Option<Ident>) {
        if let Some(t) = self.tapes.get(&k) {
            return t.clone();
        }
        let plan = self.an.loops.get(&k);
        let has_values = plan.is_some_and(|p| !p.taped.is_empty());
        let has_bits = plan.is_some_and(|p| !p.bits.is_empty());
        let tape = has_values.then(|| self.fresh("tape", span));
        let bits = has_bits.then(|| self.fresh("decisions", span));
        if let Some(t) = &tape {
            self.tape_decls.extend(quote!(let mut #t = ::std::vec::Vec::new();));
        }
        if let Some(b) = &bits {
            self.tape_decls
                .extend(quote!(let mut #b = ::autodiff::__private::BitStack::default();));
        }
        self.tapes.insert(k, (tape.clone(), bits.clone()));
        (tape, bits)
    }

    fn forward_loop(&mut self, l: &Loop) -> TokenStream {
        let k = key(l);
        let active = self.an.has_adjoint.get(&k).copied().unwrap_or(false);
        let (tape, bits) = self.tape_names(k, l.span);
        let plan = self.an.loops.get(&k);
        let mut out = TokenStream::new();
        // Carried values: `let mut x = init;` ... `x = next;` at the end of each iteration.
        let inners: Vec<Var> = l.carried.iter().map(|c| c.inner).collect();
        let updates: Vec<&Carried> = l
            .carried
            .iter()
            .filter(|c| c.next.var() != Some(c.inner))
            .collect();
        for c in &l.carried {
            let v = self.var(c.inner);
            let init = self.operand(&c.init);
            let m = updates.iter().any(|u| u.inner == c.inner).then(|| quote!(mut));
            let ty = (!matches!(c.init, Operand::Var(_))).then(|| self.annotation(c.inner));
            out.extend(quote!(let #m #v #ty = #init;));
        }
        let trips = l.trips.filter(|_| active).map(|t| self.var(t));
        if let Some(t) = &trips {
            out.extend(quote!(let mut #t = 0usize;));
        }
        let mut body = self.forward_block(&l.body);
        if let Some(t) = &trips {
            body.extend(quote!(#t += 1;));
        }
        if let (Some(tape), Some(plan)) = (&tape, plan) {
            let vals: Vec<Ident> = plan.taped.iter().map(|v| self.var(*v)).collect();
            body.extend(if vals.len() == 1 {
                quote!(#tape.push(#(#vals)*);)
            } else {
                quote!(#tape.push((#(#vals),*));)
            });
        }
        if let (Some(bits), Some(plan)) = (&bits, plan) {
            for b in &plan.bits {
                let b = self.var(*b);
                body.extend(quote!(#bits.push(#b);));
            }
        }
        // Parallel assignment when one carried value feeds another.
        let feeds_other = updates
            .iter()
            .any(|u| u.next.var().is_some_and(|n| inners.contains(&n)));
        if feeds_other && updates.len() > 1 {
            let lhs: Vec<Ident> = updates.iter().map(|u| self.var(u.inner)).collect();
            let rhs: Vec<TokenStream> = updates.iter().map(|u| self.operand(&u.next)).collect();
            body.extend(quote!((#(#lhs),*) = (#(#rhs),*);));
        } else {
            for u in &updates {
                let (v, n) = (self.var(u.inner), self.operand(&u.next));
                body.extend(quote!(#v = #n;));
            }
        }
        if let Some(exit) = &l.exit {
            let e = self.operand(exit);
            body.extend(quote!(if #e { break; }));
        }
        match &l.kind {
            LoopKind::Counted { counter, range } => {
                let r = self.range(range, false);
                if let Some(tape) = &tape {
                    let receiver = self.range(range, true);
                    out.extend(quote!(#tape.reserve(#receiver.size_hint().0);));
                }
                let i = if self.uses_in_forward(*counter, l) {
                    let i = self.var(*counter);
                    quote!(#i)
                } else {
                    quote!(_)
                };
                out.extend(quote!(for #i in #r { #body }));
            }
            LoopKind::While { header, cond } => {
                let h = self.forward_block(header);
                let c = self.operand(cond);
                let check = if matches!(cond, Operand::Lit(syn::Lit::Bool(b)) if b.value) {
                    TokenStream::new()
                } else {
                    quote!(if !#c { break; })
                };
                out.extend(quote!(loop { #h #check #body }));
            }
        }
        for c in &l.carried {
            let (o, i) = (self.var(c.out), self.var(c.inner));
            out.extend(quote!(let #o = #i;));
        }
        out
    }

    /// `: F` for a float value bound to a literal, whose type Rust could not infer from a
    /// method call on it (`let mut s: f64 = 0.0; s = s.sin();`).
    fn annotation(&self, v: Var) -> Option<TokenStream> {
        let f = &self.float;
        (self.body.var(v).ty == Ty::Float).then(|| quote!(: #f))
    }

    fn uses_in_forward(&self, v: Var, l: &Loop) -> bool {
        let mut used = false;
        l.body.visit_operands(&mut |op| used |= op.var() == Some(v));
        for c in &l.carried {
            used |= c.next.var() == Some(v);
        }
        used |= l.exit.as_ref().and_then(Operand::var) == Some(v);
        used
    }

    // ----- reverse ------------------------------------------------------------------------------

    /// Declarations `let mut d_v = 0.0;` for the active values defined directly in `region`,
    /// and for local arrays declared there, their adjoint buffers.
    fn declare_adjoints(&mut self, block: &Block, region: usize, result: Option<&Operand>) -> TokenStream {
        let mut out = TokenStream::new();
        let mut vars: Vec<Var> = Vec::new();
        let mut arrays = Vec::new();
        collect_defs(block, &mut vars, &mut arrays);
        if region == 0 {
            vars.extend(self.body.param_vars.iter().copied());
        }
        let zero = self.zero();
        let result_var = result.and_then(Operand::var);
        for v in vars {
            if !self.an.active[v.0] || self.an.def_region[v.0] != region || self.param_index(v).is_some() {
                continue;
            }
            let d = self.adj(v);
            if Some(v) == result_var {
                let d_out = &self.d_out;
                out.extend(quote!(let mut #d = #d_out;));
            } else {
                out.extend(quote!(let mut #d = #zero;));
            }
        }
        for (a, fixed_lens, vec_len) in arrays {
            if !self.an.active_array[a.0] {
                continue;
            }
            let d = self.array_adj(a);
            let init = self.array_init(zero.clone(), &fixed_lens, vec_len.as_ref());
            out.extend(quote!(let mut #d = #init;));
        }
        out
    }

    pub fn reverse_top(&mut self) -> TokenStream {
        let block = &self.body.block;
        let result = self.body.result.clone();
        let mut out = self.declare_adjoints(block, 0, Some(&result));
        if let Some(v) = result.var() {
            if self.an.active[v.0] {
                if let Some(i) = self.param_index(v) {
                    self.used_shadows.insert(i);
                    let (s, d_out) = (&self.shadows[i], &self.d_out);
                    out.extend(quote!(::autodiff::Shadow::add(&mut #s, #d_out);));
                }
            }
        }
        out.extend(self.reverse_stmts(block));
        out
    }

    fn reverse_stmts(&mut self, block: &Block) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in block.stmts.iter().rev() {
            out.extend(self.reverse_stmt(stmt));
        }
        out
    }

    fn reverse_stmt(&mut self, stmt: &Stmt) -> TokenStream {
        match stmt {
            Stmt::Let { var, op } => {
                if !self.an.active[var.0] {
                    return TokenStream::new();
                }
                let span = self.body.var(*var).span;
                let d = self.adj(*var);
                let code = self.reverse_op(*var, op, quote!(#d));
                quote_spanned!(span=> #code)
            }
            Stmt::Store { array, index, value } => {
                if !self.an.active_array[array.0] {
                    return TokenStream::new();
                }
                let d = self.array_adj(*array);
                let i: Vec<_> = index.iter().map(|x| self.operand(x)).collect();
                let slot = quote!(#d #([#i])*);
                let add = self.add_to(value, slot.clone());
                let zero = self.zero();
                quote!(#add #slot = #zero;)
            }
            Stmt::DeclareArray { .. } => TokenStream::new(),
            Stmt::If {
                cond,
                then_block,
                else_block,
                phis,
            } => {
                let k = key(stmt);
                if !self.an.has_adjoint.get(&k).copied().unwrap_or(false) {
                    return TokenStream::new();
                }
                let (then_region, else_region) = self.an.branch_regions[&k];
                let mut then_pro = TokenStream::new();
                let mut else_pro = TokenStream::new();
                for phi in phis {
                    if !self.an.active[phi.var.0] {
                        continue;
                    }
                    let d = self.adj(phi.var);
                    then_pro.extend(self.add_to(&phi.then_value, quote!(#d)));
                    else_pro.extend(self.add_to(&phi.else_value, quote!(#d)));
                }
                let t = self.reverse_region(then_block, then_region, then_pro);
                let e = self.reverse_region(else_block, else_region, else_pro);
                let c = self.operand(cond);
                if e.is_empty() {
                    quote!(if #c { #t })
                } else if t.is_empty() {
                    quote!(if !#c { #e })
                } else {
                    quote!(if #c { #t } else { #e })
                }
            }
            Stmt::Loop(l) => self.reverse_loop(l),
        }
    }

    /// A branch or loop body in reverse: adjoint declarations, `prologue`, statements.
    fn reverse_region(&mut self, block: &Block, region: usize, prologue: TokenStream) -> TokenStream {
        let stmts = self.reverse_stmts(block);
        if stmts.is_empty() && prologue.is_empty() {
            return TokenStream::new();
        }
        let mut out = self.declare_adjoints(block, region, None);
        out.extend(prologue);
        out.extend(stmts);
        out
    }

    fn reverse_op(&mut self, var: Var, op: &Op, d: TokenStream) -> TokenStream {
        match op {
            Op::Copy(x) => self.add_to(x, d),
            Op::Prim { rule, floats, others } => {
                let cx = self.cx(
                    floats.iter().map(|x| self.operand(x)).collect(),
                    others.iter().map(|x| self.operand(x)).collect(),
                    {
                        let o = self.var(var);
                        quote!(#o)
                    },
                    d,
                );
                let contributions = (rule.adjoint)(&cx);
                let mut out = TokenStream::new();
                for (x, c) in floats.iter().zip(contributions) {
                    out.extend(self.add_to(x, c));
                }
                out
            }
            Op::Load { array, index } => {
                if !self.an.active_array[array.0] {
                    return TokenStream::new();
                }
                let i: Vec<_> = index.iter().map(|x| self.operand(x)).collect();
                match self.body.array(*array).origin {
                    ArrayOrigin::Param(p) => {
                        self.used_shadows.insert(p);
                        let s = &self.shadows[p];
                        let (tr, m) = if i.len() == 2 {
                            (quote!(::autodiff::MatrixShadow), quote!(add_at))
                        } else {
                            (quote!(::autodiff::SliceShadow), quote!(add_at))
                        };
                        quote!(#tr::#m(&mut #s, #(#i,)* #d);)
                    }
                    ArrayOrigin::Local => {
                        let a = self.array_adj(*array);
                        self.accumulate(quote!(#a #([#i])*), d)
                    }
                }
            }
            Op::Call { path, args } => self.reverse_call(path, args, d),
            _ => TokenStream::new(),
        }
    }

    /// `g(..)` in reverse: `g_adjoint(.., d, shadows..)` with an accumulator for each active
    /// float argument and `Const` for the others.
    fn reverse_call(&mut self, path: &syn::Path, args: &[Arg], d: TokenStream) -> TokenStream {
        let mut adjoint_path = path.clone();
        if let Some(last) = adjoint_path.segments.last_mut() {
            last.ident = format_ident!("{}_adjoint", last.ident, span = last.ident.span());
        }
        let primal: Vec<TokenStream> = args.iter().map(|a| self.arg(a)).collect();
        let mut shadows = Vec::new();
        let mut before = TokenStream::new();
        let mut after = TokenStream::new();
        let mut lent_vars: HashSet<Var> = HashSet::new();
        let mut lent_arrays: HashSet<ArrayId> = HashSet::new();
        let zero = self.zero();
        for arg in args {
            match arg {
                Arg::Scalar(x) => {
                    let ty = match x {
                        Operand::Var(v) => self.body.var(*v).ty,
                        Operand::Lit(syn::Lit::Float(_)) => Ty::Float,
                        _ => Ty::Unknown,
                    };
                    if ty != Ty::Float {
                        continue;
                    }
                    match x.var().filter(|v| self.an.active[v.0]) {
                        Some(v) if self.param_index(v).is_none() && lent_vars.insert(v) => {
                            let d = self.adj(v);
                            shadows.push(quote!(&mut #d));
                        }
                        Some(_) => {
                            // A parameter's shadow or a value passed twice: a temporary.
                            let tmp = self.fresh("d_arg", Span::call_site());
                            before.extend(quote!(let mut #tmp = #zero;));
                            shadows.push(quote!(&mut #tmp));
                            after.extend(self.add_to(x, quote!(#tmp)));
                        }
                        None => shadows.push(quote!(::autodiff::Const)),
                    }
                }
                Arg::Array(a) => {
                    if self.body.array(a.array).elem != Elem::Float {
                        continue;
                    }
                    if !self.an.active_array[a.array.0] {
                        shadows.push(quote!(::autodiff::Const));
                        continue;
                    }
                    let d = self.array_adj(a.array);
                    let is_param = matches!(self.body.array(a.array).origin, ArrayOrigin::Param(_));
                    if !lent_arrays.insert(a.array) {
                        // The same array twice (`dot(u, u)`): a second accumulator, added after.
                        let tmp = self.fresh("d_arg", Span::call_site());
                        let name = self.array(a.array);
                        let row = a.row.as_ref().map(|r| {
                            let r = self.operand(r);
                            quote!([#r])
                        });
                        before.extend(quote!(let mut #tmp = ::std::vec![#zero; #name #row.len()];));
                        shadows.push(quote!(&mut #tmp));
                        let target = match (&a.row, is_param) {
                            (Some(r), true) => {
                                let r = self.operand(r);
                                quote!(::autodiff::MatrixShadow::add_at(&mut #d, #r, j, g);)
                            }
                            (Some(r), false) => {
                                let r = self.operand(r);
                                self.accumulate(quote!(#d[#r][j]), quote!(g))
                            }
                            (None, true) => quote!(::autodiff::SliceShadow::add_at(&mut #d, j, g);),
                            (None, false) => self.accumulate(quote!(#d[j]), quote!(g)),
                        };
                        after.extend(quote!(for (j, g) in #tmp.into_iter().enumerate() { #target }));
                        continue;
                    }
                    shadows.push(match (&a.row, is_param) {
                        (Some(r), true) => {
                            let r = self.operand(r);
                            quote!(::autodiff::MatrixShadow::row(&mut #d, #r))
                        }
                        (Some(r), false) => {
                            let r = self.operand(r);
                            quote!(&mut #d[#r])
                        }
                        (None, _) => quote!(&mut #d),
                    });
                }
            }
        }
        let call = quote!(#adjoint_path(#(#primal,)* #d, #(#shadows),*););
        if before.is_empty() && after.is_empty() {
            call
        } else {
            quote!({ #before #call #after })
        }
    }

    fn reverse_loop(&mut self, l: &Loop) -> TokenStream {
        let k = key(l);
        if !self.an.has_adjoint.get(&k).copied().unwrap_or(false) {
            return TokenStream::new();
        }
        let body_region = self.an.loop_regions[&k];
        let (tape, bits) = self.tape_names(k, l.span);
        let zero = self.zero();
        let mut out = TokenStream::new();
        // The carried adjoints: at the start of a reverse iteration, the adjoint of the value
        // the forward iteration ended with.
        let active_carried: Vec<&Carried> = l
            .carried
            .iter()
            .filter(|c| self.an.active[c.inner.0])
            .collect();
        for c in &active_carried {
            let d = self.adj(c.inner);
            if self.an.active[c.out.0] {
                let d_out = self.adj(c.out);
                out.extend(quote!(let mut #d = #d_out;));
            } else {
                out.extend(quote!(let mut #d = #zero;));
            }
        }
        let mut body = TokenStream::new();
        let plan = self.an.loops.get(&k);
        if let (Some(tape), Some(plan)) = (&tape, plan) {
            let vals: Vec<Ident> = plan.taped.iter().map(|v| self.var(*v)).collect();
            body.extend(if vals.len() == 1 {
                quote!(let #(#vals)* = ::autodiff::__private::pop(&mut #tape);)
            } else {
                quote!(let (#(#vals),*) = ::autodiff::__private::pop(&mut #tape);)
            });
        }
        if let (Some(bits), Some(plan)) = (&bits, plan) {
            for b in plan.bits.iter().rev() {
                let b = self.var(*b);
                body.extend(quote!(let #b = #bits.pop();));
            }
        }
        if let Some(plan) = plan {
            let recomputed: BTreeSet<Var> = plan.recomputed.clone();
            body.extend(self.recompute(&l.body, &recomputed));
        }
        // Hand the adjoints of the iteration's final values to them, then restart the
        // carried adjoints for the iteration's starting values.
        let mut handoff = TokenStream::new();
        let mut temps = Vec::new();
        for c in &active_carried {
            let d = self.adj(c.inner);
            let t = self.fresh(&format!("{d}_next"), l.span);
            body.extend(quote!(let #t = #d; #d = #zero;));
            temps.push((c.next.clone(), t));
        }
        for (next, t) in temps {
            handoff.extend(self.add_to(&next, quote!(#t)));
        }
        let region_code = self.reverse_region(&l.body, body_region, handoff);
        body.extend(region_code);
        let counter = match &l.kind {
            LoopKind::Counted { counter, range } => {
                let r = self.range(range, true);
                let r = match l.trips.filter(|_| l.exit.is_some()) {
                    Some(t) => {
                        let t = self.var(t);
                        quote!(#r.take(#t).rev())
                    }
                    None => quote!(#r.rev()),
                };
                let i = if self.an.required.contains(counter) {
                    let i = self.var(*counter);
                    quote!(#i)
                } else {
                    quote!(_)
                };
                quote!(for #i in #r)
            }
            LoopKind::While { .. } => {
                let Some(t) = l.trips else {
                    return TokenStream::new();
                };
                let t = self.var(t);
                quote!(for _ in 0..#t)
            }
        };
        out.extend(quote!(#counter { #body }));
        for c in &active_carried {
            let d = self.adj(c.inner);
            out.extend(self.add_to(&c.init, quote!(#d)));
        }
        out
    }

    /// The recomputed values of a loop body, in forward order.
    fn recompute(&self, block: &Block, which: &BTreeSet<Var>) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in &block.stmts {
            if let Stmt::Let { var, op } = stmt {
                if which.contains(var) {
                    let v = self.var(*var);
                    let e = self.op(op);
                    out.extend(quote!(let #v = #e;));
                }
            }
        }
        out
    }

    pub fn finish(self, forward: TokenStream, reverse: TokenStream) -> Sweeps {
        let result = self.operand(&self.body.result);
        Sweeps {
            tapes: self.tape_decls,
            forward,
            reverse,
            result,
            used_shadows: self.used_shadows,
        }
    }
}

fn binop_tokens(op: BinOp) -> TokenStream {
    match op {
        BinOp::Add => quote!(+),
        BinOp::Sub => quote!(-),
        BinOp::Mul => quote!(*),
        BinOp::Div => quote!(/),
        BinOp::Rem => quote!(%),
        BinOp::Eq => quote!(==),
        BinOp::Ne => quote!(!=),
        BinOp::Lt => quote!(<),
        BinOp::Le => quote!(<=),
        BinOp::Gt => quote!(>),
        BinOp::Ge => quote!(>=),
        BinOp::And => quote!(&&),
        BinOp::Or => quote!(||),
        BinOp::BitAnd => quote!(&),
        BinOp::BitOr => quote!(|),
        BinOp::BitXor => quote!(^),
        BinOp::Shl => quote!(<<),
        BinOp::Shr => quote!(>>),
    }
}

type ArrayDecl = (ArrayId, Vec<syn::Expr>, Option<Operand>);

/// Values and local arrays defined in `block`, not looking into nested blocks except for
/// the phis and loop results those define at this level.
fn collect_defs(block: &Block, vars: &mut Vec<Var>, arrays: &mut Vec<ArrayDecl>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let { var, .. } => vars.push(*var),
            Stmt::DeclareArray {
                array,
                fixed_lens,
                vec_len,
                ..
            } => arrays.push((*array, fixed_lens.clone(), vec_len.clone())),
            Stmt::If { phis, .. } => vars.extend(phis.iter().map(|p| p.var)),
            Stmt::Loop(l) => vars.extend(l.carried.iter().map(|c| c.out)),
            Stmt::Store { .. } => {}
        }
    }
}
