//! Array rebinds ([`Family::ArrayRebinds`]): a new `[F; N]` made from an existing one by
//! `map`, `std::array::from_fn` or an `if` of array literals, most often under the name it
//! reads (the new array must read the old one, never itself), then read.

use super::*;

impl Gen {
    /// The `[F; N]` arrays a rebind may read: parameters (by value or by reference), local
    /// arrays, earlier rebinds, rows a loop binds; not fields, aliases, copies of fields or
    /// call results (their reads are the patterns of other families), nor constants.
    fn rebind_sources(&self) -> Vec<(String, usize, bool)> {
        self.arrays()
            .into_iter()
            .filter(|(name, _, _, fixed, _)| {
                *fixed
                    && !name.contains('.')
                    && !self.origins.contains_key(name)
                    && !self.consts.iter().any(|c| &c.name == name)
            })
            .map(|(name, len, reference, ..)| (name, len, reference))
            .collect()
    }

    /// A mutable float in scope that a read of the new array can be added to.
    fn rebind_targets(&self) -> Vec<Var> {
        self.vars()
            .filter(|v| v.mutable && v.kind == Kind::Float)
            .cloned()
            .collect()
    }

    /// Whether a rebind may be drawn: there is an array to read, and the new one can reach
    /// the result (at top level the tail reads it; elsewhere it is added to a mutable float).
    pub(super) fn can_rebind(&self) -> bool {
        !self.rebind_sources().is_empty() && (self.top_level() || !self.rebind_targets().is_empty())
    }

