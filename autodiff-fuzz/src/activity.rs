//! Which values of a function may depend on its float parameters ("varied" values), as far
//! as a conservative, flow-insensitive reading of the AST can tell: what `modes(hvp)` needs
//! to know, since a call of a helper that returns an array on varied values is a compile
//! error there (the macro cannot run a vector-valued function on dual numbers yet).
//!
//! Conservative means: a name is varied if anything ever assigned to it, under any name it
//! shadows, reads a varied name (or decides a branch it is assigned in); a data struct's
//! fields and closure and iterator-chain bindings count as varied. A call judged inactive
//! here is inactive for the macro too.

use crate::ast::*;
use crate::gen::reads_expr;
use std::collections::BTreeSet;

/// Whether `f` calls a helper of `p` that returns an array with an argument that may depend
/// on `f`'s float parameters.
pub fn calls_vector_on_varied(p: &Program, f: &Function) -> bool {
    let vector = |name: &str| {
        p.helpers
            .iter()
            .any(|h| h.name == name && h.ret != Ret::Float)
    };
    let varied = varied_names(f);
    let mut calls = Vec::new();
    for s in &f.body.stmts {
        stmt_calls(s, &mut calls);
    }
    expr_calls(&f.body.tail, &mut calls);
    calls.iter().any(|call| match call {
        Expr::Call(name, args) => {
            vector(name)
                && args.iter().any(|a| {
                    // The argument alone, as an expression that reads what it passes.
                    let one = Expr::Call(String::new(), vec![a.clone()]);
                    varied.iter().any(|v| reads_expr(&one, v))
                })
        }
        _ => false,
    })
}

/// The names that may hold values depending on `f`'s parameters: every parameter with
/// values (a data struct's too), and what is computed from them, to a fixed point.
pub fn varied_names(f: &Function) -> BTreeSet<String> {
    let mut varied: BTreeSet<String> = f
        .params
        .iter()
        .filter(|q| !matches!(q.ty, ParamTy::Usize(_)))
        .map(|q| q.name.clone())
        .collect();
    loop {
        let before = varied.len();
        let mut walk = Walk {
            varied: &mut varied,
        };
        walk.stmts(&f.body.stmts);
        walk.expr(&f.body.tail);
        if varied.len() == before {
            return varied;
        }
    }
}

struct Walk<'a> {
    varied: &'a mut BTreeSet<String>,
}

impl Walk<'_> {
    fn reads(&self, e: &Expr) -> bool {
        self.varied.iter().any(|v| reads_expr(e, v))
    }

    /// `src` (a name or a field path) is varied, or part of something varied.
    fn named(&self, src: &str) -> bool {
        self.reads(&Expr::Var(src.to_string()))
    }

    fn mark(&mut self, name: &str) {
        self.varied.insert(name.to_string());
    }

    fn cond(&mut self, c: &Cond) -> bool {
        match c {
            Cond::Cmp(_, a, b) => {
                self.expr(a);
                self.expr(b);
                self.reads(a) || self.reads(b)
            }
            Cond::ICmp(..) => false,
            Cond::And(a, b) | Cond::Or(a, b) => {
                let (a, b) = (self.cond(a), self.cond(b));
                a || b
            }
        }
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    /// Marks everything assigned in `stmts` (a branch decided by a varied condition).
    fn assigned_in(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            match s {
                Stmt::Let { name, .. }
                | Stmt::Rebind { name, .. }
                | Stmt::Assign { name, .. }
                | Stmt::IndexAssign { name, .. }
                | Stmt::ArrayCopy { name, .. }
                | Stmt::LetClosure { name, .. }
                | Stmt::Alias { name, .. } => self.mark(name),
                Stmt::DestructArray { names, .. } | Stmt::DestructTuple { names, .. } => {
                    for n in names {
                        self.mark(n);
                    }
                }
                _ => {
                    for b in inner_blocks(s) {
                        self.assigned_in(b);
                    }
                }
            }
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match s {
            Stmt::Let { name, init, .. } | Stmt::Rebind { name, init, .. } => {
                self.expr(init);
                if self.reads(init) {
                    self.mark(name);
                }
            }
            Stmt::Assign { name, value, .. } | Stmt::IndexAssign { name, value, .. } => {
                self.expr(value);
                if self.reads(value) {
                    self.mark(name);
                }
            }
            Stmt::ArrayCopy { name, src, .. } | Stmt::Alias { name, src } => {
                if self.named(src) {
                    self.mark(name);
                }
            }
            Stmt::DestructArray { names, src, .. } => {
                if self.named(src) {
                    for n in names {
                        self.mark(n);
                    }
                }
            }
            Stmt::DestructTuple { names, values } => {
                for (n, v) in names.iter().zip(values) {
                    self.expr(v);
                    if self.reads(v) {
                        self.mark(n);
                    }
                }
            }
            Stmt::LetClosure { name, params, body } => {
                // A closure's parameters take whatever it is called with.
                for q in params {
                    self.mark(q);
                }
                self.expr(body);
                if self.reads(body) {
                    self.mark(name);
                }
            }
            Stmt::If { cond, .. } => {
                let varied = self.cond(cond);
                for b in inner_blocks(s) {
                    if varied {
                        self.assigned_in(b);
                    }
                    self.stmts(b);
                }
            }
            Stmt::Match { .. } | Stmt::Loop { .. } => {
                for b in inner_blocks(s) {
                    self.stmts(b);
                }
            }
            Stmt::For { pat, iter, body } => {
                let n = &pat.names;
                match iter {
                    ForIter::Range { .. } => {}
                    ForIter::Iter { src } | ForIter::Rows { src } => {
                        if self.named(src) {
                            self.mark(&n[0]);
                        }
                    }
                    ForIter::Enumerate { src } => {
                        if self.named(src) {
                            self.mark(&n[1]);
                        }
                    }
                    ForIter::Zip { a, b } => {
                        if self.named(a) {
                            self.mark(&n[0]);
                        }
                        if self.named(b) {
                            self.mark(&n[1]);
                        }
                    }
                }
                self.stmts(body);
            }
            Stmt::While { cond, body } => {
                if self.cond(cond) {
                    self.assigned_in(body);
                }
                self.stmts(body);
            }
            Stmt::Return(e) => self.expr(e),
            Stmt::Fail { cond, .. } | Stmt::Assert(cond) => {
                self.cond(cond);
            }
            Stmt::LetInt { .. }
            | Stmt::IncInt { .. }
            | Stmt::LocalArray { .. }
            | Stmt::Break
            | Stmt::Continue => {}
        }
    }

    fn block(&mut self, b: &Block) {
        self.stmts(&b.stmts);
        self.expr(&b.tail);
    }

    /// Visits the statements inside an expression (blocks of `if` and `match`) and marks
    /// iterator-chain bindings.
    fn expr(&mut self, e: &Expr) {
        let parts = parts(e);
        for n in parts.bound {
            self.mark(n);
        }
        let varied = parts.cond.is_some_and(|c| self.cond(c));
        for b in parts.blocks {
            if varied {
                self.assigned_in(&b.stmts);
            }
            self.block(b);
        }
        for x in parts.exprs {
            self.expr(x);
        }
    }
}

