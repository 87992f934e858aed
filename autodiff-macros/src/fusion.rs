//! Loops whose reverse sweep runs inside their forward sweep, iteration by iteration.
//!
//! A top-level loop whose active carried values are all accumulators (`total += e`, the
//! previous total reaching the next one with coefficient 1) hands every reverse iteration the
//! same adjoint: that of the accumulator's final value. When the code after the loop is
//! linear in that final value (`total / n`, `constant + slse - ..`), the adjoint is
//! `d_out` times a coefficient known before the loop, so each iteration's reverse can run
//! right after its forward, while its values are in registers: no tape, no second pass.
//!
//! What the fused reverse adds into must exist before the loop and must not be disturbed by
//! the reverse of the code after it, so local arrays the loop touches are declared outside it
//! only when nothing after the loop writes them; and an array the loop writes must be
//! overwritten whole in every iteration before it is read (a scratch array reused per
//! point), so that no adjoint flows from one iteration into an earlier one. A fallible function
//! fuses nothing: an `Err` after the loop must leave the accumulators untouched.

use std::collections::BTreeSet;

use crate::hash::{HashMap, HashSet};

use crate::activity::key;
use crate::ir::*;
use crate::rules::Form;

/// A loop fused with its reverse.
pub struct Fused {
    /// Per active accumulator (its `inner`): the adjoint of its final value, as a sum of
    /// terms, known before the loop.
    pub seeds: Vec<(Var, Vec<Term>)>,
    /// Values defined after the loop that the seeds read, computed before it too, in
    /// program order.
    pub hoisted: Vec<(Var, Op)>,
}

/// `± d_out * f1 / f2 ...`: a term of an adjoint known before the loop.
#[derive(Clone)]
pub struct Term {
    pub negative: bool,
    /// `(Mul, f)` or `(Div, f)`, applied in order.
    pub factors: Vec<(BinOp, Operand)>,
}

/// The fused loops by key, and what their reverse adds into that must be declared before
/// them: top-level values' adjoints and local arrays' adjoint buffers.
#[derive(Default)]
pub struct Fusion {
    pub loops: HashMap<usize, Fused>,
    pub early_vars: BTreeSet<Var>,
    pub early_arrays: BTreeSet<ArrayId>,
}

pub fn fuse(body: &Body, active: &[bool], active_array: &[bool]) -> Fusion {
    let mut fusion = Fusion::default();
    if body.output.is_some() {
        return fusion;
    }
    let top = TopLevel::new(body);
    for (p, stmt) in body.block.stmts.iter().enumerate() {
        let Stmt::Loop(l) = stmt else { continue };
        let cx = Candidate {
            body,
            active,
            active_array,
            top: &top,
            position: p,
            l,
        };
        if let Some((fused, vars, arrays)) = cx.fuse() {
            fusion.loops.insert(key(&**l), fused);
            fusion.early_vars.extend(vars);
            fusion.early_arrays.extend(arrays);
        }
    }
    fusion
}

/// Where the function's top-level values are defined (statement index) and how.
struct TopLevel<'a> {
    position: HashMap<Var, usize>,
    op: HashMap<Var, &'a Op>,
    params: HashSet<Var>,
    /// Local array -> the top-level statement declaring it.
    declared: HashMap<ArrayId, usize>,
}

impl<'a> TopLevel<'a> {
    fn new(body: &'a Body) -> Self {
        let mut top = TopLevel {
            position: HashMap::default(),
            op: HashMap::default(),
            params: body.param_vars.iter().copied().collect(),
            declared: HashMap::default(),
        };
        for (p, stmt) in body.block.stmts.iter().enumerate() {
            match stmt {
                Stmt::Let { var, op } => {
                    top.position.insert(*var, p);
                    top.op.insert(*var, op);
                }
                Stmt::If { phis, .. } => {
                    for phi in phis {
                        top.position.insert(phi.var, p);
                    }
                }
                Stmt::Loop(l) => {
                    for c in &l.carried {
                        top.position.insert(c.out, p);
                    }
                    if let Some(t) = l.trips {
                        top.position.insert(t, p);
                    }
                }
                Stmt::CallArray { array, shape, .. } => {
                    top.position.insert(*shape, p);
                    top.declared.insert(*array, p);
                }
                Stmt::DeclareArray { array, .. } => {
                    top.declared.insert(*array, p);
                }
                Stmt::Store { .. } | Stmt::Resize { .. } | Stmt::Effect(_) => {}
            }
        }
        top
    }
}

