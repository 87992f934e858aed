//! Local `Option`s of numbers and of tuples of numbers: `let mut prev: Option<f64> = None;`,
//! `prev = Some(y);`, `if let Some(p) = prev { .. }`, `match best { Some((i, b)) if b > s =>
//! .., _ => .. }`, `.unwrap()`, `.unwrap_or(d)`, `.map(|v| ..)`, `.is_some()`, and `let best =
//! x.iter().copied().reduce(f64::max);`.
//!
//! As a local struct is (`records.rs`), the `Option` never exists in the generated code: it
//! is a flag and its numbers, each a local of its own bound under `prev?some` and
//! `prev?value` (`prev?value.0`, `prev?value.1` for a tuple; keys no Rust name can take), so
//! assignments, loops that carry it and branches that set it are those of any scalar local.
//! Code passed through that reads it whole gets it rebuilt (`Capture::Optional`).

use std::cell::RefCell;

use super::*;

/// The key of an `Option` local's flag.
pub(super) fn some_key(name: &str) -> String {
    format!("{name}?some")
}

/// The keys of an `Option` local's numbers: one, or one per element of a tuple of `parts`.
pub(super) fn value_keys(name: &str, parts: usize) -> Vec<String> {
    match parts {
        0 => vec![format!("{name}?value")],
        n => (0..n).map(|k| format!("{name}?value.{k}")).collect(),
    }
}

