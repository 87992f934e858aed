//! Expressions: arithmetic over the variables in scope, calls of helpers (with the arguments
//! their parameters take), closures, iterator chains.

use super::*;

impl Gen {
    pub(super) fn expr(&mut self, depth: usize) -> Expr {
        if depth == 0 || self.chance(0.25) {
            return self.leaf();
        }
        let d = depth - 1;
        let nested = !self.closure_body;
        match self.below(20) {
            0..=5 => {
                let op = self.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div]);
                let a = self.expr(d);
                let mut b = self.expr(d);
                if op == BinOp::Div && self.chance(0.85) {
                    b = self.positive(b, 1.0);
                }
                bin(op, a, b)
            }
            6 => Expr::Neg(Box::new(self.expr(d))),
            7..=9 => {
                let f = self.pick(&UNARY);
                let inner = self.expr(d);
                let arg = if self.chance(0.1) {
                    inner
                } else {
                    match f {
                        UnFn::Ln | UnFn::Log10 | UnFn::Log2 | UnFn::Sqrt => {
                            self.positive(inner, 0.5)
                        }
                        UnFn::Recip | UnFn::Cbrt => self.positive(inner, 0.25),
                        UnFn::Acosh => self.positive(inner, 1.5),
                        UnFn::Ln1p => bin(BinOp::Mul, inner.clone(), inner),
                        UnFn::Asin | UnFn::Acos | UnFn::Atanh => {
                            let half = self.lit(0.5);
                            let s = self.unary(UnFn::Sin, inner);
                            bin(BinOp::Mul, s, half)
                        }
                        UnFn::Tan
                        | UnFn::Exp
                        | UnFn::Exp2
                        | UnFn::ExpM1
                        | UnFn::Sinh
                        | UnFn::Cosh => {
                            if self.chance(0.5) {
                                self.unary(UnFn::Tanh, inner)
                            } else {
                                inner
                            }
                        }
                        _ => inner,
                    }
                };
                self.unary(f, arg)
            }
            10 | 11 => {
                let mut fs = vec![
                    Bin2Fn::Powf,
                    Bin2Fn::Max,
                    Bin2Fn::Min,
                    Bin2Fn::Hypot,
                    Bin2Fn::Atan2,
                ];
                if self.on(Family::Remainders) {
                    fs.push(Bin2Fn::Rem);
                    // `rem_euclid` is not a method of `num_traits::Float`.
                    if self.prec != Prec::Generic {
                        fs.push(Bin2Fn::RemEuclid);
                    }
                }
                let f = self.pick(&fs);
                if matches!(f, Bin2Fn::Rem | Bin2Fn::RemEuclid) {
                    self.use_family(Family::Remainders);
                }
                let (mut a, b) = (self.expr(d), self.expr(d));
                if f == Bin2Fn::Powf {
                    a = self.positive(a, 0.5);
                }
                let (a, path) = self.receiver(a);
                Expr::Bin2(f, Box::new(a), Box::new(b), path)
            }
            12 => {
                let mut a = self.expr(d);
                if !self.typed(&a) {
                    a = self.typed_leaf();
                }
                Expr::Powi(Box::new(a), self.pick(&[2, 3, -1, -2]))
            }
            13 => {
                let mut a = self.expr(d);
                if !self.typed(&a) {
                    a = self.typed_leaf();
                }
                Expr::MulAdd(Box::new(a), Box::new(self.expr(d)), Box::new(self.expr(d)))
            }
            14 if nested && self.on(Family::Branches) => {
                self.use_family(Family::Branches);
                let c = self.cond();
                let (t, e) = (self.expr_block(d), self.expr_block(d));
                Expr::If(Box::new(c), Box::new(t), Box::new(e))
            }
            15 if nested && self.on(Family::Match) && !self.ints().is_empty() => {
                self.use_family(Family::Match);
                let scrut = self.scrutinee();
                let arms = (0..1 + self.below(2))
                    .map(|k| (k, self.expr_block(d)))
                    .collect();
                Expr::Match(scrut, arms, Box::new(self.expr_block(d)))
            }
            16 | 17 if nested && self.helpers.iter().any(|h| h.ret == Ret::Float) => {
                self.call(d).unwrap_or_else(|| self.leaf())
            }
            18 if nested && self.on(Family::IterChains) => {
                self.chain(d).unwrap_or_else(|| self.leaf())
            }
            19 if nested => {
                let closures: Vec<(String, usize)> = self
                    .vars()
                    .filter_map(|v| match v.kind {
                        Kind::Closure(arity) => Some((v.name.clone(), arity)),
                        _ => None,
                    })
                    .collect();
                if closures.is_empty() {
                    return self.leaf();
                }
                let (name, arity) = self.pick(&closures);
                let args = (0..arity).map(|_| self.expr(d)).collect();
                Expr::ClosureCall(name, args)
            }
            _ => self.leaf(),
        }
    }

    /// The value of an `if`/`match` arm: sometimes a `let` first, read by the tail.
    fn expr_block(&mut self, depth: usize) -> Block {
        self.branches += 1;
        let block = if self.chance(0.7) {
            Block {
                stmts: Vec::new(),
                tail: self.expr(depth),
            }
        } else {
            self.let_block(depth)
        };
        self.branches -= 1;
        block
    }

    /// An arm whose tail reads a `let` before it.
    fn let_block(&mut self, depth: usize) -> Block {
        self.scopes.push(Vec::new());
        let init = self.expr(depth);
        let init = self.make_active(init);
        let name = self.fresh("e");
        let typed = self.typed(&init);
        let active = self.active(&init);
        self.declare(Self::float_var(&name, typed, false, active));
        let other = self.expr(depth);
        self.scopes.pop();
        let op = self.pick(&[BinOp::Add, BinOp::Mul, BinOp::Sub]);
        Block {
            stmts: vec![Stmt::Let {
                name: name.clone(),
                mutable: false,
                annotate: !typed,
                init,
            }],
            tail: bin(op, Expr::Var(name), other),
        }
    }

    pub(super) fn scrutinee(&mut self) -> IExpr {
        let ints = self.ints();
        let (name, _) = self.pick(&ints);
        IExpr::Rem(Box::new(IExpr::Var(name)), Box::new(IExpr::Lit(3)))
    }

    pub(super) fn cond(&mut self) -> Cond {
        let ints = self.ints();
        let c = if !ints.is_empty() && self.chance(0.3) {
            let (name, max) = self.pick(&ints);
            let op = self.pick(&[CmpOp::Lt, CmpOp::Gt, CmpOp::Le, CmpOp::Ge]);
            // Never `i >= 0` or `i < 0`: always true or false for usize, and a lint.
            Cond::ICmp(
                op,
                IExpr::Var(name),
                IExpr::Lit(1 + self.below(max.max(2) - 1)),
            )
        } else {
            let op = self.pick(&[CmpOp::Lt, CmpOp::Gt, CmpOp::Le, CmpOp::Ge]);
            let a = self.typed_leaf();
            let b = self.expr(1);
            Cond::Cmp(op, a, b)
        };
        if self.chance(0.15) {
            let other = self.cond();
            if self.chance(0.5) {
                return Cond::And(Box::new(c), Box::new(other));
            }
            return Cond::Or(Box::new(c), Box::new(other));
        }
        c
    }

    /// A call of a helper that returns a float.
    fn call(&mut self, depth: usize) -> Option<Expr> {
        let helpers: Vec<Function> = self
            .helpers
            .iter()
            .filter(|h| h.ret == Ret::Float)
            .cloned()
            .collect();
        let h = self.pick(&helpers);
        let args = self.args(&h, depth)?;
        Some(self.called(h, args))
    }

    /// The call of `h` on `args`, unwrapped (`?` or `.unwrap()`) if `h` is fallible.
    pub(super) fn called(&mut self, h: Function, args: Vec<Arg>) -> Expr {
        self.use_family(Family::Calls);
        let call = Expr::Call(h.name, args);
        if h.fallible {
            // `?` only where the caller fails the same way; closures never call helpers.
            let question = self.fallible && self.chance(0.6);
            return Expr::Try(Box::new(call), question);
        }
        call
    }

    /// Arguments for a call of `h`; `None` if a parameter finds nothing to take.
    pub(super) fn args(&mut self, h: &Function, depth: usize) -> Option<Vec<Arg>> {
        // A local array passed to a call and written afterwards (a scratch buffer) needs
        // ScratchArrays; without it, local arrays are passed outside loops and frozen.
        let scratch = self.on(Family::ScratchArrays);
        let passable =
            |a: &(String, usize, bool, bool, bool), in_loop: bool| scratch || !a.4 || !in_loop;
        let in_loop = !self.loops.is_empty();
        let mut args = Vec::new();
        for p in &h.params {
            if let Some(arg) = self.temporary(p.ty, depth) {
                args.push(arg);
                continue;
            }
            args.push(match p.ty {
                ParamTy::Scalar if self.on(Family::ConstSlices) && self.chance(0.3) => {
                    match self.const_arg() {
                        Some(e) => Arg::Scalar(e),
                        None => Arg::Scalar(self.expr(depth)),
                    }
                }
                ParamTy::Usize(v) => {
                    let fits: Vec<String> = self
                        .sizes()
                        .into_iter()
                        .filter(|s| s.1 == v)
                        .map(|s| s.0)
                        .collect();
                    if !fits.is_empty() && self.chance(0.8) {
                        Arg::Int(IExpr::Var(self.pick(&fits)))
                    } else {
                        Arg::Int(IExpr::Lit(v))
                    }
                }
                ParamTy::Scalar => {
                    let mut e = self.expr(depth);
                    // A constant read from a data struct (`cfg.scale`, or a local that may
                    // hold one) is an argument whose type the macro does not know.
                    let data = self.structs.iter().any(|s| !s.model)
                        && !self.active(&e)
                        && self.vars().any(|v| !v.active && reads_expr(&e, &v.name));
                    if data && self.on(Family::DataFields) {
                        self.use_family(Family::DataFields);
                    } else if data {
                        e = self.plus_active(e);
                    }
                    // `h(-0.5, x)`, `h(-(0.5 * 2.0), x)`: a negated constant.
                    let negated = match &e {
                        Expr::Lit(v, LitForm::Plain) => *v < 0.0 && self.prec != Prec::Generic,
                        Expr::Neg(inner) => !self.active(inner),
                        _ => false,
                    };
                    match e {
                        _ if negated && self.on(Family::NegativeLiteralArgs) => {
                            self.use_family(Family::NegativeLiteralArgs);
                            Arg::Scalar(e)
                        }
                        Expr::Lit(v, form) if negated => Arg::Scalar(Expr::Lit(-v, form)),
                        Expr::Neg(inner) if negated => Arg::Scalar(*inner),
                        e => Arg::Scalar(e),
                    }
                }
                ParamTy::ArrayRef(n) => {
                    let fits: Vec<_> = self
                        .arrays()
                        .into_iter()
                        .filter(|a| a.1 == n && a.3 && passable(a, in_loop))
                        .filter(|a| self.allowed(&a.0, Read::Pass))
                        .collect();
                    let rows: Vec<_> = self.matrices().into_iter().filter(|m| m.2 == n).collect();
                    if !rows.is_empty() && (fits.is_empty() || self.chance(0.4)) {
                        let (name, rows, _) = self.pick(&rows);
                        let i = self.index(rows);
                        Arg::Row(name, i)
                    } else if !fits.is_empty() {
                        let (name, _, reference, ..) = self.pick(&fits);
                        Arg::Array {
                            name,
                            by_ref: reference,
                        }
                    } else {
                        return None;
                    }
                }
                ParamTy::Slice(_) => {
                    let rows = self.on(Family::RowBindings);
                    let all: Vec<_> = self
                        .arrays()
                        .into_iter()
                        .filter(|a| (rows || !a.0.starts_with("row")) && passable(a, in_loop))
                        .filter(|a| self.allowed(&a.0, Read::Pass))
                        .collect();
                    if all.is_empty() {
                        return None;
                    }
                    let (name, _, reference, ..) = self.pick(&all);
                    Arg::Array {
                        name,
                        by_ref: reference,
                    }
                }
                ParamTy::Struct(def) => {
                    // The model itself (`m`) or a nested one (`&m.inner`).
                    let models: Vec<(String, bool)> = self
                        .vars()
                        .filter_map(|v| match v.kind {
                            Kind::Struct { def: d, reference } if d == def => {
                                Some((v.name.clone(), reference))
                            }
                            _ => None,
                        })
                        .filter(|(name, _)| self.allowed(name, Read::Pass))
                        .collect();
                    if models.is_empty() {
                        return None;
                    }
                    let (name, by_ref) = self.pick(&models);
                    self.passed.push(name.clone());
                    Arg::Array { name, by_ref }
                }
                _ => return None,
            });
        }
        for a in &args {
            if let Arg::Array { name, .. } = a {
                self.note(name, Read::Pass);
                if scratch && self.arrays().iter().any(|x| &x.0 == name && x.4) {
                    self.use_family(Family::ScratchArrays);
                } else {
                    self.freeze(name);
                }
            }
            if matches!(a, Arg::Array { name, .. } if name.starts_with("row"))
                && h.params.iter().any(|p| matches!(p.ty, ParamTy::Slice(_)))
            {
                self.use_family(Family::RowBindings);
            }
        }
        Some(args)
    }

    /// A float argument made of constants: `EPS`, `TABLE[1] - TABLE[0]`, `C[0] * EPS`.
    fn const_arg(&mut self) -> Option<Expr> {
        let scalars: Vec<String> = self
            .consts
            .iter()
            .filter(|c| c.kind == ConstKind::Scalar)
            .map(|c| c.name.clone())
            .collect();
        let tables: Vec<(String, usize)> = self
            .consts
            .iter()
            .filter(|c| matches!(c.kind, ConstKind::Table | ConstKind::Slice))
            .map(|c| (c.name.clone(), c.values.len()))
            .collect();
        let elem = |g: &mut Gen| {
            let (name, len) = g.pick(&tables);
            let i = g.below(len);
            Expr::Index(name, IExpr::Lit(i))
        };
        match self.below(3) {
            0 if !scalars.is_empty() => Some(Expr::Var(self.pick(&scalars))),
            _ if tables.is_empty() => None,
            1 => {
                let op = self.pick(&[BinOp::Sub, BinOp::Add, BinOp::Mul]);
                let (a, b) = (elem(self), elem(self));
                Some(bin(op, a, b))
            }
            _ => Some(elem(self)),
        }
    }

    /// With [`Family::VectorOutputs`], sometimes `&g(..)` for a parameter of type `ty` that
    /// takes an array: a call of a helper that returns one that fits.
    fn temporary(&mut self, ty: ParamTy, depth: usize) -> Option<Arg> {
        if !self.on(Family::VectorOutputs) || depth == 0 {
            return None;
        }
        let fits = |ret: Ret| match ty {
            ParamTy::ArrayRef(n) => ret == Ret::Array(n),
            ParamTy::Slice(_) => ret != Ret::Float,
            _ => false,
        };
        let helpers: Vec<Function> = self
            .helpers
            .iter()
            .filter(|h| fits(h.ret))
            .cloned()
            .collect();
        let result = Origin::Result {
            in_loop: false,
            conditional: self.conditional(),
        };
        let pattern = self.origin_pattern(result, Read::Pass);
        if helpers.is_empty() || pattern.is_some_and(|f| !self.on(f)) || !self.chance(0.3) {
            return None;
        }
        let h = self.pick(&helpers);
        let args = self.args(&h, depth - 1)?;
        self.use_family(Family::VectorOutputs);
        if let Some(f) = pattern {
            self.use_family(f);
        }
        Some(Arg::Ref(Expr::Call(h.name, args)))
    }

    /// A closure body over `params` and capturable variables only.
    pub(super) fn closure_expr(&mut self, params: &[(String, Kind)], depth: usize) -> Expr {
        let saved = self.closure_body;
        self.closure_body = true;
        self.scopes.push(
            params
                .iter()
                .map(|(n, k)| Var {
                    name: n.clone(),
                    kind: *k,
                    mutable: false,
                    typed: true,
                    capturable: true,
                    by_ref: false,
                    active: true,
                })
                .collect(),
        );
        let mut e = self.expr(depth);
        // The closure's own parameter must be read (else `unused variable`).
        if let Some((p, Kind::Float)) = params.first() {
            e = bin(
                self.pick(&[BinOp::Add, BinOp::Mul]),
                Expr::Var(p.clone()),
                e,
            );
        }
        self.scopes.pop();
        self.closure_body = saved;
        e
    }

    pub(super) fn chain(&mut self, depth: usize) -> Option<Expr> {
        let arrays = self.iterables(Read::Chain);
        if arrays.is_empty() {
            return None;
        }
        self.use_family(Family::IterChains);
        let (src, len, ..) = self.pick(&arrays);
        self.note(&src, Read::Chain);
        let d = depth.min(1);
        let chain = match self.below(5) {
            0 => {
                let mut adaptors = Vec::new();
                for _ in 0..self.below(3) {
                    adaptors.push(match self.below(4) {
                        0 => Adaptor::Skip(1),
                        1 => Adaptor::Take(len - 1),
                        2 => Adaptor::Rev,
                        _ => Adaptor::StepBy(2),
                    });
                }
                let var = self.fresh("v");
                let body = Box::new(self.closure_expr(&[(var.clone(), Kind::Float)], d));
                Chain::MapSum {
                    src,
                    adaptors,
                    var,
                    body,
                }
            }
            1 => {
                let (b, ..) = self.pick(&arrays);
                self.note(&b, Read::Chain);
                let (va, vb) = (self.fresh("a"), self.fresh("b"));
                let mut body =
                    self.closure_expr(&[(va.clone(), Kind::Float), (vb.clone(), Kind::Float)], d);
                body = bin(BinOp::Mul, body, Expr::Var(vb.clone()));
                Chain::ZipSum {
                    a: src,
                    b,
                    va,
                    vb,
                    body: Box::new(body),
                }
            }
            2 => {
                let (acc, idx, var) = (self.fresh("acc"), self.fresh("i"), self.fresh("v"));
                let init = Box::new(self.expr(0));
                let body = self.closure_expr(
                    &[
                        (var.clone(), Kind::Float),
                        (idx.clone(), Kind::Int { max: len }),
                    ],
                    d,
                );
                let body = bin(BinOp::Mul, body, Expr::Cast(IExpr::Var(idx.clone())));
                Chain::EnumFold {
                    src,
                    init,
                    acc,
                    idx,
                    var,
                    body: Box::new(body),
                }
            }
            3 => {
                let win = self.fresh("win");
                let kind = Kind::Arr {
                    len: 2,
                    reference: true,
                    fixed: false,
                    writable: false,
                };
                let mut body = self.closure_expr(&[(win.clone(), kind)], d);
                let diff = bin(
                    BinOp::Sub,
                    Expr::Index(win.clone(), IExpr::Lit(1)),
                    Expr::Index(win.clone(), IExpr::Lit(0)),
                );
                body = bin(BinOp::Add, body, diff);
                Chain::WindowsSum {
                    src,
                    win,
                    body: Box::new(body),
                }
            }
            _ => {
                let var = self.fresh("v");
                let inner = self.closure_expr(&[(var.clone(), Kind::Float)], d);
                // Factors near 1 keep the product well-conditioned.
                let f = self.unary(UnFn::Tanh, inner);
                let half = self.lit(0.5);
                let one = self.lit(1.0);
                let body = Box::new(bin(BinOp::Add, one, bin(BinOp::Mul, half, f)));
                Chain::Product { src, var, body }
            }
        };
        Some(Expr::Chain(chain))
    }
}