struct Candidate<'a> {
    body: &'a Body,
    active: &'a [bool],
    active_array: &'a [bool],
    top: &'a TopLevel<'a>,
    /// The loop's index among the top-level statements.
    position: usize,
    l: &'a Loop,
}

impl Candidate<'_> {
    fn fuse(&self) -> Option<(Fused, Vec<Var>, Vec<ArrayId>)> {
        let l = self.l;
        if !matches!(l.kind, LoopKind::Counted { .. }) || l.exit.is_some() {
            return None;
        }
        let accumulators: Vec<&Carried> = l
            .carried
            .iter()
            .filter(|c| self.active[c.inner.0])
            .collect();
        if accumulators.is_empty() {
            return None;
        }
        for c in &accumulators {
            if !self.accumulates(c) {
                return None;
            }
        }
        let arrays = self.early_arrays()?;
        let mut hoisted = BTreeSet::new();
        let mut seeds = Vec::new();
        for c in &accumulators {
            seeds.push((c.inner, self.seed(c.out, &mut hoisted)?));
        }
        let hoisted = hoisted
            .into_iter()
            .map(|(_, v)| (v, self.top.op[&v].clone()))
            .collect();
        Some((Fused { seeds, hoisted }, self.early_vars(), arrays))
    }

    fn accumulates(&self, c: &Carried) -> bool {
        accumulates(self.l, c)
    }

    /// The adjoint of the loop's result `out`: the code after the loop must be linear in it,
    /// with factors known before the loop (or computed from such values without an adjoint,
    /// which are then `hoisted` before it).
    fn seed(&self, out: Var, hoisted: &mut BTreeSet<(usize, Var)>) -> Option<Vec<Term>> {
        let one = Term {
            negative: false,
            factors: Vec::new(),
        };
        let mut coefficient: HashMap<Var, Vec<Term>> = HashMap::from_iter([(out, vec![one])]);
        for stmt in &self.body.block.stmts[self.position + 1..] {
            let Stmt::Let { var, op } = stmt else {
                if reads_any(stmt, &coefficient) {
                    return None;
                }
                continue;
            };
            let of = |x: &Operand| x.var().and_then(|v| coefficient.get(&v)).cloned();
            let terms = match linear(op) {
                Some(Linear::Copy(x)) => of(x),
                Some(Linear::Neg(x)) => of(x).map(negate),
                Some(Linear::Add(a, b)) => sum(of(a), of(b)),
                Some(Linear::Sub(a, b)) => sum(of(a), of(b).map(negate)),
                Some(Linear::Mul(a, b)) => match (of(a), of(b)) {
                    (Some(t), None) => self.scale(t, BinOp::Mul, b, hoisted),
                    (None, Some(t)) => self.scale(t, BinOp::Mul, a, hoisted),
                    (None, None) => continue,
                    (Some(_), Some(_)) => return None,
                },
                Some(Linear::Div(a, b)) => match (of(a), of(b)) {
                    (Some(t), None) => self.scale(t, BinOp::Div, b, hoisted),
                    (None, None) => continue,
                    _ => return None,
                },
                None => {
                    if op_reads_any(op, &coefficient) {
                        return None;
                    }
                    continue;
                }
            };
            match terms {
                Some(t) => {
                    coefficient.insert(*var, t);
                }
                None if op_reads_any(op, &coefficient) => return None,
                None => {}
            }
        }
        let terms = self
            .body
            .result
            .var()
            .and_then(|r| coefficient.remove(&r))?;
        (!terms.is_empty()).then_some(terms)
    }

    /// `terms` times (or over) `factor`, which must be known before the loop.
    fn scale(
        &self,
        terms: Vec<Term>,
        op: BinOp,
        factor: &Operand,
        hoisted: &mut BTreeSet<(usize, Var)>,
    ) -> Option<Vec<Term>> {
        if !self.known_before(factor, hoisted) {
            return None;
        }
        Some(
            terms
                .into_iter()
                .map(|mut t| {
                    t.factors.push((op, factor.clone()));
                    t
                })
                .collect(),
        )
    }

    /// Whether `x` can be read before the loop: a constant, a parameter, a top-level value
    /// defined before it, or arithmetic on such values (added to `hoisted`: computed twice,
    /// before the loop for the seed and where it is written).
    fn known_before(&self, x: &Operand, hoisted: &mut BTreeSet<(usize, Var)>) -> bool {
        let Some(v) = x.var() else {
            return true;
        };
        if self.top.params.contains(&v) {
            return true;
        }
        let Some(&p) = self.top.position.get(&v) else {
            return false;
        };
        if p < self.position {
            return true;
        }
        let Some(op) = self.top.op.get(&v) else {
            return false;
        };
        let pure = matches!(
            op,
            Op::Copy(_) | Op::Unary(..) | Op::Binary(..) | Op::Cast(..) | Op::NumCast(..)
        ) || matches!(op, Op::Prim { rule, .. } if !rule.constant);
        if !pure {
            return false;
        }
        let mut operands = Vec::new();
        op.visit_operands(&mut |o| operands.push(o.clone()));
        if operands.iter().all(|o| self.known_before(o, hoisted)) {
            hoisted.insert((p, v));
            return true;
        }
        false
    }

    /// Active top-level values (not parameters) the loop's body reads: their adjoints must
    /// exist before the loop.
    fn early_vars(&self) -> Vec<Var> {
        let mut out = Vec::new();
        self.l.body.visit_operands(&mut |x| {
            if let Some(v) = x.var() {
                let outside = self
                    .top
                    .position
                    .get(&v)
                    .is_some_and(|&p| p < self.position);
                if outside && self.active[v.0] && !self.top.params.contains(&v) {
                    out.push(v);
                }
            }
        });
        out
    }

    /// The active local arrays declared before the loop that its body touches, if the fused
    /// reverse can add into them: nothing after the loop writes them, and one the loop writes
    /// is overwritten whole before every read in an iteration and not read after the loop.
    fn early_arrays(&self) -> Option<Vec<ArrayId>> {
        let mut touched = BTreeSet::new();
        let mut stored = BTreeSet::new();
        self.l.body.arrays(&mut touched, &mut stored);
        let outer: BTreeSet<ArrayId> = touched
            .into_iter()
            .filter(|a| {
                self.active_array[a.0]
                    && self.body.array(*a).origin == ArrayOrigin::Local
                    && self.top.declared.get(a).is_some_and(|&p| p < self.position)
            })
            .collect();
        let mut after_touched = BTreeSet::new();
        let mut after_stored = BTreeSet::new();
        for stmt in &self.body.block.stmts[self.position + 1..] {
            stmt.arrays(&mut after_touched, &mut after_stored);
        }
        let scratch: BTreeSet<ArrayId> = outer.intersection(&stored).copied().collect();
        if outer.iter().any(|a| after_stored.contains(a))
            || scratch.iter().any(|a| after_touched.contains(a))
        {
            return None;
        }
        if !scratch.is_empty() {
            let mut covered = HashSet::default();
            if !covers(self.body, &self.l.body, &scratch, &mut covered) {
                return None;
            }
        }
        Some(outer.into_iter().collect())
    }
}

