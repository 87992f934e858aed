//! Local `Option`s of numbers: `let mut prev: Option<f64> = None;`, `prev = Some(y);`,
//! `if let Some(p) = prev { .. }`, `match best { Some(b) => .., None => .. }`, `.unwrap()`,
//! `.unwrap_or(d)`, `.is_some()`, and `let best = x.iter().copied().reduce(f64::max);`.
//!
//! As a local struct is (`records.rs`), the `Option` never exists in the generated code: it
//! is a flag and a number, each a local of its own bound under `prev?some` and `prev?value`
//! (keys no Rust name can take), so assignments, loops that carry it and branches that set it
//! are those of any scalar local. Code passed through that reads it whole gets it rebuilt
//! (`Capture::Optional`).

use super::*;

/// The keys of an `Option` local's flag and number.
pub(super) fn keys(name: &str) -> (String, String) {
    (format!("{name}?some"), format!("{name}?value"))
}

impl Lowerer<'_> {
    /// `let o = None;` (typed `Option<f64>`, or assigned `Some(..)` by the statements after
    /// it: `assigned_some`), `let o = Some(e);` of a differentiated `e`, or `let best =
    /// <reduction>;` of a differentiated array (`x.iter().copied().reduce(f64::max)`): true
    /// when `init` is one, having bound the flag and the number.
    pub(super) fn lower_optional_let(
        &mut self,
        pi: &syn::PatIdent,
        annotated: Option<&syn::Type>,
        init: &Expr,
        assigned_some: bool,
    ) -> bool {
        let payload = annotated
            .and_then(option_payload)
            .map(|t| type_kind(t, self.sig));
        let (some, value) = match (self.optional_value(init), init) {
            // `let next = prev;` of a local `Option` (a `while let` on it takes it so).
            (Some(found), _) => found,
            (None, Expr::Path(p))
                if p.path.is_ident("None")
                    && (payload == Some(Ty::Float) || payload.is_none() && assigned_some) =>
            {
                let ty = payload.unwrap_or(Ty::Unknown);
                (Operand::Lit(lit_bool(false)), self.dummy(ty))
            }
            (None, Expr::Call(c))
                if is_some_call(c) && self.reads(&init.to_token_stream()).varied =>
            {
                let value = self.expr_scalar(&c.args[0]);
                (Operand::Lit(lit_bool(true)), value)
            }
            (None, e) if self.is_optional_reduction(e) => {
                let span = e.span();
                let Some(Value::Scalar(some)) =
                    self.try_opaque(&syn::parse_quote_spanned!(span=> #e.is_some()), true)
                else {
                    return false;
                };
                if let Operand::Var(v) = &some {
                    self.vars[v.0].ty = Ty::Bool;
                }
                let unwrapped: Expr = syn::parse_quote_spanned!(span=> #e.unwrap());
                let zero = self.zero();
                let value = self.lower_if_with(
                    some.clone(),
                    |lw| Some(lw.lower_expr(&unwrapped)),
                    |_| Some(Value::Scalar(zero)),
                    span,
                );
                match value {
                    Some(Value::Scalar(value)) => (some, value),
                    _ => return false,
                }
            }
            // `let o = if c { Some(a) } else { None };`: each branch assigns it.
            (None, e) if yields_option(e) && self.reads(&e.to_token_stream()).varied => {
                let name = pi.ident.to_string();
                let unset = self.dummy(payload.unwrap_or(Ty::Unknown));
                self.bind_optional(&name, Operand::Lit(lit_bool(false)), unset, true);
                self.lower_expr(&assign_tails(e, &pi.ident));
                return true;
            }
            _ => return false,
        };
        self.bind_optional(&pi.ident.to_string(), some, value, pi.mutability.is_some());
        true
    }

    /// Binds `name` to a local `Option`: its flag and its number, scalar locals of their own.
    pub(super) fn bind_optional(
        &mut self,
        name: &str,
        some: Operand,
        value: Operand,
        mutable: bool,
    ) {
        let (some_key, value_key) = keys(name);
        let cell = self.new_cell(&format!("{name}_some"), some, Ty::Bool, mutable);
        self.bind(some_key, cell);
        let ty = self.ty(&value);
        let cell = self.new_cell(name, value, ty, mutable);
        self.bind(value_key, cell);
        self.bind(name.to_string(), Binding::Optional);
    }

    /// The flag's and the number's cells of the local `Option` `name`.
    pub(super) fn optional_cells(&self, name: &str) -> Option<(usize, usize)> {
        if !matches!(self.lookup(name), Some(Binding::Optional)) {
            return None;
        }
        let (some_key, value_key) = keys(name);
        match (self.lookup(&some_key), self.lookup(&value_key)) {
            (
                Some(Binding::Scalar { cell: some, .. }),
                Some(Binding::Scalar { cell: value, .. }),
            ) => Some((some, value)),
            _ => None,
        }
    }

    /// The cells of the local `Option` `expr` names, with whether they can be assigned.
    fn optional_named(&self, expr: &Expr) -> Option<(usize, usize, bool)> {
        let Expr::Path(p) = expr else {
            return None;
        };
        let name = p.path.get_ident()?.to_string();
        let (some, value) = self.optional_cells(&name)?;
        let mutable = self.mutable_cell(&keys(&name).0).is_some();
        Some((some, value, mutable))
    }

    /// The flag and the number of the local `Option` `expr` names.
    pub(super) fn optional_value(&self, expr: &Expr) -> Option<(Operand, Operand)> {
        let (some, value, _) = self.optional_named(expr)?;
        Some((
            self.cells[some].value.clone(),
            self.cells[value].value.clone(),
        ))
    }

    /// `o = Some(e);` or `o = None;` of a local `Option`: true when `left` names one.
    pub(super) fn assign_optional(&mut self, left: &Expr, right: &Expr) -> bool {
        let Some((some, value, mutable)) = self.optional_named(left) else {
            return false;
        };
        if !mutable {
            // rustc reports this on the original function.
            return true;
        }
        match right {
            Expr::Call(c) if is_some_call(c) => {
                let x = self.expr_scalar(&c.args[0]);
                self.set_cell(some, Operand::Lit(lit_bool(true)));
                self.set_cell(value, x);
            }
            Expr::Path(p) if p.path.is_ident("None") => {
                self.set_cell(some, Operand::Lit(lit_bool(false)));
            }
            // `o = if c { Some(a) } else { None };`: each branch assigns it.
            e if yields_option(e) => {
                if let Expr::Path(p) = left {
                    if let Some(name) = p.path.get_ident() {
                        self.lower_expr(&assign_tails(e, name));
                    }
                }
            }
            _ => self.errors.on(right, UNSUPPORTED),
        }
        true
    }

    /// `if let Some(p) = o { .. } else { .. }` on a local `Option`: on its flag, `p` bound to
    /// its number inside.
    pub(super) fn optional_if_let(
        &mut self,
        pat: &Pat,
        scrutinee: &Expr,
        then_branch: &syn::Block,
        else_branch: Option<&Expr>,
        span: Span,
    ) -> Option<Option<Value>> {
        let (some, value) = self.optional_value(scrutinee)?;
        let inner = match pat {
            Pat::TupleStruct(t) if t.path.is_ident("Some") && t.elems.len() == 1 => &t.elems[0],
            _ => {
                self.errors.on(pat, UNSUPPORTED);
                return Some(Some(Value::Error));
            }
        };
        Some(self.lower_if_with(
            some,
            |lw| {
                lw.scopes.push(HashMap::default());
                lw.bind_pattern(inner, Value::Scalar(value));
                let value = lw.lower_scoped(then_branch);
                lw.scopes.pop();
                Some(value)
            },
            |lw| else_branch.map(|e| lw.lower_expr(e)),
            span,
        ))
    }

    /// `o.is_some()`, `o.is_none()`, `o.unwrap()`, `o.expect(..)`, `o.unwrap_or(d)` (and its
    /// `_else` and `_default` forms), `o.map_or(d, f)` and `o.map_or_else(g, f)` of a local
    /// `Option` `o`, or of `o.map(f)`.
    pub(super) fn optional_method(&mut self, m: &syn::ExprMethodCall) -> Option<Value> {
        let span = spans::method_call(m);
        let (some, value) = match &*m.receiver {
            // `o.map(|v| ..)` read by any of these: the same flag, the closure's number.
            Expr::MethodCall(inner) if inner.method == "map" && inner.args.len() == 1 => {
                let (some, value) = self.optional_value(&inner.receiver)?;
                let ty = self.ty(&value);
                let f = &inner.args[0];
                let mapped = self.lower_if_with(
                    some.clone(),
                    |lw| Some(lw.apply_to(f, value)),
                    |lw| Some(Value::Scalar(lw.dummy(ty))),
                    span,
                );
                match mapped {
                    Some(Value::Scalar(mapped)) => (some, mapped),
                    _ => return Some(Value::Error),
                }
            }
            receiver => self.optional_value(receiver)?,
        };
        let args: Vec<&Expr> = m.args.iter().collect();
        Some(match (m.method.to_string().as_str(), &*args) {
            ("is_some", []) => Value::Scalar(some),
            ("is_none", []) => {
                Value::Scalar(self.let_op("t", Ty::Bool, Op::Unary(UnOp::Not, some), span))
            }
            ("unwrap" | "expect", _) => {
                // The panic the `Option` would raise, kept.
                let flag = proc_macro2::Ident::new(&format!("{SYNTHETIC}some"), span);
                let message = match args.first() {
                    Some(message) => quote!(#message),
                    None => quote!("called `Option::unwrap()` on a `None` value"),
                };
                self.emit(Stmt::Effect(Opaque {
                    tokens: quote!(::core::assert!(#flag, "{}", #message)),
                    captures: vec![(flag, Capture::Value(some))],
                    declared: None,
                }));
                Value::Scalar(value)
            }
            // The number, or a closure of it (`map_or(d, |v| ..)`), where there is one;
            // another value, or a closure's, where there is none.
            (method @ ("unwrap_or" | "unwrap_or_else" | "unwrap_or_default"), _)
            | (method @ ("map_or" | "map_or_else"), [_, _]) => {
                let f = method.starts_with("map").then(|| args[1].clone());
                let otherwise = match (method, args.first()) {
                    ("unwrap_or_default", _) => None,
                    ("unwrap_or_else" | "map_or_else", Some(g)) => Some(iter::apply(g, Vec::new())),
                    (_, g) => g.map(|g| (*g).clone()),
                };
                let ty = self.ty(&value);
                self.lower_if_with(
                    some,
                    |lw| {
                        Some(match &f {
                            Some(f) => lw.apply_to(f, value),
                            None => Value::Scalar(value),
                        })
                    },
                    |lw| {
                        Some(match &otherwise {
                            Some(e) => lw.lower_expr(e),
                            None => Value::Scalar(lw.dummy(ty)),
                        })
                    },
                    span,
                )
                .unwrap_or(Value::Error)
            }
            // An `Option` of data read otherwise: rebuilt for the code passed through.
            _ if !self.is_varied(&value) => {
                let whole = Expr::MethodCall(m.clone());
                self.try_opaque(&whole, true).unwrap_or(Value::Error)
            }
            _ => {
                self.errors.on(&m.method, UNSUPPORTED);
                Value::Error
            }
        })
    }

    /// The local `Option` `p` names, read whole: rebuilt where it holds data (`g(o)`), an
    /// error where it holds a differentiated number.
    pub(super) fn optional_whole(&mut self, p: &syn::ExprPath) -> Value {
        let whole = Expr::Path(p.clone());
        match self.optional_value(&whole) {
            Some((_, value)) if !self.is_varied(&value) => {
                self.try_opaque(&whole, true).unwrap_or(Value::Error)
            }
            _ => self.unsupported(p, UNSUPPORTED),
        }
    }

    /// `f(value)` of a closure or function `f`, `value` bound to a name of its own.
    fn apply_to(&mut self, f: &Expr, value: Operand) -> Value {
        let name = proc_macro2::Ident::new(&format!("{SYNTHETIC}value"), f.span());
        self.scopes.push(HashMap::default());
        let ty = self.ty(&value);
        let cell = self.new_cell(&name.to_string(), value, ty, false);
        self.bind(name.to_string(), cell);
        let applied = self.lower_expr(&iter::apply(f, vec![build::path(&name)]));
        self.scopes.pop();
        applied
    }
}

const UNSUPPORTED: &str = "#[grad] keeps a local `Option` of a number as a flag and the number: set it with `o = Some(x)` or `o = None`, test and read it with `if let Some(v) = o`, `match o { Some(v) => .., None => .. }`, `o.is_some()`, `o.is_none()`, `o.unwrap()`, `o.expect(..)`, `o.unwrap_or(d)`, `o.unwrap_or_else(|| d)`, `o.unwrap_or_default()`, `o.map_or(d, |v| ..)` or `o.map_or_else(|| d, |v| ..)`, on `o` or on `o.map(|v| ..)`";

/// `Some(e)`.
fn is_some_call(c: &syn::ExprCall) -> bool {
    matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Some")) && c.args.len() == 1
}

/// `if`, `match` or a block whose branches end in `Some(..)` or `None` (or leave).
fn yields_option(e: &Expr) -> bool {
    if !matches!(e, Expr::If(_) | Expr::Match(_) | Expr::Block(_)) {
        return false;
    }
    let (mut all, mut options) = (true, 0);
    arrays::branch_tail_mut(&mut e.clone(), &mut |tail| {
        let option = match &*tail {
            Expr::Call(c) => is_some_call(c),
            Expr::Path(p) => p.path.is_ident("None"),
            _ => false,
        };
        options += usize::from(option);
        all &= option || arrays::leaves(tail);
    });
    all && options > 0
}

/// `e` with each branch's value assigned to `name` (`if c { name = Some(a); } else { name =
/// None; }`).
fn assign_tails(e: &Expr, name: &syn::Ident) -> Expr {
    let mut e = e.clone();
    arrays::branch_tail_mut(&mut e, &mut |tail| {
        if !arrays::leaves(tail) {
            *tail = syn::parse_quote!({ #name = #tail; });
        }
    });
    e
}

/// `T` of `Option<T>`.
fn option_payload(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(tp) = ty else {
        return None;
    };
    let last = tp.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match (last.ident == "Option", args.args.first()) {
        (true, Some(syn::GenericArgument::Type(t))) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

/// Whether the statements after `let name = None;` assign `name = Some(..)`: the `Option`'s
/// number then has the type of what they assign.
pub(super) fn assigns_some(name: &syn::Ident, rest: &[syn::Stmt]) -> bool {
    struct Finder<'a> {
        name: &'a syn::Ident,
        found: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder<'_> {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            let names_it = matches!(&*a.left, Expr::Path(p) if p.path.is_ident(self.name));
            if names_it && matches!(&*a.right, Expr::Call(c) if is_some_call(c)) {
                self.found = true;
            }
            syn::visit::visit_expr_assign(self, a);
        }
    }
    let mut finder = Finder { name, found: false };
    for stmt in rest {
        syn::visit::Visit::visit_stmt(&mut finder, stmt);
    }
    finder.found
}
