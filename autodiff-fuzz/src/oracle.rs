//! The exact oracle: the program's AST interpreted with forward-mode dual numbers, one
//! tangent per float input coordinate. Also the judge of what is a fair test: a program that
//! leaves a function's smooth domain, comes near a tie in a comparison, or grows too large is
//! rejected (`Err(Reject)`) and the generator draws another.

use crate::ast::*;
use std::collections::HashMap;
use std::rc::Rc;

/// Why a program is not a fair test at its inputs.
#[derive(Debug)]
pub struct Reject(pub String);

type R<T> = Result<T, Reject>;

fn reject<T>(why: impl Into<String>) -> R<T> {
    Err(Reject(why.into()))
}

/// A fallible function's `Err`/`None`, carried as a [`Reject`] so that it leaves every
/// evaluation as `?` does in the program; `evaluate` turns it back into a result.
const FAILED: &str = "\0failed";

fn failed(r: &Reject) -> bool {
    r.0 == FAILED
}

/// A value and its derivative along every input coordinate, and second order along one
/// direction `u` of the inputs (nested forward mode: every number is `x + ε u·∇x`, each of
/// its tangents too): `e` is the value's derivative along `u`, and `h[i]` the derivative of
/// `d[i]` along `u`, so that at the output `h` is the Hessian times `u`.
#[derive(Clone, Debug)]
pub struct Dual {
    pub v: f64,
    pub d: Vec<f64>,
    pub e: f64,
    pub h: Vec<f64>,
}

/// The second partial derivatives `[∂aa, ∂ab, ∂bb]` of an operation of two arguments that
/// is linear in each (`a + b`, `a - b`): none.
const LINEAR: [f64; 3] = [0.0; 3];
/// Of `a * b`.
const PRODUCT: [f64; 3] = [0.0, 1.0, 0.0];

/// The second partials of `a / b`: `∂ab = -1 / b²`, `∂bb = 2a / b³`.
fn quotient(a: f64, b: f64) -> [f64; 3] {
    [0.0, -1.0 / (b * b), 2.0 * a / (b * b * b)]
}

impl Dual {
    fn constant(v: f64, dim: usize) -> Dual {
        Dual {
            v,
            d: vec![0.0; dim],
            e: 0.0,
            h: vec![0.0; dim],
        }
    }

    /// The result `v = f(a)` with `f'(a) = da` and `f''(a) = daa`: tangent `a.d * da`, and
    /// its derivative along `u` by the product rule, `a.h * da + a.d * daa * a.e`.
    fn chain(v: f64, a: &Dual, da: f64, daa: f64) -> Dual {
        let s = daa * a.e;
        Dual {
            v,
            d: a.d.iter().map(|t| t * da).collect(),
            e: a.e * da,
            h: a.h.iter().zip(&a.d).map(|(h, t)| h * da + t * s).collect(),
        }
    }

    /// The result `v = f(a, b)` with first partials `da`, `db` and second partials
    /// `[daa, dab, dbb]`: tangent `a.d * da + b.d * db`, and its derivative along `u`,
    /// `a.h * da + b.h * db + a.d * (daa a.e + dab b.e) + b.d * (dab a.e + dbb b.e)`.
    fn chain2(v: f64, a: &Dual, da: f64, b: &Dual, db: f64, second: [f64; 3]) -> Dual {
        let [daa, dab, dbb] = second;
        let (sa, sb) = (daa * a.e + dab * b.e, dab * a.e + dbb * b.e);
        Dual {
            v,
            d: a.d.iter().zip(&b.d).map(|(x, y)| x * da + y * db).collect(),
            e: a.e * da + b.e * db,
            h: (a.h.iter().zip(&b.h))
                .zip(a.d.iter().zip(&b.d))
                .map(|((ha, hb), (ta, tb))| ha * da + hb * db + ta * sa + tb * sb)
                .collect(),
        }
    }
}

#[derive(Clone)]
enum Val {
    F(Dual),
    I(i64),
    Arr(Vec<Dual>),
    Mat(Vec<Vec<Dual>>),
    Closure(Rc<Closure>),
    /// A struct's fields by name. A struct bound to `m` is also bound field by field, as
    /// `m.w` and `m.inner.b`: the names the generated code reads.
    Struct(Vec<(String, Val)>),
}

struct Closure {
    params: Vec<String>,
    body: Expr,
    /// The environment at the definition: closures only capture immutable bindings.
    env: Vec<(String, Val)>,
}

enum Flow {
    Next,
    Break,
    Continue,
    Return(Dual),
}

/// What a program must compute.
#[derive(Clone, Debug)]
pub struct Expected {
    /// `f`'s value.
    pub value: f64,
    /// `f`'s gradient, flattened in parameter order as [`ParamTy::floats`] counts.
    pub gradient: Vec<f64>,
    /// One per [`VjpCheck`], in order.
    pub vjps: Vec<Vjp>,
    /// A fallible `f` returns `Err`/`None` at its inputs (`value` and `gradient` are 0).
    pub failed: bool,
    /// The Hessian of `f` times [`hvp_direction`], flattened as `gradient`; `None` when an
    /// intermediate second-order number grew past the magnitude limit or was not finite, so
    /// that rounding could swamp the comparison (the program is still a fair first-order
    /// test: this never rejects a draw).
    pub hvp: Option<Vec<f64>>,
}

/// The direction `u` of the `hvp` row, over `f`'s float coordinates flattened as the
/// gradient: [`print::direction`](crate::print::direction) of the coordinate's index on the
/// parameters `f_grad` differentiates (the ones `f_hvp` takes a direction for), 0 elsewhere.
pub fn hvp_direction(p: &Program) -> Vec<f64> {
    let mut u = Vec::new();
    for q in &p.main.params {
        let n = q.ty.floats(&p.structs);
        for _ in 0..n {
            let on = p.main.in_grad(q);
            u.push(if on {
                crate::print::direction(u.len())
            } else {
                0.0
            });
        }
    }
    u
}

/// A helper's array result and the vector-Jacobian product its `_adjoint` must add.
#[derive(Clone, Debug)]
pub struct Vjp {
    pub outputs: Vec<f64>,
    /// `d_outᵀ J`, flattened over the helper's parameters.
    pub product: Vec<f64>,
}

