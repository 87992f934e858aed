//! Statements: `let`s, assignments, running choices, array copies and calls, aliases,
//! closures, destructuring, early failures.

use super::*;

impl Gen {
    /// Generates the `n` statements of an `if`/`match` arm in a new scope.
    fn block(&mut self, n: usize) -> Vec<Stmt> {
        self.scopes.push(Vec::new());
        self.branches += 1;
        let mut out = Vec::new();
        for _ in 0..n {
            self.stmt(&mut out);
        }
        self.branches -= 1;
        self.scopes.pop();
        out
    }

    pub(super) fn top_level(&self) -> bool {
        self.scopes.len() == 1
    }

    pub(super) fn stmt(&mut self, out: &mut Vec<Stmt>) {
        let depth = self.scopes.len();
        let can_nest = depth < 4 && self.loops.len() < 2;
        let mutables: Vec<Var> = self
            .vars()
            .filter(|v| v.mutable && v.kind == Kind::Float)
            .cloned()
            .collect();
        let writable: Vec<_> = self.arrays().into_iter().filter(|a| a.4).collect();
        let assertable: Vec<_> = self
            .arrays()
            .into_iter()
            .filter(|a| self.allowed(&a.0, Read::Assert))
            .collect();
        if !self.loops.is_empty() && self.chance(0.12) {
            return self.loop_exit(out);
        }
        if self.fallible && self.chance(0.08) {
            return self.fail(out);
        }
        if self.on(Family::VectorOutputs)
            && self.helpers.iter().any(|h| h.ret != Ret::Float)
            && self.chance(0.2)
        {
            return self.array_call(out);
        }
        if self.on(Family::Models) && !self.array_fields().is_empty() && self.chance(0.08) {
            return self.alias(out);
        }
        if self.on(Family::ArrayRebinds) && self.can_rebind() && self.chance(0.12) {
            return self.rebinds(out);
        }
        match self.below(26) {
            0..=3 => self.let_float(out),
            4..=7 if !mutables.is_empty() => {
                let target = self.pick(&mutables);
                if !self.loops.is_empty() && self.chance(0.25) {
                    return self.running_choice(target, out);
                }
                let (op, value) = self.assignment(&target.name, target.typed);
                for v in self
                    .scopes
                    .iter_mut()
                    .flat_map(|s| s.iter_mut())
                    .filter(|v| v.name == target.name)
                {
                    v.typed = true;
                }
                out.push(Stmt::Assign {
                    name: target.name,
                    op,
                    value,
                });
            }
            8 if !writable.is_empty() => {
                let op = self.pick(&[AssignOp::Add, AssignOp::Mul, AssignOp::Sub]);
                let value = if op == AssignOp::Mul {
                    let e = self.expr(1);
                    self.unary(UnFn::Cos, e)
                } else {
                    self.expr(2)
                };
                // Chosen after the value: a call in it may have frozen an array.
                let writable: Vec<_> = self.arrays().into_iter().filter(|a| a.4).collect();
                if writable.is_empty() {
                    return self.let_float(out);
                }
                let (name, len, ..) = self.pick(&writable);
                let idx = self.index(len);
                let (op, value) =
                    self.spelled_out(op, Expr::Index(name.clone(), idx.clone()), value);
                out.push(Stmt::IndexAssign {
                    name,
                    idx,
                    op,
                    value,
                });
            }
            9 | 10 if can_nest && self.on(Family::Branches) => {
                self.use_family(Family::Branches);
                let cond = self.cond();
                let n = 1 + self.below(2);
                let then = self.block(n);
                let els = match self.below(3) {
                    0 => None,
                    1 => {
                        let mut nested = Vec::new();
                        let cond = self.cond();
                        let then = self.block(1);
                        let els = Some(self.block(1));
                        nested.push(Stmt::If { cond, then, els });
                        Some(nested)
                    }
                    _ => {
                        let n = 1 + self.below(2);
                        Some(self.block(n))
                    }
                };
                out.push(Stmt::If { cond, then, els });
            }
            11 if can_nest && self.on(Family::Match) && !self.ints().is_empty() => {
                self.use_family(Family::Match);
                let scrut = self.scrutinee();
                let arms = (0..1 + self.below(2)).map(|k| (k, self.block(1))).collect();
                let default = self.block(1);
                // A binding arm named like the scrutinee's variable (not a constant, which
                // would be a pattern), which the default arm may not write (a binding is
                // immutable).
                let binding = match &scrut {
                    IExpr::Rem(v, _) => match &**v {
                        IExpr::Var(name)
                            if name.starts_with(|c: char| c.is_ascii_lowercase())
                                && self.chance(0.4)
                                && !default.iter().any(|s| assigns(s, name)) =>
                        {
                            Some(name.clone())
                        }
                        _ => None,
                    },
                    _ => None,
                };
                out.push(Stmt::Match {
                    scrut,
                    arms,
                    default,
                    binding,
                });
            }
            12 if self.top_level() && self.on(Family::LaggedValues) && self.chance(0.3) => {
                self.lagged(out)
            }
            12..=14 if can_nest && self.on(Family::ForRange) => {
                if self.loops.len() <= 1 && self.chance(0.2) {
                    self.running_index(out)
                } else {
                    self.for_range(out)
                }
            }
            15 | 16
                if can_nest
                    && self.on(Family::ForIter)
                    && !(self.iterables(Read::Loop).is_empty()
                        && self.row_sources().is_empty()) =>
            {
                self.for_iter(out)
            }
            17 if can_nest && self.on(Family::While) => self.counted(out, true),
            18 if can_nest && self.on(Family::LoopBreak) => self.counted(out, false),
            19 if !self.loops.is_empty() => self.loop_exit(out),
            20 if self.returns() && self.has_typed_leaf() => {
                self.use_family(Family::EarlyReturn);
                let cond = self.cond();
                let value = self.expr(2);
                let value = self.make_active(value);
                out.push(Stmt::If {
                    cond,
                    then: vec![Stmt::Return(value)],
                    els: None,
                });
                self.exited = true;
            }
            21 | 22 if self.top_level() && self.on(Family::Triangles) && self.chance(0.5) => {
                self.triangles(out)
            }
            21 | 22 if self.top_level() && self.on(Family::Centered) && self.chance(0.5) => {
                self.centered(out)
            }
            21 if self.top_level() && self.on(Family::LocalArrays) => self.local_array(out),
            22 if self.top_level() && self.on(Family::ArrayCopies) => self.array_copy(out),
            23 if self.on(Family::Closures) => self.closure(out),
            24 if self.on(Family::Destructuring) => self.destructure(out),
            25 if self.on(Family::Asserts) && !assertable.is_empty() => {
                self.use_family(Family::Asserts);
                let (name, len, ..) = self.pick(&assertable);
                self.note(&name, Read::Assert);
                out.push(Stmt::Assert(Cond::ICmp(
                    CmpOp::Ge,
                    IExpr::Len(name),
                    IExpr::Lit(len),
                )));
            }
            _ => self.let_float(out),
        }
    }

