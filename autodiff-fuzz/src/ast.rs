//! The generated programs: a small AST that is both printed as Rust (`print.rs`) and
//! interpreted with dual numbers (`oracle.rs`), so the two can never disagree about what the
//! program is.

/// The float type a program is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prec {
    F64,
    F32,
    /// `T: autodiff::Float`, instantiated with `f64` by the runner.
    Generic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamTy {
    Scalar,
    /// `[T; N]` by value.
    Array(usize),
    /// `&[T; N]`.
    ArrayRef(usize),
    /// `&[T]`; the runner passes a slice of the given length.
    Slice(usize),
    /// `&[[T; M]; N]` as `Matrix(N, M)`.
    Matrix(usize, usize),
    /// `usize`, never differentiated; the runner passes the given value.
    Usize(usize),
    /// `&S` for the struct `Program::structs[k]`: a model (differentiated, its gradient has
    /// the struct's type) or a data struct (passed through).
    Struct(usize),
}

impl ParamTy {
    /// How many input values the parameter takes, flattened: row-major for arrays, a struct's
    /// fields in declaration order.
    pub fn values(self, structs: &[StructDef]) -> usize {
        match self {
            ParamTy::Scalar => 1,
            ParamTy::Array(n) | ParamTy::ArrayRef(n) | ParamTy::Slice(n) => n,
            ParamTy::Matrix(n, m) => n * m,
            ParamTy::Usize(_) => 0,
            ParamTy::Struct(k) => structs[k].values(structs),
        }
    }

    /// How many of them are differentiated coordinates (the length of the flattened
    /// gradient): none of a data struct's.
    pub fn floats(self, structs: &[StructDef]) -> usize {
        match self {
            ParamTy::Struct(k) if !structs[k].model => 0,
            _ => self.values(structs),
        }
    }
}

/// The type of a struct field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldTy {
    Scalar,
    /// `[F; N]`.
    Array(usize),
    /// `Vec<F>` of the given length.
    Vec(usize),
    /// `[[F; M]; N]` as `Matrix(N, M)`.
    Matrix(usize, usize),
    /// The struct `Program::structs[k]`, a nested model.
    Struct(usize),
}

impl FieldTy {
    /// The parameter type whose value is written like the field's (`[..]`, `vec![..]`,
    /// `[[..]]`, `S { .. }`), so that inputs and literals are laid out once.
    pub fn as_param(self) -> ParamTy {
        match self {
            FieldTy::Scalar => ParamTy::Scalar,
            FieldTy::Array(n) => ParamTy::Array(n),
            FieldTy::Vec(n) => ParamTy::Slice(n),
            FieldTy::Matrix(n, m) => ParamTy::Matrix(n, m),
            FieldTy::Struct(k) => ParamTy::Struct(k),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub ty: FieldTy,
}

/// A module-level struct: a model, `#[derive(Clone, Debug, autodiff::Params)]`, or data
/// that no function differentiates (`cfg.scale`). Generic programs make it generic in `T`.
#[derive(Clone, Debug)]
pub struct StructDef {
    pub name: String,
    pub fields: Vec<Field>,
    pub model: bool,
}

impl StructDef {
    pub fn values(&self, structs: &[StructDef]) -> usize {
        self.fields
            .iter()
            .map(|f| f.ty.as_param().values(structs))
            .sum()
    }
}

/// What a function returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    Float,
    /// `[F; N]`: `_adjoint` takes `d_out: &[F; N]` and there is no `_grad`.
    Array(usize),
    /// `Vec<F>` of the given length; `d_out: &[F]`.
    Vec(usize),
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub ty: ParamTy,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    pub params: Vec<Param>,
    /// The parameters named in `#[grad(..)]` (what `_grad` differentiates); empty for a bare
    /// `#[grad]`, which differentiates every float and struct parameter.
    pub wrt: Vec<String>,
    pub ret: Ret,
    /// Returns `Result<F, String>` or `Option<F>` ([`Program::fallible`]); only functions
    /// that return a float.
    pub fallible: bool,
    /// For a function that returns an array, the tail is array-valued: a local array's name,
    /// an array literal, or a call of a helper that returns an array.
    pub body: Block,
}

impl Function {
    /// Whether `_grad` differentiates the parameter.
    pub fn in_grad(&self, p: &Param) -> bool {
        self.wrt.is_empty() || self.wrt.contains(&p.name)
    }
}

/// Statements and the trailing expression that is the block's value.
#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Expr,
}

