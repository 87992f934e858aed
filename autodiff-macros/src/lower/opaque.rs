//! Pass-through: code that no derivative flows through is emitted exactly as written.
//!
//! Activity decides what needs derivative rules. An expression that reads no value depending
//! on a float parameter (`T::from_f64(0.5).unwrap()`, `LANCZOS[i]`, `cfg.scale`,
//! `x.len() as f64`), or whose result cannot carry a derivative (`a.partial_cmp(b)`,
//! `x.is_nan()`), and statement macros (`assert!`, `debug_assert!`) are kept as the user wrote
//! them. The locals they read are rebound under the user's names first, since the generated
//! code names its values differently: `{ let n = n_2; expr }`.

use proc_macro2::{Ident, TokenStream, TokenTree};

use super::*;

/// Methods whose result is not a float, whatever they read: no derivative flows through.
const NON_FLOAT_METHODS: &[&str] = &[
    "partial_cmp",
    "total_cmp",
    "cmp",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "is_nan",
    "is_finite",
    "is_infinite",
    "is_normal",
    "is_subnormal",
    "is_sign_positive",
    "is_sign_negative",
    // (`num_traits::Signed`'s, on floats: linfa's `Float` brings them in)
    "is_positive",
    "is_negative",
    "is_zero",
    "is_one",
    "classify",
    "to_bits",
    "is_gt",
    "is_ge",
    "is_lt",
    "is_le",
    "is_eq",
    "is_ne",
    "contains",
    "count",
    "any",
    "all",
    "position",
    "rposition",
    "partition_point",
    "binary_search",
    "binary_search_by",
    "binary_search_by_key",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
];

/// What an expression reads of the locals in scope.
pub(super) struct Reads {
    pub(super) captures: Vec<(Ident, Capture)>,
    /// Whether it reads a value that may depend on a float parameter (a float array whose
    /// only use is `.len()` does not count).
    pub(super) varied: bool,
    /// A name bound to something already reported as an error.
    pub(super) poisoned: bool,
    /// Visible data read in place, not rebound (`VarInfo::visible`): a value like a captured
    /// one (a loop's item read from a table is a number where the user's was a reference).
    pub(super) in_place: Vec<String>,
}

