//! Items: the functions (helpers, the main function, methods), their parameters and structs,
//! and the tails that return a value or an array.

use super::*;

impl Gen {
    pub(super) fn function(&mut self, name: &str, helper: bool, ret: Ret) -> Function {
        let mut params = Vec::new();
        let count = if helper {
            1 + self.below(2)
        } else {
            1 + self.below(4)
        };
        let arrays = self.on(Family::ArrayParams);
        let models: Vec<usize> = (0..self.structs.len())
            .filter(|&k| self.structs[k].model)
            .collect();
        for k in 0..count {
            let ty = match self.below(if arrays { 7 } else { 1 }) {
                _ if helper && k == 0 && !models.is_empty() && self.chance(0.4) => {
                    ParamTy::Struct(self.pick(&models))
                }
                _ if helper && k == 0 && arrays && self.chance(0.5) => {
                    if self.chance(0.5) {
                        ParamTy::Slice(2)
                    } else {
                        ParamTy::ArrayRef(self.array_len())
                    }
                }
                0 | 1 => ParamTy::Scalar,
                _ if helper && !self.sizes().is_empty() && self.chance(0.3) => {
                    let sizes = self.sizes();
                    ParamTy::Usize(self.pick(&sizes).1)
                }
                _ if helper && self.on(Family::ConstSlices) && self.chance(0.4) => {
                    ParamTy::Slice(2)
                }
                _ if helper => ParamTy::Scalar,
                2 => ParamTy::Array(2 + self.below(3)),
                3 => ParamTy::ArrayRef(2 + self.below(3)),
                4 => ParamTy::Slice(2 + self.below(3)),
                5 => ParamTy::Matrix(2 + self.below(2), 2 + self.below(2)),
                _ => ParamTy::Usize(2 + self.below(3)),
            };
            let pname = match ty {
                ParamTy::Scalar => format!("x{k}"),
                ParamTy::Usize(_) => format!("n{k}"),
                ParamTy::Matrix(..) => format!("m{k}"),
                ParamTy::Struct(_) => "l".to_string(),
                _ => format!("w{k}"),
            };
            params.push(Param { name: pname, ty });
        }
        let wrt = match self.method {
            Some(data) if !helper => self.method_params(&mut params, data),
            _ if helper || models.is_empty() => Vec::new(),
            _ => self.struct_params(&mut params),
        };
        if params.iter().all(|p| p.ty.floats(&self.structs) == 0) {
            params.push(Param {
                name: format!("x{count}"),
                ty: ParamTy::Scalar,
            });
        }
        if params
            .iter()
            .any(|p| !matches!(p.ty, ParamTy::Scalar | ParamTy::Struct(_)))
        {
            self.use_family(Family::ArrayParams);
        }
        if params.iter().any(|p| matches!(p.ty, ParamTy::Struct(_))) {
            self.use_family(Family::Models);
        }
        if ret != Ret::Float {
            self.use_family(Family::VectorOutputs);
        }
        self.scopes = vec![params.iter().map(|p| self.param_var(p)).collect()];
        for p in &params {
            if let ParamTy::Struct(def) = p.ty {
                let active = self.structs[def].model;
                self.declare_fields(&p.name, def, active);
            }
        }
        self.inputs = self.scopes[0].len();
        self.ret = ret;
        self.exited = false;
        self.passed.clear();
        self.row_fields.clear();
        let mut stmts = Vec::new();
        self.fallible &= ret == Ret::Float;
        if self.fallible && self.chance(0.6) {
            self.fail(&mut stmts);
        }
        for _ in 0..(if helper {
            1 + self.below(3)
        } else {
            2 + self.below(5)
        }) {
            self.stmt(&mut stmts);
        }
        let tail = match ret {
            Ret::Float => self.tail(&stmts),
            Ret::Array(_) | Ret::Vec(_) => self.array_tail(&mut stmts, ret),
        };
        self.scopes.clear();
        self.ret = Ret::Float;
        let mut f = Function {
            name: name.to_string(),
            params,
            wrt,
            ret,
            fallible: self.fallible,
            body: Block { stmts, tail },
        };
        self.fallible = false;
        finalize(&mut f);
        f
    }

