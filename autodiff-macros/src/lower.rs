//! Lowering: the user's function body (syn) to the SSA IR of `ir.rs`.
//!
//! User variables are cells whose current value is an SSA operand; reassignment makes a new
//! value, `if` merges cells with phis, loops carry the cells they assign. `return`, `break`
//! and `continue` set flag cells, and the statements after one are guarded by the flags, so
//! every IR block runs straight through. Anything outside the differentiable subset is
//! reported (all of it, not just the first) and lowering goes on.

use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{BinOp as SynBinOp, Expr, Lit, Pat, Stmt as SynStmt, UnOp as SynUnOp};

use crate::diag::Errors;
use crate::ir::*;
use crate::rules::{self, Rule};
use crate::sig::{ParamKind, Signature};

/// A user binding.
#[derive(Clone)]
enum Binding {
    Scalar {
        cell: usize,
        mutable: bool,
    },
    Array(ArrayId),
    /// One row of a matrix, bound by `for row in w.iter()`.
    Row {
        array: ArrayId,
        index: Operand,
    },
    /// A parameter of a type the macro does not look into.
    Opaque,
    /// A name bound to a value that was already reported as an error.
    Poisoned,
}

/// The value of an expression.
#[derive(Clone)]
enum Value {
    Scalar(Operand),
    Tuple(Vec<Value>),
    Array(ArrayId),
    Row {
        array: ArrayId,
        index: Operand,
    },
    Unit,
    /// The value of something already reported as an error: accepted everywhere without
    /// further errors, so the user sees the one real problem and no cascade.
    Error,
}

struct Cell {
    value: Operand,
    ty: Ty,
    name: String,
}

/// The flags a loop body checks: set by `break`, `continue` and `return`.
struct LoopFlags {
    brk: Option<usize>,
    cont: Option<usize>,
}

pub struct Lowerer<'a> {
    sig: &'a Signature,
    errors: &'a mut Errors,
    vars: Vec<VarInfo>,
    arrays: Vec<ArrayInfo>,
    cells: Vec<Cell>,
    scopes: Vec<HashMap<String, Binding>>,
    /// Statements of the blocks being lowered, innermost last.
    blocks: Vec<Vec<Stmt>>,
    /// Values already computed, per open block (parallel to `blocks`).
    cse: Vec<Cse>,
    /// `(flag, value)` cells of an early `return`, when the body has one.
    ret: Option<(usize, usize)>,
    loops: Vec<LoopFlags>,
    /// Names already used by a generated local, and every name the user binds (reserved so
    /// that a user's variable keeps its name in the generated code).
    names: HashSet<String>,
    /// User names already given to a value.
    claimed: HashSet<String>,
    param_vars: Vec<Var>,
}

/// Lowers the body of a function with signature `sig`.
pub fn lower(sig: &Signature, block: &syn::Block, errors: &mut Errors) -> Body {
    let mut lw = Lowerer {
        sig,
        errors,
        vars: Vec::new(),
        arrays: Vec::new(),
        cells: Vec::new(),
        scopes: vec![HashMap::new()],
        blocks: vec![Vec::new()],
        cse: vec![Cse::default()],
        ret: None,
        loops: Vec::new(),
        names: user_bindings(block),
        claimed: HashSet::new(),
        param_vars: Vec::new(),
    };
    // Names the generated signatures use: a user's local of the same name is renamed.
    for name in generated_names(sig) {
        lw.names.insert(name.clone());
        lw.claimed.insert(name);
    }
    for (index, param) in sig.params.iter().enumerate() {
        let name = param.ident.to_string();
        lw.names.insert(name.clone());
        let binding = match &param.kind {
            ParamKind::Float | ParamKind::Int | ParamKind::Bool => {
                let ty = match param.kind {
                    ParamKind::Float => Ty::Float,
                    ParamKind::Int => Ty::Int,
                    _ => Ty::Bool,
                };
                let var = lw.new_var_named(&name, ty, param.span);
                lw.param_vars.push(var);
                lw.new_cell(&name, Operand::Var(var), ty, true)
            }
            ParamKind::Array { shape, float } => {
                let id = ArrayId(lw.arrays.len());
                lw.arrays.push(ArrayInfo {
                    written: name.clone(),
                    name,
                    elem: if *float { Elem::Float } else { Elem::Other },
                    dims: shape.dims(),
                    origin: ArrayOrigin::Param(index),
                    span: param.span,
                });
                Binding::Array(id)
            }
            ParamKind::Opaque => Binding::Opaque,
            ParamKind::Rejected => Binding::Poisoned,
        };
        lw.scopes[0].insert(param.ident.to_string(), binding);
    }

    if contains_return(block) {
        let flag = lw.new_cell("returned", Operand::Lit(lit_bool(false)), Ty::Bool, true);
        let value = lw.new_cell("ret", lw.zero(), Ty::Float, true);
        lw.ret = Some((cell_of(&flag), cell_of(&value)));
    }
    let tail = lw.lower_block_stmts(&block.stmts, lw.ret.is_some());
    let result = match lw.ret {
        Some((_, value)) => lw.cells[value].value.clone(),
        None => match tail {
            Some(Value::Scalar(op)) => op,
            Some(Value::Error) => lw.zero(),
            _ => {
                lw.errors.at(
                    block.span(),
                    "#[grad] needs the function body to end with its float result",
                );
                lw.zero()
            }
        },
    };
    let stmts = lw.blocks.pop().unwrap_or_default();
    Body {
        vars: lw.vars,
        param_vars: lw.param_vars,
        arrays: lw.arrays,
        block: Block { stmts },
        result,
    }
}

/// `d_out` and the shadow arguments `d_<param>`.
fn generated_names(sig: &Signature) -> Vec<String> {
    let mut names = vec!["d_out".to_string()];
    names.extend(
        sig.params
            .iter()
            .filter(|p| p.has_shadow())
            .map(|p| format!("d_{}", p.ident)),
    );
    names
}

fn cell_of(binding: &Binding) -> usize {
    match binding {
        Binding::Scalar { cell, .. } => *cell,
        _ => 0,
    }
}

fn lit_bool(value: bool) -> Lit {
    Lit::Bool(syn::LitBool::new(value, Span::call_site()))
}

fn lit_int(value: usize) -> Lit {
    Lit::Int(syn::LitInt::new(&value.to_string(), Span::call_site()))
}