/// An op linear in its operands, float (a rule of the table) or integer.
pub enum Linear<'a> {
    Copy(&'a Operand),
    Neg(&'a Operand),
    Add(&'a Operand, &'a Operand),
    Sub(&'a Operand, &'a Operand),
    Mul(&'a Operand, &'a Operand),
    Div(&'a Operand, &'a Operand),
}

pub fn linear(op: &Op) -> Option<Linear<'_>> {
    match op {
        Op::Copy(x) => Some(Linear::Copy(x)),
        Op::Unary(UnOp::Neg, x) => Some(Linear::Neg(x)),
        Op::Binary(op, a, b) => match op {
            BinOp::Add => Some(Linear::Add(a, b)),
            BinOp::Sub => Some(Linear::Sub(a, b)),
            BinOp::Mul => Some(Linear::Mul(a, b)),
            BinOp::Div => Some(Linear::Div(a, b)),
            _ => None,
        },
        Op::Prim {
            rule,
            floats,
            others,
            ..
        } if others.is_empty() && rule.form != Form::Method => {
            match (rule.name, floats.as_slice()) {
                ("add", [a, b]) => Some(Linear::Add(a, b)),
                ("sub", [a, b]) => Some(Linear::Sub(a, b)),
                ("mul", [a, b]) => Some(Linear::Mul(a, b)),
                ("div", [a, b]) => Some(Linear::Div(a, b)),
                ("neg", [x]) => Some(Linear::Neg(x)),
                _ => None,
            }
        }
        _ => None,
    }
}

