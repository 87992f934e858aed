//! Local structs of numbers: `let p = Point { x: a, y: b };`, read and written field by field
//! (`p.x * p.y`, `p.x += dx`, `p = next;`, `let q = p;`, `let Point { x, y } = p;`), and
//! mutable tuples of numbers the same way (`let mut acc = (1.0, 0.0); acc = (acc.0 * x, ..);`,
//! `acc.1 += x`, `let (re, im) = acc;`).
//!
//! The struct itself never exists in the generated code: each field is a local of its own,
//! bound under `p.x` (a key no Rust name can take), so reads, assignments, loops that carry a
//! field and branches that change one are those of any scalar local. A field the struct was
//! not built with is left to rustc, which reports it on the function as written.

use super::*;

/// A struct's fields and their values, in the order they were written.
pub(super) type Fields = Vec<(String, Operand)>;

/// A struct's path, or `None` for a tuple.
type Shape = Option<syn::Path>;

impl Lowerer<'_> {
    /// `let p = S { x: a, y: b };` (`let mut` to assign its fields later) or `let q = p;` of
    /// such a local: true when `init` is one, having bound it.
    pub(super) fn lower_record_let(&mut self, pi: &syn::PatIdent, init: &Expr) -> bool {
        let name = pi.ident.to_string();
        let fields = match init {
            // A struct of data (`let opts = Options { tol: 1e-6, max_iter: 50 };`) is kept
            // as written, and passed through whole.
            Expr::Struct(_)
                if pi.mutability.is_none() && !self.reads(&init.to_token_stream()).varied =>
            {
                return false
            }
            Expr::Struct(s) => self.struct_fields(s).map(|f| (Some(s.path.clone()), f)),
            // A tuple assigned whole later, or field by field.
            Expr::Tuple(t) if pi.mutability.is_some() && !t.elems.is_empty() => {
                self.tuple_fields(t).map(|f| (None, f))
            }
            e if yields_struct(e) && self.reads(&e.to_token_stream()).varied => {
                self.errors.on(
                    e,
                    "#[grad] builds a local struct from a struct literal, not from a branch: declare it `let mut p = Point { x: 0.0, y: 0.0 };` and assign its fields in the branches",
                );
                None
            }
            Expr::Path(p) => match self.record_values(p) {
                Some(record) => Some(record),
                // `let mut q = p;` of a tuple local or parameter, changed after.
                None if pi.mutability.is_some() => match self.tuple_named(p) {
                    Some(fields) => Some((None, fields)),
                    None => return false,
                },
                None => return false,
            },
            _ => return false,
        };
        match fields {
            Some((path, fields)) => self.bind_record(&name, path, fields, pi.mutability.is_some()),
            None => self.bind(name, Binding::Poisoned),
        }
        true
    }

    /// Binds `name` to a local struct: each field a scalar local of its own.
    pub(super) fn bind_record(&mut self, name: &str, path: Shape, fields: Fields, mutable: bool) {
        let mut names = Vec::new();
        for (field, value) in fields {
            let ty = self.ty(&value);
            let cell = self.new_cell(&format!("{name}_{field}"), value, ty, mutable);
            self.bind(format!("{name}.{field}"), cell);
            names.push(field);
        }
        self.bind(
            name.to_string(),
            Binding::Record {
                path,
                fields: names,
            },
        );
    }

    /// `let S { x, y: b, .. } = p;` of a local struct `p` (or of a literal built from
    /// differentiated values): true when `init` is one, having bound the fields.
    pub(super) fn lower_record_pattern(&mut self, ps: &syn::PatStruct, init: &Expr) -> bool {
        let fields = match init {
            Expr::Path(p) if self.record_name(p).is_some() => self.record_values(p).map(|(_, f)| f),
            Expr::Struct(s) if self.reads(&init.to_token_stream()).varied => self.struct_fields(s),
            _ => return false,
        };
        let Some(fields) = fields else {
            self.poison(&Pat::Struct(ps.clone()));
            return true;
        };
        for fp in &ps.fields {
            let syn::Member::Named(name) = &fp.member else {
                continue;
            };
            // A field it was not built with is rustc's to report.
            if let Some((_, value)) = fields.iter().find(|(f, _)| name == f) {
                self.bind_pattern(&fp.pat, Value::Scalar(value.clone()));
            }
        }
        true
    }

    /// `p = S { .. }` or `p = q` of a local struct `p`: every field assigned. False when `p`
    /// is no local struct.
    pub(super) fn assign_record(&mut self, left: &syn::ExprPath, right: &Expr) -> bool {
        let Some(name) = self.record_name(left) else {
            return false;
        };
        let tuple = matches!(self.lookup(&name), Some(Binding::Record { path: None, .. }));
        let values = match right {
            Expr::Struct(s) => self.struct_fields(s),
            Expr::Path(p) if self.record_name(p).is_some() => self.record_values(p).map(|(_, f)| f),
            Expr::Tuple(t) if tuple => self.tuple_fields(t),
            // `acc = step(acc);` of a call that returns a tuple.
            _ if tuple => match self.lower_expr(right) {
                Value::Tuple(values) => self.tuple_values(values, right),
                Value::Error => None,
                value => {
                    // (of a differentiated call: its numbers, the call made one of an array)
                    let count = self.record_named(&name).map_or(0, |(_, f)| f.len());
                    let numbers = match value {
                        // (of data: `w = cmul(w, (0.6, 0.8));` of a twiddle factor)
                        Value::Scalar(data) if !self.is_varied(&data) => Some(
                            (0..count)
                                .map(|k| self.element_of_data(&data, k, right.span()))
                                .collect(),
                        ),
                        Value::Scalar(call) => self.numbers_of_call(&call, count, right.span()),
                        _ => None,
                    };
                    match numbers {
                        Some(numbers) => self
                            .tuple_values(numbers.into_iter().map(Value::Scalar).collect(), right),
                        None => {
                            self.errors.on(
                                right,
                                format!("#[grad] assigns the local tuple `{name}` a tuple of numbers: a tuple literal, another tuple local, or what a `#[grad]` function returning a tuple gives"),
                            );
                            None
                        }
                    }
                }
            },
            _ => {
                self.errors.on(
                    right,
                    format!("#[grad] keeps the local struct `{name}` as its fields and assigns it a struct literal (`{name} = Point {{ x: .., y: .. }};`) or another local struct, not what a call or method returns, a struct it does not look into: compute the fields here (`let x = ..; let y = ..; {name} = Point {{ x, y }};`), or have the function return an array of them"),
                );
                None
            }
        };
        for (field, value) in values.unwrap_or_default() {
            if let Some(cell) = self.mutable_cell(&format!("{name}.{field}")) {
                self.set_cell(cell, value);
            }
        }
        true
    }

    /// Whether `e` is a field of a local struct (`p.x`).
    pub(super) fn is_record_field(&self, e: &syn::ExprField) -> bool {
        matches!(&*e.base, Expr::Path(p) if self.record_name(p).is_some())
    }

    /// The key `p.x` is bound under, when the local struct `p` has that field.
    pub(super) fn record_field(&self, e: &syn::ExprField) -> Option<String> {
        let Expr::Path(p) = &*e.base else { return None };
        let name = self.record_name(p)?;
        match &e.member {
            syn::Member::Named(f) => Some(format!("{name}.{f}")),
            syn::Member::Unnamed(i) => Some(format!("{name}.{}", i.index)),
        }
    }

    /// The value of `p.x`.
    pub(super) fn read_record_field(&self, e: &syn::ExprField) -> Value {
        match self.record_field(e).and_then(|key| self.field_value(&key)) {
            Some(value) => Value::Scalar(value),
            None => Value::Error,
        }
    }

    /// The fields of a struct literal, each lowered to a number; `None` (reported) for a
    /// literal that is not one of numbers.
    /// `..base` of a local struct (`Normal { mu: m, ..d }`) gives the fields not written.
    fn struct_fields(&mut self, s: &syn::ExprStruct) -> Option<Fields> {
        let base = match s.rest.as_deref() {
            None => None,
            Some(Expr::Path(p)) if self.record_name(p).is_some() => self.record_values(p),
            Some(rest) => {
                self.errors.on(
                    rest,
                    "#[grad] builds a local struct from its fields, and from `..base` only when `base` is a local struct of numbers: write the other fields instead",
                );
                return None;
            }
        };
        let mut fields = Vec::new();
        for f in &s.fields {
            let syn::Member::Named(field) = &f.member else {
                self.errors
                    .on(&f.member, "#[grad] builds local structs with named fields");
                return None;
            };
            match self.lower_expr(&f.expr) {
                Value::Error => return None,
                // `*v` of an element `iter_mut()` lends is its value.
                value @ (Value::Scalar(_) | Value::Element { .. }) => {
                    let value = self.scalar(value, f.expr.span());
                    fields.push((field.to_string(), value));
                }
                _ => {
                    self.errors.on(
                        &f.expr,
                        "#[grad] builds local structs whose fields are numbers (or arrays that calls return, handed on whole), and this field is an array or a tuple of the function's own: read the array where it is rather than through the struct, or, for a model with array fields, take the struct as a parameter (`#[grad(net)] fn f(net: &Net, ..)`) and build it before the call",
                    );
                    return None;
                }
            }
        }
        if let Some((_, base)) = base {
            let rest: Fields = base
                .into_iter()
                .filter(|(name, _)| fields.iter().all(|(written, _)| written != name))
                .collect();
            fields.extend(rest);
        }
        Some(fields)
    }

    /// The elements of a tuple literal, each lowered to a number; `None` (reported) for one
    /// that is not of numbers.
    fn tuple_fields(&mut self, t: &syn::ExprTuple) -> Option<Fields> {
        let values = t.elems.iter().map(|e| self.lower_expr(e)).collect();
        self.tuple_values(values, &Expr::Tuple(t.clone()))
    }

    /// Values of a tuple as the fields `0`, `1`, ..; `None` (reported) unless all are numbers.
    fn tuple_values(&mut self, values: Vec<Value>, tuple: &Expr) -> Option<Fields> {
        let mut fields = Vec::new();
        for (i, value) in values.into_iter().enumerate() {
            match value {
                Value::Error => return None,
                value @ (Value::Scalar(_) | Value::Element { .. }) => {
                    let value = self.scalar(value, tuple.span());
                    fields.push((i.to_string(), value));
                }
                _ => {
                    self.errors.on(
                        tuple,
                        "#[grad] changes local tuples of numbers: bind an array in the tuple to a local of its own",
                    );
                    return None;
                }
            }
        }
        Some(fields)
    }

    /// The current values of the local tuple named `name`, as a tuple value.
    pub(super) fn tuple_value(&self, name: &str) -> Value {
        match self.record_named(name) {
            Some((None, fields)) => {
                Value::Tuple(fields.into_iter().map(|(_, v)| Value::Scalar(v)).collect())
            }
            _ => Value::Error,
        }
    }

    /// The path and the current values of the fields of the local struct `p`, if it is one.
    fn record_values(&self, p: &syn::ExprPath) -> Option<(Shape, Fields)> {
        self.record_named(&self.record_name(p)?)
    }

    /// The path and the current values of the fields of the local struct named `name`.
    pub(super) fn record_named(&self, name: &str) -> Option<(Shape, Fields)> {
        let Some(Binding::Record { path, fields }) = self.lookup(name) else {
            return None;
        };
        let fields = fields
            .into_iter()
            .map(|f| self.field_value(&format!("{name}.{f}")).map(|v| (f, v)))
            .collect::<Option<Fields>>()?;
        Some((path, fields))
    }

    /// A call's argument that is a local struct (`p`, `&p`) or a struct literal of
    /// differentiated values (`Pair { a: x, b: 2.0 }`): `Some` of its path and fields' values
    /// (`Some(None)` if its fields failed to lower), `None` for any other argument.
    pub(super) fn record_argument(&mut self, arg: &Expr) -> Option<Option<(syn::Path, Fields)>> {
        let inner = match arg {
            Expr::Reference(r) => &*r.expr,
            other => other,
        };
        match inner {
            Expr::Struct(s) if self.reads(&s.to_token_stream()).varied => {
                Some(self.struct_fields(s).map(|f| (s.path.clone(), f)))
            }
            _ => self.record_passed(arg).map(Some),
        }
    }

    /// A call's argument that is a tuple of numbers of the function's float type: a tuple
    /// literal (`dist((x, y), q)`), a tuple local or parameter passed whole (`dist(p, q)`,
    /// `&p`): `Some` of its numbers and whether it is lent (`Some(None)` if they failed to
    /// lower), `None` for any other argument. The callee takes it as a tuple parameter, its
    /// shadow a tuple.
    pub(super) fn tuple_argument(&mut self, arg: &Expr) -> Option<Option<(Fields, bool)>> {
        let (inner, lent) = match arg {
            Expr::Reference(r) => (&*r.expr, true),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => (&*u.expr, false),
            other => (other, false),
        };
        let fields = match inner {
            Expr::Tuple(t) if !t.elems.is_empty() => {
                let values: Vec<Value> = t.elems.iter().map(|e| self.lower_expr(e)).collect();
                if values.iter().any(|v| matches!(v, Value::Error)) {
                    return Some(None);
                }
                if !values
                    .iter()
                    .all(|v| matches!(v, Value::Scalar(x) if self.number_of_tuple(x)))
                {
                    return None;
                }
                self.tuple_values(values, inner)?
            }
            Expr::Path(p) => {
                let name = p.path.get_ident()?.to_string();
                let fields = match self.lookup(&name)? {
                    Binding::Tuple(_) => self.tuple_named(p)?,
                    Binding::Record { path: None, .. } => self.record_named(&name)?.1,
                    _ => return None,
                };
                if !fields.iter().all(|(_, x)| self.number_of_tuple(x)) {
                    return None;
                }
                // A tuple parameter taken by reference (`p: &(f64, f64)`) is lent as it is.
                let lent_param = !matches!(arg, Expr::Unary(_))
                    && matches!(
                        self.sig.written_types.get(&name),
                        Some(syn::Type::Reference(_))
                    );
                return Some(Some((fields, lent || lent_param)));
            }
            _ => return None,
        };
        Some(Some((fields, lent)))
    }

    /// The numbers of the tuple local or parameter `p` names (`Binding::Tuple`), as fields.
    fn tuple_named(&self, p: &syn::ExprPath) -> Option<Fields> {
        let Some(Binding::Tuple(values)) = self.lookup(&p.path.get_ident()?.to_string()) else {
            return None;
        };
        values
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Scalar(x) => Some((i.to_string(), x)),
                _ => None,
            })
            .collect()
    }

    /// Whether `x` may be a number of a tuple passed to a tuple parameter: a float, or float
    /// data (`(ox, oy)` of `for &(ox, oy) in sites`).
    fn number_of_tuple(&self, x: &Operand) -> bool {
        self.ty(x) == Ty::Float || self.is_float_data(x)
    }

    /// The path and fields' values of a local struct (not a tuple) passed whole as `arg`
    /// (`p`, `&p`).
    pub(super) fn record_passed(&self, arg: &Expr) -> Option<(syn::Path, Fields)> {
        let p = match arg {
            Expr::Reference(r) => match &*r.expr {
                Expr::Path(p) => p,
                _ => return None,
            },
            Expr::Path(p) => p,
            _ => return None,
        };
        match self.record_values(p)? {
            (Some(path), fields) => Some((path, fields)),
            (None, _) => None,
        }
    }

    /// The value of the field bound under `key` (`p.x`).
    fn field_value(&self, key: &str) -> Option<Operand> {
        match self.lookup(key) {
            Some(Binding::Scalar { cell, .. }) => Some(self.cells[cell].value.clone()),
            _ => None,
        }
    }

    /// The name of a local struct that `p` is.
    fn record_name(&self, p: &syn::ExprPath) -> Option<String> {
        let name = p.path.get_ident()?.to_string();
        matches!(self.lookup(&name), Some(Binding::Record { .. })).then_some(name)
    }
}