impl Lowerer<'_> {
    /// `tokens`, code passed through that reads one value under the name `name` (`value.0`,
    /// `size_data(value)`, `&tuple`), as a new value of type `ty`.
    pub(super) fn through_value(
        &mut self,
        name: Ident,
        tokens: TokenStream,
        value: Operand,
        ty: Ty,
        span: Span,
    ) -> Operand {
        let op = Op::Opaque(Opaque {
            tokens,
            captures: vec![(name, Capture::Value(value))],
            declared: None,
        });
        self.let_op("t", ty, op, span)
    }

    /// The locals `tokens` names, resolved in the current scope.
    pub(super) fn reads(&self, tokens: &TokenStream) -> Reads {
        self.reads_capturing(tokens, false)
    }

    /// What a closure captures where it is defined: every local it names, parameters
    /// included, since a later `let x = ..;` may shadow them before the closure is called.
    pub(super) fn closure_captures(&self, tokens: &TokenStream) -> Vec<(Ident, Capture)> {
        self.reads_capturing(tokens, true).captures
    }

    /// `parameters`: capture parameters too, even under their own names.
    fn reads_capturing(&self, tokens: &TokenStream, parameters: bool) -> Reads {
        let mut names = Vec::new();
        mentioned_names(tokens.clone(), &mut names);
        let mut reads = Reads {
            captures: Vec::new(),
            varied: false,
            poisoned: false,
            in_place: Vec::new(),
        };
        let mut seen = HashSet::default();
        for (ident, only_len) in names {
            let name = ident.to_string();
            let Some(binding) = self.lookup(&name) else {
                continue;
            };
            let capture = match binding {
                Binding::Scalar { cell, .. } => {
                    let value = self.cells[cell].value.clone();
                    reads.varied |= self.is_varied(&value);
                    // A parameter's value under its own name needs no rebinding (a copy under
                    // another name, `let y = x;`, does), nor does visible data (rebound, a
                    // `Vec<usize>` would be moved at its first use).
                    let named = value.var().filter(|v| self.vars[v.0].name == name);
                    let param = named.is_some_and(|v| self.param_vars.contains(&v));
                    let visible = named.is_some_and(|v| self.vars[v.0].visible);
                    let reference = named.is_some_and(|v| self.vars[v.0].reference);
                    if visible && !parameters && !reference {
                        reads.in_place.push(name.clone());
                    }
                    (parameters || !(param || visible)).then_some(Capture::Value(value))
                }
                Binding::Array(a) => {
                    reads.varied |= !only_len && self.array_varied(a);
                    // Parameters keep their names in the generated code (an alias under
                    // another name is rebound).
                    let info = &self.arrays[a.0];
                    (parameters || info.origin == ArrayOrigin::Local || info.name != name)
                        .then_some(Capture::Array(a))
                }
                Binding::Row { array, index, .. } => {
                    reads.varied |= !only_len && self.array_varied(array);
                    Some(Capture::Row(array, index))
                }
                Binding::View(s) => {
                    reads.varied |= !only_len && self.array_varied(s.array);
                    Some(Capture::View(s))
                }
                Binding::Opaque => None,
                // A local closure is inlined and a tuple taken apart, never passed through.
                Binding::Tuple(values) => {
                    let numbers: Option<Vec<Operand>> = values
                        .iter()
                        .map(|v| match v {
                            Value::Scalar(x) => Some(x.clone()),
                            _ => None,
                        })
                        .collect();
                    match numbers {
                        Some(xs) => {
                            reads.varied |= xs.iter().any(|x| self.is_varied(x));
                            Some(Capture::Tuple(xs))
                        }
                        None => {
                            reads.varied = true;
                            None
                        }
                    }
                }
                // A local struct is rebuilt from its fields.
                Binding::Record { .. } => self.record_named(&name).map(|(path, fields)| {
                    reads.varied |= fields.iter().any(|(_, x)| self.is_varied(x));
                    match path {
                        Some(path) => Capture::Record { path, fields },
                        None => Capture::Tuple(fields.into_iter().map(|(_, x)| x).collect()),
                    }
                }),
                // A local `Option` is rebuilt from its flag and numbers.
                Binding::Optional { .. } => {
                    self.optional_value(&syn::parse_quote!(#ident))
                        .map(|(some, value)| {
                            let (values, tuple) = match value {
                                Value::Tuple(vs) => (vs, true),
                                v => (vec![v], false),
                            };
                            let values: Vec<Operand> = values
                                .into_iter()
                                .filter_map(|v| match v {
                                    Value::Scalar(x) => Some(x),
                                    _ => None,
                                })
                                .collect();
                            reads.varied |= values.iter().any(|x| self.is_varied(x));
                            Capture::Optional {
                                some,
                                values,
                                tuple,
                            }
                        })
                }
                Binding::Closure(_) | Binding::Element { .. } => {
                    reads.varied = true;
                    None
                }
                Binding::Poisoned => {
                    reads.poisoned = true;
                    None
                }
            };
            if let Some(capture) = capture {
                if seen.insert(name) {
                    reads.captures.push((ident, capture));
                }
            }
        }
        reads
    }

    /// The names of captured values of a type the function does not see (data a pattern or
    /// a loop bound through `__private::Bound`: a number, or a struct by reference); reading
    /// one through `*` brings `__private::Place` into scope.
    fn untyped_captures(&mut self, captures: &[(Ident, Capture)]) -> HashSet<String> {
        let untyped: HashSet<String> = captures
            .iter()
            .filter(|(_, c)| matches!(c, Capture::Value(op) if self.ty(op) == Ty::Unknown))
            .map(|(i, _)| i.to_string())
            .collect();
        if !untyped.is_empty() {
            self.import_bound();
        }
        untyped
    }

    /// `tokens` with the local closures they name written out in place (`f(a)` as
    /// `(|i: usize| x[i] * x[i])(a)`), or `None` if they name none: the macro inlines a local
    /// closure where it is called and defines none, so code passed through as written (a
    /// comparator, a predicate) cannot call it by name. A capture a later binding shadowed is
    /// read under a name of its own, a number; any other is reported (`Err`).
    fn closures_written_out(&mut self, tokens: &TokenStream) -> Result<Option<TokenStream>, ()> {
        if !self.closures_bound {
            return Ok(None);
        }
        let mut names = Vec::new();
        mentioned_names(tokens.clone(), &mut names);
        let mut closures: HashMap<String, TokenStream> = HashMap::default();
        for (ident, _) in names {
            let Some(Binding::Closure(c)) = self.lookup(&ident.to_string()) else {
                continue;
            };
            // A number a later binding shadows is read under a name of its own, bound to what
            // the closure captured (`n0` rebound by a `match` arm's `n0 =>`).
            let mut renamed: HashMap<String, TokenStream> = HashMap::default();
            for (shadowed, capture) in self.shadowed_captures(&c) {
                let Capture::Value(captured) = capture else {
                    self.errors.on(
                        &ident,
                        format!("#[grad] runs this code as written, with the closure `{ident}` written out in it, but `{ident}` captured `{shadowed}`, which a later `let` shadows (written out here, `{ident}` would read the new `{shadowed}`): give that `let` another name"),
                    );
                    return Err(());
                };
                let name = format!("{SYNTHETIC}captured_{}", self.next_synthetic());
                let ty = self.ty(captured);
                let cell = self.new_cell(&name, captured.clone(), ty, false);
                self.bind(name.clone(), cell);
                let name = Ident::new(&name, shadowed.span());
                renamed.insert(shadowed.to_string(), quote::quote!(#name));
            }
            let written = substitute_names(c.closure.to_token_stream(), &renamed);
            let written = self.closures_written_out(&written)?.unwrap_or(written);
            closures.insert(ident.to_string(), written);
        }
        Ok((!closures.is_empty()).then(|| substitute_names(tokens.clone(), &closures)))
    }

    /// The locals `c` captured (its own parameters aside) that are no longer bound as they
    /// were when `c` was defined.
    fn shadowed_captures<'c>(&self, c: &'c LocalClosure) -> Vec<&'c (Ident, Capture)> {
        let mut own = Vec::new();
        for input in &c.closure.inputs {
            control::bound_names(input, &mut own);
        }
        let same =
            |ident: &Ident, capture: &Capture| match (self.lookup(&ident.to_string()), capture) {
                (Some(Binding::Scalar { cell, .. }), Capture::Value(x) | Capture::Lent(x)) => {
                    self.cells[cell].value.same(x)
                }
                (Some(Binding::Array(a)), Capture::Array(b)) => a == *b,
                (Some(Binding::Row { array, index, .. }), Capture::Row(b, i)) => {
                    array == *b && index.same(i)
                }
                (Some(Binding::View(s)), Capture::View(t)) => {
                    s.array == t.array && s.offset.same(&t.offset) && s.len.same(&t.len)
                }
                (Some(Binding::Tuple(values)), Capture::Tuple(xs)) => {
                    values.len() == xs.len()
                        && values
                            .iter()
                            .zip(xs)
                            .all(|(v, x)| matches!(v, Value::Scalar(y) if y.same(x)))
                }
                // A local struct or `Option` is taken to be shadowed: it is not compared.
                _ => false,
            };
        c.captures
            .iter()
            .filter(|(ident, capture)| !own.contains(ident) && !same(ident, capture))
            .collect()
    }

    /// `expr` passed through as written, reading what `reads` found (a `*v` of a rebound
    /// number as `v`).
    fn as_written(&mut self, expr: &Expr, reads: Reads, declared: Option<syn::Type>) -> Op {
        let untyped = self.untyped_captures(&reads.captures);
        let tokens = strip_derefs(expr, &reads.captures, &reads.in_place, &untyped)
            .unwrap_or_else(|| expr.to_token_stream());
        Op::Opaque(Opaque {
            tokens,
            captures: reads.captures,
            declared,
        })
    }

    /// `let c: f64 = 1.0 + 1e-10;` in an `f32` function (`f32` in an `f64` one), reading no
    /// differentiated value: data of the other float type, computed as written, its literals
    /// of that type (not retyped to the function's, which would change its value).
    pub(super) fn other_float_data(&mut self, init: &Expr, ty: &syn::Type) -> Option<Value> {
        if !is_other_float(ty, self.sig) {
            return None;
        }
        let reads = self.reads(&init.to_token_stream());
        if reads.varied || reads.poisoned {
            return None;
        }
        let op = self.as_written(init, reads, Some(ty.clone()));
        Some(Value::Scalar(self.let_op(
            "t",
            Ty::Unknown,
            op,
            init.span(),
        )))
    }

    /// `expr` as written, when no derivative can flow through it: it reads nothing that
    /// depends on a float parameter, or its result is not a float. `None` otherwise.
    pub(super) fn try_opaque(&mut self, expr: &Expr, non_float_result: bool) -> Option<Value> {
        let Ok(written_out) = self.closures_written_out(&expr.to_token_stream()) else {
            return Some(Value::Error);
        };
        let written_out = written_out.and_then(|tokens| syn::parse2::<Expr>(tokens).ok());
        let expr = written_out.as_ref().unwrap_or(expr);
        let tokens = expr.to_token_stream();
        let reads = self.reads(&tokens);
        if reads.poisoned {
            return Some(Value::Error);
        }
        if reads.varied
            && !non_float_result
            && (!crate::reverse::mentions(&tokens, "as") || self.varied_outside_integer_casts(expr))
        {
            return None;
        }
        let ty = if non_float_result {
            predicate_type(expr)
        } else {
            self.opaque_type(expr)
        };
        let op = self.as_written(expr, reads, None);
        let value = self.let_op("t", ty, op, expr.span());
        // A float computed from constants (`TABLE[1] - TABLE[0]`): a float for a callee that
        // takes a shadow for it, also through a local.
        let float_data = !non_float_result
            && (float_data::indexes_constant(expr)
                || (ty == Ty::Unknown && self.looks_float(expr)));
        if let (Some(v), true) = (value.var(), float_data) {
            self.table_elements.insert(v);
        }
        // (not the runtime's, which the lowering writes: an item bound from a range; and a
        // getter of data, `curve.alpha()`, unless named like a size or known to give no float)
        let getter = matches!(expr, Expr::MethodCall(m) if m.args.is_empty()
            && matches!(&*m.receiver, Expr::Path(_))
            && !is_non_float_call(m)
            && !names::names_a_size_value(&m.method.to_string()));
        let plain_call = getter
            || matches!(expr, Expr::Call(c) if matches!(&*c.func, Expr::Path(p)
            if !names::is_constructor(&p.path) && !p.path.segments.iter().any(|s| s.ident == "__private")));
        if let (Some(v), true, Ty::Unknown) = (value.var(), plain_call && !non_float_result, ty) {
            self.call_results.insert(v);
        }
        Some(Value::Scalar(value))
    }

    /// Whether `expr` reads a differentiated value other than through a conversion to an
    /// integer (`self.px(x.round() as usize)` reads `x` as an index: no derivative flows).
    fn varied_outside_integer_casts(&self, expr: &Expr) -> bool {
        struct Casts;
        impl syn::visit_mut::VisitMut for Casts {
            fn visit_expr_mut(&mut self, e: &mut Expr) {
                let integer = matches!(e, Expr::Cast(c) if matches!(&*c.ty,
                    syn::Type::Path(p) if p.path.get_ident().is_some_and(|t| crate::sig::INT_TYPES.contains(&t.to_string().as_str()))));
                if integer {
                    *e = syn::parse_quote!(0);
                } else {
                    syn::visit_mut::visit_expr_mut(self, e);
                }
            }
        }
        let mut stripped = expr.clone();
        syn::visit_mut::VisitMut::visit_expr_mut(&mut Casts, &mut stripped);
        self.reads(&stripped.to_token_stream()).varied
    }

    /// A statement macro (`assert!(..)`, `debug_assert!(..)`, `eprintln!(..)`): it only
    /// reads, so it runs as written in the forward sweep.
    pub(super) fn effect(&mut self, mac: &syn::Macro) {
        self.effect_tokens(mac.to_token_stream());
    }

    /// `*calls += 1;`, `hist[k] += 1;`, `stats.evals += 1;`: an assignment through a parameter
    /// the function does not look into (a `&mut usize` counter, a `&mut Vec<usize>`), or into
    /// a local whose type holds no float (`*deg.entry(u).or_insert(0) += 1;` of a
    /// `HashMap<usize, usize>`), of a value no derivative flows into, runs as written in the
    /// forward sweep (one of a differentiated value is an error). True when `assignment` is
    /// one.
    pub(super) fn write_through_data(&mut self, assignment: &Expr, target: &Expr) -> bool {
        let mut root = target;
        loop {
            root = match root {
                Expr::Unary(u) if matches!(u.op, SynUnOp::Deref(_)) => &u.expr,
                Expr::Index(i) => &i.expr,
                Expr::Field(f) => &f.base,
                Expr::Paren(p) => &p.expr,
                // `*deg.entry(u).or_insert(0) += 1` of a local map of counts
                Expr::MethodCall(m) => &m.receiver,
                _ => break,
            };
        }
        let Expr::Path(p) = root else {
            return false;
        };
        let binding = p.path.get_ident().and_then(|i| self.lookup(&i.to_string()));
        let opaque_param = matches!(binding, Some(Binding::Opaque));
        let data_local = matches!(binding, Some(Binding::Scalar { cell, .. }) if self.data_vectors.contains(&cell));
        if !(opaque_param || data_local) || std::ptr::eq(root, target) {
            return false;
        }
        let tokens = assignment.to_token_stream();
        if self.reads(&tokens).varied {
            let what = match opaque_param {
                true => "a parameter it does not differentiate",
                false => "a local whose type holds no float",
            };
            self.errors.on(
                target,
                format!("#[grad] cannot write a differentiated value into `{}`, {what}: its derivative would be lost there; return the value instead", p.to_token_stream()),
            );
            return true;
        }
        self.effect_tokens(tokens);
        true
    }

    pub(super) fn effect_tokens(&mut self, tokens: TokenStream) {
        let Ok(written_out) = self.closures_written_out(&tokens) else {
            return;
        };
        let tokens = written_out.unwrap_or(tokens);
        let reads = self.reads(&tokens);
        if reads.poisoned {
            return;
        }
        self.emit(Stmt::Effect(Opaque {
            tokens,
            captures: reads.captures,
            declared: None,
        }));
    }

    /// Gives the pass-through value `v`, just defined, the type its `let` declares.
    pub(super) fn declare_type(&mut self, v: Var, ty: &syn::Type) {
        let last = self.blocks.last_mut().and_then(|b| b.last_mut());
        if let Some(Stmt::Let {
            var,
            op: Op::Opaque(o),
        }) = last
        {
            if *var == v {
                o.declared = Some(ty.clone());
            }
        }
    }

    /// The type of a passed-through expression, as far as its syntax tells: the function's
    /// float for arithmetic on it, float methods of it and conversions to it
    /// (`T::from_f64(..).unwrap()`, `f64::consts::PI`), an integer for `.len()`, unknown
    /// otherwise (it is never differentiated either way).
    pub(super) fn opaque_type(&self, expr: &Expr) -> Ty {
        // `T::from_f64(..).unwrap()`, `g(x)?`: the type of what succeeded.
        if let Some(inner) = success_value(expr) {
            return self.opaque_type(inner);
        }
        match expr {
            Expr::Lit(l) => self.ty(&Operand::Lit(l.lit.clone())),
            Expr::Paren(p) => self.opaque_type(&p.expr),
            Expr::Unary(u) if !matches!(u.op, SynUnOp::Not(_)) => self.opaque_type(&u.expr),
            // `!x.is_empty()`: a bool (a branch exports a `false` for it, not a number).
            Expr::Unary(u) => match self.opaque_type(&u.expr) {
                ty @ (Ty::Bool | Ty::Int) => ty,
                _ => Ty::Unknown,
            },
            Expr::Cast(c) => type_kind(&c.ty, self.sig),
            Expr::Binary(b) => match b.op {
                SynBinOp::Add(_) | SynBinOp::Sub(_) | SynBinOp::Mul(_) | SynBinOp::Div(_) => {
                    let (l, r) = (self.opaque_type(&b.left), self.opaque_type(&b.right));
                    if l == Ty::Float || r == Ty::Float {
                        Ty::Float
                    } else if l == r {
                        l
                    } else {
                        Ty::Unknown
                    }
                }
                SynBinOp::Eq(_)
                | SynBinOp::Ne(_)
                | SynBinOp::Lt(_)
                | SynBinOp::Le(_)
                | SynBinOp::Gt(_)
                | SynBinOp::Ge(_)
                | SynBinOp::And(_)
                | SynBinOp::Or(_) => Ty::Bool,
                _ => Ty::Unknown,
            },
            Expr::Macro(m) if m.mac.path.is_ident("matches") => Ty::Bool,
            Expr::Path(p) => match p.path.get_ident().and_then(|i| self.lookup(&i.to_string())) {
                // An element of a `const` table is a float.
                Some(Binding::Scalar { cell, .. })
                    if self.is_float_data(&self.cells[cell].value) =>
                {
                    Ty::Float
                }
                Some(Binding::Scalar { cell, .. }) => self.cells[cell].ty,
                Some(_) => Ty::Unknown,
                None => through_float(&p.path, self.sig),
            },
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if ["len", "count"].contains(&name.as_str()) {
                    Ty::Int
                } else if predicate_type(expr) == Ty::Bool {
                    Ty::Bool
                } else if let Some(t) = m.turbofish.as_ref().and_then(|t| t.args.first()) {
                    // `.sum::<f64>()`: the type it names.
                    match t {
                        syn::GenericArgument::Type(ty) => type_kind(ty, self.sig),
                        _ => Ty::Unknown,
                    }
                } else if rules::lookup(&name).is_some() {
                    // A float method returns its receiver's type.
                    self.opaque_type(&m.receiver)
                } else {
                    Ty::Unknown
                }
            }
            Expr::Call(c) => match &*c.func {
                // `Some(2.0)`, `Meters(x)`: an enum's or a struct's value.
                Expr::Path(p) if names::is_constructor(&p.path) => Ty::Unknown,
                Expr::Path(p) if through_float(&p.path, self.sig) == Ty::Float => Ty::Float,
                // A call with a float argument (`h(x0, t)`): the function's float, as for
                // the calls that are differentiated.
                _ if c.args.iter().any(|a| self.opaque_type(a) == Ty::Float) => Ty::Float,
                _ => Ty::Unknown,
            },
            _ => Ty::Unknown,
        }
    }
}