impl Lowerer<'_> {
    // ----- values, cells, names ------------------------------------------------------------

    fn unique_name(&mut self, base: &str) -> String {
        let base = if base.is_empty() { "t" } else { base };
        if self.names.insert(base.to_string()) {
            return base.to_string();
        }
        (1..)
            .map(|i| format!("{base}_{i}"))
            .find(|n| self.names.insert(n.clone()))
            .unwrap_or_default()
    }

    /// The user's name for a value: as written the first time, numbered after.
    fn user_name(&mut self, name: &str) -> String {
        if self.claimed.insert(name.to_string()) {
            return name.to_string();
        }
        self.unique_name(name)
    }

    fn new_var_named(&mut self, name: &str, ty: Ty, span: Span) -> Var {
        let name = self.user_name(name);
        self.vars.push(VarInfo { name, ty, span });
        Var(self.vars.len() - 1)
    }

    fn new_var(&mut self, base: &str, ty: Ty, span: Span) -> Var {
        let name = self.unique_name(base);
        self.vars.push(VarInfo { name, ty, span });
        Var(self.vars.len() - 1)
    }

    fn new_cell(&mut self, name: &str, value: Operand, ty: Ty, mutable: bool) -> Binding {
        self.cells.push(Cell {
            value,
            ty,
            name: name.to_string(),
        });
        Binding::Scalar {
            cell: self.cells.len() - 1,
            mutable,
        }
    }

    fn emit(&mut self, stmt: Stmt) {
        if let Some(block) = self.blocks.last_mut() {
            block.push(stmt);
        }
    }

    /// `let <fresh> = op`, returning the new value.
    /// `let <fresh> = op`, returning the new value, or the value an identical earlier op
    /// already computed (`x[i] * x[i]` reads `x[i]` once, so the reverse sweep keeps one).
    fn let_op(&mut self, base: &str, ty: Ty, op: Op, span: Span) -> Operand {
        let key = cse_key(&op);
        let cse = self.cse.last_mut();
        if let (Some((key, array)), Some(cse)) = (&key, cse) {
            let found = match array {
                Some(_) => cse.loads.get(key).map(|(_, v)| *v),
                None => cse.pure.get(key).copied(),
            };
            if let Some(v) = found {
                return Operand::Var(v);
            }
        }
        let var = self.new_var(base, ty, span);
        self.emit(Stmt::Let { var, op });
        if let (Some((key, array)), Some(cse)) = (key, self.cse.last_mut()) {
            match array {
                Some(a) => {
                    cse.loads.insert(key, (a, var));
                }
                None => {
                    cse.pure.insert(key, var);
                }
            }
        }
        Operand::Var(var)
    }

    fn open_block(&mut self, scope: Scope) {
        let parent = self.cse.last();
        let cse = Cse {
            pure: parent.map(|c| c.pure.clone()).unwrap_or_default(),
            // A loop body runs many times: a read before the loop may be stale in it.
            loads: match (scope, parent) {
                (Scope::Branch, Some(c)) => c.loads.clone(),
                _ => HashMap::new(),
            },
            stored: HashSet::new(),
        };
        self.cse.push(cse);
        self.blocks.push(Vec::new());
    }

    fn close_block(&mut self) -> Vec<Stmt> {
        if let Some(child) = self.cse.pop() {
            if let Some(parent) = self.cse.last_mut() {
                parent.loads.retain(|_, (a, _)| !child.stored.contains(a));
                parent.stored.extend(child.stored);
            }
        }
        self.blocks.pop().unwrap_or_default()
    }

    /// A store: earlier reads of the array are stale.
    fn stored(&mut self, array: ArrayId) {
        if let Some(cse) = self.cse.last_mut() {
            cse.loads.retain(|_, (a, _)| *a != array);
            cse.stored.insert(array);
        }
    }

    pub fn ty(&self, op: &Operand) -> Ty {
        match op {
            Operand::Var(v) => self.vars[v.0].ty,
            Operand::Lit(Lit::Float(_)) => Ty::Float,
            Operand::Lit(Lit::Int(_)) => Ty::Int,
            Operand::Lit(Lit::Bool(_)) => Ty::Bool,
            _ => Ty::Unknown,
        }
    }

    fn zero(&self) -> Operand {
        if self.sig.float_is_generic {
            let f = &self.sig.float;
            Operand::Const(syn::parse_quote!(<#f as ::autodiff::Float>::zero()))
        } else {
            Operand::Lit(Lit::Float(syn::LitFloat::new("0.0", Span::call_site())))
        }
    }

    /// A placeholder of type `ty` for a branch that does not define a value.
    fn dummy(&self, ty: Ty) -> Operand {
        match ty {
            Ty::Float | Ty::Unknown => self.zero(),
            Ty::Int => Operand::Lit(lit_int(0)),
            Ty::Bool => Operand::Lit(lit_bool(false)),
        }
    }

    fn lookup(&self, name: &str) -> Option<Binding> {
        self.scopes
            .iter()
            .rev()
            .find_map(|scope| scope.get(name).cloned())
    }

    fn bind(&mut self, name: String, binding: Binding) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name, binding);
        }
    }

    fn scalar(&mut self, value: Value, span: Span) -> Operand {
        match value {
            Value::Scalar(op) => op,
            Value::Error => self.zero(),
            Value::Unit => {
                self.errors
                    .at(span, "expected a value here, but this expression has none");
                self.zero()
            }
            _ => {
                self.errors.at(
                    span,
                    "#[grad] expected a number here; arrays and tuples can only be indexed, passed to functions or destructured",
                );
                self.zero()
            }
        }
    }

    fn expr_scalar(&mut self, expr: &Expr) -> Operand {
        let value = self.lower_expr(expr);
        self.scalar(value, expr.span())
    }

    // ----- blocks and statements -----------------------------------------------------------

    /// Lowers statements in the current block (no new scope), guarding what follows a
    /// statement that may `return`/`break`/`continue`. Returns the tail value, or, for the
    /// function's own block when it has an early `return` (`tail_returns`), stores the tail
    /// in the return slot like a `return`.
    fn lower_block_stmts(&mut self, stmts: &[SynStmt], tail_returns: bool) -> Option<Value> {
        for (i, stmt) in stmts.iter().enumerate() {
            let is_tail = i + 1 == stmts.len();
            if let SynStmt::Expr(expr, None) = stmt {
                if is_tail {
                    let value = self.lower_expr(expr);
                    if tail_returns {
                        if !matches!(expr, Expr::Return(_)) {
                            self.assign_return(value, expr.span());
                        }
                        return None;
                    }
                    return Some(value);
                }
            }
            self.lower_stmt(stmt);
            let rest = &stmts[i + 1..];
            if !rest.is_empty() && self.may_exit(stmt) {
                return self.guarded(rest, tail_returns, stmt.span());
            }
        }
        None
    }

    /// `if !(exit flags) { rest }`: the statements after one that may leave the block.
    fn guarded(&mut self, rest: &[SynStmt], tail_returns: bool, span: Span) -> Option<Value> {
        let mut flags = Vec::new();
        if let Some((flag, _)) = self.ret {
            flags.push(flag);
        }
        if let Some(l) = self.loops.last() {
            flags.extend(l.brk);
            flags.extend(l.cont);
        }
        let mut cond: Option<Operand> = None;
        for flag in flags {
            let f = self.cells[flag].value.clone();
            cond = Some(match cond {
                None => f,
                Some(c) => self.let_op("exit", Ty::Bool, Op::Binary(BinOp::Or, c, f), span),
            });
        }
        let Some(cond) = cond else {
            return self.lower_block_stmts(rest, tail_returns);
        };
        let go_on = self.let_op("go_on", Ty::Bool, Op::Unary(UnOp::Not, cond), span);
        self.lower_if_with(
            go_on,
            |lw| {
                lw.scopes.push(HashMap::new());
                let v = lw.lower_block_stmts(rest, tail_returns);
                lw.scopes.pop();
                v
            },
            |_| None,
            span,
        )
    }

    fn may_exit(&self, stmt: &SynStmt) -> bool {
        let mut finder = ExitFinder {
            loop_depth: 0,
            found: false,
            watch_loop_exits: !self.loops.is_empty(),
        };
        finder.visit_stmt(stmt);
        finder.found
    }

    fn lower_stmt(&mut self, stmt: &SynStmt) {
        match stmt {
            SynStmt::Local(local) => self.lower_let(local),
            SynStmt::Expr(expr, _) => {
                let value = self.lower_expr(expr);
                drop(value);
            }
            SynStmt::Item(item) => self.errors.on(
                item,
                "#[grad] does not support items (fn, const, use, ...) inside the function body: move it outside the function",
            ),
            SynStmt::Macro(m) => self.reject_macro(&m.mac),
        }
    }

    fn reject_macro(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        self.errors.on(
            mac,
            format!(
                "#[grad] does not support the macro `{name}!` in a differentiated function: the only macro allowed is `vec![0.0; n]`; move printing and checks to the caller"
            ),
        );
    }

    fn lower_let(&mut self, local: &syn::Local) {
        let Some(init) = &local.init else {
            self.errors.on(
                local,
                "#[grad] needs every `let` to have a value (`let x = ...;`): declare the variable where its first value is known, or start it at `0.0` and assign later",
            );
            self.poison(&local.pat);
            return;
        };
        if let Some((_, diverge)) = &init.diverge {
            self.errors
                .on(diverge, "#[grad] does not support `let ... else`");
            return;
        }
        let (pat, annotated) = match &local.pat {
            Pat::Type(pt) => (&*pt.pat, Some(&*pt.ty)),
            other => (other, None),
        };
        // A local array: `[0.0; N]`, `[[0.0; M]; N]`, `vec![0.0; n]`.
        match self.try_local_array(pat, &init.expr) {
            LocalArray::No => {}
            LocalArray::Declared(array) => {
                if let Pat::Ident(pi) = pat {
                    self.bind(pi.ident.to_string(), Binding::Array(array));
                }
                return;
            }
            LocalArray::Failed => {
                self.poison(pat);
                return;
            }
        }
        let mut value = self.lower_expr(&init.expr);
        if let (Some(ty), Value::Scalar(op)) = (annotated, &value) {
            // `let k: usize = argmax(&p);` makes a call's result data, not a derivative.
            let declared = type_kind(ty, self.sig);
            if declared != Ty::Unknown && self.ty(op) != declared {
                if let Operand::Var(v) = op {
                    self.vars[v.0].ty = declared;
                } else {
                    let typed = self.let_op("t", declared, Op::Copy(op.clone()), local.span());
                    value = Value::Scalar(typed);
                }
            }
        }
        self.bind_pattern(pat, value);
    }

    fn bind_pattern(&mut self, pat: &Pat, value: Value) {
        match (pat, value) {
            (pat, Value::Error) => self.poison(pat),
            (Pat::Ident(pi), Value::Scalar(op)) if pi.subpat.is_none() => {
                let name = pi.ident.to_string();
                let ty = self.ty(&op);
                // Name the value after the user's variable when it is a fresh temporary.
                if let Operand::Var(v) = &op {
                    if is_temp_name(&self.vars[v.0].name) {
                        self.vars[v.0].name = self.user_name(&name);
                    }
                }
                let binding = self.new_cell(&name, op, ty, pi.mutability.is_some());
                self.bind(name, binding);
            }
                        (Pat::Ident(pi), Value::Array(_) | Value::Row { .. }) if pi.mutability.is_some() => {
                self.errors.on(
                    pi,
                    "#[grad] does not copy whole arrays (`let mut a = *w;`): declare a local array (`let mut a = [0.0; N];` or `vec![0.0; n]`) and fill it in a loop",
                );
                self.poison(pat);
            }
            (Pat::Ident(pi), Value::Array(a)) => self.bind(pi.ident.to_string(), Binding::Array(a)),
            (Pat::Ident(pi), Value::Row { array, index }) => {
                self.bind(pi.ident.to_string(), Binding::Row { array, index })
            }
            (Pat::Wild(_), _) => {}
            (Pat::Tuple(pt), Value::Tuple(values)) if pt.elems.len() == values.len() => {
                for (p, v) in pt.elems.iter().zip(values) {
                    self.bind_pattern(p, v);
                }
            }
            (Pat::Reference(pr), v @ Value::Scalar(_)) => self.bind_pattern(&pr.pat, v),
            (Pat::Paren(pp), v) => self.bind_pattern(&pp.pat, v),
            (pat, _) => self.errors.on(
                pat,
                "#[grad] supports `let` patterns that are names or tuples of names matching the value",
            ),
        }
    }

    /// Binds every name in `pat` to an already-reported error.
    fn poison(&mut self, pat: &Pat) {
        struct Names(Vec<String>);
        impl<'ast> Visit<'ast> for Names {
            fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
                self.0.push(p.ident.to_string());
            }
        }
        let mut names = Names(Vec::new());
        names.visit_pat(pat);
        for name in names.0 {
            self.bind(name, Binding::Poisoned);
        }
    }

    fn try_local_array(&mut self, pat: &Pat, init: &Expr) -> LocalArray {
        let (fill, fixed_lens, vec_len) = match init {
            Expr::Repeat(r) => {
                let (fill, mut lens) = repeat_parts(&r.expr);
                lens.insert(0, (*r.len).clone());
                (fill, lens, None)
            }
            Expr::Macro(m) if m.mac.path.is_ident("vec") => {
                let tokens = &m.mac.tokens;
                let Ok(Expr::Repeat(r)) = syn::parse2::<Expr>(quote!([#tokens])) else {
                    self.errors.on(
                        m,
                        "#[grad] supports `vec!` only in the form `vec![0.0; n]` (a local buffer filled by index)",
                    );
                    return LocalArray::Failed;
                };
                let (fill, lens) = repeat_parts(&r.expr);
                let len = self.expr_scalar(&r.len);
                (fill, lens, Some(len))
            }
            _ => return LocalArray::No,
        };
        let Pat::Ident(pi) = pat else {
            self.errors
                .on(pat, "#[grad] needs a local array to be bound to a name");
            return LocalArray::Failed;
        };
        let fill = self.expr_scalar(&fill);
        let elem = if self.ty(&fill) == Ty::Float || matches!(fill, Operand::Const(_)) {
            Elem::Float
        } else {
            Elem::Other
        };
        let id = ArrayId(self.arrays.len());
        let name = self.unique_name(&pi.ident.to_string());
        self.arrays.push(ArrayInfo {
            name,
            written: pi.ident.to_string(),
            elem,
            dims: fixed_lens.len() + usize::from(vec_len.is_some()),
            origin: ArrayOrigin::Local,
            span: pi.ident.span(),
        });
        if self.arrays[id.0].dims > 2 {
            self.errors.on(
                init,
                "#[grad] supports local arrays of one or two dimensions",
            );
        }
        self.emit(Stmt::DeclareArray {
            array: id,
            fill,
            fixed_lens,
            vec_len,
        });
        LocalArray::Declared(id)
    }

    // ----- expressions -----------------------------------------------------------------------

    fn lower_expr(&mut self, expr: &Expr) -> Value {
        match expr {
            Expr::Lit(l) => Value::Scalar(Operand::Lit(l.lit.clone())),
            Expr::Paren(p) => self.lower_expr(&p.expr),
            Expr::Group(g) => self.lower_expr(&g.expr),
            Expr::Path(p) => self.lower_path(p),
            Expr::Unary(u) => self.lower_unary(u),
            Expr::Binary(b) => self.lower_binary(b),
            Expr::Assign(a) => {
                self.lower_assign(&a.left, None, &a.right, expr.span());
                Value::Unit
            }
            Expr::Cast(c) => self.lower_cast(c),
            Expr::MethodCall(m) => self.lower_method(m),
            Expr::Call(c) => self.lower_call(c),
            Expr::Index(i) => self.lower_index(i),
            Expr::If(i) => self
                .lower_if(i)
                .unwrap_or(Value::Unit),
            Expr::Block(b) if b.label.is_none() => self.lower_scoped(&b.block),
            Expr::Match(m) => self.lower_match(m),
            Expr::Tuple(t) => {
                if t.elems.is_empty() {
                    return Value::Unit;
                }
                Value::Tuple(t.elems.iter().map(|e| self.lower_expr(e)).collect())
            }
            Expr::ForLoop(f) => {
                self.lower_for(f);
                Value::Unit
            }
            Expr::While(w) => {
                self.lower_while(w);
                Value::Unit
            }
                        Expr::Loop(l) => {
                self.lower_loop(l);
                // `let z = loop { break v; }` was reported at the `break`.
                if scan_loop(&l.body).break_values {
                    Value::Error
                } else {
                    Value::Unit
                }
            }
            Expr::Return(r) => {
                self.lower_return(r);
                Value::Unit
            }
            Expr::Break(b) => {
                self.lower_break(b);
                Value::Unit
            }
            Expr::Continue(c) => {
                self.lower_continue(c);
                Value::Unit
            }
            Expr::Reference(r) => {
                let v = self.lower_expr(&r.expr);
                match v {
                                        Value::Array(_) | Value::Row { .. } | Value::Error => v,
                    _ => {
                        self.errors.on(
                            r,
                            "#[grad] supports `&` only on arrays passed to a function (`f(&w)`)",
                        );
                        v
                    }
                }
            }
            Expr::Closure(c) => self.unsupported(
                c,
                "closures are not supported in a #[grad] function: write the closure's body as a separate #[grad] function and call it",
            ),
            Expr::Unsafe(u) => self.unsupported(
                u,
                "`unsafe` blocks are not supported in a #[grad] function: differentiation needs plain arithmetic it can see",
            ),
            Expr::Macro(m) => {
                self.reject_macro(&m.mac);
                Value::Scalar(self.zero())
            }
            Expr::Field(f) => self.unsupported(
                f,
                "#[grad] does not support field access (`a.b`): pass the field as its own parameter",
            ),
            Expr::Async(a) => self.unsupported(a, "#[grad] does not support `async` blocks"),
            Expr::Await(a) => self.unsupported(a, "#[grad] does not support `.await`"),
            Expr::Try(t) => self.unsupported(
                t,
                "#[grad] does not support the `?` operator: the differentiated function returns a float",
            ),
            Expr::Range(r) => self.unsupported(
                r,
                "#[grad] supports ranges only as the iterator of a `for` loop",
            ),
            Expr::Array(a) => self.unsupported(
                a,
                "#[grad] supports local arrays written as `[0.0; N]` or `vec![0.0; n]` in a `let`; fill them by index",
            ),
                        Expr::Struct(s) => self.unsupported(
                s,
                "#[grad] does not support struct literals: compute the values as separate variables",
            ),
            Expr::Let(l) => self.unsupported(l, "#[grad] does not support `if let` / `while let`"),
            other => self.unsupported(
                other,
                "#[grad] does not support this expression in a differentiated function",
            ),
        }
    }

    fn unsupported(&mut self, tokens: impl ToTokens, message: &str) -> Value {
        self.errors.on(tokens, message);
        Value::Error
    }

    fn lower_scoped(&mut self, block: &syn::Block) -> Value {
        self.scopes.push(HashMap::new());
        let v = self.lower_block_stmts(&block.stmts, false);
        self.scopes.pop();
        v.unwrap_or(Value::Unit)
    }

    fn lower_path(&mut self, p: &syn::ExprPath) -> Value {
        if let Some(ident) = p.path.get_ident() {
            match self.lookup(&ident.to_string()) {
                Some(Binding::Scalar { cell, .. }) => {
                    return Value::Scalar(self.cells[cell].value.clone())
                }
                Some(Binding::Array(a)) => return Value::Array(a),
                Some(Binding::Row { array, index }) => return Value::Row { array, index },
                Some(Binding::Poisoned) => return Value::Error,
                Some(Binding::Opaque) | None => {}
            }
        }
        // A constant, an associated constant (`f64::EPSILON`) or an opaque parameter.
        self.constant(Expr::Path(p.clone()), &p.path, p.span())
    }

    /// A constant expression; typed as a float when its path goes through the float type
    /// (`T::zero()`, `f64::EPSILON`, `std::f64::consts::PI`), so that a variable starting at
    /// it is differentiated like one starting at `0.0`.
    fn constant(&mut self, expr: Expr, path: &syn::Path, span: Span) -> Value {
        let n = path.segments.len();
        let through_float = path
            .segments
            .iter()
            .take(n.saturating_sub(1))
            .any(|s| type_kind_path(&s.ident, self.sig) == Ty::Float);
        let constant = Operand::Const(expr);
        if through_float {
            Value::Scalar(self.let_op("t", Ty::Float, Op::Copy(constant), span))
        } else {
            Value::Scalar(constant)
        }
    }

    fn lower_unary(&mut self, u: &syn::ExprUnary) -> Value {
        let span = u.span();
        match u.op {
            SynUnOp::Deref(_) => self.lower_expr(&u.expr),
            SynUnOp::Neg(_) => {
                let x = self.expr_scalar(&u.expr);
                if let Operand::Lit(_) = x {
                    return Value::Scalar(Operand::Const(Expr::Unary(u.clone())));
                }
                Value::Scalar(if self.ty(&x) == Ty::Float {
                    self.operator("neg", vec![x], span)
                } else {
                    let ty = self.ty(&x);
                    self.let_op("t", ty, Op::Unary(UnOp::Neg, x), span)
                })
            }
            SynUnOp::Not(_) => {
                let x = self.expr_scalar(&u.expr);
                let ty = self.ty(&x);
                Value::Scalar(self.let_op("t", ty, Op::Unary(UnOp::Not, x), span))
            }
            _ => self.unsupported(u, "#[grad] does not support this unary operator"),
        }
    }

    /// An arithmetic operator on floats, from the rules table.
    fn operator(&mut self, name: &str, floats: Vec<Operand>, span: Span) -> Operand {
        match rules::operator(name) {
            Some(rule) => self.prim(rule, floats, Vec::new(), span),
            None => {
                self.errors
                    .bug(span, format!("no rule for the operator `{name}`"));
                self.zero()
            }
        }
    }

    fn prim(
        &mut self,
        rule: &'static Rule,
        floats: Vec<Operand>,
        others: Vec<Operand>,
        span: Span,
    ) -> Operand {
        self.let_op(
            "t",
            Ty::Float,
            Op::Prim {
                rule,
                floats,
                others,
            },
            span,
        )
    }

    fn lower_binary(&mut self, b: &syn::ExprBinary) -> Value {
        let span = b.span();
        if let Some(op) = compound_op(&b.op) {
            self.lower_assign(&b.left, Some(op), &b.right, span);
            return Value::Unit;
        }
        let op = match b.op {
            SynBinOp::Add(_) => BinOp::Add,
            SynBinOp::Sub(_) => BinOp::Sub,
            SynBinOp::Mul(_) => BinOp::Mul,
            SynBinOp::Div(_) => BinOp::Div,
            SynBinOp::Rem(_) => BinOp::Rem,
            SynBinOp::Eq(_) => BinOp::Eq,
            SynBinOp::Ne(_) => BinOp::Ne,
            SynBinOp::Lt(_) => BinOp::Lt,
            SynBinOp::Le(_) => BinOp::Le,
            SynBinOp::Gt(_) => BinOp::Gt,
            SynBinOp::Ge(_) => BinOp::Ge,
            SynBinOp::BitAnd(_) => BinOp::BitAnd,
            SynBinOp::BitOr(_) => BinOp::BitOr,
            SynBinOp::BitXor(_) => BinOp::BitXor,
            SynBinOp::Shl(_) => BinOp::Shl,
            SynBinOp::Shr(_) => BinOp::Shr,
            SynBinOp::And(_) | SynBinOp::Or(_) => return self.lower_short_circuit(b),
            _ => return self.unsupported(b, "#[grad] does not support this operator"),
        };
        let lhs = self.expr_scalar(&b.left);
        let rhs = self.expr_scalar(&b.right);
        Value::Scalar(self.binary(op, lhs, rhs, span))
    }

    fn binary(&mut self, op: BinOp, lhs: Operand, rhs: Operand, span: Span) -> Operand {
        let (lt, rt) = (self.ty(&lhs), self.ty(&rhs));
        if op.is_comparison() {
            return self.let_op("t", Ty::Bool, Op::Binary(op, lhs, rhs), span);
        }
        let float = lt == Ty::Float || rt == Ty::Float;
        let arithmetic = matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div);
        if float && arithmetic {
            let name = match op {
                BinOp::Add => "add",
                BinOp::Sub => "sub",
                BinOp::Mul => "mul",
                _ => "div",
            };
            return self.operator(name, vec![lhs, rhs], span);
        }
        if float {
            self.errors.at(
                span,
                "#[grad] does not support this operator on floats; supported: + - * / and comparisons",
            );
        }
        let ty = if lt == Ty::Unknown { rt } else { lt };
        self.let_op("t", ty, Op::Binary(op, lhs, rhs), span)
    }

    /// `a && b`, `a || b`: `b` is evaluated only when needed, as in Rust.
    fn lower_short_circuit(&mut self, b: &syn::ExprBinary) -> Value {
        let span = b.span();
        let is_and = matches!(b.op, SynBinOp::And(_));
        let lhs = self.expr_scalar(&b.left);
        // Lower `b` into a scratch block: when it needs no statements, it is safe to evaluate
        // eagerly.
        self.open_block(Scope::Branch);
        let cells_before: Vec<Operand> = self.cells.iter().map(|c| c.value.clone()).collect();
        let rhs = self.expr_scalar(&b.right);
        let scratch = self.close_block();
        let op = if is_and { BinOp::And } else { BinOp::Or };
        if scratch.is_empty() {
            return Value::Scalar(self.let_op("t", Ty::Bool, Op::Binary(op, lhs, rhs), span));
        }
        for (cell, value) in self.cells.iter_mut().zip(cells_before) {
            cell.value = value;
        }
        let right = &b.right;
        let value = if is_and {
            self.lower_if_with(
                lhs,
                |lw| Some(lw.lower_expr(right)),
                |_| Some(Value::Scalar(Operand::Lit(lit_bool(false)))),
                span,
            )
        } else {
            self.lower_if_with(
                lhs,
                |_| Some(Value::Scalar(Operand::Lit(lit_bool(true)))),
                |lw| Some(lw.lower_expr(right)),
                span,
            )
        };
        value.unwrap_or(Value::Unit)
    }

    fn lower_assign(&mut self, left: &Expr, op: Option<BinOp>, right: &Expr, span: Span) {
        match left {
            Expr::Path(p) if p.path.get_ident().is_some() => {
                let name = p
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                match self.lookup(&name) {
                    Some(Binding::Scalar { cell, mutable }) => {
                        if !mutable {
                            // rustc reports this on the original function.
                            return;
                        }
                        let rhs = self.expr_scalar(right);
                        let value = match op {
                            Some(op) => {
                                let current = self.cells[cell].value.clone();
                                self.binary(op, current, rhs, span)
                            }
                            None => rhs,
                        };
                        self.set_cell(cell, value);
                    }
                                        Some(Binding::Poisoned) => {}
                    Some(Binding::Array(_)) => {
                        self.errors.on(
                            left,
                            "#[grad] does not support assigning a whole array: write its elements by index",
                        );
                    }
                    _ => self.errors.on(
                        left,
                        format!("#[grad] cannot assign to `{name}` here: only local variables and local arrays can be assigned"),
                    ),
                }
            }
            Expr::Index(index) => {
                let Some((array, indices)) = self.index_target(index) else {
                    return;
                };
                if let ArrayOrigin::Param(_) = self.arrays[array.0].origin {
                    self.errors.on(
                        left,
                        format!(
                            "#[grad] cannot write into the parameter `{}`: parameters are read-only in a differentiated function; copy it into a local array (`let mut a = [0.0; N];`) first",
                            self.arrays[array.0].name
                        ),
                    );
                    return;
                }
                let rhs = self.expr_scalar(right);
                let value = match op {
                    Some(op) => {
                        let ty = if self.arrays[array.0].elem == Elem::Float {
                            Ty::Float
                        } else {
                            Ty::Int
                        };
                        let current = self.let_op(
                            "t",
                            ty,
                            Op::Load {
                                array,
                                index: indices.clone(),
                            },
                            span,
                        );
                        self.binary(op, current, rhs, span)
                    }
                    None => rhs,
                };
                self.stored(array);
                self.emit(Stmt::Store {
                    array,
                    index: indices,
                    value,
                });
            }
            Expr::Field(f) => self.errors.on(
                f,
                "#[grad] does not support assigning to a struct field: use a local variable",
            ),
            Expr::Unary(u) if matches!(u.op, SynUnOp::Deref(_)) => self.errors.on(
                u,
                "#[grad] does not support writing through a reference: use a local variable",
            ),
            other => self
                .errors
                .on(other, "#[grad] cannot assign to this expression"),
        }
    }

    fn set_cell(&mut self, cell: usize, value: Operand) {
        // Keep the user's name on the new value of a variable.
        if let Operand::Var(v) = &value {
            if is_temp_name(&self.vars[v.0].name) {
                let base = self.cells[cell].name.clone();
                self.vars[v.0].name = self.user_name(&base);
            }
        }
        // A variable that started at a constant of unknown type takes the type of what is
        // assigned to it.
        if self.cells[cell].ty == Ty::Unknown {
            self.cells[cell].ty = self.ty(&value);
        }
        self.cells[cell].value = value;
    }

    fn index_target(&mut self, index: &syn::ExprIndex) -> Option<(ArrayId, Vec<Operand>)> {
        let (base, mut indices) = match &*index.expr {
            Expr::Index(inner) => {
                let (base, idx) = self.index_target(inner)?;
                (base, idx)
            }
            other => match self.lower_expr(other) {
                Value::Array(a) => (a, Vec::new()),
                Value::Row { array, index } => (array, vec![index]),
                Value::Error => return None,
                _ => {
                    self.errors.on(
                        other,
                        "#[grad] can index only arrays, slices and Vecs of floats or integers",
                    );
                    return None;
                }
            },
        };
        if let Expr::Range(r) = &*index.index {
            self.errors.on(
                r,
                "#[grad] does not support slicing with a range: pass the whole array and index it",
            );
            return None;
        }
        let i = self.expr_scalar(&index.index);
        if self.ty(&i) == Ty::Float {
            self.errors.on(
                &index.index,
                "#[grad] cannot index with a float: indices must be integers (`i as usize` if you really mean it)",
            );
        }
        indices.push(i);
        if indices.len() > self.arrays[base.0].dims {
            self.errors.on(index, "too many indices for this array");
            return None;
        }
        Some((base, indices))
    }

    fn lower_index(&mut self, index: &syn::ExprIndex) -> Value {
        let span = index.span();
        let Some((array, indices)) = self.index_target(index) else {
            return Value::Error;
        };
        if indices.len() < self.arrays[array.0].dims {
            let Some(row) = indices.into_iter().next() else {
                return Value::Scalar(self.zero());
            };
            return Value::Row { array, index: row };
        }
        let ty = if self.arrays[array.0].elem == Elem::Float {
            Ty::Float
        } else {
            Ty::Int
        };
        Value::Scalar(self.let_op(
            "t",
            ty,
            Op::Load {
                array,
                index: indices,
            },
            span,
        ))
    }

    fn lower_cast(&mut self, c: &syn::ExprCast) -> Value {
        let x = self.expr_scalar(&c.expr);
        let target = type_kind(&c.ty, self.sig);
        if target == Ty::Float && self.ty(&x) == Ty::Float {
            // `x as f64` on a value that already is one: the identity.
            return Value::Scalar(x);
        }
        Value::Scalar(self.let_op("t", target, Op::Cast(x, (*c.ty).clone()), c.span()))
    }

    fn lower_method(&mut self, m: &syn::ExprMethodCall) -> Value {
        let span = m.span();
        let name = m.method.to_string();
        if let Some(t) = &m.turbofish {
            return self.unsupported(t, "#[grad] does not support turbofish on methods");
        }
        // `T::from(e).unwrap()`.
        if name == "unwrap" && m.args.is_empty() {
            if let Expr::Call(call) = &*m.receiver {
                if let Expr::Path(p) = &*call.func {
                    let is_from = p.path.segments.len() == 2
                        && p.path.segments[1].ident == "from"
                        && call.args.len() == 1;
                    if is_from {
                        let x = self.expr_scalar(&call.args[0]);
                        let ty = type_kind_path(&p.path.segments[0].ident, self.sig);
                        if ty == Ty::Float && self.ty(&x) == Ty::Float && x.var().is_some() {
                            return Value::Scalar(x);
                        }
                        return Value::Scalar(self.let_op(
                            "t",
                            ty,
                            Op::NumCast(p.path.clone(), x),
                            span,
                        ));
                    }
                }
            }
        }
        if matches!(
            name.as_str(),
            "iter"
                | "map"
                | "sum"
                | "fold"
                | "zip"
                | "enumerate"
                | "rev"
                | "step_by"
                | "product"
                | "filter"
                | "for_each"
                | "into_iter"
                | "iter_mut"
                | "collect"
        ) {
            return self.unsupported(
                &m.method,
                &format!("#[grad] does not support the iterator method `{name}` here: iterators are supported only as the iterator of a `for` loop (`.iter()`, `.enumerate()`, `.zip(..)`, `.rev()`, `.step_by(k)`); write a `for` loop"),
            );
        }
        let receiver = self.lower_expr(&m.receiver);
        if name == "len" && m.args.is_empty() {
            return match receiver {
                Value::Array(array) => {
                    Value::Scalar(self.let_op("len", Ty::Int, Op::Len { array, row: None }, span))
                }
                Value::Row { array, index } => Value::Scalar(self.let_op(
                    "len",
                    Ty::Int,
                    Op::Len {
                        array,
                        row: Some(index),
                    },
                    span,
                )),
                _ => self.unsupported(m, "`.len()` needs an array, slice or Vec"),
            };
        }
        if let Value::Error = receiver {
            return Value::Error;
        }
        let receiver = self.scalar(receiver, m.receiver.span());
        let args: Vec<Operand> = m.args.iter().map(|a| self.expr_scalar(a)).collect();
        let receiver_ty = self.ty(&receiver);
        if receiver_ty == Ty::Int {
            return self.int_method(m, receiver, args);
        }
        if receiver_ty == Ty::Unknown && rules::lookup(&name).is_none() {
            return self.unsupported(
                &m.method,
                &format!("#[grad] cannot call the method `{name}` here: only float methods ({}) and a few integer methods are differentiable; call a free function with `#[grad]` (or a hand-written `_adjoint`) instead", rules::method_names()),
            );
        }
        match rules::lookup(&name) {
            Some(rule) => Value::Scalar(self.apply_rule(rule, receiver, args, &m.method, span)),
            None => self.unsupported(
                &m.method,
                &format!(
                    "#[grad] has no derivative rule for the method `{name}`; supported: {}",
                    rules::method_names()
                ),
            ),
        }
    }

    fn int_method(
        &mut self,
        m: &syn::ExprMethodCall,
        receiver: Operand,
        args: Vec<Operand>,
    ) -> Value {
        const INT_METHODS: &[&str] = &["min", "max", "abs", "pow", "saturating_sub", "rem_euclid"];
        let name = m.method.to_string();
        if !INT_METHODS.contains(&name.as_str()) {
            return self.unsupported(
                &m.method,
                &format!(
                    "#[grad] does not support the integer method `{name}`; supported: {}",
                    INT_METHODS.join(", ")
                ),
            );
        }
        Value::Scalar(self.let_op(
            "t",
            Ty::Int,
            Op::IntMethod {
                name: m.method.clone(),
                receiver,
                args,
            },
            m.span(),
        ))
    }

    fn apply_rule(
        &mut self,
        rule: &'static Rule,
        receiver: Operand,
        args: Vec<Operand>,
        name: &dyn ToTokens,
        span: Span,
    ) -> Operand {
        if args.len() + 1 != rule.floats + rule.others {
            self.errors.on(
                name,
                format!(
                    "`{}` takes {} argument(s) here",
                    rule.name,
                    rule.floats + rule.others - 1
                ),
            );
            return self.zero();
        }
        let mut floats = vec![receiver];
        let mut rest = args.into_iter();
        floats.extend(rest.by_ref().take(rule.floats - 1));
        self.prim(rule, floats, rest.collect(), span)
    }

    fn lower_call(&mut self, c: &syn::ExprCall) -> Value {
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
                    by_ref: matches!(arg, Expr::Reference(_)),
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

    // ----- control flow ---------------------------------------------------------------------

    fn lower_if(&mut self, i: &syn::ExprIf) -> Option<Value> {
        let span = i.span();
        let cond = self.expr_scalar(&i.cond);
        let then_branch = &i.then_branch;
        let else_branch = i.else_branch.as_ref().map(|(_, e)| &**e);
        self.lower_if_with(
            cond,
            |lw| Some(lw.lower_scoped(then_branch)),
            |lw| else_branch.map(|e| lw.lower_expr(e)),
            span,
        )
    }

    /// An `if` whose branches are lowered by two closures; merges cells and values with phis.
    fn lower_if_with(
        &mut self,
        cond: Operand,
        then_branch: impl FnOnce(&mut Self) -> Option<Value>,
        else_branch: impl FnOnce(&mut Self) -> Option<Value>,
        span: Span,
    ) -> Option<Value> {
        let before: Vec<Operand> = self.cells.iter().map(|c| c.value.clone()).collect();
        let n_cells = before.len();

        self.open_block(Scope::Branch);
        let then_value = then_branch(self);
        let then_stmts = self.close_block();
        let then_cells: Vec<Operand> = self.cells[..n_cells]
            .iter()
            .map(|c| c.value.clone())
            .collect();
        self.cells.truncate(n_cells);
        for (cell, value) in self.cells.iter_mut().zip(&before) {
            cell.value = value.clone();
        }

        self.open_block(Scope::Branch);
        let else_value = else_branch(self);
        let else_stmts = self.close_block();
        let else_cells: Vec<Operand> = self.cells[..n_cells]
            .iter()
            .map(|c| c.value.clone())
            .collect();
        self.cells.truncate(n_cells);

        let mut phis = Vec::new();
        for (cell, (t, e)) in then_cells.iter().zip(&else_cells).enumerate() {
            if same_operand(t, e) {
                self.cells[cell].value = t.clone();
                continue;
            }
            let ty = match self.cells[cell].ty {
                Ty::Unknown => [t, e]
                    .into_iter()
                    .map(|x| self.ty(x))
                    .find(|ty| *ty != Ty::Unknown)
                    .unwrap_or(Ty::Unknown),
                ty => ty,
            };
            self.cells[cell].ty = ty;
            let name = self.cells[cell].name.clone();
            let var = self.new_var(&name, ty, span);
            phis.push(Phi {
                var,
                then_value: t.clone(),
                else_value: e.clone(),
            });
            self.cells[cell].value = Operand::Var(var);
        }
        let value = match (then_value, else_value) {
            (Some(t), Some(e)) => Some(self.merge_values(t, e, &mut phis, span)),
            (Some(Value::Unit), None) | (None, _) => None,
            (Some(t), None) => {
                // A guard's value: the else branch never produces the function's result.
                let e = self.dummy_like(&t);
                Some(self.merge_values(t, e, &mut phis, span))
            }
        };
        self.emit(Stmt::If {
            cond,
            then_block: Block { stmts: then_stmts },
            else_block: Block { stmts: else_stmts },
            phis,
        });
        value
    }

    fn dummy_like(&self, v: &Value) -> Value {
        match v {
            Value::Scalar(op) => Value::Scalar(self.dummy(self.ty(op))),
            Value::Tuple(vs) => Value::Tuple(vs.iter().map(|v| self.dummy_like(v)).collect()),
            other => other.clone(),
        }
    }

    fn merge_values(&mut self, t: Value, e: Value, phis: &mut Vec<Phi>, span: Span) -> Value {
        match (t, e) {
            (Value::Scalar(a), Value::Scalar(b)) => {
                if same_operand(&a, &b) {
                    return Value::Scalar(a);
                }
                let ty = match (self.ty(&a), self.ty(&b)) {
                    (Ty::Unknown, t) | (t, _) => t,
                };
                let var = self.new_var("t", ty, span);
                phis.push(Phi {
                    var,
                    then_value: a,
                    else_value: b,
                });
                Value::Scalar(Operand::Var(var))
            }
            (Value::Tuple(a), Value::Tuple(b)) if a.len() == b.len() => Value::Tuple(
                a.into_iter()
                    .zip(b)
                    .map(|(x, y)| self.merge_values(x, y, phis, span))
                    .collect(),
            ),
            (Value::Unit, Value::Unit) => Value::Unit,
            _ => {
                self.errors.at(
                    span,
                    "#[grad] needs both branches of an `if`/`match` to produce the same kind of value (a number or a tuple of numbers)",
                );
                Value::Unit
            }
        }
    }

    fn lower_match(&mut self, m: &syn::ExprMatch) -> Value {
        let scrutinee = self.expr_scalar(&m.expr);
        self.lower_arms(&scrutinee, &m.arms, m.span())
            .unwrap_or(Value::Unit)
    }

    /// `match` as a chain of `if`s on the arms' patterns.
    fn lower_arms(&mut self, scrutinee: &Operand, arms: &[syn::Arm], span: Span) -> Option<Value> {
        let (arm, rest) = arms.split_first()?;
        let cond = self.pattern_condition(scrutinee, &arm.pat);
        if let Some((_, guard)) = &arm.guard {
            self.errors.on(
                guard,
                "#[grad] does not support match guards: use an `if` inside the arm",
            );
        }
        let body = &arm.body;
        match cond {
            None => Some(self.lower_expr(body)),
            Some(cond) => self.lower_if_with(
                cond,
                |lw| Some(lw.lower_expr(body)),
                |lw| lw.lower_arms(scrutinee, rest, span),
                span,
            ),
        }
    }

    /// The condition under which `pat` matches, `None` for `_`.
    fn pattern_condition(&mut self, scrutinee: &Operand, pat: &Pat) -> Option<Operand> {
        let span = pat.span();
        match pat {
            Pat::Wild(_) => None,
            Pat::Lit(l) => Some(self.let_op(
                "t",
                Ty::Bool,
                Op::Binary(BinOp::Eq, scrutinee.clone(), Operand::Lit(l.lit.clone())),
                span,
            )),
            Pat::Path(p) => Some(self.let_op(
                "t",
                Ty::Bool,
                Op::Binary(
                    BinOp::Eq,
                    scrutinee.clone(),
                    Operand::Const(Expr::Path(p.clone())),
                ),
                span,
            )),
            Pat::Or(o) => {
                let mut acc: Option<Operand> = None;
                for case in &o.cases {
                    let c = self.pattern_condition(scrutinee, case)?;
                    acc = Some(match acc {
                        None => c,
                        Some(a) => self.let_op("t", Ty::Bool, Op::Binary(BinOp::Or, a, c), span),
                    });
                }
                acc
            }
            Pat::Range(r) => {
                let lo = r.start.as_ref().map(|s| self.expr_scalar(s));
                let hi = r.end.as_ref().map(|e| self.expr_scalar(e));
                let inclusive = matches!(r.limits, syn::RangeLimits::Closed(_));
                let mut conds = Vec::new();
                if let Some(lo) = lo {
                    conds.push(self.let_op(
                        "t",
                        Ty::Bool,
                        Op::Binary(BinOp::Ge, scrutinee.clone(), lo),
                        span,
                    ));
                }
                if let Some(hi) = hi {
                    let op = if inclusive { BinOp::Le } else { BinOp::Lt };
                    conds.push(self.let_op(
                        "t",
                        Ty::Bool,
                        Op::Binary(op, scrutinee.clone(), hi),
                        span,
                    ));
                }
                let mut it = conds.into_iter();
                let first = it.next()?;
                Some(it.fold(first, |a, c| {
                    self.let_op("t", Ty::Bool, Op::Binary(BinOp::And, a, c), span)
                }))
            }
            Pat::Ident(pi) if pi.subpat.is_none() => {
                // A binding arm: matches everything, binds the scrutinee.
                let ty = self.ty(scrutinee);
                let binding = self.new_cell(&pi.ident.to_string(), scrutinee.clone(), ty, false);
                self.bind(pi.ident.to_string(), binding);
                None
            }
            other => {
                self.errors.on(
                    other,
                    "#[grad] supports `match` on integers and bools with literal, range, `|` and `_` patterns",
                );
                None
            }
        }
    }

    fn lower_return(&mut self, r: &syn::ExprReturn) {
        let Some(e) = &r.expr else {
            self.errors
                .on(r, "#[grad] needs `return` to return the float result");
            return;
        };
        let value = self.lower_expr(e);
        self.assign_return(value, r.span());
    }

    fn assign_return(&mut self, value: Value, span: Span) {
        let Some((flag, slot)) = self.ret else {
            self.errors.bug(span, "return without a return slot");
            return;
        };
        let value = self.scalar(value, span);
        self.cells[slot].value = value;
        self.cells[flag].value = Operand::Lit(lit_bool(true));
        // `return` leaves every loop.
        let all_loops: Vec<usize> = self.loops.iter().filter_map(|l| l.brk).collect();
        for cell in all_loops {
            self.cells[cell].value = Operand::Lit(lit_bool(true));
        }
    }

    fn lower_break(&mut self, b: &syn::ExprBreak) {
        if b.label.is_some() {
            // The loop's label is reported where it is declared.
            return;
        }
        if let Some(e) = &b.expr {
            self.errors.on(
                e,
                "#[grad] does not support `break` with a value: assign the value to a variable declared before the loop, then `break`",
            );
            return;
        }
        match self.loops.last().and_then(|l| l.brk) {
            Some(cell) => self.cells[cell].value = Operand::Lit(lit_bool(true)),
            None => self.errors.bug(b.span(), "break outside a loop"),
        }
    }

    fn lower_continue(&mut self, c: &syn::ExprContinue) {
        if c.label.is_some() {
            // The loop's label is reported where it is declared.
            return;
        }
        match self.loops.last().and_then(|l| l.cont) {
            Some(cell) => self.cells[cell].value = Operand::Lit(lit_bool(true)),
            None => self.errors.bug(c.span(), "continue outside a loop"),
        }
    }

    fn lower_for(&mut self, f: &syn::ExprForLoop) {
        if let Some(label) = &f.label {
            self.errors.on(label, LABEL_MESSAGE);
        }
        let span = f.span();
        let Some(iter) = self.lower_iterator(&f.expr) else {
            return;
        };
        let pat = &*f.pat;
        self.lower_loop_common(
            &f.body,
            span,
            |lw| {
                let counter = lw.new_var("t", Ty::Int, span);
                (
                    LoopKind::Counted {
                        counter,
                        range: iter.range.clone(),
                    },
                    Some(counter),
                )
            },
            |lw, counter| {
                if let Some(counter) = counter {
                    lw.bind_loop_pattern(pat, &iter.item, &Operand::Var(counter));
                }
            },
        );
    }

    fn lower_while(&mut self, w: &syn::ExprWhile) {
        if let Some(label) = &w.label {
            self.errors.on(label, LABEL_MESSAGE);
        }
        let span = w.span();
        let cond_expr = &*w.cond;
        self.lower_loop_common(
            &w.body,
            span,
            |lw| {
                lw.open_block(Scope::Loop);
                let cond = lw.expr_scalar(cond_expr);
                let header = Block {
                    stmts: lw.close_block(),
                };
                (LoopKind::While { header, cond }, None)
            },
            |_, _| {},
        );
    }

    fn lower_loop(&mut self, l: &syn::ExprLoop) {
        if let Some(label) = &l.label {
            self.errors.on(label, LABEL_MESSAGE);
        }
        let span = l.span();
        self.lower_loop_common(
            &l.body,
            span,
            |_| {
                let header = Block::default();
                let cond = Operand::Lit(lit_bool(true));
                (LoopKind::While { header, cond }, None)
            },
            |_, _| {},
        );
    }

    /// The shared part of `for`, `while` and `loop`: carried cells, flags, body, exit.
    fn lower_loop_common(
        &mut self,
        body: &syn::Block,
        span: Span,
        kind: impl FnOnce(&mut Self) -> (LoopKind, Option<Var>),
        bind: impl Fn(&mut Self, Option<Var>),
    ) {
        let scan = scan_loop(body);
        let brk = scan.breaks.then(|| {
            let b = self.new_cell("broke", Operand::Lit(lit_bool(false)), Ty::Bool, true);
            cell_of(&b)
        });
        // Cells the body may change: carried from one iteration to the next.
        let mut carried_cells: Vec<usize> = scan
            .assigned
            .iter()
            .filter_map(|name| match self.lookup(name) {
                Some(Binding::Scalar {
                    cell,
                    mutable: true,
                }) => Some(cell),
                _ => None,
            })
            .collect();
        if scan.returns {
            if let Some((flag, slot)) = self.ret {
                carried_cells.extend([flag, slot]);
            }
            // A return also breaks out of enclosing loops.
            carried_cells.extend(self.loops.iter().filter_map(|l| l.brk));
        }
        carried_cells.extend(brk);
        carried_cells.sort_unstable();
        carried_cells.dedup();

        let mut carried = Vec::new();
        for &cell in &carried_cells {
            let init = self.cells[cell].value.clone();
            let ty = self.cells[cell].ty;
            let name = self.cells[cell].name.clone();
            let inner = self.new_var(&name, ty, span);
            self.cells[cell].value = Operand::Var(inner);
            carried.push((cell, inner, init));
        }
        let (kind, counter) = kind(self);

        // A carried variable that started at a constant of unknown type learns its type only
        // from what the body assigns; the body is then lowered again with the type known, so
        // that its arithmetic is differentiated from the first iteration on.
        let snapshot: Vec<(Operand, Ty)> =
            self.cells.iter().map(|c| (c.value.clone(), c.ty)).collect();
        let (n_vars, n_arrays, n_errors) = (self.vars.len(), self.arrays.len(), self.errors.len());
        let mut retried = false;
        let (body_stmts, exit, cont) = loop {
            let lowered = self.lower_loop_body(body, span, &scan, brk, counter, &bind);
            let learned: Vec<(Var, Ty)> = carried
                .iter()
                .filter(|(_, inner, _)| self.vars[inner.0].ty == Ty::Unknown)
                .map(|(cell, inner, _)| (*inner, self.ty(&self.cells[*cell].value)))
                .filter(|(_, ty)| *ty != Ty::Unknown)
                .collect();
            if learned.is_empty() || retried {
                break lowered;
            }
            retried = true;
            self.cells.truncate(snapshot.len());
            for (cell, (value, ty)) in self.cells.iter_mut().zip(&snapshot) {
                cell.value = value.clone();
                cell.ty = *ty;
            }
            self.vars.truncate(n_vars);
            self.arrays.truncate(n_arrays);
            self.errors.truncate(n_errors);
            for (inner, ty) in learned {
                self.vars[inner.0].ty = ty;
            }
        };
        if let Some(c) = cont {
            self.cells.truncate(c);
        }

        let mut out_carried = Vec::new();
        for (cell, inner, init) in carried {
            let next = self.cells[cell].value.clone();
            if self.vars[inner.0].ty == Ty::Unknown {
                self.vars[inner.0].ty = self.ty(&next);
            }
            let ty = self.vars[inner.0].ty;
            self.cells[cell].ty = ty;
            let name = self.cells[cell].name.clone();
            let out = self.new_var(&name, ty, span);
            self.cells[cell].value = Operand::Var(out);
            out_carried.push(Carried {
                inner,
                init,
                next,
                out,
            });
        }
        let counted = matches!(kind, LoopKind::Counted { .. });
        let trips = (!counted || exit.is_some()).then(|| self.new_var("trips", Ty::Int, span));
        self.emit(Stmt::Loop(Box::new(Loop {
            kind,
            carried: out_carried,
            body: Block { stmts: body_stmts },
            exit,
            trips,
            span,
        })));
    }

    /// One lowering of a loop body: its statements, the exit flag, the `continue` cell.
    #[allow(clippy::too_many_arguments)]
    fn lower_loop_body(
        &mut self,
        body: &syn::Block,
        span: Span,
        scan: &LoopScan,
        brk: Option<usize>,
        counter: Option<Var>,
        bind: &impl Fn(&mut Self, Option<Var>),
    ) -> (Vec<Stmt>, Option<Operand>, Option<usize>) {
        self.open_block(Scope::Loop);
        self.scopes.push(HashMap::new());
        let cont = scan.continues.then(|| {
            let c = self.new_cell("skip", Operand::Lit(lit_bool(false)), Ty::Bool, true);
            cell_of(&c)
        });
        self.loops.push(LoopFlags { brk, cont });
        bind(self, counter);
        let tail = self.lower_block_stmts(&body.stmts, false);
        drop(tail);
        self.loops.pop();
        // The loop ends after this iteration when a break or return flag is set.
        let mut exit: Option<Operand> = None;
        let mut exit_cells: Vec<usize> = brk.into_iter().collect();
        if scan.returns {
            exit_cells.extend(self.ret.map(|(flag, _)| flag));
        }
        for cell in exit_cells {
            let f = self.cells[cell].value.clone();
            exit = Some(match exit {
                None => f,
                Some(e) => self.let_op("exit", Ty::Bool, Op::Binary(BinOp::Or, e, f), span),
            });
        }
        self.scopes.pop();
        (self.close_block(), exit, cont)
    }

    fn bind_loop_pattern(&mut self, pat: &Pat, item: &Item, counter: &Operand) {
        let value = self.item_value(item, counter, pat.span());
        self.bind_pattern(pat, value);
    }

    /// What one iteration binds: the counter, an element (a row of a matrix), or a pair.
    fn item_value(&mut self, item: &Item, counter: &Operand, span: Span) -> Value {
        match item {
            Item::Counter => Value::Scalar(counter.clone()),
            Item::Element(array) if self.arrays[array.0].dims == 2 => Value::Row {
                array: *array,
                index: counter.clone(),
            },
            Item::Element(array) => {
                let ty = if self.arrays[array.0].elem == Elem::Float {
                    Ty::Float
                } else {
                    Ty::Int
                };
                let index = vec![counter.clone()];
                Value::Scalar(self.let_op(
                    "t",
                    ty,
                    Op::Load {
                        array: *array,
                        index,
                    },
                    span,
                ))
            }
            Item::Pair(a, b) => Value::Tuple(vec![
                self.item_value(a, counter, span),
                self.item_value(b, counter, span),
            ]),
        }
    }

    /// The iterator of a `for` loop as a counted range plus what each iteration binds.
    fn lower_iterator(&mut self, expr: &Expr) -> Option<LoopIter> {
        let mut adaptors = Vec::new();
        let mut e = expr;
        // Peel `.rev()` / `.step_by(k)` off a range.
        loop {
            match e {
                Expr::MethodCall(m) if m.method == "rev" && m.args.is_empty() => {
                    adaptors.push(MaybeAdaptor::Rev);
                    e = &m.receiver;
                }
                Expr::MethodCall(m) if m.method == "step_by" && m.args.len() == 1 => {
                    adaptors.push(MaybeAdaptor::StepBy(&m.args[0]));
                    e = &m.receiver;
                }
                Expr::Paren(p) => e = &p.expr,
                _ => break,
            }
        }
        adaptors.reverse();
        if let Expr::Range(r) = e {
            let (Some(start), Some(end)) = (&r.start, &r.end) else {
                self.errors
                    .on(r, "#[grad] needs `for` ranges with both bounds (`a..b`)");
                return None;
            };
            let start = self.expr_scalar(start);
            let end = self.expr_scalar(end);
            let adaptors = adaptors
                .into_iter()
                .map(|a| match a {
                    MaybeAdaptor::Rev => Adaptor::Rev,
                    MaybeAdaptor::StepBy(k) => Adaptor::StepBy(self.expr_scalar(k)),
                })
                .collect();
            return Some(LoopIter {
                range: CountedRange {
                    start,
                    end,
                    inclusive: matches!(r.limits, syn::RangeLimits::Closed(_)),
                    adaptors,
                },
                item: Item::Counter,
            });
        }
        if adaptors
            .iter()
            .any(|a| matches!(a, MaybeAdaptor::StepBy(_)))
        {
            self.errors
                .on(expr, "#[grad] supports `.step_by(k)` on ranges only");
            return None;
        }
        let rev = adaptors.len() % 2 == 1;
        let item = self.lower_array_iter(e)?;
        let arrays = item.arrays();
        let span = expr.span();
        let mut end: Option<Operand> = None;
        for array in arrays {
            let len = self.let_op("len", Ty::Int, Op::Len { array, row: None }, span);
            end = Some(match end {
                None => len,
                Some(e) => self.let_op(
                    "len",
                    Ty::Int,
                    Op::IntMethod {
                        name: syn::Ident::new("min", span),
                        receiver: e,
                        args: vec![len],
                    },
                    span,
                ),
            });
        }
        let end = end?;
        Some(LoopIter {
            range: CountedRange {
                start: Operand::Lit(lit_int(0)),
                end,
                inclusive: false,
                adaptors: if rev { vec![Adaptor::Rev] } else { Vec::new() },
            },
            item,
        })
    }

    /// `x.iter()`, `x`, `&x`, `.enumerate()`, `.zip(..)`.
    fn lower_array_iter(&mut self, expr: &Expr) -> Option<Item> {
        match expr {
            Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => {
                self.lower_array_iter(&m.receiver)
            }
            Expr::MethodCall(m) if m.method == "enumerate" && m.args.is_empty() => {
                let inner = self.lower_array_iter(&m.receiver)?;
                Some(Item::Pair(Box::new(Item::Counter), Box::new(inner)))
            }
            Expr::MethodCall(m) if m.method == "zip" && m.args.len() == 1 => {
                let a = self.lower_array_iter(&m.receiver)?;
                let b = self.lower_array_iter(&m.args[0])?;
                Some(Item::Pair(Box::new(a), Box::new(b)))
            }
            Expr::Reference(r) => self.lower_array_iter(&r.expr),
            Expr::Paren(p) => self.lower_array_iter(&p.expr),
            Expr::Path(_) => match self.lower_expr(expr) {
                Value::Array(a) => Some(Item::Element(a)),
                _ => {
                    self.errors.on(
                        expr,
                        "#[grad] can iterate over arrays, slices and Vecs only",
                    );
                    None
                }
            },
            other => {
                self.errors.on(
                    other,
                    "#[grad] supports `for` over `a..b`, `a..=b` (with `.rev()`, `.step_by(k)`) and over arrays with `.iter()`, `.enumerate()`, `.zip(..)`",
                );
                None
            }
        }
    }
}

/// What a block may reuse instead of computing again.
#[derive(Default)]
struct Cse {
    /// Pure ops by key.
    pure: HashMap<String, Var>,
    /// Array reads by key, with the array read.
    loads: HashMap<String, (ArrayId, Var)>,
    /// Arrays written in this block.
    stored: HashSet<ArrayId>,
}

#[derive(Clone, Copy)]
enum Scope {
    /// Runs at most once where it is opened: an `if` branch.
    Branch,
    /// Runs any number of times: a loop body or header.
    Loop,
}

/// A key identifying `op` among pure ops (with the array, for a read), or `None` for ops
/// that must not be merged (calls, copies).
fn cse_key(op: &Op) -> Option<(String, Option<ArrayId>)> {
    let o = |x: &Operand| match x {
        Operand::Var(v) => format!("v{}", v.0),
        Operand::Lit(l) => l.to_token_stream().to_string(),
        Operand::Const(e) => e.to_token_stream().to_string(),
    };
    let list = |xs: &[Operand]| xs.iter().map(o).collect::<Vec<_>>().join(",");
    Some(match op {
        Op::Unary(u, x) => (format!("{u:?}({})", o(x)), None),
        Op::Binary(b, x, y) => (format!("{b:?}({},{})", o(x), o(y)), None),
        Op::Cast(x, ty) => (format!("cast({},{})", o(x), ty.to_token_stream()), None),
        Op::NumCast(p, x) => (format!("numcast({},{})", o(x), p.to_token_stream()), None),
        Op::Prim {
            rule,
            floats,
            others,
        } => (
            format!("{}({};{})", rule.name, list(floats), list(others)),
            None,
        ),
        Op::IntMethod {
            name,
            receiver,
            args,
        } => (format!("{name}({};{})", o(receiver), list(args)), None),
        Op::Len { array, row } => (
            format!(
                "len{}({})",
                array.0,
                row.as_ref().map(o).unwrap_or_default()
            ),
            None,
        ),
        Op::Load { array, index } => (format!("load{}[{}]", array.0, list(index)), Some(*array)),
        Op::Copy(_) | Op::Call { .. } => return None,
    })
}

const LABEL_MESSAGE: &str = "#[grad] does not support loop labels: leave an outer loop with a flag variable the inner loop sets before its plain `break`";

enum LocalArray {
    /// The `let` is not a local array.
    No,
    Declared(ArrayId),
    /// A malformed one, already reported.
    Failed,
}

enum MaybeAdaptor<'e> {
    Rev,
    StepBy(&'e Expr),
}

/// What one iteration of an array loop binds.
#[derive(Clone)]
enum Item {
    Counter,
    Element(ArrayId),
    Pair(Box<Item>, Box<Item>),
}

impl Item {
    fn arrays(&self) -> Vec<ArrayId> {
        match self {
            Item::Counter => Vec::new(),
            Item::Element(a) => vec![*a],
            Item::Pair(a, b) => {
                let mut v = a.arrays();
                v.extend(b.arrays());
                v
            }
        }
    }
}

struct LoopIter {
    range: CountedRange,
    item: Item,
}

fn repeat_parts(expr: &Expr) -> (Expr, Vec<Expr>) {
    match expr {
        Expr::Repeat(inner) => {
            let (fill, mut lens) = repeat_parts(&inner.expr);
            lens.insert(0, (*inner.len).clone());
            (fill, lens)
        }
        other => (other.clone(), Vec::new()),
    }
}

fn compound_op(op: &SynBinOp) -> Option<BinOp> {
    Some(match op {
        SynBinOp::AddAssign(_) => BinOp::Add,
        SynBinOp::SubAssign(_) => BinOp::Sub,
        SynBinOp::MulAssign(_) => BinOp::Mul,
        SynBinOp::DivAssign(_) => BinOp::Div,
        SynBinOp::RemAssign(_) => BinOp::Rem,
        _ => return None,
    })
}

/// Every name the body binds with `let`, `for` or `match`.
fn user_bindings(block: &syn::Block) -> HashSet<String> {
    struct Collect(HashSet<String>);
    impl<'ast> Visit<'ast> for Collect {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut c = Collect(HashSet::new());
    c.visit_block(block);
    c.0
}

fn is_temp_name(name: &str) -> bool {
    name == "t"
        || name
            .strip_prefix("t_")
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
}

fn same_operand(a: &Operand, b: &Operand) -> bool {
    match (a, b) {
        (Operand::Var(x), Operand::Var(y)) => x == y,
        (Operand::Lit(x), Operand::Lit(y)) => {
            x.to_token_stream().to_string() == y.to_token_stream().to_string()
        }
        (Operand::Const(x), Operand::Const(y)) => {
            x.to_token_stream().to_string() == y.to_token_stream().to_string()
        }
        _ => false,
    }
}

fn type_kind(ty: &syn::Type, sig: &Signature) -> Ty {
    match ty {
        syn::Type::Path(tp) => match tp.path.get_ident() {
            Some(i) => type_kind_path(i, sig),
            None => Ty::Unknown,
        },
        _ => Ty::Unknown,
    }
}

fn type_kind_path(ident: &syn::Ident, sig: &Signature) -> Ty {
    let float = sig.float.to_token_stream().to_string();
    let name = ident.to_string();
    if name == float || name == "f64" || name == "f32" {
        Ty::Float
    } else if name == "bool" {
        Ty::Bool
    } else if [
        "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
    ]
    .contains(&name.as_str())
    {
        Ty::Int
    } else {
        Ty::Unknown
    }
}

/// What a loop body does to the loop: which names it assigns, whether it breaks, continues
/// or returns (not counting nested loops' own `break`/`continue`).
#[derive(Default)]
struct LoopScan {
    assigned: Vec<String>,
    breaks: bool,
    /// `break value`, which is rejected.
    break_values: bool,
    continues: bool,
    returns: bool,
}

fn scan_loop(body: &syn::Block) -> LoopScan {
    struct Scanner {
        scan: LoopScan,
        depth: usize,
    }
    impl<'ast> Visit<'ast> for Scanner {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            if let Expr::Path(p) = &*a.left {
                if let Some(i) = p.path.get_ident() {
                    self.scan.assigned.push(i.to_string());
                }
            }
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            if compound_op(&b.op).is_some() {
                if let Expr::Path(p) = &*b.left {
                    if let Some(i) = p.path.get_ident() {
                        self.scan.assigned.push(i.to_string());
                    }
                }
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
            if self.depth == 0 {
                self.scan.breaks = true;
                self.scan.break_values |= b.expr.is_some();
            }
            syn::visit::visit_expr_break(self, b);
        }
        fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
            if self.depth == 0 {
                self.scan.continues = true;
            }
        }
        fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
            self.scan.returns = true;
            syn::visit::visit_expr_return(self, r);
        }
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            self.depth += 1;
            syn::visit::visit_expr_for_loop(self, f);
            self.depth -= 1;
        }
        fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
            self.depth += 1;
            syn::visit::visit_expr_while(self, w);
            self.depth -= 1;
        }
        fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
            self.depth += 1;
            syn::visit::visit_expr_loop(self, l);
            self.depth -= 1;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }
    let mut s = Scanner {
        scan: LoopScan::default(),
        depth: 0,
    };
    s.visit_block(body);
    s.scan
}

/// Whether the block contains a `return` (not inside a closure).
fn contains_return(block: &syn::Block) -> bool {
    let mut f = ExitFinder {
        loop_depth: 0,
        found: false,
        watch_loop_exits: false,
    };
    f.visit_block(block);
    f.found
}

struct ExitFinder {
    loop_depth: usize,
    found: bool,
    /// Also count `break`/`continue` of the loop being lowered.
    watch_loop_exits: bool,
}

impl<'ast> Visit<'ast> for ExitFinder {
    fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
        self.found = true;
    }
    fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
        if self.watch_loop_exits && self.loop_depth == 0 {
            self.found = true;
        }
    }
    fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
        if self.watch_loop_exits && self.loop_depth == 0 {
            self.found = true;
        }
    }
    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.loop_depth += 1;
        syn::visit::visit_expr_for_loop(self, f);
        self.loop_depth -= 1;
    }
    fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
        self.loop_depth += 1;
        syn::visit::visit_expr_while(self, w);
        self.loop_depth -= 1;
    }
    fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
        self.loop_depth += 1;
        syn::visit::visit_expr_loop(self, l);
        self.loop_depth -= 1;
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
}
