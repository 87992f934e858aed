//! Lowering of calls: to primitives in path form and to functions with an `_adjoint`.

use super::*;

impl Lowerer<'_> {
    pub(super) fn lower_call(&mut self, c: &syn::ExprCall) -> Value {
        let span = c.span();
        let Expr::Path(p) = &*c.func else {
            return self.unsupported(
                &c.func,
                "#[grad] supports calls of named functions only (`g(x)`, `path::g(x)`)",
            );
        };
        let path = &p.path;
        // `f64::exp(x)`, `T::exp(x)`, `Float::exp(x)`: a primitive in path form.
        if path.segments.len() >= 2 {
            let last = &path.segments[path.segments.len() - 1].ident;
            let owner = &path.segments[path.segments.len() - 2].ident;
            let float_owner = owner == "Float"
                || type_kind_path(owner, self.sig) == Ty::Float
                || owner == "f64"
                || owner == "f32";
            if float_owner {
                if let Some(rule) = rules::lookup(&last.to_string()) {
                    let mut args = c.args.iter().map(|a| self.expr_scalar(a));
                    let Some(receiver) = args.next() else {
                        return self.unsupported(c, "missing arguments");
                    };
                    let rest: Vec<Operand> = args.collect();
                    return Value::Scalar(self.apply_rule(rule, receiver, rest, last, span));
                }
            }
        }
        if let Some(ident) = path.get_ident() {
            if let Some(Binding::Poisoned) = self.lookup(&ident.to_string()) {
                return Value::Error;
            }
            if self.lookup(&ident.to_string()).is_some() {
                return self.unsupported(
                    &c.func,
                    &format!("#[grad] cannot differentiate a call through `{ident}`, a parameter or local (a closure, function pointer or trait object): call a named function that has `#[grad]` or a hand-written `{ident}_adjoint`"),
                );
            }
        }
        if c.args.is_empty() {
            // `T::zero()`, `T::one()`, `f64::epsilon()`: a constant.
            return self.constant(Expr::Call(c.clone()), path, span);
        }
        let mut args = Vec::new();
        for arg in &c.args {
            match self.lower_expr(arg) {
                Value::Scalar(op) => args.push(Arg::Scalar(op)),
                Value::Array(array) => args.push(Arg::Array(ArrayArg {
                    array,
                    row: None,
                    by_ref: matches!(arg, Expr::Reference(_)),
                })),
                Value::Row { array, index } => args.push(Arg::Array(ArrayArg {
                    array,
                    row: Some(index),
                    // A row bound by `for row in w.iter()` is a reference already.
                    by_ref: matches!(arg, Expr::Reference(_)) || matches!(arg, Expr::Path(_)),
                })),
                Value::Error => {}
                _ => {
                    self.errors
                        .on(arg, "#[grad] cannot pass this value to a function");
                }
            }
        }
        let float = args.iter().any(|a| match a {
            Arg::Scalar(op) => self.ty(op) == Ty::Float,
            Arg::Array(a) => self.arrays[a.array.0].elem == Elem::Float,
        });
        let ty = if float { Ty::Float } else { Ty::Unknown };
        Value::Scalar(self.let_op(
            "t",
            ty,
            Op::Call {
                path: path.clone(),
                args,
            },
            span,
        ))
    }
}
