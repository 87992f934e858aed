//! Prints a [`Program`] as Rust source: structs and `#[grad]` functions, plus a `run` function
//! that calls `f_grad` and `f_adjoint` (with accumulators and with `Const`), and the
//! `_adjoint` of every checked helper that returns an array, and returns every number.

use crate::ast::*;
use std::fmt::Write;

/// The value every adjoint accumulator starts at, the `d_out` the runner passes, and how many
/// times it calls each `_adjoint` into the same accumulators: they must end at
/// `SEED + CALLS * D_OUT * gradient`.
pub const SEED: f64 = 0.25;
pub const D_OUT: f64 = 1.5;
pub const CALLS: usize = 2;

/// Binding strength, for parentheses only where Rust needs them (so that `unused_parens`
/// never fires in generated code).
const P_OR: u8 = 1;
const P_AND: u8 = 2;
const P_CMP: u8 = 3;
const P_ADD: u8 = 4;
const P_MUL: u8 = 5;
const P_CAST: u8 = 6;
const P_UNARY: u8 = 7;
const P_POSTFIX: u8 = 8;

pub struct Printer<'a> {
    prec: Prec,
    structs: &'a [StructDef],
    out: String,
    indent: usize,
    /// `T::from_f64` needs `T: FromPrimitive`, which `Float` does not imply.
    from_primitive: bool,
    /// The function being printed is fallible: its returns are wrapped, `Ok(v)`/`Some(v)`.
    wrap: Option<Fallible>,
    /// The function being printed is a method of a trait impl (no `pub`) or of an `impl`
    /// block carrying the attribute (none on the method).
    in_trait: bool,
    on_impl: bool,
    /// The program's functions also get forward mode (`modes(tangent)`).
    tangent: bool,
    /// The program's functions that return a float also get second order (`modes(hvp)`).
    hvp: bool,
    /// Float locals named by [`is_record`] are fields of a local struct.
    records: bool,
    /// Float comparisons are made in `f64` ([`Program::widened`]).
    widened: bool,
}

/// Whether a program is checked in forward mode too: every function gets
/// `#[grad(.., modes(tangent))]`, and `run` a `tangent` row. Not methods, nor structs that
/// mix parameters and data (the row's direction is laid out over the parameters only).
pub fn checks_tangent(p: &Program) -> bool {
    p.method.is_none()
        && p.helpers.iter().chain(std::iter::once(&p.main)).all(|f| {
            f.params.iter().all(|q| match q.ty {
                ParamTy::Struct(_) => {
                    let floats = q.ty.floats(&p.structs);
                    floats == 0 || floats == q.ty.values(&p.structs)
                }
                _ => true,
            })
        })
}

/// Whether a program is checked in second order too: every function that returns a float
/// gets `#[grad(.., modes(hvp))]`, and `run` an `hvp` row. What `modes(hvp)` does not take
/// (compile errors by design) is left out: methods and models (a struct parameter with
/// differentiated floats) in any function, and a call of a helper that returns an array on
/// arguments that may vary with the parameters (judged conservatively by
/// [`activity::calls_vector_on_varied`](crate::activity::calls_vector_on_varied)); a helper
/// that returns an array gets no `modes(hvp)` and is only ever called on data.
pub fn checks_hvp(p: &Program) -> bool {
    let functions = || p.helpers.iter().chain(std::iter::once(&p.main));
    p.method.is_none()
        && p.main.ret == Ret::Float
        && (p.main.params.iter()).any(|q| q.ty.floats(&p.structs) > 0 && p.main.in_grad(q))
        && functions().all(|f| {
            f.params
                .iter()
                .all(|q| !matches!(q.ty, ParamTy::Struct(_)) || q.ty.floats(&p.structs) == 0)
        })
        && functions()
            .filter(|f| f.ret == Ret::Float)
            .all(|f| !crate::activity::calls_vector_on_varied(p, f))
}

/// The direction of the `tangent` and `hvp` rows: entry `k` of the float parameters,
/// flattened.
pub fn direction(k: usize) -> f64 {
    [0.5, -1.0, 0.75, 1.25, -0.25][k % 5]
}