    /// Adds `self: &M` first to the parameters of the method `f`; returns what `#[grad(..)]`
    /// names: `self` and some float parameters, or, when `self` is data, nothing (`#[grad]`)
    /// or some float parameters.
    fn method_params(&mut self, params: &mut Vec<Param>, data: bool) -> Vec<String> {
        let m = self.model_index();
        params.insert(
            0,
            Param {
                name: "self".to_string(),
                ty: ParamTy::Struct(m),
            },
        );
        let mut wrt = if data {
            Vec::new()
        } else {
            vec!["self".to_string()]
        };
        if data && self.chance(0.5) {
            return wrt;
        }
        for p in params.iter() {
            let float = !matches!(p.ty, ParamTy::Struct(_) | ParamTy::Usize(_));
            if float && self.chance(0.5) {
                wrt.push(p.name.clone());
            }
        }
        wrt
    }

    /// Adds `m: &M` first and, if there is one, `cfg: &Cfg` after it to the parameters of
    /// `f`; returns what `#[grad(..)]` names: nothing (a bare `#[grad]`, every parameter) or
    /// the model and some float parameters, always when a data struct must stay data.
    fn struct_params(&mut self, params: &mut Vec<Param>) -> Vec<String> {
        let model = self.structs.iter().rposition(|s| s.model);
        let data = self.structs.iter().position(|s| !s.model);
        let model = model.expect("the model M is drawn with the structs");
        params.insert(
            0,
            Param {
                name: "m".to_string(),
                ty: ParamTy::Struct(model),
            },
        );
        if let Some(data) = data {
            let at = 1 + self.below(params.len());
            params.insert(
                at,
                Param {
                    name: "cfg".to_string(),
                    ty: ParamTy::Struct(data),
                },
            );
        }
        if data.is_none() && self.chance(0.7) {
            return Vec::new();
        }
        let mut wrt = vec!["m".to_string()];
        for p in params.iter() {
            let float = !matches!(p.ty, ParamTy::Struct(_) | ParamTy::Usize(_));
            if float && self.chance(0.5) {
                wrt.push(p.name.clone());
            }
        }
        wrt
    }

    /// The model `M`, sometimes with a nested model `Inner` (its field `inner`), and
    /// sometimes a data struct `Cfg` that no function differentiates (`scale`, and with
    /// [`Family::DataArrays`] sometimes an array `shift`).
    pub(super) fn structs(&mut self) {
        if self.chance(0.5) {
            let count = 1 + self.below(2);
            let fields = self.fields(count);
            self.structs.push(StructDef {
                name: "Inner".to_string(),
                fields,
                model: true,
            });
        }
        let count = 1 + self.below(3);
        let mut fields = self.fields(count);
        if !self.structs.is_empty() {
            let at = self.below(fields.len() + 1);
            fields.insert(
                at,
                Field {
                    name: "inner".to_string(),
                    ty: FieldTy::Struct(0),
                },
            );
        }
        self.structs.push(StructDef {
            name: "M".to_string(),
            fields,
            model: true,
        });
        if self.chance(0.4) {
            let mut fields = vec![Field {
                name: "scale".to_string(),
                ty: FieldTy::Scalar,
            }];
            if self.on(Family::DataArrays) && self.chance(0.5) {
                self.use_family(Family::DataArrays);
                fields.push(Field {
                    name: "shift".to_string(),
                    ty: FieldTy::Array(2 + self.below(3)),
                });
            }
            self.structs.push(StructDef {
                name: "Cfg".to_string(),
                fields,
                model: false,
            });
        }
    }

    /// `count` fields of a model: floats, arrays, `Vec`s and matrices.
    fn fields(&mut self, count: usize) -> Vec<Field> {
        (0..count)
            .map(|k| {
                let (prefix, ty) = match self.below(5) {
                    0 | 1 => ("a", FieldTy::Scalar),
                    2 => ("w", FieldTy::Array(2 + self.below(3))),
                    3 => ("v", FieldTy::Vec(2 + self.below(3))),
                    _ => ("mat", FieldTy::Matrix(2 + self.below(2), 2 + self.below(2))),
                };
                Field {
                    name: format!("{prefix}{k}"),
                    ty,
                }
            })
            .collect()
    }

    /// The length of a helper's `&[F; N]` parameter: with models, often that of a model's
    /// array field or matrix row, so that fields and rows are passed to it.
    fn array_len(&mut self) -> usize {
        let lens: Vec<usize> = self
            .structs
            .iter()
            .filter(|s| s.model)
            .flat_map(|s| &s.fields)
            .filter_map(|f| match f.ty {
                FieldTy::Array(n) | FieldTy::Matrix(_, n) => Some(n),
                _ => None,
            })
            .collect();
        if !lens.is_empty() && self.chance(0.6) {
            return self.pick(&lens);
        }
        2 + self.below(3)
    }

