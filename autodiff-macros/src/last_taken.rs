//! Running choices: a loop-carried float that each iteration keeps or replaces by a value
//! computed from the iteration's counter (`m = m.max(x[i])`, `if x[i] < best { best = x[i] }`).
//!
//! After the loop such a value is the one taken last (or its start), so its derivative reaches
//! that one alone. The loop keeps the counter of the iteration that took it last, and the value
//! is computed again from that counter after the loop: the reverse sweep then tapes no running
//! value and no decision per iteration, and runs no reverse loop for them, as a careful
//! hand-written gradient of a max does. Rewrites the IR after lowering, before the analysis.

use std::collections::BTreeSet;

use crate::ir::*;

/// Rewrites every running choice of `body`'s loops.
pub fn rewrite(body: &mut Body) {
    let mut names: Namespace = body.vars.iter().map(|v| v.name.clone()).collect();
    names.extend(body.arrays.iter().map(|a| a.name.clone()));
    let mut cx = Rewrite {
        vars: &mut body.vars,
        names,
    };
    cx.block(&mut body.block);
}

/// How an iteration decides to take the new value.
enum Taking {
    /// `next = carried.max(value)` or `value.max(carried)` (or `min`): taken when the result
    /// differs from the running value; a tie follows the first argument, as the `max`/`min`
    /// rule does (kept, or taken when `value` is first: `tie` holds it then).
    Extremum { next: Var, tie: Option<Var> },
    /// `next = if cond { value } else { carried }` (or the other way round).
    Branch { cond: Operand, when: bool },
}

/// A carried float that a loop only keeps or replaces.
struct Choice {
    /// Index into the loop's carried values.
    carried: usize,
    taking: Taking,
    /// The statements computing the value taken, in order, from the counter and values
    /// defined before the loop.
    chain: Vec<(Var, Op)>,
    value: Var,
}

struct Rewrite<'a> {
    vars: &'a mut Vec<VarInfo>,
    names: Namespace,
}

