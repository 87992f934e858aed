//! Adjoints of a scratch array's elements kept in a local, as a careful person keeps them:
//! `let mut d_c = 0.0;` in the reverse iteration, not `d_c[i] += ..` through memory.
//!
//! Loops over one range that store `c[i]` and then read it (`c[i] = x[i] - m[i];` then
//! `y[i] = q[i] * c[i]`, ADBench's `subtract` then `Qtimesx`) have their reverses merged into
//! one loop (`merged.rs`). When every access of `c` is in those loops, at the counter, and the
//! first one in each iteration is a store that always runs, the adjoint of `c[i]` is only ever
//! touched by iteration `i` of the merged reverse: it starts that iteration at zero (nothing
//! else adds into it, and the reverse of the store that begins the forward iteration zeroed
//! it) and is dead after it. It lives in a local declared at the top of the reverse
//! iteration, and `c` gets no adjoint buffer at all. The read-add-write round trips through
//! memory, one after the other, were what the hand-written gradient did not pay.

use super::*;

impl Gen<'_> {
    /// Finds, before any code is written, the arrays whose element adjoints live in one
    /// iteration of a merged reverse loop (their buffers are declared nowhere).
    pub(super) fn plan_element_adjoints(&mut self) {
        let body = self.body;
        self.plan_in(&body.block);
    }

    fn plan_in(&mut self, block: &Block) {
        for run in self.merged_runs(&block.stmts) {
            for (array, first_store) in self.iteration_local(&run.loops) {
                self.element_local
                    .insert(array, (key(run.loops[0]), first_store));
            }
        }
        for stmt in &block.stmts {
            for nested in stmt.nested_blocks() {
                self.plan_in(nested);
            }
        }
    }

    /// The active local vectors whose every access (but lengths and their declaration) is in
    /// `run` (its loops in reverse order, as merged runs list them), at a loop's counter, the
    /// first one of each iteration a store in the loop's body itself; with that store's key.
    fn iteration_local(&self, run: &[&Loop]) -> Vec<(ArrayId, usize)> {
        let body = self.body;
        let mut candidates: Vec<ArrayId> = Vec::new();
        for l in run {
            for stmt in &l.body.stmts {
                if let Stmt::Store { array, .. } = stmt {
                    candidates.push(*array);
                }
            }
        }
        candidates.sort();
        candidates.dedup();
        candidates.retain(|&a| {
            let info = body.array(a);
            self.an.active_array[a.0]
                && info.origin == ArrayOrigin::Local
                && info.dims == 1
                && !info.resizable
                && body.output != Some(a)
        });
        candidates
            .into_iter()
            .filter_map(|a| {
                let mut outside = 0;
                body.block
                    .for_each_stmt(&mut |s| outside += touches(s, a) as usize);
                let mut inside = 0;
                for l in run {
                    l.body
                        .for_each_stmt(&mut |s| inside += touches(s, a) as usize);
                }
                // The declaration (`[0.0; n]`, `vec![0.0; n]`: not a call's result, whose
                // reverse reads the buffer) is the one touch outside the run.
                let mut declared = false;
                body.block.for_each_stmt(&mut |s| {
                    declared |= matches!(s, Stmt::DeclareArray { array, .. } if *array == a);
                });
                let first_store = stored_first(run, a)?;
                (declared && outside == inside + 1).then_some((a, first_store))
            })
            .collect()
    }

    /// Whether `store` is the first access of an array whose element adjoints live in a
    /// local: its reverse is the last use of that local, which needs no zeroing.
    pub(super) fn ends_element(&self, store: &Stmt) -> bool {
        let Stmt::Store { array, .. } = store else {
            return false;
        };
        self.element_adjoint.contains_key(array)
            && self
                .element_local
                .get(array)
                .is_some_and(|(_, first)| *first == key(store))
    }

    /// The local holding the adjoint of `array[index]`, while the merged loop it lives in is
    /// written.
    pub(super) fn element_slot(&self, array: ArrayId, index: &[Operand]) -> Option<Ident> {
        let (slot, counters) = self.element_adjoint.get(&array)?;
        match index {
            [Operand::Var(v)] if counters.contains(v) => Some(slot.clone()),
            _ => None,
        }
    }

    /// Declares, at the top of a merged reverse iteration, the locals of the element adjoints
    /// that live in it; `element_slot` finds them until `end_element_adjoints`.
    pub(super) fn begin_element_adjoints(&mut self, run: &[&Loop]) -> TokenStream {
        let run_key = key(run[0]);
        let counters: Vec<Var> = run
            .iter()
            .filter_map(|l| match &l.kind {
                LoopKind::Counted { counter, .. } => Some(*counter),
                LoopKind::While { .. } => None,
            })
            .collect();
        let mut arrays: Vec<ArrayId> = self
            .element_local
            .iter()
            .filter(|(_, (k, _))| *k == run_key)
            .map(|(a, _)| *a)
            .collect();
        arrays.sort();
        let zero = self.zero();
        let mut decls = TokenStream::new();
        for array in arrays {
            let name = format!("d_{}_i", self.body.array(array).name);
            let slot = self.fresh(&name, run[0].span);
            decls.extend([quote!(let mut #slot = #zero;)]);
            self.element_adjoint.insert(array, (slot, counters.clone()));
        }
        decls
    }

    pub(super) fn end_element_adjoints(&mut self) {
        self.element_adjoint.clear();
    }
}

/// Whether `stmt` itself (not a block nested in it) touches `array`, a length aside.
fn touches(stmt: &Stmt, array: ArrayId) -> bool {
    match stmt {
        Stmt::If { .. } | Stmt::Loop(_) => false,
        Stmt::Let {
            op: Op::Len { .. }, ..
        } => false,
        _ => {
            let (mut touched, mut stored) = (BTreeSet::new(), BTreeSet::new());
            stmt.arrays(&mut touched, &mut stored);
            touched.contains(&array)
        }
    }
}

/// Whether, in program order, `array` is first touched in `run` (reverse order) by a store
/// in a loop's body itself, and touched nowhere in it but by loads and stores at the counter
/// of the loop of the run they are in: that store's key if so.
fn stored_first(run: &[&Loop], array: ArrayId) -> Option<usize> {
    let mut first = None;
    for l in run.iter().rev() {
        let LoopKind::Counted { counter, .. } = &l.kind else {
            return None;
        };
        let at = |index: &[Operand]| matches!(index, [i] if i.var() == Some(*counter));
        let top: Vec<usize> = l.body.stmts.iter().map(key).collect();
        let mut ok = true;
        l.body.for_each_stmt(&mut |s| {
            if !touches(s, array) || !ok {
                return;
            }
            ok = match s {
                Stmt::Store { index, .. } => {
                    let first_here = first.is_none() && top.contains(&key(s));
                    if first_here {
                        first = Some(key(s));
                    }
                    at(index) && (first_here || first.is_some())
                }
                Stmt::Let {
                    op: Op::Load { index, .. },
                    ..
                } => first.is_some() && at(index),
                _ => false,
            };
        });
        if !ok {
            return None;
        }
    }
    first
}