/// What `p` must compute: `f`'s value and gradient at `p.inputs`, and every checked helper's
/// vector-Jacobian product.
pub fn evaluate(p: &Program) -> Result<Expected, Reject> {
    let dim: usize = p.main.params.iter().map(|q| q.ty.floats(&p.structs)).sum();
    let u = hvp_direction(p);
    well_conditioned(p, &p.main, &p.inputs)?;
    let (out, failed, tame) = match differentiate(p, &p.main, &p.inputs, &u) {
        Ok((Val::F(out), tame)) => (out, false, tame),
        Ok(_) => return reject("f returns an array"),
        Err(r) if failed(&r) => (Dual::constant(0.0, dim), true, true),
        Err(r) => return Err(r),
    };
    let mut vjps = Vec::new();
    for check in &p.vjps {
        let Some(h) = p.helpers.iter().find(|h| h.name == check.helper) else {
            return reject(format!("no helper {}", check.helper));
        };
        well_conditioned(p, h, &check.inputs)?;
        let Val::Arr(outputs) = differentiate(p, h, &check.inputs, &[])?.0 else {
            return reject(format!("{} returns a float", check.helper));
        };
        if outputs.len() != check.d_out.len() {
            return reject(format!("{} returns {} values", h.name, outputs.len()));
        }
        let dim = h.params.iter().map(|q| q.ty.floats(&p.structs)).sum();
        let mut product = vec![0.0; dim];
        for (o, w) in outputs.iter().zip(&check.d_out) {
            for (p, t) in product.iter_mut().zip(&o.d) {
                *p += w * t;
            }
        }
        vjps.push(Vjp {
            outputs: outputs.iter().map(|o| o.v).collect(),
            product,
        });
    }
    Ok(Expected {
        value: out.v,
        gradient: out.d,
        vjps,
        failed,
        hvp: tame.then_some(out.h),
    })
}

/// Whether an f32 program computes `f` at `inputs` in f32 as it does in f64: every number
/// rounded to f32 as it is made, its values must agree to 1e-3 (relative) with the exact
/// ones. One that amplifies rounding (`cos` of a sum of squares in the hundreds, fed back
/// into that sum: fuzz seed 97531, p00029, off by 8% in its value) is not a fair test of its
/// derivatives in f32.
fn well_conditioned(p: &Program, f: &Function, inputs: &[Vec<f64>]) -> R<()> {
    if p.prec != Prec::F32 {
        return Ok(());
    }
    let values = |round: bool| -> R<Vec<f64>> {
        Ok(match run(p, f, inputs, &[], round) {
            Ok((Val::F(d), _)) => vec![d.v],
            Ok((Val::Arr(ds), _)) => ds.iter().map(|d| d.v).collect(),
            Ok(_) => Vec::new(),
            Err(r) if failed(&r) => Vec::new(),
            Err(r) => return Err(r),
        })
    };
    let (exact, rounded) = (values(false)?, values(true).unwrap_or_default());
    let agree = |a: f64, b: f64| (a - b).abs() <= 1e-3 * (1.0 + a.abs().max(b.abs()));
    if exact.len() != rounded.len() || exact.iter().zip(&rounded).any(|(a, b)| !agree(*a, *b)) {
        return reject(format!(
            "ill-conditioned in f32: {exact:?} rounded to {rounded:?}"
        ));
    }
    Ok(())
}

/// `f`'s result at `inputs`, with one tangent per float coordinate of its parameters and
/// second order along `u` (one entry per coordinate; empty for none), and whether every
/// second-order number along the way stayed within the magnitude limit.
fn differentiate(p: &Program, f: &Function, inputs: &[Vec<f64>], u: &[f64]) -> R<(Val, bool)> {
    run(p, f, inputs, u, false)
}

/// [`differentiate`], every value rounded to f32 as it is made when `round`.
fn run(p: &Program, f: &Function, inputs: &[Vec<f64>], u: &[f64], round: bool) -> R<(Val, bool)> {
    let dim: usize = f.params.iter().map(|q| q.ty.floats(&p.structs)).sum();
    let mut it = Interp {
        prog: p,
        dim,
        round,
        tie: if p.prec == Prec::F32 { 1e-3 } else { 1e-9 },
        steps: 0,
        tame: true,
        consts: p
            .consts
            .iter()
            .map(|c| (c.name.clone(), c.values.clone()))
            .collect(),
    };
    let mut args = Vec::new();
    let mut coord = 0;
    for (param, input) in f.params.iter().zip(inputs) {
        let seeded = param.ty.floats(&p.structs) > 0;
        let mut values = input.iter().map(|&v| {
            let mut d = Dual::constant(v, dim);
            if seeded {
                d.d[coord] = 1.0;
                d.e = u.get(coord).copied().unwrap_or(0.0);
                coord += 1;
            }
            d
        });
        args.push(it.input(param.ty, &mut values));
    }
    let out = it.call(f, args)?;
    Ok((out, it.tame))
}

struct Interp<'a> {
    prog: &'a Program,
    dim: usize,
    /// Relative distance from a tie (comparison, max/min, abs at 0) that a program must keep,
    /// so rounding (f32 against this f64 interpreter) cannot flip a decision.
    tie: f64,
    steps: usize,
    /// No second-order number so far was large or not finite (see [`Expected::hvp`]).
    tame: bool,
    /// Every value rounded to f32 as it is made (see [`well_conditioned`]).
    round: bool,
    consts: HashMap<String, Vec<f64>>,
}

const MAX_STEPS: usize = 200_000;
const MAX_MAGNITUDE: f64 = 1e6;
/// How close to the edge of a function's domain (ln, sqrt, division, asin, ...) inputs may go.
const DOMAIN_MARGIN: f64 = 0.05;

