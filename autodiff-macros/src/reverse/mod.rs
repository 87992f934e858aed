//! The forward sweep and the reverse sweep, as Rust tokens.
//!
//! The forward sweep is the IR printed back as Rust, plus what the plan asks for: branch
//! values exported through an `if`'s result, loop tapes pushed at the end of an iteration.
//! The reverse sweep walks the IR backwards: each active statement adds its operands'
//! adjoints (rules from `rules.rs`), `if`s replay their decision, loops run backwards,
//! popping what the forward sweep pushed and recomputing what it did not.
//!
//! Code is appended to a `TokenStream` as one stream, `out.extend([code])` (here and in every
//! generated item): `out.extend(code)` takes `Extend<TokenTree>`, which sends `code` to the
//! compiler, reads its tokens back and sends them again (a tenth of the expansion).

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};

use crate::activity::{key, Analysis};
use crate::code::{float_code, lit_token, Code};
use crate::hash::{HashMap, HashSet};
use crate::ir::*;
use crate::lower::models;
use crate::rules::{self, Cx};
use crate::sig::{Output, ParamKind, Shape, Signature, WIDE_INT_TYPES};

mod calls;
mod checkpoint;
mod element;
mod forward;
mod loops;
mod merged;
mod order;
mod overwrite;
mod passed_through;
mod views;

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
    float: Code,
    names: Namespace,
    /// Each value's local, made once (it is written wherever the value is read).
    var_idents: Vec<OnceCell<Ident>>,
    adjoint: HashMap<Var, Ident>,
    array_adjoint: HashMap<ArrayId, Ident>,
    tapes: HashMap<usize, (Option<Ident>, Option<Ident>)>,
    /// Per loop key: the flat tape its snapshots of scratch `Vec`s are appended to, and those
    /// snapshots in the order the body takes them (see `flat_snapshots`).
    snapshot_tapes: HashMap<usize, (Ident, Vec<Var>)>,
    /// Per snapshot kept on a flat tape: the buffer the reverse sweep copies it back into.
    snapshot_buffers: HashMap<Var, Ident>,
    /// Per loop key: the scratch vectors it copies every iteration (`LoopPlan::copied`).
    copy_tapes: HashMap<usize, Vec<CopyTape>>,
    /// Vectors declared at the top level by `vec![x; n]`, whose length never changes.
    top_vecs: HashSet<ArrayId>,
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
    /// loops hand up to it.
    reserve_frames: Vec<(usize, Vec<Reserve>)>,
    /// Values whose adjoint nothing reads: a fused loop's accumulators at the start of an
    /// iteration (the previous iteration was reversed already).
    dropped: HashSet<Var>,
    /// Results of calls the body only hands on whole to other calls (`handed_on_results`).
    handed_on: HashSet<Var>,
    /// Calls of a fused loop pulled back where they run (`Gen::pulled_calls`): their value,
    /// and the adjoint it gets.
    pulled: HashMap<Var, TokenStream>,
    /// What a pulled call's scalar arguments got, added into their adjoints where the call
    /// would have been reversed (after the adjoints of what the iteration computed later).
    pulled_adds: HashMap<Var, Vec<Piece>>,
    /// While a pulled call is written: the additions into its scalar arguments' adjoints,
    /// held back for `pulled_adds`.
    held_back: Option<Vec<Piece>>,
    /// Arrays whose stores' reverses leave the zeroing to the end of a merged loop
    /// (`merged.rs`).
    deferred_zeroing: HashSet<ArrayId>,
    /// Loads whose reverse writes their scratch vector's adjoint instead of adding into it,
    /// and those vectors, whose zeroing after a merged loop goes (`overwrite.rs`).
    overwriting: HashSet<Var>,
    zeroed_by_write: HashSet<ArrayId>,
    /// Local arrays whose element adjoints each live in one iteration of a merged reverse loop
    /// and get no buffer (`element.rs`): the keys of the run's first loop and of the store
    /// that begins each iteration's use of the element.
    element_local: HashMap<ArrayId, (usize, usize)>,
    /// While such a loop is written: the local holding the adjoint of the element at the
    /// counter, and the counters that name that element.
    element_adjoint: HashMap<ArrayId, (Ident, Vec<Var>)>,
    /// Copied scratch vectors whose reads in the reverse sweep all take the element their fill
    /// loop stores, computed at the top of a merged reverse iteration, and that are not copied
    /// (`element.rs`), by copying loop and vector: the keys of the run's first loop and of the
    /// fill loop.
    element_filled: HashMap<(usize, ArrayId), (usize, usize)>,
    /// While such a loop is written: the local holding the element at the counter, and the
    /// counters that name it.
    element_values: HashMap<ArrayId, (Ident, Vec<Var>)>,
    /// Reads of an array at an index a loop does not change (`x[i]` in a loop over `j`):
    /// their adjoint is summed in this local through the loop and added into the array's
    /// once after it (`Gen::hoisted_reads`).
    hoisted: HashMap<Var, Ident>,
    /// The values nested loops' inductions end iterations with (`Resumed` from the start of a
    /// loop whose reverse runs forwards), by value: see `ResumedRun`.
    resumed_runs: HashMap<Var, ResumedRun>,
    /// Reads `a[base + i]` of the loops being written, by array and index value: the slice
    /// of `a` taken before the loop, and the index into it (`views.rs`).
    views: HashMap<(ArrayId, Var), (Ident, TokenStream)>,
    /// The same reads' adds in a reverse loop: the part of the array's shadow taken before
    /// the loop, and the index into it (`views.rs`).
    shadow_parts: HashMap<(ArrayId, Var), (Ident, TokenStream)>,
    /// How many times each value is read.
    uses: HashMap<Var, usize>,
    /// Values whose adjoint is the same in every iteration of their loop.
    steady: HashSet<Var>,
    /// The load and the sum of `a[i] += e`, whose reverse the store's does.
    folded: HashSet<Var>,
    /// The loops by key.
    loops: HashMap<usize, &'a Loop>,
    /// Integers whose ranges have no exact size (`loops::wide_integers`).
    wide: HashSet<Var>,
    /// Values a derivative rule computes with: numbers, whatever their written type.
    rule_operands: HashSet<Var>,
    /// Local arrays holding what a vector-valued call returned.
    returned: HashSet<ArrayId>,
    /// Printing the first run of a checkpointed loop, which pushes on no tape.
    untaped: bool,
    /// Writing `NAME_dual_adjoint`: the dual number type (`::autodiff::Dual::<f64>`) of the
    /// values that depend on a parameter and of every adjoint.
    dual: Option<TokenStream>,
}

