//! What a generated program reads and assigns, and [`finalize`], which names the bindings
//! nothing reads `_name`.

use crate::ast::*;

/// Whether a `return` or `break` is inside.
pub(super) fn exits(s: &Stmt) -> bool {
    let any = |b: &[Stmt]| b.iter().any(exits);
    match s {
        Stmt::Return(_) | Stmt::Break | Stmt::Fail { .. } => true,
        Stmt::If { then, els, .. } => any(then) || els.as_deref().is_some_and(any),
        Stmt::Match { arms, default, .. } => arms.iter().any(|(_, b)| any(b)) || any(default),
        Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => any(body),
        _ => false,
    }
}

/// Whether the places `a` and `b` overlap: the same name, or one a field path inside the
/// other (reading `m.w` reads `m`; passing `&m.inner` on reads `m.inner.b`).
pub(super) fn overlaps(a: &str, b: &str) -> bool {
    let inside = |x: &str, y: &str| x.strip_prefix(y).is_some_and(|rest| rest.starts_with('.'));
    a == b || inside(a, b) || inside(b, a)
}

fn reads_iexpr(e: &IExpr, name: &str) -> bool {
    match e {
        IExpr::Lit(_) => false,
        IExpr::Var(n) | IExpr::Len(n) => overlaps(n, name),
        IExpr::Add(a, b) | IExpr::Sub(a, b) | IExpr::Mul(a, b) | IExpr::Rem(a, b) => {
            reads_iexpr(a, name) || reads_iexpr(b, name)
        }
    }
}

fn reads_cond(c: &Cond, name: &str) -> bool {
    match c {
        Cond::Cmp(_, a, b) => reads_expr(a, name) || reads_expr(b, name),
        Cond::ICmp(_, a, b) => reads_iexpr(a, name) || reads_iexpr(b, name),
        Cond::And(a, b) | Cond::Or(a, b) => reads_cond(a, name) || reads_cond(b, name),
    }
}

fn reads_block(b: &Block, name: &str) -> bool {
    b.stmts.iter().any(|s| reads_stmt(s, name)) || reads_expr(&b.tail, name)
}

pub(crate) fn reads_expr(e: &Expr, name: &str) -> bool {
    match e {
        Expr::Lit(..) => false,
        Expr::Var(n) | Expr::Deref(n) => overlaps(n, name),
        Expr::Index(n, i) => overlaps(n, name) || reads_iexpr(i, name),
        Expr::Index2(n, i, j) => overlaps(n, name) || reads_iexpr(i, name) || reads_iexpr(j, name),
        Expr::Cast(i) => reads_iexpr(i, name),
        Expr::Neg(a) | Expr::Un(_, a, _) | Expr::Powi(a, _) => reads_expr(a, name),
        Expr::Bin(_, a, b) | Expr::Bin2(_, a, b, _) => reads_expr(a, name) || reads_expr(b, name),
        Expr::MulAdd(a, b, c) => reads_expr(a, name) || reads_expr(b, name) || reads_expr(c, name),
        Expr::If(c, a, b) => reads_cond(c, name) || reads_block(a, name) || reads_block(b, name),
        Expr::Match(s, arms, d) => {
            reads_iexpr(s, name)
                || arms.iter().any(|(_, b)| reads_block(b, name))
                || reads_block(d, name)
        }
        Expr::Call(_, args) => args.iter().any(|a| match a {
            Arg::Scalar(e) | Arg::Ref(e) => reads_expr(e, name),
            Arg::Array { name: n, .. } => overlaps(n, name),
            Arg::Row(n, i) => overlaps(n, name) || reads_iexpr(i, name),
            Arg::Int(i) => reads_iexpr(i, name),
        }),
        Expr::Try(call, _) => reads_expr(call, name),
        Expr::ClosureCall(n, args) => n == name || args.iter().any(|a| reads_expr(a, name)),
        Expr::ArrayLit(items, _) => items.iter().any(|e| reads_expr(e, name)),
        Expr::MapArray { src, body, .. } => overlaps(src, name) || reads_expr(body, name),
        Expr::FromFn { body, .. } => reads_expr(body, name),
        Expr::Chain(c) => match c {
            Chain::MapSum { src, body, .. }
            | Chain::WindowsSum { src, body, .. }
            | Chain::Product { src, body, .. } => overlaps(src, name) || reads_expr(body, name),
            Chain::ZipSum { a, b, body, .. } => {
                overlaps(a, name) || overlaps(b, name) || reads_expr(body, name)
            }
            Chain::EnumFold {
                src, init, body, ..
            } => overlaps(src, name) || reads_expr(init, name) || reads_expr(body, name),
            Chain::Sum { src } => overlaps(src, name),
        },
    }
}

