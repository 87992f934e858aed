//! Reads at an affine index `a[base + c * i + k]` in a loop over `lo..hi` (`base` fixed in the
//! loop, `c` and `k` literals) go through a slice of `a` taken before the loop, from the first
//! index read to the last (`&a[base + lo..base + hi]` for `a[base + i]`, `&x[..2 * n]` for
//! Rosenbrock's `x[2 * i]`, `x[2 * i + 1]`), as a careful hand-written loop slices its row
//! first: LLVM knows the slice's length covers every read, so their bounds checks go (the flat
//! GMM's `x[ix * d + i]`, `means[ik * d + i]`). The slices are taken inside `if lo < hi { .. }`
//! around the loop: a loop that does not run reads nothing, wherever its range starts. A range
//! past the end of `a` panics before the loop, where the loop would have panicked at its last
//! read. Loops that can skip part of their range (an early exit, `step_by`) are read as they
//! are; the local vectors a loop writes at its counter, through a mutable slice
//! (`begin_row_writes`), and other arrays it writes as they are.

use super::*;

/// An index `base + scale * i + k` of the loop's counter `i`.
struct Affine {
    scale: usize,
    /// Written with values defined before the loop.
    base: Option<TokenStream>,
    k: usize,
    /// The body's values the index is computed from, itself included.
    chain: Vec<Var>,
}

/// A read through a view: its value, its index's, and the index.
struct Read {
    value: Var,
    at: Var,
    index: Affine,
}

/// A read of one of the loops of a run, with that loop's counter and range.
type LoopRead<'l> = (Var, &'l CountedRange, Read);

/// What one view covers: indices `base + scale * i + k` for `k` in `k_min..=k_max`.
struct Extent {
    scale: usize,
    base: Option<TokenStream>,
    k_min: usize,
    k_max: usize,
}