/// A tape's reservation: `tape.reserve(count)`, where `count`, entries per iteration of the
/// loop it is handed up to, reads `reads`: it can be made only where they are defined.
struct Reserve {
    tape: Ident,
    count: TokenStream,
    reads: Vec<Var>,
}

/// The copies one loop takes of one scratch vector, one appended per iteration: the reverse
/// iteration reads its own in place as `view`, then drops it.
struct CopyTape {
    array: ArrayId,
    tape: Ident,
    view: Ident,
}

/// A generated local: hygienic (never clashes with user names), located at the user's code.
pub fn local(name: &str, span: Span) -> Ident {
    Ident::new(&plain_name(name), Span::mixed_site().located_at(span))
}

/// The parameter of a closure whose body is `body` (`.map(|m| &mut m[l])`): `m`, or `m_1`, ..
/// when the body names it (`l` may be the user's `m` or a local named after it).
pub fn closure_param(body: &TokenStream) -> Ident {
    Ident::new(&unmentioned(body, "m"), Span::mixed_site())
}

/// `base`, or `base_1`, `base_2`, .. : the first that `tokens` does not name.
pub fn unmentioned(tokens: &TokenStream, base: &str) -> String {
    (0..)
        .map(|k| match k {
            0 => base.to_string(),
            k => format!("{base}_{k}"),
        })
        .find(|name| !mentions(tokens, name))
        .unwrap_or_default()
}

/// Whether `tokens` name `name` anywhere.
pub(crate) fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), name),
        _ => false,
    })
}

