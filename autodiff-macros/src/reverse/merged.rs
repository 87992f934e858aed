//! Adjacent loops over the same range reversed in one loop, as a careful person writes them:
//! `for i in (0..d).rev() { ..the second loop's reverse..; ..the first's.. }` instead of two
//! passes over the same indices (counting up when every loop's iterations commute).
//!
//! Running iteration `i` of every loop's reverse before iteration `i - 1` of any changes the
//! order of their accesses to the adjoint arrays, so each array they touch must allow it:
//! - touched only at the counter (`d_a[i]`) in every loop: each iteration keeps to its own
//!   element, in the same order as before;
//! - only added into: additions commute;
//! - only read (by accumulating stores, `a[j] += ..`): reads commute;
//! - only read, and zeroed by a store `a[i] = ..` of a later loop that touches it nowhere
//!   else: the zeroing waits for the end of the merged loop, so the reads see what they saw.
//!
//! Not merged, though it would be legal: a loop adding into `d_y[i]` before loops that read
//! `d_y[j]` for `j` above `i` (`for j in i + 1..n`, a triangular product's reverse): the
//! merged loop carries a dependence through memory from one iteration to the next, which
//! the loops apart do not, and measured 6% slower on GMM d=10 (both orders interleaved).
//!
//! Tapes, copies and recomputed values stay each loop's own; the loops carry no adjoint but
//! accumulators' (`s += ..`), the same in every iteration, and none reads an active value an
//! earlier one of them leaves (an accumulator carried on from one loop into the next: its
//! adjoint comes back from the later loop's reverse only after the merged loop). What
//! a loop adds after its reverse (`Gen::hoisted_reads`) is added after the merged loop: an
//! addition at an index other than the counter, which the rules above allow only among
//! additions.

use super::order::{Access, Touch};
use super::*;

/// Loops of a block whose reverses share one loop: the statements `start..end` span.
pub(super) struct MergedRun<'b> {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) loops: Vec<&'b Loop>,
    /// The arrays whose zeroing waits for the end of the merged loop.
    pub(super) deferred: HashSet<ArrayId>,
}

