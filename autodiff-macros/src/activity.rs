//! Activity and the reverse sweep's plan.
//!
//! Activity: a float value gets an adjoint only if it depends on a float parameter (varied)
//! and reaches the result (useful). The plan: every primal value the reverse sweep reads must
//! be in scope there. A value defined at top level is; one defined in an `if` branch is
//! exported through the `if`'s result; one defined in a loop body is recomputed at the start
//! of the reverse iteration when that is cheap (integer arithmetic, reads of arrays nothing
//! writes any more) and pushed on the loop's tape otherwise. Nothing else is saved.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::hash::{HashMap, HashSet};
use std::rc::Rc;

use proc_macro2::{Ident, Span, TokenStream, TokenTree};

use crate::code::Code;
use crate::diag::Errors;
use crate::fusion::{self, Fusion};
use crate::ir::*;
use crate::rules::{Cx, Rule};

/// Where a value is defined.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RegionKind {
    Top,
    /// A branch of the `if` with this key.
    Branch(usize),
    /// The body of the loop with this key (its `while` header included).
    LoopBody(usize),
}

pub struct Region {
    pub kind: RegionKind,
    pub parent: usize,
}

/// Whether `region` is `ancestor` or nested in it (region 0 is the function's top level).
fn within(regions: &[Region], mut region: usize, ancestor: usize) -> bool {
    loop {
        if region == ancestor {
            return true;
        }
        if region == 0 {
            return false;
        }
        region = regions[region].parent;
    }
}

/// Identity of an `if` or loop statement in the IR (its address; the IR does not move).
pub fn key<T>(node: &T) -> usize {
    node as *const T as usize
}

#[derive(Default)]
pub struct LoopPlan {
    /// Float and integer values pushed on the loop's tape, in push order.
    pub taped: Vec<Var>,
    /// Bools (branch decisions) pushed on the loop's bit stack, in push order.
    pub bits: Vec<Var>,
    /// Values recomputed at the start of each reverse iteration.
    pub recomputed: BTreeSet<Var>,
    /// Induction variables (`l += c` once per iteration): restored in the reverse sweep by
    /// undoing the step, never taped.
    pub restored: Vec<Induction>,
    /// Values an iteration ends with where a nested induction ended: restored from the
    /// loop's final value, never taped (see `Resumed`).
    pub resumed: Vec<Resumed>,
    /// Scratch vectors copied whole at the end of each iteration, for the reads of them in
    /// nested loops that the reverse iteration makes from the copy (see `Sites::copy_loop`).
    pub copied: Vec<ArrayId>,
    /// Copied scratch vectors that the body fills whole with a cheap loop (array, that loop's
    /// key, see `Sites::fill_loop`): where the reverse sweep computes the element that loop
    /// stores anyway, its reads need no copy (`reverse/element.rs`).
    pub refillable: Vec<(ArrayId, usize)>,
}

/// A carried integer updated by `inner + step` (or `- step`) once per iteration.
#[derive(Clone)]
pub struct Induction {
    pub inner: Var,
    pub out: Var,
    pub op: BinOp,
    pub step: Operand,
}

/// The value a loop's iteration ends with, when a loop nested in it moved the carried
/// integer the iteration started with by a step per nested iteration: the running index of a
/// packed triangle, `for i in 0..d { for j in i + 1..d { .. l += 1; } }`. Restored, never
/// taped, from the value the iterations around it start or end with (`from`).
pub struct Resumed {
    /// The nested loop's final value, which the iteration ends with.
    pub end: Var,
    pub from: ResumedFrom,
    /// How the nested loop moved it, and over what range.
    pub op: BinOp,
    pub step: Operand,
    pub range: CountedRange,
}

pub enum ResumedFrom {
    /// The reverse iterations run backwards: each starts from the value the next one (in
    /// forward order) started with, the last from the loop's final value; undoing the nested
    /// loop's steps gives the next.
    Out(Var),
    /// The reverse iterations run forwards (their order is free: `reverse/order.rs`): the
    /// first starts from the value the loop started with, each ends where the nested loop's
    /// steps take it, and the next starts there.
    Init(Operand),
}

pub struct Analysis {
    pub active: Vec<bool>,
    pub active_array: Vec<bool>,
    /// What depends on a float parameter, useful or not: a dual number in `NAME_dual_adjoint`.
    pub varied: Vec<bool>,
    pub varied_array: Vec<bool>,
    pub regions: Vec<Region>,
    pub def_region: Vec<usize>,
    /// Per `if` key: values of its branches that the reverse sweep reads outside them.
    pub exports: HashMap<usize, BTreeSet<Var>>,
    pub loops: HashMap<usize, LoopPlan>,
    /// Per `if`/loop key: whether it contains adjoint work.
    pub has_adjoint: HashMap<usize, bool>,
    /// Per `if` key: the regions of its then and else branches.
    pub branch_regions: HashMap<usize, (usize, usize)>,
    /// Per loop key: the region of its body.
    pub loop_regions: HashMap<usize, usize>,
    /// The values the reverse sweep reads.
    pub required: BTreeSet<Var>,
    /// Snapshots of local arrays that calls' reverse sweeps read (the others are not made).
    pub snapshots: BTreeSet<Var>,
    /// Reads recomputed from a copy of their array: the key of the loop that copies it.
    pub copy_reads: HashMap<Var, usize>,
    /// Loops whose reverse runs inside their forward sweep.
    pub fusion: Fusion,
    /// Values whose rule passes a zero adjoint on as zero, not as `0 * inf`: their adjoint
    /// comes only from branches or unread array elements (`Sites::branch_only`) and the rule
    /// can blow up.
    pub zero_guarded: HashSet<Var>,
    /// Values that may be infinite or NaN where the parameters are finite
    /// (`Sites::unbounded`).
    pub unbounded: HashSet<Var>,
    /// Whether loops may be fused with their reverse, as `analyze` was told.
    pub fuse: bool,
    /// Loops that tape a value they could resume from the loop's starting value instead, if
    /// their reverse ran forwards (`Planner::resumed`): `replan` with those that do.
    pub resumable_forwards: HashSet<usize>,
}

impl Analysis {
    /// Whether `x` may be infinite or NaN where the parameters are finite.
    pub fn is_unbounded(&self, x: &Operand) -> bool {
        x.var().is_some_and(|v| self.unbounded.contains(&v))
    }

