//! Random programs inside the differentiable subset, drawn from the enabled families.
//!
//! The generator keeps programs valid, warning-free Rust by construction: a float whose type
//! Rust cannot know is never a method receiver, only top-level variables are reassigned (and
//! every reassignment reads its target), every top-level variable and parameter reaches the
//! result, and unread bindings are renamed `_name` by [`finalize`]. Patterns the macro gets
//! wrong today are families of their own (see `family.rs`), so the others can be tested
//! without them; for models and vector outputs, `Gen::pattern` is where they are known.
//! A struct parameter's fields are variables named by their paths (`m.w`, `m.inner.b`). Whether a program is a fair test at its inputs (domains, ties,
//! magnitudes, bounds) is the oracle's call; the harness draws again when it says no.

use crate::ast::*;
use crate::family::Family;
use oorandom::Rand64;
use std::collections::{BTreeMap, BTreeSet};

/// Draws one program; the same `(seed, index, attempt)` always gives the same program.
pub fn generate(seed: u64, index: u64, attempt: u64, on: &[Family]) -> (Program, BTreeSet<Family>) {
    let state = ((seed as u128) << 64) | ((index as u128) << 20) | attempt as u128;
    let mut g = Gen {
        rng: Rand64::new(state),
        on: on.to_vec(),
        used: BTreeSet::new(),
        prec: Prec::F64,
        scopes: Vec::new(),
        next: 0,
        helpers: Vec::new(),
        consts: Vec::new(),
        loops: Vec::new(),
        closure_body: false,
        borrowed: Vec::new(),
        structs: Vec::new(),
        ret: Ret::Float,
        inputs: 0,
        origins: BTreeMap::new(),
        exited: false,
        branches: 0,
        passed: Vec::new(),
        row_fields: Vec::new(),
        fallible: false,
        fail_kind: Fallible::Result,
        method: None,
    };
    g.used.insert(Family::Straight);
    g.prec = match g.below(4) {
        0 if g.on(Family::F32) => Prec::F32,
        1 if g.on(Family::Generic) => Prec::Generic,
        _ => Prec::F64,
    };
    match g.prec {
        Prec::F32 => g.use_family(Family::F32),
        Prec::Generic => g.use_family(Family::Generic),
        Prec::F64 => {}
    }
    if g.prec != Prec::Generic && g.on(Family::ConstTables) && g.chance(0.5) {
        let len = 3 + g.below(3);
        let values = (0..len).map(|_| g.lit_value()).collect();
        g.consts.push(ConstTable {
            name: "TABLE".to_string(),
            values,
            kind: ConstKind::Table,
            suffixed: false,
        });
    }
    if g.prec != Prec::Generic && g.on(Family::ConstSlices) && g.chance(0.8) {
        g.const_items();
    }
    if g.on(Family::Models) && g.chance(0.7) {
        g.structs();
    }
    let mut method = None;
    if g.prec != Prec::Generic && g.on(Family::Methods) && g.chance(0.7) {
        if g.structs.is_empty() {
            g.structs();
        }
        // `self` is data: `M` is a plain struct, `#[grad]` or `#[grad(x..)]`.
        let data = g.chance(0.25);
        if data {
            let m = g.model_index();
            g.structs[m].model = false;
            // A data struct's array and model fields, iterated, copied or passed on, are the
            // patterns of `data-arrays`: without it, a data `self` has scalar fields only.
            if !g.on(Family::DataArrays) {
                let fields = &mut g.structs[m].fields;
                fields.retain(|f| f.ty == FieldTy::Scalar);
                if fields.is_empty() {
                    fields.push(Field {
                        name: "a".to_string(),
                        ty: FieldTy::Scalar,
                    });
                }
            }
        }
        g.method = Some(data);
        // In a trait impl the attribute goes on the block: on a method, the generated
        // `f_grad`/`f_adjoint` would land in the trait impl, which cannot hold them.
        let trait_impl = g.chance(0.4);
        method = Some(Method {
            trait_impl,
            on_impl: trait_impl || g.chance(0.5),
        });
    }
    let fallible = if g.chance(0.5) {
        Fallible::Result
    } else {
        Fallible::Option
    };
    g.fail_kind = fallible;
    let fallible_on = g.on(Family::Fallible) && g.chance(0.7);
    // Helpers that return arrays, among the ones that return floats.
    let vectors = if g.on(Family::VectorOutputs) && g.chance(0.7) {
        1 + g.below(2)
    } else {
        0
    };
    let mut rets = vec![Ret::Float; if g.on(Family::Calls) { g.below(3) } else { 0 }];
    for _ in 0..vectors {
        let len = 2 + g.below(3);
        let ret = if g.chance(0.3) {
            Ret::Vec(len)
        } else {
            Ret::Array(len)
        };
        let at = g.below(rets.len() + 1);
        rets.insert(at, ret);
    }
    for (k, ret) in rets.into_iter().enumerate() {
        g.fallible = fallible_on && ret == Ret::Float && g.chance(0.5);
        let h = g.function(&format!("h{k}"), true, ret);
        g.helpers.push(h);
    }
    g.fallible = fallible_on && g.chance(0.8);
    let main = g.function("f", false, Ret::Float);
    if g.fallible || g.helpers.iter().any(|h| h.fallible) {
        g.use_family(Family::Fallible);
    }
    if method.is_some() {
        g.use_family(Family::Methods);
    }
    // An unused `const` is a warning.
    let uses = |f: &Function, name: &str| {
        f.body.stmts.iter().any(|s| reads_stmt(s, name)) || reads_expr(&f.body.tail, name)
    };
    g.consts
        .retain(|c| g.helpers.iter().chain([&main]).any(|f| uses(f, &c.name)));
    if !g.consts.is_empty() {
        g.use_family(Family::ConstTables);
    }
    if g.consts.iter().any(|c| c.kind != ConstKind::Table) {
        g.use_family(Family::ConstSlices);
    }
    if g.consts.iter().any(|c| c.suffixed) {
        g.use_family(Family::SuffixedLiterals);
    }
    let inputs = g.inputs_of(&main);
    let mut vjps = Vec::new();
    for h in g.helpers.clone() {
        if let Ret::Array(n) | Ret::Vec(n) = h.ret {
            vjps.push(VjpCheck {
                helper: h.name.clone(),
                inputs: g.inputs_of(&h),
                d_out: (0..n).map(|_| g.lit_value()).collect(),
            });
        }
    }
    let program = Program {
        prec: g.prec,
        structs: g.structs,
        consts: g.consts,
        helpers: g.helpers,
        main,
        inputs,
        vjps,
        method,
        fallible,
    };
    (program, g.used)
}

#[derive(Clone, Debug)]
struct Var {
    name: String,
    kind: Kind,
    /// Only top-level float variables are reassigned.
    mutable: bool,
    /// False for a float whose type Rust cannot know yet (`let mut s = 0.0;` before any
    /// assignment of a typed value): such a value must not be a method receiver.
    typed: bool,
    /// Immutable, so a closure may borrow it.
    capturable: bool,
    /// A `&F` loop binding, read as `*v`.
    by_ref: bool,
    /// Depends on a float input. Without [`Family::ConstantLocals`] every float local is.
    active: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Float,
    /// An index; `max` bounds its value (exclusive).
    Int {
        max: usize,
    },
    /// A one-dimensional float array of at least `len` elements. `reference`: the name is
    /// already a reference (pass it bare); `fixed`: a `[F; len]`, not a slice or vec.
    Arr {
        len: usize,
        reference: bool,
        fixed: bool,
        writable: bool,
    },
    Mat(usize, usize),
    Closure(usize),
    /// `Program::structs[def]`; `reference`: the name is already a reference (a parameter,
    /// passed bare), else a nested model (passed as `&m.inner`). Its fields are variables
    /// of their own, named by their paths (`m.w`, `m.inner.b`).
    Struct {
        def: usize,
        reference: bool,
    },
}