impl Gen<'_> {
    /// The merged runs of a block's reverse, last first: from the end back, the longest run
    /// ending at each statement not already in one.
    pub(super) fn merged_runs<'b>(&mut self, stmts: &'b [Stmt]) -> Vec<MergedRun<'b>> {
        let mut runs = Vec::new();
        let mut p = stmts.len();
        while p > 0 {
            match self.merged_run(&stmts[..p]) {
                Some((loops, span, deferred)) => {
                    runs.push(MergedRun {
                        start: p - span,
                        end: p,
                        loops,
                        deferred,
                    });
                    p -= span;
                }
                None => p -= 1,
            }
        }
        runs
    }

    /// The loops of `stmts` from the last one back that can share their reverse loop with it:
    /// counted, over the same range, leaving early never, carrying no adjoint, with nothing
    /// but values without adjoints between them; how many statements they span; and the
    /// arrays whose zeroing waits for the end. `None` when fewer than two can.
    fn merged_run<'b>(
        &mut self,
        stmts: &'b [Stmt],
    ) -> Option<(Vec<&'b Loop>, usize, HashSet<ArrayId>)> {
        let mut run: Vec<&Loop> = Vec::new();
        let (mut span, mut deferred) = (0, HashSet::default());
        for (back, stmt) in stmts.iter().rev().enumerate() {
            let l = match stmt {
                Stmt::Loop(l) => l,
                Stmt::Let { var, .. } if !run.is_empty() && !self.an.active[var.0] => continue,
                Stmt::Effect(_) if !run.is_empty() => continue,
                _ => break,
            };
            if !self.mergeable(l, run.first().copied())
                || run.iter().any(|later| self.reads_active_outs(later, l))
            {
                break;
            }
            run.push(l);
            match self.merge_legal(&run) {
                Some(d) => (span, deferred) = (back + 1, d),
                None => {
                    run.pop();
                    break;
                }
            }
        }
        (run.len() >= 2).then_some((run, span, deferred))
    }

    fn mergeable(&self, l: &Loop, first: Option<&Loop>) -> bool {
        let k = key(l);
        let LoopKind::Counted { range, .. } = &l.kind else {
            return false;
        };
        let simple = self.an.has_adjoint.get(&k).copied().unwrap_or(false)
            && !self.an.fusion.loops.contains_key(&k)
            && l.exit.is_none()
            && l.checkpoint.is_none()
            && range.adaptors.is_empty()
            && l.carried
                .iter()
                .all(|c| !self.an.active[c.inner.0] || crate::fusion::accumulates(l, c));
        let same_range = match first.map(|f| &f.kind) {
            Some(LoopKind::Counted { range: r, .. }) => {
                r.start.same(&range.start)
                    && r.end.same(&range.end)
                    && r.inclusive == range.inclusive
            }
            _ => true,
        };
        simple && same_range
    }

    /// Whether `later` reads an active value `earlier` leaves after it (an accumulator carried
    /// on into the next loop, `for i in .. { s += .. }` twice): the reverse of `later` hands
    /// that value's adjoint back at its end, after a merged loop, where the reverse of
    /// `earlier` needs it at its start, before.
    fn reads_active_outs(&self, later: &Loop, earlier: &Loop) -> bool {
        let outs: Vec<Var> = earlier
            .carried
            .iter()
            .filter(|c| self.an.active[c.out.0])
            .map(|c| c.out)
            .collect();
        let mut reads = false;
        let mut read = |o: &Operand| reads |= o.var().is_some_and(|v| outs.contains(&v));
        for c in &later.carried {
            read(&c.init);
            read(&c.next);
        }
        later.body.visit_operands(&mut read);
        reads
    }

    /// Whether the reverses of `run` (in the order they run) can share one loop; if so, the
    /// arrays whose zeroing waits for its end.
    fn merge_legal(&mut self, run: &[&Loop]) -> Option<HashSet<ArrayId>> {
        let mut accesses: Vec<(usize, Access)> = Vec::new();
        for (part, l) in run.iter().enumerate() {
            let LoopKind::Counted { counter, .. } = &l.kind else {
                return None;
            };
            let found = self.loop_accesses(&l.body, *counter);
            accesses.extend(found.into_iter().map(|a| (part, a)));
        }
        let arrays: BTreeSet<ArrayId> = accesses.iter().map(|(_, a)| a.array).collect();
        let mut deferred = HashSet::default();
        for array in arrays {
            let of: Vec<&(usize, Access)> =
                accesses.iter().filter(|(_, a)| a.array == array).collect();
            if of.iter().all(|(_, a)| a.at_counter) || of.iter().all(|(_, a)| a.touch == Touch::Add)
            {
                continue;
            }
            // Additions beside reads or stores: running every loop's iteration `i` before
            // iteration `i - 1` of any would change what the reads see.
            if of.iter().any(|(_, a)| a.touch == Touch::Add) {
                return None;
            }
            // Reads, and stores whose zeroing can wait: each alone in its loop, at the
            // counter, in a loop reversed after every loop that reads the array.
            let zeroing: Vec<usize> = of
                .iter()
                .filter(|(_, a)| a.touch == Touch::ReadZero)
                .map(|(part, _)| *part)
                .collect();
            // Reads alone commute, and nothing is to be zeroed: zeroing the adjoint after the
            // loop would take from the code before it what it reads there.
            if zeroing.is_empty() {
                continue;
            }
            let waits = of.iter().all(|(part, a)| match a.touch {
                Touch::ReadZero => {
                    a.at_counter && a.top && of.iter().filter(|(p, _)| p == part).count() == 1
                }
                _ => zeroing.iter().all(|z| z > part),
            });
            if !waits {
                return None;
            }
            deferred.insert(array);
        }
        Some(deferred)
    }

    /// Whether the merged loop counts up: when every loop's reverse iterations commute, for
    /// the conditions that let the loops share one allow any interleaving of their iterations.
    pub(super) fn merged_forward(&mut self, run: &[&Loop]) -> bool {
        run.iter().all(|l| self.runs_forward(l))
    }

    /// The reverses of `run` (in the order they run) in one loop, then the zeroing of the
    /// `deferred` arrays' adjoints.
    pub(super) fn merged_reverse(
        &mut self,
        run: &[&Loop],
        deferred: HashSet<ArrayId>,
    ) -> Vec<Piece> {
        let span = run[0].span;
        let counter = self.fresh("i", span);
        self.deferred_zeroing = deferred.clone();
        let mut head = Piece::code(TokenStream::new());
        let mut body = Piece::code(TokenStream::new());
        let mut range = TokenStream::new();
        let (mut views, parted) = self.begin_shadow_parts(run);
        body.tokens.extend([self.begin_element_adjoints(run)]);
        let (elements, element_views, element_keys) = self.begin_element_values(run, &counter);
        body.tokens.extend([elements]);
        views.extend([element_views]);
        let mut tails = Vec::new();
        let mut entries = Vec::new();
        let forward = self.merged_forward(run);
        for l in run {
            let Some(parts) = self.loop_parts(l, forward) else {
                continue;
            };
            head.tokens.extend([parts.head.tokens.clone()]);
            head = head.touching(&parts.head);
            views.extend([parts.views]);
            if let Some(i) = parts.counter {
                body.tokens.extend([quote!(let #i = #counter;)]);
            }
            body.tokens.extend([parts.body.tokens.clone()]);
            body = body.touching(&parts.body);
            range = parts.range;
            entries.extend(parts.entries);
            tails.extend(parts.tail);
        }
        self.deferred_zeroing.clear();
        self.end_element_adjoints();
        self.end_views(element_keys);
        self.end_shadow_parts(parted);
        let b = &body.tokens;
        let (pattern, range) = super::loops::loop_header(Some(&quote!(#counter)), &range, &entries);
        let looped = quote!(for #pattern in #range { #b });
        head.tokens
            .extend([self.with_views(&run[0].kind, &views, looped)]);
        let zero = self.zero();
        // A scratch vector whose next reverse pass writes it first needs no zeroing.
        let mut deferred: Vec<ArrayId> = deferred
            .into_iter()
            .filter(|a| !self.zeroed_by_write.contains(a))
            .collect();
        deferred.sort();
        for array in deferred {
            let d = self.array_adj(array);
            let LoopKind::Counted { range, .. } = &run[0].kind else {
                continue;
            };
            let r = self.range(range, false, false);
            head.tokens
                .extend([quote!(for #counter in #r { #d[#counter] = #zero; })]);
        }
        let mut pieces = vec![head.touching(&body)];
        pieces.extend(tails);
        pieces
    }
}