/// Whether a branch yields a struct literal (`if c { P { .. } } else { .. }`).
fn yields_struct(e: &Expr) -> bool {
    let tail =
        |b: &syn::Block| matches!(b.stmts.last(), Some(SynStmt::Expr(e, None)) if yields_struct(e));
    match e {
        Expr::Struct(_) => true,
        Expr::Paren(p) => yields_struct(&p.expr),
        Expr::Block(b) => tail(&b.block),
        Expr::If(i) => {
            tail(&i.then_branch)
                || i.else_branch
                    .as_ref()
                    .is_some_and(|(_, e)| yields_struct(e))
        }
        Expr::Match(m) => m.arms.iter().any(|a| yields_struct(&a.body)),
        _ => false,
    }
}

/// The name a loop assigns through `e`: `x`, or `p.x` of a local struct `p`.
pub(super) fn assigned_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        Expr::Field(f) => match (&*f.base, &f.member) {
            (Expr::Path(p), syn::Member::Named(field)) => {
                p.path.get_ident().map(|name| format!("{name}.{field}"))
            }
            (Expr::Path(p), syn::Member::Unnamed(i)) => {
                p.path.get_ident().map(|name| format!("{name}.{}", i.index))
            }
            _ => None,
        },
        _ => None,
    }
}
