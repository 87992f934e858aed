//! Shrinks each failure class's reproducer: delete one statement (at any depth) or an unused
//! helper while the program stays a fair test and still fails the same way. All candidates
//! of one round are built as one crate.

use crate::ast::{Program, Stmt};
use crate::gen::finalize;
use crate::harness::{normalize, Case, Failure, Workspace};
use std::collections::BTreeSet;
use crate::{oracle, print, test_cases, Class};

/// At most this many candidates per reproducer and round, to bound build times.
const MAX_CANDIDATES: usize = 60;

pub fn shrink(ws: &Workspace, classes: &mut [Class], rounds: usize, release: bool) -> Result<(), String> {
    for _ in 0..rounds {
        let mut batch: Vec<(usize, Case)> = Vec::new();
        for (r, class) in classes.iter().enumerate() {
            for (k, program) in candidates(&class.reproducer.program).into_iter().enumerate() {
                if k >= MAX_CANDIDATES {
                    break;
                }
                if let Ok((value, gradient)) = oracle::evaluate(&program) {
                    batch.push((r, Case { id: format!("s{r:03}_{k:03}"), program, value, gradient }));
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
            let same = |f: &Failure| f.kind == class.kind && f.class == class.class && headlines(&f.detail).is_subset(&errors);
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
    detail.lines().filter(|l| l.starts_with("error")).map(normalize).collect()
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
            let func = if f < q.helpers.len() { &mut q.helpers[f] } else { &mut q.main };
            let mut k = n;
            if !remove_nth(&mut func.body.stmts, &mut k) {
                break;
            }
            finalize(func);
            out.push(q);
            n += 1;
        }
    }
    // Bigger deletions first: they shrink fastest.
    out.sort_by_key(|q| print::program_items(q).len());
    out
}

/// Removes the `n`-th statement in pre-order; false if there are fewer.
fn remove_nth(stmts: &mut Vec<Stmt>, n: &mut usize) -> bool {
    for k in 0..stmts.len() {
        if *n == 0 {
            stmts.remove(k);
            return true;
        }
        *n -= 1;
        let children: Vec<&mut Vec<Stmt>> = match &mut stmts[k] {
            Stmt::If { then, els, .. } => std::iter::once(then).chain(els.as_mut()).collect(),
            Stmt::Match { arms, default, .. } => arms.iter_mut().map(|(_, b)| b).chain(std::iter::once(default)).collect(),
            Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => vec![body],
            _ => Vec::new(),
        };
        for c in children {
            if remove_nth(c, n) {
                return true;
            }
        }
    }
    false
}
