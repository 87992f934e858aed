//! Scratch adjoints written, not zeroed and added into: what a careful person writes for a
//! scratch vector reused per iteration.
//!
//! A local vector overwritten whole by the loops of a merged run (`merged.rs`), then read by
//! the loop after them, `for i in 0..n { s += qx[i] * qx[i]; }`, has its adjoint zeroed
//! after the merged loop in every reverse pass, and the read's reverse adds into that zero
//! first thing in the next one. When that loop reads each element exactly once at its
//! counter over the vector's whole length, and nothing else anywhere touches the vector but
//! the run and its declaration, the read's reverse can write (`d_qx[i] = ..`) and the zeroing
//! goes: every element is written before anything reads it, in every pass.

use super::merged::MergedRun;
use super::*;

impl Gen<'_> {
    /// Finds, among the statements of `block`, the read loops and runs described above:
    /// their loads' reverses write (`overwriting`), and their arrays' zeroing after the run
    /// goes (`zeroed_by_write`).
    pub(super) fn plan_overwrites(&mut self, block: &Block, runs: &[MergedRun]) {
        if self.dual.is_some() || has_checkpoint(&self.body.block) {
            return;
        }
        let candidates: Vec<(usize, ArrayId, Var)> = block
            .stmts
            .iter()
            .enumerate()
            .filter_map(|(q, s)| match s {
                Stmt::Loop(l) => self.whole_read(l).map(|(array, load)| (q, array, load)),
                _ => None,
            })
            .collect();
        if candidates.is_empty() {
            return;
        }
        for (q, array, load) in candidates {
            // Touched nowhere but here: its declaration (a fill with no derivative, see
            // `whole_read`), the run, the read loop.
            let everywhere = count_mentions(&self.body.block.stmts, array);
            let here = count_mentions(&block.stmts, array);
            let declared_here = block.stmts.iter().any(|s| is_declaration(s, array));
            if everywhere != here + usize::from(!declared_here) {
                continue;
            }
            let after = &block.stmts[q + 1..];
            if count_mentions(after, array) != 0 {
                continue;
            }
            // The run that zeroes it, and every other statement touching it inside the run.
            // The run ends before the read loop, or with it (its reverse first in the run).
            let Some(&MergedRun { start, end, .. }) = runs
                .iter()
                .find(|r| r.end <= q + 1 && r.deferred.contains(&array))
            else {
                continue;
            };
            let outside_run = block.stmts[..q]
                .iter()
                .enumerate()
                .filter(|(p, s)| (*p < start || *p >= end) && !is_declaration(s, array))
                .any(|(_, s)| count_mentions(std::slice::from_ref(s), array) != 0);
            if outside_run {
                continue;
            }
            self.overwriting.insert(load);
            self.zeroed_by_write.insert(array);
        }
    }

    /// `for i in 0..n { .. a[i] .. }`: a loop over the whole of a local vector `a` of length
    /// `n`, reading it once per iteration at its counter, at the top of its body, and
    /// touching it nowhere else; the array and the load.
    fn whole_read(&self, l: &Loop) -> Option<(ArrayId, Var)> {
        let LoopKind::Counted { counter, range } = &l.kind else {
            return None;
        };
        let plain = range.adaptors.is_empty()
            && !range.inclusive
            && matches!(&range.start, Operand::Lit(syn::Lit::Int(i)) if i.base10_digits() == "0")
            && l.exit.is_none()
            && l.checkpoint.is_none()
            && self.an.has_adjoint.get(&key(l)).copied().unwrap_or(false)
            && !self.an.fusion.loops.contains_key(&key(l));
        if !plain {
            return None;
        }
        let mut found = None;
        for s in &l.body.stmts {
            if let Stmt::Let {
                var,
                op: Op::Load { array, index },
            } = s
            {
                let local = self.body.array(*array).origin == ArrayOrigin::Local;
                if local
                    && self.an.active_array[array.0]
                    && self.an.active[var.0]
                    && matches!(index.as_slice(), [Operand::Var(i)] if i == counter)
                {
                    if found.is_some() {
                        return None;
                    }
                    found = Some((*array, *var));
                }
            }
        }
        let (array, load) = found?;
        let info = self.body.array(array);
        let whole = !info.resizable
            && info.dims == 1
            && info.elem == Elem::Float
            && self
                .declared_len(array)
                .is_some_and(|n| same_len(&n, &range.end));
        (whole && count_mentions(&l.body.stmts, array) == 1).then_some((array, load))
    }

    /// The length a local vector was declared with, `n` of `vec![0.0; n]` or `N` of
    /// `[0.0; N]`, when it was declared by a fill that carries no derivative.
    fn declared_len(&self, array: ArrayId) -> Option<Len> {
        let mut len = None;
        self.body.block.for_each_stmt(&mut |s| {
            if let Stmt::DeclareArray {
                array: a,
                fill,
                fixed_lens,
                vec_len,
                row_len: None,
                like: None,
            } = s
            {
                let passive = fill.var().is_none_or(|v| !self.an.active[v.0]);
                if *a == array && passive {
                    len = match (fixed_lens.as_slice(), vec_len) {
                        ([], Some(n)) => Some(Len::Operand(n.clone())),
                        ([n], None) => Some(Len::Written(n.to_token_stream().to_string())),
                        _ => None,
                    };
                }
            }
        });
        len
    }
}

/// A vector's declared length.
enum Len {
    Operand(Operand),
    /// A fixed length as written (`3`, `N`).
    Written(String),
}

fn same_len(len: &Len, end: &Operand) -> bool {
    match (len, end) {
        (Len::Operand(n), end) => n.same(end),
        (Len::Written(n), Operand::Lit(end)) => *n == end.to_token_stream().to_string(),
        (Len::Written(n), Operand::Const(end)) => *n == end.to_token_stream().to_string(),
        _ => false,
    }
}

fn is_declaration(s: &Stmt, array: ArrayId) -> bool {
    matches!(s, Stmt::DeclareArray { array: a, .. } if *a == array)
}

fn has_checkpoint(block: &Block) -> bool {
    let mut found = false;
    block.for_each_stmt(&mut |s| {
        found |= matches!(s, Stmt::Loop(l) if l.checkpoint.is_some());
    });
    found
}

/// How many statements of `stmts`, nested ones included, name `array` in any way.
fn count_mentions(stmts: &[Stmt], array: ArrayId) -> usize {
    let mut n = 0;
    for_each_stmt(stmts, &mut |s| {
        if mentions(s, array) {
            n += 1;
        }
    });
    n
}

/// Whether the statement itself (not its nested blocks) names `array`.
fn mentions(s: &Stmt, array: ArrayId) -> bool {
    let in_args = |args: &[Arg]| {
        args.iter()
            .any(|a| matches!(a, Arg::Array(a) if a.array == array))
    };
    let in_opaque = |o: &Opaque| o.arrays().contains(&array);
    match s {
        Stmt::Let { op, .. } => match op {
            Op::Load { array: a, .. }
            | Op::Len { array: a, .. }
            | Op::Snapshot { array: a, .. } => *a == array,
            Op::Call { args, .. } => in_args(args),
            Op::Opaque(o) => in_opaque(o),
            _ => false,
        },
        Stmt::Store { array: a, .. } | Stmt::Resize { array: a, .. } => *a == array,
        Stmt::DeclareArray { array: a, like, .. } => *a == array || *like == Some(array),
        Stmt::CallArray { array: a, args, .. } => *a == array || in_args(args),
        Stmt::Effect(o) => in_opaque(o),
        Stmt::If { .. } | Stmt::Loop(_) => false,
    }
}