fn negate(terms: Vec<Term>) -> Vec<Term> {
    terms
        .into_iter()
        .map(|mut t| {
            t.negative = !t.negative;
            t
        })
        .collect()
}

fn sum(a: Option<Vec<Term>>, b: Option<Vec<Term>>) -> Option<Vec<Term>> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.into_iter().chain(b).flatten().collect()),
    }
}

fn op_reads_any<T>(op: &Op, of: &HashMap<Var, T>) -> bool {
    let mut found = false;
    op.visit_operands(&mut |x| found |= x.var().is_some_and(|v| of.contains_key(&v)));
    found
}

/// Whether `stmt` (nested blocks included) reads a value in `of`.
fn reads_any<T>(stmt: &Stmt, of: &HashMap<Var, T>) -> bool {
    let mut found = false;
    stmt.visit_operands(&mut |x| found |= x.var().is_some_and(|v| of.contains_key(&v)));
    found
}

/// Whether `c.next` is `c.inner` plus or minus values that do not depend on it: every use of
/// the accumulator in `l`'s body is a sum, and the sums reach the next value with coefficient
/// 1 and no other carried value at all. Its adjoint is then the same in every iteration.
pub fn accumulates(l: &Loop, c: &Carried) -> bool {
    let mut coefficient: HashMap<Var, i64> = HashMap::from_iter([(c.inner, 1)]);
    if !propagate_unit(&l.body, &mut coefficient) {
        return false;
    }
    let of = |x: &Operand| x.var().and_then(|v| coefficient.get(&v)).copied();
    l.carried.iter().all(|other| {
        let expected = if other.inner == c.inner {
            Some(1)
        } else {
            None
        };
        of(&other.next).filter(|&k| k != 0) == expected
    })
}

/// The values whose adjoint is the same in every iteration of the loop around them: an
/// accumulator's next value and, through sums, differences, negations, copies and products
/// with what the loop does not change, the terms it adds up (`t` of `s += t * t`, of
/// `s += w * t` with `w` from outside), each read nowhere else. A rule can compute a term of
/// such an adjoint alone once, before the reverse loop. Values outside loops count too: a
/// caller's loop that inlines the function usually holds its `d_out` steady.
pub fn steady_adjoints(block: &Block, uses: &HashMap<Var, usize>) -> HashSet<Var> {
    let mut steady = HashSet::default();
    outside_loops(block, &mut steady);
    block.for_each_stmt(&mut |stmt| {
        let Stmt::Loop(l) = stmt else { return };
        let mut varying: HashSet<Var> = l.carried.iter().map(|c| c.inner).collect();
        l.body.for_each_stmt(&mut |s| match s {
            Stmt::Let { var, .. } => {
                varying.insert(*var);
            }
            Stmt::If { phis, .. } => varying.extend(phis.iter().map(|p| p.var)),
            Stmt::Loop(inner) => {
                varying.extend(inner.carried.iter().flat_map(|c| [c.inner, c.out]));
            }
            _ => {}
        });
        let fixed = |x: &Operand| x.var().is_none_or(|v| !varying.contains(&v));
        for c in l.carried.iter().filter(|c| accumulates(l, c)) {
            steady.extend(c.next.var());
        }
        for stmt in l.body.stmts.iter().rev() {
            let Stmt::Let { var, op } = stmt else {
                continue;
            };
            if !steady.contains(var) {
                continue;
            }
            let terms = match linear(op) {
                Some(Linear::Copy(x) | Linear::Neg(x)) => vec![x],
                Some(Linear::Add(a, b) | Linear::Sub(a, b)) => vec![a, b],
                Some(Linear::Mul(a, b)) if fixed(a) => vec![b],
                Some(Linear::Mul(a, b) | Linear::Div(a, b)) if fixed(b) => vec![a],
                _ => continue,
            };
            let read_once = |v: &Var| uses.get(v) == Some(&1);
            steady.extend(terms.into_iter().filter_map(Operand::var).filter(read_once));
        }
    });
    steady
}