#[derive(Clone, Copy, PartialEq)]
enum LoopKind {
    For,
    /// `while` and `loop`: their counter is incremented at the end, so no `continue`.
    Counted,
}

struct Gen {
    rng: Rand64,
    on: Vec<Family>,
    used: BTreeSet<Family>,
    prec: Prec,
    scopes: Vec<Vec<Var>>,
    next: usize,
    helpers: Vec<Function>,
    consts: Vec<ConstTable>,
    loops: Vec<LoopKind>,
    /// Generating a closure body: only capturable variables, no nested control flow.
    closure_body: bool,
    /// Arrays a surrounding `for` iterates over: not writable inside it.
    borrowed: Vec<String>,
    /// Models and data structs ([`Family::Models`]).
    structs: Vec<StructDef>,
    /// What the function being generated returns: one that returns an array has no early
    /// `return` (the macro rejects them).
    ret: Ret,
    /// How many variables of the function's outer scope are parameters and their fields.
    inputs: usize,
    /// Arrays bound from a field or a call, for [`Gen::pattern`].
    origins: BTreeMap<String, Origin>,
    /// The function being generated has an early exit so far (`return`, `break`, `continue`,
    /// a `loop`): what follows may run conditionally.
    exited: bool,
    /// How many `if`/`match` arms the generator is inside.
    branches: usize,
    /// The models it has passed to calls so far (`m`, `m.inner`).
    passed: Vec<String>,
    /// The matrix fields whose rows a `for` iterates in it, for [`Family::FieldRows`].
    row_fields: Vec<String>,
    /// The function being generated is fallible ([`Family::Fallible`]).
    fallible: bool,
    /// How the program's fallible functions fail.
    fail_kind: Fallible,
    /// `f` is a method ([`Family::Methods`]); `Some(true)` when `self` is data.
    method: Option<bool>,
}

/// Where an array variable comes from.
#[derive(Clone, Copy, Debug)]
enum Origin {
    /// `let al = &m.w;`
    Alias,
    /// `let mut c = m.w;`
    FieldCopy,
    /// `let y = g(..);`, inside a loop or not, computed conditionally or not (see
    /// [`Gen::conditional`]).
    Result { in_loop: bool, conditional: bool },
}

/// How a construct reads an array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Read {
    /// `for v in x.iter()` and its forms.
    Loop,
    /// `for row in x.iter()` over a matrix.
    Rows,
    /// An iterator chain.
    Chain,
    /// `let [a, b] = x;`
    Destructure,
    /// `let mut c = *x;`
    Copy,
    /// `assert!(x.len() >= n)`
    Assert,
    /// `h(&x)`
    Pass,
    /// Inside the `vec![..]` a function returns.
    InVec,
}

const UNARY: [UnFn; 24] = [
    UnFn::Exp,
    UnFn::Ln,
    UnFn::Sin,
    UnFn::Cos,
    UnFn::Tanh,
    UnFn::Sqrt,
    UnFn::Abs,
    UnFn::Atan,
    UnFn::Sinh,
    UnFn::Cosh,
    UnFn::Asin,
    UnFn::Acos,
    UnFn::Cbrt,
    UnFn::Recip,
    UnFn::Ln1p,
    UnFn::ExpM1,
    UnFn::Log10,
    UnFn::Log2,
    UnFn::Exp2,
    UnFn::Asinh,
    UnFn::Acosh,
    UnFn::Atanh,
    UnFn::Tan,
    UnFn::Floor,
];

fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Bin(op, Box::new(a), Box::new(b))
}

impl Gen {
    fn on(&self, f: Family) -> bool {
        self.on.contains(&f)
    }

    /// Makes a local array read-only from here on.
    fn freeze(&mut self, name: &str) {
        for v in self
            .scopes
            .iter_mut()
            .flat_map(|s| s.iter_mut())
            .filter(|v| v.name == name)
        {
            if let Kind::Arr { writable, .. } = &mut v.kind {
                *writable = false;
            }
        }
    }

    /// Whether an early `return` may be drawn.
    fn returns(&mut self) -> bool {
        if self.ret != Ret::Float {
            return false;
        }
        if self.prec != Prec::Generic {
            return self.on(Family::EarlyReturn);
        }
        let on = self.on(Family::EarlyReturn) && self.on(Family::GenericReturns);
        if on {
            self.use_family(Family::GenericReturns);
        }
        on
    }

    fn use_family(&mut self, f: Family) {
        self.used.insert(f);
    }

    /// The family a read of the array `name` needs beyond the ones that drew it: the reads of
    /// fields and call results the macro gets wrong today.
    fn pattern(&self, name: &str, read: Read) -> Option<Family> {
        // A model passed whole beside its nested model (or the other way round).
        let nested = |p: &String| p != name && overlaps(p, name);
        if read == Read::Pass && self.passed.iter().any(nested) {
            return Some(Family::FieldPatterns);
        }
        match self.origins.get(name) {
            Some(&origin) => self.origin_pattern(origin, read),
            None if name.contains('.') => match read {
                Read::InVec => Some(Family::VecLiterals),
                Read::Destructure | Read::Rows => Some(Family::FieldPatterns),
                _ => None,
            },
            None => None,
        }
    }

    /// The family a read of an array bound from `origin` needs, as [`Gen::pattern`].
    fn origin_pattern(&self, origin: Origin, read: Read) -> Option<Family> {
        match (origin, read) {
            (_, Read::InVec) => Some(Family::VecLiterals),
            (Origin::Alias, Read::Rows) => Some(Family::FieldRows),
            (Origin::Alias, Read::Loop | Read::Pass) => None,
            (Origin::FieldCopy, Read::Pass) if self.conditional() => Some(Family::FieldCopies),
            (Origin::Alias, _) | (Origin::FieldCopy, Read::Pass) => Some(Family::FieldPatterns),
            (Origin::FieldCopy, _) => None,
            (Origin::Result { in_loop: true, .. }, Read::Loop | Read::Chain) => {
                Some(Family::ArrayResults)
            }
            (
                Origin::Result {
                    conditional: true, ..
                },
                Read::Pass,
            ) => Some(Family::ArrayResults),
            (Origin::Result { .. }, Read::Copy | Read::Destructure) => Some(Family::ArrayResults),
            (Origin::Result { .. }, _) => None,
        }
    }

    /// Whether code drawn now runs conditionally: in an `if`/`match` arm or after an early
    /// exit.
    fn conditional(&self) -> bool {
        self.exited || self.branches > 0
    }

    /// Whether `read` of `name` may be drawn: the family its pattern needs is on.
    fn allowed(&self, name: &str, read: Read) -> bool {
        self.pattern(name, read).is_none_or(|f| self.on(f))
    }

    /// Notes the family a drawn read needed.
    fn note(&mut self, name: &str, read: Read) {
        if let Some(f) = self.pattern(name, read) {
            self.use_family(f);
        }
    }