    /// Whether `region` is `ancestor` or nested in it.
    pub fn within(&self, region: usize, ancestor: usize) -> bool {
        within(&self.regions, region, ancestor)
    }

    pub fn is_active(&self, op: &Operand) -> bool {
        op.var().is_some_and(|v| self.active[v.0])
    }
}

/// Where each value is defined and what each statement reads, gathered in one walk.
struct Sites<'a> {
    body: &'a Body,
    regions: Vec<Region>,
    def_region: Vec<usize>,
    def_op: HashMap<Var, &'a Op>,
    /// Counter var -> loop key.
    counters: HashMap<Var, usize>,
    /// Loop key -> (first, last) statement position, for array stability.
    loop_span: HashMap<usize, (usize, usize)>,
    /// Loop key -> body region.
    loop_region: HashMap<usize, usize>,
    /// Carried value (its `inner`) -> its loop's key and the carried triple.
    carried: HashMap<Var, (usize, &'a Carried)>,
    /// A carried value's final value (its `out`) -> the same.
    carried_out: HashMap<Var, (usize, &'a Carried)>,
    /// Loop key -> the loop.
    loops: HashMap<usize, &'a Loop>,
    /// If key -> (then region, else region).
    branch_regions: HashMap<usize, (usize, usize)>,
    /// Array -> last position of a store into it.
    last_store: HashMap<ArrayId, usize>,
    /// Array -> positions of the statements that write it (stores and declarations).
    writes: HashMap<ArrayId, Vec<usize>>,
    /// If key -> its statement's position.
    if_position: HashMap<usize, usize>,
    /// The scratch vectors a loop can copy (`Body::top_level_vecs`).
    top_vecs: HashSet<ArrayId>,
    /// Local array -> the region it is declared in.
    array_region: HashMap<ArrayId, usize>,
    /// Var -> position of its definition.
    position: HashMap<Var, usize>,
    /// Position of the statement being visited.
    next_position: usize,
    /// Data-flow edges `to <- from` for activity, each with the region the flow happens in.
    edges: Vec<(Node, Node, usize)>,
    /// The region of the statement being visited.
    region: usize,
    /// The fused loops' keys: their bodies are in scope in their reverse, as the top level.
    fused: HashSet<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Node {
    Var(Var),
    Array(ArrayId),
}

/// `fuse`: whether loops may be fused with their reverse (see `fusion`).
pub fn analyze(body: &Body, fuse: bool, errors: &mut Errors) -> Analysis {
    plan(body, fuse, &HashSet::default(), errors)
}

/// The analysis again, now that the loops whose reverse runs forwards among
/// `resumable_forwards` are known: they resume their values from the start (`ResumedFrom`).
/// Any error was reported by the first analysis.
pub fn replan(body: &Body, first: &Analysis, forwards: &HashSet<usize>) -> Analysis {
    plan(body, first.fuse, forwards, &mut Errors::default())
}

/// `forwards`: loops whose reverse runs forwards, as far as known.
fn plan(body: &Body, fuse: bool, forwards: &HashSet<usize>, errors: &mut Errors) -> Analysis {
    let mut sites = Sites {
        body,
        regions: vec![Region {
            kind: RegionKind::Top,
            parent: 0,
        }],
        def_region: vec![0; body.vars.len()],
        def_op: HashMap::default(),
        counters: HashMap::default(),
        loop_span: HashMap::default(),
        loop_region: HashMap::default(),
        carried: HashMap::default(),
        carried_out: HashMap::default(),
        loops: HashMap::default(),
        branch_regions: HashMap::default(),
        last_store: HashMap::default(),
        writes: HashMap::default(),
        if_position: HashMap::default(),
        top_vecs: body.top_level_vecs(),
        array_region: HashMap::default(),
        position: HashMap::default(),
        next_position: 0,
        edges: Vec::new(),
        region: 0,
        fused: HashSet::default(),
    };
    sites.block(&body.block, 0);

    let Activity {
        active,
        active_array,
        varied,
        varied_array,
    } = activity(body, &sites.edges);
    let fusion = if fuse {
        fusion::fuse(body, &active, &active_array)
    } else {
        Fusion::default()
    };
    let unbounded = sites.unbounded();
    let zero_guarded = sites.zero_guarded(&active, &unbounded);
    sites.fused = fusion.loops.keys().copied().collect();
    sites.fused.extend(crate::checkpoint::segment_loops(body));
    let mut analysis = Analysis {
        active,
        active_array,
        varied,
        varied_array,
        regions: Vec::new(),
        def_region: Vec::new(),
        exports: HashMap::default(),
        loops: HashMap::default(),
        has_adjoint: HashMap::default(),
        branch_regions: HashMap::default(),
        loop_regions: HashMap::default(),
        required: BTreeSet::new(),
        snapshots: BTreeSet::new(),
        copy_reads: HashMap::default(),
        fusion,
        zero_guarded,
        unbounded,
        fuse,
        resumable_forwards: HashSet::default(),
    };
    let mut planner = Planner {
        sites: &sites,
        analysis: &mut analysis,
        required: BTreeSet::new(),
        forwards,
        errors,
    };
    planner.block(&body.block, 0);
    planner.drop_unpaid_copies();
    planner.refill_copies();
    analysis.required = planner.required;
    crate::checkpoint::plan(body, &mut analysis);
    let Sites {
        regions,
        def_region,
        branch_regions,
        loop_region,
        ..
    } = sites;
    analysis.regions = regions;
    analysis.def_region = def_region;
    analysis.branch_regions = branch_regions;
    analysis.loop_regions = loop_region;
    analysis
}

fn operand_node(op: &Operand) -> Option<Node> {
    op.var().map(Node::Var)
}

impl<'a> Sites<'a> {
    fn new_region(&mut self, kind: RegionKind, parent: usize) -> usize {
        self.regions.push(Region { kind, parent });
        self.regions.len() - 1
    }

    fn define(&mut self, var: Var, region: usize) {
        self.def_region[var.0] = region;
        self.position.insert(var, self.next_position);
    }

    fn flow(&mut self, to: Node, from: &Operand) {
        if let Some(from) = operand_node(from) {
            self.edges.push((to, from, self.region));
        }
    }

    fn flow_args(&mut self, to: Node, args: &[Arg]) {
        for arg in args {
            match arg {
                Arg::Scalar(x) => self.flow(to, x),
                Arg::Data { .. } => {}
                Arg::Record { fields, .. } => fields.iter().for_each(|(_, x)| self.flow(to, x)),
                Arg::Array(a) => self.edges.push((to, Node::Array(a.array), self.region)),
            }
        }
    }

    fn block(&mut self, block: &'a Block, region: usize) {
        for stmt in &block.stmts {
            self.next_position += 1;
            self.region = region;
            match stmt {
                Stmt::Let { var, op } => {
                    self.define(*var, region);
                    self.def_op.insert(*var, op);
                    let to = Node::Var(*var);
                    match op {
                        Op::Copy(x) => self.flow(to, x),
                        Op::Unary(UnOp::Neg, x) => self.flow(to, x),
                        Op::Prim { rule, floats, .. } if !rule.constant => {
                            for x in floats {
                                self.flow(to, x);
                            }
                        }
                        Op::Call { args, .. } => self.flow_args(to, args),
                        Op::Load { array, .. } => {
                            self.edges.push((to, Node::Array(*array), region))
                        }
                        _ => {}
                    }
                }
                Stmt::Store { array, value, .. } => {
                    self.store(*array);
                    self.flow(Node::Array(*array), value);
                }
                // New elements are zeros, and the others stay: no value flows in.
                Stmt::Resize { array, .. } => self.store(*array),
                Stmt::DeclareArray { array, .. } => {
                    self.array_region.insert(*array, region);
                    let at = self.next_position;
                    self.writes.entry(*array).or_default().push(at);
                }
                Stmt::CallArray {
                    array, args, shape, ..
                } => {
                    let at = self.next_position;
                    self.writes.entry(*array).or_default().push(at);
                    self.define(*shape, region);
                    self.array_region.insert(*array, region);
                    self.flow_args(Node::Array(*array), args);
                }
                Stmt::Effect(_) => {}
                Stmt::If {
                    then_block,
                    else_block,
                    phis,
                    ..
                } => {
                    let k = key(stmt);
                    self.if_position.insert(k, self.next_position);
                    let then_region = self.new_region(RegionKind::Branch(k), region);
                    self.block(then_block, then_region);
                    let else_region = self.new_region(RegionKind::Branch(k), region);
                    self.block(else_block, else_region);
                    self.branch_regions.insert(k, (then_region, else_region));
                    for phi in phis {
                        self.define(phi.var, region);
                        self.region = then_region;
                        self.flow(Node::Var(phi.var), &phi.then_value);
                        self.region = else_region;
                        self.flow(Node::Var(phi.var), &phi.else_value);
                    }
                }
                Stmt::Loop(l) => {
                    let k = key(&**l);
                    let start = self.next_position;
                    let body_region = self.new_region(RegionKind::LoopBody(k), region);
                    self.loop_region.insert(k, body_region);
                    self.loops.insert(k, l);
                    for c in &l.carried {
                        self.carried.insert(c.inner, (k, c));
                        self.define(c.inner, body_region);
                        self.flow(Node::Var(c.inner), &c.init);
                        self.region = body_region;
                        self.flow(Node::Var(c.inner), &c.next);
                        self.region = region;
                    }
                    match &l.kind {
                        LoopKind::Counted { counter, .. } => {
                            self.define(*counter, body_region);
                            self.counters.insert(*counter, k);
                        }
                        LoopKind::While { header, .. } => self.block(header, body_region),
                    }
                    self.block(&l.body, body_region);
                    self.region = region;
                    for c in &l.carried {
                        self.carried_out.insert(c.out, (k, c));
                        self.define(c.out, region);
                        self.edges
                            .push((Node::Var(c.out), Node::Var(c.inner), region));
                        self.flow(Node::Var(c.out), &c.next);
                    }
                    if let Some(t) = l.trips {
                        self.define(t, region);
                    }
                    self.loop_span.insert(k, (start, self.next_position));
                }
            }
        }
    }

    /// The active values whose every use that passes an adjoint back is in a branch the
    /// value is not defined in, an operand a rule may not pick (`x.sqrt().max(EPS)`) or of a
    /// call (`relu(z)`), or makes a value of the same kind: where no such branch is taken
    /// (the operand not picked), their adjoint stays zero; with `unread`, also those stored in
    /// a local array, whose element may never be read (`let r = [x.sqrt(), y]; r[1]`). A guard of the user's (`if r >
    /// 0.0 { x / r } else { 0.0 }`, `if r < EPS { return 0.0; }`, `.max(EPS)`) is taken
    /// exactly where such a value is infinite or NaN (`r.sqrt()` at 0, `p.ln()` at 0), and
    /// its rule multiplies the zero by that: `0 * inf`, NaN. Their rules pass a zero adjoint
    /// on as zero.
    fn branch_only(&self, active: &[bool], unread: bool) -> HashSet<Var> {
        // Per value, the values its uses hand adjoints on to: `None` for a use in a branch
        // it is not defined in, `Some(None)` for one that always does (the result, an array).
        let mut uses: BTreeMap<Var, Vec<Option<Option<Var>>>> = BTreeMap::new();
        for &(to, from, region) in &self.edges {
            let Node::Var(v) = from else { continue };
            if !active[v.0] {
                continue;
            }
            let defined = self.def_region[v.0];
            let mut r = region;
            let mut in_branch = false;
            while r != 0 && !in_branch {
                in_branch = matches!(self.regions[r].kind, RegionKind::Branch(_))
                    && !self.is_within(defined, r);
                r = self.regions[r].parent;
            }
            let picked = match to {
                Node::Var(w) => match self.def_op.get(&w) {
                    Some(Op::Prim { rule, .. }) => rule.picks(),
                    Some(Op::Call { .. }) => true,
                    _ => false,
                },
                Node::Array(_) => false,
            };
            let handed = match to {
                _ if in_branch || picked => None,
                Node::Var(w) => Some(Some(w)),
                Node::Array(a) if unread && self.unread_maybe(a) => None,
                Node::Array(_) => Some(None),
            };
            uses.entry(v).or_default().push(handed);
        }
        if let Some(v) = self.body.result.var() {
            uses.entry(v).or_default().push(Some(None));
        }
        let mut found = HashSet::default();
        let mut changed = true;
        while changed {
            changed = false;
            // (the later values first: their users are decided by then, bar loops)
            for (v, handed) in uses.iter().rev() {
                let dropped = |h: &Option<Option<Var>>| match h {
                    None => true,
                    Some(w) => w.is_some_and(|w| found.contains(&w)),
                };
                if !found.contains(v) && handed.iter().all(dropped) {
                    found.insert(*v);
                    changed = true;
                }
            }
        }
        found
    }

    /// Whether some elements of `array` may never be read: a local array, not the result.
    fn unread_maybe(&self, array: ArrayId) -> bool {
        matches!(self.body.array(array).origin, ArrayOrigin::Local)
            && self.body.output != Some(array)
    }

    /// The values that may be infinite or NaN where the parameters are finite: made by a
    /// rule that can make them (`ln`, `/`, `exp`), a call, or arithmetic on such values.
    fn unbounded(&self) -> HashSet<Var> {
        let mut found: HashSet<Var> = HashSet::default();
        for (v, op) in &self.def_op {
            match op {
                Op::Prim { rule, .. } if !rule.keeps_finite() => found.insert(*v),
                Op::Call { .. } => found.insert(*v),
                _ => false,
            };
        }
        let mut changed = true;
        while changed {
            changed = false;
            for &(to, from, _) in &self.edges {
                if let (Node::Var(to), Node::Var(from)) = (to, from) {
                    if found.contains(&from) && !found.contains(&to) {
                        found.insert(to);
                        changed = true;
                    }
                }
            }
        }
        found
    }

    /// The values of `branch_only` whose rule can pass a zero adjoint on as `0 * inf`. Of those
    /// whose adjoint may be zero only because an array element goes unread, the rules that
    /// blow up at finite operands (`sqrt` at 0, not a product with an infinity, which is
    /// infinite in the forward sweep already): a guard in a loop that fills an array costs a
    /// branch per element.
    fn zero_guarded(&self, active: &[bool], unbounded: &HashSet<Var>) -> HashSet<Var> {
        let is_unbounded = |x: &Operand| x.var().is_some_and(|v| unbounded.contains(&v));
        let branches = self.branch_only(active, false);
        self.branch_only(active, true)
            .into_iter()
            .filter(|v| match self.def_op.get(v) {
                Some(Op::Prim { rule, floats, .. }) if branches.contains(v) => {
                    rule.may_blow_up(floats, is_unbounded)
                }
                Some(Op::Prim { rule, floats, .. }) => rule.may_blow_up(floats, |_| false),
                _ => false,
            })
            .collect()
    }

    /// A write into `array` at the current position.
    fn store(&mut self, array: ArrayId) {
        let last = self.next_position;
        self.last_store.insert(array, last);
        self.writes.entry(array).or_default().push(last);
    }

    fn is_within(&self, region: usize, ancestor: usize) -> bool {
        within(&self.regions, region, ancestor)
    }

    /// The outermost loop whose body contains `region`, inside the nearest scope root.
    fn outermost_loop(&self, mut region: usize) -> Option<usize> {
        let mut found = None;
        while !self.is_scope_root(region) {
            if let RegionKind::LoopBody(k) = self.regions[region].kind {
                found = Some(k);
            }
            region = self.regions[region].parent;
        }
        found
    }

    /// Whether what is defined in `region` is in scope in its reverse: the top level, and
    /// the body of a fused loop, whose reverse runs in the same iteration.
    fn is_scope_root(&self, region: usize) -> bool {
        match self.regions[region].kind {
            RegionKind::Top => true,
            RegionKind::LoopBody(k) => self.fused.contains(&k),
            RegionKind::Branch(_) => false,
        }
    }

    /// Whether `array` holds, at the end of the forward sweep, what it held when read at
    /// `position` in `region`: nothing writes it later.
    fn stable_after(&self, array: ArrayId, region: usize, position: usize) -> bool {
        if let ArrayOrigin::Param(_) | ArrayOrigin::Constant = self.body.array(array).origin {
            return true;
        }
        let Some(&last) = self.last_store.get(&array) else {
            return true;
        };
        let from = match self.outermost_loop(region) {
            Some(k) => self.loop_span[&k].0,
            None => position,
        };
        last < from
    }

    /// The loop of loop `k`'s body that fills the scratch vector `array` whole and is the only
    /// write of it in `k`: `for i in 0..n { array[i] = .. }` over the vector's length, each
    /// element made with cheap operations from values outside the loop and from arrays that
    /// nothing writes later. What it stores at an index, computed again in `k`'s reverse
    /// iteration, is what a copy taken at the end of the iteration holds there.
    fn fill_loop(&self, k: usize, array: ArrayId) -> Option<&'a Loop> {
        let outer = self.loops[&k];
        if outer.checkpoint.is_some() || self.fused.contains(&k) {
            return None;
        }
        let len = self.body.vec_len(array)?;
        let writes = self.writes.get(&array)?;
        let (first, last) = self.loop_span[&k];
        let in_span =
            |(from, to): (usize, usize)| writes.iter().filter(|&&w| from <= w && w <= to).count();
        let fill = outer.body.stmts.iter().find_map(|stmt| match stmt {
            Stmt::Loop(l) if in_span(self.loop_span[&key(&**l)]) > 0 => Some(&**l),
            _ => None,
        })?;
        let LoopKind::Counted { counter, range } = &fill.kind else {
            return None;
        };
        let over_len = |end: &Operand| {
            end.same(len)
                || end.var().is_some_and(|v| {
                    matches!(self.def_op.get(&v), Some(Op::Len { array: a, .. }) if *a == array)
                })
        };
        let whole = range.start.is_zero()
            && !range.inclusive
            && range.adaptors.is_empty()
            && over_len(&range.end);
        let plain = fill.carried.is_empty()
            && fill.exit.is_none()
            && fill.trips.is_none()
            && fill.checkpoint.is_none();
        if !whole || !plain || in_span(self.loop_span[&key(fill)]) != in_span((first, last)) {
            return None;
        }
        let region = self.loop_region[&key(fill)];
        let mut stores = 0;
        for stmt in &fill.body.stmts {
            match stmt {
                Stmt::Let { var, op } if self.cheap_fill(*var, op, array, region) => {}
                Stmt::Store {
                    array: a, index, ..
                } if *a == array
                    && matches!(index.as_slice(), [Operand::Var(i)] if i == counter) =>
                {
                    stores += 1;
                }
                _ => return None,
            }
        }
        (stores == 1).then_some(fill)
    }

    /// Whether `v = op`, in the body of a loop that fills `filled`, is cheap to compute
    /// again in the reverse sweep and computes the same there.
    fn cheap_fill(&self, v: Var, op: &Op, filled: ArrayId, region: usize) -> bool {
        self.cheap(op)
            && match op {
                Op::Load { array, .. } => {
                    let pos = self.position.get(&v).copied().unwrap_or(0);
                    *array != filled && self.stable_after(*array, region, pos)
                }
                _ => true,
            }
    }

    /// Whether `op` costs little enough to compute again in the reverse sweep, and can be:
    /// the arrays it reads are in scope there, the lengths it reads do not change. Whether a
    /// read reads the same again is the caller's to decide.
    fn cheap(&self, op: &Op) -> bool {
        match op {
            Op::Copy(_) | Op::Unary(..) | Op::Binary(..) | Op::Cast(..) | Op::NumCast(..) => true,
            Op::IntMethod { .. } => true,
            Op::Prim { rule, .. } => rule.is_cheap(),
            Op::Len { array, .. } => !self.body.array(*array).resizable && self.in_scope(*array),
            Op::Load { array, .. } => self.in_scope(*array),
            // A number in a field of a model's sub-model, which nothing writes.
            Op::Call {
                callee: Callee::Field(..),
                ..
            } => true,
            Op::Call { .. } | Op::Opaque(_) | Op::Snapshot { .. } => false,
        }
    }

    /// Whether `array` is in scope in the reverse sweep: a parameter, or declared at the top
    /// level or in a fused loop's body (not in a branch or another loop's body).
    fn in_scope(&self, array: ArrayId) -> bool {
        self.array_region
            .get(&array)
            .is_none_or(|r| self.is_scope_root(*r))
    }

    /// The values the loop `l` reads that are defined outside it (its range's bounds too).
    fn reads_from_outside(&self, l: &Loop) -> Vec<Var> {
        let region = self.loop_region[&key(l)];
        let mut reads = Vec::new();
        if let LoopKind::Counted { range, .. } = &l.kind {
            reads.extend(range.start.var());
            reads.extend(range.end.var());
        }
        for stmt in &l.body.stmts {
            match stmt {
                Stmt::Let { op, .. } => reads.extend(op_vars(op)),
                Stmt::Store { index, value, .. } => {
                    reads.extend(index.iter().chain([value]).filter_map(Operand::var));
                }
                _ => {}
            }
        }
        reads.retain(|v| !self.is_within(self.def_region[v.0], region));
        reads
    }

    /// The loop whose iterations can each copy `array` for a read of it in `region` that
    /// `stable_after` rejects, so that the read's reverse reads the copy instead of a tape:
    /// the outermost loop around the read, inside the nearest scope root, that writes the
    /// array, and only before the statement of its body that holds the read. That statement
    /// must be or hold a nested loop: a copy per iteration pays for many reads, not for one.
    fn copy_loop(&self, array: ArrayId, mut region: usize) -> Option<usize> {
        if !self.top_vecs.contains(&array) {
            return None;
        }
        let writes = self
            .writes
            .get(&array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut found = None;
        // The region below `region` on the way up from the read, and whether a loop body
        // lies below `region` on that way.
        let mut child: Option<usize> = None;
        let mut nested = false;
        while !self.is_scope_root(region) {
            let kind = self.regions[region].kind;
            if let (RegionKind::LoopBody(k), Some(c)) = (kind, child) {
                let holder = match self.regions[c].kind {
                    RegionKind::LoopBody(inner) => self.loop_span[&inner].0,
                    RegionKind::Branch(branch) => self.if_position[&branch],
                    RegionKind::Top => return found,
                };
                let (first, last) = self.loop_span[&k];
                let inside = || writes.iter().filter(|&&w| first <= w && w <= last);
                if inside().any(|&w| w >= holder) {
                    break;
                }
                // A loop that does not write the array would copy the same values again.
                if nested && inside().next().is_some() {
                    found = Some(k);
                }
            }
            nested |= matches!(kind, RegionKind::LoopBody(_));
            child = Some(region);
            region = self.regions[region].parent;
        }
        found
    }
}

struct Activity {
    active: Vec<bool>,
    active_array: Vec<bool>,
    varied: Vec<bool>,
    varied_array: Vec<bool>,
}

/// Forward (varied) and backward (useful) propagation over the data-flow edges.
fn activity(body: &Body, edges: &[(Node, Node, usize)]) -> Activity {
    let n_vars = body.vars.len();
    let n_arrays = body.arrays.len();
    let index = |n: Node| match n {
        Node::Var(v) => v.0,
        Node::Array(a) => n_vars + a.0,
    };
    let mut varied = vec![false; n_vars + n_arrays];
    let mut useful = vec![false; n_vars + n_arrays];
    // The independent variables: float parameters, scalar and array.
    for v in &body.param_vars {
        varied[v.0] = body.var(*v).ty == Ty::Float;
    }
    for (i, a) in body.arrays.iter().enumerate() {
        if matches!(a.origin, ArrayOrigin::Param(_)) && a.elem == Elem::Float {
            varied[n_vars + i] = true;
        }
    }
    match body.output {
        Some(a) => useful[n_vars + a.0] = true,
        None => {
            if let Some(v) = body.result.var() {
                useful[v.0] = true;
            }
        }
    }
    let mut changed = true;
    while changed {
        changed = false;
        for &(to, from, _) in edges {
            let (t, f) = (index(to), index(from));
            if varied[f] && !varied[t] {
                varied[t] = true;
                changed = true;
            }
            if useful[t] && !useful[f] {
                useful[f] = true;
                changed = true;
            }
        }
    }
    let active = (0..n_vars)
        .map(|i| varied[i] && useful[i] && body.vars[i].ty == Ty::Float)
        .collect();
    let active_array = (0..n_arrays)
        .map(|i| varied[n_vars + i] && useful[n_vars + i] && body.arrays[i].elem == Elem::Float)
        .collect();
    let varied_array = varied.split_off(n_vars);
    Activity {
        active,
        active_array,
        varied,
        varied_array,
    }
}

struct Planner<'s, 'a> {
    sites: &'s Sites<'a>,
    analysis: &'s mut Analysis,
    required: BTreeSet<Var>,
    /// Loops whose reverse runs forwards, as far as known.
    forwards: &'s HashSet<usize>,
    errors: &'s mut Errors,
}

/// A primal value a rule's contribution reads.
#[derive(Clone, Copy)]
enum RuleRead {
    /// The float operand of this position.
    Float(usize),
    /// The non-float argument of this position.
    Other(usize),
    /// The rule's result.
    Out,
}

/// Placeholder names a rule's adjoint is instantiated with, to see what it reads.
const PLACEHOLDER: &str = "__autodiff_read_";

pub fn placeholder_cx(floats: usize, others: usize) -> Cx {
    let ph = |name: String| {
        Code::from(Ident::new(
            &format!("{PLACEHOLDER}{name}"),
            Span::call_site(),
        ))
    };
    Cx {
        x: (0..floats).map(|i| ph(format!("x{i}"))).collect(),
        other: (0..others).map(|i| ph(format!("n{i}"))).collect(),
        out: ph("out".into()),
        d: ph("d".into()),
        d_is_steady: false,
        float: Code::from(Ident::new("f64", Span::call_site())),
        generic: false,
        dual: None,
    }
}

/// The placeholders (`x0`, `n1`, `out`, ...) that `tokens` mentions.
pub fn reads(tokens: &TokenStream) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for tt in tokens.clone() {
        match tt {
            TokenTree::Ident(i) => {
                if let Some(name) = i.to_string().strip_prefix(PLACEHOLDER) {
                    found.insert(name.to_string());
                }
            }
            TokenTree::Group(g) => found.extend(reads(&g.stream())),
            _ => {}
        }
    }
    found
}

thread_local! {
    /// `contribution_reads` by rule (its address) and arity, kept from one function the macro
    /// expands to the next.
    static RULE_READS: RefCell<HashMap<(usize, usize, usize), ContributionReads>> =
        RefCell::default();
}

/// Per contribution of a rule, the values it reads.
type ContributionReads = Rc<[Vec<RuleRead>]>;

/// What each contribution of `rule` reads, in the placeholders' order: found by instantiating
/// the rule with placeholders, once per rule and arity.
fn contribution_reads(rule: &'static Rule, floats: usize, others: usize) -> ContributionReads {
    RULE_READS.with_borrow_mut(|cache| {
        let reads = cache.entry((key(rule), floats, others)).or_insert_with(|| {
            let cx = placeholder_cx(floats, others);
            (rule.adjoint)(&cx)
                .iter()
                .map(|contribution| {
                    reads(contribution)
                        .iter()
                        .filter_map(|name| match name.split_at(1) {
                            ("x", i) => i.parse().ok().map(RuleRead::Float),
                            ("n", i) => i.parse().ok().map(RuleRead::Other),
                            _ if name == "out" => Some(RuleRead::Out),
                            _ => None,
                        })
                        .collect()
                })
                .collect()
        });
        Rc::clone(reads)
    })
}

impl Planner<'_, '_> {
    fn need(&mut self, op: &Operand) {
        if let Some(v) = op.var() {
            self.require(v);
        }
    }

    /// Makes a loop's range readable in the reverse sweep, for its trip count.
    fn need_range(&mut self, range: &CountedRange) {
        self.need(&range.start);
        self.need(&range.end);
        for s in range.adaptors.iter().filter_map(Adaptor::operand) {
            self.need(s);
        }
    }

    /// Makes `v` readable in the reverse sweep wherever its definition is in scope.
    fn require(&mut self, v: Var) {
        if !self.required.insert(v) {
            return;
        }
        let mut region = self.sites.def_region[v.0];
        loop {
            match self.sites.regions[region].kind {
                RegionKind::Top => return,
                RegionKind::Branch(k) => {
                    self.analysis.exports.entry(k).or_default().insert(v);
                    region = self.sites.regions[region].parent;
                }
                RegionKind::LoopBody(k) => {
                    if self.sites.counters.get(&v) == Some(&k) || self.sites.fused.contains(&k) {
                        return;
                    }
                    if let Some(induction) = self.induction(v, region) {
                        self.require(induction.out);
                        self.need(&induction.step);
                        self.analysis
                            .loops
                            .entry(k)
                            .or_default()
                            .restored
                            .push(induction);
                        return;
                    }
                    match self.resumed(v, region) {
                        Some(Ok(resumed)) => {
                            match &resumed.from {
                                ResumedFrom::Out(out) => self.require(*out),
                                ResumedFrom::Init(init) => self.need(init),
                            }
                            self.need(&resumed.step);
                            self.need_range(&resumed.range);
                            let plan = self.analysis.loops.entry(k).or_default();
                            plan.resumed.push(resumed);
                            return;
                        }
                        Some(Err(forwards)) => {
                            self.analysis.resumable_forwards.insert(forwards);
                        }
                        None => {}
                    }
                    let direct = self.sites.def_region[v.0] == region;
                    if direct && self.recomputable(v, region) {
                        self.analysis
                            .loops
                            .entry(k)
                            .or_default()
                            .recomputed
                            .insert(v);
                        if let Some(copier) = self.copied_read(v, region) {
                            self.plan_copy(v, copier);
                        }
                        if let Some(op) = self.sites.def_op.get(&v) {
                            for u in op_vars(op) {
                                self.require(u);
                            }
                        }
                    } else {
                        let plan = self.analysis.loops.entry(k).or_default();
                        if self.sites.body.var(v).ty == Ty::Bool {
                            plan.bits.push(v);
                        } else {
                            plan.taped.push(v);
                        }
                    }
                    return;
                }
            }
        }
    }

    /// `v` as an induction variable of the loop whose body is `region`: carried, updated
    /// unconditionally by adding or subtracting a loop-invariant integer.
    fn induction(&self, v: Var, region: usize) -> Option<Induction> {
        let (_, carried) = self.sites.carried.get(&v)?;
        if self.sites.body.var(v).ty != Ty::Int || self.sites.def_region[v.0] != region {
            return None;
        }
        let next = carried.next.var()?;
        if self.sites.def_region[next.0] != region {
            return None;
        }
        let Some(Op::Binary(op @ (BinOp::Add | BinOp::Sub), Operand::Var(a), step)) =
            self.sites.def_op.get(&next)
        else {
            return None;
        };
        let invariant = match step {
            Operand::Var(s) => !self.sites.is_within(self.sites.def_region[s.0], region),
            _ => true,
        };
        (*a == v && invariant).then(|| Induction {
            inner: v,
            out: carried.out,
            op: *op,
            step: step.clone(),
        })
    }

    /// `v` as the value the iterations of the loop whose body is `region` end with, found
    /// from the loop's start or end (`Resumed`): the final value of an induction of a counted
    /// loop nested in the body, started from the value the iteration started with. Both loops
    /// run to the end of their ranges. A loop whose reverse runs forwards starts from the
    /// value the loop starts with; one that runs backwards, from its final value, only where
    /// that is in scope in its reverse (at the top level, or in a fused loop's body): taping
    /// that instead, once per iteration of a loop around, saves no tape and puts the rows in
    /// a chain (each one's start waits for the next one's), 4% slower on the GMM at d = 2.
    /// `Err` with the loop's key where only running forwards would do.
    fn resumed(&self, v: Var, region: usize) -> Option<Result<Resumed, usize>> {
        let RegionKind::LoopBody(k) = self.sites.regions[region].kind else {
            return None;
        };
        let outer = self.sites.loops[&k];
        let started = outer.carried.iter().find(|c| c.next.var() == Some(v))?;
        let (nested_key, nested) = self.sites.carried_out.get(&v)?;
        let nested_loop = self.sites.loops[nested_key];
        let runs_whole = |l: &Loop| {
            l.exit.is_none()
                && l.trips.is_none()
                && l.checkpoint.is_none()
                && matches!(l.kind, LoopKind::Counted { .. })
        };
        let LoopKind::Counted { range, .. } = &nested_loop.kind else {
            return None;
        };
        let induction = self.induction(nested.inner, self.sites.loop_region[nested_key])?;
        if self.sites.def_region[v.0] != region
            || nested.init.var() != Some(started.inner)
            || !runs_whole(outer)
            || !runs_whole(nested_loop)
        {
            return None;
        }
        let from = if self.forwards.contains(&k) {
            ResumedFrom::Init(started.init.clone())
        } else if self
            .sites
            .is_scope_root(self.sites.def_region[started.out.0])
        {
            ResumedFrom::Out(started.out)
        } else {
            return Some(Err(k));
        };
        Some(Ok(Resumed {
            end: v,
            from,
            op: induction.op,
            step: induction.step,
            range: range.clone(),
        }))
    }

    /// The loop that copies the array `v` reads, when `v` is a read that can be recomputed
    /// from such a copy and not from the array itself.
    fn copied_read(&self, v: Var, region: usize) -> Option<usize> {
        let Some(Op::Load { array, .. }) = self.sites.def_op.get(&v) else {
            return None;
        };
        let pos = self.sites.position.get(&v).copied().unwrap_or(0);
        if self.sites.stable_after(*array, region, pos) {
            return None;
        }
        self.sites.copy_loop(*array, region)
    }

    fn plan_copy(&mut self, v: Var, copier: usize) {
        let Some(Op::Load { array, .. }) = self.sites.def_op.get(&v) else {
            return;
        };
        let copied = &mut self.analysis.loops.entry(copier).or_default().copied;
        if !copied.contains(array) {
            copied.push(*array);
        }
        self.analysis.copy_reads.insert(v, copier);
    }

    /// A copy per iteration costs the array's length: it is kept where the reads it serves
    /// are more than that, going by how deep in the copying loop they are (each read one loop
    /// down is about one per element, as many as the tape entries it saves). Those of the
    /// other copies are taped.
    fn drop_unpaid_copies(&mut self) {
        let array_of = |v: &Var| match self.sites.def_op.get(v) {
            Some(Op::Load { array, .. }) => Some(*array),
            _ => None,
        };
        let mut weight: HashMap<(usize, ArrayId), usize> = HashMap::default();
        for (v, &copier) in &self.analysis.copy_reads {
            let Some(array) = array_of(v) else { continue };
            let depth = self.loop_depth(self.sites.def_region[v.0], copier);
            *weight.entry((copier, array)).or_default() += depth;
        }
        let mut unpaid: Vec<(Var, usize, ArrayId)> = self
            .analysis
            .copy_reads
            .iter()
            .filter_map(|(v, &copier)| Some((*v, copier, array_of(v)?)))
            .filter(|(_, copier, array)| weight[&(*copier, *array)] < 2)
            .collect();
        unpaid.sort();
        for (v, copier, array) in unpaid {
            self.analysis.copy_reads.remove(&v);
            if let Some(plan) = self.analysis.loops.get_mut(&copier) {
                plan.copied.retain(|a| *a != array);
            }
            if let RegionKind::LoopBody(k) = self.sites.regions[self.sites.def_region[v.0]].kind {
                let plan = self.analysis.loops.entry(k).or_default();
                plan.recomputed.remove(&v);
                plan.taped.push(v);
            }
        }
    }

    /// A copied scratch vector that the copying loop's body fills whole with a cheap loop of
    /// its own (`for i in 0..d { xc[i] = x[i] - mean[i]; }`) can be read from what that loop
    /// stores, computed again in the reverse sweep, as one writing the gradient by hand
    /// recomputes `xc[i]`: what the loop reads is kept for it (whether the reverse sweep
    /// does so, or copies after all, is decided with its merged loops, `reverse/element.rs`).
    fn refill_copies(&mut self) {
        let mut refills: Vec<(usize, ArrayId, &Loop)> = Vec::new();
        for (&k, plan) in &self.analysis.loops {
            for &array in &plan.copied {
                if let Some(fill) = self.sites.fill_loop(k, array) {
                    refills.push((k, array, fill));
                }
            }
        }
        refills.sort_by_key(|&(k, array, _)| (k, array));
        for (k, array, fill) in refills {
            let plan = self.analysis.loops.entry(k).or_default();
            plan.refillable.push((array, key(fill)));
            for v in self.sites.reads_from_outside(fill) {
                self.require(v);
            }
        }
    }

    /// How many loops down from the body of loop `outer` `region` is.
    fn loop_depth(&self, mut region: usize, outer: usize) -> usize {
        let top = self.sites.loop_region[&outer];
        let mut depth = 0;
        while region != top && region != 0 {
            if let RegionKind::LoopBody(_) = self.sites.regions[region].kind {
                depth += 1;
            }
            region = self.sites.regions[region].parent;
        }
        depth
    }

    /// Whether `v`, defined directly in the loop body `region`, is cheap to recompute from
    /// values the reverse iteration has anyway.
    fn recomputable(&self, v: Var, region: usize) -> bool {
        let Some(op) = self.sites.def_op.get(&v) else {
            return false;
        };
        let cheap = self.sites.cheap(op)
            && match op {
                Op::Load { array, .. } => {
                    let pos = self.sites.position.get(&v).copied().unwrap_or(0);
                    self.sites.stable_after(*array, region, pos)
                        || self.copied_read(v, region).is_some()
                }
                _ => true,
            };
        cheap
            && op_vars(op).into_iter().all(|u| {
                let r = self.sites.def_region[u.0];
                if !self.sites.is_within(r, region) {
                    return true; // defined outside the loop: required further out
                }
                if r != region {
                    return false;
                }
                let RegionKind::LoopBody(k) = self.sites.regions[region].kind else {
                    return false;
                };
                self.sites.counters.get(&u) == Some(&k)
                    || self.induction(u, region).is_some()
                    || self.resumed(u, region).is_some_and(|r| r.is_ok())
                    || self
                        .analysis
                        .loops
                        .get(&k)
                        .is_some_and(|p| p.taped.contains(&u) || p.recomputed.contains(&u))
                    || self.recomputable(u, region)
            })
    }

    /// Plans a block; returns whether it contains adjoint work.
    fn block(&mut self, block: &Block, region: usize) -> bool {
        let mut any = false;
        for stmt in &block.stmts {
            any |= self.stmt(stmt, region);
        }
        any
    }

    fn stmt(&mut self, stmt: &Stmt, region: usize) -> bool {
        match stmt {
            Stmt::Let { var, op } => {
                if !self.analysis.active[var.0] {
                    return false;
                }
                match op {
                    Op::Prim {
                        rule,
                        floats,
                        others,
                        ..
                    } => {
                        let reads = contribution_reads(rule, floats.len(), others.len());
                        for (k, contribution) in reads.iter().enumerate() {
                            if !floats.get(k).is_some_and(|x| self.analysis.is_active(x)) {
                                continue;
                            }
                            for read in contribution {
                                match *read {
                                    RuleRead::Float(i) => {
                                        if let Some(x) = floats.get(i) {
                                            self.need(x);
                                        }
                                    }
                                    RuleRead::Other(i) => {
                                        if let Some(x) = others.get(i) {
                                            self.need(x);
                                        }
                                    }
                                    RuleRead::Out => self.require(*var),
                                }
                            }
                        }
                    }
                    Op::Call { args, replays, .. } => {
                        self.call_args(args, *var, region);
                        replays.iter().for_each(|r| self.require(r.state));
                    }
                    Op::Load { index, .. } => index.iter().for_each(|i| self.need(i)),
                    _ => {}
                }
                true
            }
            Stmt::CallArray {
                array,
                args,
                replays,
                shape,
                ..
            } => {
                if !self.analysis.active_array[array.0] {
                    return false;
                }
                self.require(*shape);
                self.require_final_len(*array);
                self.call_args(args, *shape, region);
                replays.iter().for_each(|r| self.require(r.state));
                true
            }
            Stmt::Store { array, index, .. } => {
                if !self.analysis.active_array[array.0] {
                    return false;
                }
                index.iter().for_each(|i| self.need(i));
                true
            }
            Stmt::Effect(_) => false,
            // The reverse gives the adjoint its length back.
            Stmt::Resize { array, prev, .. } => {
                if !self.analysis.active_array[array.0] {
                    return false;
                }
                self.require(*prev);
                true
            }
            Stmt::DeclareArray {
                array,
                vec_len,
                row_len,
                ..
            } => {
                if !self.analysis.active_array[array.0] {
                    return false;
                }
                for len in vec_len.iter().chain(row_len) {
                    self.need(len);
                }
                self.require_final_len(*array);
                true
            }
            Stmt::If {
                cond,
                then_block,
                else_block,
                phis,
            } => {
                let k = key(stmt);
                let (then_region, else_region) = self.sites.branch_regions[&k];
                let mut any = self.block(then_block, then_region);
                any |= self.block(else_block, else_region);
                any |= phis.iter().any(|p| self.analysis.active[p.var.0]);
                if any {
                    self.need(cond);
                }
                self.analysis.has_adjoint.insert(k, any);
                any
            }
            Stmt::Loop(l) => {
                let k = key(&**l);
                let body_region = self.sites.loop_region[&k];
                let mut any = self.block(&l.body, body_region);
                any |= l.carried.iter().any(|c| self.analysis.active[c.inner.0]);
                if any {
                    if let LoopKind::Counted { range, .. } = &l.kind {
                        self.need_range(range);
                    }
                    if let Some(t) = l.trips {
                        self.require(t);
                    }
                }
                self.analysis.has_adjoint.insert(k, any);
                any
            }
        }
    }

    /// The length a resizable vector declared in a block ends it with, which its adjoint
    /// starts the block's reverse with.
    fn require_final_len(&mut self, array: ArrayId) {
        if let Some(len) = self.sites.body.array(array).final_len {
            self.require(len);
        }
    }

    /// What a call's reverse reads: its arguments as the call saw them. `at` is the value the
    /// call defines (its position and span).
    fn call_args(&mut self, args: &[Arg], at: Var, region: usize) {
        let pos = self.sites.position.get(&at).copied().unwrap_or(0);
        for arg in args {
            match arg {
                Arg::Scalar(x) | Arg::Data { value: x, .. } => self.need(x),
                Arg::Record { fields, .. } => fields.iter().for_each(|(_, x)| self.need(x)),
                Arg::Array(a) => {
                    if let Some(row) = &a.row {
                        self.need(row);
                    }
                    if let Some((start, len)) = a.slice.as_deref() {
                        self.need(start);
                        self.need(len);
                    }
                    if !self.sites.in_scope(a.array)
                        || !self.sites.stable_after(a.array, region, pos)
                    {
                        // Written again later, or out of scope in the reverse
                        // sweep (declared in a branch or loop body): the
                        // call's reverse reads the snapshot taken when it ran.
                        if let Some(saved) = a.snapshot {
                            self.analysis.snapshots.insert(saved);
                            self.require(saved);
                            continue;
                        }
                        let name = &self.sites.body.array(a.array).written;
                        self.errors.at(
                                            self.sites.body.var(at).span,
                                            format!(
                                                "#[grad] cannot differentiate this call: the local array `{name}` passed to it is written again afterwards, and the call's gradient needs the values it saw; pass an array that is not modified after the call"
                                            ),
                                        );
                    }
                }
            }
        }
    }
}

/// The values an op reads.
pub fn op_vars(op: &Op) -> Vec<Var> {
    let mut out = Vec::new();
    op.visit_operands(&mut |o| out.extend(o.var()));
    out
}