/// The values `block` defines outside every loop.
fn outside_loops(block: &Block, out: &mut HashSet<Var>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let { var, .. } => {
                out.insert(*var);
            }
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                outside_loops(then_block, out);
                outside_loops(else_block, out);
            }
            _ => {}
        }
    }
}

/// Propagates unit coefficients of an accumulator through `block`: a sum, difference,
/// negation or copy of values with coefficients gets theirs combined, a phi one when both
/// sides agree. Any other use of such a value fails.
fn propagate_unit(block: &Block, coefficient: &mut HashMap<Var, i64>) -> bool {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let { var, op } => {
                let of = |x: &Operand| x.var().and_then(|v| coefficient.get(&v)).copied();
                let k = match linear(op) {
                    Some(Linear::Copy(x)) => of(x),
                    Some(Linear::Neg(x)) => of(x).map(|k| -k),
                    Some(Linear::Add(a, b)) => combine(of(a), of(b), 1),
                    Some(Linear::Sub(a, b)) => combine(of(a), of(b), -1),
                    _ => {
                        if op_reads_any(op, coefficient) {
                            return false;
                        }
                        None
                    }
                };
                if let Some(k) = k {
                    coefficient.insert(*var, k);
                }
            }
            Stmt::If {
                cond,
                then_block,
                else_block,
                phis,
            } => {
                if cond.var().is_some_and(|v| coefficient.contains_key(&v))
                    || !propagate_unit(then_block, coefficient)
                    || !propagate_unit(else_block, coefficient)
                {
                    return false;
                }
                for phi in phis {
                    let of = |x: &Operand| x.var().and_then(|v| coefficient.get(&v)).copied();
                    match (of(&phi.then_value), of(&phi.else_value)) {
                        (None, None) => {}
                        (Some(a), Some(b)) if a == b => {
                            coefficient.insert(phi.var, a);
                        }
                        _ => return false,
                    }
                }
            }
            other => {
                if reads_any(other, coefficient) {
                    return false;
                }
            }
        }
    }
    true
}

fn combine(a: Option<i64>, b: Option<i64>, sign: i64) -> Option<i64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0) + sign * b.unwrap_or(0)),
    }
}

/// Whether every read of a `scratch` array in `block` comes after a statement of the same
/// iteration that overwrites the whole array (`for i in 0..len { a[i] = .. }`); `covered`
/// holds the arrays overwritten so far.
fn covers(
    body: &Body,
    block: &Block,
    scratch: &BTreeSet<ArrayId>,
    covered: &mut HashSet<ArrayId>,
) -> bool {
    for stmt in &block.stmts {
        let reads: Vec<ArrayId> = match stmt {
            Stmt::Let { op, .. } => match op {
                // A length is not a value.
                Op::Len { .. } => Vec::new(),
                other => other.arrays(),
            },
            Stmt::CallArray { args, .. } => arg_arrays(args),
            Stmt::Effect(o) => o.arrays(),
            _ => Vec::new(),
        };
        if reads
            .iter()
            .any(|a| scratch.contains(a) && !covered.contains(a))
        {
            return false;
        }
        // What a nested block overwrites covers only its own later reads; a loop that
        // overwrites an array whole covers what follows it.
        if !stmt
            .nested_blocks()
            .into_iter()
            .all(|b| covers(body, b, scratch, &mut covered.clone()))
        {
            return false;
        }
        if let Stmt::Loop(l) = stmt {
            covered.extend(overwritten(body, l));
        }
    }
    true
}

/// The 1-D local array a loop overwrites whole: `for i in 0..n { .. a[i] = v; .. }` with the
/// store directly in the body and `n` the array's length.
fn overwritten(body: &Body, l: &Loop) -> Option<ArrayId> {
    let LoopKind::Counted { counter, range } = &l.kind else {
        return None;
    };
    let from_zero =
        matches!(&range.start, Operand::Lit(syn::Lit::Int(i)) if i.base10_digits() == "0");
    if !from_zero || range.inclusive || !range.adaptors.is_empty() || l.exit.is_some() {
        return None;
    }
    l.body.stmts.iter().find_map(|stmt| match stmt {
        Stmt::Store { array, index, .. }
            if index.len() == 1
                && index[0].var() == Some(*counter)
                && body.array(*array).dims == 1
                && body
                    .array(*array)
                    .lens
                    .first()
                    .is_some_and(|len| len.same(&range.end)) =>
        {
            Some(*array)
        }
        _ => None,
    })
}