/// `Ty::Float` when a path goes through the function's float type (`T::zero`,
/// `f64::EPSILON`, `std::f64::consts::PI` in an `f64` function), but for the float types'
/// integer constants (`f64::MAX_EXP`, an `i32`).
pub(super) fn through_float(path: &syn::Path, sig: &Signature) -> Ty {
    const INTEGER_CONSTANTS: &[&str] = &[
        "MAX_EXP",
        "MIN_EXP",
        "MAX_10_EXP",
        "MIN_10_EXP",
        "DIGITS",
        "MANTISSA_DIGITS",
        "RADIX",
    ];
    let segments = &path.segments;
    let through = segments
        .iter()
        .take(segments.len().saturating_sub(1))
        .any(|s| type_kind_path(&s.ident, sig) == Ty::Float);
    let last = segments.last().map(|s| s.ident.to_string());
    match (through, last) {
        (true, Some(last)) if INTEGER_CONSTANTS.contains(&&*last) => Ty::Int,
        (true, _) => Ty::Float,
        (false, _) => Ty::Unknown,
    }
}

/// What `expr` unwraps, when it takes the value out of a `Result` or an `Option` (`g(x)?`,
/// `g(x).unwrap()`, `.expect("..")`, `.unwrap_or(..)`): the value has the type of that
/// success.
pub(super) fn success_value(expr: &Expr) -> Option<&Expr> {
    match expr {
        Expr::Try(t) => Some(&t.expr),
        Expr::MethodCall(m) if is_success_method(&m.method.to_string()) => Some(&m.receiver),
        _ => None,
    }
}

