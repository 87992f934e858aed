//! First writes: reads of an array parameter whose adjoint is the only one the sweep adds into
//! their element. Their addition is `SliceShadow::add_first_at`, which the zeroed accumulators
//! of `NAME_grad` (`autodiff::Zeroed`) turn into a store, `g[i] = ..`, as a hand-written
//! gradient writes it: no load of the zero it replaces, no add. Two cases are proven, whatever
//! order the sweep adds in: every read of the array outside loops, each at its own constant
//! index; or every read in the body of one loop (not nested in another, not in a branch), at
//! `base + c * i + k` of its counter with one `base` and `c` and offsets `k` that differ and
//! lie less than `c` apart, so that no two reads in no two iterations meet (a dot product's
//! `x[i]`, Rosenbrock's `x[2 * i]` and `x[2 * i + 1]`). An array passed to a call is ruled
//! out: the callee adds into it too.

use super::*;

impl Gen<'_> {
    /// The reads whose adjoint is a first write.
    pub(super) fn first_writes(&self) -> HashSet<Var> {
        let mut reads: BTreeMap<ArrayId, Vec<(Var, Vec<Operand>)>> = BTreeMap::new();
        let mut passed = HashSet::new();
        self.body.block.for_each_stmt(&mut |s| match s {
            Stmt::Let {
                var,
                op: Op::Load { array, index },
            } if self.an.active[var.0] => {
                reads.entry(*array).or_default().push((*var, index.clone()))
            }
            Stmt::Let {
                op: Op::Call { args, .. },
                ..
            }
            | Stmt::CallArray { args, .. } => passed.extend(args.iter().filter_map(|a| match a {
                Arg::Array(a) => Some(a.array),
                Arg::Scalar(_) => None,
            })),
            _ => {}
        });
        let mut first = HashSet::new();
        for (array, reads) in reads {
            if self.zeroed_in_grad(array) && !passed.contains(&array) && self.disjoint(&reads) {
                first.extend(reads.iter().map(|(v, _)| *v));
            }
        }
        first
    }

    /// Whether `array` is a parameter whose accumulator `NAME_grad` makes zeroed
    /// (`emit::grad_item`): a slice, a `Vec` or a fixed-size array.
    fn zeroed_in_grad(&self, array: ArrayId) -> bool {
        let ArrayOrigin::Param(p) = self.body.array(array).origin else {
            return false;
        };
        matches!(
            &self.sig.params[p].kind,
            ParamKind::Array { shape, float: true }
                if matches!(**shape, Shape::Slice | Shape::VecRef | Shape::ArrayByValue(_) | Shape::ArrayRef(_))
        )
    }

    /// Whether no two of `reads` (of one array), in no two iterations of the loops around
    /// them, read the same element.
    fn disjoint(&self, reads: &[(Var, Vec<Operand>)]) -> bool {
        let loops: Vec<Option<usize>> = reads
            .iter()
            .map(|(v, _)| self.enclosing_loop(self.an.def_region[v.0]))
            .collect();
        if loops.iter().all(Option::is_none) {
            let mut seen = BTreeSet::new();
            return reads.iter().all(|(_, index)| match index.as_slice() {
                [Operand::Lit(syn::Lit::Int(n))] => {
                    n.base10_parse::<usize>().is_ok_and(|n| seen.insert(n))
                }
                _ => false,
            });
        }
        let Some(k) = loops[0] else {
            return false;
        };
        let l = self.loops[&k];
        let region = self.an.loop_regions[&k];
        let LoopKind::Counted { counter, .. } = &l.kind else {
            return false;
        };
        let outermost = self
            .enclosing_loop(self.an.regions[region].parent)
            .is_none();
        if !outermost || reads.iter().any(|(v, _)| self.an.def_region[v.0] != region) {
            return false;
        }
        let defs: HashMap<Var, &Op> = l
            .body
            .stmts
            .iter()
            .filter_map(|s| match s {
                Stmt::Let { var, op } => Some((*var, op)),
                _ => None,
            })
            .collect();
        let Some(indices) = reads
            .iter()
            .map(|(_, index)| match index.as_slice() {
                [Operand::Var(at)] => self.affine(*at, *counter, &defs, region),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        let (scale, base) = (
            indices[0].scale,
            indices[0].base.as_ref().map(|b| b.to_string()),
        );
        let mut offsets = BTreeSet::new();
        indices.iter().all(|a| {
            a.scale == scale
                && a.base.as_ref().map(|b| b.to_string()) == base
                && offsets.insert(a.k)
        }) && offsets
            .last()
            .zip(offsets.first())
            .is_some_and(|(hi, lo)| hi - lo < scale)
    }

    /// The innermost loop whose body holds `region`.
    fn enclosing_loop(&self, mut region: usize) -> Option<usize> {
        loop {
            if let RegionKind::LoopBody(k) = self.an.regions[region].kind {
                return Some(k);
            }
            if region == 0 {
                return None;
            }
            region = self.an.regions[region].parent;
        }
    }
}
