//! Parameter arrays each of whose elements gets at most one contribution to its adjoint:
//! every read of the array is in one counted loop at the top level, at `c * i + k` of the
//! loop's counter `i` with one `c` and a different `k mod c` per read (`x[2 * i]` and
//! `x[2 * i + 1]` in a sum over pairs, `x[i]` in a sum over elements), and the array is lent
//! to no call. `NAME_grad` starts their accumulators at zero, so the reverse sweep can write
//! the contribution (`SliceShadow::add_only_at`) instead of loading a zero and adding to it.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::ir::*;

/// Where an array's reads are: the position of their loop in the body, and each read's
/// `(c, k)`.
type Reads = (usize, Vec<(usize, usize)>);

/// The indices (in the signature) of the parameters whose shadows get one contribution per
/// element.
pub fn params(body: &Body) -> HashSet<usize> {
    // The integer arithmetic indices are made of.
    let mut defs: HashMap<Var, Op> = HashMap::new();
    body.block.for_each_stmt(&mut |s| {
        if let Stmt::Let {
            var,
            op: op @ (Op::Copy(_) | Op::Binary(..)),
        } = s
        {
            defs.insert(*var, op.clone());
        }
    });
    // Per parameter array: the loop its reads are in and their `(c, k)`, or `None` once a
    // read disqualifies it.
    let mut reads: HashMap<ArrayId, Option<Reads>> = HashMap::new();
    for (p, stmt) in body.block.stmts.iter().enumerate() {
        let mut found = Vec::new();
        let counter = match stmt {
            Stmt::Loop(l) => match &l.kind {
                LoopKind::Counted { counter, .. } => {
                    loads(&l.body, false, &mut found);
                    Some(*counter)
                }
                LoopKind::While { .. } => {
                    stmt_loads(stmt, true, &mut found);
                    None
                }
            },
            // Outside a loop: perhaps at an index a loop reads too.
            _ => {
                stmt_loads(stmt, true, &mut found);
                None
            }
        };
        for (array, index, nested) in found {
            let ck = match (counter, nested, index) {
                (Some(i), false, [x]) => affine(x, i, &defs, 0),
                _ => None,
            };
            let entry = reads.entry(array).or_insert(Some((p, Vec::new())));
            match (entry.as_mut(), ck) {
                (Some((q, ks)), Some(ck)) if *q == p => ks.push(ck),
                _ => *entry = None,
            }
        }
    }
    // Lent to a call: the callee adds into the shadow.
    body.block.for_each_stmt(&mut |s| {
        let args = match s {
            Stmt::Let {
                op: Op::Call { args, .. },
                ..
            }
            | Stmt::CallArray { args, .. } => args,
            _ => return,
        };
        for arg in args {
            if let Arg::Array(a) = arg {
                reads.insert(a.array, None);
            }
        }
    });
    reads
        .into_iter()
        .filter_map(|(array, found)| {
            let (_, ks) = found?;
            let ArrayOrigin::Param(i) = body.array(array).origin else {
                return None;
            };
            let c = ks.first()?.0;
            let residues: BTreeSet<usize> = ks.iter().map(|(_, k)| k % c.max(1)).collect();
            let one_stride = ks.iter().all(|(c2, _)| *c2 == c);
            (body.array(array).dims == 1 && one_stride && residues.len() == ks.len()).then_some(i)
        })
        .collect()
}

/// The loads of `block` (its branches too): array, index, and whether a nested loop holds
/// it.
fn loads<'a>(block: &'a Block, nested: bool, out: &mut Vec<(ArrayId, &'a [Operand], bool)>) {
    for stmt in &block.stmts {
        stmt_loads(stmt, nested, out);
    }
}