impl Interp<'_> {
    /// A parameter's value, taking its flattened values from `values`.
    fn input(&self, ty: ParamTy, values: &mut impl Iterator<Item = Dual>) -> Val {
        fn take(values: &mut impl Iterator<Item = Dual>, n: usize) -> Vec<Dual> {
            values.take(n).collect()
        }
        match ty {
            ParamTy::Scalar => Val::F(values.next().expect("one value per coordinate")),
            ParamTy::Array(n) | ParamTy::ArrayRef(n) | ParamTy::Slice(n) => {
                Val::Arr(take(values, n))
            }
            ParamTy::Matrix(n, m) => Val::Mat((0..n).map(|_| take(values, m)).collect()),
            ParamTy::Usize(v) => Val::I(v as i64),
            ParamTy::Struct(k) => Val::Struct(
                self.prog.structs[k]
                    .fields
                    .iter()
                    .map(|f| (f.name.clone(), self.input(f.ty.as_param(), values)))
                    .collect(),
            ),
        }
    }

    /// Binds `name`, and a struct's fields as `name.field`.
    fn bind(env: &mut Vec<(String, Val)>, name: String, v: Val) {
        if let Val::Struct(fields) = &v {
            for (field, fv) in fields {
                Self::bind(env, format!("{name}.{field}"), fv.clone());
            }
        }
        env.push((name, v));
    }

    /// A float for a function that returns a float, an array for one that returns an array.
    fn call(&mut self, f: &Function, args: Vec<Val>) -> R<Val> {
        let mut env = Vec::new();
        for c in &self.prog.consts {
            let constant = |v: f64| Dual::constant(v, self.dim);
            let v = match c.kind {
                ConstKind::Table | ConstKind::Slice => {
                    Val::Arr(c.values.iter().map(|&v| constant(v)).collect())
                }
                ConstKind::Scalar => Val::F(constant(c.values[0])),
                ConstKind::Size => Val::I(c.values[0] as i64),
            };
            env.push((c.name.clone(), v));
        }
        for (p, v) in f.params.iter().zip(args) {
            Self::bind(&mut env, p.name.clone(), v);
        }
        match self.run(&f.body.stmts, &mut env)? {
            Flow::Return(d) => Ok(Val::F(d)),
            Flow::Next => self.value(&f.body.tail, &mut env),
            Flow::Break | Flow::Continue => reject("break outside a loop"),
        }
    }

    /// The value of an expression that may be an array: an array literal, a call, a name
    /// (`*x` of an array reference too), `x.map(..)`, `from_fn(..)`, an `if` of those.
    fn value(&mut self, e: &Expr, env: &mut Vec<(String, Val)>) -> R<Val> {
        match e {
            Expr::ArrayLit(es, _) => {
                let mut items = Vec::new();
                for e in es {
                    items.push(self.expr(e, env)?);
                }
                Ok(Val::Arr(items))
            }
            Expr::Call(name, args) => self.call_helper(name, args, env),
            Expr::Var(n) => Ok(Self::lookup(env, n)?.clone()),
            Expr::Deref(n) => match Self::lookup(env, n)? {
                Val::Arr(a) => Ok(Val::Arr(a.clone())),
                _ => Ok(Val::F(self.expr(e, env)?)),
            },
            Expr::If(c, t, f) => {
                let branch = if self.cond(c, env)? { t } else { f };
                self.scoped(branch, env, Self::value)
            }
            Expr::MapArray { src, var, body } => {
                let mut items = Vec::new();
                for x in self.array(env, src)? {
                    env.push((var.clone(), Val::F(x)));
                    let item = self.expr(body, env);
                    env.pop();
                    items.push(item?);
                }
                Ok(Val::Arr(items))
            }
            Expr::FromFn { idx, len, body } => {
                let mut items = Vec::new();
                for i in 0..*len {
                    env.push((idx.clone(), Val::I(i as i64)));
                    let item = self.expr(body, env);
                    env.pop();
                    items.push(item?);
                }
                Ok(Val::Arr(items))
            }
            _ => Ok(Val::F(self.expr(e, env)?)),
        }
    }

    fn call_helper(&mut self, name: &str, args: &[Arg], env: &mut Vec<(String, Val)>) -> R<Val> {
        let Some(f) = self.prog.helpers.iter().find(|h| h.name == name) else {
            return reject(format!("no helper {name}"));
        };
        let mut vals = Vec::new();
        for a in args {
            vals.push(match a {
                Arg::Scalar(e) => Val::F(self.expr(e, env)?),
                Arg::Array { name, .. } => match Self::lookup(env, name)? {
                    v @ (Val::Arr(_) | Val::Mat(_) | Val::Struct(_)) => v.clone(),
                    _ => return reject(format!("{name} is not an array")),
                },
                Arg::Row(name, i) => {
                    let i = self.int(i, env)?;
                    match Self::lookup(env, name)? {
                        Val::Mat(m) => Val::Arr(Self::index(m, i)?),
                        _ => return reject(format!("{name} is not a matrix")),
                    }
                }
                Arg::Ref(e) => self.value(e, env)?,
                Arg::Int(i) => Val::I(self.int(i, env)?),
            });
        }
        self.call(f, vals)
    }

    fn check(&mut self, mut d: Dual) -> R<Dual> {
        if self.round {
            d.v = d.v as f32 as f64;
        }
        let big = |x: f64| !x.is_finite() || x.abs() > MAX_MAGNITUDE;
        if big(d.v) || d.d.iter().any(|&t| big(t)) {
            return reject(format!("magnitude {:e}", d.v));
        }
        if big(d.e) || d.h.iter().any(|&t| big(t)) {
            self.tame = false;
        }
        Ok(d)
    }

    fn away_from_tie(&self, a: f64, b: f64) -> R<()> {
        if (a - b).abs() <= self.tie * (1.0 + a.abs() + b.abs()) {
            return reject(format!("tie {a} vs {b}"));
        }
        Ok(())
    }

    fn lookup<'e>(env: &'e mut [(String, Val)], name: &str) -> R<&'e mut Val> {
        match env.iter_mut().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v),
            None => reject(format!("unbound {name}")),
        }
    }

    fn float(&self, env: &mut [(String, Val)], name: &str) -> R<Dual> {
        match Self::lookup(env, name)? {
            Val::F(d) => Ok(d.clone()),
            _ => reject(format!("{name} is not a float")),
        }
    }

    fn array(&self, env: &mut [(String, Val)], name: &str) -> R<Vec<Dual>> {
        if let Some(vs) = self.consts.get(name) {
            return Ok(vs.iter().map(|&v| Dual::constant(v, self.dim)).collect());
        }
        match Self::lookup(env, name)? {
            Val::Arr(a) => Ok(a.clone()),
            _ => reject(format!("{name} is not an array")),
        }
    }

    fn int(&mut self, e: &IExpr, env: &mut [(String, Val)]) -> R<i64> {
        let v = match e {
            IExpr::Lit(v) => *v as i64,
            IExpr::Var(n) => match Self::lookup(env, n)? {
                Val::I(i) => *i,
                _ => return reject(format!("{n} is not an integer")),
            },
            IExpr::Len(n) => match Self::lookup(env, n)? {
                Val::Arr(a) => a.len() as i64,
                Val::Mat(m) => m.len() as i64,
                _ => return reject(format!("{n} has no length")),
            },
            IExpr::Add(a, b) => self.int(a, env)? + self.int(b, env)?,
            IExpr::Sub(a, b) => self.int(a, env)? - self.int(b, env)?,
            IExpr::Mul(a, b) => self.int(a, env)? * self.int(b, env)?,
            IExpr::Rem(a, b) => {
                let (a, b) = (self.int(a, env)?, self.int(b, env)?);
                if b == 0 {
                    return reject("remainder by zero");
                }
                a % b
            }
        };
        if v < 0 {
            return reject("usize underflow");
        }
        Ok(v)
    }

    fn index<T: Clone>(items: &[T], i: i64) -> R<T> {
        match items.get(i as usize) {
            Some(v) => Ok(v.clone()),
            None => reject(format!("index {i} out of bounds {}", items.len())),
        }
    }

    fn expr(&mut self, e: &Expr, env: &mut Vec<(String, Val)>) -> R<Dual> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return reject("too many steps");
        }
        let dim = self.dim;
        let d = match e {
            Expr::Lit(v, _) => Dual::constant(*v, dim),
            Expr::Var(n) | Expr::Deref(n) => self.float(env, n)?,
            Expr::Index(n, i) => {
                let i = self.int(i, env)?;
                Self::index(&self.array(env, n)?, i)?
            }
            Expr::Index2(n, i, j) => {
                let (i, j) = (self.int(i, env)?, self.int(j, env)?);
                match Self::lookup(env, n)? {
                    Val::Mat(m) => {
                        let row = Self::index(m, i)?;
                        Self::index(&row, j)?
                    }
                    _ => return reject(format!("{n} is not a matrix")),
                }
            }
            Expr::Cast(i) => Dual::constant(self.int(i, env)? as f64, dim),
            Expr::Neg(a) => {
                let a = self.expr(a, env)?;
                Dual::chain(-a.v, &a, -1.0, 0.0)
            }
            Expr::Bin(op, a, b) => {
                let (a, b) = (self.expr(a, env)?, self.expr(b, env)?);
                match op {
                    BinOp::Add => Dual::chain2(a.v + b.v, &a, 1.0, &b, 1.0, LINEAR),
                    BinOp::Sub => Dual::chain2(a.v - b.v, &a, 1.0, &b, -1.0, LINEAR),
                    BinOp::Mul => Dual::chain2(a.v * b.v, &a, b.v, &b, a.v, PRODUCT),
                    BinOp::Div => {
                        if b.v.abs() < DOMAIN_MARGIN {
                            return reject("division near zero");
                        }
                        Dual::chain2(
                            a.v / b.v,
                            &a,
                            1.0 / b.v,
                            &b,
                            -a.v / (b.v * b.v),
                            quotient(a.v, b.v),
                        )
                    }
                }
            }
            Expr::Un(f, a, _) => {
                let a = self.expr(a, env)?;
                self.unary(*f, &a)?
            }
            Expr::Bin2(f, a, b, _) => {
                let (a, b) = (self.expr(a, env)?, self.expr(b, env)?);
                self.binary(*f, &a, &b)?
            }
            Expr::Powi(a, k) => {
                let a = self.expr(a, env)?;
                if *k < 0 && a.v.abs() < DOMAIN_MARGIN {
                    return reject("negative power near zero");
                }
                // k (k - 1) x^(k - 2), written so that k = 0, 1 at x = 0 give 0, not 0 * inf.
                let second = match k {
                    0 | 1 => 0.0,
                    _ => (*k as f64) * (*k as f64 - 1.0) * a.v.powi(k - 2),
                };
                Dual::chain(a.v.powi(*k), &a, *k as f64 * a.v.powi(k - 1), second)
            }
            Expr::MulAdd(a, b, c) => {
                let (a, b, c) = (self.expr(a, env)?, self.expr(b, env)?, self.expr(c, env)?);
                let ab = Dual::chain2(a.v.mul_add(b.v, c.v), &a, b.v, &b, a.v, PRODUCT);
                Dual::chain2(ab.v, &ab, 1.0, &c, 1.0, LINEAR)
            }
            Expr::If(c, t, f) => {
                let branch = if self.cond(c, env)? { t } else { f };
                self.block(branch, env)?
            }
            Expr::Match(s, arms, default) => {
                let s = self.int(s, env)?;
                let arm = arms.iter().find(|(k, _)| *k as i64 == s).map(|(_, b)| b);
                self.block(arm.unwrap_or(default), env)?
            }
            Expr::Call(name, args) => match self.call_helper(name, args, env)? {
                Val::F(d) => d,
                _ => return reject(format!("{name} returns an array")),
            },
            // An `Err` leaves through `?`; `.unwrap()` on one would panic: not a fair test.
            Expr::Try(call, question) => match self.expr(call, env) {
                Err(r) if failed(&r) && !question => return reject("unwrap of an Err"),
                r => r?,
            },
            Expr::ClosureCall(name, args) => {
                let Val::Closure(c) = Self::lookup(env, name)?.clone() else {
                    return reject(format!("{name} is not a closure"));
                };
                let mut inner = c.env.clone();
                for (p, a) in c.params.iter().zip(args) {
                    let v = self.expr(a, env)?;
                    inner.push((p.clone(), Val::F(v)));
                }
                self.expr(&c.body, &mut inner)?
            }
            Expr::Chain(c) => self.chain(c, env)?,
            Expr::ArrayLit(..) | Expr::MapArray { .. } | Expr::FromFn { .. } => {
                return reject("an array where a float is read")
            }
        };
        self.check(d)
    }

    /// `f(a)` for a float method: the value, `f'` and `f''` (second order along `u`). The
    /// formulas of `f'` are the ones the first-order oracle always used.
    fn unary(&self, f: UnFn, a: &Dual) -> R<Dual> {
        let x = a.v;
        let need = |ok: bool, what: &str| {
            if ok {
                Ok(())
            } else {
                reject(format!("{what} at {x}"))
            }
        };
        use std::f64::consts::{LN_10, LN_2};
        Ok(match f {
            UnFn::Exp => Dual::chain(x.exp(), a, x.exp(), x.exp()),
            UnFn::Exp2 => Dual::chain(x.exp2(), a, x.exp2() * LN_2, x.exp2() * LN_2 * LN_2),
            UnFn::ExpM1 => Dual::chain(x.exp_m1(), a, x.exp(), x.exp()),
            UnFn::Ln | UnFn::Log10 | UnFn::Log2 => {
                need(x > DOMAIN_MARGIN, "log")?;
                match f {
                    UnFn::Ln => Dual::chain(x.ln(), a, 1.0 / x, -1.0 / (x * x)),
                    UnFn::Log10 => {
                        Dual::chain(x.log10(), a, 1.0 / (x * LN_10), -1.0 / (x * x * LN_10))
                    }
                    _ => Dual::chain(x.log2(), a, 1.0 / (x * LN_2), -1.0 / (x * x * LN_2)),
                }
            }
            UnFn::Ln1p => {
                need(x > DOMAIN_MARGIN - 1.0, "ln_1p")?;
                let r = 1.0 / (1.0 + x);
                Dual::chain(x.ln_1p(), a, 1.0 / (1.0 + x), -r * r)
            }
            UnFn::Sin => Dual::chain(x.sin(), a, x.cos(), -x.sin()),
            UnFn::Cos => Dual::chain(x.cos(), a, -x.sin(), -x.cos()),
            UnFn::Tan => {
                need(x.cos().abs() > 0.2, "tan")?;
                let (t, dt) = (x.tan(), 1.0 + x.tan() * x.tan());
                Dual::chain(t, a, dt, 2.0 * t * dt)
            }
            UnFn::Tanh => {
                let (t, dt) = (x.tanh(), 1.0 - x.tanh() * x.tanh());
                Dual::chain(t, a, dt, -2.0 * t * dt)
            }
            UnFn::Sqrt => {
                need(x > DOMAIN_MARGIN, "sqrt")?;
                Dual::chain(x.sqrt(), a, 0.5 / x.sqrt(), -0.25 / (x * x.sqrt()))
            }
            UnFn::Cbrt => {
                need(x.abs() > DOMAIN_MARGIN, "cbrt")?;
                // d/dx x^(1/3) = 1/3 x^(-2/3), then -2/9 x^(-5/3).
                let c = x.cbrt();
                Dual::chain(c, a, 1.0 / (3.0 * c * c), -2.0 / (9.0 * c.powi(5)))
            }
            // abs'(x) = sign(x), abs'' = 0: the oracle keeps away from 0 (the kink).
            UnFn::Abs => {
                self.away_from_tie(x, 0.0)?;
                Dual::chain(x.abs(), a, x.signum(), 0.0)
            }
            UnFn::Atan => {
                let q = 1.0 + x * x;
                Dual::chain(x.atan(), a, 1.0 / (1.0 + x * x), -2.0 * x / (q * q))
            }
            UnFn::Sinh => Dual::chain(x.sinh(), a, x.cosh(), x.sinh()),
            UnFn::Cosh => Dual::chain(x.cosh(), a, x.sinh(), x.cosh()),
            UnFn::Asin | UnFn::Acos | UnFn::Atanh => {
                need(x.abs() < 1.0 - DOMAIN_MARGIN, "asin/acos/atanh")?;
                let q = 1.0 - x * x;
                // asin'' = x (1 - x²)^(-3/2), acos'' = -asin'', atanh'' = 2x / (1 - x²)².
                let s = x / (q * q.sqrt());
                match f {
                    UnFn::Asin => Dual::chain(x.asin(), a, 1.0 / (1.0 - x * x).sqrt(), s),
                    UnFn::Acos => Dual::chain(x.acos(), a, -1.0 / (1.0 - x * x).sqrt(), -s),
                    _ => Dual::chain(x.atanh(), a, 1.0 / (1.0 - x * x), 2.0 * x / (q * q)),
                }
            }
            UnFn::Asinh => {
                let q = x * x + 1.0;
                Dual::chain(
                    x.asinh(),
                    a,
                    1.0 / (x * x + 1.0).sqrt(),
                    -x / (q * q.sqrt()),
                )
            }
            UnFn::Acosh => {
                need(x > 1.0 + DOMAIN_MARGIN, "acosh")?;
                let q = x * x - 1.0;
                Dual::chain(
                    x.acosh(),
                    a,
                    1.0 / (x * x - 1.0).sqrt(),
                    -x / (q * q.sqrt()),
                )
            }
            UnFn::Recip => {
                need(x.abs() > DOMAIN_MARGIN, "recip")?;
                Dual::chain(x.recip(), a, -1.0 / (x * x), 2.0 / (x * x * x))
            }
            UnFn::Floor => {
                self.away_from_tie(x, x.round())?;
                Dual::chain(x.floor(), a, 0.0, 0.0)
            }
        })
    }

    fn binary(&self, f: Bin2Fn, a: &Dual, b: &Dual) -> R<Dual> {
        let (x, y) = (a.v, b.v);
        Ok(match f {
            Bin2Fn::Powf => {
                if x < DOMAIN_MARGIN {
                    return reject("powf of a small base");
                }
                let v = x.powf(y);
                let ln = x.ln();
                // ∂xx = y (y - 1) x^(y-2), ∂xy = x^(y-1) (1 + y ln x), ∂yy = x^y ln² x.
                let second = [
                    y * (y - 1.0) * x.powf(y - 2.0),
                    x.powf(y - 1.0) * (1.0 + y * ln),
                    v * ln * ln,
                ];
                Dual::chain2(v, a, y * x.powf(y - 1.0), b, v * x.ln(), second)
            }
            // The argument taken, linearly: the oracle keeps away from ties.
            Bin2Fn::Max | Bin2Fn::Min => {
                self.away_from_tie(x, y)?;
                let first = (x > y) == (f == Bin2Fn::Max);
                let v = if f == Bin2Fn::Max { x.max(y) } else { x.min(y) };
                Dual::chain(v, if first { a } else { b }, 1.0, 0.0)
            }
            Bin2Fn::Hypot => {
                let h = x.hypot(y);
                if h < DOMAIN_MARGIN {
                    return reject("hypot near 0");
                }
                let h3 = h * h * h;
                let second = [y * y / h3, -x * y / h3, x * x / h3];
                Dual::chain2(h, a, x / h, b, y / h, second)
            }
            Bin2Fn::Atan2 => {
                // atan2(y = self, x = other): smooth away from the origin and the negative axis.
                let r2 = x * x + y * y;
                if r2 < DOMAIN_MARGIN || (y < 0.0 && x.abs() < DOMAIN_MARGIN) {
                    return reject("atan2 near its cut");
                }
                // With s = self, t = other: ∂ss = -2st / r⁴, ∂st = (s² - t²) / r⁴, ∂tt = -∂ss.
                let r4 = r2 * r2;
                let second = [-2.0 * x * y / r4, (x * x - y * y) / r4, 2.0 * x * y / r4];
                Dual::chain2(x.atan2(y), a, y / r2, b, -x / r2, second)
            }
            // x - q y, q an integer constant between the jumps at integer x / y.
            Bin2Fn::Rem | Bin2Fn::RemEuclid => {
                if y.abs() < DOMAIN_MARGIN {
                    return reject("remainder by nearly 0");
                }
                self.away_from_tie(x / y, (x / y).round())?;
                let v = if f == Bin2Fn::Rem {
                    x % y
                } else {
                    x.rem_euclid(y)
                };
                let q = ((x - v) / y).round();
                Dual::chain2(v, a, 1.0, b, -q, [0.0; 3])
            }
        })
    }
    fn chain(&mut self, c: &Chain, env: &mut Vec<(String, Val)>) -> R<Dual> {
        let dim = self.dim;
        let add = |s: Dual, t: Dual| Dual::chain2(s.v + t.v, &s, 1.0, &t, 1.0, LINEAR);
        let bound = |this: &mut Self,
                     env: &mut Vec<(String, Val)>,
                     binds: Vec<(String, Val)>,
                     body: &Expr| {
            let mark = env.len();
            env.extend(binds);
            let r = this.expr(body, env);
            env.truncate(mark);
            r
        };
        match c {
            Chain::MapSum {
                src,
                adaptors,
                var,
                body,
            } => {
                let xs = self.array(env, src)?;
                let mut idx: Vec<usize> = (0..xs.len()).collect();
                for a in adaptors {
                    idx = match a {
                        Adaptor::Skip(k) => idx.into_iter().skip(*k).collect(),
                        Adaptor::Take(k) => idx.into_iter().take(*k).collect(),
                        Adaptor::Rev => idx.into_iter().rev().collect(),
                        Adaptor::StepBy(k) => idx.into_iter().step_by(*k).collect(),
                    };
                }
                let mut s = Dual::constant(0.0, dim);
                for i in idx {
                    let t = bound(self, env, vec![(var.clone(), Val::F(xs[i].clone()))], body)?;
                    s = add(s, t);
                }
                Ok(s)
            }
            Chain::ZipSum { a, b, va, vb, body } => {
                let (xs, ys) = (self.array(env, a)?, self.array(env, b)?);
                let mut s = Dual::constant(0.0, dim);
                for (x, y) in xs.into_iter().zip(ys) {
                    let binds = vec![(va.clone(), Val::F(x)), (vb.clone(), Val::F(y))];
                    let t = bound(self, env, binds, body)?;
                    s = add(s, t);
                }
                Ok(s)
            }
            Chain::EnumFold {
                src,
                init,
                acc,
                idx,
                var,
                body,
            } => {
                let xs = self.array(env, src)?;
                let mut s = self.expr(init, env)?;
                for (i, x) in xs.into_iter().enumerate() {
                    let binds = vec![
                        (acc.clone(), Val::F(s.clone())),
                        (idx.clone(), Val::I(i as i64)),
                        (var.clone(), Val::F(x)),
                    ];
                    let t = bound(self, env, binds, body)?;
                    s = add(s, t);
                }
                Ok(s)
            }
            Chain::WindowsSum { src, win, body } => {
                let xs = self.array(env, src)?;
                let mut s = Dual::constant(0.0, dim);
                for w in xs.windows(2) {
                    let t = bound(self, env, vec![(win.clone(), Val::Arr(w.to_vec()))], body)?;
                    s = add(s, t);
                }
                Ok(s)
            }
            Chain::Product { src, var, body } => {
                let xs = self.array(env, src)?;
                let mut p = Dual::constant(1.0, dim);
                for x in xs {
                    let t = bound(self, env, vec![(var.clone(), Val::F(x))], body)?;
                    p = Dual::chain2(p.v * t.v, &p, t.v, &t, p.v, PRODUCT);
                }
                Ok(p)
            }
            Chain::Sum { src } => {
                let xs = self.array(env, src)?;
                Ok(xs.into_iter().fold(Dual::constant(0.0, dim), add))
            }
        }
    }

    fn cond(&mut self, c: &Cond, env: &mut Vec<(String, Val)>) -> R<bool> {
        let cmp = |op: CmpOp, a: f64, b: f64| match op {
            CmpOp::Lt => a < b,
            CmpOp::Gt => a > b,
            CmpOp::Le => a <= b,
            CmpOp::Ge => a >= b,
        };
        Ok(match c {
            Cond::Cmp(op, a, b) => {
                let (a, b) = (self.expr(a, env)?, self.expr(b, env)?);
                self.away_from_tie(a.v, b.v)?;
                cmp(*op, a.v, b.v)
            }
            Cond::ICmp(op, a, b) => {
                let (a, b) = (self.int(a, env)?, self.int(b, env)?);
                cmp(*op, a as f64, b as f64)
            }
            Cond::And(a, b) => self.cond(a, env)? && self.cond(b, env)?,
            Cond::Or(a, b) => self.cond(a, env)? || self.cond(b, env)?,
        })
    }

    /// A block used as an expression: its statements may not leave it.
    fn block(&mut self, b: &Block, env: &mut Vec<(String, Val)>) -> R<Dual> {
        self.scoped(b, env, Self::expr)
    }

    /// `b`'s statements, then its tail by `tail`, the names they bind dropped after.
    fn scoped<T>(
        &mut self,
        b: &Block,
        env: &mut Vec<(String, Val)>,
        tail: impl FnOnce(&mut Self, &Expr, &mut Vec<(String, Val)>) -> R<T>,
    ) -> R<T> {
        let mark = env.len();
        let flow = self.run(&b.stmts, env)?;
        if !matches!(flow, Flow::Next) {
            return reject("control flow out of an expression block");
        }
        let v = tail(self, &b.tail, env);
        env.truncate(mark);
        v
    }

    /// Runs statements in a new scope.
    fn stmts(&mut self, stmts: &[Stmt], env: &mut Vec<(String, Val)>) -> R<Flow> {
        let mark = env.len();
        let flow = self.run(stmts, env);
        env.truncate(mark);
        flow
    }

    /// Runs statements, leaving their bindings in `env` for the block's tail.
    fn run(&mut self, stmts: &[Stmt], env: &mut Vec<(String, Val)>) -> R<Flow> {
        for s in stmts {
            let flow = self.stmt(s, env)?;
            if !matches!(flow, Flow::Next) {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    fn assign(&mut self, op: AssignOp, old: &Dual, v: Dual) -> R<Dual> {
        let d = match op {
            AssignOp::Set => v,
            AssignOp::Add => Dual::chain2(old.v + v.v, old, 1.0, &v, 1.0, LINEAR),
            AssignOp::Sub => Dual::chain2(old.v - v.v, old, 1.0, &v, -1.0, LINEAR),
            AssignOp::Mul => Dual::chain2(old.v * v.v, old, v.v, &v, old.v, PRODUCT),
            AssignOp::Div => {
                if v.v.abs() < DOMAIN_MARGIN {
                    return reject("division near zero");
                }
                Dual::chain2(
                    old.v / v.v,
                    old,
                    1.0 / v.v,
                    &v,
                    -old.v / (v.v * v.v),
                    quotient(old.v, v.v),
                )
            }
        };
        self.check(d)
    }

    /// Runs a loop body once; `Some(flow)` when the loop must stop.
    fn iteration(
        &mut self,
        binds: Vec<(String, Val)>,
        body: &[Stmt],
        env: &mut Vec<(String, Val)>,
    ) -> R<Option<Flow>> {
        // An empty body still counts: a shrunk `loop {}` must end in a rejection.
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return reject("too many steps");
        }
        let mark = env.len();
        env.extend(binds);
        let flow = self.stmts(body, env)?;
        env.truncate(mark);
        Ok(match flow {
            Flow::Next | Flow::Continue => None,
            Flow::Break => Some(Flow::Next),
            r @ Flow::Return(_) => Some(r),
        })
    }

    fn stmt(&mut self, s: &Stmt, env: &mut Vec<(String, Val)>) -> R<Flow> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return reject("too many steps");
        }
        match s {
            Stmt::Let { name, init, .. } => {
                let v = self.value(init, env)?;
                env.push((name.clone(), v));
            }
            Stmt::LetInt { name, init } => {
                let v = self.int(init, env)?;
                env.push((name.clone(), Val::I(v)));
            }
            Stmt::Assign { name, op, value } => {
                let v = self.expr(value, env)?;
                let old = self.float(env, name)?;
                let new = self.assign(*op, &old, v)?;
                *Self::lookup(env, name)? = Val::F(new);
            }
            Stmt::IncInt { name } => match Self::lookup(env, name)? {
                Val::I(i) => *i += 1,
                _ => return reject(format!("{name} is not an integer")),
            },
            Stmt::IndexAssign {
                name,
                idx,
                op,
                value,
            } => {
                let v = self.expr(value, env)?;
                let i = self.int(idx, env)?;
                let old = Self::index(&self.array(env, name)?, i)?;
                let new = self.assign(*op, &old, v)?;
                match Self::lookup(env, name)? {
                    Val::Arr(a) => a[i as usize] = new,
                    _ => return reject(format!("{name} is not an array")),
                }
            }
            Stmt::LocalArray { name, len, .. } => {
                env.push((
                    name.clone(),
                    Val::Arr(vec![Dual::constant(0.0, self.dim); *len]),
                ));
            }
            Stmt::ArrayCopy { name, src, .. } => {
                let a = self.array(env, src)?;
                env.push((name.clone(), Val::Arr(a)));
            }
            Stmt::If { cond, then, els } => {
                if self.cond(cond, env)? {
                    return self.stmts(then, env);
                } else if let Some(e) = els {
                    return self.stmts(e, env);
                }
            }
            Stmt::Match {
                scrut,
                arms,
                default,
                binding,
            } => {
                let s = self.int(scrut, env)?;
                if let Some((_, arm)) = arms.iter().find(|(k, _)| *k as i64 == s) {
                    return self.stmts(arm, env);
                }
                // The binding shadows the variable in the default arm only.
                let mark = env.len();
                if let Some(name) = binding {
                    env.push((name.clone(), Val::I(s)));
                }
                let flow = self.stmts(default, env);
                env.truncate(mark);
                return flow;
            }
            Stmt::For { pat, iter, body } => return self.for_loop(pat, iter, body, env),
            Stmt::While { cond, body } => {
                while self.cond(cond, env)? {
                    if let Some(flow) = self.iteration(Vec::new(), body, env)? {
                        return Ok(flow);
                    }
                }
            }
            Stmt::Loop { body } => loop {
                if let Some(flow) = self.iteration(Vec::new(), body, env)? {
                    return Ok(flow);
                }
            },
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Continue => return Ok(Flow::Continue),
            Stmt::Return(e) => return Ok(Flow::Return(self.expr(e, env)?)),
            Stmt::Fail { cond, .. } => {
                if self.cond(cond, env)? {
                    return Err(Reject(FAILED.to_string()));
                }
            }
            Stmt::LetClosure { name, params, body } => {
                let c = Closure {
                    params: params.clone(),
                    body: body.clone(),
                    env: env.clone(),
                };
                env.push((name.clone(), Val::Closure(Rc::new(c))));
            }
            Stmt::DestructArray { names, src, .. } => {
                let a = self.array(env, src)?;
                if a.len() != names.len() {
                    return reject("destructuring length");
                }
                env.extend(names.iter().cloned().zip(a.into_iter().map(Val::F)));
            }
            Stmt::DestructTuple { names, values } => {
                let mut vs = Vec::new();
                for v in values {
                    vs.push(Val::F(self.expr(v, env)?));
                }
                env.extend(names.iter().cloned().zip(vs));
            }
            Stmt::Assert(c) => {
                if !self.cond(c, env)? {
                    return reject("assertion fails");
                }
            }
            Stmt::Alias { name, src } => {
                let v = Self::lookup(env, src)?.clone();
                env.push((name.clone(), v));
            }
            Stmt::Rebind {
                name, len, init, ..
            } => match self.value(init, env)? {
                Val::Arr(a) if a.len() == *len => env.push((name.clone(), Val::Arr(a))),
                _ => return reject(format!("{name} is not an array of {len}")),
            },
        }
        Ok(Flow::Next)
    }

    fn for_loop(
        &mut self,
        pat: &ForPat,
        iter: &ForIter,
        body: &[Stmt],
        env: &mut Vec<(String, Val)>,
    ) -> R<Flow> {
        let n = &pat.names;
        let items: Vec<Vec<(String, Val)>> = match iter {
            ForIter::Range {
                lo,
                hi,
                inclusive,
                rev,
                step,
            } => {
                let (lo, hi) = (self.int(lo, env)?, self.int(hi, env)?);
                let mut xs: Vec<i64> = if *inclusive {
                    (lo..=hi).collect()
                } else {
                    (lo..hi).collect()
                };
                if *rev {
                    xs.reverse();
                }
                if let Some(k) = step {
                    xs = xs.into_iter().step_by(*k).collect();
                }
                xs.into_iter()
                    .map(|i| vec![(n[0].clone(), Val::I(i))])
                    .collect()
            }
            ForIter::Iter { src } => self
                .array(env, src)?
                .into_iter()
                .map(|v| vec![(n[0].clone(), Val::F(v))])
                .collect(),
            ForIter::Enumerate { src } => self
                .array(env, src)?
                .into_iter()
                .enumerate()
                .map(|(i, v)| vec![(n[0].clone(), Val::I(i as i64)), (n[1].clone(), Val::F(v))])
                .collect(),
            ForIter::Zip { a, b } => {
                let (xs, ys) = (self.array(env, a)?, self.array(env, b)?);
                xs.into_iter()
                    .zip(ys)
                    .map(|(x, y)| vec![(n[0].clone(), Val::F(x)), (n[1].clone(), Val::F(y))])
                    .collect()
            }
            ForIter::Rows { src } => match Self::lookup(env, src)? {
                Val::Mat(m) => m
                    .iter()
                    .map(|r| vec![(n[0].clone(), Val::Arr(r.clone()))])
                    .collect(),
                _ => return reject(format!("{src} is not a matrix")),
            },
        };
        for binds in items {
            if let Some(flow) = self.iteration(binds, body, env)? {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f(x0, x1) = tail` at `inputs`, both parameters scalars.
    fn two_scalars(tail: Expr, inputs: [f64; 2]) -> Program {
        let scalar = |n: &str| Param {
            name: n.into(),
            ty: ParamTy::Scalar,
        };
        Program {
            prec: Prec::F64,
            structs: Vec::new(),
            consts: Vec::new(),
            helpers: Vec::new(),
            main: Function {
                name: "f".into(),
                params: vec![scalar("x0"), scalar("x1")],
                wrt: Vec::new(),
                fallible: false,
                ret: Ret::Float,
                body: Block {
                    stmts: Vec::new(),
                    tail,
                },
            },
            inputs: vec![vec![inputs[0]], vec![inputs[1]]],
            vjps: Vec::new(),
            method: None,
            fallible: Fallible::Result,
            records: false,
            widened: false,
        }
    }

    /// Every primitive's second order: the oracle's `H u` against a central difference of
    /// its own gradient along `u`, on `op(x0 x1)` (both terms of the chain rule) and
    /// `op(x0 x1, x1)`.
    #[test]
    fn second_order_is_the_derivative_of_the_gradient() {
        let x = |n: &str| Box::new(Expr::Var(n.into()));
        let product = || Box::new(Expr::Bin(BinOp::Mul, x("x0"), x("x1")));
        let mut cases: Vec<(String, Expr, f64)> = Vec::new();
        let unary = [
            (UnFn::Exp, 0.7),
            (UnFn::Ln, 0.7),
            (UnFn::Sin, 0.7),
            (UnFn::Cos, 0.7),
            (UnFn::Tanh, 0.7),
            (UnFn::Sqrt, 0.7),
            (UnFn::Abs, -0.7),
            (UnFn::Atan, 0.7),
            (UnFn::Sinh, 0.7),
            (UnFn::Cosh, 0.7),
            (UnFn::Asin, 0.4),
            (UnFn::Acos, 0.4),
            (UnFn::Cbrt, -0.7),
            (UnFn::Recip, 0.7),
            (UnFn::Ln1p, 0.7),
            (UnFn::ExpM1, 0.7),
            (UnFn::Log10, 0.7),
            (UnFn::Log2, 0.7),
            (UnFn::Exp2, 0.7),
            (UnFn::Asinh, 0.7),
            (UnFn::Acosh, 1.7),
            (UnFn::Atanh, 0.4),
            (UnFn::Tan, 0.7),
            (UnFn::Floor, 1.7),
        ];
        for (f, at) in unary {
            cases.push((f.name().into(), Expr::Un(f, product(), false), at));
        }
        for f in [
            Bin2Fn::Powf,
            Bin2Fn::Max,
            Bin2Fn::Min,
            Bin2Fn::Hypot,
            Bin2Fn::Atan2,
            Bin2Fn::Rem,
            Bin2Fn::RemEuclid,
        ] {
            cases.push((
                f.name().into(),
                Expr::Bin2(f, product(), x("x1"), false),
                1.2,
            ));
        }
        cases.push(("div".into(), Expr::Bin(BinOp::Div, x("x0"), product()), 0.7));
        for k in [-2, 0, 1, 3] {
            cases.push((format!("powi {k}"), Expr::Powi(product(), k), 0.7));
        }
        cases.push((
            "mul_add".into(),
            Expr::MulAdd(product(), x("x0"), product()),
            0.7,
        ));
        for (name, tail, at) in cases {
            // x0 x1 = at with x1 = 0.8.
            let inputs = [at / 0.8, 0.8];
            let p = two_scalars(tail, inputs);
            let e = evaluate(&p).unwrap_or_else(|r| panic!("{name}: {r:?}"));
            let hv = e.hvp.expect("tame");
            let u = hvp_direction(&p);
            let eps = 1e-5;
            let gradient = |s: f64| {
                let mut q = p.clone();
                q.inputs = vec![vec![inputs[0] + s * u[0]], vec![inputs[1] + s * u[1]]];
                evaluate(&q).expect("fair nearby").gradient
            };
            let (plus, minus) = (gradient(eps), gradient(-eps));
            for i in 0..2 {
                let fd = (plus[i] - minus[i]) / (2.0 * eps);
                assert!(
                    (hv[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                    "{name}: (H u)[{i}] = {} vs {fd}",
                    hv[i]
                );
            }
        }
    }

    #[test]
    fn an_endless_empty_loop_is_rejected() {
        let main = Function {
            name: "f".into(),
            params: vec![Param {
                name: "x".into(),
                ty: ParamTy::Scalar,
            }],
            wrt: Vec::new(),
            fallible: false,
            ret: Ret::Float,
            body: Block {
                stmts: vec![Stmt::Loop { body: Vec::new() }],
                tail: Expr::Var("x".into()),
            },
        };
        let p = Program {
            prec: Prec::F64,
            structs: Vec::new(),
            consts: Vec::new(),
            helpers: Vec::new(),
            main,
            inputs: vec![vec![1.0]],
            vjps: Vec::new(),
            method: None,
            fallible: Fallible::Result,
            records: false,
            widened: false,
        };
        assert!(evaluate(&p).is_err());
    }

    /// `let x = x.map(|v| v * x[1]); let x = if x[0] > 0.0 { [x[1], x[0]] } else { *x };
    /// x[0] + x.iter().sum()`: each new `x` is made from the old one, never from itself.
    #[test]
    fn a_rebind_reads_the_array_it_shadows() {
        let x = |i| Expr::Index("x".into(), IExpr::Lit(i));
        let map = Expr::MapArray {
            src: "x".into(),
            var: "v".into(),
            body: Box::new(Expr::Bin(
                BinOp::Mul,
                Box::new(Expr::Var("v".into())),
                Box::new(x(1)),
            )),
        };
        let positive = Cond::Cmp(CmpOp::Gt, x(0), Expr::Lit(0.0, LitForm::Plain));
        let block = |tail| Block {
            stmts: Vec::new(),
            tail,
        };
        let swap = Expr::If(
            Box::new(positive),
            Box::new(block(Expr::ArrayLit(vec![x(1), x(0)], false))),
            Box::new(block(Expr::Deref("x".into()))),
        );
        let rebind = |init| Stmt::Rebind {
            name: "x".into(),
            len: 2,
            annotate: false,
            init,
        };
        let tail = Expr::Bin(
            BinOp::Add,
            Box::new(x(0)),
            Box::new(Expr::Chain(Chain::Sum { src: "x".into() })),
        );
        let main = Function {
            name: "f".into(),
            params: vec![Param {
                name: "x".into(),
                ty: ParamTy::ArrayRef(2),
            }],
            wrt: Vec::new(),
            fallible: false,
            ret: Ret::Float,
            body: Block {
                stmts: vec![rebind(map), rebind(swap)],
                tail,
            },
        };
        let mut p = two_scalars(Expr::Lit(0.0, LitForm::Plain), [0.0, 0.0]);
        p.main = main;
        // x = [a, b] -> [a b, b²] -> [b², a b] (a b > 0): 2 b² + a b.
        let (a, b) = (0.5, 1.5);
        p.inputs = vec![vec![a, b]];
        let e = evaluate(&p).expect("fair");
        assert_eq!(e.value, 2.0 * b * b + a * b);
        assert_eq!(e.gradient, vec![b, 4.0 * b + a]);
        // a b < 0 keeps [a b, b²]: 2 a b + b².
        p.inputs = vec![vec![-a, b]];
        let e = evaluate(&p).expect("fair");
        assert_eq!(e.value, -2.0 * a * b + b * b);
        assert_eq!(e.gradient, vec![2.0 * b, -2.0 * a + 2.0 * b]);
    }
}