/// A module-level constant: `const NAME: [F; N]` (a table), `&[F]`, `F` or `usize`.
#[derive(Clone, Debug)]
pub struct ConstTable {
    pub name: String,
    pub values: Vec<f64>,
    pub kind: ConstKind,
    /// Its float values written with a suffix (`2f64`, `0.5_f64`).
    pub suffixed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstKind {
    /// `const TABLE: [F; N] = [..];`
    Table,
    /// `const C: &[F] = &[..];`
    Slice,
    /// `const EPS: F = ..;` (one value).
    Scalar,
    /// `const N_TERMS: usize = ..;` (one value, an integer).
    Size,
}

/// How a function reports failure ([`Family::Fallible`](crate::family::Family)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fallible {
    /// `Result<F, String>`: `return Err(..)`, `Ok(v)`.
    Result,
    /// `Option<F>`: `return None`, `Some(v)`.
    Option,
}

/// How `f` is written as a method of the model `M` ([`Family::Methods`]): its first
/// parameter, named `self`, is `&self`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Method {
    /// `impl Objective for M` of a trait `Objective` the program declares, else `impl M`.
    pub trait_impl: bool,
    /// `#[grad(..)]` on the `impl` block rather than on the method.
    pub on_impl: bool,
}

/// A direct check of a helper that returns an array: its `_adjoint` at `inputs` (one per
/// parameter, flattened as in [`Program::inputs`]) with `d_out` must add the
/// vector-Jacobian product `d_outᵀ J` into its shadows.
#[derive(Clone, Debug)]
pub struct VjpCheck {
    pub helper: String,
    pub inputs: Vec<Vec<f64>>,
    pub d_out: Vec<f64>,
}

/// One generated program: structs, helpers, then the function under test `f`, and its inputs.
#[derive(Clone, Debug)]
pub struct Program {
    pub prec: Prec,
    /// Models and data structs; a struct's fields only name structs before it.
    pub structs: Vec<StructDef>,
    pub consts: Vec<ConstTable>,
    /// Each helper may call the ones before it; `main` may call all.
    pub helpers: Vec<Function>,
    pub main: Function,
    /// One input per parameter of `main`, flattened row-major (a `Usize` parameter has none).
    pub inputs: Vec<Vec<f64>>,
    /// One per helper that returns an array.
    pub vjps: Vec<VjpCheck>,
    /// `f` as a method of the struct of its first parameter `self`.
    pub method: Option<Method>,
    /// How the functions whose [`Function::fallible`] is set fail.
    pub fallible: Fallible,
    /// Some float locals are printed as a local struct `Rec { v: .. }` read as `t.v`
    /// (see [`is_record`]).
    pub records: bool,
    /// An `f32` program's float comparisons are printed in `f64`: `(a as f64) < (b as f64)`.
    pub widened: bool,
}

/// Whether a float local is printed as the field of a local struct, when
/// [`Program::records`] is set: every third `t<k>`, a name only `let`s bind (also when
/// one shadows another), so every read of it is of the struct.
pub fn is_record(name: &str) -> bool {
    name.strip_prefix('t')
        .and_then(|k| k.parse::<usize>().ok())
        .is_some_and(|k| k % 3 == 1)
}

