//! Loops: `for` over ranges and iterators, running indices, `while` and `loop` with their
//! counters, early exits.

use super::*;

/// An integer variable up to `max`: a loop's counter, or (`mutable`) one the loop steps.
fn int_var(name: &str, max: usize, mutable: bool) -> Var {
    Var {
        name: name.to_string(),
        kind: Kind::Int { max },
        mutable,
        typed: true,
        capturable: !mutable,
        by_ref: false,
        active: true,
    }
}

impl Gen {
    /// A loop bound: an array's length, a `usize` parameter or a literal; and the largest
    /// value bound by it.
    fn bound(&mut self) -> (IExpr, usize) {
        let arrays = self.arrays();
        let ints: Vec<_> = self
            .vars()
            .filter(|v| matches!(v.kind, Kind::Int { .. }) && v.name.starts_with('n'))
            .cloned()
            .chain(self.sizes().into_iter().map(|(name, v)| Var {
                name,
                kind: Kind::Int { max: v + 1 },
                ..Self::float_var("", true, false, false)
            }))
            .collect();
        match self.below(3) {
            0 if !arrays.is_empty() => {
                let (name, len, _, fixed, _) = self.pick(&arrays);
                if fixed && self.chance(0.5) {
                    (IExpr::Lit(len), len)
                } else {
                    (IExpr::Len(name), len)
                }
            }
            1 if !ints.is_empty() => {
                let v = self.pick(&ints);
                let Kind::Int { max } = v.kind else {
                    unreachable!("filtered to ints")
                };
                (IExpr::Var(v.name), max)
            }
            _ => {
                let n = 2 + self.below(3);
                (IExpr::Lit(n), n)
            }
        }
    }

    fn loop_body(&mut self, kind: LoopKind, binds: Vec<Var>) -> Vec<Stmt> {
        self.loops.push(kind);
        self.scopes.push(binds);
        let mut body = Vec::new();
        for _ in 0..1 + self.below(3) {
            self.stmt(&mut body);
        }
        self.scopes.pop();
        self.loops.pop();
        body
    }