    /// One to three rebinds, then a read of the last array: into a new float local at top
    /// level, added to a mutable float elsewhere; or, at top level, all of it once per
    /// iteration of a loop around (the rebinds shadow a name for the iteration only), the
    /// reads summed into a float local declared before it.
    pub(super) fn rebinds(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::ArrayRebinds);
        let sources = self.rebind_sources();
        let (src, len, reference) = self.pick(&sources);
        if self.top_level() && self.chance(0.35) {
            let (total, start) = self.zeroed_local();
            out.push(start);
            let r = self.fresh("r");
            let count = 2 + self.below(2);
            self.loops.push(LoopKind::For);
            self.scopes.push(vec![Self::counter(&r, count)]);
            let mut body = Vec::new();
            let name = self.rebind_steps(&mut body, src, len, reference);
            let read = self.rebind_read(&name, len);
            let (op, value) = self.spelled_out(AssignOp::Add, Expr::Var(total.clone()), read);
            body.push(Stmt::Assign {
                name: total.clone(),
                op,
                value,
            });
            self.scopes.pop();
            self.loops.pop();
            out.push(Stmt::For {
                pat: ForPat {
                    names: vec![r],
                    by_ref: false,
                },
                iter: ForIter::upto(IExpr::Lit(0), IExpr::Lit(count)),
                body,
            });
            self.declare(Self::float_var(&total, true, true, true));
            return;
        }
        let name = self.rebind_steps(out, src, len, reference);
        let read = self.rebind_read(&name, len);
        if self.top_level() {
            let t = self.float_local();
            let active = self.active(&read);
            self.declare(Self::float_var(&t, true, true, active));
            out.push(Stmt::Let {
                name: t,
                mutable: true,
                annotate: false,
                init: read,
            });
            return;
        }
        let targets = self.rebind_targets();
        let target = self.pick(&targets);
        for v in
            (self.scopes.iter_mut().flat_map(|s| s.iter_mut())).filter(|v| v.name == target.name)
        {
            v.typed = true;
        }
        let (op, value) = self.spelled_out(AssignOp::Add, Expr::Var(target.name.clone()), read);
        out.push(Stmt::Assign {
            name: target.name,
            op,
            value,
        });
    }

    /// One to three rebinds, each reading what the one before made (the first `src`, of
    /// `len` elements, `reference` if it is `&[F; N]`), most under the name they read;
    /// returns the last one's name.
    fn rebind_steps(
        &mut self,
        out: &mut Vec<Stmt>,
        mut src: String,
        len: usize,
        mut reference: bool,
    ) -> String {
        let steps = match self.below(6) {
            0..=2 => 1,
            3 | 4 => 2,
            _ => 3,
        };
        // A row a loop binds may be a model field's, whose length the macro cannot see: its
        // map states the length on the `let`.
        let mut row = src.starts_with("row");
        for _ in 0..steps {
            let init = match self.below(3) {
                0 => self.made_from_fn(&src, len),
                1 => self.chosen(&src, len, reference),
                _ => self.mapped(&src),
            };
            // `from_fn` needs the length from the `let`.
            let annotate = matches!(init, Expr::FromFn { .. })
                || row && matches!(init, Expr::MapArray { .. })
                || self.chance(0.25);
            let name = if self.chance(0.7) {
                src
            } else {
                self.fresh("z")
            };
            let active = self.active(&init);
            self.declare(Var {
                name: name.clone(),
                kind: Kind::Arr {
                    len,
                    reference: false,
                    fixed: true,
                    writable: false,
                },
                mutable: false,
                typed: true,
                capturable: true,
                by_ref: false,
                active,
            });
            out.push(Stmt::Rebind {
                name: name.clone(),
                len,
                annotate,
                init,
            });
            src = name;
            reference = false;
            row = false;
        }
        src
    }

    /// `src.map(|v| ..)`, the closure reading `v` and what a closure may capture (`src`'s
    /// old elements too).
    fn mapped(&mut self, src: &str) -> Expr {
        let var = self.fresh("v");
        let body = self.closure_expr(&[(var.clone(), Kind::Float)], 2);
        Expr::MapArray {
            src: src.to_string(),
            var,
            body: Box::new(body),
        }
    }

    /// `std::array::from_fn(|i| src[i] * ..)`, the element read at `i`, `(i + 1) % len` or
    /// `len - 1 - i`.
    fn made_from_fn(&mut self, src: &str, len: usize) -> Expr {
        let idx = self.fresh("i");
        let i = IExpr::Var(idx.clone());
        let at = match self.below(3) {
            0 => i,
            1 => IExpr::Rem(
                Box::new(IExpr::Add(Box::new(i), Box::new(IExpr::Lit(1)))),
                Box::new(IExpr::Lit(len)),
            ),
            _ => IExpr::Sub(Box::new(IExpr::Lit(len - 1)), Box::new(i)),
        };
        let read = Expr::Index(src.to_string(), at);
        let other = self.closure_expr(&[(idx.clone(), Kind::Int { max: len })], 1);
        let op = self.pick(&[BinOp::Add, BinOp::Mul, BinOp::Sub]);
        Expr::FromFn {
            idx,
            len,
            body: Box::new(bin(op, read, other)),
        }
    }

    /// `if c { [src[1], src[0], ..] } else { src }` (`*src` for a reference): two of the
    /// elements permuted, the elements scaled (`[src[0] * s, ..]`) and the array itself.
    fn chosen(&mut self, src: &str, len: usize, reference: bool) -> Expr {
        let cond = self.cond();
        let elem = |k: usize| Expr::Index(src.to_string(), IExpr::Lit(k));
        let same = match reference {
            true => Expr::Deref(src.to_string()),
            false => Expr::Var(src.to_string()),
        };
        let order: Vec<usize> = match self.below(3) {
            0 => (0..len)
                .map(|k| [1, 0].get(k).copied().unwrap_or(k))
                .collect(),
            1 => (0..len).map(|k| (k + 1) % len).collect(),
            _ => (0..len).rev().collect(),
        };
        let permuted = Expr::ArrayLit(order.into_iter().map(elem).collect(), false);
        self.branches += 1;
        let s = self.expr(1);
        self.branches -= 1;
        let scaled = Expr::ArrayLit(
            (0..len)
                .map(|k| bin(BinOp::Mul, elem(k), s.clone()))
                .collect(),
            false,
        );
        let (a, b) = match self.below(3) {
            0 => (permuted, same),
            1 => (permuted, scaled),
            _ => (scaled, same),
        };
        let (a, b) = if self.chance(0.5) { (a, b) } else { (b, a) };
        let block = |tail| Block {
            stmts: Vec::new(),
            tail,
        };
        Expr::If(Box::new(cond), Box::new(block(a)), Box::new(block(b)))
    }

    /// A read of the array `name`: an element, `name.iter().sum()`, or a call of a helper
    /// that takes it, sometimes in arithmetic.
    fn rebind_read(&mut self, name: &str, len: usize) -> Expr {
        let element = |g: &mut Gen| {
            let i = g.index(len);
            Expr::Index(name.to_string(), i)
        };
        let read = match self.below(3) {
            0 => element(self),
            1 => Expr::Chain(Chain::Sum {
                src: name.to_string(),
            }),
            _ => match self.rebind_call(name, len) {
                Some(call) => call,
                None => element(self),
            },
        };
        let read = if self.chance(0.4) {
            let op = self.pick(&[BinOp::Add, BinOp::Mul]);
            let e = self.expr(1);
            bin(op, read, e)
        } else {
            read
        };
        self.make_active(read)
    }

    /// `h(.., &name, ..)`: a call of a helper that returns a float and takes an array of
    /// `len` (or a slice) where it takes `name`.
    fn rebind_call(&mut self, name: &str, len: usize) -> Option<Expr> {
        let fits = |ty: ParamTy| match ty {
            ParamTy::ArrayRef(n) => n == len,
            ParamTy::Slice(_) => true,
            _ => false,
        };
        let helpers: Vec<Function> = self
            .helpers
            .iter()
            .filter(|h| h.ret == Ret::Float && h.params.iter().any(|p| fits(p.ty)))
            .cloned()
            .collect();
        if helpers.is_empty() {
            return None;
        }
        let h = self.pick(&helpers);
        let mut args = self.args(&h, 1)?;
        let at = h.params.iter().position(|p| fits(p.ty))?;
        args[at] = Arg::Array {
            name: name.to_string(),
            by_ref: false,
        };
        Some(self.called(h, args))
    }
}