/// What an expression holds directly: subexpressions, blocks, the condition of an `if`,
/// and the names an iterator chain's closure binds.
struct Parts<'a> {
    exprs: Vec<&'a Expr>,
    blocks: Vec<&'a Block>,
    cond: Option<&'a Cond>,
    bound: Vec<&'a String>,
}

fn parts(e: &Expr) -> Parts<'_> {
    let mut p = Parts {
        exprs: Vec::new(),
        blocks: Vec::new(),
        cond: None,
        bound: Vec::new(),
    };
    match e {
        Expr::Lit(..)
        | Expr::Var(_)
        | Expr::Deref(_)
        | Expr::Index(..)
        | Expr::Index2(..)
        | Expr::Cast(_) => {}
        Expr::Neg(a) | Expr::Un(_, a, _) | Expr::Powi(a, _) | Expr::Try(a, _) => p.exprs.push(a),
        Expr::Bin(_, a, b) | Expr::Bin2(_, a, b, _) => p.exprs.extend([&**a, &**b]),
        Expr::MulAdd(a, b, c) => p.exprs.extend([&**a, &**b, &**c]),
        Expr::If(c, a, b) => {
            p.cond = Some(c);
            p.blocks.extend([&**a, &**b]);
        }
        Expr::Match(_, arms, d) => {
            p.blocks.extend(arms.iter().map(|(_, b)| b));
            p.blocks.push(d);
        }
        Expr::Call(_, args) => p.exprs.extend(args.iter().filter_map(|a| match a {
            Arg::Scalar(e) | Arg::Ref(e) => Some(e),
            _ => None,
        })),
        Expr::ClosureCall(_, items) | Expr::ArrayLit(items, _) => p.exprs.extend(items),
        Expr::MapArray { var, body, .. } | Expr::FromFn { idx: var, body, .. } => {
            p.bound.push(var);
            p.exprs.push(body);
        }
        Expr::Chain(c) => match c {
            Chain::MapSum { var, body, .. } | Chain::Product { var, body, .. } => {
                p.bound.push(var);
                p.exprs.push(body);
            }
            Chain::ZipSum { va, vb, body, .. } => {
                p.bound.extend([va, vb]);
                p.exprs.push(body);
            }
            Chain::EnumFold {
                init,
                acc,
                var,
                body,
                ..
            } => {
                p.bound.extend([acc, var]);
                p.exprs.extend([&**init, &**body]);
            }
            Chain::WindowsSum { win, body, .. } => {
                p.bound.push(win);
                p.exprs.push(body);
            }
            Chain::Sum { .. } => {}
        },
    }
    p
}

/// The statement blocks directly inside a statement: branches, arms, loop bodies.
fn inner_blocks(s: &Stmt) -> Vec<&[Stmt]> {
    match s {
        Stmt::If { then, els, .. } => std::iter::once(then.as_slice())
            .chain(els.as_deref())
            .collect(),
        Stmt::Match { arms, default, .. } => (arms.iter().map(|(_, b)| b.as_slice()))
            .chain(std::iter::once(default.as_slice()))
            .collect(),
        Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => vec![body],
        _ => Vec::new(),
    }
}