impl Lowerer<'_> {
    /// `let o = None;` (typed `Option<f64>` or `Option<(usize, f64)>`, or assigned `Some(..)`
    /// by the statements after it: `assigned`, the number of elements of the tuple it assigns,
    /// 0 for a number), `let o = Some(e);` of a differentiated `e`, `let o = if c { Some(a) }
    /// else { None };`, `let next = prev;` of such a local, or `let best = <reduction>;` of a
    /// differentiated array (`x.iter().copied().reduce(f64::max)`): true when `init` is one,
    /// having bound the flag and the numbers.
    pub(super) fn lower_optional_let(
        &mut self,
        pi: &syn::PatIdent,
        annotated: Option<&syn::Type>,
        init: &Expr,
        assigned: Option<usize>,
    ) -> bool {
        let name = pi.ident.to_string();
        // The types of the numbers the annotation gives, and how many elements its tuple has
        // (`Option<(usize, f64)>`: 2; `Option<f64>`: 0).
        let payload: Option<(usize, Vec<Ty>)> =
            annotated.and_then(option_payload).map(|t| match t {
                syn::Type::Tuple(t) => {
                    let tys = t.elems.iter().map(|e| type_kind(e, self.sig));
                    (t.elems.len(), tys.collect())
                }
                t => (0, vec![type_kind(t, self.sig)]),
            });
        // `let ub: Option<usize> = upper(knots, t);`: a search's result, data.
        let no_number = |tys: &Vec<Ty>| tys.iter().all(|t| matches!(t, Ty::Int | Ty::Bool));
        if payload.as_ref().is_some_and(|(_, tys)| no_number(tys)) {
            return false;
        }
        // `let o = (v > 0.0).then(|| v.ln());`: the `if` it stands for.
        let rewritten = super::methods::then_as_if(init);
        let init = rewritten.as_ref().unwrap_or(init);
        let (some, value) = match (self.optional_value(init), init) {
            // `let next = prev;` of a local `Option` (a `while let` on it takes it so).
            (Some(found), _) => found,
            // `let last = prev.take();`: its value, and `prev` is `None` after.
            (None, Expr::MethodCall(m)) if is_take(m) => {
                let (Some(found), Some((flag, ..))) = (
                    self.optional_value(&m.receiver),
                    self.optional_named_cells(&m.receiver),
                ) else {
                    return false;
                };
                self.set_cell(flag, lit_false());
                found
            }
            (None, Expr::Path(p)) if p.path.is_ident("None") => match (&payload, assigned) {
                (Some((parts, tys)), _) if tys.contains(&Ty::Float) => {
                    (lit_false(), self.unset(*parts, tys))
                }
                (None, Some(parts)) => (lit_false(), self.unset(parts, &[])),
                _ => return false,
            },
            (None, Expr::Call(c))
                if is_some_call(c) && self.reads(&init.to_token_stream()).varied =>
            {
                let value = self.lower_expr(&c.args[0]);
                (Operand::Lit(lit_bool(true)), value)
            }
            // `let hit = hit_sphere(ray, s);` of a call on differentiated values, read as an
            // `Option` (typed so, or matched with `Some(..)`): as a reduction is.
            (None, e)
                if self.is_optional_reduction(e)
                    || (self.is_fallible_call(e)
                        && (payload.is_some() || self.option_locals.contains(&name))) =>
            {
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
                    Some(value) => (some, value),
                    None => return false,
                }
            }
            // `let o = if c { Some(a) } else { None };`: each branch assigns it.
            (None, e) if self.reads(&e.to_token_stream()).varied => {
                let Some(parts) = yielded_parts(e) else {
                    return false;
                };
                let unset = self.unset(parts, &[]);
                if !self.bind_optional(&name, lit_false(), unset, true) {
                    return false;
                }
                self.lower_expr(&assign_tails(e, &pi.ident));
                return true;
            }
            _ => return false,
        };
        self.bind_optional(&name, some, value, pi.mutability.is_some())
    }

    /// The value of an `Option` that is `None`: placeholders of the types `tys` (unknown where
    /// not given), a number (`parts` 0) or a tuple of `parts` of them.
    fn unset(&self, parts: usize, tys: &[Ty]) -> Value {
        let dummy =
            |k: usize| Value::Scalar(self.dummy(tys.get(k).copied().unwrap_or(Ty::Unknown)));
        match parts {
            0 => dummy(0),
            n => Value::Tuple((0..n).map(dummy).collect()),
        }
    }

    /// Binds `name` to a local `Option`: its flag and its numbers (a number or a tuple of
    /// them), scalar locals of their own. False when the value is of another shape.
    pub(super) fn bind_optional(
        &mut self,
        name: &str,
        some: Operand,
        value: Value,
        mutable: bool,
    ) -> bool {
        let (parts, numbers) = match value {
            Value::Scalar(x) => (0, vec![x]),
            Value::Tuple(vs) => {
                let numbers: Option<Vec<Operand>> = vs
                    .into_iter()
                    .map(|v| match v {
                        Value::Scalar(x) => Some(x),
                        _ => None,
                    })
                    .collect();
                match numbers {
                    Some(numbers) if !numbers.is_empty() => (numbers.len(), numbers),
                    _ => return false,
                }
            }
            _ => return false,
        };
        let cell = self.new_cell(&format!("{name}_some"), some, Ty::Bool, mutable);
        self.bind(some_key(name), cell);
        for (key, x) in value_keys(name, parts).into_iter().zip(numbers) {
            let ty = self.ty(&x);
            let cell = self.new_cell(name, x, ty, mutable);
            self.bind(key, cell);
        }
        self.bind(name.to_string(), Binding::Optional { parts });
        true
    }

    /// The flag's and the numbers' cells of the local `Option` `name`, and how many elements
    /// its tuple has (0: a number).
    pub(super) fn optional_cells(&self, name: &str) -> Option<(usize, Vec<usize>, usize)> {
        let Some(Binding::Optional { parts }) = self.lookup(name) else {
            return None;
        };
        let cell = |key: &str| match self.lookup(key) {
            Some(Binding::Scalar { cell, .. }) => Some(cell),
            _ => None,
        };
        let some = cell(&some_key(name))?;
        let values: Option<Vec<usize>> = value_keys(name, parts).iter().map(|k| cell(k)).collect();
        Some((some, values?, parts))
    }

    /// The cells of the local `Option` `expr` names (see `optional_cells`).
    /// (Also through `o.as_ref()`, whose `Some(p)` reads the number as `*p`: pid-rs.)
    fn optional_named_cells(&self, expr: &Expr) -> Option<(usize, Vec<usize>, usize)> {
        match expr {
            Expr::Path(p) => self.optional_cells(&p.path.get_ident()?.to_string()),
            Expr::MethodCall(m) if m.method == "as_ref" && m.args.is_empty() => {
                self.optional_named_cells(&m.receiver)
            }
            _ => None,
        }
    }

    /// The flag and the value (a number, or a tuple of them) of the local `Option` `expr`
    /// names.
    pub(super) fn optional_value(&self, expr: &Expr) -> Option<(Operand, Value)> {
        let (some, values, parts) = self.optional_named_cells(expr)?;
        let mut numbers = values
            .iter()
            .map(|&c| Value::Scalar(self.cells[c].value.clone()));
        let value = match parts {
            0 => numbers.next()?,
            _ => Value::Tuple(numbers.collect()),
        };
        Some((self.cells[some].value.clone(), value))
    }

    /// `o = Some(e);` or `o = None;` (or a branch of them) of a local `Option`: true when
    /// `left` names one.
    pub(super) fn assign_optional(&mut self, left: &Expr, right: &Expr) -> bool {
        let Expr::Path(p) = left else {
            return false;
        };
        let Some(name) = p.path.get_ident() else {
            return false;
        };
        let Some((some, values, parts)) = self.optional_named_cells(left) else {
            return false;
        };
        if self.mutable_cell(&some_key(&name.to_string())).is_none() {
            // rustc reports this on the original function.
            return true;
        }
        match right {
            Expr::Call(c) if is_some_call(c) => {
                let numbers = match (self.lower_expr(&c.args[0]), parts) {
                    (Value::Scalar(x), 0) => Some(vec![x]),
                    // Numbers only: an array in the tuple is not kept.
                    (Value::Tuple(vs), n) if vs.len() == n => vs
                        .into_iter()
                        .map(|v| match v {
                            Value::Scalar(x) => Some(x),
                            _ => None,
                        })
                        .collect(),
                    (Value::Error, _) => return true,
                    _ => None,
                };
                let Some(numbers) = numbers else {
                    self.errors.on(right, UNSUPPORTED);
                    return true;
                };
                self.set_cell(some, Operand::Lit(lit_bool(true)));
                for (cell, x) in values.into_iter().zip(numbers) {
                    self.set_cell(cell, x);
                }
            }
            Expr::Path(p) if p.path.is_ident("None") => self.set_cell(some, lit_false()),
            e if yielded_parts(e).is_some() => {
                self.lower_expr(&assign_tails(e, name));
            }
            // `b = growth(b0, v);` of a function returning an `Option` of a number: the `if
            // let` it stands for.
            Expr::Call(_) | Expr::MethodCall(_) if parts == 0 => {
                let span = right.span();
                let v =
                    syn::Ident::new(&format!("{SYNTHETIC}some_{}", self.next_synthetic()), span);
                self.lower_expr(&syn::parse_quote_spanned!(span=> if let Some(#v) = #right {
                    #name = Some(#v);
                } else {
                    #name = None;
                }));
            }
            _ => self.errors.on(right, UNSUPPORTED),
        }
        true
    }

    /// `if let Some(p) = o { .. } else { .. }` on a local `Option`: on its flag, `p` bound to
    /// its value inside.
    pub(super) fn optional_if_let(
        &mut self,
        pat: &Pat,
        scrutinee: &Expr,
        then_branch: &syn::Block,
        else_branch: Option<&Expr>,
        span: Span,
    ) -> Option<Option<Value>> {
        if let Some(taken) = self.taken_through_local(scrutinee) {
            let (name, stmt) = taken;
            let otherwise = else_branch.map(|e| quote!(else #e));
            let span = scrutinee.span();
            let block = syn::parse_quote_spanned!(span=> { #stmt if let #pat = #name #then_branch #otherwise });
            return Some(Some(self.lower_expr(&block)));
        }
        let (some, value) = self.optional_value(scrutinee)?;
        let Some(inner) = some_pattern(pat) else {
            self.errors.on(pat, UNSUPPORTED);
            return Some(Some(Value::Error));
        };
        let bind = |lw: &mut Self| lw.bind_pattern(inner, value);
        Some(self.lower_if_binding(some, bind, then_branch, else_branch, span))
    }

    /// `match o { Some(p) if g => a, None => b, _ => c }` on a local `Option`: its arms tried
    /// in order, as `if let`s.
    pub(super) fn optional_match(&mut self, m: &syn::ExprMatch) -> Option<Value> {
        if let Some((name, stmt)) = self.taken_through_local(&m.expr) {
            let arms = &m.arms;
            let block = syn::parse_quote_spanned!(m.span()=> { #stmt match #name { #(#arms)* } });
            return Some(self.lower_expr(&block));
        }
        self.optional_value(&m.expr)?;
        let arms: Vec<&syn::Arm> = m.arms.iter().collect();
        match arms_as_if_lets(&m.expr, &arms) {
            Some(chain) => Some(self.lower_expr(&chain)),
            None => Some(self.unsupported(&m.expr, UNSUPPORTED)),
        }
    }

    /// `o.is_some()`, `o.is_none()`, `o.unwrap()`, `o.expect(..)`, `o.unwrap_or(d)` (and its
    /// `_else` and `_default` forms), `o.map_or(d, f)` and `o.map_or_else(g, f)` of a local
    /// `Option` `o`, or of `o.map(f)`.
    pub(super) fn optional_method(&mut self, m: &syn::ExprMethodCall) -> Option<Value> {
        let span = spans::method_call(m);
        // `o.map(f)`: the same flag; `f` applied where the value is taken.
        let (receiver, mapped) = match &*m.receiver {
            Expr::MethodCall(inner) if inner.method == "map" && inner.args.len() == 1 => {
                (&*inner.receiver, Some(&inner.args[0]))
            }
            receiver => (receiver, None),
        };
        let (some, value) = self.optional_value(receiver)?;
        let args: Vec<&Expr> = m.args.iter().collect();
        let method = m.method.to_string();
        let taken = |lw: &mut Self, value: Value, last: Option<&Expr>| {
            let value = match mapped {
                Some(f) => lw.apply_to(f, value),
                None => value,
            };
            match last {
                Some(f) => lw.apply_to(f, value),
                None => value,
            }
        };
        Some(match (method.as_str(), &*args) {
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
                taken(self, value, None)
            }
            // The value, or a closure of it (`map_or(d, |v| ..)`), where there is one; another
            // value, or a closure's, where there is none.
            (method @ ("unwrap_or" | "unwrap_or_else" | "unwrap_or_default"), _)
            | (method @ ("map_or" | "map_or_else"), [_, _]) => {
                let last = method.starts_with("map").then(|| args[1]);
                let otherwise = match (method, args.first()) {
                    ("unwrap_or_default", _) => None,
                    ("unwrap_or_else" | "map_or_else", Some(g)) => Some(iter::apply(g, Vec::new())),
                    (_, g) => g.map(|g| (*g).clone()),
                };
                // A default has the shape of what is taken where there is a value.
                let shape = RefCell::new(None);
                self.lower_if_with(
                    some,
                    |lw| {
                        let value = taken(lw, value, last);
                        *shape.borrow_mut() = Some(lw.dummy_like(&value));
                        Some(value)
                    },
                    |lw| match &otherwise {
                        Some(e) => Some(lw.lower_expr(e)),
                        None => shape.borrow_mut().take(),
                    },
                    span,
                )
                .unwrap_or(Value::Error)
            }
            // An `Option` of data read otherwise: rebuilt for the code passed through.
            _ if !self.is_varied_value(&value) => {
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
            Some((_, value)) if !self.is_varied_value(&value) => {
                self.try_opaque(&whole, true).unwrap_or(Value::Error)
            }
            _ => self.unsupported(p, UNSUPPORTED),
        }
    }

    /// `o.take()` of a local `Option`, tested once: a local it is taken into (`let taken =
    /// o.take();`) and that local's name.
    fn taken_through_local(&mut self, e: &Expr) -> Option<(syn::Ident, syn::Stmt)> {
        let Expr::MethodCall(m) = e else {
            return None;
        };
        if !is_take(m) || self.optional_named_cells(&m.receiver).is_none() {
            return None;
        }
        let name = format!("{SYNTHETIC}taken_{}", self.next_synthetic());
        let name = syn::Ident::new(&name, e.span());
        let stmt = syn::parse_quote_spanned!(e.span()=> let #name = #e;);
        Some((name, stmt))
    }

    /// Whether a number of `value`, or of its tuple, may depend on a float parameter.
    fn is_varied_value(&self, value: &Value) -> bool {
        match value {
            Value::Scalar(x) => self.is_varied(x),
            Value::Tuple(vs) => vs.iter().any(|v| self.is_varied_value(v)),
            _ => true,
        }
    }

    /// `f(value)` of a closure or function `f`, `value` bound to a name of its own.
    fn apply_to(&mut self, f: &Expr, value: Value) -> Value {
        let name = proc_macro2::Ident::new(&format!("{SYNTHETIC}value"), f.span());
        self.scopes.push(HashMap::default());
        let binding = match value {
            Value::Scalar(x) => {
                let ty = self.ty(&x);
                self.new_cell(&name.to_string(), x, ty, false)
            }
            Value::Tuple(vs) => Binding::Tuple(vs),
            _ => Binding::Poisoned,
        };
        self.bind(name.to_string(), binding);
        let applied = self.lower_expr(&iter::apply(f, vec![build::path(&name)]));
        self.scopes.pop();
        applied
    }
}

const UNSUPPORTED: &str = "#[grad] keeps a local `Option` of a number (or of a tuple of numbers) as a flag and its numbers: set it with `o = Some(x)` or `o = None`, test and read it with `if let Some(v) = o`, `match o { Some(v) => .., None => .. }`, `o.is_some()`, `o.is_none()`, `o.unwrap()`, `o.expect(..)`, `o.unwrap_or(d)`, `o.unwrap_or_else(|| d)`, `o.unwrap_or_default()`, `o.map_or(d, |v| ..)` or `o.map_or_else(|| d, |v| ..)`, on `o` or on `o.map(|v| ..)`";

fn lit_false() -> Operand {
    Operand::Lit(lit_bool(false))
}

/// `Some(e)`.
fn is_some_call(c: &syn::ExprCall) -> bool {
    matches!(&*c.func, Expr::Path(p) if p.path.is_ident("Some")) && c.args.len() == 1
}

/// `o.take()`.
fn is_take(m: &syn::ExprMethodCall) -> bool {
    m.method == "take" && m.args.is_empty()
}

/// `p` of the pattern `Some(p)`.
fn some_pattern(pat: &Pat) -> Option<&Pat> {
    match pat {
        Pat::TupleStruct(t) if t.path.is_ident("Some") && t.elems.len() == 1 => Some(&t.elems[0]),
        _ => None,
    }
}

/// The arms of a `match` on the local `Option` `scrutinee`, tried in order as `if let`s: `if
/// let Some(p) = o { if g { a } else { rest } } else { rest }`, `if o.is_none() { b } else {
/// rest }`, `c` for `_`. `None` for a pattern that binds the `Option` whole.
fn arms_as_if_lets(scrutinee: &Expr, arms: &[&syn::Arm]) -> Option<Expr> {
    let is_none = |p: &Pat| match p {
        Pat::Ident(i) => i.ident == "None" && i.subpat.is_none(),
        Pat::Path(p) => p.path.is_ident("None"),
        _ => false,
    };
    // The last arm takes what is left (the `match` is exhaustive); `None => a, Some(p) =>
    // b` is `if let Some(p) = o { b } else { a }`.
    match arms {
        [last]
            if last.guard.is_none() && (is_none(&last.pat) || matches!(last.pat, Pat::Wild(_))) =>
        {
            return Some((*last.body).clone());
        }
        [none, some] if none.guard.is_none() && some.guard.is_none() && is_none(&none.pat) => {
            if let Some(pat) = some_pattern(&some.pat).map(|_| &some.pat) {
                let (a, b) = (&none.body, &some.body);
                return Some(syn::parse_quote!(if let #pat = #scrutinee { #b } else { #a }));
            }
        }
        _ => {}
    }
    let Some((arm, rest)) = arms.split_first() else {
        return Some(syn::parse_quote!(::core::unreachable!()));
    };
    let body = &arm.body;
    let guarded = |rest: &Expr| -> Expr {
        match &arm.guard {
            Some((_, guard)) => syn::parse_quote!(if #guard { #body } else { #rest }),
            None => (**body).clone(),
        }
    };
    let rest = arms_as_if_lets(scrutinee, rest)?;
    Some(match &arm.pat {
        pat if some_pattern(pat).is_some() => {
            let then = guarded(&rest);
            syn::parse_quote!(if let #pat = #scrutinee { #then } else { #rest })
        }
        pat if is_none(pat) => {
            let then = guarded(&rest);
            syn::parse_quote!(if #scrutinee.is_none() { #then } else { #rest })
        }
        Pat::Wild(_) => guarded(&rest),
        _ => return None,
    })
}

/// How many elements the tuples have that the branches of `e` (an `if`, `match` or block)
/// end in, as `Some(..)` or `None` (or leave): 0 for numbers. `None` unless every branch ends
/// so and one makes `Some(..)`.
fn yielded_parts(e: &Expr) -> Option<usize> {
    if !matches!(e, Expr::If(_) | Expr::Match(_) | Expr::Block(_)) {
        return None;
    }
    let (mut all, mut parts) = (true, None);
    arrays::branch_tail_mut(&mut e.clone(), &mut |tail| match &*tail {
        Expr::Call(c) if is_some_call(c) => {
            parts = Some(match &c.args[0] {
                Expr::Tuple(t) => t.elems.len(),
                _ => 0,
            });
        }
        Expr::Path(p) if p.path.is_ident("None") => {}
        other => all &= arrays::leaves(other),
    });
    parts.filter(|_| all)
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
    super::written_types::type_argument(ty, "Option")
}

/// Whether the statements after `let name = None;` assign `name = Some(..)`, and then how
/// many elements the tuple they assign has (0: a number): the `Option`'s numbers have the
/// types of what they assign.
pub(super) fn assigned_some(name: &syn::Ident, rest: &[syn::Stmt]) -> Option<usize> {
    struct Finder<'a> {
        name: &'a syn::Ident,
        parts: Option<usize>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder<'_> {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            let names_it = matches!(&*a.left, Expr::Path(p) if p.path.is_ident(self.name));
            if let (true, Expr::Call(c)) = (names_it, &*a.right) {
                if is_some_call(c) {
                    self.parts = Some(match &c.args[0] {
                        Expr::Tuple(t) => t.elems.len(),
                        _ => 0,
                    });
                }
            }
            syn::visit::visit_expr_assign(self, a);
        }
    }
    let mut finder = Finder { name, parts: None };
    for stmt in rest {
        syn::visit::Visit::visit_stmt(&mut finder, stmt);
    }
    finder.parts
}
