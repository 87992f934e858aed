//! Shrinks each failure class's reproducer: delete one statement (at any depth) or an unused
//! helper while the program stays a fair test and still fails the same way. All candidates
//! of one round are built as one crate.

use crate::ast::{Function, Program, Stmt};
use crate::gen::{assigns, finalize, reads_expr, reads_stmt};
use crate::harness::{normalize, Case, Failure, Workspace};
use crate::{oracle, print, test_cases, Class};
use std::collections::BTreeSet;

/// At most this many candidates per reproducer and round, to bound build times.
const MAX_CANDIDATES: usize = 60;

pub fn shrink(
    ws: &Workspace,
    classes: &mut [Class],
    rounds: usize,
    release: bool,
) -> Result<(), String> {
    for _ in 0..rounds {
        let mut batch: Vec<(usize, Case)> = Vec::new();
        for (r, class) in classes.iter().enumerate() {
            for (k, program) in candidates(&class.reproducer.program)
                .into_iter()
                .enumerate()
            {
                if k >= MAX_CANDIDATES {
                    break;
                }
                if let Ok((value, gradient)) = oracle::evaluate(&program) {
                    batch.push((
                        r,
                        Case {
                            id: format!("s{r:03}_{k:03}"),
                            program,
                            value,
                            gradient,
                        },
                    ));
                }
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

/// Every program with one statement or one unused helper removed.
fn candidates(p: &Program) -> Vec<Program> {
    let mut out = Vec::new();
    for h in 0..p.helpers.len() {
        let name = &p.helpers[h].name;
        let used = print::program_items(p).matches(&format!("{name}(")).count() > 1;
        if !used {
            let mut q = p.clone();
            q.helpers.remove(h);
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

/// The names a statement binds for the statements after it.
fn bound_names(s: &Stmt) -> Vec<String> {
    match s {
        Stmt::Let { name, .. }
        | Stmt::LetInt { name, .. }
        | Stmt::LocalArray { name, .. }
        | Stmt::ArrayCopy { name, .. }
        | Stmt::LetClosure { name, .. } => vec![name.trim_start_matches('_').to_string()],
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
            Stmt::IncInt { name: n } | Stmt::IndexAssign { name: n, .. } => n == name,
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
