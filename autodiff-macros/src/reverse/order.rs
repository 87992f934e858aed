//! The order a loop's reverse iterations may run in. Reversing a loop runs its iterations
//! backwards, which the adjoint needs whenever an iteration's reverse reads what a later
//! iteration's reverse wrote: a carried adjoint (but an accumulator's, `total += e`, which is
//! the same in every iteration), a nested loop's tape, a branch decision, an adjoint array read
//! at one index and added into at another. A loop with none of these has iterations whose
//! reverses commute, and runs them forwards, as a careful person writes such a loop: counting
//! up, LLVM proves the indices in bounds (`(a..b).rev()` defeats it), the loop's own tape
//! entries are read oldest first, zipped with the counter, and its adjoint additions land in
//! the order its reads did. A running index a nested loop moves (a packed triangle's) is then
//! counted up again from the loop's start instead of taped (`activity::ResumedFrom::Init`):
//! GMM d = 2 in 5% fewer instructions; at d = 10, 3-6% more, yet no slower in time.

use super::*;
use crate::activity::ResumedFrom;

/// How a loop's reverse touches an adjoint array.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Touch {
    Read,
    Add,
    /// Read, then zeroed: the reverse of a store.
    ReadZero,
}

pub(super) struct Access {
    pub(super) array: ArrayId,
    pub(super) touch: Touch,
    /// At the loop's own counter, alone (`d_a[i]`).
    pub(super) at_counter: bool,
    /// A statement of the loop's body itself, not of a branch or a nested loop.
    pub(super) top: bool,
    /// The load this is the adjoint of: none once folded into an accumulating store.
    load: Option<Var>,
}