    pub(super) fn for_range(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::ForRange);
        let (bound, max) = self.bound();
        let lo = if self.chance(0.3) { 1 } else { 0 };
        let mut inclusive = self.chance(0.25);
        let rev = self.chance(0.2);
        let step = if self.chance(0.2) { Some(2) } else { None };
        let name = self.fresh("i");
        let body = self.loop_body(LoopKind::For, vec![int_var(&name, max, false)]);
        if inclusive && (step.is_some() || body.iter().any(exits)) {
            if self.on(Family::InclusiveStepExit) {
                self.use_family(Family::InclusiveStepExit);
            } else {
                inclusive = false;
            }
        }
        let hi = if inclusive {
            IExpr::Sub(Box::new(bound), Box::new(IExpr::Lit(1)))
        } else {
            bound
        };
        let iter = ForIter::Range {
            lo: IExpr::Lit(lo),
            hi,
            inclusive,
            rev,
            step,
        };
        out.push(Stmt::For {
            pat: ForPat {
                names: vec![name],
                by_ref: false,
            },
            iter,
            body,
        });
    }

    /// Values shifted along by a loop from constant starts (`l2 = l1; l1 = f(l2) * c + e;`),
    /// the oldest read through a float method: it depends on an input only from the third
    /// iteration on (a call on it was once taken for data there, its derivative dropped).
    pub(super) fn lagged(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::LaggedValues);
        let names: Vec<String> = (0..2 + self.below(2)).map(|_| self.float_local()).collect();
        for name in &names {
            let v = self.lit_value() / 2.0;
            let init = self.lit(v);
            out.push(Stmt::Let {
                name: name.clone(),
                mutable: true,
                annotate: true,
                init,
            });
        }
        let (bound, max) = self.bound();
        let counter = self.fresh("i");
        self.loops.push(LoopKind::For);
        self.scopes.push(vec![int_var(&counter, max, false)]);
        let mut body = Vec::new();
        if self.chance(0.5) {
            self.stmt(&mut body);
        }
        // Bounded whatever the iteration: the recurrence cannot overflow.
        let f = self.pick(&[UnFn::Sin, UnFn::Cos, UnFn::Tanh, UnFn::Atan]);
        let oldest = Expr::Var(names[names.len() - 1].clone());
        let read = self.unary(f, oldest);
        let c = self.lit_value() / 2.0;
        let c = self.lit(c);
        let input = self.expr(1);
        let input = self.plus_active(input);
        let newest = bin(BinOp::Add, bin(BinOp::Mul, read, c), input);
        let next = self.float_local();
        self.declare(Self::float_var(&next, true, false, true));
        body.push(Stmt::Let {
            name: next.clone(),
            mutable: false,
            annotate: false,
            init: newest,
        });
        for k in (1..names.len()).rev() {
            body.push(Stmt::Assign {
                name: names[k].clone(),
                op: AssignOp::Set,
                value: Expr::Var(names[k - 1].clone()),
            });
        }
        body.push(Stmt::Assign {
            name: names[0].clone(),
            op: AssignOp::Set,
            value: Expr::Var(next),
        });
        self.scopes.pop();
        self.loops.pop();
        for name in &names {
            self.declare(Self::float_var(name, true, true, true));
        }
        out.push(Stmt::For {
            pat: ForPat {
                names: vec![counter],
                by_ref: false,
            },
            iter: ForIter::Range {
                lo: IExpr::Lit(0),
                hi: bound,
                inclusive: false,
                rev: false,
                step: None,
            },
            body,
        });
    }

    /// A running index walked through a triangle of nested loops, as packed storage is
    /// (`let mut k = 0; for i in 0..n { for j in i..n { .. a[k % len] ..; k += 1; } }`), read
    /// in both loops. Inside a loop, it may start from an integer there (a row's triangle
    /// starts at the row's offset), where the loop's final index is not in scope in the
    /// reverse sweep.
    /// Often an array read at it is summed into a float local (`t += a[k % len] * e`), so
    /// that the reverse sweep needs the index: one declared before, which the code after may
    /// read, or a new one.
    pub(super) fn running_index(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::ForRange);
        let (bound, max) = self.bound();
        let k = self.fresh("k");
        let arrays = self.arrays();
        let packed = match arrays.is_empty() || self.chance(0.3) {
            true => None,
            false => {
                let (array, len, ..) = self.pick(&arrays);
                let declared: Vec<String> = self
                    .vars()
                    .filter(|v| v.kind == Kind::Float && v.mutable && v.active)
                    .map(|v| v.name.clone())
                    .collect();
                let total = match declared.is_empty() || self.chance(0.3) {
                    true => {
                        let (total, start) = self.zeroed_local();
                        out.push(start);
                        self.declare(Self::float_var(&total, true, true, true));
                        total
                    }
                    false => self.pick(&declared),
                };
                Some((array, len, total))
            }
        };
        let ints = self.ints();
        let (init, start_max) = match ints.is_empty() || self.loops.is_empty() || self.chance(0.3) {
            true => (IExpr::Lit(0), 0),
            false => {
                let (name, m) = self.pick(&ints);
                (
                    IExpr::Mul(Box::new(IExpr::Var(name)), Box::new(IExpr::Lit(2))),
                    2 * m,
                )
            }
        };
        out.push(Stmt::LetInt {
            name: k.clone(),
            init,
        });
        self.declare(int_var(&k, start_max + max * max + 1, true));
        let (i, j) = (self.fresh("i"), self.fresh("j"));
        self.loops.push(LoopKind::For);
        self.scopes.push(vec![int_var(&i, max, false)]);
        let mut body = Vec::new();
        if self.chance(0.5) {
            self.stmt(&mut body);
        }
        // Counted: no `continue` skips the step.
        let mut inner = self.loop_body(LoopKind::Counted, vec![int_var(&j, max, false)]);
        if let Some((array, len, total)) = &packed {
            let at = IExpr::Rem(Box::new(IExpr::Var(k.clone())), Box::new(IExpr::Lit(*len)));
            let factor = self.expr(1);
            let factor = self.make_active(factor);
            let term = bin(BinOp::Mul, Expr::Index(array.clone(), at), factor);
            let (op, value) = self.spelled_out(AssignOp::Add, Expr::Var(total.clone()), term);
            inner.push(Stmt::Assign {
                name: total.clone(),
                op,
                value,
            });
        }
        inner.push(Stmt::IncInt { name: k.clone() });
        body.push(Stmt::For {
            pat: ForPat {
                names: vec![j],
                by_ref: false,
            },
            iter: ForIter::upto(IExpr::Var(i.clone()), bound.clone()),
            body: inner,
        });
        if self.chance(0.5) {
            self.stmt(&mut body);
        }
        // The index is read at least once (else it is an unused variable, an error under
        // `deny(warnings)`).
        body.push(Stmt::Let {
            name: self.fresh("_t"),
            mutable: false,
            annotate: false,
            init: Expr::Cast(IExpr::Var(k.clone())),
        });
        self.scopes.pop();
        self.loops.pop();
        out.push(Stmt::For {
            pat: ForPat {
                names: vec![i],
                by_ref: false,
            },
            iter: ForIter::upto(IExpr::Lit(0), bound),
            body,
        });
        if let Some((_, _, total)) = packed {
            // Read at least once, as the index is.
            out.push(Stmt::Let {
                name: self.fresh("_t"),
                mutable: false,
                annotate: false,
                init: Expr::Var(total),
            });
        }
    }

    pub(super) fn for_iter(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::ForIter);
        let arrays = self.iterables(Read::Loop);
        let matrices = self.row_sources();
        let by_ref = self.chance(0.4);
        let float = |n: &str| Var {
            name: n.to_string(),
            kind: Kind::Float,
            mutable: false,
            typed: true,
            capturable: true,
            by_ref,
            active: true,
        };
        let choice = if arrays.is_empty() {
            3
        } else {
            self.below(if matrices.is_empty() { 3 } else { 4 })
        };
        let (names, iter, binds) = match choice {
            0 => {
                let (src, ..) = self.pick(&arrays);
                let v = self.fresh("v");
                let bind = Var {
                    active: self.active_var(&src),
                    ..float(&v)
                };
                (vec![v.clone()], ForIter::Iter { src }, vec![bind])
            }
            1 => {
                let (src, len, ..) = self.pick(&arrays);
                let (i, v) = (self.fresh("i"), self.fresh("v"));
                let iv = Var {
                    kind: Kind::Int { max: len },
                    by_ref: false,
                    ..float(&i)
                };
                let bind = Var {
                    active: self.active_var(&src),
                    ..float(&v)
                };
                (
                    vec![i, v.clone()],
                    ForIter::Enumerate { src },
                    vec![iv, bind],
                )
            }
            2 => {
                let (a, ..) = self.pick(&arrays);
                let (b, ..) = self.pick(&arrays);
                let (u, v) = (self.fresh("u"), self.fresh("v"));
                let binds = vec![
                    Var {
                        active: self.active_var(&a),
                        ..float(&u)
                    },
                    Var {
                        active: self.active_var(&b),
                        ..float(&v)
                    },
                ];
                (vec![u.clone(), v.clone()], ForIter::Zip { a, b }, binds)
            }
            _ => {
                let (src, _, m) = self.pick(&matrices);
                let row = self.fresh("row");
                let kind = Kind::Arr {
                    len: m,
                    reference: true,
                    fixed: true,
                    writable: false,
                };
                (
                    vec![row.clone()],
                    ForIter::Rows { src },
                    vec![Var {
                        kind,
                        by_ref: false,
                        ..float(&row)
                    }],
                )
            }
        };
        let sources: Vec<String> = match &iter {
            ForIter::Iter { src } | ForIter::Enumerate { src } | ForIter::Rows { src } => {
                vec![src.clone()]
            }
            ForIter::Zip { a, b } => vec![a.clone(), b.clone()],
            ForIter::Range { .. } => Vec::new(),
        };
        let read = match iter {
            ForIter::Rows { .. } => Read::Rows,
            _ => Read::Loop,
        };
        for src in &sources {
            self.note(src, read);
            if read == Read::Rows && src.contains('.') {
                self.row_fields.push(src.clone());
            }
        }
        let mark = self.borrowed.len();
        self.borrowed.extend(sources);
        let body = self.loop_body(LoopKind::For, binds);
        self.borrowed.truncate(mark);
        out.push(Stmt::For {
            pat: ForPat { names, by_ref },
            iter,
            body,
        });
    }

    /// `let mut k = 0; while k < n { ..; k += 1; }` or the same as `loop` with a `break`.
    pub(super) fn counted(&mut self, out: &mut Vec<Stmt>, is_while: bool) {
        self.use_family(if is_while {
            Family::While
        } else {
            Family::LoopBreak
        });
        let (bound, max) = self.bound();
        let k = self.fresh("k");
        out.push(Stmt::LetInt {
            name: k.clone(),
            init: IExpr::Lit(0),
        });
        let mut done = Cond::ICmp(CmpOp::Ge, IExpr::Var(k.clone()), bound.clone());
        let var = int_var(&k, max, true);
        self.declare(var.clone());
        // A `loop` may leave by its `break` before the body.
        self.exited |= !is_while;
        // A test before the body is drawn before it: it may read only what Rust can type
        // there (not a `let mut t = 0.0;` that the body assigns first).
        let first = is_while || self.chance(0.5);
        let mut extra = if first { self.extra_cond() } else { None };
        let mut body = self.loop_body(LoopKind::Counted, Vec::new());
        body.push(Stmt::IncInt { name: k.clone() });
        if !first {
            extra = self.extra_cond();
        }
        if is_while {
            let mut cond = Cond::ICmp(CmpOp::Lt, IExpr::Var(k), bound);
            if let Some(c) = extra {
                cond = Cond::And(Box::new(cond), Box::new(c));
            }
            out.push(Stmt::While { cond, body });
        } else {
            if let Some(c) = extra {
                done = Cond::Or(Box::new(done), Box::new(c));
            }
            let exit = Stmt::If {
                cond: done,
                then: vec![Stmt::Break],
                els: None,
            };
            if first {
                body.insert(0, exit);
            } else {
                body.push(exit);
            }
            out.push(Stmt::Loop { body });
        }
    }

    /// Sometimes a float condition for a counted loop's test (`k < n && c`, `k >= n || c`).
    fn extra_cond(&mut self) -> Option<Cond> {
        (self.chance(0.3) && self.has_typed_leaf()).then(|| self.cond())
    }

    /// `if c { continue; }`, `if c { break; }` or `if c { return e; }` inside a loop.
    pub(super) fn loop_exit(&mut self, out: &mut Vec<Stmt>) {
        let innermost = *self.loops.last().expect("inside a loop");
        let stmt = match self.below(3) {
            0 if innermost == LoopKind::For && self.on(Family::Continue) => {
                self.use_family(Family::Continue);
                Stmt::Continue
            }
            1 if self.on(Family::LoopBreak) => {
                self.use_family(Family::LoopBreak);
                Stmt::Break
            }
            2 if self.returns() => {
                self.use_family(Family::EarlyReturn);
                let value = self.expr(2);
                Stmt::Return(self.make_active(value))
            }
            _ => return self.let_float(out),
        };
        if !self.has_typed_leaf() && self.ints().is_empty() {
            return self.let_float(out);
        }
        let cond = self.cond();
        self.exited = true;
        out.push(Stmt::If {
            cond,
            then: vec![stmt],
            els: None,
        });
    }
}