    /// An assignment to `name` that reads it (so no assigned value is ever dead) and, if its
    /// type is not known yet, mentions a typed value.
    fn assignment(&mut self, name: &str, typed: bool) -> (AssignOp, Expr) {
        let op = self.pick(&[
            AssignOp::Set,
            AssignOp::Add,
            AssignOp::Sub,
            AssignOp::Mul,
            AssignOp::Div,
        ]);
        let mut value = match op {
            AssignOp::Mul => {
                let e = self.expr(1);
                self.unary(UnFn::Cos, e)
            }
            AssignOp::Div => {
                let e = self.expr(1);
                self.positive(e, 1.0)
            }
            _ => self.expr(2),
        };
        if !typed && !self.typed(&value) {
            value = bin(BinOp::Add, value, self.typed_leaf());
        }
        if op == AssignOp::Set {
            let target = Expr::Var(name.to_string());
            let keep = if self.chance(0.5) {
                self.unary(UnFn::Tanh, target)
            } else {
                target
            };
            value = bin(
                self.pick(&[BinOp::Add, BinOp::Mul, BinOp::Sub]),
                keep,
                value,
            );
        }
        self.spelled_out(op, Expr::Var(name.to_string()), value)
    }

    /// In a loop: `m = m.max(e)` (or `min`, either order), or `if e > m { m = e; }`: a running
    /// choice, which `#[grad]` computes again after the loop from the counter that took it
    /// last when `e` depends on the counter alone.
    fn running_choice(&mut self, target: Var, out: &mut Vec<Stmt>) {
        let running = Expr::Var(target.name.clone());
        let mut value = self.expr(2);
        // `m = m` is a lint error of its own (`self_assignment`): not what is tested.
        let is_running = matches!(&value, Expr::Var(n) if *n == target.name);
        if (!target.typed && !self.typed(&value)) || is_running {
            value = bin(BinOp::Add, value, self.typed_leaf());
        }
        if self.on(Family::Branches) && self.chance(0.5) {
            self.use_family(Family::Branches);
            let op = self.pick(&[CmpOp::Gt, CmpOp::Lt, CmpOp::Ge, CmpOp::Le]);
            let (a, b) = if self.chance(0.5) {
                (value.clone(), running)
            } else {
                (running, value.clone())
            };
            let then = vec![Stmt::Assign {
                name: target.name,
                op: AssignOp::Set,
                value,
            }];
            out.push(Stmt::If {
                cond: Cond::Cmp(op, a, b),
                then,
                els: None,
            });
            return;
        }
        let f = self.pick(&[Bin2Fn::Max, Bin2Fn::Min]);
        let (a, b) = if self.chance(0.5) {
            (running, value)
        } else {
            (value, running)
        };
        let (a, path) = self.receiver(a);
        out.push(Stmt::Assign {
            name: target.name,
            op: AssignOp::Set,
            value: Expr::Bin2(f, Box::new(a), Box::new(b), path),
        });
    }

