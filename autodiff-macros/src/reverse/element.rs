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
//!
//! The elements themselves, likewise: a scratch vector the iteration of a loop around fills
//! whole with a cheap loop (`activity::Sites::fill_loop`), whose reads are all in the merged
//! loops at their counters, is not copied per iteration of that loop for its reverse; the
//! merged reverse iteration computes `c[i]` once, as the fill did, into a local the reads take
//! (10% of the ADBench GMM's gradient at d = 2 and d = 10).

use super::*;

/// The counters of a run's loops: in the merged reverse iteration, each names its element.
fn run_counters(run: &[&Loop]) -> Vec<Var> {
    run.iter()
        .filter_map(|l| match &l.kind {
            LoopKind::Counted { counter, .. } => Some(*counter),
            LoopKind::While { .. } => None,
        })
        .collect()
}

/// The local that holds `array[index]` in a merged reverse iteration, if `slots` has one for
/// the array and the index is one of the counters that name its element.
fn slot_at(
    slots: &HashMap<ArrayId, (Ident, Vec<Var>)>,
    array: ArrayId,
    index: &[Operand],
) -> Option<Ident> {
    let (slot, counters) = slots.get(&array)?;
    match index {
        [Operand::Var(v)] if counters.contains(v) => Some(slot.clone()),
        _ => None,
    }
}

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
            for (copier, array, fill) in self.filled_in_run(&run.loops) {
                self.element_filled
                    .insert((copier, array), (key(run.loops[0]), fill));
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

    /// The copied scratch vectors (`copied`) that a loop of `run` fills (`refillable`) and
    /// that the copy serves only in the run's loops, at their counters: the merged reverse
    /// iteration computes the element the fill stores, and the reads take it from there; the
    /// copy is not taken. With the copying loop's key and the fill's.
    fn filled_in_run(&self, run: &[&Loop]) -> Vec<(usize, ArrayId, usize)> {
        let counters = run_counters(run);
        let keys: Vec<usize> = run.iter().map(|l| key(*l)).collect();
        let mut at_counter = HashSet::default();
        for l in run {
            l.body.for_each_stmt(&mut |s| {
                if let Stmt::Let {
                    var,
                    op: Op::Load { index, .. },
                } = s
                {
                    if matches!(index.as_slice(), [Operand::Var(i)] if counters.contains(i)) {
                        at_counter.insert(*var);
                    }
                }
            });
        }
        let mut found = Vec::new();
        for (copier, plan) in &self.an.loops {
            for &(array, fill) in &plan.refillable {
                if !keys.contains(&fill) {
                    continue;
                }
                let mut served = true;
                self.loops[copier].body.for_each_stmt(&mut |s| {
                    if let Stmt::Let {
                        var,
                        op: Op::Load { array: a, .. },
                    } = s
                    {
                        let copied = self.an.copy_reads.get(var) == Some(copier);
                        served &= *a != array || !copied || at_counter.contains(var);
                    }
                });
                if served {
                    found.push((*copier, array, fill));
                }
            }
        }
        found
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
        slot_at(&self.element_adjoint, array, index)
    }

    /// The local holding `array[index]` as its fill loop stores it, while the merged loop it
    /// lives in is written.
    pub(super) fn element_value(&self, array: ArrayId, index: &[Operand]) -> Option<Ident> {
        slot_at(&self.element_values, array, index)
    }

    /// Declares, at the top of a merged reverse iteration, the locals of the element adjoints
    /// that live in it; `element_slot` finds them until `end_element_adjoints`.
    pub(super) fn begin_element_adjoints(&mut self, run: &[&Loop]) -> TokenStream {
        let run_key = key(run[0]);
        let counters = run_counters(run);
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
        self.element_values.clear();
    }

    /// Declares, at the top of a merged reverse iteration counting with `counter`, the
    /// elements that the run's fill loops store there (`filled_in_run`), computed again:
    /// `let c_i = { let j = i; x_view[j] - m_view[j] };`. `element_value` finds them until
    /// `end_element_adjoints`. Returns the declarations, and the views they read through
    /// (declared before the merged loop; `end_views` takes their keys after it).
    pub(super) fn begin_element_values(
        &mut self,
        run: &[&Loop],
        counter: &Ident,
    ) -> (TokenStream, TokenStream, Vec<(ArrayId, Var)>) {
        let run_key = key(run[0]);
        let mut filled: Vec<(ArrayId, usize)> = self
            .element_filled
            .iter()
            .filter(|(_, (k, _))| *k == run_key)
            .map(|((_, a), (_, fill))| (*a, *fill))
            .collect();
        filled.sort();
        let (mut decls, mut views, mut keys) = (TokenStream::new(), TokenStream::new(), Vec::new());
        for (array, fill) in filled {
            let fill = self.loops[&fill];
            let (_, reads) = stored_value(fill, |_| false);
            let (fill_views, fill_keys) =
                self.begin_views(fill, |values| reads.contains(&values[0]));
            views.extend([fill_views]);
            let (store, needed) = stored_value(fill, |key| fill_keys.contains(&key));
            keys.extend(fill_keys);
            let LoopKind::Counted { counter: j, .. } = &fill.kind else {
                unreachable!("a fill loop counts")
            };
            let j = self.var(*j);
            let mut element = quote!(let #j = #counter;);
            for stmt in &fill.body.stmts {
                if let Stmt::Let { var, op } = stmt {
                    if needed.contains(var) {
                        element.extend([self.definition(*var, op)]);
                    }
                }
            }
            let value = match self.is_dual_array(array) {
                true => self.as_dual(store),
                false => self.operand(store),
            };
            let name = format!("{}_i", self.body.array(array).name);
            let slot = self.fresh(&name, run[0].span);
            decls.extend([quote!(let #slot = { #element #value };)]);
            self.element_values.insert(array, (slot, run_counters(run)));
        }
        (decls, views, keys)
    }
}

/// The value a fill loop (`for j in 0..n { a[j] = e; }`, see `Sites::fill_loop`) stores, and
/// the values of its body that value is computed from, itself included; not the index of a
/// read through a view (`viewed` accepts its array and index).
fn stored_value(fill: &Loop, viewed: impl Fn((ArrayId, Var)) -> bool) -> (&Operand, HashSet<Var>) {
    let Some(value) = fill.body.stmts.iter().find_map(|stmt| match stmt {
        Stmt::Store { value, .. } => Some(value),
        _ => None,
    }) else {
        unreachable!("a fill loop stores")
    };
    let mut needed: HashSet<Var> = value.var().into_iter().collect();
    for stmt in fill.body.stmts.iter().rev() {
        let Stmt::Let { var, op } = stmt else {
            continue;
        };
        let through_view = match op {
            Op::Load { array, index } => {
                matches!(index.as_slice(), [Operand::Var(at)] if viewed((*array, *at)))
            }
            _ => false,
        };
        if needed.contains(var) && !through_view {
            needed.extend(crate::activity::op_vars(op));
        }
    }
    (value, needed)
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