/// Every call expression in the statement, at any depth.
fn stmt_calls<'a>(s: &'a Stmt, out: &mut Vec<&'a Expr>) {
    for b in inner_blocks(s) {
        for s in b {
            stmt_calls(s, out);
        }
    }
    match s {
        Stmt::Let { init: e, .. }
        | Stmt::Rebind { init: e, .. }
        | Stmt::Assign { value: e, .. }
        | Stmt::IndexAssign { value: e, .. }
        | Stmt::Return(e)
        | Stmt::LetClosure { body: e, .. } => expr_calls(e, out),
        Stmt::DestructTuple { values, .. } => {
            for v in values {
                expr_calls(v, out);
            }
        }
        Stmt::If { cond, .. }
        | Stmt::While { cond, .. }
        | Stmt::Fail { cond, .. }
        | Stmt::Assert(cond) => cond_calls(cond, out),
        Stmt::Match { .. }
        | Stmt::For { .. }
        | Stmt::Loop { .. }
        | Stmt::LetInt { .. }
        | Stmt::IncInt { .. }
        | Stmt::LocalArray { .. }
        | Stmt::ArrayCopy { .. }
        | Stmt::Break
        | Stmt::Continue
        | Stmt::DestructArray { .. }
        | Stmt::Alias { .. } => {}
    }
}

fn cond_calls<'a>(c: &'a Cond, out: &mut Vec<&'a Expr>) {
    match c {
        Cond::Cmp(_, a, b) => {
            expr_calls(a, out);
            expr_calls(b, out);
        }
        Cond::ICmp(..) => {}
        Cond::And(a, b) | Cond::Or(a, b) => {
            cond_calls(a, out);
            cond_calls(b, out);
        }
    }
}

fn expr_calls<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    if let Expr::Call(..) = e {
        out.push(e);
    }
    let parts = parts(e);
    if let Some(c) = parts.cond {
        cond_calls(c, out);
    }
    for b in parts.blocks {
        for s in &b.stmts {
            stmt_calls(s, out);
        }
        expr_calls(&b.tail, out);
    }
    for x in parts.exprs {
        expr_calls(x, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(name: &str) -> Param {
        Param {
            name: name.into(),
            ty: ParamTy::Scalar,
        }
    }

    fn function(
        name: &str,
        params: Vec<Param>,
        ret: Ret,
        stmts: Vec<Stmt>,
        tail: Expr,
    ) -> Function {
        Function {
            name: name.into(),
            params,
            wrt: Vec::new(),
            ret,
            fallible: false,
            body: Block { stmts, tail },
        }
    }

    fn call_h(arg: Expr) -> Expr {
        Expr::Call("h".into(), vec![Arg::Scalar(arg)])
    }

    fn program(main: Function) -> Program {
        let h = function(
            "h",
            vec![scalar("y")],
            Ret::Array(2),
            Vec::new(),
            Expr::ArrayLit(vec![Expr::Var("y".into()), Expr::Var("y".into())], false),
        );
        Program {
            prec: Prec::F64,
            structs: Vec::new(),
            consts: Vec::new(),
            helpers: vec![h],
            main,
            inputs: vec![vec![1.0]],
            vjps: Vec::new(),
            method: None,
            fallible: Fallible::Result,
            records: false,
            widened: false,
        }
    }

    #[test]
    fn a_vector_call_on_data_is_allowed_and_on_a_parameter_is_not() {
        let lit = |v| Expr::Lit(v, LitForm::Plain);
        // let c = 2.0; let y = h(c); x * y[0]
        let stmts = |arg: Expr| {
            vec![
                Stmt::Let {
                    name: "c".into(),
                    mutable: false,
                    annotate: false,
                    init: lit(2.0),
                },
                Stmt::Let {
                    name: "y".into(),
                    mutable: false,
                    annotate: false,
                    init: call_h(arg),
                },
            ]
        };
        let tail = Expr::Bin(
            BinOp::Mul,
            Box::new(Expr::Var("x".into())),
            Box::new(Expr::Index("y".into(), IExpr::Lit(0))),
        );
        let on = |arg: Expr| {
            let p = program(function(
                "f",
                vec![scalar("x")],
                Ret::Float,
                stmts(arg),
                tail.clone(),
            ));
            calls_vector_on_varied(&p, &p.main)
        };
        assert!(!on(Expr::Var("c".into())));
        assert!(on(Expr::Var("x".into())));
        // c varied through a later reassignment: flow-insensitive, so the call is varied.
        let mut p = program(function(
            "f",
            vec![scalar("x")],
            Ret::Float,
            stmts(Expr::Var("c".into())),
            tail,
        ));
        p.main.body.stmts.push(Stmt::Assign {
            name: "c".into(),
            op: AssignOp::Add,
            value: Expr::Var("x".into()),
        });
        assert!(calls_vector_on_varied(&p, &p.main));
    }
}