    /// `a += e` as `a = a + e` in generic code: `T: Float` has no `AddAssign`.
    pub(super) fn spelled_out(&self, op: AssignOp, target: Expr, value: Expr) -> (AssignOp, Expr) {
        let bin_op = match op {
            _ if self.prec != Prec::Generic => return (op, value),
            AssignOp::Set => return (op, value),
            AssignOp::Add => BinOp::Add,
            AssignOp::Sub => BinOp::Sub,
            AssignOp::Mul => BinOp::Mul,
            AssignOp::Div => BinOp::Div,
        };
        (AssignOp::Set, bin(bin_op, target, value))
    }

    /// `let y = h(..);` (or `let mut`): a helper's array result, read (and written) like a
    /// local array.
    fn array_call(&mut self, out: &mut Vec<Stmt>) {
        let helpers: Vec<Function> = self
            .helpers
            .iter()
            .filter(|h| h.ret != Ret::Float)
            .cloned()
            .collect();
        let h = self.pick(&helpers);
        let Some(args) = self.args(&h, 2) else {
            return self.let_float(out);
        };
        self.use_family(Family::VectorOutputs);
        let (len, fixed) = match h.ret {
            Ret::Array(n) => (n, true),
            Ret::Vec(n) => (n, false),
            Ret::Float => unreachable!("filtered to array results"),
        };
        let init = Expr::Call(h.name, args);
        let mutable = self.chance(0.3);
        let name = self.fresh("y");
        let origin = Origin::Result {
            in_loop: !self.loops.is_empty(),
            conditional: self.conditional(),
        };
        self.origins.insert(name.clone(), origin);
        self.declare(Var {
            name: name.clone(),
            kind: Kind::Arr {
                len,
                reference: false,
                fixed,
                writable: mutable,
            },
            mutable,
            typed: true,
            capturable: !mutable,
            by_ref: false,
            active: self.active(&init),
        });
        out.push(Stmt::Let {
            name,
            mutable,
            annotate: false,
            init,
        });
    }

    /// The array and matrix fields of structs (`m.w`, `cfg.shift`), with their kinds.
    fn array_fields(&self) -> Vec<Var> {
        self.vars()
            .filter(|v| v.name.contains('.') && matches!(v.kind, Kind::Arr { .. } | Kind::Mat(..)))
            .cloned()
            .collect()
    }