/// Whether a method takes the value out of a `Result` or an `Option` (its receiver is never
/// an array).
pub(super) fn is_success_method(name: &str) -> bool {
    [
        "unwrap",
        "expect",
        "unwrap_or",
        "unwrap_or_default",
        "unwrap_or_else",
    ]
    .contains(&name)
}

/// `expr` with `*v` written `v` for every local captured by value: the user's `v` was a
/// reference (`for v in x.iter()`), its rebinding is the number. `None` when there is none.
/// Data of a type the function does not see, read through `*`: `untyped` names hold it by
/// reference (a struct, an array) or by value (a number, as `__private::Bound` binds it), so
/// `*s` reads the value behind either (`__private::Place`), as the user's `*s` did.
fn strip_derefs(
    expr: &Expr,
    captures: &[(Ident, Capture)],
    in_place: &[String],
    untyped: &HashSet<String>,
) -> Option<TokenStream> {
    struct Strip<'u> {
        values: HashSet<String>,
        untyped: &'u HashSet<String>,
        changed: bool,
    }
    impl syn::visit_mut::VisitMut for Strip<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            let mut inner = &*e;
            let mut innermost_deref = None;
            while let Expr::Unary(
                u @ syn::ExprUnary {
                    op: SynUnOp::Deref(_),
                    expr,
                    ..
                },
            ) = inner
            {
                innermost_deref = Some(u);
                inner = expr;
            }
            let name = match inner {
                Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                _ => None,
            };
            let captured = name.as_ref().is_some_and(|n| self.values.contains(n));
            if let (Some(deref), Some(n), true) = (innermost_deref, &name, captured) {
                let read = if self.untyped.contains(n) {
                    let span = syn::spanned::Spanned::span(&deref.op);
                    let place: Expr = syn::parse_quote_spanned!(span=>
                        *(&&::autodiff::__private::Place(&#inner)).place()
                    );
                    replace_innermost_deref(e, place)
                } else {
                    inner.clone()
                };
                *e = read;
                self.changed = true;
                return;
            }
            syn::visit_mut::visit_expr_mut(self, e);
        }
    }
    /// `e` (`**s`) with its innermost `*s` replaced by `read`.
    fn replace_innermost_deref(e: &Expr, read: Expr) -> Expr {
        match e {
            Expr::Unary(u) if matches!(&*u.expr, Expr::Unary(i) if matches!(i.op, SynUnOp::Deref(_))) =>
            {
                let mut outer = u.clone();
                outer.expr = Box::new(replace_innermost_deref(&u.expr, read));
                Expr::Unary(outer)
            }
            _ => read,
        }
    }
    let values = captures
        .iter()
        .filter(|(_, c)| matches!(c, Capture::Value(_)))
        .map(|(i, _)| i.to_string())
        .chain(in_place.iter().cloned())
        .collect();
    let mut strip = Strip {
        values,
        untyped,
        changed: false,
    };
    let mut expr = expr.clone();
    syn::visit_mut::VisitMut::visit_expr_mut(&mut strip, &mut expr);
    strip.changed.then(|| expr.to_token_stream())
}

