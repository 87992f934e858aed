//! Shrinks each failure class's reproducer: delete one statement (at any depth) or an unused
//! helper while the program stays a fair test and still fails the same way. All candidates
//! of one round are built as one crate.

use crate::ast::{Block, Expr, Function, Program, Stmt};
use crate::gen::{assigns, finalize, reads_expr, reads_stmt};
use crate::harness::{normalize, Case, Failure, Workspace};
use crate::{oracle, print, test_cases, Class};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// At most this many candidates per round (all reproducers together), to bound build times.
const MAX_BATCH: usize = 120;

pub fn shrink(
    ws: &Workspace,
    classes: &mut [Class],
    rounds: usize,
    budget: Duration,
    release: bool,
) -> Result<(), String> {
    let start = Instant::now();
    let per_class = (MAX_BATCH / classes.len().max(1)).max(8);
    for _ in 0..rounds {
        if start.elapsed() > budget {
            return Ok(());
        }
        let mut batch: Vec<(usize, Case)> = Vec::new();
        for (r, class) in classes.iter().enumerate() {
            let fair = candidates(&class.reproducer.program)
                .into_iter()
                .filter_map(|p| oracle::evaluate(&p).ok().map(|e| (p, e)));
            for (k, (program, expected)) in fair.take(per_class).enumerate() {
                let id = format!("s{r:03}_{k:03}");
                batch.push((
                    r,
                    Case {
                        id,
                        program,
                        expected,
                    },
                ));
            }
        }
        if batch.is_empty() {
            return Ok(());
        }
        let cases: Vec<&Case> = batch.iter().map(|(_, c)| c).collect();
        let failures = test_cases(ws, &cases, release)?;
        let mut improved = false;
        for (r, class) in classes.iter_mut().enumerate() {
            let size = |c: &Case| print::program_items(&c.program).len();
            // The same failure, and no compile error the reproducer did not have.
            let errors = headlines(&class.detail);
            let same = |f: &Failure| {
                f.kind == class.kind
                    && f.class == class.class
                    && headlines(&f.detail).is_subset(&errors)
            };
            let best = batch
                .iter()
                .zip(&failures)
                .filter(|((owner, _), f)| *owner == r && f.as_ref().is_some_and(same))
                .min_by_key(|((_, c), _)| size(c));
            if let Some(((_, case), Some(f))) = best {
                if size(case) < size(&class.reproducer) {
                    class.reproducer = case.clone();
                    class.detail = f.detail.clone();
                    improved = true;
                }
            }
        }
        if !improved {
            return Ok(());
        }
    }
    Ok(())
}

/// The distinct (normalized) error headlines of a compile-error text.
fn headlines(detail: &str) -> BTreeSet<String> {
    detail
        .lines()
        .filter(|l| l.starts_with("error"))
        .map(normalize)
        .collect()
}

/// Every program with one statement or one unused helper removed, or one compound
/// expression replaced by one of its operands.
fn candidates(p: &Program) -> Vec<Program> {
    let mut out = Vec::new();
    for h in 0..p.helpers.len() {
        let name = &p.helpers[h].name;
        let used = print::program_items(p).matches(&format!("{name}(")).count() > 1;
        if !used {
            let mut q = p.clone();
            q.helpers.remove(h);
            q.vjps.retain(|c| &c.helper != name);
            out.push(q);
        }
    }
    for f in 0..=p.helpers.len() {
        let mut n = 0;
        loop {
            let mut q = p.clone();
            let func = if f < q.helpers.len() {
                &mut q.helpers[f]
            } else {
                &mut q.main
            };
            let mut k = n;
            let Some(removed) = remove_nth(&mut func.body.stmts, &mut k) else {
                break;
            };
            n += 1;
            // The oracle only sees the paths it runs: check statically that no name lost
            // its only binding.
            if bound_names(&removed)
                .iter()
                .all(|name| !mentioned(func, name) || binds_anywhere(func, name))
            {
                finalize(func);
                out.push(q);
            }
        }
    }
    for f in 0..=p.helpers.len() {
        for n in 0.. {
            let mut q = p.clone();
            let func = if f < q.helpers.len() {
                &mut q.helpers[f]
            } else {
                &mut q.main
            };
            let mut exprs = Vec::new();
            exprs_mut(&mut func.body.stmts, &mut exprs);
            exprs.push(&mut func.body.tail);
            let mut k = n;
            if !exprs.into_iter().any(|e| simplify_nth(e, &mut k)) {
                break;
            }
            finalize(func);
            out.push(q);
        }
    }
    // Bigger deletions first: they shrink fastest.
    out.sort_by_key(|q| print::program_items(q).len());
    out
}

/// Removes the `n`-th statement in pre-order and returns it; `None` if there are fewer.
fn remove_nth(stmts: &mut Vec<Stmt>, n: &mut usize) -> Option<Stmt> {
    for k in 0..stmts.len() {
        if *n == 0 {
            return Some(stmts.remove(k));
        }
        *n -= 1;
        let children: Vec<&mut Vec<Stmt>> = match &mut stmts[k] {
            Stmt::If { then, els, .. } => std::iter::once(then).chain(els.as_mut()).collect(),
            Stmt::Match { arms, default, .. } => arms
                .iter_mut()
                .map(|(_, b)| b)
                .chain(std::iter::once(default))
                .collect(),
            Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => vec![body],
            _ => Vec::new(),
        };
        for c in children {
            if let Some(s) = remove_nth(c, n) {
                return Some(s);
            }
        }
    }
    None
}