    fn below(&mut self, n: usize) -> usize {
        self.rng.rand_range(0..n as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.rand_float() < p
    }

    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())].clone()
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    /// A multiple of 1/8 in [-2, 2], nonzero: exact in f32 and f64.
    fn lit_value(&mut self) -> f64 {
        let k = self.below(32) as f64 - 16.0;
        if k >= 0.0 {
            (k + 1.0) / 8.0
        } else {
            k / 8.0
        }
    }

    fn lit(&mut self, v: f64) -> Expr {
        if self.prec == Prec::Generic && self.on(Family::FromF64) && self.chance(0.3) {
            self.use_family(Family::FromF64);
            return Expr::Lit(v, LitForm::FromF64);
        }
        if self.prec != Prec::Generic && self.on(Family::SuffixedLiterals) && self.chance(0.4) {
            self.use_family(Family::SuffixedLiterals);
            return Expr::Lit(v, LitForm::Suffixed(self.chance(0.5)));
        }
        Expr::Lit(v, LitForm::Plain)
    }

    fn vars(&self) -> impl Iterator<Item = &Var> {
        let closure = self.closure_body;
        // The latest binding of a name shadows the earlier ones.
        let mut seen = BTreeSet::new();
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .filter(move |v| seen.insert(v.name.clone()))
            .filter(move |v| !closure || v.capturable)
    }

    fn declare(&mut self, v: Var) {
        self.scopes.last_mut().expect("a scope").push(v);
    }

    fn float_var(name: &str, typed: bool, mutable: bool, active: bool) -> Var {
        Var {
            name: name.to_string(),
            kind: Kind::Float,
            mutable,
            typed,
            capturable: !mutable,
            by_ref: false,
            active,
        }
    }

    /// Whether the value depends on a float input (an `if` only if every branch does).
    fn active(&self, e: &Expr) -> bool {
        let block = |b: &Block| self.active(&b.tail);
        match e {
            Expr::Lit(..) | Expr::Cast(_) => false,
            Expr::Var(n) | Expr::Deref(n) | Expr::Index(n, _) | Expr::Index2(n, ..) => {
                self.active_var(n)
            }
            Expr::Neg(a) | Expr::Un(_, a, _) | Expr::Powi(a, _) => self.active(a),
            Expr::Bin(_, a, b) | Expr::Bin2(_, a, b, _) => self.active(a) || self.active(b),
            Expr::MulAdd(a, b, c) => self.active(a) || self.active(b) || self.active(c),
            Expr::If(_, a, b) => block(a) && block(b),
            Expr::Match(_, arms, d) => block(d) && arms.iter().all(|(_, b)| block(b)),
            Expr::Call(_, args) => args.iter().any(|a| match a {
                Arg::Scalar(e) | Arg::Ref(e) => self.active(e),
                Arg::Array { name, .. } | Arg::Row(name, _) => self.active_var(name),
                Arg::Int(_) => false,
            }),
            Expr::Try(call, _) => self.active(call),
            Expr::ClosureCall(_, args) | Expr::ArrayLit(args, _) => {
                args.iter().any(|a| self.active(a))
            }
            Expr::Chain(_) => true,
        }
    }

    /// Whether the variable `name` depends on a float input: a data struct's fields do not, a
    /// model's do (a `const` table is not a variable).
    fn active_var(&self, name: &str) -> bool {
        self.vars().any(|v| v.name == name && v.active)
    }

    /// `e`, plus an input-dependent term if it is a constant and constants are off.
    fn make_active(&mut self, e: Expr) -> Expr {
        if self.active(&e) {
            return e;
        }
        if self.on(Family::ConstantLocals) {
            self.use_family(Family::ConstantLocals);
            return e;
        }
        self.plus_active(e)
    }

    /// `e + leaf` with an input-dependent leaf.
    fn plus_active(&mut self, e: Expr) -> Expr {
        for _ in 0..20 {
            let leaf = self.typed_leaf();
            if self.active(&leaf) {
                return bin(BinOp::Add, e, leaf);
            }
        }
        // A parameter is always active.
        let p = self.scopes[0]
            .iter()
            .find(|v| v.active && matches!(v.kind, Kind::Float | Kind::Arr { .. } | Kind::Mat(..)));
        let leaf = match p.map(|v| (v.name.clone(), v.kind)) {
            Some((n, Kind::Float)) => Expr::Var(n),
            Some((n, Kind::Arr { .. })) => Expr::Index(n, IExpr::Lit(0)),
            Some((n, _)) => Expr::Index2(n, IExpr::Lit(0), IExpr::Lit(0)),
            None => return e,
        };
        bin(BinOp::Add, e, leaf)
    }

    fn floats(&self, typed_only: bool) -> Vec<Var> {
        let mut out: Vec<Var> = self
            .vars()
            .filter(|v| v.kind == Kind::Float && (v.typed || !typed_only))
            .cloned()
            .collect();
        for c in self.consts.iter().filter(|c| c.kind == ConstKind::Scalar) {
            out.push(Self::float_var(&c.name, true, false, false));
        }
        out
    }

    fn arrays(&self) -> Vec<(String, usize, bool, bool, bool)> {
        let mut out: Vec<_> = self
            .vars()
            .filter_map(|v| match v.kind {
                Kind::Arr {
                    len,
                    reference,
                    fixed,
                    writable,
                } if v.typed => {
                    let writable = writable && !self.borrowed.contains(&v.name);
                    Some((v.name.clone(), len, reference, fixed, writable))
                }
                _ => None,
            })
            .collect();
        for c in &self.consts {
            match c.kind {
                ConstKind::Table => out.push((c.name.clone(), c.values.len(), false, true, false)),
                ConstKind::Slice => out.push((c.name.clone(), c.values.len(), true, false, false)),
                ConstKind::Scalar | ConstKind::Size => {}
            }
        }
        out
    }

    /// Arrays to iterate over by `read` (a loop or a chain): a matrix row bound by `for row
    /// in w.iter()` only with [`Family::RowBindings`].
    fn iterables(&mut self, read: Read) -> Vec<(String, usize, bool, bool, bool)> {
        let rows = self.on(Family::RowBindings);
        let all: Vec<_> = self
            .arrays()
            .into_iter()
            .filter(|a| self.allowed(&a.0, read))
            .collect();
        let (row, other): (Vec<_>, Vec<_>) = all.into_iter().partition(|a| a.0.starts_with("row"));
        if rows && !row.is_empty() && self.chance(0.5) {
            self.use_family(Family::RowBindings);
            return row;
        }
        other
    }

    fn ints(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = self
            .vars()
            .filter_map(|v| match v.kind {
                Kind::Int { max } => Some((v.name.clone(), max)),
                _ => None,
            })
            .collect();
        out.extend(self.sizes().into_iter().map(|(n, v)| (n, v + 1)));
        out
    }

    /// The `usize` constants and their values.
    fn sizes(&self) -> Vec<(String, usize)> {
        self.consts
            .iter()
            .filter(|c| c.kind == ConstKind::Size)
            .map(|c| (c.name.clone(), c.values[0] as usize))
            .collect()
    }

    /// Module constants of [`Family::ConstSlices`]: a slice `C`, a scalar `EPS`, a table
    /// `TABLE` (unless there is one) and a size `N_TERMS`.
    fn const_items(&mut self) {
        let suffixed = self.on(Family::SuffixedLiterals) && self.chance(0.5);
        let push = |g: &mut Gen, name: &str, kind: ConstKind, values: Vec<f64>| {
            g.consts.push(ConstTable {
                name: name.to_string(),
                values,
                kind,
                suffixed: suffixed && kind != ConstKind::Size,
            });
        };
        let len = 2 + self.below(3);
        let values = (0..len).map(|_| self.lit_value()).collect();
        push(self, "C", ConstKind::Slice, values);
        let eps = self.lit_value();
        push(self, "EPS", ConstKind::Scalar, vec![eps]);
        if !self.consts.iter().any(|c| c.name == "TABLE") {
            let len = 3 + self.below(3);
            let values = (0..len).map(|_| self.lit_value()).collect();
            push(self, "TABLE", ConstKind::Table, values);
        }
        let n = 2 + self.below(3);
        push(self, "N_TERMS", ConstKind::Size, vec![n as f64]);
    }

    /// The index of the struct `M` (the model, or `self`'s struct).
    fn model_index(&self) -> usize {
        self.structs
            .iter()
            .position(|s| s.name == "M")
            .expect("the struct M is drawn with the structs")
    }

    fn matrices(&self) -> Vec<(String, usize, usize)> {
        self.vars()
            .filter_map(|v| match v.kind {
                Kind::Mat(n, m) => Some((v.name.clone(), n, m)),
                _ => None,
            })
            .collect()
    }

    /// Matrices whose rows a `for` may iterate over.
    fn row_sources(&self) -> Vec<(String, usize, usize)> {
        let mut ms = self.matrices();
        ms.retain(|m| self.allowed(&m.0, Read::Rows));
        ms
    }

    /// An index into `0..len`: a loop variable when in range, else modulo `len`, else a literal.
    fn index(&mut self, len: usize) -> IExpr {
        let ints = self.ints();
        if !ints.is_empty() && self.chance(0.8) {
            let (name, max) = self.pick(&ints);
            let i = IExpr::Var(name);
            return match self.below(4) {
                _ if max > len => IExpr::Rem(Box::new(i), Box::new(IExpr::Lit(len))),
                0 if max <= len => IExpr::Sub(Box::new(IExpr::Lit(len - 1)), Box::new(i)),
                1 => IExpr::Rem(
                    Box::new(IExpr::Add(Box::new(i), Box::new(IExpr::Lit(1)))),
                    Box::new(IExpr::Lit(len)),
                ),
                // An offset row, `a[base + i]` (read through a slice taken before the loop).
                2 => self.offset_index(i, max, len),
                _ => i,
            };
        }
        IExpr::Lit(self.below(len))
    }

    /// `base + i` within `len` for `i < max <= len`: `base` another integer whose values leave
    /// room (`j + i`, `j < len - max + 1`), or a literal.
    fn offset_index(&mut self, i: IExpr, max: usize, len: usize) -> IExpr {
        let room = len - max + 1;
        let bases: Vec<String> = self
            .ints()
            .into_iter()
            .filter(|(name, m)| *m <= room && IExpr::Var(name.clone()) != i)
            .map(|(name, _)| name)
            .collect();
        let base = if !bases.is_empty() && self.chance(0.6) {
            IExpr::Var(self.pick(&bases))
        } else {
            IExpr::Lit(self.below(room))
        };
        IExpr::Add(Box::new(base), Box::new(i))
    }

    /// Whether Rust knows the expression's float type (else it cannot be a method receiver).
    fn typed(&self, e: &Expr) -> bool {
        if self.prec == Prec::Generic {
            return true;
        }
        match e {
            Expr::Lit(_, form) => matches!(form, LitForm::Suffixed(_)),
            Expr::Var(n) | Expr::Deref(n) | Expr::Index(n, _) => {
                self.consts.iter().any(|c| &c.name == n)
                    || self.vars().any(|v| &v.name == n && v.typed)
            }
            Expr::Neg(a) => self.typed(a),
            Expr::Bin(_, a, b) => self.typed(a) || self.typed(b),
            Expr::Un(_, a, path) | Expr::Bin2(_, a, _, path) => *path || self.typed(a),
            Expr::If(_, a, b) => self.typed(&a.tail) || self.typed(&b.tail),
            Expr::Match(_, arms, d) => {
                self.typed(&d.tail) || arms.iter().any(|(_, b)| self.typed(&b.tail))
            }
            _ => true,
        }
    }

    /// A float leaf whose type is known: a typed variable or an array element.
    fn typed_leaf(&mut self) -> Expr {
        let fs = self.floats(true);
        let arrays = self.arrays();
        if !fs.is_empty() && (arrays.is_empty() || self.chance(0.6)) {
            let v = self.pick(&fs);
            return if v.by_ref {
                Expr::Deref(v.name)
            } else {
                Expr::Var(v.name)
            };
        }
        if !arrays.is_empty() {
            let (name, len, ..) = self.pick(&arrays);
            let i = self.index(len);
            return Expr::Index(name, i);
        }
        let ms = self.matrices();
        let (name, n, m) = self.pick(&ms);
        let (i, j) = (self.index(n), self.index(m));
        Expr::Index2(name, i, j)
    }

    fn has_typed_leaf(&self) -> bool {
        !self.floats(true).is_empty() || !self.arrays().is_empty() || !self.matrices().is_empty()
    }

    fn leaf(&mut self) -> Expr {
        let ints = self.ints();
        match self.below(10) {
            0 | 1 => {
                let v = self.lit_value();
                self.lit(v)
            }
            2 if !ints.is_empty() => {
                let (name, _) = self.pick(&ints);
                Expr::Cast(IExpr::Var(name))
            }
            3 | 4 => {
                let fs = self.floats(!self.on(Family::UntypedLiterals));
                if fs.is_empty() {
                    return self.typed_leaf();
                }
                let v = self.pick(&fs);
                if v.by_ref {
                    Expr::Deref(v.name)
                } else {
                    Expr::Var(v.name)
                }
            }
            _ => self.typed_leaf(),
        }
    }

    /// `e * e + c`: positive, for ln, sqrt, division, powf bases.
    fn positive(&mut self, e: Expr, c: f64) -> Expr {
        let c = self.lit(c);
        bin(BinOp::Add, bin(BinOp::Mul, e.clone(), e), c)
    }

    fn unary(&mut self, f: UnFn, e: Expr) -> Expr {
        let (e, path) = self.receiver(e);
        Expr::Un(f, Box::new(e), path)
    }

    /// A method's receiver and whether to use the path form (`f64::exp(e)`): required when
    /// Rust cannot know the receiver's type (`(0.5 * 0.5).exp()` does not compile). Without
    /// [`Family::UntypedLiterals`] such a receiver gets a typed term instead.
    fn receiver(&mut self, e: Expr) -> (Expr, bool) {
        if self.typed(&e) {
            return (e, self.chance(0.2));
        }
        if self.on(Family::UntypedLiterals) {
            self.use_family(Family::UntypedLiterals);
            return (e, true);
        }
        let t = self.typed_leaf();
        (bin(BinOp::Add, e, t), self.chance(0.2))
    }

    fn expr(&mut self, depth: usize) -> Expr {
        if depth == 0 || self.chance(0.25) {
            return self.leaf();
        }
        let d = depth - 1;
        let nested = !self.closure_body;
        match self.below(20) {
            0..=5 => {
                let op = self.pick(&[BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div]);
                let a = self.expr(d);
                let mut b = self.expr(d);
                if op == BinOp::Div && self.chance(0.85) {
                    b = self.positive(b, 1.0);
                }
                bin(op, a, b)
            }
            6 => Expr::Neg(Box::new(self.expr(d))),
            7..=9 => {
                let f = self.pick(&UNARY);
                let inner = self.expr(d);
                let arg = if self.chance(0.1) {
                    inner
                } else {
                    match f {
                        UnFn::Ln | UnFn::Log10 | UnFn::Log2 | UnFn::Sqrt => {
                            self.positive(inner, 0.5)
                        }
                        UnFn::Recip | UnFn::Cbrt => self.positive(inner, 0.25),
                        UnFn::Acosh => self.positive(inner, 1.5),
                        UnFn::Ln1p => bin(BinOp::Mul, inner.clone(), inner),
                        UnFn::Asin | UnFn::Acos | UnFn::Atanh => {
                            let half = self.lit(0.5);
                            let s = self.unary(UnFn::Sin, inner);
                            bin(BinOp::Mul, s, half)
                        }
                        UnFn::Tan
                        | UnFn::Exp
                        | UnFn::Exp2
                        | UnFn::ExpM1
                        | UnFn::Sinh
                        | UnFn::Cosh => {
                            if self.chance(0.5) {
                                self.unary(UnFn::Tanh, inner)
                            } else {
                                inner
                            }
                        }
                        _ => inner,
                    }
                };
                self.unary(f, arg)
            }
            10 | 11 => {
                let f = self.pick(&[
                    Bin2Fn::Powf,
                    Bin2Fn::Max,
                    Bin2Fn::Min,
                    Bin2Fn::Hypot,
                    Bin2Fn::Atan2,
                ]);
                let (mut a, b) = (self.expr(d), self.expr(d));
                if f == Bin2Fn::Powf {
                    a = self.positive(a, 0.5);
                }
                let (a, path) = self.receiver(a);
                Expr::Bin2(f, Box::new(a), Box::new(b), path)
            }
            12 => {
                let mut a = self.expr(d);
                if !self.typed(&a) {
                    a = self.typed_leaf();
                }
                Expr::Powi(Box::new(a), self.pick(&[2, 3, -1, -2]))
            }
            13 => {
                let mut a = self.expr(d);
                if !self.typed(&a) {
                    a = self.typed_leaf();
                }
                Expr::MulAdd(Box::new(a), Box::new(self.expr(d)), Box::new(self.expr(d)))
            }
            14 if nested && self.on(Family::Branches) => {
                self.use_family(Family::Branches);
                let c = self.cond();
                let (t, e) = (self.expr_block(d), self.expr_block(d));
                Expr::If(Box::new(c), Box::new(t), Box::new(e))
            }
            15 if nested && self.on(Family::Match) && !self.ints().is_empty() => {
                self.use_family(Family::Match);
                let scrut = self.scrutinee();
                let arms = (0..1 + self.below(2))
                    .map(|k| (k, self.expr_block(d)))
                    .collect();
                Expr::Match(scrut, arms, Box::new(self.expr_block(d)))
            }
            16 | 17 if nested && self.helpers.iter().any(|h| h.ret == Ret::Float) => {
                self.call(d).unwrap_or_else(|| self.leaf())
            }
            18 if nested && self.on(Family::IterChains) => {
                self.chain(d).unwrap_or_else(|| self.leaf())
            }
            19 if nested => {
                let closures: Vec<(String, usize)> = self
                    .vars()
                    .filter_map(|v| match v.kind {
                        Kind::Closure(arity) => Some((v.name.clone(), arity)),
                        _ => None,
                    })
                    .collect();
                if closures.is_empty() {
                    return self.leaf();
                }
                let (name, arity) = self.pick(&closures);
                let args = (0..arity).map(|_| self.expr(d)).collect();
                Expr::ClosureCall(name, args)
            }
            _ => self.leaf(),
        }
    }

    /// The value of an `if`/`match` arm: sometimes a `let` first, read by the tail.
    fn expr_block(&mut self, depth: usize) -> Block {
        self.branches += 1;
        let block = if self.chance(0.7) {
            Block {
                stmts: Vec::new(),
                tail: self.expr(depth),
            }
        } else {
            self.let_block(depth)
        };
        self.branches -= 1;
        block
    }

    /// An arm whose tail reads a `let` before it.
    fn let_block(&mut self, depth: usize) -> Block {
        self.scopes.push(Vec::new());
        let init = self.expr(depth);
        let init = self.make_active(init);
        let name = self.fresh("e");
        let typed = self.typed(&init);
        let active = self.active(&init);
        self.declare(Self::float_var(&name, typed, false, active));
        let other = self.expr(depth);
        self.scopes.pop();
        let op = self.pick(&[BinOp::Add, BinOp::Mul, BinOp::Sub]);
        Block {
            stmts: vec![Stmt::Let {
                name: name.clone(),
                mutable: false,
                annotate: !typed,
                init,
            }],
            tail: bin(op, Expr::Var(name), other),
        }
    }

    fn scrutinee(&mut self) -> IExpr {
        let ints = self.ints();
        let (name, _) = self.pick(&ints);
        IExpr::Rem(Box::new(IExpr::Var(name)), Box::new(IExpr::Lit(3)))
    }

    fn cond(&mut self) -> Cond {
        let ints = self.ints();
        let c = if !ints.is_empty() && self.chance(0.3) {
            let (name, max) = self.pick(&ints);
            let op = self.pick(&[CmpOp::Lt, CmpOp::Gt, CmpOp::Le, CmpOp::Ge]);
            // Never `i >= 0` or `i < 0`: always true or false for usize, and a lint.
            Cond::ICmp(
                op,
                IExpr::Var(name),
                IExpr::Lit(1 + self.below(max.max(2) - 1)),
            )
        } else {
            let op = self.pick(&[CmpOp::Lt, CmpOp::Gt, CmpOp::Le, CmpOp::Ge]);
            let a = self.typed_leaf();
            let b = self.expr(1);
            Cond::Cmp(op, a, b)
        };
        if self.chance(0.15) {
            let other = self.cond();
            if self.chance(0.5) {
                return Cond::And(Box::new(c), Box::new(other));
            }
            return Cond::Or(Box::new(c), Box::new(other));
        }
        c
    }

    /// A call of a helper that returns a float.
    fn call(&mut self, depth: usize) -> Option<Expr> {
        let helpers: Vec<Function> = self
            .helpers
            .iter()
            .filter(|h| h.ret == Ret::Float)
            .cloned()
            .collect();
        let h = self.pick(&helpers);
        let args = self.args(&h, depth)?;
        self.use_family(Family::Calls);
        let call = Expr::Call(h.name, args);
        if h.fallible {
            // `?` only where the caller fails the same way; closures never call helpers.
            let question = self.fallible && self.chance(0.6);
            return Some(Expr::Try(Box::new(call), question));
        }
        Some(call)
    }

    /// Arguments for a call of `h`; `None` if a parameter finds nothing to take.
    fn args(&mut self, h: &Function, depth: usize) -> Option<Vec<Arg>> {
        // A local array passed to a call and written afterwards (a scratch buffer) needs
        // ScratchArrays; without it, local arrays are passed outside loops and frozen.
        let scratch = self.on(Family::ScratchArrays);
        let passable =
            |a: &(String, usize, bool, bool, bool), in_loop: bool| scratch || !a.4 || !in_loop;
        let in_loop = !self.loops.is_empty();
        let mut args = Vec::new();
        for p in &h.params {
            if let Some(arg) = self.temporary(p.ty, depth) {
                args.push(arg);
                continue;
            }
            args.push(match p.ty {
                ParamTy::Scalar if self.on(Family::ConstSlices) && self.chance(0.3) => {
                    match self.const_arg() {
                        Some(e) => Arg::Scalar(e),
                        None => Arg::Scalar(self.expr(depth)),
                    }
                }
                ParamTy::Usize(v) => {
                    let fits: Vec<String> = self
                        .sizes()
                        .into_iter()
                        .filter(|s| s.1 == v)
                        .map(|s| s.0)
                        .collect();
                    if !fits.is_empty() && self.chance(0.8) {
                        Arg::Int(IExpr::Var(self.pick(&fits)))
                    } else {
                        Arg::Int(IExpr::Lit(v))
                    }
                }
                ParamTy::Scalar => {
                    let mut e = self.expr(depth);
                    // A constant read from a data struct (`cfg.scale`, or a local that may
                    // hold one) is an argument whose type the macro does not know.
                    let data = self.structs.iter().any(|s| !s.model)
                        && !self.active(&e)
                        && self.vars().any(|v| !v.active && reads_expr(&e, &v.name));
                    if data && self.on(Family::DataFields) {
                        self.use_family(Family::DataFields);
                    } else if data {
                        e = self.plus_active(e);
                    }
                    // `h(-0.5, x)`, `h(-(0.5 * 2.0), x)`: a negated constant.
                    let negated = match &e {
                        Expr::Lit(v, LitForm::Plain) => *v < 0.0 && self.prec != Prec::Generic,
                        Expr::Neg(inner) => !self.active(inner),
                        _ => false,
                    };
                    match e {
                        _ if negated && self.on(Family::NegativeLiteralArgs) => {
                            self.use_family(Family::NegativeLiteralArgs);
                            Arg::Scalar(e)
                        }
                        Expr::Lit(v, form) if negated => Arg::Scalar(Expr::Lit(-v, form)),
                        Expr::Neg(inner) if negated => Arg::Scalar(*inner),
                        e => Arg::Scalar(e),
                    }
                }
                ParamTy::ArrayRef(n) => {
                    let fits: Vec<_> = self
                        .arrays()
                        .into_iter()
                        .filter(|a| a.1 == n && a.3 && passable(a, in_loop))
                        .filter(|a| self.allowed(&a.0, Read::Pass))
                        .collect();
                    let rows: Vec<_> = self.matrices().into_iter().filter(|m| m.2 == n).collect();
                    if !rows.is_empty() && (fits.is_empty() || self.chance(0.4)) {
                        let (name, rows, _) = self.pick(&rows);
                        let i = self.index(rows);
                        Arg::Row(name, i)
                    } else if !fits.is_empty() {
                        let (name, _, reference, ..) = self.pick(&fits);
                        Arg::Array {
                            name,
                            by_ref: reference,
                        }
                    } else {
                        return None;
                    }
                }
                ParamTy::Slice(_) => {
                    let rows = self.on(Family::RowBindings);
                    let all: Vec<_> = self
                        .arrays()
                        .into_iter()
                        .filter(|a| (rows || !a.0.starts_with("row")) && passable(a, in_loop))
                        .filter(|a| self.allowed(&a.0, Read::Pass))
                        .collect();
                    if all.is_empty() {
                        return None;
                    }
                    let (name, _, reference, ..) = self.pick(&all);
                    Arg::Array {
                        name,
                        by_ref: reference,
                    }
                }
                ParamTy::Struct(def) => {
                    // The model itself (`m`) or a nested one (`&m.inner`).
                    let models: Vec<(String, bool)> = self
                        .vars()
                        .filter_map(|v| match v.kind {
                            Kind::Struct { def: d, reference } if d == def => {
                                Some((v.name.clone(), reference))
                            }
                            _ => None,
                        })
                        .filter(|(name, _)| self.allowed(name, Read::Pass))
                        .collect();
                    if models.is_empty() {
                        return None;
                    }
                    let (name, by_ref) = self.pick(&models);
                    self.passed.push(name.clone());
                    Arg::Array { name, by_ref }
                }
                _ => return None,
            });
        }
        for a in &args {
            if let Arg::Array { name, .. } = a {
                self.note(name, Read::Pass);
                if scratch && self.arrays().iter().any(|x| &x.0 == name && x.4) {
                    self.use_family(Family::ScratchArrays);
                } else {
                    self.freeze(name);
                }
            }
            if matches!(a, Arg::Array { name, .. } if name.starts_with("row"))
                && h.params.iter().any(|p| matches!(p.ty, ParamTy::Slice(_)))
            {
                self.use_family(Family::RowBindings);
            }
        }
        Some(args)
    }

    /// A float argument made of constants: `EPS`, `TABLE[1] - TABLE[0]`, `C[0] * EPS`.
    fn const_arg(&mut self) -> Option<Expr> {
        let scalars: Vec<String> = self
            .consts
            .iter()
            .filter(|c| c.kind == ConstKind::Scalar)
            .map(|c| c.name.clone())
            .collect();
        let tables: Vec<(String, usize)> = self
            .consts
            .iter()
            .filter(|c| matches!(c.kind, ConstKind::Table | ConstKind::Slice))
            .map(|c| (c.name.clone(), c.values.len()))
            .collect();
        let elem = |g: &mut Gen| {
            let (name, len) = g.pick(&tables);
            let i = g.below(len);
            Expr::Index(name, IExpr::Lit(i))
        };
        match self.below(3) {
            0 if !scalars.is_empty() => Some(Expr::Var(self.pick(&scalars))),
            _ if tables.is_empty() => None,
            1 => {
                let op = self.pick(&[BinOp::Sub, BinOp::Add, BinOp::Mul]);
                let (a, b) = (elem(self), elem(self));
                Some(bin(op, a, b))
            }
            _ => Some(elem(self)),
        }
    }

    /// With [`Family::VectorOutputs`], sometimes `&g(..)` for a parameter of type `ty` that
    /// takes an array: a call of a helper that returns one that fits.
    fn temporary(&mut self, ty: ParamTy, depth: usize) -> Option<Arg> {
        if !self.on(Family::VectorOutputs) || depth == 0 {
            return None;
        }
        let fits = |ret: Ret| match ty {
            ParamTy::ArrayRef(n) => ret == Ret::Array(n),
            ParamTy::Slice(_) => ret != Ret::Float,
            _ => false,
        };
        let helpers: Vec<Function> = self
            .helpers
            .iter()
            .filter(|h| fits(h.ret))
            .cloned()
            .collect();
        let result = Origin::Result {
            in_loop: false,
            conditional: self.conditional(),
        };
        let pattern = self.origin_pattern(result, Read::Pass);
        if helpers.is_empty() || pattern.is_some_and(|f| !self.on(f)) || !self.chance(0.3) {
            return None;
        }
        let h = self.pick(&helpers);
        let args = self.args(&h, depth - 1)?;
        self.use_family(Family::VectorOutputs);
        if let Some(f) = pattern {
            self.use_family(f);
        }
        Some(Arg::Ref(Expr::Call(h.name, args)))
    }

    /// A closure body over `params` and capturable variables only.
    fn closure_expr(&mut self, params: &[(String, Kind)], depth: usize) -> Expr {
        let saved = self.closure_body;
        self.closure_body = true;
        self.scopes.push(
            params
                .iter()
                .map(|(n, k)| Var {
                    name: n.clone(),
                    kind: *k,
                    mutable: false,
                    typed: true,
                    capturable: true,
                    by_ref: false,
                    active: true,
                })
                .collect(),
        );
        let mut e = self.expr(depth);
        // The closure's own parameter must be read (else `unused variable`).
        if let Some((p, Kind::Float)) = params.first() {
            e = bin(
                self.pick(&[BinOp::Add, BinOp::Mul]),
                Expr::Var(p.clone()),
                e,
            );
        }
        self.scopes.pop();
        self.closure_body = saved;
        e
    }

    fn chain(&mut self, depth: usize) -> Option<Expr> {
        let arrays = self.iterables(Read::Chain);
        if arrays.is_empty() {
            return None;
        }
        self.use_family(Family::IterChains);
        let (src, len, ..) = self.pick(&arrays);
        self.note(&src, Read::Chain);
        let d = depth.min(1);
        let chain = match self.below(5) {
            0 => {
                let mut adaptors = Vec::new();
                for _ in 0..self.below(3) {
                    adaptors.push(match self.below(4) {
                        0 => Adaptor::Skip(1),
                        1 => Adaptor::Take(len - 1),
                        2 => Adaptor::Rev,
                        _ => Adaptor::StepBy(2),
                    });
                }
                let var = self.fresh("v");
                let body = Box::new(self.closure_expr(&[(var.clone(), Kind::Float)], d));
                Chain::MapSum {
                    src,
                    adaptors,
                    var,
                    body,
                }
            }
            1 => {
                let (b, ..) = self.pick(&arrays);
                self.note(&b, Read::Chain);
                let (va, vb) = (self.fresh("a"), self.fresh("b"));
                let mut body =
                    self.closure_expr(&[(va.clone(), Kind::Float), (vb.clone(), Kind::Float)], d);
                body = bin(BinOp::Mul, body, Expr::Var(vb.clone()));
                Chain::ZipSum {
                    a: src,
                    b,
                    va,
                    vb,
                    body: Box::new(body),
                }
            }
            2 => {
                let (acc, idx, var) = (self.fresh("acc"), self.fresh("i"), self.fresh("v"));
                let init = Box::new(self.expr(0));
                let body = self.closure_expr(
                    &[
                        (var.clone(), Kind::Float),
                        (idx.clone(), Kind::Int { max: len }),
                    ],
                    d,
                );
                let body = bin(BinOp::Mul, body, Expr::Cast(IExpr::Var(idx.clone())));
                Chain::EnumFold {
                    src,
                    init,
                    acc,
                    idx,
                    var,
                    body: Box::new(body),
                }
            }
            3 => {
                let win = self.fresh("win");
                let kind = Kind::Arr {
                    len: 2,
                    reference: true,
                    fixed: false,
                    writable: false,
                };
                let mut body = self.closure_expr(&[(win.clone(), kind)], d);
                let diff = bin(
                    BinOp::Sub,
                    Expr::Index(win.clone(), IExpr::Lit(1)),
                    Expr::Index(win.clone(), IExpr::Lit(0)),
                );
                body = bin(BinOp::Add, body, diff);
                Chain::WindowsSum {
                    src,
                    win,
                    body: Box::new(body),
                }
            }
            _ => {
                let var = self.fresh("v");
                let inner = self.closure_expr(&[(var.clone(), Kind::Float)], d);
                // Factors near 1 keep the product well-conditioned.
                let f = self.unary(UnFn::Tanh, inner);
                let half = self.lit(0.5);
                let one = self.lit(1.0);
                let body = Box::new(bin(BinOp::Add, one, bin(BinOp::Mul, half, f)));
                Chain::Product { src, var, body }
            }
        };
        Some(Expr::Chain(chain))
    }

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

    fn top_level(&self) -> bool {
        self.scopes.len() == 1
    }

    fn stmt(&mut self, out: &mut Vec<Stmt>) {
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
                out.push(Stmt::Match {
                    scrut,
                    arms,
                    default,
                });
            }
            12..=14 if can_nest && self.on(Family::ForRange) => {
                if self.loops.is_empty() && self.chance(0.2) {
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
    fn spelled_out(&self, op: AssignOp, target: Expr, value: Expr) -> (AssignOp, Expr) {
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

    fn let_float(&mut self, out: &mut Vec<Stmt>) {
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
            (self.fresh("t"), init)
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

    fn for_range(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::ForRange);
        let (bound, max) = self.bound();
        let lo = if self.chance(0.3) { 1 } else { 0 };
        let mut inclusive = self.chance(0.25);
        let rev = self.chance(0.2);
        let step = if self.chance(0.2) { Some(2) } else { None };
        let name = self.fresh("i");
        let var = Var {
            name: name.clone(),
            kind: Kind::Int { max },
            mutable: false,
            typed: true,
            capturable: true,
            by_ref: false,
            active: true,
        };
        let body = self.loop_body(LoopKind::For, vec![var]);
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

    /// A running index walked through a triangle of nested loops, as packed storage is
    /// (`let mut k = 0; for i in 0..n { for j in i..n { .. a[k % len] ..; k += 1; } }`), read
    /// in both loops.
    fn running_index(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::ForRange);
        let (bound, max) = self.bound();
        let int = |name: &str, max: usize, mutable: bool| Var {
            name: name.to_string(),
            kind: Kind::Int { max },
            mutable,
            typed: true,
            capturable: !mutable,
            by_ref: false,
            active: true,
        };
        let k = self.fresh("k");
        out.push(Stmt::LetInt {
            name: k.clone(),
            init: IExpr::Lit(0),
        });
        self.declare(int(&k, max * max + 1, true));
        let (i, j) = (self.fresh("i"), self.fresh("j"));
        self.loops.push(LoopKind::For);
        self.scopes.push(vec![int(&i, max, false)]);
        let mut body = Vec::new();
        if self.chance(0.5) {
            self.stmt(&mut body);
        }
        // Counted: no `continue` skips the step.
        let mut inner = self.loop_body(LoopKind::Counted, vec![int(&j, max, false)]);
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
    }

    fn for_iter(&mut self, out: &mut Vec<Stmt>) {
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
    fn counted(&mut self, out: &mut Vec<Stmt>, is_while: bool) {
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
        let var = Var {
            name: k.clone(),
            kind: Kind::Int { max },
            mutable: true,
            typed: true,
            capturable: false,
            by_ref: false,
            active: true,
        };
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
    fn loop_exit(&mut self, out: &mut Vec<Stmt>) {
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

    fn local_array(&mut self, out: &mut Vec<Stmt>) {
        self.use_family(Family::LocalArrays);
        let len = 2 + self.below(3);
        let vec = self.chance(0.4);
        self.filled_array(out, len, vec);
    }

    /// `let mut buf = [0.0; len];` (`vec![0.0; len]`) filled by a loop; returns its name
    /// (never `h..`, the helpers' names).
    fn filled_array(&mut self, out: &mut Vec<Stmt>, len: usize, vec: bool) -> String {
        let name = self.fresh("buf");
        out.push(Stmt::LocalArray {
            name: name.clone(),
            len,
            vec,
        });
        // Filled right away, so its element type is known before anything reads it.
        let i = self.fresh("i");
        self.scopes.push(vec![Var {
            name: i.clone(),
            kind: Kind::Int { max: len },
            mutable: false,
            typed: true,
            capturable: true,
            by_ref: false,
            active: true,
        }]);
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

    fn array_copy(&mut self, out: &mut Vec<Stmt>) {
        let params: Vec<(String, Kind)> = self.scopes[0]
            .iter()
            .filter(|v| matches!(v.kind, Kind::Arr { .. }) && !v.mutable)
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
        let t = self.fresh("t");
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

    fn function(&mut self, name: &str, helper: bool, ret: Ret) -> Function {
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

    /// `if cond { return Err(..); }`: a condition on what is in scope.
    fn fail(&mut self, out: &mut Vec<Stmt>) {
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
    fn structs(&mut self) {
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
    fn inputs_of(&mut self, f: &Function) -> Vec<Vec<f64>> {
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

/// Whether a `return` or `break` is inside.
fn exits(s: &Stmt) -> bool {
    let any = |b: &[Stmt]| b.iter().any(exits);
    match s {
        Stmt::Return(_) | Stmt::Break | Stmt::Fail { .. } => true,
        Stmt::If { then, els, .. } => any(then) || els.as_deref().is_some_and(any),
        Stmt::Match { arms, default, .. } => arms.iter().any(|(_, b)| any(b)) || any(default),
        Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => any(body),
        _ => false,
    }
}

/// Whether the places `a` and `b` overlap: the same name, or one a field path inside the
/// other (reading `m.w` reads `m`; passing `&m.inner` on reads `m.inner.b`).
fn overlaps(a: &str, b: &str) -> bool {
    let inside = |x: &str, y: &str| x.strip_prefix(y).is_some_and(|rest| rest.starts_with('.'));
    a == b || inside(a, b) || inside(b, a)
}

fn reads_iexpr(e: &IExpr, name: &str) -> bool {
    match e {
        IExpr::Lit(_) => false,
        IExpr::Var(n) | IExpr::Len(n) => overlaps(n, name),
        IExpr::Add(a, b) | IExpr::Sub(a, b) | IExpr::Mul(a, b) | IExpr::Rem(a, b) => {
            reads_iexpr(a, name) || reads_iexpr(b, name)
        }
    }
}

fn reads_cond(c: &Cond, name: &str) -> bool {
    match c {
        Cond::Cmp(_, a, b) => reads_expr(a, name) || reads_expr(b, name),
        Cond::ICmp(_, a, b) => reads_iexpr(a, name) || reads_iexpr(b, name),
        Cond::And(a, b) | Cond::Or(a, b) => reads_cond(a, name) || reads_cond(b, name),
    }
}

fn reads_block(b: &Block, name: &str) -> bool {
    b.stmts.iter().any(|s| reads_stmt(s, name)) || reads_expr(&b.tail, name)
}

pub(crate) fn reads_expr(e: &Expr, name: &str) -> bool {
    match e {
        Expr::Lit(..) => false,
        Expr::Var(n) | Expr::Deref(n) => overlaps(n, name),
        Expr::Index(n, i) => overlaps(n, name) || reads_iexpr(i, name),
        Expr::Index2(n, i, j) => overlaps(n, name) || reads_iexpr(i, name) || reads_iexpr(j, name),
        Expr::Cast(i) => reads_iexpr(i, name),
        Expr::Neg(a) | Expr::Un(_, a, _) | Expr::Powi(a, _) => reads_expr(a, name),
        Expr::Bin(_, a, b) | Expr::Bin2(_, a, b, _) => reads_expr(a, name) || reads_expr(b, name),
        Expr::MulAdd(a, b, c) => reads_expr(a, name) || reads_expr(b, name) || reads_expr(c, name),
        Expr::If(c, a, b) => reads_cond(c, name) || reads_block(a, name) || reads_block(b, name),
        Expr::Match(s, arms, d) => {
            reads_iexpr(s, name)
                || arms.iter().any(|(_, b)| reads_block(b, name))
                || reads_block(d, name)
        }
        Expr::Call(_, args) => args.iter().any(|a| match a {
            Arg::Scalar(e) | Arg::Ref(e) => reads_expr(e, name),
            Arg::Array { name: n, .. } => overlaps(n, name),
            Arg::Row(n, i) => overlaps(n, name) || reads_iexpr(i, name),
            Arg::Int(i) => reads_iexpr(i, name),
        }),
        Expr::Try(call, _) => reads_expr(call, name),
        Expr::ClosureCall(n, args) => n == name || args.iter().any(|a| reads_expr(a, name)),
        Expr::ArrayLit(items, _) => items.iter().any(|e| reads_expr(e, name)),
        Expr::Chain(c) => match c {
            Chain::MapSum { src, body, .. }
            | Chain::WindowsSum { src, body, .. }
            | Chain::Product { src, body, .. } => overlaps(src, name) || reads_expr(body, name),
            Chain::ZipSum { a, b, body, .. } => {
                overlaps(a, name) || overlaps(b, name) || reads_expr(body, name)
            }
            Chain::EnumFold {
                src, init, body, ..
            } => overlaps(src, name) || reads_expr(init, name) || reads_expr(body, name),
        },
    }
}

/// Whether the statement reads `name` (writing `name = ..` or `name[i] = ..` is not a read).
pub(crate) fn reads_stmt(s: &Stmt, name: &str) -> bool {
    let any = |b: &[Stmt]| b.iter().any(|s| reads_stmt(s, name));
    match s {
        Stmt::Let { init, .. } => reads_expr(init, name),
        Stmt::LetInt { init, .. } => reads_iexpr(init, name),
        Stmt::Assign { value, .. } => reads_expr(value, name),
        Stmt::IncInt { .. } | Stmt::LocalArray { .. } | Stmt::Break | Stmt::Continue => false,
        Stmt::IndexAssign { idx, value, .. } => reads_iexpr(idx, name) || reads_expr(value, name),
        Stmt::ArrayCopy { src, .. } | Stmt::DestructArray { src, .. } | Stmt::Alias { src, .. } => {
            overlaps(src, name)
        }
        Stmt::If { cond, then, els } => {
            reads_cond(cond, name) || any(then) || els.as_deref().is_some_and(any)
        }
        Stmt::Match {
            scrut,
            arms,
            default,
        } => reads_iexpr(scrut, name) || arms.iter().any(|(_, b)| any(b)) || any(default),
        Stmt::For { iter, body, .. } => {
            let head = match iter {
                ForIter::Range { lo, hi, .. } => reads_iexpr(lo, name) || reads_iexpr(hi, name),
                ForIter::Iter { src } | ForIter::Enumerate { src } | ForIter::Rows { src } => {
                    overlaps(src, name)
                }
                ForIter::Zip { a, b } => overlaps(a, name) || overlaps(b, name),
            };
            head || any(body)
        }
        Stmt::While { cond, body } => reads_cond(cond, name) || any(body),
        Stmt::Loop { body } => any(body),
        Stmt::Return(e) => reads_expr(e, name),
        Stmt::LetClosure { body, .. } => reads_expr(body, name),
        Stmt::DestructTuple { values, .. } => values.iter().any(|v| reads_expr(v, name)),
        Stmt::Assert(c) => reads_cond(c, name),
        Stmt::Fail { cond, show } => reads_cond(cond, name) || show.as_deref() == Some(name),
    }
}

/// Whether the statement assigns to `name` or to one of its elements.
pub(crate) fn assigns(s: &Stmt, name: &str) -> bool {
    let any = |b: &[Stmt]| b.iter().any(|s| assigns(s, name));
    match s {
        Stmt::Assign { name: n, .. } | Stmt::IndexAssign { name: n, .. } => n == name,
        Stmt::If { then, els, .. } => any(then) || els.as_deref().is_some_and(any),
        Stmt::Match { arms, default, .. } => arms.iter().any(|(_, b)| any(b)) || any(default),
        Stmt::For { body, .. } | Stmt::While { body, .. } | Stmt::Loop { body } => any(body),
        _ => false,
    }
}

/// Whether the binding of `name` made just before `rest` is assigned in it.
fn assigned_later(name: &str, rest: &[Stmt]) -> bool {
    for s in rest {
        if assigns(s, name) {
            return true;
        }
        if matches!(s, Stmt::Let { name: n, .. } if n == name) {
            return false;
        }
    }
    false
}

/// Whether the binding made by `stmts[0]` under `name` is read later: in the rest of the
/// block, up to a `let` that shadows it (whose initializer still sees it), or in `tail`.
fn read_later(name: &str, rest: &[Stmt], tail: Option<&Expr>) -> bool {
    for s in rest {
        if let Stmt::Let { name: n, init, .. } = s {
            if n == name {
                return reads_expr(init, name);
            }
        }
        if reads_stmt(s, name) {
            return true;
        }
    }
    tail.is_some_and(|t| reads_expr(t, name))
}

/// Silences what would be warnings in the printed program: drops `mut` from variables never
/// reassigned and renames unread bindings `_name`.
pub fn finalize(f: &mut Function) {
    let tail = f.body.tail.clone();
    fix_block(&mut f.body.stmts, Some(&tail));
    // Generated programs read every parameter; a shrunk one may not.
    for p in f.params.iter_mut().filter(|p| p.name != "self") {
        let read = read_later(&p.name, &f.body.stmts, Some(&tail));
        if let Some(named) = f.wrt.iter_mut().find(|n| **n == p.name) {
            unread(named, read);
        }
        unread(&mut p.name, read);
    }
}

fn unread(name: &mut String, read: bool) {
    if !read && !name.starts_with('_') {
        name.insert(0, '_');
    }
}

fn fix_block(stmts: &mut [Stmt], tail: Option<&Expr>) {
    for p in 0..stmts.len() {
        let (head, rest) = stmts.split_at_mut(p + 1);
        match &mut head[p] {
            Stmt::Let { name, mutable, .. } => {
                // An array result only written (`y[i] *= ..`) keeps its name for the writes.
                let written = assigned_later(name, rest);
                *mutable = *mutable && written;
                let read = read_later(name, rest, tail);
                unread(name, read || written);
            }
            Stmt::LetClosure { name, .. } | Stmt::Alias { name, .. } => {
                let read = read_later(name, rest, tail);
                unread(name, read);
            }
            Stmt::DestructArray { names, .. } | Stmt::DestructTuple { names, .. } => {
                for n in names {
                    let read = read_later(n, rest, tail);
                    unread(n, read);
                }
            }
            Stmt::For { pat, body, .. } => {
                for n in &mut pat.names {
                    let read = body.iter().any(|s| reads_stmt(s, n));
                    unread(n, read);
                }
                fix_block(body, None);
            }
            Stmt::If { then, els, .. } => {
                fix_block(then, None);
                if let Some(e) = els {
                    fix_block(e, None);
                }
            }
            Stmt::Match { arms, default, .. } => {
                for (_, b) in arms {
                    fix_block(b, None);
                }
                fix_block(default, None);
            }
            Stmt::While { body, .. } | Stmt::Loop { body } => fix_block(body, None),
            _ => {}
        }
    }
}