/// Whether a method never returns a float (`a.partial_cmp(b)`, `x.is_nan()`).
pub(super) fn is_non_float_method(name: &str) -> bool {
    NON_FLOAT_METHODS.contains(&name)
}

/// A method call that returns no float: one of [`is_non_float_method`], or an index from
/// `position`, a binary search or an enumerated reduction unwrapped
/// (`x.iter().position(|&v| v > t).unwrap_or(0)`, `xs.binary_search_by(|v|
/// v.total_cmp(&t)).unwrap_or_else(|i| i)`, `x.iter().enumerate().max_by(..).map(|(i, _)|
/// i).unwrap()`, `.map_or(0, |i| i + 1)`), or the `Ordering` of `a.partial_cmp(&b).unwrap()`.
pub(super) fn is_non_float_call(m: &syn::ExprMethodCall) -> bool {
    let unwraps = matches!(
        m.method.to_string().as_str(),
        "unwrap" | "expect" | "unwrap_or" | "unwrap_or_default" | "unwrap_or_else"
    );
    // `.map_or(0, |i| i + 1)` with an integer default: the closure returns an integer too.
    let integer_map_or = m.method == "map_or"
        && matches!(
            m.args.first(),
            Some(Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(_),
                ..
            }))
        );
    is_non_float_method(&m.method.to_string())
        || (unwraps || integer_map_or)
            && matches!(&*m.receiver, Expr::MethodCall(inner) if finds_index(inner))
}