/// Whether the statement reads `name` (writing `name = ..` or `name[i] = ..` is not a read).
pub(crate) fn reads_stmt(s: &Stmt, name: &str) -> bool {
    let any = |b: &[Stmt]| b.iter().any(|s| reads_stmt(s, name));
    match s {
        Stmt::Let { init, .. } | Stmt::Rebind { init, .. } => reads_expr(init, name),
        Stmt::LetInt { init, .. } => reads_iexpr(init, name),
        Stmt::Assign { value, .. } => reads_expr(value, name),
        Stmt::IncInt { .. } | Stmt::LocalArray { .. } | Stmt::Break | Stmt::Continue => false,
        Stmt::IndexAssign { idx, value, .. } => reads_iexpr(idx, name) || reads_expr(value, name),
        Stmt::ArrayCopy { src, .. } | Stmt::DestructArray { src, .. } | Stmt::Alias { src, .. } => {
            overlaps(src, name)
        }
        Stmt::If { cond, then, els } => {
            reads_cond(cond, name) || any(then) || els.as_deref().is_some_and(any)
        }
        Stmt::Match {
            scrut,
            arms,
            default,
            ..
        } => reads_iexpr(scrut, name) || arms.iter().any(|(_, b)| any(b)) || any(default),
        Stmt::For { iter, body, .. } => {
            let head = match iter {
                ForIter::Range { lo, hi, .. } => reads_iexpr(lo, name) || reads_iexpr(hi, name),
                ForIter::Iter { src } | ForIter::Enumerate { src } | ForIter::Rows { src } => {
                    overlaps(src, name)
                }
                ForIter::Zip { a, b } => overlaps(a, name) || overlaps(b, name),
            };
            head || any(body)
        }
        Stmt::While { cond, body } => reads_cond(cond, name) || any(body),
        Stmt::Loop { body } => any(body),
        Stmt::Return(e) => reads_expr(e, name),
        Stmt::LetClosure { body, .. } => reads_expr(body, name),
        Stmt::DestructTuple { values, .. } => values.iter().any(|v| reads_expr(v, name)),
        Stmt::Assert(c) => reads_cond(c, name),
        Stmt::Fail { cond, show } => reads_cond(cond, name) || show.as_deref() == Some(name),
    }
}

/// Whether the statement assigns to `name` or to one of its elements.
pub(crate) fn assigns(s: &Stmt, name: &str) -> bool {
    let any = |b: &[Stmt]| b.iter().any(|s| assigns(s, name));
    match s {
        Stmt::Assign { name: n, .. } | Stmt::IndexAssign { name: n, .. } => n == name,
        Stmt::If { then, els, .. } => any(then) || els.as_deref().is_some_and(any),
        Stmt::Match { arms, default, .. } => arms.iter().any(|(_, b)| any(b)) || any(default),
        Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => any(body),
        _ => false,
    }
}

/// Whether the binding of `name` made just before `rest` is assigned in it.
fn assigned_later(name: &str, rest: &[Stmt]) -> bool {
    for s in rest {
        if assigns(s, name) {
            return true;
        }
        if matches!(s, Stmt::Let { name: n, .. } | Stmt::Rebind { name: n, .. } if n == name) {
            return false;
        }
    }
    false
}

/// Whether the binding made by `stmts[0]` under `name` is read later: in the rest of the
/// block, up to a `let` that shadows it (whose initializer still sees it), or in `tail`.
fn read_later(name: &str, rest: &[Stmt], tail: Option<&Expr>) -> bool {
    for s in rest {
        if let Stmt::Let { name: n, init, .. } | Stmt::Rebind { name: n, init, .. } = s {
            if n == name {
                return reads_expr(init, name);
            }
        }
        if reads_stmt(s, name) {
            return true;
        }
    }
    tail.is_some_and(|t| reads_expr(t, name))
}

/// Silences what would be warnings in the printed program: drops `mut` from variables never
/// reassigned and renames unread bindings `_name`.
pub fn finalize(f: &mut Function) {
    let tail = f.body.tail.clone();
    fix_block(&mut f.body.stmts, Some(&tail));
    // Generated programs read every parameter; a shrunk one may not.
    for p in f.params.iter_mut().filter(|p| p.name != "self") {
        let read = read_later(&p.name, &f.body.stmts, Some(&tail));
        if let Some(named) = f.wrt.iter_mut().find(|n| **n == p.name) {
            unread(named, read);
        }
        unread(&mut p.name, read);
    }
}

fn unread(name: &mut String, read: bool) {
    if !read && !name.starts_with('_') {
        name.insert(0, '_');
    }
}

fn fix_block(stmts: &mut [Stmt], tail: Option<&Expr>) {
    for p in 0..stmts.len() {
        let (head, rest) = stmts.split_at_mut(p + 1);
        match &mut head[p] {
            Stmt::Let { name, mutable, .. } => {
                // An array result only written (`y[i] *= ..`) keeps its name for the writes.
                let written = assigned_later(name, rest);
                *mutable = *mutable && written;
                let read = read_later(name, rest, tail);
                unread(name, read || written);
            }
            Stmt::LetClosure { name, .. }
            | Stmt::Alias { name, .. }
            | Stmt::Rebind { name, .. } => {
                let read = read_later(name, rest, tail);
                unread(name, read);
            }
            Stmt::DestructArray { names, .. } | Stmt::DestructTuple { names, .. } => {
                for n in names {
                    let read = read_later(n, rest, tail);
                    unread(n, read);
                }
            }
            Stmt::For { pat, body, .. } => {
                for n in &mut pat.names {
                    let read = body.iter().any(|s| reads_stmt(s, n));
                    unread(n, read);
                }
                fix_block(body, None);
            }
            Stmt::If { then, els, .. } => {
                fix_block(then, None);
                if let Some(e) = els {
                    fix_block(e, None);
                }
            }
            Stmt::Match { arms, default, .. } => {
                for (_, b) in arms {
                    fix_block(b, None);
                }
                fix_block(default, None);
            }
            Stmt::While { body, .. } | Stmt::Loop { body } => fix_block(body, None),
            _ => {}
        }
    }
}