/// The top-level expressions of statements, nested blocks included.
fn exprs_mut<'a>(stmts: &'a mut [Stmt], out: &mut Vec<&'a mut Expr>) {
    for s in stmts {
        match s {
            Stmt::Let { init: e, .. }
            | Stmt::Rebind { init: e, .. }
            | Stmt::Assign { value: e, .. }
            | Stmt::IndexAssign { value: e, .. }
            | Stmt::Return(e)
            | Stmt::LetClosure { body: e, .. } => out.push(e),
            Stmt::DestructTuple { values, .. } => out.extend(values.iter_mut()),
            Stmt::If { then, els, .. } => {
                exprs_mut(then, out);
                if let Some(e) = els {
                    exprs_mut(e, out);
                }
            }
            Stmt::Match { arms, default, .. } => {
                for (_, b) in arms {
                    exprs_mut(b, out);
                }
                exprs_mut(default, out);
            }
            Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => {
                exprs_mut(body, out)
            }
            _ => {}
        }
    }
}

/// Replaces the `n`-th option in pre-order, an operator node by one of its float operands;
/// false if there are fewer options (`n` is then reduced by their count).
fn simplify_nth(e: &mut Expr, n: &mut usize) -> bool {
    let plain = |b: &Block| b.stmts.is_empty().then(|| b.tail.clone());
    let options: Vec<Expr> = match e {
        Expr::Neg(a) | Expr::Un(_, a, _) | Expr::Powi(a, _) => vec![(**a).clone()],
        Expr::Bin(_, a, b) | Expr::Bin2(_, a, b, _) => vec![(**a).clone(), (**b).clone()],
        Expr::MulAdd(a, b, c) => vec![(**a).clone(), (**b).clone(), (**c).clone()],
        Expr::If(_, t, f) => [plain(t), plain(f)].into_iter().flatten().collect(),
        Expr::Match(_, _, d) => plain(d).into_iter().collect(),
        _ => Vec::new(),
    };
    if *n < options.len() {
        *e = options[*n].clone();
        return true;
    }
    *n -= options.len();
    match e {
        Expr::Neg(a) | Expr::Un(_, a, _) | Expr::Powi(a, _) => simplify_nth(a, n),
        Expr::Bin(_, a, b) | Expr::Bin2(_, a, b, _) => simplify_nth(a, n) || simplify_nth(b, n),
        Expr::MulAdd(a, b, c) => simplify_nth(a, n) || simplify_nth(b, n) || simplify_nth(c, n),
        Expr::ArrayLit(items, _) => items.iter_mut().any(|e| simplify_nth(e, n)),
        Expr::MapArray { body, .. } | Expr::FromFn { body, .. } => simplify_nth(body, n),
        _ => false,
    }
}

/// The names a statement binds for the statements after it.
fn bound_names(s: &Stmt) -> Vec<String> {
    match s {
        Stmt::Let { name, .. }
        | Stmt::LetInt { name, .. }
        | Stmt::LocalArray { name, .. }
        | Stmt::ArrayCopy { name, .. }
        | Stmt::LetClosure { name, .. }
        | Stmt::Rebind { name, .. }
        | Stmt::Alias { name, .. } => vec![name.trim_start_matches('_').to_string()],
        Stmt::DestructArray { names, .. } | Stmt::DestructTuple { names, .. } => names
            .iter()
            .map(|n| n.trim_start_matches('_').to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the function still reads or writes `name`.
fn mentioned(f: &Function, name: &str) -> bool {
    fn writes(s: &Stmt, name: &str) -> bool {
        let any = |b: &[Stmt]| b.iter().any(|s| writes(s, name));
        match s {
            Stmt::IncInt { name: n } => n == name,
            Stmt::If { then, els, .. } => any(then) || els.as_deref().is_some_and(any),
            Stmt::Match { arms, default, .. } => arms.iter().any(|(_, b)| any(b)) || any(default),
            Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => any(body),
            _ => false,
        }
    }
    f.body
        .stmts
        .iter()
        .any(|s| reads_stmt(s, name) || assigns(s, name) || writes(s, name))
        || reads_expr(&f.body.tail, name)
}

/// Whether `name` is still a parameter or bound by some statement (shadowing reuses names).
fn binds_anywhere(f: &Function, name: &str) -> bool {
    fn any(stmts: &[Stmt], name: &str) -> bool {
        stmts.iter().any(|s| {
            bound_names(s).iter().any(|n| n == name)
                || match s {
                    Stmt::If { then, els, .. } => {
                        any(then, name) || els.as_deref().is_some_and(|e| any(e, name))
                    }
                    Stmt::Match { arms, default, .. } => {
                        arms.iter().any(|(_, b)| any(b, name)) || any(default, name)
                    }
                    Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => {
                        any(body, name)
                    }
                    _ => false,
                }
        })
    }
    f.params.iter().any(|p| p.name == name) || any(&f.body.stmts, name)
}