    /// `let al = &m.w;`: a field bound to a local, read like the field.
    fn alias(&mut self, out: &mut Vec<Stmt>) {
        let fields = self.array_fields();
        let field = self.pick(&fields);
        let name = self.fresh("al");
        self.origins.insert(name.clone(), Origin::Alias);
        let kind = match field.kind {
            Kind::Arr { len, fixed, .. } => Kind::Arr {
                len,
                reference: true,
                fixed,
                writable: false,
            },
            kind => kind,
        };
        self.declare(Var {
            name: name.clone(),
            kind,
            ..field.clone()
        });
        out.push(Stmt::Alias {
            name,
            src: field.name,
        });
    }

    pub(super) fn let_float(&mut self, out: &mut Vec<Stmt>) {
        // Shadowing: `let t = t * ..;` rebinds a top-level name, reading the old value (never
        // a struct's field).
        let fs: Vec<Var> = self
            .floats(true)
            .into_iter()
            .filter(|v| !v.name.contains('.') && !self.consts.iter().any(|c| c.name == v.name))
            .collect();
        let shadow = self.top_level() && !fs.is_empty() && self.chance(0.15);
        let (name, init) = if shadow {
            let v = self.pick(&fs);
            let old = if v.by_ref {
                Expr::Deref(v.name.clone())
            } else {
                Expr::Var(v.name.clone())
            };
            let e = self.expr(1);
            (v.name, bin(self.pick(&[BinOp::Add, BinOp::Mul]), old, e))
        } else {
            let init = if self.top_level() && self.chance(0.2) {
                let v = self.pick(&[0.0, 1.0]);
                self.lit(v)
            } else {
                self.expr(3)
            };
            (self.float_local(), init)
        };
        // A constant start is immediately followed by an input-dependent update (`let mut s =
        // 0.0; s += x;`), unless constants are on.
        let accumulate =
            matches!(init, Expr::Lit(..)) && self.top_level() && !self.on(Family::ConstantLocals);
        let init = if accumulate {
            init
        } else {
            self.make_active(init)
        };
        let typed = self.typed(&init);
        let annotate = !typed && self.chance(0.5) || self.chance(0.1);
        if !typed && !annotate && self.on(Family::UntypedLiterals) {
            self.use_family(Family::UntypedLiterals);
        }
        let mutable = self.top_level();
        let active = self.active(&init);
        // The update is drawn before the variable exists, so it does not read the constant.
        let update = accumulate.then(|| {
            let value = self.expr(2);
            let value = self.make_active(value);
            if self.typed(&value) {
                value
            } else {
                bin(BinOp::Add, value, self.typed_leaf())
            }
        });
        self.declare(Self::float_var(&name, typed || annotate, mutable, active));
        out.push(Stmt::Let {
            name: name.clone(),
            mutable,
            annotate,
            init,
        });
        if let Some(value) = update {
            let (op, value) = self.spelled_out(AssignOp::Add, Expr::Var(name.clone()), value);
            for v in self
                .scopes
                .iter_mut()
                .flat_map(|s| s.iter_mut())
                .filter(|v| v.name == name)
            {
                v.typed = true;
                v.active = true;
            }
            out.push(Stmt::Assign { name, op, value });
        }
    }