impl Rewrite<'_> {
    fn block(&mut self, block: &mut Block) {
        let mut p = 0;
        while p < block.stmts.len() {
            for nested in nested_blocks_mut(&mut block.stmts[p]) {
                self.block(nested);
            }
            let mut after = Vec::new();
            if let Stmt::Loop(l) = &mut block.stmts[p] {
                for carried in 0..l.carried.len() {
                    if let Some(choice) = choice(l, carried, self.vars) {
                        after.extend(self.keep_last(l, choice));
                    }
                }
            }
            let added = after.len();
            block.stmts.splice(p + 1..p + 1, after);
            p += 1 + added;
        }
    }

    /// A new value named after `like` (`mx_at` after `mx_5`).
    fn new_var(&mut self, like: Var, suffix: &str, ty: Ty) -> Var {
        let info = &self.vars[like.0];
        let name = format!("{}_{suffix}", user_base(&info.name));
        let (varied, span) = (info.varied && ty == Ty::Float, info.span);
        let name = self.names.fresh(&name);
        self.vars.push(VarInfo::new(name, ty, varied, span));
        Var(self.vars.len() - 1)
    }

    /// Makes the loop keep the counter of the iteration that took the value last, and returns
    /// the statements after the loop that compute the value again from it (bound to the
    /// carried value's old `out`, so that every later read sees it).
    fn keep_last(&mut self, l: &mut Loop, choice: Choice) -> Vec<Stmt> {
        let LoopKind::Counted { counter, range } = &l.kind else {
            unreachable!("`choice` takes counted loops only")
        };
        // The counter of `a..b` never reaches `b`, whatever the adaptors: that end stands for
        // "none taken", so the loop carries the counter alone, without a flag beside it.
        let none_taken = (!range.inclusive).then(|| range.end.clone());
        let (counter, start) = (*counter, range.start.clone());
        let (inner, init, out) = {
            let c = &l.carried[choice.carried];
            (c.inner, c.init.clone(), c.out)
        };
        // Whether this iteration takes the value.
        let taken_now = match choice.taking {
            Taking::Extremum { next, tie } => {
                let changed = self.new_var(inner, "changed", Ty::Bool);
                l.body.stmts.push(Stmt::Let {
                    var: changed,
                    op: Op::Binary(BinOp::Ne, Operand::Var(next), Operand::Var(inner)),
                });
                match tie {
                    None => Operand::Var(changed),
                    Some(value) => {
                        let equal = self.new_var(inner, "tied", Ty::Bool);
                        let taken = self.new_var(inner, "takes", Ty::Bool);
                        l.body.stmts.extend([
                            Stmt::Let {
                                var: equal,
                                op: Op::Binary(BinOp::Eq, Operand::Var(value), Operand::Var(inner)),
                            },
                            Stmt::Let {
                                var: taken,
                                op: Op::Binary(
                                    BinOp::Or,
                                    Operand::Var(changed),
                                    Operand::Var(equal),
                                ),
                            },
                        ]);
                        Operand::Var(taken)
                    }
                }
            }
            Taking::Branch { cond, when: true } => cond,
            Taking::Branch { cond, when: false } => {
                let t = self.new_var(inner, "kept", Ty::Bool);
                l.body.stmts.push(Stmt::Let {
                    var: t,
                    op: Op::Unary(UnOp::Not, cond),
                });
                Operand::Var(t)
            }
        };
        let (at_inner, at_next, at_out) = (
            self.new_var(inner, "at", Ty::Int),
            self.new_var(inner, "at", Ty::Int),
            self.new_var(inner, "at", Ty::Int),
        );
        let mut phis = vec![Phi {
            var: at_next,
            then_value: Operand::Var(counter),
            else_value: Operand::Var(at_inner),
        }];
        let mut carried = vec![Carried {
            inner: at_inner,
            init: none_taken.clone().unwrap_or(start),
            next: Operand::Var(at_next),
            out: at_out,
        }];
        let mut after = Vec::new();
        let any_out = self.new_var(inner, "taken", Ty::Bool);
        match none_taken {
            Some(end) => after.push(Stmt::Let {
                var: any_out,
                op: Op::Binary(BinOp::Ne, Operand::Var(at_out), end),
            }),
            None => {
                let (any_inner, any_next) = (
                    self.new_var(inner, "taken", Ty::Bool),
                    self.new_var(inner, "taken", Ty::Bool),
                );
                phis.push(Phi {
                    var: any_next,
                    then_value: bool_lit(true),
                    else_value: Operand::Var(any_inner),
                });
                carried.push(Carried {
                    inner: any_inner,
                    init: bool_lit(false),
                    next: Operand::Var(any_next),
                    out: any_out,
                });
            }
        }
        l.body.stmts.push(Stmt::If {
            cond: taken_now,
            then_block: Block::default(),
            else_block: Block::default(),
            phis,
        });
        // The running value itself is still computed (the decisions read it), but nothing
        // after the loop reads it: its derivative is no longer wanted.
        let running = self.new_var(out, "running", Ty::Float);
        l.carried[choice.carried].out = running;
        l.carried.extend(carried);
        // The value taken last, computed again at that counter.
        let mut renamed: Vec<(Var, Var)> = vec![(counter, at_out)];
        let mut again = Vec::new();
        for (var, op) in &choice.chain {
            let copy = self.new_var(*var, "last", self.vars[var.0].ty);
            again.push(Stmt::Let {
                var: copy,
                op: substituted(op, &renamed),
            });
            renamed.push((*var, copy));
        }
        let value = renamed
            .iter()
            .find(|(v, _)| *v == choice.value)
            .map_or(Operand::Var(choice.value), |(_, copy)| Operand::Var(*copy));
        after.push(Stmt::If {
            cond: Operand::Var(any_out),
            then_block: Block { stmts: again },
            else_block: Block::default(),
            phis: vec![Phi {
                var: out,
                then_value: value,
                else_value: init,
            }],
        });
        after
    }
}