fn stmt_loads<'a>(stmt: &'a Stmt, nested: bool, out: &mut Vec<(ArrayId, &'a [Operand], bool)>) {
    match stmt {
        Stmt::Let {
            op: Op::Load { array, index },
            ..
        } => out.push((*array, index, nested)),
        Stmt::If {
            then_block,
            else_block,
            ..
        } => {
            loads(then_block, nested, out);
            loads(else_block, nested, out);
        }
        Stmt::Loop(l) => {
            if let LoopKind::While { header, .. } = &l.kind {
                loads(header, true, out);
            }
            loads(&l.body, true, out);
        }
        _ => {}
    }
}

/// `x` as `c * counter + k` with literal `c >= 1` and `k >= 0`.
fn affine(
    x: &Operand,
    counter: Var,
    defs: &HashMap<Var, Op>,
    depth: usize,
) -> Option<(usize, usize)> {
    let literal = |x: &Operand| match x {
        Operand::Lit(syn::Lit::Int(i)) => i.base10_parse::<usize>().ok(),
        _ => None,
    };
    if depth > 8 {
        return None;
    }
    let v = x.var()?;
    if v == counter {
        return Some((1, 0));
    }
    match defs.get(&v)? {
        Op::Copy(y) => affine(y, counter, defs, depth + 1),
        Op::Binary(BinOp::Mul, a, b) => {
            let (m, y) = match (literal(a), literal(b)) {
                (Some(m), None) => (m, b),
                (None, Some(m)) => (m, a),
                _ => return None,
            };
            let (c, k) = affine(y, counter, defs, depth + 1)?;
            (m >= 1).then(|| (c * m, k * m))
        }
        Op::Binary(BinOp::Add, a, b) => {
            let (n, y) = match (literal(a), literal(b)) {
                (Some(n), None) => (n, b),
                (None, Some(n)) => (n, a),
                _ => return None,
            };
            let (c, k) = affine(y, counter, defs, depth + 1)?;
            Some((c, k + n))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    /// How many contributions of the expansion of `source` are written once.
    fn writes_once(source: &str) -> usize {
        let item: syn::ItemFn = syn::parse_str(source).expect("a function");
        let expanded = crate::emit::expand(Default::default(), item).to_string();
        expanded.matches("add_only_at").count()
    }

    #[test]
    fn one_contribution_per_element_is_written() {
        let pairs = "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() / 2 { s += x[2 * i] * x[2 * i + 1]; } s }";
        assert_eq!(writes_once(pairs), 2);
        let triples = "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in (0..x.len() / 3).rev() { s += x[3 * i + 2] - x[1 + 3 * i]; } s }";
        assert_eq!(writes_once(triples), 2);
        let branch = "fn f(x: &[f64], c: f64) -> f64 { let mut s = 0.0; for i in 0..x.len() { if c > 0.0 { s += x[i]; } } s }";
        assert_eq!(writes_once(branch), 1);
    }

    #[test]
    fn elements_that_may_get_two_contributions_are_added() {
        for source in [
            // Neighbours, two strides, strides that meet.
            "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() - 1 { s += x[i + 1] * x[i]; } s }",
            "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() / 2 { s += x[i] * x[2 * i].sin(); } s }",
            "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() / 2 { s += x[2 * i] * x[2 * i + 2]; } s }",
            // Two loops, a read outside the loop, a nested loop, a `while`, a call.
            "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i]; } for i in 0..x.len() { s += x[i].sin(); } s }",
            "fn f(x: &[f64]) -> f64 { let mut s = x[0]; for i in 0..x.len() { s += x[i].sin(); } s }",
            "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { for _ in 0..2 { s += x[i]; } } s }",
            "fn f(x: &[f64]) -> f64 { let mut s = 0.0; let mut i = 0; while i < x.len() { s += x[i]; i += 1; } s }",
            "fn f(x: &[f64]) -> f64 { let mut s = g(x); for i in 0..x.len() { s += x[i]; } s }",
        ] {
            assert_eq!(writes_once(source), 0, "{source}");
        }
    }
}
