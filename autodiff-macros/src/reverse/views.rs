//! Reads at `a[base + i]` in a loop over `lo..hi` (with `base` fixed in the loop) go through a
//! slice of `a` taken before the loop, `&a[base + lo..base + hi]`, as a careful hand-written loop
//! slices its row first: LLVM knows that slice's length is the trip count, so the bounds check
//! of every read goes (the flat-indexed GMM's `x[ix * d + i]`, `means[ik * d + i]`). The slices
//! are taken inside `if lo < hi { .. }` around the loop: a loop that does not run reads nothing,
//! wherever its range starts. A range past the end of `a` panics before the loop, where the loop
//! would have panicked at its first read past it. Arrays the loop writes, and loops that can
//! skip part of their range (an early exit, `step_by`) are read as they are.

use super::*;

/// A slice taken before a loop, and the reads it serves.
struct View {
    array: ArrayId,
    /// `base`, written with values defined before the loop.
    base: TokenStream,
    /// The values of the loop body `base` is computed from in the loop.
    chain: Vec<Var>,
    /// The reads through it: their values and their indices' (`base + i`).
    reads: Vec<(Var, Var)>,
}

impl Gen<'_> {
    /// Declares the views of loop `l` whose reads `wanted` accepts (by the values of the read,
    /// of its index and of the body's values the base is computed from), and makes `op` read
    /// through them until `end_views` with the same keys.
    pub(super) fn begin_views(
        &mut self,
        l: &Loop,
        wanted: impl Fn(&[Var]) -> bool,
    ) -> (TokenStream, Vec<(ArrayId, Var)>) {
        let LoopKind::Counted { counter, range } = &l.kind else {
            return (TokenStream::new(), Vec::new());
        };
        let whole = range.adaptors.iter().all(|a| matches!(a, Adaptor::Rev));
        if range.inclusive || l.exit.is_some() || !whole {
            return (TokenStream::new(), Vec::new());
        }
        let mut decls = TokenStream::new();
        let mut keys = Vec::new();
        let (lo, hi) = (self.operand(&range.start), self.operand(&range.end));
        let i = self.var(*counter);
        let index = if is_zero(&range.start) {
            quote!(#i)
        } else {
            quote!(#i - #lo)
        };
        for view in self.views_of(l, *counter) {
            let reads: Vec<Var> = view
                .reads
                .iter()
                .filter(|(read, at)| wanted(&[&[*read, *at][..], &view.chain].concat()))
                .map(|(_, at)| *at)
                .collect();
            if reads.is_empty() {
                continue;
            }
            let a = self.array(view.array);
            let name = self.fresh(
                &format!("{}_view", self.body.array(view.array).name),
                l.span,
            );
            let base = view.base;
            let start = if is_zero(&range.start) {
                base.clone()
            } else {
                quote!(#base + #lo)
            };
            decls.extend([quote!(let #name = &#a[#start..#base + #hi];)]);
            for at in reads {
                let key = (view.array, at);
                if let std::collections::hash_map::Entry::Vacant(e) = self.views.entry(key) {
                    e.insert((name.clone(), index.clone()));
                    keys.push(key);
                }
            }
        }
        (decls, keys)
    }

    /// `looped` (a loop over `range`) with the views it reads declared before it, under
    /// `if lo < hi`.
    pub(super) fn with_views(
        &self,
        range: &CountedRange,
        views: &TokenStream,
        looped: TokenStream,
    ) -> TokenStream {
        if views.is_empty() {
            return looped;
        }
        let (lo, hi) = (self.operand(&range.start), self.operand(&range.end));
        quote!(if #lo < #hi { #views #looped })
    }

    pub(super) fn end_views(&mut self, keys: Vec<(ArrayId, Var)>) {
        for key in keys {
            self.views.remove(&key);
        }
    }

    /// The reads `a[base + i]` of `l`'s body (not of its branches or nested loops), `base`
    /// computed from values defined before the loop, `a` one-dimensional and not written in
    /// the loop; one view per array and base.
    fn views_of(&self, l: &Loop, counter: Var) -> Vec<View> {
        let region = self.an.loop_regions[&key(l)];
        let defs: HashMap<Var, &Op> = l
            .body
            .stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Let { var, op } => Some((*var, op)),
                _ => None,
            })
            .collect();
        let mut views: Vec<View> = Vec::new();
        for stmt in &l.body.stmts {
            let Stmt::Let {
                var: read,
                op: Op::Load { array, index },
            } = stmt
            else {
                continue;
            };
            let [Operand::Var(at)] = index.as_slice() else {
                continue;
            };
            let Some(Op::Binary(BinOp::Add, a, b)) = defs.get(at) else {
                continue;
            };
            let base = match (a, b) {
                (Operand::Var(c), base) | (base, Operand::Var(c)) if *c == counter => base,
                _ => continue,
            };
            let mut chain = Vec::new();
            let Some(base) = self.outside(base, &defs, region, &mut chain) else {
                continue;
            };
            if self.body.array(*array).dims != 1 || writes_array(&l.body.stmts, *array) {
                continue;
            }
            let same = base.to_string();
            match views
                .iter_mut()
                .find(|v| v.array == *array && v.base.to_string() == same)
            {
                Some(v) => v.reads.push((*read, *at)),
                None => views.push(View {
                    array: *array,
                    base,
                    chain,
                    reads: vec![(*read, *at)],
                }),
            }
        }
        views
    }

    /// `x` written with values defined before the loop whose body is `region`: itself, or the
    /// integer arithmetic the body computes it with (`ik * d`, its values added to `chain`),
    /// from such values.
    fn outside(
        &self,
        x: &Operand,
        defs: &HashMap<Var, &Op>,
        region: usize,
        chain: &mut Vec<Var>,
    ) -> Option<TokenStream> {
        let Some(v) = x.var() else {
            return Some(self.operand(x).into());
        };
        if !self.an.within(self.an.def_region[v.0], region) {
            return Some(self.var(v).into_token_stream());
        }
        chain.push(v);
        match defs.get(&v)? {
            Op::Binary(op, a, b)
                if !op.is_comparison() && !matches!(op, BinOp::And | BinOp::Or) =>
            {
                let a = self.outside(a, defs, region, chain)?;
                let b = self.outside(b, defs, region, chain)?;
                let op = binop_tokens(*op);
                Some(quote!((#a #op #b)))
            }
            Op::Copy(a) => self.outside(a, defs, region, chain),
            _ => None,
        }
    }
}

fn is_zero(x: &Operand) -> bool {
    matches!(x, Operand::Lit(syn::Lit::Int(i)) if i.base10_digits() == "0")
}