/// The running choice of the loop's `carried`th value, if it is one: a float of a counted loop
/// without early exit, whose running value the body reads only to take or keep it and to
/// compare it, replaced by a value computed from the counter alone.
fn choice(l: &Loop, carried: usize, vars: &[VarInfo]) -> Option<Choice> {
    let LoopKind::Counted { counter, .. } = &l.kind else {
        return None;
    };
    if l.exit.is_some() || l.checkpoint.is_some() || l.trips.is_some() {
        return None;
    }
    let c = &l.carried[carried];
    if vars[c.inner.0].ty != Ty::Float || !vars[c.out.0].varied {
        return None;
    }
    let next = c.next.var()?;
    let mut found = None;
    for stmt in &l.body.stmts {
        match stmt {
            Stmt::Let {
                var,
                op: Op::Prim { rule, floats, .. },
            } if *var == next && matches!(rule.name, "max" | "min") => {
                let (value, tie) = match floats.as_slice() {
                    [Operand::Var(a), Operand::Var(b)] if *a == c.inner && *b != c.inner => {
                        (*b, None)
                    }
                    [Operand::Var(a), Operand::Var(b)] if *b == c.inner && *a != c.inner => {
                        (*a, Some(*a))
                    }
                    _ => return None,
                };
                found = Some((Taking::Extremum { next, tie }, value));
            }
            Stmt::If { cond, phis, .. } => {
                if let Some(p) = phis.iter().find(|p| p.var == next) {
                    let (value, when) = match (&p.then_value, &p.else_value) {
                        (Operand::Var(v), Operand::Var(k)) if *k == c.inner && *v != c.inner => {
                            (*v, true)
                        }
                        (Operand::Var(k), Operand::Var(v)) if *k == c.inner && *v != c.inner => {
                            (*v, false)
                        }
                        _ => return None,
                    };
                    let taking = Taking::Branch {
                        cond: cond.clone(),
                        when,
                    };
                    found = Some((taking, value));
                }
            }
            _ => {}
        }
    }
    let (taking, value) = found?;
    // The running value is read only by the choice and by comparisons.
    let mut reads = 0;
    let mut allowed = 1;
    l.body
        .visit_operands(&mut |o| reads += usize::from(o.var() == Some(c.inner)));
    for other in &l.carried {
        reads += usize::from(other.next.var() == Some(c.inner));
    }
    l.body.for_each_stmt(&mut |s| {
        if let Stmt::Let {
            op: Op::Binary(op, a, b),
            ..
        } = s
        {
            if op.is_comparison() {
                allowed += usize::from(a.var() == Some(c.inner));
                allowed += usize::from(b.var() == Some(c.inner));
            }
        }
    });
    if reads != allowed {
        return None;
    }
    let chain = chain(l, *counter, value)?;
    Some(Choice {
        carried,
        taking,
        chain,
        value,
    })
}

