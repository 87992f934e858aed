//! Loops in reverse: a loop's tapes popped (or read forwards when its iterations commute),
//! what was not taped recomputed, reads at a fixed index summed through the loop.

use super::*;
use crate::activity::{Induction, ResumedFrom};
use proc_macro2::TokenTree;

/// A loop's reverse before it is put together (`Gen::loop_parts`).
pub(super) struct LoopParts {
    pub(super) head: Piece,
    /// The views the body reads (`views.rs`), declared right before the loop.
    pub(super) views: TokenStream,
    /// The counter each iteration binds, when the body reads it.
    pub(super) counter: Option<TokenStream>,
    /// What the loop runs over, without its tape entries.
    pub(super) range: TokenStream,
    /// The loop's tape entries read in place: the segment of the tape they are in, the
    /// pattern an iteration binds its entry to, and the range in forward order (of an exact
    /// size), which the segment is zipped with (then reversed, for a loop run backwards).
    pub(super) entries: Option<Entries>,
    pub(super) body: Piece,
    pub(super) tail: Vec<Piece>,
}

pub(super) struct Entries {
    pub(super) segment: Ident,
    pub(super) entry: TokenStream,
    pub(super) range: TokenStream,
    pub(super) backward: bool,
}

/// The pattern and the iterator of a loop that binds `counter` (or `_`) and reads the tape
/// entries of `entries` in place: `for ((i, &a), &b) in (0..n).zip(a_entries).zip(b_entries)`,
/// `.rev()` for a loop run backwards (the entries were pushed in forward order).
pub(super) fn loop_header(
    counter: Option<&TokenStream>,
    range: &TokenStream,
    entries: &[Entries],
) -> (TokenStream, TokenStream) {
    let mut pattern = counter.cloned().unwrap_or_else(|| quote!(_));
    let Some(first) = entries.first() else {
        return (pattern, range.clone());
    };
    let mut iter = first.range.clone();
    for e in entries {
        let (segment, entry) = (&e.segment, &e.entry);
        pattern = quote!((#pattern, &#entry));
        iter = quote!(#iter.zip(#segment));
    }
    if first.backward {
        iter = quote!(#iter.rev());
    }
    (pattern, iter)
}

/// The integer values of a type whose ranges have no exact size (`i64`, `u64`, ...) as far
/// as the function says: parameters of such a type, casts to one, `let`s declared one, and
/// what integer arithmetic and branches make of them; what one is compared with, of its type
/// too, and a loop's range when its counter is (`for i in 0..m { if i == n { .. } }` with
/// `n: u64`, `m` a literal Rust types by that comparison). A value of a type the function does
/// not spell out (`img.height()`) is taken to be narrow.
pub(super) fn wide_integers(body: &Body, sig: &Signature) -> HashSet<Var> {
    let scalars = sig.params.iter().filter(|p| {
        matches!(
            p.kind,
            ParamKind::Float | ParamKind::Int { .. } | ParamKind::Bool
        )
    });
    let mut wide: HashSet<Var> = scalars
        .zip(&body.param_vars)
        .filter(|(p, _)| matches!(p.kind, ParamKind::Int { wide: true }))
        .map(|(_, v)| *v)
        .collect();
    loop {
        let before = wide.len();
        body.block.for_each_stmt(&mut |stmt| match stmt {
            Stmt::Let { var, op } if wide_op(op, &wide) => {
                wide.insert(*var);
            }
            Stmt::Let {
                op: Op::Binary(op, a, b),
                ..
            } if op.is_comparison() && (wide_operand(a, &wide) || wide_operand(b, &wide)) => {
                wide.extend([a, b].into_iter().filter_map(|x| x.var()));
            }
            Stmt::If { phis, .. } => {
                for phi in phis {
                    if [&phi.then_value, &phi.else_value]
                        .iter()
                        .any(|x| wide_operand(x, &wide))
                    {
                        wide.insert(phi.var);
                    }
                }
            }
            Stmt::Loop(l) => {
                for c in &l.carried {
                    if [&c.init, &c.next].iter().any(|x| wide_operand(x, &wide)) {
                        wide.extend([c.inner, c.out]);
                    }
                }
                if let LoopKind::Counted { counter, range } = &l.kind {
                    if wide.contains(counter) {
                        wide.extend(
                            [&range.start, &range.end]
                                .into_iter()
                                .filter_map(|x| x.var()),
                        );
                    }
                }
            }
            _ => {}
        });
        if wide.len() == before {
            return wide;
        }
    }
}

fn wide_op(op: &Op, wide: &HashSet<Var>) -> bool {
    match op {
        Op::Copy(x) | Op::Unary(_, x) => wide_operand(x, wide),
        Op::Binary(op, a, b) => {
            !op.is_comparison() && (wide_operand(a, wide) || wide_operand(b, wide))
        }
        Op::Cast(_, ty) => wide_type(ty),
        Op::IntMethod { receiver, .. } => wide_operand(receiver, wide),
        // `let h: i64 = img.height();`, or an expression that ends in a cast (`w as i64 - 1`).
        Op::Opaque(o) => {
            o.declared.as_ref().is_some_and(wide_type) || {
                let tokens: Vec<_> = o.tokens.clone().into_iter().collect();
                matches!(tokens.as_slice(), [.., TokenTree::Ident(a), TokenTree::Ident(ty)]
                    if a == "as" && WIDE_INT_TYPES.contains(&ty.to_string().as_str()))
            }
        }
        _ => false,
    }
}

/// Whether `x` is a wide integer (see `wide_integers`): `3i64` or `N as u64` too.
pub(super) fn wide_operand(x: &Operand, wide: &HashSet<Var>) -> bool {
    match x {
        Operand::Var(v) => wide.contains(v),
        Operand::Lit(syn::Lit::Int(i)) => WIDE_INT_TYPES.contains(&i.suffix()),
        Operand::Lit(_) => false,
        Operand::Const(syn::Expr::Cast(c)) => wide_type(&c.ty),
        Operand::Const(_) => false,
    }
}

fn wide_type(ty: &syn::Type) -> bool {
    WIDE_INT_TYPES.contains(&ty.to_token_stream().to_string().as_str())
}

impl Gen<'_> {
    pub(super) fn reverse_loop(&mut self, l: &Loop) -> Vec<Piece> {
        let k = key(l);
        if !self.an.has_adjoint.get(&k).copied().unwrap_or(false) {
            return Vec::new();
        }
        if self.an.fusion.loops.contains_key(&k) {
            // The iterations were reversed as they ran: what is left is the accumulators'
            // starting values, whose adjoint is that of their final ones.
            let mut pieces = Vec::new();
            for c in l.carried.iter().filter(|c| self.an.active[c.inner.0]) {
                let d = self.adj(c.out);
                if let Some(mut p) = self.add_to(&c.init, quote!(#d)) {
                    p.reads.insert(c.out);
                    pieces.push(p);
                }
            }
            return pieces;
        }
        let forward = self.runs_forward(l);
        let (mut views, parted) = self.begin_shadow_parts(&[l]);
        let parts = self.loop_parts(l, forward);
        self.end_shadow_parts(parted);
        let Some(parts) = parts else {
            return Vec::new();
        };
        let LoopParts {
            mut head,
            views: read_views,
            counter,
            range,
            entries,
            body,
            tail,
        } = parts;
        views.extend([read_views]);
        let (i, range) = loop_header(counter.as_ref(), &range, entries.as_slice());
        let b = &body.tokens;
        let looped = quote!(for #i in #range { #b });
        head.tokens
            .extend([self.with_views(&l.kind, &views, looped)]);
        let mut pieces = vec![head.touching(&body)];
        pieces.extend(tail);
        pieces
    }

    /// A loop's reverse in parts: what goes before it, the counter it binds (when the body
    /// reads it), the range it runs over (backwards, or forwards when `forward`: see
    /// `order.rs`), its body, and what goes after it.
    pub(super) fn loop_parts(&mut self, l: &Loop, forward: bool) -> Option<LoopParts> {
        let k = key(l);
        let body_region = self.an.loop_regions[&k];
        let (tape, bits) = self.tape_names(k, l.span);
        let zero = self.zero();
        let mut head = Piece::code(TokenStream::new());
        let mut tail = Vec::new();
        for (v, array, index) in self.hoisted_reads(l) {
            let name = format!("d_{}_sum", self.body.array(array).name);
            let sum = self.fresh(&name, l.span);
            head.tokens.extend([quote!(let mut #sum = #zero;)]);
            tail.push(Piece::code(self.add_into_array(
                array,
                &index,
                quote!(#sum),
                false,
            )));
            self.hoisted.insert(v, sum);
        }
        // The carried adjoints: at the start of a reverse iteration, the adjoint of the value
        // the forward iteration ended with.
        let active_carried: Vec<&Carried> = l
            .carried
            .iter()
            .filter(|c| self.an.active[c.inner.0])
            .collect();
        // An accumulator's (`total += e`) is the same in every iteration: each hands it on to
        // the iteration's final value and nothing adds into it.
        let accumulators: HashSet<Var> = active_carried
            .iter()
            .filter(|c| crate::fusion::accumulates(l, c))
            .map(|c| c.inner)
            .collect();
        for c in &active_carried {
            let d = self.adj(c.inner);
            let m = (!accumulators.contains(&c.inner)).then(|| quote!(mut));
            if self.an.active[c.out.0] {
                let d_out = self.adj(c.out);
                head.tokens.extend([quote!(let #m #d = #d_out;)]);
                head.reads.insert(c.out);
            } else {
                head.tokens.extend([quote!(let #m #d = #zero;)]);
            }
        }
        let mut body = Vec::new();
        let plan = self.an.loops.get(&k);
        let mut restore = TokenStream::new();
        let tape_values: Vec<Ident> = match (&tape, plan) {
            (Some(_), Some(plan)) => self
                .tape_values(plan)
                .iter()
                .map(|v| self.var(*v))
                .collect(),
            _ => Vec::new(),
        };
        let restored = plan.map(|p| p.restored.as_slice()).unwrap_or_default();
        // Running forwards, the iterations' tape entries and induction values are counted from
        // the first; running backwards over a counted range it runs to the end of, its tape
        // entries are read in place too, from the last.
        // Running forwards, an induction starts where its final value and the trip count say,
        // but where the enclosing reverse iteration's resumed value runs (`resumed_runs`).
        let counted_from_out = |i: &Induction| !self.resumed_runs.contains_key(&i.out);
        let in_place = !tape_values.is_empty()
            && l.exit.is_none()
            && l.checkpoint.is_none()
            && self.scalar_tape(k);
        let trips = match &l.kind {
            LoopKind::Counted { range, .. }
                if (forward
                    && (!tape_values.is_empty() || restored.iter().any(counted_from_out)))
                    || (!forward && in_place) =>
            {
                let trips = self.fresh("trips", l.span);
                let r = self.range(range, false, false);
                head.tokens
                    .extend([quote!(let #trips = ::autodiff::__private::trip_count(#r);)]);
                Some(trips)
            }
            _ => None,
        };
        let induction_trips = trips.as_ref().filter(|_| forward);
        // Induction variables run backwards from their final value, or forwards from the
        // value it tells they started from.
        for induction in restored {
            let inner = self.var(induction.inner);
            let out = self.var(induction.out);
            let step = self.operand(&induction.step);
            let down = induction.op == BinOp::Sub;
            let (undo, redo) = match down {
                true => (quote!(+=), quote!(-=)),
                false => (quote!(-=), quote!(+=)),
            };
            // Running forwards: started where the enclosing reverse iteration's value runs
            // (which it then runs on from where this loop leaves it), or where the final
            // value and the trip count say.
            let start = match (induction_trips, self.resumed_runs.get_mut(&induction.out)) {
                (_, Some(run)) if forward => {
                    run.taken = true;
                    let enclosing = run.running.clone();
                    Some((quote!(#enclosing), Some(enclosing)))
                }
                (Some(trips), _) => Some((
                    quote!(::autodiff::__private::induction_start(#out, #step, #trips, #down)),
                    None,
                )),
                (None, _) => None,
            };
            match start {
                Some((start, handed_back)) => {
                    let fwd = self.fresh(&format!("{inner}_fwd"), l.span);
                    head.tokens.extend([quote!(let mut #fwd = #start;)]);
                    if let Some(enclosing) = handed_back {
                        tail.push(Piece::code(quote!(#enclosing = #fwd;)));
                    }
                    restore.extend([quote!(let #inner = #fwd; #fwd #redo #step;)]);
                }
                None => {
                    let running = self.fresh(&format!("{inner}_back"), l.span);
                    // Found from where the enclosing reverse iteration started, unless its
                    // body's reverse reads it too and found it already.
                    if let Some(run) = self
                        .resumed_runs
                        .get(&induction.out)
                        .filter(|r| !r.declared)
                    {
                        let LoopKind::Counted { range, .. } = &l.kind else {
                            unreachable!("a resumed induction's loop is counted")
                        };
                        let (enclosing, range) = (&run.running, self.range(range, false, false));
                        head.tokens.extend([quote!(
                            let #out = ::autodiff::__private::induction_end(
                                #enclosing, #step, ::autodiff::__private::trip_count(#range), #down,
                            );
                        )]);
                    }
                    head.tokens.extend([quote!(let mut #running = #out;)]);
                    restore.extend([quote!(#running #undo #step; let #inner = #running;)]);
                }
            }
        }
        // Values the iterations end with where a nested induction ended (`Resumed`): running
        // backwards, each found from the start of the iteration after it; running forwards,
        // where the nested loop's steps take the iteration's start, once its range is
        // recomputed (at the nested loop's place in the body).
        let mut resume = TokenStream::new();
        let (mut ends, mut moves) = (HashMap::default(), HashMap::default());
        for r in plan.map(|p| p.resumed.as_slice()).unwrap_or_default() {
            let (end, step) = (self.var(r.end), self.operand(&r.step));
            let (range, down) = (self.range(&r.range, false, false), r.op == BinOp::Sub);
            let trips = quote!(::autodiff::__private::trip_count(#range));
            match &r.from {
                ResumedFrom::Out(out) => {
                    let (out, running) =
                        (self.var(*out), self.fresh(&format!("{end}_back"), l.span));
                    head.tokens.extend([quote!(let mut #running = #out;)]);
                    restore.extend([quote!(let #end = #running;)]);
                    resume.extend([quote!(
                        #running =
                            ::autodiff::__private::induction_start(#end, #step, #trips, #down);
                    )]);
                }
                ResumedFrom::Init(init) => {
                    assert!(
                        forward,
                        "autodiff: a loop planned to resume from its start reversed backwards (a bug in autodiff-macros)"
                    );
                    let (init, running) = (
                        self.operand(init),
                        self.fresh(&format!("{end}_fwd"), l.span),
                    );
                    head.tokens.extend([quote!(let mut #running = #init;)]);
                    let moved = quote!(::autodiff::__private::induction_end(#running, #step, #trips, #down));
                    // Read where the nested loop was, by what came after it (the loop's own
                    // carrying it on is the one read besides).
                    let declared = self.uses.get(&r.end).is_some_and(|&n| n > 1);
                    if declared {
                        ends.insert(r.end, quote!(let #end = #moved;));
                    }
                    moves.insert(r.end, moved);
                    let run = super::ResumedRun {
                        running,
                        declared,
                        taken: false,
                    };
                    self.resumed_runs.insert(r.end, run);
                }
            }
        }
        let mut drop_copies = TokenStream::new();
        for c in self.copy_tapes.get(&k).into_iter().flatten() {
            let (a, tape, view) = (self.array(c.array), &c.tape, &c.view);
            restore
                .extend([quote!(let #view = ::autodiff::__private::last_copy(&#tape, #a.len());)]);
            drop_copies.extend([quote!(::autodiff::__private::drop_copy(&mut #tape, #a.len());)]);
        }
        if let Some((snapshots, saved)) = self.snapshot_tapes.get(&k).cloned() {
            // The last iteration's snapshots first. They are read in place and dropped when
            // the iteration is done, unless it replays its forward sweep, which takes them
            // again.
            let end = l
                .checkpoint
                .is_none()
                .then(|| self.fresh(&format!("{snapshots}_end"), l.span));
            if let Some(end) = &end {
                restore.extend([quote!(let mut #end = #snapshots.len();)]);
                drop_copies.extend([quote!(#snapshots.truncate(#end);)]);
            }
            for v in saved.iter().rev() {
                let (array, _) = self.snapshot_of[v];
                let (a, buf, name) = (self.array(array), &self.snapshot_buffers[v], self.var(*v));
                restore.extend([match &end {
                    Some(end) => quote!(
                        let #name = ::autodiff::__private::snapshot_view(&#snapshots, &mut #end, #a.len(), &mut #buf);
                    ),
                    None => quote!(
                        let #name = ::autodiff::__private::restore_snapshot(&mut #snapshots, #a.len(), &mut #buf);
                    ),
                }]);
            }
        }
        let entry = match tape_values.as_slice() {
            [] => None,
            [v] => Some(quote!(#v)),
            vals => Some(quote!((#(#vals),*))),
        };
        // The loop reads its entries in place, zipped with its counter (backwards, from the
        // last), then drops them.
        let mut entries = None;
        match (&tape, &entry, &trips) {
            (Some(tape), Some(entry), Some(trips)) => {
                let seg = self.fresh(&format!("{tape}_entries"), l.span);
                head.tokens.extend([quote!(let #seg = #tape.last(#trips);)]);
                tail.push(Piece::code(quote!(#tape.discard(#trips);)));
                entries = Some((seg, entry.clone()));
            }
            (Some(tape), Some(entry), None) => {
                restore.extend([quote!(let #entry = ::autodiff::__private::pop(&mut #tape);)]);
            }
            _ => {}
        }
        if let (Some(bits), Some(plan)) = (&bits, plan) {
            for b in plan.bits.iter().rev() {
                let b = self.var(*b);
                restore.extend([quote!(let #b = #bits.pop();)]);
            }
        }
        // Reads recomputed here, from an index (and its base) recomputed here too, whose
        // operands are then in scope, go through views.
        let copied = &self.an.copy_reads;
        let (views, viewed) = match plan {
            Some(plan) => self.begin_views(l, |values| {
                values.iter().all(|v| plan.recomputed.contains(v))
                    && !copied.contains_key(&values[0])
            }),
            None => (TokenStream::new(), Vec::new()),
        };
        if let Some(plan) = plan {
            restore.extend([self.recompute(&l.body, &plan.recomputed, &ends)]);
        }
        restore.extend([self.replay_segment(l)]);
        // Hand the adjoints of the iteration's final values to them, then restart the
        // carried adjoints for the iteration's starting values.
        let mut handoff = Vec::new();
        for c in &active_carried {
            let d = self.adj(c.inner);
            if accumulators.contains(&c.inner) {
                handoff.extend(self.add_to(&c.next, quote!(#d)));
                self.dropped.insert(c.inner);
                continue;
            }
            let t = self.fresh(&format!("{d}_next"), l.span);
            restore.extend([quote!(let #t = #d; #d = #zero;)]);
            handoff.extend(self.add_to(&c.next, quote!(#t)));
        }
        // The adjoint buffers of the iteration's arrays, after the values they are made from
        // (the shape of an array a call returned) are restored.
        restore.extend([self.array_buffers(&l.body)]);
        body.push(Piece::code(restore));
        body.extend(handoff);
        body.extend(self.reverse_stmts(&l.body));
        // Values resumed from the start run on to where the iteration ended, unless the
        // nested loop's reverse took them there.
        for r in plan.map(|p| p.resumed.as_slice()).unwrap_or_default() {
            match self.resumed_runs.remove(&r.end) {
                Some(run) if !run.taken => {
                    let (running, end) = (run.running, self.var(r.end));
                    let moved = match run.declared {
                        true => quote!(#end),
                        false => moves[&r.end].clone(),
                    };
                    resume.extend([quote!(#running = #moved;)]);
                }
                _ => {}
            }
        }
        body.push(Piece::code(resume));
        let mut body = self.finalize(body, &l.body, body_region, TokenStream::new());
        self.end_views(viewed);
        body.tokens.extend([drop_copies]);
        let mut in_place = None;
        let (counter, range) = match &l.kind {
            LoopKind::Counted { counter, range } => {
                if let Some((segment, entry)) = entries {
                    in_place = Some(Entries {
                        segment,
                        entry,
                        range: self.range(range, true, !forward),
                        backward: !forward,
                    });
                }
                let r = match l.trips.filter(|_| l.exit.is_some()) {
                    Some(t) => {
                        let mut taken = range.clone();
                        taken.adaptors.push(Adaptor::Take(Operand::Var(t)));
                        let r = self.range_of(&taken, Some(*counter), true, true);
                        quote!(#r.rev())
                    }
                    None if forward => self.range(range, false, false),
                    None => {
                        // `(a..=b).step_by(k)` is double-ended only with an exact size.
                        let r =
                            self.range_of(range, Some(*counter), true, !range.adaptors.is_empty());
                        quote!(#r.rev())
                    }
                };
                let i = self
                    .an
                    .required
                    .contains(counter)
                    .then(|| self.var(*counter));
                (i.map(|i| quote!(#i)), r)
            }
            LoopKind::While { .. } => {
                let t = self.var(l.trips?);
                (None, quote!(0..#t))
            }
        };
        for c in &active_carried {
            let d = self.adj(c.inner);
            tail.extend(self.add_to(&c.init, quote!(#d)));
        }
        Some(LoopParts {
            head,
            views,
            counter,
            range,
            entries: in_place,
            body,
            tail,
        })
    }

    /// The reads in `l`'s body of an active array at an index the loop does not change, from
    /// an array it does not write (`x[i]` in a loop over `j`): their adjoint is summed in a
    /// local through the loop, not added into the array's at every iteration (a chain of
    /// loads and stores through memory).
    fn hoisted_reads(&self, l: &Loop) -> Vec<(Var, ArrayId, Vec<Operand>)> {
        let region = self.an.loop_regions[&key(l)];
        let invariant = |x: &Operand| {
            x.var()
                .is_none_or(|v| !self.an.within(self.an.def_region[v.0], region))
        };
        l.body
            .stmts
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::Let {
                    var,
                    op: Op::Load { array, index },
                } if self.an.active[var.0]
                    && self.an.active_array[array.0]
                    && index.iter().all(invariant)
                    && !writes_array(&l.body.stmts, *array) =>
                {
                    Some((*var, *array, index.clone()))
                }
                _ => None,
            })
            .collect()
    }

    /// The recomputed values of a loop body, in forward order.
    fn recompute(
        &self,
        block: &Block,
        which: &BTreeSet<Var>,
        ends: &HashMap<Var, TokenStream>,
    ) -> TokenStream {
        let mut out = TokenStream::new();
        for stmt in &block.stmts {
            match stmt {
                Stmt::Let { var, op } if which.contains(var) => {
                    out.extend([match self.copy_read(*var, op) {
                        Some(read) => read,
                        None => self.definition(*var, op),
                    }]);
                }
                Stmt::Loop(nested) => {
                    for c in &nested.carried {
                        out.extend(ends.get(&c.out).cloned());
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// `let v = copy[i];`: a read recomputed from the copy a loop around it took of its array,
    /// or from the element the merged reverse iteration computes (`element.rs`).
    fn copy_read(&self, var: Var, op: &Op) -> Option<TokenStream> {
        let (copier, Op::Load { array, index }) = (self.an.copy_reads.get(&var)?, op) else {
            return None;
        };
        let v = self.var(var);
        if let Some(element) = self.element_value(*array, index) {
            return Some(quote!(let #v = #element;));
        }
        // Planned to take the element and not copied: read as it is, the array would give
        // the last iteration's value, a wrong gradient without a word.
        assert!(
            !self.element_filled.contains_key(&(*copier, *array)),
            "autodiff: a read planned to take its element outside the merged loop that computes it (a bug in autodiff-macros)"
        );
        let copy = self
            .copy_tapes
            .get(copier)?
            .iter()
            .find(|c| c.array == *array)?;
        let (view, i) = (&copy.view, index.iter().map(|x| self.operand(x)));
        Some(quote!(let #v = #view #([#i])*;))
    }
}