/// A name built from a raw identifier (`r#match`, `d_r#match`) as a plain one (`match_`,
/// `d_match`).
pub fn plain_name(name: &str) -> String {
    let name = name.replace("r#", "");
    if is_identifier(&name) {
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
        let mut names: Namespace = body.vars.iter().map(|v| v.name.clone()).collect();
        names.extend(body.arrays.iter().map(|a| a.name.clone()));
        names.extend(shadows.iter().flatten().map(|s| s.to_string()));
        names.insert(d_out.to_string());
        let uses = uses(body);
        let mut gen = Gen {
            body,
            an,
            sig,
            float: float_code(f),
            names,
            var_idents: body.vars.iter().map(|_| OnceCell::new()).collect(),
            adjoint: HashMap::default(),
            array_adjoint: HashMap::default(),
            tapes: HashMap::default(),
            snapshot_tapes: HashMap::default(),
            snapshot_buffers: HashMap::default(),
            copy_tapes: HashMap::default(),
            top_vecs: body.top_level_vecs(),
            tape_decls: TokenStream::new(),
            shadows,
            used_shadows: HashSet::default(),
            d_out,
            snapshot_of: snapshots(&body.block),
            stored: stored_arrays(&body.block),
            reserve_frames: Vec::new(),
            dropped: HashSet::default(),
            pulled: HashMap::default(),
            pulled_adds: HashMap::default(),
            held_back: None,
            deferred_zeroing: HashSet::default(),
            overwriting: HashSet::default(),
            zeroed_by_write: HashSet::default(),
            element_local: HashMap::default(),
            element_adjoint: HashMap::default(),
            element_filled: HashMap::default(),
            element_values: HashMap::default(),
            hoisted: HashMap::default(),
            resumed_runs: HashMap::default(),
            views: HashMap::default(),
            shadow_parts: HashMap::default(),
            steady: crate::fusion::steady_adjoints(&body.block, &uses),
            handed_on: calls::handed_on_results(body, &uses),
            uses,
            folded: HashSet::default(),
            loops: loops(&body.block),
            wide: loops::wide_integers(body, sig),
            rule_operands: rule_operands(&body.block),
            returned: returned_arrays(&body.block),
            untaped: false,
            dual: None,
        };
        gen.plan_element_adjoints();
        gen
    }

    /// The sweeps on dual numbers, for `NAME_dual_adjoint`: each value that depends on a
    /// parameter, and each adjoint, is a `Dual` (forward mode over the reverse sweep).
    pub fn on_dual_numbers(mut self) -> Self {
        let f = &self.float;
        self.dual = Some(quote!(::autodiff::Dual::<#f>));
        self
    }

    /// Whether `op` is a dual number in `NAME_dual_adjoint`.
    pub(crate) fn is_dual(&self, op: &Operand) -> bool {
        self.dual.is_some() && op.var().is_some_and(|v| self.an.varied[v.0])
    }

    /// Whether the elements of `a` are dual numbers in `NAME_dual_adjoint`.
    pub(crate) fn is_dual_array(&self, a: ArrayId) -> bool {
        self.dual.is_some() && self.an.varied_array[a.0]
    }

    /// A float operand as a dual number: itself, or a constant (zero tangent).
    pub(crate) fn as_dual(&self, op: &Operand) -> Code {
        match &self.dual {
            Some(dual) if !self.is_dual(op) => {
                let x = self.float_operand(op);
                quote!(#dual::constant(#x)).into()
            }
            _ => self.operand(op),
        }
    }

    /// A float operand where only its value counts (a comparison, a cast, code passed
    /// through): a dual number's value.
    pub(crate) fn value_of(&self, op: &Operand) -> Code {
        if self.dual.is_none() {
            return self.operand(op);
        }
        if self.is_dual(op) {
            let x = self.operand(op);
            quote!(#x.value).into()
        } else {
            self.float_operand(op)
        }
    }

    /// The zero of a value of `v`'s type (a dual number when `v` is one).
    pub(crate) fn zero_for(&self, dual: bool) -> Code {
        let zero = rules::float_literal(&self.float, self.sig.float_is_generic, 0.0);
        match &self.dual {
            Some(d) if dual => quote!(#d::constant(#zero)).into(),
            _ => zero,
        }
    }

    pub(crate) fn fresh(&mut self, base: &str, span: Span) -> Ident {
        local(&self.names.fresh(base), span)
    }

    /// The zero of an adjoint.
    pub(crate) fn zero(&self) -> Code {
        self.zero_for(true)
    }

    /// The zero of `v`'s adjoint: of `v`'s own shape for a call's result only handed on whole
    /// (`handed_on_results`), which may be an array.
    pub(crate) fn adjoint_zero(&self, v: Var) -> Code {
        if self.handed_on(v) {
            let x = self.var(v);
            return quote!(::autodiff::__private::HandedOn::zero(&#x)).into();
        }
        self.zero()
    }

    /// Whether `v` is a call's result only handed on whole to other calls.
    pub(crate) fn handed_on(&self, v: Var) -> bool {
        self.handed_on.contains(&v)
    }

    /// `d += e` into `v`'s adjoint `d`.
    fn accumulate_into(&self, v: Var, d: TokenStream, e: TokenStream) -> TokenStream {
        if self.handed_on(v) {
            return quote!(::autodiff::__private::HandedOn::add(&mut #d, &#e););
        }
        self.accumulate(d, e)
    }

    pub(crate) fn cx(&self, x: Vec<Code>, other: Vec<Code>, out: Code, d: Code) -> Cx {
        Cx {
            x,
            other,
            out,
            d,
            d_is_steady: false,
            float: self.float.clone(),
            generic: self.sig.float_is_generic,
            dual: self.dual.clone(),
        }
    }

    // ----- names ------------------------------------------------------------------------------

    pub(crate) fn param_index(&self, v: Var) -> Option<usize> {
        let i = self.body.param_vars.iter().position(|p| *p == v)?;
        // param_vars holds scalar params in order; map back to the signature index.
        self.sig
            .params
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                matches!(
                    p.kind,
                    ParamKind::Float | ParamKind::Int { .. } | ParamKind::Bool
                )
            })
            .nth(i)
            .map(|(idx, _)| idx)
    }

    pub(crate) fn var(&self, v: Var) -> Ident {
        if let Some(i) = self.param_index(v) {
            return self.sig.params[i].ident.clone();
        }
        let ident = self.var_idents[v.0].get_or_init(|| {
            let info = self.body.var(v);
            match info.visible {
                true => Ident::new(&info.name, info.span),
                false => local(&info.name, info.span),
            }
        });
        ident.clone()
    }

    pub(crate) fn array(&self, a: ArrayId) -> Code {
        let info = self.body.array(a);
        match info.origin {
            ArrayOrigin::Param(i) => self.sig.params[i].ident.clone().into(),
            ArrayOrigin::Constant => {
                let path = &info.path;
                quote!(#path).into()
            }
            ArrayOrigin::Local => local(&info.name, info.span).into(),
        }
    }

    pub(crate) fn operand(&self, op: &Operand) -> Code {
        match op {
            Operand::Var(v) => self.var(*v).into(),
            Operand::Lit(l) => lit_token(l),
            Operand::Const(e) => quote!(#e).into(),
        }
    }

    /// The float operands of a primitive; a method's get typed literals.
    pub(crate) fn rule_operands(&self, rule: &rules::Rule, floats: &[Operand]) -> Vec<Code> {
        // On dual numbers: all of them dual (no arithmetic mixes a float with a dual), or,
        // for a piecewise constant function, all of them plain values.
        if floats.iter().any(|x| self.is_dual(x)) {
            return floats
                .iter()
                .map(|x| match rule.constant {
                    true => self.value_of(x),
                    false => self.as_dual(x),
                })
                .collect();
        }
        match rule.form {
            rules::Form::Method => floats.iter().map(|x| self.float_operand(x)).collect(),
            _ => floats.iter().map(|x| self.operand(x)).collect(),
        }
    }

    /// A float operand of a rule, whose template may call a method on it (`b.ln()` in the
    /// adjoint of `a.log(b)`): a bare literal gets the float type's suffix, since a method
    /// call on `{float}` does not infer its type.
    pub(crate) fn float_operand(&self, op: &Operand) -> Code {
        let typed = match op {
            Operand::Lit(syn::Lit::Float(l))
                if l.suffix().is_empty() && !self.sig.float_is_generic =>
            {
                let repr = rules::suffixed(l.base10_digits(), &self.float.to_string());
                Code::Token(syn::LitFloat::new(&repr, l.span()).token().into())
            }
            Operand::Var(v) if self.body.vars[v.0].reference => {
                let x = self.operand(op);
                quote!((*#x)).into()
            }
            other => self.operand(other),
        };
        // `(-2.0_f64).ln()`, not `-(2.0_f64.ln())`.
        if matches!(op, Operand::Lit(l) if l.to_token_stream().to_string().starts_with('-')) {
            quote!((#typed)).into()
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
        let v = op
            .var()
            .filter(|v| self.an.active[v.0] && !self.dropped.contains(v))?;
        if let Some(i) = self.param_index(v) {
            self.used_shadows.insert(i);
            let s = &self.shadows[i];
            return Some(Piece::code(quote!(::autodiff::Shadow::add(&mut #s, #e);)));
        }
        Some(Piece::add(v, e))
    }

    /// `target += e`; spelled out for a generic `T: Float`, which has no `+=` (a `Dual<T>`
    /// has).
    fn accumulate(&self, target: TokenStream, e: TokenStream) -> TokenStream {
        if self.sig.float_is_generic && self.dual.is_none() {
            quote!(#target = #target + #e;)
        } else {
            quote!(#target += #e;)
        }
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
                vec![Piece::code(match self.sig.output {
                    // A matrix of the type the function returns, whatever the body took it for
                    // (a call's result passed on whole is not known to be one).
                    Output::Matrix => {
                        quote!(::autodiff::__private::SameShape::add_from(&mut #d, &#d_out);)
                    }
                    // On dual numbers, a `Vec`'s cotangent may be empty: zero (a caller that
                    // wants only the value cannot tell its length).
                    Output::Vec if self.dual.is_some() => quote!(
                        if !#d_out.is_empty() {
                            ::autodiff::__private::check_cotangent(#d_out.len(), #d.len());
                            for (#g, #s) in #d.iter_mut().zip(#d_out.iter()) { #add }
                        }
                    ),
                    _ => quote!(
                        ::autodiff::__private::check_cotangent(#d_out.len(), #d.len());
                        for (#g, #s) in #d.iter_mut().zip(#d_out.iter()) { #add }
                    ),
                })]
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
        let runs = self.merged_runs(&block.stmts);
        self.plan_overwrites(block, &runs);
        // Found last first: the next one ends nearest the end.
        let mut runs = runs.into_iter().peekable();
        let mut out = Vec::new();
        let mut p = block.stmts.len();
        while p > 0 {
            if let Some(run) = runs.next_if(|r| r.end == p) {
                p = run.start;
                out.extend(self.merged_reverse(&run.loops, run.deferred));
                continue;
            }
            p -= 1;
            let stmt = &block.stmts[p];
            match self.accumulating_store(block, p) {
                Some((e, negative)) => out.extend(self.reverse_accumulation(stmt, &e, negative)),
                None => out.extend(self.reverse_stmt(stmt)),
            }
        }
        out
    }

    /// `a[i] = a[i] + e` (or `- e`) at position `p`, its load and sum read by nothing else,
    /// nothing between the load and the store touching `a`: the adjoint of `a[i]` goes
    /// through unchanged and `e` gets it, rather than zeroing the slot and adding it back.
    /// Returns `e` and whether it is subtracted; the load and the sum are `folded`.
    fn accumulating_store(&mut self, block: &Block, p: usize) -> Option<(Operand, bool)> {
        let Stmt::Store {
            array,
            index,
            value: Operand::Var(sum),
        } = &block.stmts[p]
        else {
            return None;
        };
        if !self.an.active_array[array.0] || self.uses.get(sum) != Some(&1) {
            return None;
        }
        let (q, op) = block.stmts[..p]
            .iter()
            .enumerate()
            .rev()
            .find_map(|(q, s)| match s {
                Stmt::Let { var, op } if var == sum => Some((q, op)),
                _ => None,
            })?;
        let Op::Prim { rule, floats, .. } = op else {
            return None;
        };
        let (a, b) = match floats.as_slice() {
            [a, b] if rule.form == rules::Form::Infix("+") => (a, b),
            [a, b] if rule.form == rules::Form::Infix("-") => (a, b),
            _ => return None,
        };
        let negative = rule.form == rules::Form::Infix("-");
        let is_load = |x: &Operand, stmts: &[Stmt]| {
            let v = x.var()?;
            if self.uses.get(&v) != Some(&1) {
                return None;
            }
            stmts.iter().enumerate().rev().find_map(|(r, s)| match s {
                Stmt::Let {
                    var,
                    op: Op::Load { array: a, index: i },
                } if *var == v
                    && a == array
                    && i.len() == index.len()
                    && i.iter().zip(index).all(|(x, y)| x.same(y)) =>
                {
                    Some((r, v))
                }
                _ => None,
            })
        };
        let ((r, loaded), e) = match (is_load(a, &block.stmts[..q]), negative) {
            (Some(found), _) => (found, b),
            (None, false) => (is_load(b, &block.stmts[..q])?, a),
            (None, true) => return None,
        };
        let untouched = block.stmts[r + 1..p].iter().all(|s| {
            let (mut touched, mut stored) = (BTreeSet::new(), BTreeSet::new());
            s.arrays(&mut touched, &mut stored);
            !touched.contains(array)
        });
        if !untouched {
            return None;
        }
        self.folded.insert(*sum);
        self.folded.insert(loaded);
        Some((e.clone(), negative))
    }

    /// The reverse of an accumulating store: `d_e += d_a[i]` (or `-=`).
    fn reverse_accumulation(&mut self, store: &Stmt, e: &Operand, negative: bool) -> Vec<Piece> {
        let Stmt::Store { array, index, .. } = store else {
            return Vec::new();
        };
        let slot = self.element(*array, index);
        let minus = negative.then(|| quote!(-));
        self.add_to(e, quote!(#minus #slot)).into_iter().collect()
    }

    fn reverse_stmt(&mut self, stmt: &Stmt) -> Vec<Piece> {
        match stmt {
            Stmt::Let { var, op } => {
                if self.pulled.contains_key(var) {
                    return self.pulled_adds.remove(var).unwrap_or_default();
                }
                if !self.an.active[var.0] || self.folded.contains(var) {
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
                let slot = self.element(*array, index);
                let zero = self.zero();
                let mut pieces: Vec<Piece> = self.add_to(value, slot.clone()).into_iter().collect();
                if !self.deferred_zeroing.contains(array) && !self.ends_element(stmt) {
                    pieces.push(Piece::code(quote!(#slot = #zero;)));
                }
                pieces
            }
            Stmt::CallArray {
                array,
                callee,
                args,
                replays,
                tuple,
                unwrap,
                ..
            } => {
                // A call on data alone (`let mut h = zeros();`, later overwritten) has nothing
                // to pull back, and its callee may have no `_adjoint` (on dual numbers, no
                // `_dual_adjoint`).
                let pulls_back = match self.dual {
                    Some(_) => self.has_dual_arg(args),
                    None => self.has_active_arg(args),
                };
                if !self.an.active_array[array.0] || !pulls_back {
                    return Vec::new();
                }
                let d = self.array_adj(*array);
                let args = self.replaying(args, replays);
                let d = match (tuple, self.dual.is_some()) {
                    (true, _) => quote!(::autodiff::__private::array_tuple(&#d)),
                    (false, true) => quote!(::core::clone::Clone::clone(&#d)),
                    (false, false) => quote!(&#d),
                };
                self.reverse_call(callee, &args, d, unwrap.is_some())
            }
            // The adjoint gets back the length the array had: its elements past that were
            // zeroed by the reverse of the copy that followed.
            Stmt::Resize { array, prev, .. } => {
                if !self.an.active_array[array.0] {
                    return Vec::new();
                }
                let (d, n) = (self.array_adj(*array), self.var(*prev));
                let mut piece = Piece::code(resize_to(d, n));
                piece.reads.insert(*prev);
                vec![piece]
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
                let (tt, et) = (
                    &self.unwrapping_exports(k, then_region, &t.tokens),
                    &self.unwrapping_exports(k, else_region, &e.tokens),
                );
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

    /// The reverse of a branch of the `if` with key `k`, `tokens`, after taking out the data
    /// exported from it as an `Option` (`exported_as_option`) that it reads, where the branch
    /// makes it one (`option_set_by`).
    fn unwrapping_exports(&self, k: usize, region: usize, tokens: &TokenStream) -> TokenStream {
        let exports = self.an.exports.get(&k).into_iter().flatten();
        let taken = exports
            .filter(|&&v| {
                self.an.within(self.an.def_region[v.0], region)
                    && self.exported_as_option(v, k)
                    && self.option_set_by(v, k)
            })
            .map(|&v| self.var(v))
            .filter(|ident| mentions(tokens, &ident.to_string()));
        quote!(#(let #taken = #taken.unwrap();)* #tokens)
    }

    /// Local arrays declared directly in `block` get their adjoint buffers at the start of
    /// its reverse (those a fused loop adds into, where they are declared).
    fn array_buffers(&mut self, block: &Block) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in &block.stmts {
            let early = match stmt {
                Stmt::DeclareArray { array, .. } | Stmt::CallArray { array, .. } => {
                    self.an.fusion.early_arrays.contains(array)
                }
                _ => true,
            };
            if !early {
                out.extend([self.array_buffer(stmt, false)]);
            }
        }
        out
    }

    /// `let mut d_a = zeros;` for the active local array `stmt` declares; `early`: where it
    /// is declared, in the forward sweep (for a fused loop to add into).
    fn array_buffer(&mut self, stmt: &Stmt, early: bool) -> TokenStream {
        let zero = self.zero();
        let (Stmt::DeclareArray { array, .. } | Stmt::CallArray { array, .. }) = stmt else {
            return TokenStream::new();
        };
        if !self.an.active_array[array.0] || self.element_local.contains_key(array) {
            return TokenStream::new();
        }
        {
            let info = self.body.array(*array);
            // One whose length changes starts with the length it has there: as declared
            // where it is declared, its last one where the reverse of its block starts (the
            // array itself at the top level, kept for a nested block).
            let len = match (info.resizable, info.final_len) {
                (false, _) => None,
                (true, Some(n)) if !early => Some(self.var(n).into_token_stream()),
                (true, _) => {
                    let a = self.array(*array);
                    Some(quote!(#a.len()))
                }
            };
            let init = match stmt {
                Stmt::DeclareArray { like: None, .. } if len.is_some() => {
                    quote!(::std::vec![#zero; #len])
                }
                Stmt::DeclareArray {
                    like: Some(source), ..
                } => self.zeros_like(*source, self.dual.is_some()),
                Stmt::DeclareArray {
                    fixed_lens,
                    vec_len,
                    row_len,
                    ..
                } => self.array_init(
                    zero.clone().into(),
                    fixed_lens,
                    vec_len.as_ref(),
                    row_len.as_ref(),
                ),
                Stmt::CallArray { shape, .. } => {
                    let s = self.var(*shape);
                    quote!(#s.zeros())
                }
                _ => return TokenStream::new(),
            };
            let init = match (len, stmt) {
                (Some(len), Stmt::DeclareArray { like: Some(_), .. } | Stmt::CallArray { .. }) => {
                    quote!(::autodiff::__private::resized(#init, #len))
                }
                _ => init,
            };
            let d = self.array_adj(*array);
            quote!(let mut #d = #init;)
        }
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
                    && !self.an.fusion.early_vars.contains(v)
            })
            .collect();
        let mut last_write: HashMap<Var, usize> = HashMap::default();
        for (i, p) in pieces.iter().enumerate() {
            for v in p.writes.iter().chain(&p.target) {
                last_write.insert(*v, i);
            }
        }
        let mut declared = BTreeSet::new();
        // Adjoints that never change once declared, and the ones that are only another of
        // them under a new name (`let d_t_3 = d_t_5;`): those are written as that one.
        let mut fixed: HashSet<String> = HashSet::default();
        fixed.insert(self.d_out.to_string());
        let mut aliases: HashMap<String, Ident> = HashMap::default();
        let mut aliased: BTreeSet<Var> = BTreeSet::new();
        let mut out = Piece::code(prefix);
        for (i, mut piece) in pieces.into_iter().enumerate() {
            // Only a piece that touches an aliased adjoint names it (the pieces before its
            // alias cannot: it is declared where it is first touched).
            if piece
                .reads
                .iter()
                .chain(&piece.writes)
                .chain(&piece.target)
                .any(|v| aliased.contains(v))
            {
                piece.tokens = renamed(std::mem::take(&mut piece.tokens), &aliases);
            }
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
                    initialized = true;
                    if m.is_none() {
                        if let Some(same) = sole_ident(e).filter(|s| fixed.contains(&s.to_string()))
                        {
                            let same = aliases.get(&same.to_string()).cloned().unwrap_or(same);
                            fixed.insert(d.to_string());
                            aliases.insert(d.to_string(), same);
                            aliased.insert(v);
                            continue;
                        }
                        fixed.insert(d.to_string());
                    }
                    out.tokens.extend([quote!(let #m #d = #e;)]);
                } else {
                    let zero = self.adjoint_zero(v);
                    out.tokens.extend([quote!(let #m #d = #zero;)]);
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
                    out.tokens
                        .extend([self.accumulate_into(v, quote!(#d), piece.tokens)]);
                }
                None => out.tokens.extend([piece.tokens]),
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
                ..
            } => {
                let out = self.var(var);
                let cx = self.cx(
                    self.rule_operands(rule, floats),
                    others.iter().map(|x| self.operand(x)).collect(),
                    out.into(),
                    d.clone().into(),
                );
                // A zero adjoint passes on as zero, not as `0 * inf` (`Analysis::zero_guarded`).
                let zero = self.zero();
                let nothing = match self.dual {
                    Some(_) => quote!(#d.is_nothing()),
                    None => quote!(#d == #zero),
                };
                let guard = |c: TokenStream| match self.an.zero_guarded.contains(&var) {
                    true => quote!(if #nothing { #zero } else { #c }),
                    false => c,
                };
                if let Some((square, x)) = rule.squared(floats) {
                    let cx = Cx {
                        d_is_steady: self.steady.contains(&var),
                        ..cx
                    };
                    let c = guard(square(&cx));
                    return self.add_to(x, c).into_iter().collect();
                }
                let contributions: Vec<TokenStream> =
                    (rule.adjoint)(&cx).into_iter().map(guard).collect();
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
                if let Some(sum) = self.hoisted.get(&var) {
                    return vec![Piece::code(self.accumulate(quote!(#sum), d))];
                }
                let overwrite = self.overwriting.contains(&var);
                vec![Piece::code(
                    self.add_into_array(*array, index, d, overwrite),
                )]
            }
            Op::Call {
                callee,
                args,
                replays,
                unwrap,
            } => {
                // On dual numbers, an array's cotangent goes by value (its `_dual_adjoint`
                // takes zeros of its type from `Default` for the value alone).
                let d = match (self.handed_on.contains(&var), self.dual.is_some()) {
                    (true, false) => quote!(::autodiff::__private::HandedOn::passed(&#d)),
                    (true, true) => quote!(::core::clone::Clone::clone(&#d)),
                    (false, _) => d,
                };
                let args = self.replaying(args, replays);
                self.reverse_call(callee, &args, d, unwrap.is_some())
            }
            _ => Vec::new(),
        }
    }

    /// The adjoint of a local array's element, `d_a[i]` (or the local holding it: `element.rs`).
    fn element(&mut self, array: ArrayId, index: &[Operand]) -> TokenStream {
        if let Some(slot) = self.element_slot(array, index) {
            return quote!(#slot);
        }
        let d = self.array_adj(array);
        let i: Vec<_> = index.iter().map(|x| self.operand(x)).collect();
        quote!(#d #([#i])*)
    }

    /// `d_a[i] += d` for a read `a[i]` of an active array (through its shadow for a parameter).
    /// `overwrite`: the first contribution to a local array's element, written (`overwrite.rs`).
    fn add_into_array(
        &mut self,
        array: ArrayId,
        index: &[Operand],
        d: TokenStream,
        overwrite: bool,
    ) -> TokenStream {
        if let Some(slot) = self.element_slot(array, index) {
            return match overwrite {
                true => quote!(#slot = #d;),
                false => self.accumulate(quote!(#slot), d),
            };
        }
        // Into the part of the shadow a reverse loop took for this read (`views.rs`), if any.
        let part = match index {
            [Operand::Var(at)] => self.shadow_parts.get(&(array, *at)).cloned(),
            _ => None,
        };
        let origin = self.body.array(array).origin;
        let (target, i): (TokenStream, Vec<TokenStream>) = match (part, origin) {
            (Some((part, i)), _) => (quote!(#part), vec![i]),
            (None, ArrayOrigin::Param(p)) => {
                self.used_shadows.insert(p);
                let s = &self.shadows[p];
                (
                    quote!(#s),
                    index.iter().map(|x| self.operand(x).into()).collect(),
                )
            }
            (None, ArrayOrigin::Local | ArrayOrigin::Constant) => (
                self.array_adj(array),
                index.iter().map(|x| self.operand(x).into()).collect(),
            ),
        };
        match origin {
            ArrayOrigin::Param(_) if i.len() == 2 => {
                quote!(::autodiff::MatrixShadow::add_at(&mut #target, #(#i,)* #d);)
            }
            ArrayOrigin::Param(_) => {
                quote!(::autodiff::SliceShadow::add_at(&mut #target, #(#i,)* #d);)
            }
            ArrayOrigin::Local if overwrite => quote!(#target #([#i])* = #d;),
            ArrayOrigin::Local | ArrayOrigin::Constant => {
                self.accumulate(quote!(#target #([#i])*), d)
            }
        }
    }

    /// Whether a scalar argument of a call is a float, which the callee's `_adjoint` takes a
    /// shadow for (and its `_tangent` a tangent).
    pub(crate) fn takes_derivative(&self, x: &Operand) -> bool {
        let ty = match x {
            Operand::Var(v) => self.body.var(*v).ty,
            Operand::Lit(syn::Lit::Float(_)) => Ty::Float,
            // `1_f64`, `0f32`: integer digits with a float suffix.
            Operand::Lit(syn::Lit::Int(i)) if matches!(i.suffix(), "f32" | "f64") => Ty::Float,
            _ => Ty::Unknown,
        };
        ty == Ty::Float
    }

    pub fn finish(self, forward: TokenStream, reverse: TokenStream) -> Sweeps {
        let result = match self.body.output {
            // On dual numbers, an output no parameter reaches is lifted to constants.
            Some(out) if self.dual.is_some() && !self.is_dual_array(out) => {
                let a = self.array(out);
                quote!(::autodiff::__private::lift(&#a))
            }
            Some(out) => self.array(out).into_token_stream(),
            None if self.dual.is_some() => self.as_dual(&self.body.result).into(),
            None => self.operand(&self.body.result).into(),
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
    for s in range.adaptors.iter().filter_map(Adaptor::operand) {
        vars.extend(s.var());
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

/// Every loop of `block`, nested ones included, by key.
fn loops(block: &Block) -> HashMap<usize, &Loop> {
    let mut out = HashMap::default();
    for stmt in &block.stmts {
        if let Stmt::Loop(l) = stmt {
            out.insert(key(&**l), &**l);
        }
        for b in stmt.nested_blocks() {
            out.extend(loops(b));
        }
    }
    out
}

/// The local arrays vector-valued calls return into.
fn returned_arrays(block: &Block) -> HashSet<ArrayId> {
    let mut out = HashSet::default();
    block.for_each_stmt(&mut |stmt| {
        if let Stmt::CallArray { array, .. } = stmt {
            out.insert(*array);
        }
    });
    out
}

/// The values some primitive of the rules table reads as a float operand.
fn rule_operands(block: &Block) -> HashSet<Var> {
    let mut out = HashSet::default();
    block.for_each_stmt(&mut |stmt| {
        if let Stmt::Let {
            op: Op::Prim { floats, .. },
            ..
        } = stmt
        {
            out.extend(floats.iter().filter_map(Operand::var));
        }
    });
    out
}

/// How many times each value is read, the result included.
fn uses(body: &Body) -> HashMap<Var, usize> {
    let mut uses = HashMap::default();
    let mut count = |x: &Operand| {
        if let Some(v) = x.var() {
            *uses.entry(v).or_insert(0) += 1;
        }
    };
    body.block.visit_operands(&mut count);
    count(&body.result);
    uses
}

/// A value a nested loop's induction ends an iteration of a loop with, in that loop's
/// reverse, which runs forwards.
pub(crate) struct ResumedRun {
    /// Where the iteration started; where it ended, once the iteration is done.
    running: Ident,
    /// The value itself was declared (read by the body's reverse besides the nested loop).
    declared: bool,
    /// The nested loop's reverse, counting its induction up from `running`, left it there.
    taken: bool,
}

/// Every snapshot in `block` and the blocks nested in it.
fn snapshots(block: &Block) -> HashMap<Var, (ArrayId, bool)> {
    let mut out = HashMap::default();
    block.for_each_stmt(&mut |stmt| {
        if let Stmt::Let {
            var,
            op: Op::Snapshot { array, row },
        } = stmt
        {
            out.insert(*var, (*array, row.is_some()));
        }
    });
    out
}

/// The snapshots calls in `block` read: the arrays as they saw them.
fn call_snapshots(block: &Block) -> HashSet<Var> {
    let mut out = HashSet::default();
    block.for_each_stmt(&mut |stmt| {
        let args = match stmt {
            Stmt::Let {
                op: Op::Call { args, .. },
                ..
            }
            | Stmt::CallArray { args, .. } => args,
            _ => return,
        };
        for arg in args {
            if let Arg::Array(ArrayArg {
                snapshot: Some(v), ..
            }) = arg
            {
                out.insert(*v);
            }
        }
    });
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
            | Stmt::Resize { .. }
            | Stmt::DeclareArray { .. }
            | Stmt::CallArray { .. }
            | Stmt::Effect(_) => {}
        }
    }
}

/// The arrays that `block` or a block nested in it stores into.
fn stored_arrays(block: &Block) -> HashSet<ArrayId> {
    let mut out = HashSet::default();
    block.for_each_stmt(&mut |stmt| {
        if let Stmt::Store { array, .. } | Stmt::Resize { array, .. } = stmt {
            out.insert(*array);
        }
    });
    out
}

/// Whether a statement of `stmts` (or of the blocks nested in them) writes `array`.
fn writes_array(stmts: &[Stmt], array: ArrayId) -> bool {
    let mut writes = false;
    for_each_stmt(stmts, &mut |s| {
        writes |= match s {
            Stmt::Store { array: a, .. }
            | Stmt::Resize { array: a, .. }
            | Stmt::DeclareArray { array: a, .. }
            | Stmt::CallArray { array: a, .. } => *a == array,
            _ => false,
        };
    });
    writes
}

/// The identifier `tokens` consists of, if that is all they are.
fn sole_ident(tokens: &TokenStream) -> Option<Ident> {
    let mut iter = tokens.clone().into_iter();
    match (iter.next(), iter.next()) {
        (Some(proc_macro2::TokenTree::Ident(i)), None) => Some(i),
        _ => None,
    }
}

/// `tokens` with each identifier that `aliases` names written as the one it maps to.
fn renamed(tokens: TokenStream, aliases: &HashMap<String, Ident>) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Ident(i) => match aliases.get(&i.to_string()) {
                Some(same) => TokenTree::Ident(same.clone()),
                None => TokenTree::Ident(i),
            },
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), renamed(g.stream(), aliases));
                inner.set_span(g.span());
                TokenTree::Group(inner)
            }
            other => other,
        })
        .collect()
}