impl Printer<'_> {
    /// A float local as its reads and writes name it: `t4`, or `t4.v` of a local struct.
    fn local(&self, name: &str) -> String {
        match self.records && is_record(name) {
            true => format!("{name}.v"),
            false => name.to_string(),
        }
    }

    fn float(&self) -> &'static str {
        match self.prec {
            Prec::F64 => "f64",
            Prec::F32 => "f32",
            Prec::Generic => "T",
        }
    }

    /// The struct's type as the program names it: `M`, or `M<T>` in generic code.
    fn struct_ty(&self, k: usize) -> String {
        let name = &self.structs[k].name;
        match self.prec {
            Prec::Generic => format!("{name}<T>"),
            _ => name.clone(),
        }
    }

    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }

    fn lit(&self, v: f64, form: LitForm, receiver: bool) -> (String, u8) {
        match (self.prec, form) {
            (Prec::F64 | Prec::F32, LitForm::Suffixed(underscore)) => (
                suffixed(v, self.float(), underscore),
                if v < 0.0 { P_UNARY } else { P_POSTFIX },
            ),
            (Prec::Generic, LitForm::FromF64) => {
                (format!("T::from_f64({v:?}).unwrap()"), P_POSTFIX)
            }
            (Prec::Generic, LitForm::Plain) => (format!("T::from({v:?}).unwrap()"), P_POSTFIX),
            // A bare `1.5.exp()` has an ambiguous type: suffix literals used as receivers.
            _ => {
                let suffix = if receiver {
                    format!("_{}", self.float())
                } else {
                    String::new()
                };
                (
                    format!("{v:?}{suffix}"),
                    if v < 0.0 { P_UNARY } else { P_POSTFIX },
                )
            }
        }
    }

    fn iexpr(&self, e: &IExpr) -> (String, u8) {
        let bin = |op: &str, p: u8, a: &IExpr, b: &IExpr| {
            let l = self.iexpr_at(a, p);
            let r = self.iexpr_at(b, p + 1);
            (format!("{l} {op} {r}"), p)
        };
        match e {
            IExpr::Lit(v) => (v.to_string(), P_POSTFIX),
            IExpr::Var(n) => (n.clone(), P_POSTFIX),
            IExpr::Len(n) => (format!("{n}.len()"), P_POSTFIX),
            IExpr::Add(a, b) => bin("+", P_ADD, a, b),
            IExpr::Sub(a, b) => bin("-", P_ADD, a, b),
            IExpr::Mul(a, b) => bin("*", P_MUL, a, b),
            IExpr::Rem(a, b) => bin("%", P_MUL, a, b),
        }
    }

    fn iexpr_at(&self, e: &IExpr, min: u8) -> String {
        let (s, p) = self.iexpr(e);
        if p < min {
            format!("({s})")
        } else {
            s
        }
    }

    /// The expression, parenthesized if it binds weaker than `min`.
    fn expr_at(&mut self, e: &Expr, min: u8) -> String {
        let (s, p) = self.expr(e, false);
        if p < min {
            format!("({s})")
        } else {
            s
        }
    }

    /// The receiver of a method call.
    fn recv(&mut self, e: &Expr) -> String {
        let (s, p) = self.expr(e, true);
        if p < P_POSTFIX {
            format!("({s})")
        } else {
            s
        }
    }

    fn expr(&mut self, e: &Expr, receiver: bool) -> (String, u8) {
        let f = self.float();
        match e {
            Expr::Lit(v, form) => self.lit(*v, *form, receiver),
            Expr::Var(n) => (self.local(n), P_POSTFIX),
            // `v.exp()` auto-dereferences, as people write it.
            Expr::Deref(n) if receiver => (n.clone(), P_POSTFIX),
            Expr::Deref(n) => (format!("*{n}"), P_UNARY),
            Expr::Index(n, i) => (format!("{n}[{}]", self.iexpr(i).0), P_POSTFIX),
            Expr::Index2(n, i, j) => (
                format!("{n}[{}][{}]", self.iexpr(i).0, self.iexpr(j).0),
                P_POSTFIX,
            ),
            Expr::Cast(i) => match self.prec {
                Prec::Generic => (format!("T::from({}).unwrap()", self.iexpr(i).0), P_POSTFIX),
                _ => (format!("{} as {f}", self.iexpr_at(i, P_CAST)), P_CAST),
            },
            Expr::Neg(a) => (format!("-{}", self.expr_at(a, P_POSTFIX)), P_UNARY),
            Expr::Bin(op, a, b) => {
                let (sym, p) = match op {
                    BinOp::Add => ("+", P_ADD),
                    BinOp::Sub => ("-", P_ADD),
                    BinOp::Mul => ("*", P_MUL),
                    BinOp::Div => ("/", P_MUL),
                };
                // Casts are parenthesized for readability, as people write them.
                let min = |e: &Expr, m: u8| {
                    if matches!(e, Expr::Cast(_)) {
                        P_CAST + 1
                    } else {
                        m
                    }
                };
                let l = self.expr_at(a, min(a, p));
                let r = self.expr_at(b, min(b, p + 1));
                (format!("{l} {sym} {r}"), p)
            }
            Expr::Un(fun, a, path) => {
                if *path {
                    (
                        format!("{f}::{}({})", fun.name(), self.expr_at(a, 0)),
                        P_POSTFIX,
                    )
                } else {
                    (format!("{}.{}()", self.recv(a), fun.name()), P_POSTFIX)
                }
            }
            Expr::Bin2(Bin2Fn::Rem, a, b, _) => (
                format!(
                    "{} % {}",
                    self.expr_at(a, P_MUL),
                    self.expr_at(b, P_MUL + 1)
                ),
                P_MUL,
            ),
            Expr::Bin2(fun, a, b, path) => {
                let rb = self.expr_at(b, 0);
                if *path {
                    (
                        format!("{f}::{}({}, {rb})", fun.name(), self.expr_at(a, 0)),
                        P_POSTFIX,
                    )
                } else {
                    (format!("{}.{}({rb})", self.recv(a), fun.name()), P_POSTFIX)
                }
            }
            Expr::Powi(a, k) => (format!("{}.powi({k})", self.recv(a)), P_POSTFIX),
            Expr::MulAdd(a, b, c) => {
                let (b, c) = (self.expr_at(b, 0), self.expr_at(c, 0));
                (format!("{}.mul_add({b}, {c})", self.recv(a)), P_POSTFIX)
            }
            Expr::If(c, t, e) => {
                let c = self.cond(c, 0);
                let t = self.block_inline(t);
                let e = self.block_inline(e);
                (format!("if {c} {t} else {e}"), 0)
            }
            Expr::Match(s, arms, d) => {
                let mut out = format!("match {} {{\n", self.iexpr(s).0);
                let pad = "    ".repeat(self.indent + 1);
                for (k, b) in arms {
                    let b = self.block_inline(b);
                    let _ = writeln!(out, "{pad}{k} => {b}");
                }
                let d = self.block_inline(d);
                let _ = write!(out, "{pad}_ => {d}\n{}}}", "    ".repeat(self.indent));
                (out, 0)
            }
            Expr::Call(name, args) => {
                let args: Vec<String> = args
                    .iter()
                    .map(|a| match a {
                        Arg::Scalar(e) => self.expr_at(e, 0),
                        Arg::Array { name, by_ref: true } => name.clone(),
                        Arg::Array {
                            name,
                            by_ref: false,
                        } => format!("&{name}"),
                        Arg::Row(name, i) => format!("&{name}[{}]", self.iexpr(i).0),
                        Arg::Ref(e) => format!("&{}", self.expr_at(e, P_POSTFIX)),
                        Arg::Int(i) => self.iexpr(i).0,
                    })
                    .collect();
                (format!("{name}({})", args.join(", ")), P_POSTFIX)
            }
            Expr::Try(call, question) => {
                let call = self.expr_at(call, P_POSTFIX);
                let how = if *question { "?" } else { ".unwrap()" };
                (format!("{call}{how}"), P_POSTFIX)
            }
            Expr::ClosureCall(name, args) => {
                let args: Vec<String> = args.iter().map(|a| self.expr_at(a, 0)).collect();
                (format!("{name}({})", args.join(", ")), P_POSTFIX)
            }
            Expr::Chain(c) => (self.chain(c), P_POSTFIX),
            Expr::ArrayLit(es, vec) => {
                let es: Vec<String> = es.iter().map(|e| self.expr_at(e, 0)).collect();
                let bang = if *vec { "vec!" } else { "" };
                (format!("{bang}[{}]", es.join(", ")), P_POSTFIX)
            }
            Expr::MapArray { src, var, body } => {
                let body = self.expr_at(body, 0);
                (format!("{src}.map(|{var}| {body})"), P_POSTFIX)
            }
            Expr::FromFn { idx, body, .. } => {
                let body = self.expr_at(body, 0);
                (format!("std::array::from_fn(|{idx}| {body})"), P_POSTFIX)
            }
        }
    }

    fn adaptors(ads: &[Adaptor]) -> String {
        ads.iter()
            .map(|a| match a {
                Adaptor::Skip(k) => format!(".skip({k})"),
                Adaptor::Take(k) => format!(".take({k})"),
                Adaptor::Rev => ".rev()".to_string(),
                Adaptor::StepBy(k) => format!(".step_by({k})"),
            })
            .collect()
    }

    /// `.sum::<F>()`, or a fold in generic code (`T: Float` is not `Sum`).
    fn sum(&self) -> String {
        match self.prec {
            Prec::Generic => ".fold(T::zero(), |s, v| s + v)".to_string(),
            _ => format!(".sum::<{}>()", self.float()),
        }
    }

    fn chain(&mut self, c: &Chain) -> String {
        match c {
            Chain::MapSum {
                src,
                adaptors,
                var,
                body,
            } => {
                let body = self.expr_at(body, 0);
                let sum = self.sum();
                format!(
                    "{src}.iter(){}.map(|&{var}| {body}){sum}",
                    Self::adaptors(adaptors)
                )
            }
            Chain::ZipSum { a, b, va, vb, body } => {
                let body = self.expr_at(body, 0);
                let sum = self.sum();
                format!("{a}.iter().zip({b}.iter()).map(|(&{va}, &{vb})| {body}){sum}")
            }
            Chain::EnumFold {
                src,
                init,
                acc,
                idx,
                var,
                body,
            } => {
                let init = self.expr_at(init, 0);
                let body = self.expr_at(body, P_ADD + 1);
                format!("{src}.iter().enumerate().fold({init}, |{acc}, ({idx}, &{var})| {acc} + {body})")
            }
            Chain::WindowsSum { src, win, body } => {
                let body = self.expr_at(body, 0);
                let sum = self.sum();
                format!("{src}.windows(2).map(|{win}| {body}){sum}")
            }
            Chain::Product { src, var, body } => {
                let body = self.expr_at(body, 0);
                let product = match self.prec {
                    Prec::Generic => ".fold(T::one(), |p, v| p * v)".to_string(),
                    _ => format!(".product::<{}>()", self.float()),
                };
                format!("{src}.iter().map(|&{var}| {body}){product}")
            }
            Chain::Sum { src } => match self.prec {
                Prec::Generic => format!("{src}.iter().fold(T::zero(), |s, &v| s + v)"),
                _ => format!("{src}.iter().sum::<{}>()", self.float()),
            },
        }
    }

    fn cmp(op: CmpOp) -> &'static str {
        match op {
            CmpOp::Lt => "<",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Ge => ">=",
        }
    }

    fn cond(&mut self, c: &Cond, min: u8) -> String {
        let (s, p) = match c {
            Cond::Cmp(op, a, b) if self.widened => {
                let l = self.expr_at(a, P_CAST);
                let r = self.expr_at(b, P_CAST);
                (
                    format!("({l} as f64) {} ({r} as f64)", Self::cmp(*op)),
                    P_CMP,
                )
            }
            Cond::Cmp(op, a, b) => {
                // `n as f64 < x` would read `f64<` as the start of generic arguments.
                let left = match a {
                    Expr::Cast(_) => P_CAST + 1,
                    _ => P_CMP + 1,
                };
                let l = self.expr_at(a, left);
                let r = self.expr_at(b, P_CMP + 1);
                (format!("{l} {} {r}", Self::cmp(*op)), P_CMP)
            }
            Cond::ICmp(op, a, b) => {
                let l = self.iexpr_at(a, P_CMP + 1);
                let r = self.iexpr_at(b, P_CMP + 1);
                (format!("{l} {} {r}", Self::cmp(*op)), P_CMP)
            }
            Cond::And(a, b) => (
                format!("{} && {}", self.cond(a, P_AND), self.cond(b, P_AND + 1)),
                P_AND,
            ),
            Cond::Or(a, b) => (
                format!("{} || {}", self.cond(a, P_OR), self.cond(b, P_OR + 1)),
                P_OR,
            ),
        };
        if p < min {
            format!("({s})")
        } else {
            s
        }
    }

    /// A block used as an expression: `{ e }` on one line when it has no statements.
    fn block_inline(&mut self, b: &Block) -> String {
        if b.stmts.is_empty() {
            return format!("{{ {} }}", self.expr_at(&b.tail, 0));
        }
        let saved = std::mem::take(&mut self.out);
        self.out.push_str("{\n");
        self.indent += 1;
        self.stmts(&b.stmts);
        let tail = self.expr_at(&b.tail, 0);
        self.line(&tail);
        self.indent -= 1;
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push('}');
        std::mem::replace(&mut self.out, saved)
    }

    fn body(&mut self, head: &str, stmts: &[Stmt]) {
        self.line(&format!("{head} {{"));
        self.indent += 1;
        self.stmts(stmts);
        self.indent -= 1;
        self.line("}");
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn op(op: AssignOp) -> &'static str {
        match op {
            AssignOp::Set => "=",
            AssignOp::Add => "+=",
            AssignOp::Sub => "-=",
            AssignOp::Mul => "*=",
            AssignOp::Div => "/=",
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        let f = self.float();
        match s {
            Stmt::Let {
                name,
                mutable,
                annotate,
                init,
            } => {
                let m = if *mutable { "mut " } else { "" };
                let init = self.expr_at(init, 0);
                if self.records && is_record(name) {
                    let ty = if *annotate {
                        format!("::<{f}>")
                    } else {
                        String::new()
                    };
                    self.line(&format!("let {m}{name} = Rec{ty} {{ v: {init} }};"));
                    return;
                }
                let ty = if *annotate {
                    format!(": {f}")
                } else {
                    String::new()
                };
                self.line(&format!("let {m}{name}{ty} = {init};"));
            }
            Stmt::LetInt { name, init } => {
                let init = self.iexpr(init).0;
                self.line(&format!("let mut {name} = {init};"));
            }
            Stmt::Assign { name, op, value } => {
                let v = self.expr_at(value, 0);
                let name = self.local(name);
                self.line(&format!("{name} {} {v};", Self::op(*op)));
            }
            Stmt::IncInt { name } => self.line(&format!("{name} += 1;")),
            Stmt::IndexAssign {
                name,
                idx,
                op,
                value,
            } => {
                let v = self.expr_at(value, 0);
                let i = self.iexpr(idx).0;
                self.line(&format!("{name}[{i}] {} {v};", Self::op(*op)));
            }
            Stmt::LocalArray { name, len, vec } => {
                let zero = self.lit(0.0, LitForm::Plain, false).0;
                if *vec {
                    self.line(&format!("let mut {name} = vec![{zero}; {len}];"));
                } else {
                    self.line(&format!("let mut {name} = [{zero}; {len}];"));
                }
            }
            Stmt::ArrayCopy { name, src, how, .. } => {
                let init = match how {
                    CopyHow::Deref => format!("*{src}"),
                    CopyHow::Value => src.clone(),
                    CopyHow::ToVec => format!("{src}.to_vec()"),
                };
                self.line(&format!("let mut {name} = {init};"));
            }
            Stmt::If { cond, then, els } => {
                let c = self.cond(cond, 0);
                self.line(&format!("if {c} {{"));
                self.indent += 1;
                self.stmts(then);
                self.indent -= 1;
                match els {
                    None => self.line("}"),
                    Some(e) => match e.as_slice() {
                        [inner @ Stmt::If { .. }] => {
                            // `} else if ..`: print the nested `if` without its indentation.
                            let mut p = Printer {
                                out: String::new(),
                                ..*self
                            };
                            p.stmt(inner);
                            let nested = p.out.trim_start().to_string();
                            for _ in 0..self.indent {
                                self.out.push_str("    ");
                            }
                            self.out.push_str("} else ");
                            self.out.push_str(&nested);
                        }
                        _ => {
                            self.line("} else {");
                            self.indent += 1;
                            self.stmts(e);
                            self.indent -= 1;
                            self.line("}");
                        }
                    },
                }
            }
            Stmt::Match {
                scrut,
                arms,
                default,
                binding,
            } => {
                let s = self.iexpr(scrut).0;
                self.line(&format!("match {s} {{"));
                self.indent += 1;
                for (k, b) in arms {
                    self.body(&format!("{k} =>"), b);
                }
                let head = match binding {
                    Some(name) if default.iter().any(|s| crate::gen::reads_stmt(s, name)) => {
                        format!("{name} =>")
                    }
                    Some(name) => format!("#[allow(unused_variables)] {name} =>"),
                    None => "_ =>".to_string(),
                };
                self.body(&head, default);
                self.indent -= 1;
                self.line("}");
            }
            Stmt::For { pat, iter, body } => {
                let head = self.for_head(pat, iter);
                self.body(&head, body);
            }
            Stmt::While { cond, body } => {
                let c = self.cond(cond, 0);
                self.body(&format!("while {c}"), body);
            }
            Stmt::Loop { body } => self.body("loop", body),
            Stmt::Break => self.line("break;"),
            Stmt::Continue => self.line("continue;"),
            Stmt::Return(e) => {
                let e = self.expr_at(e, 0);
                let e = self.wrapped(e);
                self.line(&format!("return {e};"));
            }
            Stmt::Fail { cond, show } => {
                let c = self.cond(cond, 0);
                let err = match (self.wrap, show) {
                    (Some(Fallible::Option), _) => "None".to_string(),
                    // A local struct's field is passed, not captured by name.
                    (_, Some(v)) if self.records && is_record(v) => {
                        format!("Err(format!(\"out of range: {v} = {{}}\", {v}.v))")
                    }
                    (_, Some(v)) => format!("Err(format!(\"out of range: {v} = {{{v}}}\"))"),
                    (_, None) => "Err(String::from(\"out of range\"))".to_string(),
                };
                self.line(&format!("if {c} {{"));
                self.line(&format!("    return {err};"));
                self.line("}");
            }
            Stmt::LetClosure { name, params, body } => {
                let ps: Vec<String> = params.iter().map(|p| format!("{p}: {f}")).collect();
                let b = self.expr_at(body, 0);
                self.line(&format!("let {name} = |{}| {b};", ps.join(", ")));
            }
            Stmt::DestructArray { names, src, deref } => {
                let star = if *deref { "*" } else { "" };
                self.line(&format!("let [{}] = {star}{src};", names.join(", ")));
            }
            Stmt::DestructTuple { names, values } => {
                let vs: Vec<String> = values.iter().map(|v| self.expr_at(v, 0)).collect();
                self.line(&format!(
                    "let ({}) = ({});",
                    names.join(", "),
                    vs.join(", ")
                ));
            }
            Stmt::Assert(c) => {
                let c = self.cond(c, 0);
                self.line(&format!("assert!({c});"));
            }
            Stmt::Rebind {
                name,
                len,
                annotate,
                init,
            } => {
                let ty = if *annotate {
                    format!(": [{f}; {len}]")
                } else {
                    String::new()
                };
                let init = self.expr_at(init, 0);
                self.line(&format!("let {name}{ty} = {init};"));
            }
            Stmt::Alias { name, src } => self.line(&format!("let {name} = &{src};")),
        }
    }

    fn for_head(&mut self, pat: &ForPat, iter: &ForIter) -> String {
        let r = if pat.by_ref { "" } else { "&" };
        let n = &pat.names;
        match iter {
            ForIter::Range {
                lo,
                hi,
                inclusive,
                rev,
                step,
            } => {
                let dots = if *inclusive { "..=" } else { ".." };
                let (lo, hi) = (self.iexpr_at(lo, P_ADD), self.iexpr_at(hi, P_ADD));
                let mut range = format!("{lo}{dots}{hi}");
                if *rev || step.is_some() {
                    range = format!("({range})");
                }
                if *rev {
                    range.push_str(".rev()");
                }
                if let Some(k) = step {
                    range.push_str(&format!(".step_by({k})"));
                }
                format!("for {} in {range}", n[0])
            }
            ForIter::Iter { src } => format!("for {r}{} in {src}.iter()", n[0]),
            ForIter::Enumerate { src } => {
                format!("for ({}, {r}{}) in {src}.iter().enumerate()", n[0], n[1])
            }
            ForIter::Zip { a, b } => format!(
                "for ({r}{}, {r}{}) in {a}.iter().zip({b}.iter())",
                n[0], n[1]
            ),
            ForIter::Rows { src } => format!("for {} in {src}.iter()", n[0]),
        }
    }

    /// `pub struct S { pub a: F, .. }`, a model deriving `Params`.
    fn structure(&mut self, k: usize) {
        let def = &self.structs[k];
        let f = self.float();
        let derive = if def.model {
            "#[derive(Clone, Debug, autodiff::Params)]"
        } else {
            "#[derive(Clone, Debug)]"
        };
        let name = self.struct_ty(k);
        self.line(derive);
        self.line(&format!("pub struct {name} {{"));
        for field in &def.fields {
            let ty = match field.ty {
                FieldTy::Scalar => f.to_string(),
                FieldTy::Array(n) => format!("[{f}; {n}]"),
                FieldTy::Vec(_) => format!("Vec<{f}>"),
                FieldTy::Matrix(n, m) => format!("[[{f}; {m}]; {n}]"),
                FieldTy::Struct(j) => self.struct_ty(j),
            };
            self.line(&format!("    pub {}: {ty},", field.name));
        }
        self.line("}");
        self.line("");
    }

    /// `Ok(e)`/`Some(e)` in a fallible function, else `e`.
    fn wrapped(&self, e: String) -> String {
        match self.wrap {
            Some(Fallible::Result) => format!("Ok({e})"),
            Some(Fallible::Option) => format!("Some({e})"),
            None => e,
        }
    }

    /// The attribute of a function: `#[grad]` or `#[grad(a, b)]`, with `modes(tangent)`
    /// when the program is checked in forward mode, and `hvp` in it when in second order
    /// (only on functions that return a float).
    fn attribute(&self, func: &Function) -> String {
        let mut list = func.wrt.clone();
        let mut modes = Vec::new();
        if self.tangent {
            modes.push("tangent");
        }
        if self.hvp && func.ret == Ret::Float {
            modes.push("hvp");
        }
        if !modes.is_empty() {
            list.push(format!("modes({})", modes.join(", ")));
        }
        if list.is_empty() {
            "#[grad]".to_string()
        } else {
            format!("#[grad({})]", list.join(", "))
        }
    }

    /// The function's signature after `fn `: `f(&self, x0: f64) -> Result<f64, String>`.
    fn signature(&self, func: &Function, fallible: Fallible) -> String {
        let f = self.float();
        let generics = match self.prec {
            Prec::Generic if self.from_primitive => "<T: autodiff::Float + FromPrimitive>",
            Prec::Generic => "<T: autodiff::Float>",
            _ => "",
        };
        let params: Vec<String> = func
            .params
            .iter()
            .map(|p| {
                let ty = match p.ty {
                    ParamTy::Scalar => f.to_string(),
                    ParamTy::Array(n) => format!("[{f}; {n}]"),
                    ParamTy::ArrayRef(n) => format!("&[{f}; {n}]"),
                    ParamTy::Slice(_) => format!("&[{f}]"),
                    ParamTy::Matrix(n, m) => format!("&[[{f}; {m}]; {n}]"),
                    ParamTy::Usize(_) => "usize".to_string(),
                    ParamTy::Struct(k) => format!("&{}", self.struct_ty(k)),
                };
                if p.name == "self" {
                    return "&self".to_string();
                }
                format!("{}: {ty}", p.name)
            })
            .collect();
        let mut ret = match func.ret {
            Ret::Float => f.to_string(),
            Ret::Array(n) => format!("[{f}; {n}]"),
            Ret::Vec(_) => format!("Vec<{f}>"),
        };
        if func.fallible {
            ret = match fallible {
                Fallible::Result => format!("Result<{ret}, String>"),
                Fallible::Option => format!("Option<{ret}>"),
            };
        }
        format!("{}{generics}({}) -> {ret}", func.name, params.join(", "))
    }

    fn function(&mut self, func: &Function, fallible: Fallible) {
        if !self.on_impl {
            self.line(&self.attribute(func));
        }
        let vis = if self.in_trait { "" } else { "pub " };
        let sig = self.signature(func, fallible);
        self.line(&format!("{vis}fn {sig} {{"));
        self.wrap = func.fallible.then_some(fallible);
        self.indent += 1;
        self.stmts(&func.body.stmts);
        let tail = self.expr_at(&func.body.tail, 0);
        let tail = self.wrapped(tail);
        self.line(&tail);
        self.indent -= 1;
        self.wrap = None;
        self.line("}");
    }
}