impl Gen<'_> {
    /// Declares the views of loop `l` whose reads `wanted` accepts (by the read's value and the
    /// body's values its index is computed from), and makes `op` read through them until
    /// `end_views` with the same keys.
    pub(super) fn begin_views(
        &mut self,
        l: &Loop,
        wanted: impl Fn(&[Var]) -> bool,
    ) -> (TokenStream, Vec<(ArrayId, Var)>) {
        let Some((counter, range)) = viewable(l) else {
            return (TokenStream::new(), Vec::new());
        };
        let mut decls = TokenStream::new();
        let mut keys = Vec::new();
        for (array, reads) in self.reads_of(l, counter, range) {
            let reads: Vec<Read> = reads
                .into_iter()
                .filter(|r| wanted(&[&[r.value][..], &r.index.chain].concat()))
                .collect();
            let Some(first) = reads.first() else {
                continue;
            };
            let extent = Extent {
                scale: first.index.scale,
                base: first.index.base.clone(),
                k_min: reads.iter().map(|r| r.index.k).min().unwrap_or(0),
                k_max: reads.iter().map(|r| r.index.k).max().unwrap_or(0),
            };
            let (start, end) = self.bounds(range, &extent);
            let a = self.array(array);
            let name = self.fresh(&format!("{}_view", self.body.array(array).name), l.span);
            decls.extend([if start.is_empty() {
                quote!(let #name = &#a[..#(#end)+*];)
            } else {
                quote!(let #name = &#a[#(#start)+*..#(#end)+*];)
            }]);
            for r in reads {
                let index = match start.is_empty() {
                    true => self.var(r.at).into_token_stream(),
                    false => self.relative(counter, range, &extent, r.index.k),
                };
                let key = (array, r.at);
                if let std::collections::hash_map::Entry::Vacant(e) = self.views.entry(key) {
                    e.insert((name.clone(), index));
                    keys.push(key);
                }
            }
        }
        (decls, keys)
    }

    /// Rows written in place: a local vector that the forward sweep of the loop `l` reads and
    /// writes only at its counter (`y[j] += a * c` for `j` in `lo..hi`, ADBench's `Qtimesx`)
    /// goes through a mutable slice of it taken before the loop, `&mut y[lo..hi]`, as a
    /// careful person takes the row first: its length is known, so the bounds checks go, and
    /// the vector's pointer and length are not loaded again after every store (a vector passed
    /// to a call elsewhere could be changed by a store, as far as LLVM knows; 5% of the
    /// ADBench GMM at d = 10). Only in a loop whose body is numbers and such accesses: no
    /// branch or nested loop, no call, no other use of the vector, and no copy of it taken
    /// per iteration or reverse run in the same iteration.
    pub(super) fn begin_row_writes(&mut self, l: &Loop) -> (TokenStream, Vec<(ArrayId, Var)>) {
        let (mut decls, mut keys) = (TokenStream::new(), Vec::new());
        let Some((counter, range)) = viewable(l) else {
            return (decls, keys);
        };
        let k = key(l);
        let own_copies = self.copy_tapes.get(&k).is_some_and(|c| !c.is_empty())
            || self.snapshot_tapes.contains_key(&k);
        if own_copies || self.an.fusion.loops.contains_key(&k) || l.checkpoint.is_some() {
            return (decls, keys);
        }
        let at_counter = |index: &[Operand]| matches!(index, [Operand::Var(i)] if *i == counter);
        let mut written: Vec<ArrayId> = Vec::new();
        for stmt in &l.body.stmts {
            match stmt {
                Stmt::Store { array, index, .. } if at_counter(index) => written.push(*array),
                Stmt::Let { .. } | Stmt::Store { .. } => {}
                _ => return (decls, keys),
            }
        }
        written.sort();
        written.dedup();
        let measured = self.measured_by_end(range);
        for array in written {
            let info = self.body.array(array);
            // A fixed-size array on the stack that the range covers gains nothing.
            let known = info.fixed && self.covers(array, range, measured);
            if known || info.origin != ArrayOrigin::Local || info.dims != 1 || info.resizable {
                continue;
            }
            let only_rows = l.body.stmts.iter().all(|stmt| match stmt {
                Stmt::Store {
                    array: a, index, ..
                } => *a != array || at_counter(index),
                Stmt::Let {
                    op: Op::Load { array: a, index },
                    ..
                } => *a != array || at_counter(index),
                Stmt::Let { op, .. } => !op.arrays().contains(&array),
                _ => false,
            });
            if !only_rows {
                continue;
            }
            let (a, lo, hi) = (
                self.array(array),
                self.operand(&range.start),
                self.operand(&range.end),
            );
            let name = self.fresh(&format!("{}_row", self.body.array(array).name), l.span);
            let i = self.var(counter);
            let (row, index) = match range.start.is_zero() {
                true => (quote!(&mut #a[..#hi]), quote!(#i)),
                false => (quote!(&mut #a[#lo..#hi]), quote!(#i - #lo)),
            };
            decls.extend([quote!(let #name = #row;)]);
            self.views.insert((array, counter), (name, index));
            keys.push((array, counter));
        }
        (decls, keys)
    }

    /// Parts of shadows: a reverse loop (or a run of loops reversed as one, `run`) adds the
    /// adjoints of its reads `a[base + c * i + k]` into a part of `a`'s shadow taken before
    /// it, `SliceShadow::part(&mut d_a, start, end)`, at the index its view reads, so that the
    /// adds are not bounds-checked either. The part borrows the shadow while the loop runs:
    /// only where every read of `a` in the loops is such a read, at one base and scale, and
    /// nothing else in them touches `a`'s shadow (no write of `a`, no call taking it).
    pub(super) fn begin_shadow_parts(
        &mut self,
        run: &[&Loop],
    ) -> (TokenStream, Vec<(ArrayId, Var)>) {
        let mut decls = TokenStream::new();
        let mut keys = Vec::new();
        let mut reads: Vec<(ArrayId, Vec<LoopRead>)> = Vec::new();
        let mut ranges = HashSet::default();
        for l in run {
            let Some((counter, range)) = viewable(l) else {
                return (decls, keys);
            };
            if !self.an.required.contains(&counter) {
                return (decls, keys);
            }
            ranges.insert(self.range(range, false, false).to_string());
            for (array, group) in self.reads_of(l, counter, range) {
                let group = group.into_iter().map(|r| (counter, range, r));
                match reads.iter_mut().find(|(a, _)| *a == array) {
                    Some((_, all)) => all.extend(group),
                    None => reads.push((array, group.collect())),
                }
            }
        }
        if ranges.len() != 1 {
            return (decls, keys);
        }
        for (array, reads) in reads {
            let (_, range, first) = &reads[0];
            let base = |r: &Read| r.index.base.as_ref().map(|b| b.to_string());
            let one_extent = reads
                .iter()
                .all(|(_, _, r)| r.index.scale == first.index.scale && base(r) == base(first));
            let values: HashSet<Var> = reads.iter().map(|(_, _, r)| r.value).collect();
            if !self.an.active_array[array.0]
                || !one_extent
                || !reads.iter().any(|(_, _, r)| self.an.active[r.value.0])
                || !run.iter().all(|l| only_reads(&l.body, array, &values))
            {
                continue;
            }
            let extent = Extent {
                scale: first.index.scale,
                base: first.index.base.clone(),
                k_min: reads.iter().map(|(_, _, r)| r.index.k).min().unwrap_or(0),
                k_max: reads.iter().map(|(_, _, r)| r.index.k).max().unwrap_or(0),
            };
            // The loops of a run share their range.
            let (start, end) = self.bounds(range, &extent);
            let from_zero = start.is_empty();
            let start = match from_zero {
                true => quote!(0),
                false => quote!(#(#start)+*),
            };
            let info = self.body.array(array);
            let param = match info.origin {
                ArrayOrigin::Param(p) => Some(p),
                ArrayOrigin::Local => None,
                ArrayOrigin::Constant => continue,
            };
            // A nested model's field is a projection (a temporary): added into in place.
            if param.is_some_and(|p| self.shadows[p].as_ref().and_then(sole_ident).is_none()) {
                continue;
            }
            let name = self.fresh(&format!("d_{}_part", info.name), run[0].span);
            decls.extend([match param {
                Some(p) => {
                    self.used_shadows.insert(p);
                    let s = &self.shadows[p];
                    quote!(let mut #name = ::autodiff::SliceShadow::part(&mut #s, #start, #(#end)+*);)
                }
                None => {
                    let d = self.array_adj(array);
                    quote!(let #name = &mut #d[#start..#(#end)+*];)
                }
            }]);
            for (counter, range, r) in &reads {
                let index = match from_zero {
                    true => self.var(r.at).into_token_stream(),
                    false => self.relative(*counter, range, &extent, r.index.k),
                };
                let key = (array, r.at);
                self.shadow_parts.insert(key, (name.clone(), index));
                keys.push(key);
            }
        }
        (decls, keys)
    }

    pub(super) fn end_shadow_parts(&mut self, keys: Vec<(ArrayId, Var)>) {
        for key in keys {
            self.shadow_parts.remove(&key);
        }
    }

    /// Where a view over `span`'s reads in a loop over `range` starts and ends, as terms to
    /// add up (no start: it starts at 0).
    fn bounds(
        &self,
        range: &CountedRange,
        extent: &Extent,
    ) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let (lo, hi) = (self.operand(&range.start), self.operand(&range.end));
        // From the first index read (at `lo`) to past the last (at `hi - 1`).
        let mut start = Vec::new();
        start.extend(extent.base.clone());
        if !range.start.is_zero() {
            start.push(times(extent.scale, quote!(#lo)));
        }
        if extent.k_min > 0 {
            start.push(number(extent.k_min));
        }
        let mut end = Vec::new();
        end.extend(extent.base.clone());
        match extent.scale {
            1 => end.push(quote!(#hi)),
            _ => end.push(times(extent.scale, quote!((#hi - 1)))),
        }
        let past = extent.k_max + usize::from(extent.scale != 1);
        if past > 0 {
            end.push(number(past));
        }
        (start, end)
    }

    /// The index into a view over `span` (one that does not start at 0) of the read at
    /// offset `k`: the index less the view's start.
    fn relative(
        &self,
        counter: Var,
        range: &CountedRange,
        extent: &Extent,
        k: usize,
    ) -> TokenStream {
        let (i, lo) = (self.var(counter), self.operand(&range.start));
        let relative = match (range.start.is_zero(), extent.scale) {
            (true, _) => quote!(#i),
            (false, 1) => quote!(#i - #lo),
            (false, _) => quote!((#i - #lo)),
        };
        let mut terms = vec![times(extent.scale, relative)];
        if k > extent.k_min {
            terms.push(number(k - extent.k_min));
        }
        quote!(#(#terms)+*)
    }

    /// `looped` (the loop of `kind`) with the views it reads declared before it, under
    /// `if lo < hi` (a `while` loop has none).
    pub(super) fn with_views(
        &self,
        kind: &LoopKind,
        views: &TokenStream,
        looped: TokenStream,
    ) -> TokenStream {
        let LoopKind::Counted { range, .. } = kind else {
            return looped;
        };
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

    /// The reads of `l`'s body (not of its branches or nested loops) at an affine index of
    /// `counter`, from a one-dimensional array the loop does not write, grouped per view: by
    /// array, scale and base.
    fn reads_of(&self, l: &Loop, counter: Var, range: &CountedRange) -> Vec<(ArrayId, Vec<Read>)> {
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
        let measured = self.measured_by_end(range);
        let mut groups: Vec<(ArrayId, Vec<Read>)> = Vec::new();
        for stmt in &l.body.stmts {
            let Stmt::Let {
                var: value,
                op: Op::Load { array, index },
            } = stmt
            else {
                continue;
            };
            let [Operand::Var(at)] = index.as_slice() else {
                continue;
            };
            if self.body.array(*array).dims != 1 || writes_array(&l.body.stmts, *array) {
                continue;
            }
            let Some(index) = self.affine(*at, counter, &defs, region) else {
                continue;
            };
            // `a[i]` over `0..a.len()`: LLVM knows already.
            let plain = index.scale == 1 && index.base.is_none() && index.k == 0;
            if plain && self.covers(*array, range, measured) {
                continue;
            }
            let read = Read {
                value: *value,
                at: *at,
                index,
            };
            let same = |r: &Read| {
                r.index.scale == read.index.scale
                    && r.index.base.as_ref().map(|b| b.to_string())
                        == read.index.base.as_ref().map(|b| b.to_string())
            };
            match groups
                .iter_mut()
                .find(|(a, reads)| a == array && reads.iter().all(same))
            {
                Some((_, reads)) => reads.push(read),
                None => groups.push((*array, vec![read])),
            }
        }
        groups
    }

    /// Whether `range` is `0..n` with `n` a constant and `array` of a fixed size, `n` the
    /// length a local array was made with, or `n` read from `array.len()` (`measured`): LLVM
    /// knows `array[i]` is in bounds already.
    fn covers(&self, array: ArrayId, range: &CountedRange, measured: Option<ArrayId>) -> bool {
        let info = self.body.array(array);
        let constant = !matches!(range.end, Operand::Var(_));
        range.start.is_zero()
            && ((info.fixed && constant)
                || info.lens.first().is_some_and(|n| n.same(&range.end))
                || measured == Some(array))
    }

    /// The array whose `.len()` the range's end is, if it is one.
    fn measured_by_end(&self, range: &CountedRange) -> Option<ArrayId> {
        let end = range.end.var()?;
        let mut measured = None;
        self.body.block.for_each_stmt(&mut |s| {
            if let Stmt::Let {
                var,
                op: Op::Len { array, row: None },
            } = s
            {
                if *var == end {
                    measured = Some(*array);
                }
            }
        });
        measured
    }

    /// `v` as `base + scale * counter + k`, computed in the body (`defs`) from the counter,
    /// literals and values defined before the loop.
    fn affine(
        &self,
        v: Var,
        counter: Var,
        defs: &HashMap<Var, &Op>,
        region: usize,
    ) -> Option<Affine> {
        if v == counter {
            return Some(Affine {
                scale: 1,
                base: None,
                k: 0,
                chain: Vec::new(),
            });
        }
        let mut index = match defs.get(&v)? {
            Op::Binary(BinOp::Mul, Operand::Var(c), Operand::Lit(n))
            | Op::Binary(BinOp::Mul, Operand::Lit(n), Operand::Var(c))
                if *c == counter =>
            {
                Affine {
                    scale: literal(n).filter(|n| *n > 0)?,
                    base: None,
                    k: 0,
                    chain: Vec::new(),
                }
            }
            Op::Binary(BinOp::Add, a, b) => {
                let varies =
                    |x: &Operand| x.var().is_some_and(|x| self.varies_with(x, counter, defs));
                let (term, other) = match (a, b) {
                    (Operand::Var(x), other) if varies(a) && !varies(other) => (*x, other),
                    (other, Operand::Var(x)) if varies(b) && !varies(other) => (*x, other),
                    _ => return None,
                };
                let mut index = self.affine(term, counter, defs, region)?;
                match other {
                    Operand::Lit(n) => index.k += literal(n)?,
                    other => {
                        let added = self.outside(other, defs, region, &mut index.chain)?;
                        index.base = Some(match index.base {
                            Some(base) => quote!(#base + #added),
                            None => added,
                        });
                    }
                }
                index
            }
            _ => return None,
        };
        index.chain.push(v);
        Some(index)
    }

    /// Whether `x` is the counter or computed in the body from it.
    fn varies_with(&self, x: Var, counter: Var, defs: &HashMap<Var, &Op>) -> bool {
        x == counter
            || defs.get(&x).is_some_and(|op| {
                crate::activity::op_vars(op)
                    .into_iter()
                    .any(|u| self.varies_with(u, counter, defs))
            })
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

/// `scale * x`, or `x`.
fn times(scale: usize, x: TokenStream) -> TokenStream {
    match scale {
        1 => x,
        _ => {
            let scale = number(scale);
            quote!(#scale * #x)
        }
    }
}

/// `n` as an unsuffixed literal (an index's type is inferred).
fn number(n: usize) -> TokenStream {
    proc_macro2::Literal::usize_unsuffixed(n).into_token_stream()
}

fn literal(n: &syn::Lit) -> Option<usize> {
    match n {
        syn::Lit::Int(n) => n.base10_parse().ok(),
        _ => None,
    }
}

/// Whether `array` is touched in `block` (or the blocks nested in it) only by the reads
/// `values`: no other read, no write, no call that takes it.
fn only_reads(block: &Block, array: ArrayId, values: &HashSet<Var>) -> bool {
    let takes = |args: &[Arg]| {
        args.iter()
            .any(|a| matches!(a, Arg::Array(a) if a.array == array))
    };
    let mut only = true;
    block.for_each_stmt(&mut |stmt| {
        only &= match stmt {
            Stmt::Let {
                var,
                op: Op::Load { array: a, .. },
            } => *a != array || values.contains(var),
            Stmt::Let {
                op: Op::Call { args, .. },
                ..
            } => !takes(args),
            Stmt::Store { array: a, .. }
            | Stmt::Resize { array: a, .. }
            | Stmt::DeclareArray { array: a, .. } => *a != array,
            Stmt::CallArray { array: a, args, .. } => *a != array && !takes(args),
            _ => true,
        };
    });
    only
}

/// The counter and range of a loop whose reads can go through views: a counted loop that runs
/// its whole range (no early exit, no `step_by`), not inclusive.
fn viewable(l: &Loop) -> Option<(Var, &CountedRange)> {
    let LoopKind::Counted { counter, range } = &l.kind else {
        return None;
    };
    let whole = range.adaptors.iter().all(|a| matches!(a, Adaptor::Rev));
    (!range.inclusive && l.exit.is_none() && whole).then_some((*counter, range))
}
