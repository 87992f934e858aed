//! The forward sweep and the reverse sweep, as Rust tokens.
//!
//! The forward sweep is the IR printed back as Rust, plus what the plan asks for: branch
//! values exported through an `if`'s result, loop tapes pushed at the end of an iteration.
//! The reverse sweep walks the IR backwards: each active statement adds its operands'
//! adjoints (rules from `rules.rs`), `if`s replay their decision, loops run backwards,
//! popping what the forward sweep pushed and recomputing what it did not.

use std::collections::{BTreeSet, HashMap, HashSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};

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
    /// Where each parameter's adjoint goes (a shadow argument or a model field's), by
    /// parameter index.
    shadows: &'a [Option<TokenStream>],
    used_shadows: HashSet<usize>,
    d_out: Ident,
    /// Snapshot values: the array they copy, and whether it is one row.
    snapshot_of: HashMap<Var, (ArrayId, bool)>,
    /// Local arrays some statement stores into (declared `mut`).
    stored: HashSet<ArrayId>,
    /// Per counted loop being emitted: its body region, and the tape reservations nested
    /// loops hand up to it (tape, entries per iteration of this loop).
    reserve_frames: Vec<(usize, Vec<(Ident, TokenStream)>)>,
}

/// A generated local: hygienic (never clashes with user names), located at the user's code.
pub fn local(name: &str, span: Span) -> Ident {
    Ident::new(&plain_name(name), Span::mixed_site().located_at(span))
}

/// A name built from a raw identifier (`r#match`, `d_r#match`) as a plain one (`match_`,
/// `d_match`).
pub fn plain_name(name: &str) -> String {
    let name = name.replace("r#", "");
    if syn::parse_str::<Ident>(&name).is_ok() {
        name
    } else {
        format!("{name}_")
    }
}

