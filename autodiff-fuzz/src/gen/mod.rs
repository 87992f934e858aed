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

mod exprs;
mod items;
mod loops;
mod reads;
mod rebinds;
mod stmts;

pub use reads::finalize;
pub(crate) use reads::{assigns, reads_expr, reads_stmt};
use reads::{exits, overlaps};

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
    let records = g.on(Family::Records);
    let widened = g.prec == Prec::F32 && g.on(Family::WidenedConditions) && g.chance(0.5);
    if widened {
        g.use_family(Family::WidenedConditions);
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
        records,
        widened,
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

    /// The name of a new float local (`t<k>`), held in a local struct when [`is_record`].
    fn float_local(&mut self) -> String {
        let name = self.fresh("t");
        if self.on(Family::Records) && is_record(&name) {
            self.use_family(Family::Records);
        }
        name
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
            Expr::MapArray { src, body, .. } => self.active_var(src) || self.active(body),
            Expr::FromFn { body, .. } => self.active(body),
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
            // `a % b` is printed as the operator whatever its form.
            Expr::Bin(_, a, b) | Expr::Bin2(Bin2Fn::Rem, a, b, _) => self.typed(a) || self.typed(b),
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
}