/// The `#[grad]` items of a program (consts, helpers, `f`), without the runner.
pub fn program_items(p: &Program) -> String {
    let plain = items(p, false);
    if plain.contains("T::from_f64(") {
        format!("use num_traits::FromPrimitive;\n\n{}", items(p, true))
    } else {
        plain
    }
}

fn items(p: &Program, from_primitive: bool) -> String {
    let mut pr = Printer {
        prec: p.prec,
        structs: &p.structs,
        out: String::new(),
        indent: 0,
        from_primitive,
        wrap: None,
        in_trait: false,
        on_impl: false,
        tangent: checks_tangent(p),
        hvp: checks_hvp(p),
        records: p.records,
        widened: p.widened,
    };
    let f = match p.prec {
        Prec::F32 => "f32",
        _ => "f64",
    };
    for k in 0..p.structs.len() {
        pr.structure(k);
    }
    if p.records {
        pr.line("#[derive(Clone, Copy)]");
        pr.line("#[allow(dead_code)]");
        pr.line("struct Rec<F> {");
        pr.line("    v: F,");
        pr.line("}");
        pr.line("");
    }
    for c in &p.consts {
        let vs: Vec<String> = c
            .values
            .iter()
            .map(|&v| match c.suffixed {
                true => suffixed(v, f, v.fract() != 0.0),
                false => format!("{v:?}"),
            })
            .collect();
        let (name, vs) = (&c.name, vs.join(", "));
        pr.line(&match c.kind {
            ConstKind::Table => format!("const {name}: [{f}; {}] = [{vs}];", c.values.len()),
            ConstKind::Slice => format!("const {name}: &[{f}] = &[{vs}];"),
            ConstKind::Scalar => format!("const {name}: {f} = {vs};"),
            ConstKind::Size => format!("const {name}: usize = {};", c.values[0] as usize),
        });
    }
    if !p.consts.is_empty() {
        pr.line("");
    }
    for h in &p.helpers {
        pr.function(h, p.fallible);
        pr.line("");
    }
    let Some(method) = p.method else {
        pr.function(&p.main, p.fallible);
        pr.line("");
        return pr.out;
    };
    // `f` as a method of `M`, in an inherent impl or in a trait impl.
    let ty = pr.struct_ty(p.model_of_method());
    let sig = pr.signature(&p.main, p.fallible);
    if method.trait_impl {
        pr.line("pub trait Objective {");
        pr.line(&format!("    fn {sig};"));
        pr.line("}");
        pr.line("");
    }
    if method.on_impl {
        pr.line(&pr.attribute(&p.main));
    }
    if method.trait_impl {
        pr.line(&format!("impl Objective for {ty} {{"));
    } else {
        pr.line(&format!("impl {ty} {{"));
    }
    pr.indent = 1;
    pr.in_trait = method.trait_impl;
    pr.on_impl = method.on_impl;
    pr.function(&p.main, p.fallible);
    pr.indent = 0;
    pr.line("}");
    pr.line("");
    pr.out
}