impl<'a> Gen<'a> {
    pub fn new(
        body: &'a Body,
        an: &'a Analysis,
        sig: &'a Signature,
        shadows: &'a [Option<TokenStream>],
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
            snapshot_of: snapshots(&body.block),
            stored: stored_arrays(&body.block),
            reserve_frames: Vec::new(),
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

    fn zero(&self) -> TokenStream {
        rules::float_literal(&self.float, self.sig.float_is_generic, 0.0)
    }

    fn cx(
        &self,
        x: Vec<TokenStream>,
        other: Vec<TokenStream>,
        out: TokenStream,
        d: TokenStream,
    ) -> Cx {
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
            ArrayOrigin::Constant => {
                let path = &info.path;
                quote!(#path)
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

    /// The float operands of a primitive; a method's get typed literals.
    fn rule_operands(&self, rule: &rules::Rule, floats: &[Operand]) -> Vec<TokenStream> {
        match rule.form {
            rules::Form::Method => floats.iter().map(|x| self.float_operand(x)).collect(),
            _ => floats.iter().map(|x| self.operand(x)).collect(),
        }
    }

    /// A float operand of a rule, whose template may call a method on it (`b.ln()` in the
    /// adjoint of `a.log(b)`): a bare literal gets the float type's suffix, since a method
    /// call on `{float}` does not infer its type.
    fn float_operand(&self, op: &Operand) -> TokenStream {
        let typed = match op {
            Operand::Lit(syn::Lit::Float(l))
                if l.suffix().is_empty() && !self.sig.float_is_generic =>
            {
                let repr = format!("{}_{}", l.base10_digits(), self.float);
                let typed = syn::LitFloat::new(&repr, l.span());
                quote!(#typed)
            }
            other => self.operand(other),
        };
        // `(-2.0_f64).ln()`, not `-(2.0_f64.ln())`.
        if matches!(op, Operand::Lit(l) if l.to_token_stream().to_string().starts_with('-')) {
            quote!((#typed))
        } else {
            typed
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
    fn add_to(&mut self, op: &Operand, e: TokenStream) -> Option<Piece> {
        let v = op.var().filter(|v| self.an.active[v.0])?;
        if let Some(i) = self.param_index(v) {
            self.used_shadows.insert(i);
            let s = &self.shadows[i];
            return Some(Piece::code(quote!(::autodiff::Shadow::add(&mut #s, #e);)));
        }
        Some(Piece::add(v, e))
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
            Op::Prim {
                rule,
                floats,
                others,
            } => {
                let f = self.rule_operands(rule, floats);
                let o: Vec<_> = others.iter().map(|x| self.operand(x)).collect();
                rules::forward(rule, &f, &o)
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
            Op::Call { path, args } => {
                let a = args.iter().map(|a| self.arg(a));
                quote!(#path(#(#a),*))
            }
            Op::Load { array, index } => {
                let a = self.array(*array);
                let i = index.iter().map(|x| self.operand(x));
                quote!(#a #([#i])*)
            }
            Op::Opaque(o) => self.opaque(o),
            Op::Snapshot { array, row } => {
                let info = self.body.array(*array);
                let copy = info.fixed || row.is_some();
                let a = self.array(*array);
                let source = match row {
                    Some(r) => {
                        let r = self.operand(r);
                        quote!(#a[#r])
                    }
                    None => a,
                };
                // A fixed-size array is `Copy`; a `Vec` is cloned.
                if copy {
                    source
                } else {
                    quote!(#source.clone())
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

    /// `{ let n = n_2; let h = &h_1; expr }`: the user's expression, reading the current
    /// values of the locals it names under the names it wrote.
    fn opaque(&self, o: &Opaque) -> TokenStream {
        let tokens = &o.tokens;
        if o.captures.is_empty() {
            return tokens.clone();
        }
        let lets = self.captures(o);
        quote!({ #lets #tokens })
    }

    /// The rebinding `let`s of a pass-through expression.
    fn captures(&self, o: &Opaque) -> TokenStream {
        let lets = o.captures.iter().map(|(name, capture)| {
            let value = match capture {
                // A literal keeps the float type the user's `let` gave it.
                Capture::Value(x) => self.float_operand(x),
                Capture::Array(a) => {
                    let a = self.array(*a);
                    quote!(&#a)
                }
                Capture::Row(a, i) => {
                    let (a, i) = (self.array(*a), self.operand(i));
                    quote!(&#a[#i])
                }
                Capture::Tuple(xs) => {
                    let xs = xs.iter().map(|x| self.float_operand(x));
                    quote!((#(#xs),*))
                }
                Capture::View(s) => {
                    let a = self.array(s.array);
                    let row = s.row.as_ref().map(|r| {
                        let r = self.operand(r);
                        quote!([#r])
                    });
                    let (o, n) = (self.operand(&s.offset), self.operand(&s.len));
                    quote!(&#a #row [#o..#o + #n])
                }
            };
            quote!(let #name = #value;)
        });
        quote!(#(#lets)*)
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

    /// `let v: F = op;`, annotated where Rust could not infer the type (a value computed from
    /// literals, a passed-through value whose `let` declared its type).
    fn definition(&self, var: Var, op: &Op) -> TokenStream {
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
        quote_spanned!(span=> let #v #ty = #e;)
    }

    fn forward_stmt(&mut self, stmt: &Stmt) -> TokenStream {
        match stmt {
            Stmt::Let { var, op } => {
                if matches!(op, Op::Snapshot { .. }) && !self.an.snapshots.contains(var) {
                    return TokenStream::new();
                }
                self.definition(*var, op)
            }
            Stmt::Store {
                array,
                index,
                value,
            } => {
                let a = self.array(*array);
                let i = index.iter().map(|x| self.operand(x));
                let value = self.operand(value);
                quote!(#a #([#i])* = #value;)
            }
            Stmt::DeclareArray {
                array,
                like: Some(source),
                ..
            } => {
                let a = self.array(*array);
                let zeros = self.zeros_like(*source);
                quote!(let mut #a = #zeros;)
            }
            Stmt::DeclareArray {
                array,
                fill,
                fixed_lens,
                vec_len,
                like: None,
            } => {
                let a = self.array(*array);
                // A typed fill (`0.0_f64`): the stores may be literals too.
                let fill = match self.body.array(*array).elem {
                    Elem::Float => self.float_operand(fill),
                    Elem::Other => self.operand(fill),
                };
                let init = self.array_init(fill, fixed_lens, vec_len.as_ref());
                quote!(let mut #a = #init;)
            }
            Stmt::CallArray {
                array,
                path,
                args,
                shape,
            } => {
                let a = self.array(*array);
                let args = args.iter().map(|x| self.arg(x));
                let m = self.stored.contains(array).then(|| quote!(mut));
                let mut out = quote!(let #m #a = #path(#(#args),*););
                if self.an.required.contains(shape) {
                    let s = self.var(*shape);
                    out.extend(quote!(let #s = ::autodiff::__private::ZeroShape::of(&#a);));
                }
                out
            }
            Stmt::Effect(o) => {
                let (lets, tokens) = (self.captures(o), &o.tokens);
                if o.captures.is_empty() {
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

    fn array_init(
        &self,
        fill: TokenStream,
        fixed_lens: &[syn::Expr],
        vec_len: Option<&Operand>,
    ) -> TokenStream {
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

    /// Zeros of the type of a parameter array whose type is not written in the function.
    fn zeros_like(&self, source: ArrayId) -> TokenStream {
        let source = self.array(source);
        quote!(::autodiff::__private::ZeroShape::of(#source).zeros())
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
            // Literals on both sides would leave a float phi's type to inference.
            let value = |op: &Operand| match self.body.var(phi.var).ty {
                Ty::Float => self.float_operand(op),
                _ => self.operand(op),
            };
            then_vals.push(value(&phi.then_value));
            else_vals.push(value(&phi.else_value));
        }
        for v in exports {
            let ident = self.var(v);
            let dummy = self.export_placeholder(v);
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
            _ => {
                quote!(let (#(#outs),*) = if #c { #t (#(#then_vals),*) } else { #e (#(#else_vals),*) };)
            }
        }
    }

    /// What a branch that does not define `v` exports in its place.
    fn export_placeholder(&self, v: Var) -> TokenStream {
        match self.snapshot_of.get(&v) {
            // A snapshot: an array of its shape (a `Vec` is empty).
            Some((array, row)) => {
                let info = self.body.array(*array);
                if info.fixed || *row {
                    let zero = match info.elem {
                        Elem::Float => self.zero(),
                        Elem::Other => quote!(0),
                    };
                    let skip = usize::from(*row);
                    info.lens[skip..].iter().rev().fold(zero, |inner, len| {
                        let len = self.operand(len);
                        quote!([#inner; #len])
                    })
                } else {
                    quote!(::std::vec::Vec::new())
                }
            }
            None => self.dummy(self.body.var(v).ty),
        }
    }

    fn dummy(&self, ty: Ty) -> TokenStream {
        match ty {
            Ty::Float => self.zero(),
            Ty::Int => quote!(0),
            Ty::Bool => quote!(false),
            // A passed-through value (a number of some type): the other branch's type decides.
            Ty::Unknown => quote!(::autodiff::__private::placeholder()),
        }
    }

    /// The range of a counted loop; `receiver` when a method is called on it. `exclusive`
    /// writes `a..=b` as `a..b + 1`, whose adaptors are double-ended with an exact size (the
    /// reverse replay of a loop left early takes the first `trips` counters backwards).
    fn range(&self, range: &CountedRange, receiver: bool, exclusive: bool) -> TokenStream {
        let (s, e) = (self.operand(&range.start), self.operand(&range.end));
        let bare = match (range.inclusive, exclusive) {
            (true, false) => quote!(#s..=#e),
            (true, true) => quote!(#s..#e + 1),
            (false, _) => quote!(#s..#e),
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
            self.tape_decls
                .extend(quote!(let mut #t = ::std::vec::Vec::new();));
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
            let m = updates
                .iter()
                .any(|u| u.inner == c.inner)
                .then(|| quote!(mut));
            let ty = (!matches!(c.init, Operand::Var(_))).then(|| self.annotation(c.inner));
            out.extend(quote!(let #m #v #ty = #init;));
        }
        let trips = l.trips.filter(|_| active).map(|t| self.var(t));
        if let Some(t) = &trips {
            out.extend(quote!(let mut #t = 0usize;));
        }
        self.reserve_frames
            .push((self.an.loop_regions[&k], Vec::new()));
        let mut body = self.forward_block(&l.body);
        let nested_reserves = self
            .reserve_frames
            .pop()
            .map(|(_, r)| r)
            .unwrap_or_default();
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
                let r = self.range(range, false, false);
                let receiver = self.range(range, true, false);
                let trips = quote!(#receiver.size_hint().0);
                let mut reserves: Vec<(Ident, TokenStream)> = nested_reserves
                    .into_iter()
                    .map(|(t, per)| (t, quote!(#trips * #per)))
                    .collect();
                reserves.extend(tape.clone().map(|t| (t, trips.clone())));
                // Reserve once for all executions of this loop when the enclosing loop's
                // trip count covers them; otherwise here.
                match self.reserve_frames.last_mut() {
                    Some((parent_body, frame))
                        if range_operands(range)
                            .iter()
                            .all(|v| !self.an.within(self.an.def_region[v.0], *parent_body)) =>
                    {
                        frame.extend(reserves);
                    }
                    _ => {
                        for (t, n) in reserves {
                            out.extend(quote!(#t.reserve(#n);));
                        }
                    }
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
                // The trip count is unknown: nested loops reserve once per iteration.
                let reserve: TokenStream = nested_reserves
                    .iter()
                    .map(|(t, n)| quote!(#t.reserve(#n);))
                    .collect();
                body = quote!(#reserve #body);
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

    /// Whether `op` is float arithmetic on literals and constants alone (`2.0 * 3.0`), whose
    /// type Rust cannot infer without an annotation when a method is called on it later.
    fn computes_from_constants(&self, op: &Op) -> bool {
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

    /// The reverse sweep of the whole body.
    pub fn reverse_top(&mut self) -> TokenStream {
        let block = &self.body.block;
        let d_out = self.d_out.clone();
        let mut pieces: Vec<Piece> = match self.body.output {
            // The result's adjoint starts as `d_out` (its buffer starts at zero).
            Some(out) if self.an.active_array[out.0] => {
                let d = self.array_adj(out);
                let (g, s) = (format_ident!("g"), format_ident!("s"));
                let add = self.accumulate(quote!(*#g), quote!(*#s));
                vec![Piece::code(quote!(
                    ::autodiff::__private::check_cotangent(#d_out.len(), #d.len());
                    for (#g, #s) in #d.iter_mut().zip(#d_out.iter()) { #add }
                ))]
            }
            Some(_) => Vec::new(),
            None => {
                let result = self.body.result.clone();
                self.add_to(&result, quote!(#d_out)).into_iter().collect()
            }
        };
        pieces.extend(self.reverse_stmts(block));
        let buffers = self.array_buffers(block);
        self.finalize(pieces, block, 0, buffers).tokens
    }

    fn reverse_stmts(&mut self, block: &Block) -> Vec<Piece> {
        let mut out = Vec::new();
        for stmt in block.stmts.iter().rev() {
            out.extend(self.reverse_stmt(stmt));
        }
        out
    }

    fn reverse_stmt(&mut self, stmt: &Stmt) -> Vec<Piece> {
        match stmt {
            Stmt::Let { var, op } => {
                if !self.an.active[var.0] {
                    return Vec::new();
                }
                let d = self.adj(*var);
                let mut pieces = self.reverse_op(*var, op, quote!(#d));
                for p in &mut pieces {
                    p.reads.insert(*var);
                }
                pieces
            }
            Stmt::Store {
                array,
                index,
                value,
            } => {
                if !self.an.active_array[array.0] {
                    return Vec::new();
                }
                let d = self.array_adj(*array);
                let i: Vec<_> = index.iter().map(|x| self.operand(x)).collect();
                let slot = quote!(#d #([#i])*);
                let zero = self.zero();
                let mut pieces: Vec<Piece> = self.add_to(value, slot.clone()).into_iter().collect();
                pieces.push(Piece::code(quote!(#slot = #zero;)));
                pieces
            }
            Stmt::CallArray {
                array, path, args, ..
            } => {
                if !self.an.active_array[array.0] {
                    return Vec::new();
                }
                let d = self.array_adj(*array);
                self.reverse_call(path, args, quote!(&#d))
            }
            Stmt::DeclareArray { .. } | Stmt::Effect(_) => Vec::new(),
            Stmt::If {
                cond,
                then_block,
                else_block,
                phis,
            } => {
                let k = key(stmt);
                if !self.an.has_adjoint.get(&k).copied().unwrap_or(false) {
                    return Vec::new();
                }
                let (then_region, else_region) = self.an.branch_regions[&k];
                let mut then_pieces = Vec::new();
                let mut else_pieces = Vec::new();
                for phi in phis {
                    if !self.an.active[phi.var.0] {
                        continue;
                    }
                    let d = self.adj(phi.var);
                    for (pieces, value) in [
                        (&mut then_pieces, &phi.then_value),
                        (&mut else_pieces, &phi.else_value),
                    ] {
                        if let Some(mut p) = self.add_to(value, quote!(#d)) {
                            p.reads.insert(phi.var);
                            pieces.push(p);
                        }
                    }
                }
                then_pieces.extend(self.reverse_stmts(then_block));
                else_pieces.extend(self.reverse_stmts(else_block));
                let then_buffers = self.array_buffers(then_block);
                let else_buffers = self.array_buffers(else_block);
                let t = self.finalize(then_pieces, then_block, then_region, then_buffers);
                let e = self.finalize(else_pieces, else_block, else_region, else_buffers);
                let c = self.operand(cond);
                let (tt, et) = (&t.tokens, &e.tokens);
                let tokens = if et.is_empty() {
                    quote!(if #c { #tt })
                } else if tt.is_empty() {
                    quote!(if !#c { #et })
                } else {
                    quote!(if #c { #tt } else { #et })
                };
                vec![Piece::code(tokens).touching(&t).touching(&e)]
            }
            Stmt::Loop(l) => self.reverse_loop(l),
        }
    }

    /// Local arrays declared directly in `block` get their adjoint buffers at the start of
    /// its reverse.
    fn array_buffers(&mut self, block: &Block) -> TokenStream {
        let zero = self.zero();
        let mut out = TokenStream::new();
        for stmt in &block.stmts {
            let (Stmt::DeclareArray { array, .. } | Stmt::CallArray { array, .. }) = stmt else {
                continue;
            };
            if !self.an.active_array[array.0] {
                continue;
            }
            let init = match stmt {
                Stmt::DeclareArray {
                    like: Some(source), ..
                } => self.zeros_like(*source),
                Stmt::DeclareArray {
                    fixed_lens,
                    vec_len,
                    ..
                } => self.array_init(zero.clone(), fixed_lens, vec_len.as_ref()),
                Stmt::CallArray { shape, .. } => {
                    let s = self.var(*shape);
                    quote!(#s.zeros())
                }
                _ => continue,
            };
            let d = self.array_adj(*array);
            out.extend(quote!(let mut #d = #init;));
        }
        out
    }

    /// A region's reverse pieces as code. Each adjoint of a value defined in the region is
    /// declared where it is first touched: initialized by its first contribution when that
    /// comes at this level (`let d_t = d_u * z;`), zero otherwise, `mut` only if something
    /// adds to it later. What the pieces touch outside the region is passed up.
    fn finalize(
        &mut self,
        pieces: Vec<Piece>,
        block: &Block,
        region: usize,
        prefix: TokenStream,
    ) -> Piece {
        let mut defs = Vec::new();
        collect_defs(block, &mut defs);
        if region == 0 {
            defs.extend(self.body.param_vars.iter().copied());
        }
        let defs: BTreeSet<Var> = defs
            .into_iter()
            .filter(|v| {
                self.an.active[v.0]
                    && self.an.def_region[v.0] == region
                    && self.param_index(*v).is_none()
            })
            .collect();
        let mut last_write: HashMap<Var, usize> = HashMap::new();
        for (i, p) in pieces.iter().enumerate() {
            for v in p.writes.iter().chain(&p.target) {
                last_write.insert(*v, i);
            }
        }
        let zero = self.zero();
        let mut declared = BTreeSet::new();
        let mut out = Piece::code(prefix);
        for (i, piece) in pieces.into_iter().enumerate() {
            let touched: BTreeSet<Var> = piece
                .reads
                .iter()
                .chain(&piece.writes)
                .chain(&piece.target)
                .filter(|v| defs.contains(v) && !declared.contains(*v))
                .copied()
                .collect();
            let mut initialized = false;
            for v in touched {
                declared.insert(v);
                let d = self.adj(v);
                let initializes = piece.target == Some(v)
                    && !piece.reads.contains(&v)
                    && !piece.writes.contains(&v);
                let written_later = last_write
                    .get(&v)
                    .is_some_and(|&j| j > i || (j == i && !initializes));
                let m = written_later.then(|| quote!(mut));
                if initializes {
                    let e = &piece.tokens;
                    out.tokens.extend(quote!(let #m #d = #e;));
                    initialized = true;
                } else {
                    out.tokens.extend(quote!(let #m #d = #zero;));
                }
            }
            out.reads
                .extend(piece.reads.iter().filter(|v| !defs.contains(v)));
            out.writes.extend(
                piece
                    .writes
                    .iter()
                    .chain(&piece.target)
                    .filter(|v| !defs.contains(v)),
            );
            if initialized {
                continue;
            }
            match piece.target {
                Some(v) => {
                    let d = self.adj(v);
                    out.tokens.extend(self.accumulate(quote!(#d), piece.tokens));
                }
                None => out.tokens.extend(piece.tokens),
            }
        }
        out
    }

    fn reverse_op(&mut self, var: Var, op: &Op, d: TokenStream) -> Vec<Piece> {
        match op {
            Op::Copy(x) => self.add_to(x, d).into_iter().collect(),
            Op::Prim {
                rule,
                floats,
                others,
            } => {
                let out = self.var(var);
                let cx = self.cx(
                    self.rule_operands(rule, floats),
                    others.iter().map(|x| self.operand(x)).collect(),
                    quote!(#out),
                    d,
                );
                let contributions = (rule.adjoint)(&cx);
                floats
                    .iter()
                    .zip(contributions)
                    .filter_map(|(x, c)| self.add_to(x, c))
                    .collect()
            }
            Op::Load { array, index } => {
                if !self.an.active_array[array.0] {
                    return Vec::new();
                }
                let i: Vec<_> = index.iter().map(|x| self.operand(x)).collect();
                let code = match self.body.array(*array).origin {
                    ArrayOrigin::Param(p) => {
                        self.used_shadows.insert(p);
                        let s = &self.shadows[p];
                        if i.len() == 2 {
                            quote!(::autodiff::MatrixShadow::add_at(&mut #s, #(#i,)* #d);)
                        } else {
                            quote!(::autodiff::SliceShadow::add_at(&mut #s, #(#i,)* #d);)
                        }
                    }
                    ArrayOrigin::Local | ArrayOrigin::Constant => {
                        let a = self.array_adj(*array);
                        self.accumulate(quote!(#a #([#i])*), d)
                    }
                };
                vec![Piece::code(code)]
            }
            Op::Call { path, args } => self.reverse_call(path, args, d),
            _ => Vec::new(),
        }
    }

    /// `g(..)` in reverse: `g_adjoint(.., d, shadows..)` with an accumulator for each active
    /// float argument and `Const` for the others.
    fn reverse_call(&mut self, path: &syn::Path, args: &[Arg], d: TokenStream) -> Vec<Piece> {
        let mut adjoint_path = path.clone();
        if let Some(last) = adjoint_path.segments.last_mut() {
            last.ident = format_ident!("{}_adjoint", last.ident, span = last.ident.span());
        }
        let primal: Vec<TokenStream> = args
            .iter()
            .map(|a| match a {
                // The array as the call saw it, when it was written again since.
                Arg::Array(ArrayArg {
                    snapshot: Some(saved),
                    by_ref,
                    ..
                }) if self.an.snapshots.contains(saved) => {
                    let saved = self.var(*saved);
                    let amp = by_ref.then(|| quote!(&));
                    quote!(#amp #saved)
                }
                other => self.arg(other),
            })
            .collect();
        let mut shadows = Vec::new();
        let mut call = Piece::code(TokenStream::new());
        let mut after = Vec::new();
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
                        Some(v) if self.param_index(v).is_none() && call.writes.insert(v) => {
                            let d = self.adj(v);
                            shadows.push(quote!(&mut #d));
                        }
                        Some(_) => {
                            // A parameter's shadow or a value passed twice: a temporary.
                            let tmp = self.fresh("d_arg", Span::call_site());
                            call.tokens.extend(quote!(let mut #tmp = #zero;));
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
                    let row = a.row.as_ref().map(|r| self.operand(r));
                    if !lent_arrays.insert(a.array) {
                        // The same array twice (`dot(u, u)`): a second accumulator, added after.
                        let tmp = self.fresh("d_arg", Span::call_site());
                        let name = self.array(a.array);
                        let row_index = row.as_ref().map(|r| quote!([#r]));
                        call.tokens.extend(
                            quote!(let mut #tmp = ::std::vec![#zero; #name #row_index.len()];),
                        );
                        shadows.push(quote!(&mut #tmp));
                        let add = match (&row, is_param) {
                            (Some(r), true) => {
                                quote!(::autodiff::MatrixShadow::add_at(&mut #d, #r, j, g);)
                            }
                            (Some(r), false) => self.accumulate(quote!(#d[#r][j]), quote!(g)),
                            (None, true) => quote!(::autodiff::SliceShadow::add_at(&mut #d, j, g);),
                            (None, false) => self.accumulate(quote!(#d[j]), quote!(g)),
                        };
                        after.push(Piece::code(
                            quote!(for (j, g) in #tmp.into_iter().enumerate() { #add }),
                        ));
                        continue;
                    }
                    // A model's field is an `Option<&mut F>`: an element is projected out of
                    // it, whatever it is (a row, or a model of a sequence of them).
                    let field = match self.body.array(a.array).origin {
                        ArrayOrigin::Param(p) => self.sig.params[p].field.is_some(),
                        _ => false,
                    };
                    shadows.push(match (&row, is_param) {
                        (Some(r), true) if field => {
                            let m = format_ident!("m");
                            quote!(#d.as_deref_mut().map(|#m| &mut #m[#r]))
                        }
                        (Some(r), true) => quote!(::autodiff::MatrixShadow::row(&mut #d, #r)),
                        (Some(r), false) => quote!(&mut #d[#r]),
                        (None, _) => quote!(&mut #d),
                    });
                }
            }
        }
        call.tokens
            .extend(quote!(#adjoint_path(#(#primal,)* #d, #(#shadows),*);));
        let mut pieces = vec![call];
        pieces.extend(after);
        pieces
    }

    fn reverse_loop(&mut self, l: &Loop) -> Vec<Piece> {
        let k = key(l);
        if !self.an.has_adjoint.get(&k).copied().unwrap_or(false) {
            return Vec::new();
        }
        let body_region = self.an.loop_regions[&k];
        let (tape, bits) = self.tape_names(k, l.span);
        let zero = self.zero();
        let mut head = Piece::code(TokenStream::new());
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
                head.tokens.extend(quote!(let mut #d = #d_out;));
                head.reads.insert(c.out);
            } else {
                head.tokens.extend(quote!(let mut #d = #zero;));
            }
        }
        let mut body = Vec::new();
        let plan = self.an.loops.get(&k);
        let mut restore = TokenStream::new();
        // Induction variables run backwards from their final value.
        for induction in plan.map(|p| p.restored.as_slice()).unwrap_or_default() {
            let inner = self.var(induction.inner);
            let running = self.fresh(&format!("{inner}_back"), l.span);
            let out = self.var(induction.out);
            let step = self.operand(&induction.step);
            let undo = match induction.op {
                BinOp::Sub => quote!(+=),
                _ => quote!(-=),
            };
            head.tokens.extend(quote!(let mut #running = #out;));
            restore.extend(quote!(#running #undo #step; let #inner = #running;));
        }
        if let (Some(tape), Some(plan)) = (&tape, plan) {
            let vals: Vec<Ident> = plan.taped.iter().map(|v| self.var(*v)).collect();
            restore.extend(if vals.len() == 1 {
                quote!(let #(#vals)* = ::autodiff::__private::pop(&mut #tape);)
            } else {
                quote!(let (#(#vals),*) = ::autodiff::__private::pop(&mut #tape);)
            });
        }
        if let (Some(bits), Some(plan)) = (&bits, plan) {
            for b in plan.bits.iter().rev() {
                let b = self.var(*b);
                restore.extend(quote!(let #b = #bits.pop();));
            }
        }
        if let Some(plan) = plan {
            restore.extend(self.recompute(&l.body, &plan.recomputed));
        }
        // Hand the adjoints of the iteration's final values to them, then restart the
        // carried adjoints for the iteration's starting values.
        let mut handoff = Vec::new();
        for c in &active_carried {
            let d = self.adj(c.inner);
            let t = self.fresh(&format!("{d}_next"), l.span);
            restore.extend(quote!(let #t = #d; #d = #zero;));
            handoff.extend(self.add_to(&c.next, quote!(#t)));
        }
        // The adjoint buffers of the iteration's arrays, after the values they are made from
        // (the shape of an array a call returned) are restored.
        restore.extend(self.array_buffers(&l.body));
        body.push(Piece::code(restore));
        body.extend(handoff);
        body.extend(self.reverse_stmts(&l.body));
        let body = self.finalize(body, &l.body, body_region, TokenStream::new());
        let header = match &l.kind {
            LoopKind::Counted { counter, range } => {
                let r = match l.trips.filter(|_| l.exit.is_some()) {
                    Some(t) => {
                        let (r, t) = (self.range(range, true, true), self.var(t));
                        quote!(#r.take(#t).rev())
                    }
                    None => {
                        // `(a..=b).step_by(k)` is double-ended only with an exact size.
                        let r = self.range(range, true, !range.adaptors.is_empty());
                        quote!(#r.rev())
                    }
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
                    return Vec::new();
                };
                let t = self.var(t);
                quote!(for _ in 0..#t)
            }
        };
        let b = &body.tokens;
        head.tokens.extend(quote!(#header { #b }));
        let mut pieces = vec![head.touching(&body)];
        for c in &active_carried {
            let d = self.adj(c.inner);
            pieces.extend(self.add_to(&c.init, quote!(#d)));
        }
        pieces
    }

    /// The recomputed values of a loop body, in forward order.
    fn recompute(&self, block: &Block, which: &BTreeSet<Var>) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in &block.stmts {
            if let Stmt::Let { var, op } = stmt {
                if which.contains(var) {
                    out.extend(self.definition(*var, op));
                }
            }
        }
        out
    }

    pub fn finish(self, forward: TokenStream, reverse: TokenStream) -> Sweeps {
        let result = match self.body.output {
            Some(out) => self.array(out),
            None => self.operand(&self.body.result),
        };
        Sweeps {
            tapes: self.tape_decls,
            forward,
            reverse,
            result,
            used_shadows: self.used_shadows,
        }
    }
}

/// A step of the reverse sweep, with the adjoints it reads and writes, so that a region can
/// declare each adjoint where it is first needed.
struct Piece {
    /// `Some(v)`: `tokens` is an expression added to `v`'s adjoint. `None`: plain code.
    target: Option<Var>,
    tokens: TokenStream,
    reads: BTreeSet<Var>,
    writes: BTreeSet<Var>,
}

impl Piece {
    fn code(tokens: TokenStream) -> Self {
        Piece {
            target: None,
            tokens,
            reads: BTreeSet::new(),
            writes: BTreeSet::new(),
        }
    }

    fn add(v: Var, e: TokenStream) -> Self {
        Piece {
            target: Some(v),
            tokens: e,
            reads: BTreeSet::new(),
            writes: BTreeSet::new(),
        }
    }

    /// Also touching what a nested region touches.
    fn touching(mut self, inner: &Piece) -> Self {
        self.reads.extend(&inner.reads);
        self.writes.extend(&inner.writes);
        self
    }
}

fn range_operands(range: &CountedRange) -> Vec<Var> {
    let mut vars: Vec<Var> = [&range.start, &range.end]
        .into_iter()
        .filter_map(Operand::var)
        .collect();
    for a in &range.adaptors {
        if let Adaptor::StepBy(s) = a {
            vars.extend(s.var());
        }
    }
    vars
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

/// Every snapshot in `block` and the blocks nested in it.
fn snapshots(block: &Block) -> HashMap<Var, (ArrayId, bool)> {
    let mut out = HashMap::new();
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let {
                var,
                op: Op::Snapshot { array, row },
            } => {
                out.insert(*var, (*array, row.is_some()));
            }
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                out.extend(snapshots(then_block));
                out.extend(snapshots(else_block));
            }
            Stmt::Loop(l) => {
                if let LoopKind::While { header, .. } = &l.kind {
                    out.extend(snapshots(header));
                }
                out.extend(snapshots(&l.body));
            }
            _ => {}
        }
    }
    out
}

/// Values defined in `block`, not looking into nested blocks except for the phis and loop
/// results those define at this level.
fn collect_defs(block: &Block, vars: &mut Vec<Var>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let { var, .. } => vars.push(*var),
            Stmt::If { phis, .. } => vars.extend(phis.iter().map(|p| p.var)),
            Stmt::Loop(l) => vars.extend(l.carried.iter().map(|c| c.out)),
            Stmt::Store { .. }
            | Stmt::DeclareArray { .. }
            | Stmt::CallArray { .. }
            | Stmt::Effect(_) => {}
        }
    }
}

/// The arrays that `block` or a block nested in it stores into.
fn stored_arrays(block: &Block) -> HashSet<ArrayId> {
    let mut out = HashSet::new();
    for stmt in &block.stmts {
        match stmt {
            Stmt::Store { array, .. } => {
                out.insert(*array);
            }
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                out.extend(stored_arrays(then_block));
                out.extend(stored_arrays(else_block));
            }
            Stmt::Loop(l) => {
                if let LoopKind::While { header, .. } = &l.kind {
                    out.extend(stored_arrays(header));
                }
                out.extend(stored_arrays(&l.body));
            }
            _ => {}
        }
    }
    out
}