    /// Declares the fields of the struct `path` as variables named by their paths (`m.w`,
    /// `m.inner.b`): read, iterated, copied and passed on, never written. A data struct's
    /// fields do not depend on a float input.
    fn declare_fields(&mut self, path: &str, def: usize, active: bool) {
        for field in self.structs[def].fields.clone() {
            let name = format!("{path}.{}", field.name);
            let arr = |len, fixed| Kind::Arr {
                len,
                reference: false,
                fixed,
                writable: false,
            };
            let kind = match field.ty {
                FieldTy::Scalar => Kind::Float,
                FieldTy::Array(n) => arr(n, true),
                FieldTy::Vec(n) => arr(n, false),
                FieldTy::Matrix(n, m) => Kind::Mat(n, m),
                FieldTy::Struct(def) => Kind::Struct {
                    def,
                    reference: false,
                },
            };
            self.declare(Var {
                name: name.clone(),
                kind,
                mutable: false,
                typed: true,
                capturable: true,
                by_ref: false,
                active,
            });
            if let FieldTy::Struct(inner) = field.ty {
                let active = active && self.structs[inner].model;
                self.declare_fields(&name, inner, active);
            }
        }
    }

    /// Inputs for `f`'s parameters, flattened: multiples of 1/8.
    pub(super) fn inputs_of(&mut self, f: &Function) -> Vec<Vec<f64>> {
        let counts: Vec<usize> = f
            .params
            .iter()
            .map(|p| p.ty.values(&self.structs))
            .collect();
        counts
            .into_iter()
            .map(|n| (0..n).map(|_| self.lit_value()).collect())
            .collect()
    }

    fn param_var(&self, p: &Param) -> Var {
        let arr = |len, reference, fixed| Kind::Arr {
            len,
            reference,
            fixed,
            writable: false,
        };
        let kind = match p.ty {
            ParamTy::Scalar => Kind::Float,
            ParamTy::Array(n) => arr(n, false, true),
            ParamTy::ArrayRef(n) => arr(n, true, true),
            ParamTy::Slice(n) => arr(n, true, false),
            ParamTy::Matrix(n, m) => Kind::Mat(n, m),
            ParamTy::Usize(v) => Kind::Int { max: v + 1 },
            ParamTy::Struct(def) => Kind::Struct {
                def,
                reference: true,
            },
        };
        let active = match p.ty {
            ParamTy::Struct(def) => self.structs[def].model,
            _ => true,
        };
        Var {
            name: p.name.clone(),
            kind,
            mutable: false,
            typed: true,
            capturable: true,
            by_ref: false,
            active,
        }
    }

    /// The result: every top-level float variable, an element of every local array and of
    /// every parameter (and struct field) the body does not read, plus a fresh expression.
    fn tail(&mut self, stmts: &[Stmt]) -> Expr {
        let mut terms = vec![self.expr(2)];
        let top = self.scopes[0].clone();
        for (k, v) in top.iter().enumerate() {
            if top[k + 1..].iter().any(|later| later.name == v.name) {
                continue; // shadowed
            }
            let v = v.clone();
            let read_in_body = stmts.iter().any(|s| reads_stmt(s, &v.name));
            let is_param = k < self.inputs;
            match v.kind {
                Kind::Float if !is_param || !read_in_body => terms.push(Expr::Var(v.name)),
                Kind::Arr { len, .. } if !is_param || !read_in_body => {
                    terms.push(Expr::Index(v.name, IExpr::Lit(len - 1)))
                }
                // Read through rows only, a field is indexed too unless FieldRows.
                Kind::Mat(..) if !read_in_body || self.row_fields.contains(&v.name) => {
                    if read_in_body && self.on(Family::FieldRows) {
                        self.use_family(Family::FieldRows);
                    } else {
                        terms.push(Expr::Index2(v.name, IExpr::Lit(0), IExpr::Lit(1)));
                    }
                }
                Kind::Int { .. } if is_param && !read_in_body => {
                    terms.push(Expr::Cast(IExpr::Var(v.name)))
                }
                _ => {}
            }
        }
        let mut e = terms.remove(0);
        for t in terms {
            let untyped = !self.typed(&t) && !self.on(Family::UntypedLiterals);
            let ops = if untyped {
                &[BinOp::Add, BinOp::Sub][..]
            } else {
                &[BinOp::Add, BinOp::Add, BinOp::Sub, BinOp::Mul]
            };
            let op = self.pick(ops);
            let t = if op == BinOp::Mul {
                self.unary(UnFn::Cos, t)
            } else {
                t
            };
            e = bin(op, e, t);
        }
        if !self.typed(&e) {
            e = bin(BinOp::Add, e, self.typed_leaf());
        }
        self.make_active(e)
    }