impl Program {
    /// The struct `f` is a method of: its first parameter's, `self`.
    pub fn model_of_method(&self) -> usize {
        match self.main.params.first().map(|p| p.ty) {
            Some(ParamTy::Struct(k)) => k,
            _ => panic!("a method's first parameter is self"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnFn {
    Exp,
    Ln,
    Sin,
    Cos,
    Tanh,
    Sqrt,
    Abs,
    Atan,
    Sinh,
    Cosh,
    Asin,
    Acos,
    Cbrt,
    Recip,
    Ln1p,
    ExpM1,
    Log10,
    Log2,
    Exp2,
    Asinh,
    Acosh,
    Atanh,
    Tan,
    /// Piecewise constant: zero derivative.
    Floor,
}

impl UnFn {
    pub fn name(self) -> &'static str {
        match self {
            UnFn::Exp => "exp",
            UnFn::Ln => "ln",
            UnFn::Sin => "sin",
            UnFn::Cos => "cos",
            UnFn::Tanh => "tanh",
            UnFn::Sqrt => "sqrt",
            UnFn::Abs => "abs",
            UnFn::Atan => "atan",
            UnFn::Sinh => "sinh",
            UnFn::Cosh => "cosh",
            UnFn::Asin => "asin",
            UnFn::Acos => "acos",
            UnFn::Cbrt => "cbrt",
            UnFn::Recip => "recip",
            UnFn::Ln1p => "ln_1p",
            UnFn::ExpM1 => "exp_m1",
            UnFn::Log10 => "log10",
            UnFn::Log2 => "log2",
            UnFn::Exp2 => "exp2",
            UnFn::Asinh => "asinh",
            UnFn::Acosh => "acosh",
            UnFn::Atanh => "atanh",
            UnFn::Tan => "tan",
            UnFn::Floor => "floor",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bin2Fn {
    Powf,
    Max,
    Min,
    Hypot,
    Atan2,
    /// `a % b`, printed as the operator.
    Rem,
    RemEuclid,
}

impl Bin2Fn {
    pub fn name(self) -> &'static str {
        match self {
            Bin2Fn::Powf => "powf",
            Bin2Fn::Max => "max",
            Bin2Fn::Min => "min",
            Bin2Fn::Hypot => "hypot",
            Bin2Fn::Atan2 => "atan2",
            Bin2Fn::Rem => "rem",
            Bin2Fn::RemEuclid => "rem_euclid",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Gt,
    Le,
    Ge,
}

/// Integer (`usize`) expressions: indices, bounds, match scrutinees.
#[derive(Clone, Debug, PartialEq)]
pub enum IExpr {
    Lit(usize),
    Var(String),
    /// `x.len()`
    Len(String),
    Add(Box<IExpr>, Box<IExpr>),
    Sub(Box<IExpr>, Box<IExpr>),
    Mul(Box<IExpr>, Box<IExpr>),
    Rem(Box<IExpr>, Box<IExpr>),
}

#[derive(Clone, Debug)]
pub enum Cond {
    Cmp(CmpOp, Expr, Expr),
    ICmp(CmpOp, IExpr, IExpr),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

/// How a float literal is written (all forms mean the same value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LitForm {
    /// `1.5` (or `T::from(1.5).unwrap()` in generic code).
    Plain,
    /// `T::from_f64(1.5).unwrap()`; generic code only.
    FromF64,
    /// `2f64`, `1.5_f32`, `0_f64` (underscore when set): the program's float type as a
    /// suffix, so Rust knows the literal's type; f32 and f64 code only.
    Suffixed(bool),
}

/// An argument of a call to a generated helper.
#[derive(Clone, Debug)]
pub enum Arg {
    Scalar(Expr),
    /// `&x` for an array, a vec or a struct, `x` for something that is already a reference.
    Array {
        name: String,
        by_ref: bool,
    },
    /// `&w[i]`: a matrix row.
    Row(String, IExpr),
    /// `&g(..)`: a temporary array, the result of a helper that returns one.
    Ref(Expr),
    /// A `usize` argument: `N_TERMS`, `3`.
    Int(IExpr),
}

/// A reduction over a one-dimensional float array written as an iterator chain.
#[derive(Clone, Debug)]
pub enum Chain {
    /// `x.iter()<adaptors>.map(|&v| body).sum::<F>()` (a fold in generic code).
    MapSum {
        src: String,
        adaptors: Vec<Adaptor>,
        var: String,
        body: Box<Expr>,
    },
    /// `x.iter().zip(y.iter()).map(|(&a, &b)| body).sum::<F>()`.
    ZipSum {
        a: String,
        b: String,
        va: String,
        vb: String,
        body: Box<Expr>,
    },
    /// `x.iter().enumerate().fold(init, |acc, (i, &v)| acc + body)`.
    EnumFold {
        src: String,
        init: Box<Expr>,
        acc: String,
        idx: String,
        var: String,
        body: Box<Expr>,
    },
    /// `x.windows(2).map(|w| body(w[0], w[1])).sum::<F>()`.
    WindowsSum {
        src: String,
        win: String,
        body: Box<Expr>,
    },
    /// `x.iter().map(|&v| body).product::<F>()`.
    Product {
        src: String,
        var: String,
        body: Box<Expr>,
    },
    /// `x.iter().sum::<F>()` (a fold in generic code).
    Sum { src: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adaptor {
    Skip(usize),
    Take(usize),
    Rev,
    StepBy(usize),
}

#[derive(Clone, Debug)]
pub enum Expr {
    Lit(f64, LitForm),
    Var(String),
    /// `*v` for a `&F` loop binding.
    Deref(String),
    Index(String, IExpr),
    Index2(String, IExpr, IExpr),
    /// `i as F`
    Cast(IExpr),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// `e.f()`, or `F::f(e)` when `path` is set.
    Un(UnFn, Box<Expr>, bool),
    Bin2(Bin2Fn, Box<Expr>, Box<Expr>, bool),
    Powi(Box<Expr>, i32),
    MulAdd(Box<Expr>, Box<Expr>, Box<Expr>),
    If(Box<Cond>, Box<Block>, Box<Block>),
    /// `match scrutinee { k => .., .., _ => default }`
    Match(IExpr, Vec<(usize, Block)>, Box<Block>),
    /// A call of a helper; array-valued if the helper returns an array, which only a `let`
    /// binding, an [`Arg::Ref`] or a function's tail holds.
    Call(String, Vec<Arg>),
    /// A call of a fallible helper: `h(..)?` when set, else `h(..).unwrap()`.
    Try(Box<Expr>, bool),
    ClosureCall(String, Vec<Expr>),
    Chain(Chain),
    /// `[a, b, c]`, or `vec![a, b, c]` when set: the tail of a function that returns an array,
    /// or a branch of an array-valued `if` ([`Stmt::Rebind`]).
    ArrayLit(Vec<Expr>, bool),
    /// `x.map(|v| body)`: a new `[F; N]` from the array `x` (a reference to one too), only
    /// the value of a [`Stmt::Rebind`].
    MapArray {
        src: String,
        var: String,
        body: Box<Expr>,
    },
    /// `std::array::from_fn(|i| body)` of `len` elements, only the value of a
    /// [`Stmt::Rebind`] (which states the length).
    FromFn {
        idx: String,
        len: usize,
        body: Box<Expr>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Debug)]
pub enum ForIter {
    /// `lo..hi`, `lo..=hi`, optionally `.rev()` and `.step_by(k)`.
    Range {
        lo: IExpr,
        hi: IExpr,
        inclusive: bool,
        rev: bool,
        step: Option<usize>,
    },
    /// `for &v in x.iter()` (or `for v in x.iter()` read as `*v`).
    Iter { src: String },
    /// `for (i, &v) in x.iter().enumerate()`.
    Enumerate { src: String },
    /// `for (&a, &b) in x.iter().zip(y.iter())`.
    Zip { a: String, b: String },
    /// `for row in w.iter()`: each row an array.
    Rows { src: String },
}

impl ForIter {
    /// `lo..hi`.
    pub fn upto(lo: IExpr, hi: IExpr) -> Self {
        ForIter::Range {
            lo,
            hi,
            inclusive: false,
            rev: false,
            step: None,
        }
    }
}

/// The names a `for` loop binds; `by_ref` float bindings are read as `*v`.
#[derive(Clone, Debug)]
pub struct ForPat {
    pub names: Vec<String>,
    pub by_ref: bool,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Let {
        name: String,
        mutable: bool,
        annotate: bool,
        init: Expr,
    },
    /// `let mut k = 0;`
    LetInt {
        name: String,
        init: IExpr,
    },
    Assign {
        name: String,
        op: AssignOp,
        value: Expr,
    },
    /// `k += 1;`
    IncInt {
        name: String,
    },
    IndexAssign {
        name: String,
        idx: IExpr,
        op: AssignOp,
        value: Expr,
    },
    /// `let mut h = [0.0; N];` or `vec![0.0; N]`.
    LocalArray {
        name: String,
        len: usize,
        vec: bool,
    },
    /// `let mut a = *w;` (or `w`, or `w.to_vec()`): a mutable copy of an array parameter,
    /// field or local.
    ArrayCopy {
        name: String,
        src: String,
        len: usize,
        how: CopyHow,
    },
    If {
        cond: Cond,
        then: Vec<Stmt>,
        els: Option<Vec<Stmt>>,
    },
    Match {
        scrut: IExpr,
        arms: Vec<(usize, Vec<Stmt>)>,
        default: Vec<Stmt>,
        /// `n => ..` for the default arm: it binds the scrutinee's variable to the scrutinee's
        /// value (`n % 3`), in that arm only; the same name read after the `match` is the
        /// variable again.
        binding: Option<String>,
    },
    For {
        pat: ForPat,
        iter: ForIter,
        body: Vec<Stmt>,
    },
    While {
        cond: Cond,
        body: Vec<Stmt>,
    },
    Loop {
        body: Vec<Stmt>,
    },
    Break,
    Continue,
    Return(Expr),
    /// `let name = |p: F| body;`
    LetClosure {
        name: String,
        params: Vec<String>,
        body: Expr,
    },
    /// `let [a, b, ..] = *x;` (or `= x;` for an array by value).
    DestructArray {
        names: Vec<String>,
        src: String,
        deref: bool,
    },
    /// `let (a, b) = (e1, e2);`
    DestructTuple {
        names: Vec<String>,
        values: Vec<Expr>,
    },
    /// `assert!(x.len() == n);` or another integer condition.
    Assert(Cond),
    /// `let a = a.map(|v| ..);`, `let a: [F; N] = std::array::from_fn(|i| ..);`, `let a = if
    /// c { [a[1], a[0]] } else { *a };`: a new array of `len` made from an existing one, often
    /// under the name it reads ([`Family::ArrayRebinds`](crate::family::Family)); the type
    /// `[F; len]` written on the `let` when `annotate` is set.
    Rebind {
        name: String,
        len: usize,
        annotate: bool,
        init: Expr,
    },
    /// `let w = &m.w;`: an array or matrix field of a struct bound to a local.
    Alias {
        name: String,
        src: String,
    },
    /// `if cond { return Err(..); }` (or `return None;`) in a fallible function; the message
    /// shows the scalar `show` (`format!("x0 = {x0}")`) when set.
    Fail {
        cond: Cond,
        show: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyHow {
    /// `*w` from `&[F; N]`.
    Deref,
    /// `w` from `[F; N]` (a copy).
    Value,
    /// `w.to_vec()` from `&[F]`.
    ToVec,
}