impl Gen<'_> {
    /// The loops whose reverse iterations run forwards, found as the reverse sweep finds
    /// them, before it is written: the analysis plans again with them (`activity::replan`).
    pub fn forward_reversed_loops(&mut self) -> HashSet<usize> {
        let (body, mut found) = (self.body, HashSet::default());
        self.forwards_in(&body.block, &mut found);
        found
    }

    fn forwards_in(&mut self, block: &Block, found: &mut HashSet<usize>) {
        let mut merged = HashSet::default();
        for run in self.merged_runs(&block.stmts) {
            let forward = self.merged_forward(&run.loops);
            for l in run.loops {
                merged.insert(key(l));
                if forward {
                    found.insert(key(l));
                }
            }
        }
        for stmt in &block.stmts {
            if let Stmt::Loop(l) = stmt {
                let k = key(&**l);
                if !merged.contains(&k)
                    && self.an.has_adjoint.get(&k).copied().unwrap_or(false)
                    && !self.an.fusion.loops.contains_key(&k)
                    && self.runs_forward(l)
                {
                    found.insert(k);
                }
            }
            for nested in stmt.nested_blocks() {
                self.forwards_in(nested, found);
            }
        }
    }

    /// Whether the reverse iterations of `l` commute, so that they can run forwards: a counted
    /// loop over a plain range, left early never, with nothing on a tape but numbers (read
    /// oldest first), no nested loop, no carried adjoint but accumulators' (the same in every
    /// iteration), and every adjoint array it touches touched only at the counter, only added
    /// into, or only read.
    pub(super) fn runs_forward(&mut self, l: &Loop) -> bool {
        let k = key(l);
        let LoopKind::Counted { counter, range } = &l.kind else {
            return false;
        };
        let plain = range.adaptors.is_empty()
            && l.exit.is_none()
            && l.checkpoint.is_none()
            && l.carried
                .iter()
                .all(|c| !self.an.active[c.inner.0] || crate::fusion::accumulates(l, c));
        // Numbers on a tape of their own, one entry per iteration, read oldest first.
        self.tape_names(k, l.span);
        let tape_readable = !self.snapshot_tapes.contains_key(&k) && self.scalar_tape(k);
        // Values resumed from the loop's final value are found running backwards.
        let untaped = self.an.loops.get(&k).is_none_or(|p| {
            (p.taped.is_empty() || tape_readable)
                && p.bits.is_empty()
                && p.copied.is_empty()
                && p.resumed
                    .iter()
                    .all(|r| matches!(r.from, ResumedFrom::Init(_)))
        });
        let mut nested = Vec::new();
        l.body.for_each_stmt(&mut |s| {
            if let Stmt::Loop(inner) = s {
                nested.push(key(&**inner));
            }
        });
        let self_contained = nested.iter().all(|&n| self.reverse_self_contained(n));
        if !plain || !untaped || !self_contained {
            return false;
        }
        let accesses = self.loop_accesses(&l.body, *counter);
        let arrays: BTreeSet<ArrayId> = accesses.iter().map(|a| a.array).collect();
        arrays.into_iter().all(|array| {
            let of: Vec<&Access> = accesses.iter().filter(|a| a.array == array).collect();
            of.iter().all(|a| a.at_counter)
                || of.iter().all(|a| a.touch == Touch::Add)
                || of.iter().all(|a| a.touch == Touch::Read)
        })
    }

    /// Whether the reverse of the nested loop with key `k` takes nothing from the forward
    /// sweep that a later iteration of the loop around it pushed after it: a counted loop run
    /// whole, not fused, with no tape (snapshots included), branch bits or copies of its own
    /// (its iterations' values are recomputed, its inductions restored from the iteration's).
    /// Such a loop reverses within one iteration of the loop around it, whichever order
    /// that loop's reverse iterations run in.
    fn reverse_self_contained(&self, k: usize) -> bool {
        let l = self.loops[&k];
        matches!(l.kind, LoopKind::Counted { .. })
            && l.exit.is_none()
            && l.checkpoint.is_none()
            && !self.an.fusion.loops.contains_key(&k)
            && self.an.loops.get(&k).is_none_or(|p| {
                p.taped.is_empty()
                    && p.bits.is_empty()
                    && p.copied.is_empty()
                    && p.resumed.is_empty()
            })
    }

    /// How the reverse of a loop's `body` (counting with `counter`) touches the adjoint
    /// arrays; a load folded into an accumulating store is that store's access.
    pub(super) fn loop_accesses(&mut self, body: &Block, counter: Var) -> Vec<Access> {
        let mut accesses = Vec::new();
        self.adjoint_accesses(body, counter, true, &mut accesses);
        accesses.retain(|a| a.load.is_none_or(|v| !self.folded.contains(&v)));
        accesses
    }

    /// How the reverse of `block` (a body of a loop counting with `counter`, or a block
    /// nested in it) touches the adjoint arrays.
    fn adjoint_accesses(&mut self, block: &Block, counter: Var, top: bool, out: &mut Vec<Access>) {
        let at = |index: &[Operand]| matches!(index, [i] if i.var() == Some(counter));
        for (p, stmt) in block.stmts.iter().enumerate() {
            match stmt {
                Stmt::Let { var, op } if self.an.active[var.0] => match op {
                    Op::Load { array, index } if self.an.active_array[array.0] => {
                        out.push(Access {
                            array: *array,
                            touch: Touch::Add,
                            at_counter: at(index),
                            top,
                            load: Some(*var),
                        })
                    }
                    Op::Call { args, .. } => self.call_accesses(args, top, out),
                    _ => {}
                },
                Stmt::Store { array, index, .. } if self.an.active_array[array.0] => {
                    let folded = self.accumulating_store(block, p).is_some();
                    out.push(Access {
                        array: *array,
                        touch: if folded { Touch::Read } else { Touch::ReadZero },
                        at_counter: at(index),
                        top,
                        load: None,
                    });
                }
                // The whole adjoint cut or grown.
                Stmt::Resize { array, .. } if self.an.active_array[array.0] => {
                    out.push(Access {
                        array: *array,
                        touch: Touch::ReadZero,
                        at_counter: false,
                        top,
                        load: None,
                    });
                }
                Stmt::CallArray { array, args, .. } if self.an.active_array[array.0] => {
                    out.push(Access {
                        array: *array,
                        touch: Touch::Read,
                        at_counter: false,
                        top,
                        load: None,
                    });
                    self.call_accesses(args, top, out);
                }
                _ => {
                    for nested in stmt.nested_blocks() {
                        self.adjoint_accesses(nested, counter, false, out);
                    }
                }
            }
        }
    }

    /// A call's reverse adds into the adjoints of the arrays passed to it.
    fn call_accesses(&self, args: &[Arg], top: bool, out: &mut Vec<Access>) {
        for arg in args {
            if let Arg::Array(a) = arg {
                if self.an.active_array[a.array.0] {
                    out.push(Access {
                        array: a.array,
                        touch: Touch::Add,
                        at_counter: false,
                        top,
                        load: None,
                    });
                }
            }
        }
    }
}