/// An `Option` (or `Result`) of an index, or the `Ordering` of a comparison: `position`, a
/// binary search, `a.partial_cmp(&b)`, an enumerated reduction mapped to its index.
pub(super) fn finds_index(m: &syn::ExprMethodCall) -> bool {
    matches!(
        m.method.to_string().as_str(),
        "position"
            | "rposition"
            | "partial_cmp"
            | "binary_search"
            | "binary_search_by"
            | "binary_search_by_key"
    ) || m.method == "map"
        && matches!(m.args.first(), Some(Expr::Closure(c)) if m.args.len() == 1 && takes_the_index(c))
        && is_enumerated_pick(&m.receiver)
        || picks_from_range(m)
}

/// A reduction that picks an item of a range (`(0..n).filter(|&j| ..).min_by(|&a, &b|
/// x[a].total_cmp(&x[b]))`): an index, whatever its closures compare.
fn picks_from_range(m: &syn::ExprMethodCall) -> bool {
    const PICKS: &[&str] = &[
        "min_by",
        "max_by",
        "min_by_key",
        "max_by_key",
        "find",
        "last",
    ];
    const ADAPTERS: &[&str] = &["filter", "rev", "skip", "take", "step_by", "into_iter"];
    if !PICKS.contains(&&*m.method.to_string()) {
        return false;
    }
    let mut e = &*m.receiver;
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::MethodCall(a) if ADAPTERS.contains(&&*a.method.to_string()) => &a.receiver,
            Expr::Range(r) => return r.start.is_some() && r.end.is_some(),
            _ => return false,
        };
    }
}