    fn local_array(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::LocalArrays);
        let len = 2 + self.below(3);
        let vec = self.chance(0.4);
        self.filled_array(out, len, vec);
    }

    /// `let mut buf = [0.0; len];` (`vec![0.0; len]`) filled by a loop; returns its name
    /// (never `h..`, the helpers' names).
    pub(super) fn filled_array(&mut self, out: &mut Vec<Stmt>, len: usize, vec: bool) -> String {
        let name = self.fresh("buf");
        out.push(Stmt::LocalArray {
            name: name.clone(),
            len,
            vec,
        });
        // Filled right away, so its element type is known before anything reads it.
        let i = self.fresh("i");
        self.scopes.push(vec![Self::counter(&i, len)]);
        let value = self.expr(2);
        let mut value = self.make_active(value);
        if !self.typed(&value) {
            value = bin(BinOp::Add, value, self.typed_leaf());
        }
        self.scopes.pop();
        let fill = Stmt::IndexAssign {
            name: name.clone(),
            idx: IExpr::Var(i.clone()),
            op: AssignOp::Set,
            value,
        };
        let iter = ForIter::upto(IExpr::Lit(0), IExpr::Lit(len));
        out.push(Stmt::For {
            pat: ForPat {
                names: vec![i],
                by_ref: false,
            },
            iter,
            body: vec![fill],
        });
        let kind = Kind::Arr {
            len,
            reference: false,
            fixed: !vec,
            writable: true,
        };
        self.declare(Var {
            name: name.clone(),
            kind,
            mutable: true,
            typed: true,
            capturable: false,
            by_ref: false,
            active: true,
        });
        name
    }

    /// A local vector filled, accumulated into over triangles of nested loops (`for i in
    /// 0..n { for j in i + 1..n { buf[j] += e; } }`, from `i`, or below it), then read whole
    /// into a new float local (`s += buf[i] * buf[i]`); sometimes all of it per iteration of
    /// a loop around, the vector a scratch declared before it, the reads summed. The loops
    /// whose reverses share one loop (`merged.rs`) and scratch adjoints written first
    /// (`overwrite.rs`).
    fn triangles(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::Triangles);
        let len = 2 + self.below(3);
        let vec = self.chance(0.4);
        let around = self.chance(0.5);
        let int = |name: &str| Self::counter(name, len);
        // The triangles' values first, before the vector exists: they never read it, so
        // their reverses only read its adjoint, and may share one loop.
        let mut triangles = Vec::new();
        for _ in 0..1 + self.below(2) {
            let (i, j) = (self.fresh("i"), self.fresh("j"));
            let (lo, hi) = match self.below(3) {
                0 => (IExpr::Var(i.clone()), IExpr::Lit(len)),
                1 => (
                    IExpr::Add(Box::new(IExpr::Var(i.clone())), Box::new(IExpr::Lit(1))),
                    IExpr::Lit(len),
                ),
                _ => (IExpr::Lit(0), IExpr::Var(i.clone())),
            };
            self.scopes.push(vec![int(&i), int(&j)]);
            let value = self.expr(2);
            let value = self.make_active(value);
            self.scopes.pop();
            triangles.push((i, j, lo, hi, value));
        }
        let mut body = Vec::new();
        let name = self.filled_array(&mut body, len, vec);
        // The declaration stays before the loop around, if any.
        let declaration = body.remove(0);
        // A read between the filling and the triangles keeps their reverses apart.
        if self.chance(0.5) {
            let t = self.float_local();
            let read = Expr::Index(name.clone(), IExpr::Lit(0));
            let half = self.lit(0.5);
            body.push(Stmt::Let {
                name: t.clone(),
                mutable: false,
                annotate: false,
                init: bin(BinOp::Mul, read, half),
            });
            if !around {
                self.declare(Self::float_var(&t, true, false, true));
            }
        }
        for (i, j, lo, hi, value) in triangles {
            let target = Expr::Index(name.clone(), IExpr::Var(j.clone()));
            let (op, value) = self.spelled_out(AssignOp::Add, target, value);
            let add = Stmt::IndexAssign {
                name: name.clone(),
                idx: IExpr::Var(j.clone()),
                op,
                value,
            };
            let inner = Stmt::For {
                pat: ForPat {
                    names: vec![j],
                    by_ref: false,
                },
                iter: ForIter::upto(lo, hi),
                body: vec![add],
            };
            body.push(Stmt::For {
                pat: ForPat {
                    names: vec![i],
                    by_ref: false,
                },
                iter: ForIter::upto(IExpr::Lit(0), IExpr::Lit(len)),
                body: vec![inner],
            });
        }
        // `let mut s = 0.0; for i in 0..n { s += buf[i] * buf[i]; }`
        let (s, start) = self.zeroed_local();
        body.push(start);
        let i = self.fresh("i");
        let read = Expr::Index(name.clone(), IExpr::Var(i.clone()));
        let square = bin(BinOp::Mul, read.clone(), read);
        let (op, value) = self.spelled_out(AssignOp::Add, Expr::Var(s.clone()), square);
        body.push(Stmt::For {
            pat: ForPat {
                names: vec![i],
                by_ref: false,
            },
            iter: ForIter::upto(IExpr::Lit(0), IExpr::Lit(len)),
            body: vec![Stmt::Assign {
                name: s.clone(),
                op,
                value,
            }],
        });
        out.push(declaration);
        if !around {
            out.extend(body);
            self.declare(Self::float_var(&s, true, true, true));
            return;
        }
        // Per iteration of a loop around: the reads summed into a float local declared
        // before it.
        let (total, start) = self.zeroed_local();
        out.push(start);
        let (op, value) = self.spelled_out(AssignOp::Add, Expr::Var(total.clone()), Expr::Var(s));
        body.push(Stmt::Assign {
            name: total.clone(),
            op,
            value,
        });
        let r = self.fresh("r");
        out.push(Stmt::For {
            pat: ForPat {
                names: vec![r],
                by_ref: false,
            },
            iter: ForIter::upto(IExpr::Lit(0), IExpr::Lit(2 + self.below(2))),
            body,
        });
        self.declare(Self::float_var(&total, true, true, true));
    }

    /// A scratch vector stored at the counter, then read there by a loop over the same range
    /// and at the outer counter of a triangle (`buf[i]` in `for j in i + 1..n`), per
    /// iteration of a loop around (ADBench's `xcentered`): its element adjoints live in
    /// locals of the merged reverse loop (`reverse/element.rs`). Look-alikes keep the adjoint
    /// buffer: the old elements read before the store, the vector left in scope for the code
    /// after (which may read or write it), no loop around.
    fn centered(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::Centered);
        let len = 2 + self.below(3);
        let vec = self.chance(0.4);
        let name = self.fresh("buf");
        out.push(Stmt::LocalArray {
            name: name.clone(),
            len,
            vec,
        });
        let int = |name: &str| Self::counter(name, len);
        let upto = |hi| ForIter::upto(IExpr::Lit(0), hi);
        let one_loop = |i: &str, iter, body| Stmt::For {
            pat: ForPat {
                names: vec![i.to_string()],
                by_ref: false,
            },
            iter,
            body,
        };
        let element = |i: &str| Expr::Index(name.clone(), IExpr::Var(i.to_string()));
        let (s, start) = self.zeroed_local();
        let mut body = vec![start];
        // The elements the iteration before stored, read before this one stores.
        if self.chance(0.25) {
            let i = self.fresh("i");
            let half = self.lit(0.5);
            let (op, value) = self.spelled_out(
                AssignOp::Add,
                Expr::Var(s.clone()),
                bin(BinOp::Mul, element(&i), half),
            );
            let add = Stmt::Assign {
                name: s.clone(),
                op,
                value,
            };
            body.push(one_loop(&i, upto(IExpr::Lit(len)), vec![add]));
        }
        // Summed, the loop around runs its reverse right after each iteration; decayed
        // (`total = total * 0.5 + s`), it runs it backwards afterwards, and the reads of the
        // vector need its values per iteration: copied, or, where the store is cheap (a
        // difference of leaves, ADBench's `x - mean`), computed again.
        let decayed = self.chance(0.5);
        // `buf[i] = e;` then `s += buf[i] * e2;`, the values reading the counter.
        for store in [true, false] {
            let i = self.fresh("i");
            self.scopes.push(vec![int(&i)]);
            let value = match store && decayed && self.chance(0.6) {
                true => {
                    let leaf = self.typed_leaf();
                    bin(BinOp::Sub, leaf, self.typed_leaf())
                }
                false => self.expr(2),
            };
            let mut value = self.make_active(value);
            if !self.typed(&value) {
                value = bin(BinOp::Add, value, self.typed_leaf());
            }
            self.scopes.pop();
            let stmt = if store {
                Stmt::IndexAssign {
                    name: name.clone(),
                    idx: IExpr::Var(i.clone()),
                    op: AssignOp::Set,
                    value,
                }
            } else {
                let read = bin(BinOp::Mul, element(&i), value);
                let (op, value) = self.spelled_out(AssignOp::Add, Expr::Var(s.clone()), read);
                Stmt::Assign {
                    name: s.clone(),
                    op,
                    value,
                }
            };
            body.push(one_loop(&i, upto(IExpr::Lit(len)), vec![stmt]));
        }
        // `for i in 0..n { for j in i + 1..n { s += buf[i] * e; } }`
        if self.chance(0.5) {
            let (i, j) = (self.fresh("i"), self.fresh("j"));
            self.scopes.push(vec![int(&i), int(&j)]);
            let value = self.expr(1);
            self.scopes.pop();
            let read = bin(BinOp::Mul, element(&i), value);
            let (op, value) = self.spelled_out(AssignOp::Add, Expr::Var(s.clone()), read);
            let add = Stmt::Assign {
                name: s.clone(),
                op,
                value,
            };
            let from = IExpr::Add(Box::new(IExpr::Var(i.clone())), Box::new(IExpr::Lit(1)));
            let inner = one_loop(&j, ForIter::upto(from, IExpr::Lit(len)), vec![add]);
            body.push(one_loop(&i, upto(IExpr::Lit(len)), vec![inner]));
        }
        let total = if self.chance(0.7) {
            let (total, start) = self.zeroed_local();
            out.push(start);
            let (op, value) = if decayed {
                let half = self.lit(0.5);
                let decayed = bin(BinOp::Mul, Expr::Var(total.clone()), half);
                (AssignOp::Set, bin(BinOp::Add, decayed, Expr::Var(s)))
            } else {
                self.spelled_out(AssignOp::Add, Expr::Var(total.clone()), Expr::Var(s))
            };
            body.push(Stmt::Assign {
                name: total.clone(),
                op,
                value,
            });
            let r = self.fresh("r");
            out.push(one_loop(&r, upto(IExpr::Lit(2 + self.below(2))), body));
            total
        } else {
            out.extend(body);
            s
        };
        self.declare(Self::float_var(&total, true, true, true));
        if self.chance(0.3) {
            self.declare(Var {
                name,
                kind: Kind::Arr {
                    len,
                    reference: false,
                    fixed: !vec,
                    writable: true,
                },
                mutable: true,
                typed: true,
                capturable: false,
                by_ref: false,
                active: true,
            });
        }
    }

    /// The counter of a loop over `0..len`, as an integer variable in scope.
    pub(super) fn counter(name: &str, len: usize) -> Var {
        Var {
            name: name.to_string(),
            kind: Kind::Int { max: len },
            mutable: false,
            typed: true,
            capturable: true,
            by_ref: false,
            active: true,
        }
    }

    /// A new float local and its `let mut t: F = 0.0;`.
    pub(super) fn zeroed_local(&mut self) -> (String, Stmt) {
        let name = self.float_local();
        let init = self.lit(0.0);
        let start = Stmt::Let {
            name: name.clone(),
            mutable: true,
            annotate: true,
            init,
        };
        (name, start)
    }

    fn array_copy(&mut self, out: &mut Vec<Stmt>) {
        let top = &self.scopes[0];
        // Not a parameter an array rebind shadows: the name is the new array now.
        let shadowed = |k: usize| top[k + 1..].iter().any(|later| later.name == top[k].name);
        let params: Vec<(String, Kind)> = (top.iter().enumerate())
            .filter(|&(k, v)| matches!(v.kind, Kind::Arr { .. }) && !v.mutable && !shadowed(k))
            .map(|(_, v)| v)
            .filter(|v| self.allowed(&v.name, Read::Copy))
            .map(|v| (v.name.clone(), v.kind))
            .collect();
        if params.is_empty() {
            return self.let_float(out);
        }
        self.use_family(Family::ArrayCopies);
        let (src, kind) = self.pick(&params);
        self.note(&src, Read::Copy);
        let Kind::Arr {
            len,
            reference,
            fixed,
            ..
        } = kind
        else {
            unreachable!("filtered to arrays")
        };
        let how = match (fixed, reference) {
            (false, _) => CopyHow::ToVec,
            (true, true) => CopyHow::Deref,
            (true, false) => CopyHow::Value,
        };
        let name = self.fresh("c");
        if src.contains('.') {
            self.origins.insert(name.clone(), Origin::FieldCopy);
        }
        out.push(Stmt::ArrayCopy {
            name: name.clone(),
            src,
            len,
            how,
        });
        let value = self.expr(2);
        let kind = Kind::Arr {
            len,
            reference: false,
            fixed,
            writable: true,
        };
        self.declare(Var {
            name: name.clone(),
            kind,
            mutable: true,
            typed: true,
            capturable: false,
            by_ref: false,
            active: true,
        });
        let idx = self.index(len);
        let (op, value) =
            self.spelled_out(AssignOp::Add, Expr::Index(name.clone(), idx.clone()), value);
        out.push(Stmt::IndexAssign {
            name,
            idx,
            op,
            value,
        });
    }

    fn closure(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::Closures);
        let name = self.fresh("g");
        let arity = 1 + self.below(2);
        let params: Vec<String> = (0..arity).map(|_| self.fresh("p")).collect();
        let kinds: Vec<(String, Kind)> = params.iter().map(|p| (p.clone(), Kind::Float)).collect();
        let mut body = self.closure_expr(&kinds, 2);
        if arity == 2 {
            body = bin(BinOp::Sub, body, Expr::Var(params[1].clone()));
        }
        out.push(Stmt::LetClosure {
            name: name.clone(),
            params,
            body,
        });
        self.declare(Var {
            name: name.clone(),
            kind: Kind::Closure(arity),
            mutable: false,
            typed: true,
            capturable: false,
            by_ref: false,
            active: true,
        });
        // Called right away, so the closure is used.
        let mut args: Vec<Expr> = (0..arity).map(|_| self.expr(1)).collect();
        args[0] = self.make_active(args[0].clone());
        let t = self.float_local();
        let mutable = self.top_level();
        self.declare(Self::float_var(&t, true, mutable, true));
        out.push(Stmt::Let {
            name: t,
            mutable,
            annotate: false,
            init: Expr::ClosureCall(name, args),
        });
    }

    fn destructure(&mut self, out: &mut Vec<Stmt>) {
        let arrays: Vec<(String, Kind)> = self
            .vars()
            .filter(|v| {
                matches!(v.kind, Kind::Arr { fixed: true, len, .. } if len <= 4)
                    && !v.mutable
                    && v.typed
                    && self.allowed(&v.name, Read::Destructure)
            })
            .map(|v| (v.name.clone(), v.kind))
            .collect();
        self.use_family(Family::Destructuring);
        if !arrays.is_empty() && self.chance(0.6) {
            let (src, kind) = self.pick(&arrays);
            self.note(&src, Read::Destructure);
            let Kind::Arr { len, reference, .. } = kind else {
                unreachable!("filtered to arrays")
            };
            let names: Vec<String> = (0..len).map(|_| self.fresh("d")).collect();
            let active = self.active_var(&src);
            for n in &names {
                self.declare(Self::float_var(n, true, false, active));
            }
            out.push(Stmt::DestructArray {
                names,
                src,
                deref: reference,
            });
        } else {
            let mut values = Vec::new();
            for _ in 0..2 {
                let v = self.expr(2);
                values.push(self.make_active(v));
            }
            let names: Vec<String> = (0..2).map(|_| self.fresh("d")).collect();
            for (n, v) in names.iter().zip(&values) {
                let (typed, active) = (self.typed(v), self.active(v));
                self.declare(Self::float_var(n, typed, false, active));
            }
            out.push(Stmt::DestructTuple { names, values });
        }
    }

    /// `if cond { return Err(..); }`: a condition on what is in scope.
    pub(super) fn fail(&mut self, out: &mut Vec<Stmt>) {
        let cond = self.cond();
        let scalars: Vec<String> = self
            .vars()
            .filter(|v| v.kind == Kind::Float && !v.name.contains('.') && !v.by_ref)
            .filter(|v| !self.consts.iter().any(|c| c.name == v.name))
            .map(|v| v.name.clone())
            .collect();
        // `T: Float` is not `Display`; `None` shows nothing.
        let show = if self.prec != Prec::Generic
            && self.fail_kind == Fallible::Result
            && !scalars.is_empty()
            && self.chance(0.5)
        {
            Some(self.pick(&scalars))
        } else {
            None
        };
        self.exited = true;
        out.push(Stmt::Fail { cond, show });
    }
}