/// `2f64`, `2_f64`, `1.5_f32`: `v` with the suffix `ty`.
fn suffixed(v: f64, ty: &str, underscore: bool) -> String {
    let digits = if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:?}")
    };
    let sep = if underscore { "_" } else { "" };
    format!("{digits}{sep}{ty}")
}

/// The whole module file: imports, the program, and `run`, which returns tagged rows of
/// numbers: `grad` (value, gradient), `adjoint` (value, accumulators), `const` (value,
/// accumulators of the parameters that were not `Const`).
pub fn program_module(p: &Program) -> String {
    let mut out = String::new();
    out.push_str("use autodiff::grad;\n");
    let items = program_items(p);
    if !items.starts_with("use ") {
        out.push('\n');
    }
    out.push_str(&items);
    out.push_str(&runner(p));
    out
}

fn runner(p: &Program) -> String {
    let mut r = Runner {
        p,
        out: String::new(),
    };
    let _ = writeln!(r.out, "pub fn run() -> Vec<(&'static str, Vec<f64>)> {{");
    r.line("let mut rows = Vec::new();");
    r.main();
    for (k, check) in p.vjps.iter().enumerate() {
        r.vjp(k, check);
    }
    r.line("rows");
    r.out.push_str("}\n");
    r.out
}

/// Writes the body of `run`.
struct Runner<'a> {
    p: &'a Program,
    out: String,
}