/// The index of the item an enumerated iterator's reduction picks, unwrapped:
/// `x.iter().enumerate().max_by(..).unwrap().0`.
pub(super) fn is_picked_index(e: &Expr) -> bool {
    matches!(e, Expr::Field(f)
        if matches!(&f.member, syn::Member::Unnamed(i) if i.index == 0)
            && matches!(&*f.base, Expr::MethodCall(u) if super::is_unwrap(u) && is_enumerated_pick(&u.receiver)))
}

/// `|(i, _)| i`: the index of an enumerated item.
fn takes_the_index(c: &syn::ExprClosure) -> bool {
    let [Pat::Tuple(t)] = &*c.inputs.iter().collect::<Vec<_>>() else {
        return false;
    };
    let [Pat::Ident(i), Pat::Wild(_)] = &*t.elems.iter().collect::<Vec<_>>() else {
        return false;
    };
    matches!(&*c.body, Expr::Path(p) if p.path.is_ident(&i.ident))
}

/// A reduction to one item (`max_by`, `min_by`, `reduce`, `last`, ..) of an iterator whose
/// items are `(index, value)` pairs from `.enumerate()` (with adaptors that keep the items
/// after it: `filter`, `skip`, `take`, `rev`, `step_by`).
fn is_enumerated_pick(e: &Expr) -> bool {
    const PICKS: &[&str] = &[
        "max_by",
        "min_by",
        "max_by_key",
        "min_by_key",
        "reduce",
        "last",
        "next",
        "find",
    ];
    let Expr::MethodCall(pick) = e else {
        return false;
    };
    let mut items = &*pick.receiver;
    while let Expr::MethodCall(m) = items {
        match m.method.to_string().as_str() {
            "enumerate" => return PICKS.contains(&&*pick.method.to_string()),
            "filter" | "skip" | "take" | "rev" | "step_by" | "skip_while" | "take_while" => {
                items = &m.receiver
            }
            _ => return false,
        }
    }
    false
}