/// The statements of `l`'s body that compute `value` from the counter and values defined
/// before the loop, reading no array the loop writes, in order; `None` if it is computed
/// otherwise (from a carried value, a call, an opaque expression).
fn chain(l: &Loop, counter: Var, value: Var) -> Option<Vec<(Var, Op)>> {
    let mut defined: BTreeSet<Var> = l.carried.iter().map(|c| c.inner).collect();
    let mut ops: Vec<(Var, Op)> = Vec::new();
    let mut written = BTreeSet::new();
    l.body.for_each_stmt(&mut |s| match s {
        Stmt::Let { var, op } => {
            defined.insert(*var);
            ops.push((*var, op.clone()));
        }
        Stmt::If { phis, .. } => defined.extend(phis.iter().map(|p| p.var)),
        Stmt::Loop(inner) => {
            defined.extend(inner.carried.iter().flat_map(|c| [c.inner, c.out]));
            defined.extend(inner.trips);
            if let LoopKind::Counted { counter, .. } = &inner.kind {
                defined.insert(*counter);
            }
        }
        Stmt::Store { array, .. }
        | Stmt::Resize { array, .. }
        | Stmt::CallArray { array, .. }
        | Stmt::DeclareArray { array, .. } => {
            written.insert(*array);
        }
        Stmt::Effect(_) => {}
    });
    let mut needed = vec![value];
    let mut chain: Vec<(Var, Op)> = Vec::new();
    while let Some(v) = needed.pop() {
        if v == counter || chain.iter().any(|(u, _)| *u == v) {
            continue;
        }
        let (_, op) = ops.iter().find(|(u, _)| *u == v)?;
        let pure = match op {
            Op::Load { array, .. } => !written.contains(array),
            Op::Copy(_)
            | Op::Unary(..)
            | Op::Binary(..)
            | Op::Cast(..)
            | Op::NumCast(..)
            | Op::IntMethod { .. }
            | Op::Prim { .. } => true,
            Op::Call { .. } | Op::Len { .. } | Op::Opaque(_) | Op::Snapshot { .. } => false,
        };
        if !pure {
            return None;
        }
        for u in crate::activity::op_vars(op) {
            if u != counter && defined.contains(&u) {
                needed.push(u);
            }
        }
        chain.push((v, op.clone()));
    }
    // Each statement after the ones it reads: in the body's order.
    chain.sort_by_key(|(v, _)| ops.iter().position(|(u, _)| u == v));
    Some(chain)
}

/// `op` reading `to` wherever it read `from`, for each pair.
fn substituted(op: &Op, renamed: &[(Var, Var)]) -> Op {
    let r = |o: &Operand| match o
        .var()
        .and_then(|v| renamed.iter().find(|(from, _)| *from == v))
    {
        Some((_, to)) => Operand::Var(*to),
        None => o.clone(),
    };
    match op {
        Op::Copy(x) => Op::Copy(r(x)),
        Op::Unary(u, x) => Op::Unary(*u, r(x)),
        Op::Binary(b, x, y) => Op::Binary(*b, r(x), r(y)),
        Op::Cast(x, ty) => Op::Cast(r(x), ty.clone()),
        Op::NumCast(path, x) => Op::NumCast(path.clone(), r(x)),
        Op::IntMethod {
            name,
            receiver,
            args,
        } => Op::IntMethod {
            name: name.clone(),
            receiver: r(receiver),
            args: args.iter().map(r).collect(),
        },
        Op::Prim {
            rule,
            floats,
            others,
            owner,
        } => Op::Prim {
            rule,
            floats: floats.iter().map(r).collect(),
            others: others.iter().map(r).collect(),
            owner: owner.clone(),
        },
        Op::Load { array, index } => Op::Load {
            array: *array,
            index: index.iter().map(r).collect(),
        },
        Op::Call { .. } | Op::Len { .. } | Op::Opaque(_) | Op::Snapshot { .. } => {
            unreachable!("`chain` takes none")
        }
    }
}

fn nested_blocks_mut(stmt: &mut Stmt) -> Vec<&mut Block> {
    match stmt {
        Stmt::If {
            then_block,
            else_block,
            ..
        } => vec![then_block, else_block],
        Stmt::Loop(l) => match &mut l.kind {
            LoopKind::While { header, .. } => vec![header, &mut l.body],
            LoopKind::Counted { .. } => vec![&mut l.body],
        },
        _ => Vec::new(),
    }
}

/// A generated name without its numbering: `mx` for `mx_7`.
fn user_base(name: &str) -> &str {
    match name.rsplit_once('_') {
        Some((base, n)) if !base.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => name,
    }
}

fn bool_lit(value: bool) -> Operand {
    Operand::Lit(syn::Lit::Bool(syn::LitBool::new(
        value,
        proc_macro2::Span::call_site(),
    )))
}