impl Runner<'_> {
    fn line(&mut self, s: &str) {
        let _ = writeln!(self.out, "    {s}");
    }

    /// The runner's float type: generic programs run in f64.
    fn float(&self) -> &'static str {
        match self.p.prec {
            Prec::F32 => "f32",
            _ => "f64",
        }
    }

    /// The type of an argument's value (what a reference parameter borrows).
    fn ty(&self, ty: ParamTy) -> String {
        let f = self.float();
        match ty {
            ParamTy::Scalar => f.to_string(),
            ParamTy::Array(n) | ParamTy::ArrayRef(n) => format!("[{f}; {n}]"),
            ParamTy::Slice(_) => format!("Vec<{f}>"),
            ParamTy::Matrix(n, m) => format!("[[{f}; {m}]; {n}]"),
            ParamTy::Usize(_) => "usize".to_string(),
            ParamTy::Struct(k) => {
                let name = &self.p.structs[k].name;
                match self.p.prec {
                    Prec::Generic => format!("{name}<f64>"),
                    _ => name.clone(),
                }
            }
        }
    }

    /// A value of type `ty` as a literal, taking its flattened values from `values`.
    fn literal(&self, ty: ParamTy, values: &mut impl Iterator<Item = f64>) -> String {
        fn list(values: &mut impl Iterator<Item = f64>, n: usize) -> String {
            let items: Vec<String> = values.take(n).map(|v| format!("{v:?}")).collect();
            items.join(", ")
        }
        match ty {
            ParamTy::Scalar => list(values, 1),
            ParamTy::Array(n) | ParamTy::ArrayRef(n) => format!("[{}]", list(values, n)),
            ParamTy::Slice(n) => format!("vec![{}]", list(values, n)),
            ParamTy::Matrix(n, m) => {
                let rows: Vec<String> = (0..n).map(|_| format!("[{}]", list(values, m))).collect();
                format!("[{}]", rows.join(", "))
            }
            ParamTy::Usize(v) => v.to_string(),
            ParamTy::Struct(k) => {
                let def = &self.p.structs[k];
                let fields: Vec<String> = def
                    .fields
                    .iter()
                    .map(|f| format!("{}: {}", f.name, self.literal(f.ty.as_param(), values)))
                    .collect();
                format!("{} {{ {} }}", def.name, fields.join(", "))
            }
        }
    }

    /// Declares one argument per parameter (`let a0: [f64; 3] = [..];`) and returns how they
    /// are passed (`a0, &a1`).
    fn arguments(&mut self, prefix: &str, params: &[Param], inputs: &[Vec<f64>]) -> String {
        let mut args = Vec::new();
        for (k, (param, input)) in params.iter().zip(inputs).enumerate() {
            let name = format!("{prefix}{k}");
            let value = self.literal(param.ty, &mut input.iter().copied());
            let ty = self.ty(param.ty);
            self.line(&format!("let {name}: {ty} = {value};"));
            args.push(match param.ty {
                ParamTy::Scalar | ParamTy::Array(_) | ParamTy::Usize(_) => name,
                _ => format!("&{name}"),
            });
        }
        args.join(", ")
    }

    /// One shadow per float parameter: `autodiff::Const` where `constant(i)` holds for the
    /// `i`-th, else an accumulator declared at `SEED` everywhere (`&mut d0`). Returns the
    /// shadows and the accumulators with their types.
    fn shadows(
        &mut self,
        prefix: &str,
        params: &[Param],
        constant: impl Fn(usize) -> bool,
    ) -> (String, Vec<(String, ParamTy)>) {
        let structs = &self.p.structs;
        let floats: Vec<(usize, ParamTy)> = params
            .iter()
            .enumerate()
            .filter(|(_, q)| q.ty.floats(structs) > 0)
            .map(|(k, q)| (k, q.ty))
            .collect();
        let mut shadows = Vec::new();
        let mut active = Vec::new();
        for (i, (k, ty)) in floats.into_iter().enumerate() {
            if constant(i) {
                shadows.push("autodiff::Const".to_string());
                continue;
            }
            let name = format!("{prefix}{k}");
            let n = ty.values(&self.p.structs);
            let value = self.literal(ty, &mut std::iter::repeat_n(SEED, n));
            let t = self.ty(ty);
            self.line(&format!("let mut {name}: {t} = {value};"));
            shadows.push(format!("&mut {name}"));
            active.push((name, ty));
        }
        (shadows.join(", "), active)
    }

    /// `CALLS` calls of `NAME_adjoint` into the same shadows; the last one's value is `v`.
    fn adjoint(&mut self, name: &str, args: &str, d_out: &str, shadows: &str) {
        let args = [args, d_out, shadows]
            .iter()
            .filter(|a| !a.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        let call = format!("{name}_adjoint({args})");
        for _ in 1..CALLS {
            // A fallible `_adjoint` returns a `Result`, which must be used.
            self.line(&format!("let _ = {call};"));
        }
        self.line(&format!("let v = {call};"));
    }

    /// Appends a gradient or accumulator to `row` as f64, flattened as the oracle flattens
    /// the parameter: row-major, a struct field by field.
    fn push_flat(&mut self, name: &str, ty: ParamTy) {
        let p = self.p;
        match ty {
            ParamTy::Scalar => self.line(&format!("row.push({name} as f64);")),
            ParamTy::Matrix(..) => self.line(&format!(
                "row.extend({name}.iter().flatten().map(|v| *v as f64));"
            )),
            ParamTy::Struct(k) => {
                for f in &p.structs[k].fields {
                    self.push_flat(&format!("{name}.{}", f.name), f.ty.as_param());
                }
            }
            ParamTy::Usize(_) => {}
            _ => self.line(&format!("row.extend({name}.iter().map(|v| *v as f64));")),
        }
    }

    /// The rows `grad` (value, then the gradient of the parameters `f_grad` differentiates),
    /// `adjoint` (value, then every accumulator after `CALLS` calls) and `const` (the same
    /// with `Const` for every second float parameter, the first when their number is odd).
    fn main(&mut self) {
        let p = self.p;
        let f = &p.main;
        let mut args = self.arguments("a", &f.params, &p.inputs);
        // A method is called on its first argument: `a0.f_grad(a1, ..)`.
        let name = match p.method {
            Some(_) => {
                let rest = args.split_once(", ").map_or("", |(_, rest)| rest);
                args = rest.to_string();
                format!("a0.{}", f.name)
            }
            None => f.name.clone(),
        };
        let floats = f
            .params
            .iter()
            .filter(|q| q.ty.floats(&p.structs) > 0)
            .count();
        let grads: Vec<&Param> = f
            .params
            .iter()
            .filter(|q| q.ty.floats(&p.structs) > 0 && f.in_grad(q))
            .collect();
        let names: Vec<String> = if grads.len() == 1 {
            vec!["g".to_string()]
        } else {
            (0..grads.len()).map(|i| format!("g{i}")).collect()
        };
        let g = match names.as_slice() {
            [one] => one.clone(),
            _ => format!("({})", names.join(", ")),
        };
        let ok = self.ok();
        if f.fallible {
            // An `Err`/`None` leaves the row empty.
            self.line("let mut row = Vec::new();");
            self.line(&format!("if let {ok}((v, {g})) = {name}_grad({args}) {{"));
            self.line("row.push(v as f64);");
        } else {
            self.line(&format!("let (v, {g}) = {name}_grad({args});"));
            self.line("let mut row = vec![v as f64];");
        }
        for (g, q) in names.iter().zip(&grads) {
            self.push_flat(g, q.ty);
        }
        if f.fallible {
            self.line("}");
        }
        self.line("rows.push((\"grad\", row));");
        for (tag, some_const) in [("adjoint", false), ("const", true)] {
            // Every second one, the first (a model) when their number is odd.
            let constant = |i: usize| some_const && (i + floats) % 2 == 1;
            let (shadows, active) = self.shadows("d", &f.params, constant);
            self.adjoint(&name, &args, &format!("{D_OUT:?}"), &shadows);
            let m = if active.is_empty() { "" } else { "mut " };
            if f.fallible {
                // The value if `Ok`/`Some`, nothing on an `Err`/`None`.
                self.line(&format!(
                    "let {m}row: Vec<f64> = v.into_iter().map(|v| v as f64).collect();"
                ));
            } else {
                self.line(&format!("let {m}row = vec![v as f64];"));
            }
            for (d, ty) in &active {
                self.push_flat(d, *ty);
            }
            self.line(&format!("rows.push((\"{tag}\", row));"));
        }
        if checks_tangent(p) {
            self.tangent(&name, &args);
        }
        if checks_hvp(p) {
            self.hvp(&name, &args);
        }
    }

    /// `Ok` or `Some`: how the program's fallible functions succeed.
    fn ok(&self) -> &'static str {
        match self.p.fallible {
            Fallible::Result => "Ok",
            Fallible::Option => "Some",
        }
    }

    /// Declares the direction of the `tangent` and `hvp` rows for each float parameter of
    /// `f` (`only_grad`: those `f_grad` differentiates) as `{prefix}k`, and returns how they
    /// are passed (scalars by value, arrays by reference) with the parameters' types.
    fn directions(&mut self, prefix: &str, only_grad: bool) -> (Vec<String>, Vec<ParamTy>) {
        let p = self.p;
        let (mut passed, mut types) = (Vec::new(), Vec::new());
        let mut at = 0;
        for (k, q) in p.main.params.iter().enumerate() {
            let n = q.ty.floats(&p.structs);
            let range = at..at + n;
            at += n;
            if n == 0 || (only_grad && !p.main.in_grad(q)) {
                continue;
            }
            let t = format!("{prefix}{k}");
            let value = self.literal(q.ty, &mut range.map(direction));
            let ty = self.ty(q.ty);
            self.line(&format!("let {t}: {ty} = {value};"));
            passed.push(match q.ty {
                ParamTy::Scalar => t,
                _ => format!("&{t}"),
            });
            types.push(q.ty);
        }
        (passed, types)
    }

    /// `NAME_suffix(args.., extra..)`.
    fn call(name: &str, suffix: &str, args: &str, extra: &[String]) -> String {
        let all: Vec<&str> = [args]
            .into_iter()
            .filter(|a| !a.is_empty())
            .chain(extra.iter().map(String::as_str))
            .collect();
        format!("{name}_{suffix}({})", all.join(", "))
    }

    /// The row `hvp`: the value, the gradient and the Hessian times [`direction`] (laid out
    /// as the gradient, on the parameters `f_grad` differentiates), from `NAME_hvp`.
    fn hvp(&mut self, name: &str, args: &str) {
        let (directions, grads) = self.directions("u", true);
        let names = |prefix: &str| -> Vec<String> {
            match grads.len() {
                1 => vec![prefix.to_string()],
                n => (0..n).map(|i| format!("{prefix}{i}")).collect(),
            }
        };
        let (gs, hs) = (names("g"), names("hv"));
        let tuple = |names: &[String]| match names {
            [one] => one.clone(),
            _ => format!("({})", names.join(", ")),
        };
        let pattern = format!("(v, {}, {})", tuple(&gs), tuple(&hs));
        let call = Self::call(name, "hvp", args, &directions);
        let fallible = self.p.main.fallible;
        if fallible {
            let ok = self.ok();
            self.line("let mut row = Vec::new();");
            self.line(&format!("if let {ok}({pattern}) = {call} {{"));
            self.line("row.push(v as f64);");
        } else {
            self.line(&format!("let {pattern} = {call};"));
            self.line("let mut row = vec![v as f64];");
        }
        for (g, ty) in gs.iter().chain(&hs).zip(grads.iter().chain(&grads)) {
            self.push_flat(g, *ty);
        }
        if fallible {
            self.line("}");
        }
        self.line("rows.push((\"hvp\", row));");
    }

    /// The row `tangent`: the value and the derivative along [`direction`], from
    /// `NAME_tangent` (arrays' tangents by reference).
    fn tangent(&mut self, name: &str, args: &str) {
        let (tangents, _) = self.directions("t", false);
        let call = Self::call(name, "tangent", args, &tangents);
        if self.p.main.fallible {
            let ok = self.ok();
            self.line("let mut row = Vec::new();");
            self.line(&format!(
                "if let {ok}((v, t)) = {call} {{ row.push(v as f64); row.push(t as f64); }}"
            ));
        } else {
            self.line(&format!("let (v, t) = {call};"));
            self.line("let row = vec![v as f64, t as f64];");
        }
        self.line("rows.push((\"tangent\", row));");
    }

    /// The row `vjp:NAME`: the helper's array, then its accumulators after `CALLS` calls of
    /// its `_adjoint` with the check's `d_out`.
    fn vjp(&mut self, k: usize, check: &VjpCheck) {
        let p = self.p;
        let h = p
            .helpers
            .iter()
            .find(|h| h.name == check.helper)
            .expect("a check names a helper");
        let args = self.arguments(&format!("b{k}_"), &h.params, &check.inputs);
        let d_out = format!("o{k}");
        let value = self.literal(
            ParamTy::Array(check.d_out.len()),
            &mut check.d_out.iter().copied(),
        );
        let ty = self.ty(ParamTy::Array(check.d_out.len()));
        self.line(&format!("let {d_out}: {ty} = {value};"));
        let (shadows, active) = self.shadows(&format!("e{k}_"), &h.params, |_| false);
        self.adjoint(&h.name, &args, &format!("&{d_out}"), &shadows);
        let m = if active.is_empty() { "" } else { "mut " };
        self.line(&format!(
            "let {m}row: Vec<f64> = v.iter().map(|v| *v as f64).collect();"
        ));
        for (d, ty) in &active {
            self.push_flat(d, *ty);
        }
        self.line(&format!("rows.push((\"vjp:{}\", row));", h.name));
    }
}