    /// The result of a function that returns an array, reading every variable as [`tail`]
    /// does: an array literal, a local array (filled, or a copy) written once more, or a call
    /// of an earlier helper that returns the same.
    ///
    /// [`tail`]: Gen::tail
    fn array_tail(&mut self, stmts: &mut Vec<Stmt>, ret: Ret) -> Expr {
        let (len, vec) = match ret {
            Ret::Array(n) => (n, false),
            Ret::Vec(n) => (n, true),
            Ret::Float => unreachable!("a float result is a float tail"),
        };
        let value = self.tail(stmts);
        // What a `vec![..]` may read (an array literal's elements read any array in scope).
        let in_scope: Vec<String> = self.vars().map(|v| v.name.clone()).collect();
        let literal = !vec || in_scope.iter().all(|n| self.allowed(n, Read::InVec));
        match self.below(4) {
            0 => {
                if let Some(call) = self.tail_call(ret, &value) {
                    return call;
                }
            }
            1 => return self.written_array(stmts, value, len, vec),
            _ => {}
        }
        if !literal {
            return self.written_array(stmts, value, len, vec);
        }
        if vec {
            for n in &in_scope {
                self.note(n, Read::InVec);
            }
        }
        let mut items = vec![value];
        for _ in 1..len {
            let e = self.expr(2);
            items.push(self.make_active(e));
        }
        Expr::ArrayLit(items, vec)
    }

    /// `g(.., value, ..)`: a call of an earlier helper that returns `ret`, `value` one of its
    /// float arguments.
    fn tail_call(&mut self, ret: Ret, value: &Expr) -> Option<Expr> {
        let same: Vec<Function> = self
            .helpers
            .iter()
            .filter(|h| h.ret == ret && h.params.iter().any(|p| p.ty == ParamTy::Scalar))
            .cloned()
            .collect();
        if same.is_empty() {
            return None;
        }
        let h = self.pick(&same);
        let mut args = self.args(&h, 2)?;
        let at = h.params.iter().position(|p| p.ty == ParamTy::Scalar)?;
        args[at] = Arg::Scalar(value.clone());
        Some(Expr::Call(h.name, args))
    }

    /// A local array of `len` that holds the result: filled by a loop, or a copy of an array
    /// of that length (`let mut z = l.b;`); then `value` is added to one element.
    fn written_array(&mut self, stmts: &mut Vec<Stmt>, value: Expr, len: usize, vec: bool) -> Expr {
        let sources: Vec<(String, bool)> = self
            .vars()
            .filter_map(|v| match v.kind {
                Kind::Arr {
                    len: n,
                    reference,
                    fixed,
                    ..
                } if n == len
                    && !v.mutable
                    && (vec || fixed)
                    && self.allowed(&v.name, Read::Copy) =>
                {
                    Some((v.name.clone(), reference))
                }
                _ => None,
            })
            .collect();
        let name = if !sources.is_empty() && self.chance(0.5) {
            let (src, reference) = self.pick(&sources);
            self.note(&src, Read::Copy);
            let how = match (vec, reference) {
                (true, _) => CopyHow::ToVec,
                (false, true) => CopyHow::Deref,
                (false, false) => CopyHow::Value,
            };
            let name = self.fresh("c");
            stmts.push(Stmt::ArrayCopy {
                name: name.clone(),
                src,
                len,
                how,
            });
            name
        } else {
            self.filled_array(stmts, len, vec)
        };
        let idx = self.index(len);
        let (op, value) =
            self.spelled_out(AssignOp::Add, Expr::Index(name.clone(), idx.clone()), value);
        stmts.push(Stmt::IndexAssign {
            name: name.clone(),
            idx,
            op,
            value,
        });
        Expr::Var(name)
    }
}