/// `Bool` for a predicate (`x.is_nan()`, `r.contains(&x)`, `a.lt(&b)`), which a branch may
/// hand on and a condition may read; `Unknown` for the other methods that return no float.
fn predicate_type(expr: &Expr) -> Ty {
    if let Expr::Macro(m) = expr {
        return match is_comparison_macro(&m.mac) {
            true => Ty::Bool,
            false => Ty::Unknown,
        };
    }
    // (`gives_no_float(d.count())`: the method's)
    if let Expr::Call(c) = expr {
        let checked = matches!(&*c.func, Expr::Path(p)
            if p.path.segments.last().is_some_and(|s| s.ident == "gives_no_float"));
        if let (true, Some(inner)) = (checked, c.args.first()) {
            return predicate_type(inner);
        }
    }
    let Expr::MethodCall(m) = expr else {
        return Ty::Unknown;
    };
    let name = m.method.to_string();
    let predicate = name.starts_with("is_")
        || ["contains", "any", "all", "eq", "ne", "lt", "le", "gt", "ge"].contains(&name.as_str());
    if predicate {
        Ty::Bool
    } else if ["count", "partition_point"].contains(&name.as_str()) {
        Ty::Int
    } else {
        Ty::Unknown
    }
}

/// A macro that compares (`approx::ulps_eq!(a, b)`, `relative_eq!`, `abs_diff_ne!`,
/// `matches!`): a bool, whatever it reads, through which no derivative flows.
pub(super) fn is_comparison_macro(mac: &syn::Macro) -> bool {
    let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
        return false;
    };
    name == "matches"
        || !name.contains("assert") && (name.ends_with("_eq") || name.ends_with("_ne"))
}

/// Every identifier in `tokens` that may name a local, with whether its only use there is
/// `.len()`: not a method or field name (after `.`), not a path segment after `::`. Erring
/// on the side of naming too many is safe (an unused rebinding); missing one is not. Names
/// inside format strings (`"{n}"`) count, since `format_args!` captures them.
pub(crate) fn mentioned_names(tokens: TokenStream, out: &mut Vec<(Ident, bool)>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tt) in tokens.iter().enumerate() {
        match tt {
            TokenTree::Ident(ident) if may_name_local(&tokens, i) => {
                let method = |k: usize| match tokens.get(i + k) {
                    Some(TokenTree::Ident(m)) => m.to_string(),
                    _ => String::new(),
                };
                let dot =
                    matches!(tokens.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.');
                let only_len = dot && matches!(method(2).as_str(), "len" | "is_empty");
                out.push((ident.clone(), only_len));
            }
            TokenTree::Group(g) => mentioned_names(g.stream(), out),
            TokenTree::Literal(lit) => {
                let text = lit.to_string();
                // Only a string (`"..."`, `r"..."`) can capture: the others are not parsed.
                if !text.starts_with(['"', 'r']) {
                    continue;
                }
                if let Ok(syn::Lit::Str(s)) = syn::parse_str::<syn::Lit>(&text) {
                    for name in format_captures(&s.value()) {
                        out.push((Ident::new(&name, lit.span()), false));
                    }
                }
            }
            _ => {}
        }
    }
}

/// Whether the identifier at `i` in `trees` may name a local: `a.name` and `path::name` name
/// none; `..name` and `field: name` may.
fn may_name_local(trees: &[TokenTree], i: usize) -> bool {
    let punct = |k: usize, c: char| {
        i >= k && matches!(&trees[i - k], TokenTree::Punct(p) if p.as_char() == c)
    };
    let member = punct(1, '.') && !punct(2, '.');
    let path_segment = punct(1, ':') && punct(2, ':');
    !member && !path_segment
}

/// `tokens` with each local name in `by` (not a field, method or path segment) replaced by
/// its tokens, in parentheses.
fn substitute_names(tokens: TokenStream, by: &HashMap<String, TokenStream>) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = TokenStream::new();
    for (i, tt) in trees.iter().enumerate() {
        out.extend([match tt {
            TokenTree::Ident(ident) if may_name_local(&trees, i) => {
                match by.get(&ident.to_string()) {
                    Some(written) => {
                        let mut group = proc_macro2::Group::new(
                            proc_macro2::Delimiter::Parenthesis,
                            written.clone(),
                        );
                        group.set_span(ident.span());
                        TokenTree::Group(group)
                    }
                    None => tt.clone(),
                }
            }
            TokenTree::Group(g) => {
                let mut group =
                    proc_macro2::Group::new(g.delimiter(), substitute_names(g.stream(), by));
                group.set_span(g.span());
                TokenTree::Group(group)
            }
            _ => tt.clone(),
        }]);
    }
    out
}

/// The names a format string captures: `{n}`, `{x:.3}` (not `{}`, `{0}` or `{{`).
fn format_captures(s: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(stripped) = rest.strip_prefix('{') {
            rest = stripped;
            continue;
        }
        let end = rest.find(['}', ':']).unwrap_or(rest.len());
        let name = &rest[..end];
        if crate::ir::is_identifier(name) {
            names.push(name.to_string());
        }
    }
    names
}
