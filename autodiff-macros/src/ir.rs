//! The intermediate representation: a Wengert list in SSA form with structured control flow.
//!
//! Every intermediate value is a [`Var`] defined exactly once by a [`Stmt::Let`], an `if`'s
//! phi or a loop's carried value. User variables that are reassigned become several `Var`s.
//! Local arrays are the only mutable memory ([`Stmt::Store`]). `return` and `break` have
//! already been turned into flags and guarded blocks, so blocks run straight through.

use std::collections::BTreeSet;

use crate::hash::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};

use crate::rules::Rule;

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Var(pub usize);

#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ArrayId(pub usize);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ty {
    Float,
    Int,
    Bool,
    /// A value the lowering cannot type, e.g. a user constant. Never differentiated.
    Unknown,
}

/// The names taken in the generated code, and fresh ones: `base`, or the first of `base_1`,
/// `base_2`, ... not taken yet.
#[derive(Clone, Default)]
pub struct Namespace {
    taken: HashSet<String>,
    /// Per base, the last suffix `fresh` gave it. Names are never released, so every suffix
    /// below it is still taken: the next search starts there instead of at 1 (quadratic in
    /// the number of temporaries otherwise).
    last_suffix: HashMap<String, usize>,
}

impl Namespace {
    /// Takes `name`; whether it was free.
    pub fn insert(&mut self, name: String) -> bool {
        self.taken.insert(name)
    }

    /// A name made from `base` that was free, now taken.
    pub fn fresh(&mut self, base: &str) -> String {
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        let suffix = self.last_suffix.entry(base.to_string()).or_default();
        loop {
            *suffix += 1;
            let name = format!("{base}_{suffix}");
            if self.taken.insert(name.clone()) {
                return name;
            }
        }
    }
}

impl Extend<String> for Namespace {
    fn extend<I: IntoIterator<Item = String>>(&mut self, names: I) {
        self.taken.extend(names);
    }
}

impl FromIterator<String> for Namespace {
    fn from_iter<I: IntoIterator<Item = String>>(names: I) -> Self {
        let mut namespace = Namespace::default();
        namespace.extend(names);
        namespace
    }
}

/// Whether `name` parses as an identifier (not a keyword, not `_`). Spelled out for ASCII
/// names: parsing a string per generated local was an eighth of the macro's time.
pub fn is_identifier(name: &str) -> bool {
    if !name.is_ascii() {
        return syn::parse_str::<proc_macro2::Ident>(name).is_ok();
    }
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    // Keywords are letters only (but `_`): most generated names (`d_x`, `t_2`) are not one.
    let maybe_keyword = name == "_" || name.bytes().all(|b| b.is_ascii_alphabetic());
    identifier && !(maybe_keyword && KEYWORDS.contains(&name))
}

/// The words `syn` does not take for an identifier: Rust's keywords, reserved ones included.
const KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

pub struct VarInfo {
    pub name: String,
    pub ty: Ty,
    /// Whether the value may depend on a float parameter, as far as lowering can tell: it
    /// decides what may pass through as written (activity decides exactly what is active).
    pub varied: bool,
    pub span: Span,
    /// Named in the generated code as in the user's (a pass-through value, not a float,
    /// under its `let`'s name): code passed through reads it in place, where rebinding it
    /// would move a `Vec<usize>` at its first use.
    pub visible: bool,
    /// Visible and declared `let mut` (an iterator whose `next()` the code passed through
    /// calls): declared `mut` in the generated code too.
    pub mutable: bool,
    /// Holds a reference to data the user took (`let n = &cfg.n;`), kept as written: the
    /// user's `*n` is kept, and where the generated code needs its number it reads `*n`.
    pub reference: bool,
    /// Float data whose type the lowering does not know, taken from a data value by a pattern
    /// (`x` of `for (x, y) in data`): a number or an array, which `NAME_dual_adjoint` lifts
    /// to dual numbers by its shape (`__private::lift`) where it passes it to a call.
    pub shapeless: bool,
    /// For the copy a call's argument makes of such data, typed a float: the data it copies,
    /// which a branch that does not make the copy hands on in its place (a value of its type).
    pub copy_of: Option<Var>,
}

impl VarInfo {
    /// A value named `name`, in the generated code only.
    pub fn new(name: String, ty: Ty, varied: bool, span: Span) -> Self {
        VarInfo {
            name,
            ty,
            varied,
            span,
            visible: false,
            mutable: false,
            reference: false,
            shapeless: false,
            copy_of: None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Elem {
    Float,
    /// `bool`s: a read of one is a condition, a placeholder for one `false`.
    Bool,
    /// Integers, or data of a type the function does not see.
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ArrayOrigin {
    /// The function parameter with this index.
    Param(usize),
    Local,
    /// A `const` or `static` table passed to a call (`g(x, &COEFFS)`), or a data struct's
    /// array field (`cfg.shift`): data, never differentiated, read through its path.
    Constant,
}

pub struct ArrayInfo {
    /// The generated code's name (unique).
    pub name: String,
    /// The name as the user wrote it, for messages.
    pub written: String,
    pub elem: Elem,
    /// 1 for `[T]`-like, 2 for `[[T; M]; N]`.
    pub dims: usize,
    pub origin: ArrayOrigin,
    /// The length of each dimension, outermost first, when known (local arrays, whose
    /// lengths never change, and fixed-size parameters): `.len()` reads it without the array.
    pub lens: Vec<Operand>,
    /// The path of a `Constant` table (for a data field, the reference bound to it).
    pub path: Option<syn::Path>,
    /// Whether the type is a fixed-size array (`[T; N]`, `[[T; M]; N]`), every length in
    /// `lens` a constant: a copy of it is one too.
    pub fixed: bool,
    /// A 1-D float vector assigned whole (`h = layer.forward(&h);`), whose length may change:
    /// `lens` is empty (its length is read from it), and each assignment resizes it first.
    pub resizable: bool,
    /// For a resizable one declared in a loop body or a branch: its length where that block
    /// ends, which its adjoint starts with in the block's reverse.
    pub final_len: Option<Var>,
    pub span: Span,
}

#[derive(Clone)]
pub enum Operand {
    Var(Var),
    /// A literal as the user wrote it (`2.0`, `3`, `true`).
    Lit(syn::Lit),
    /// An expression that refers to no local: a constant, `T::zero()`, `f64::consts::PI`, an
    /// opaque parameter passed through.
    Const(syn::Expr),
}

impl Operand {
    /// The integer literal `0` (a range or slice that starts at the first element).
    pub fn is_zero(&self) -> bool {
        matches!(self, Operand::Lit(syn::Lit::Int(i)) if i.base10_digits() == "0")
    }

    pub fn var(&self) -> Option<Var> {
        match self {
            Operand::Var(v) => Some(*v),
            _ => None,
        }
    }

    /// Whether both are the same value: the same variable, or the same constant as written.
    pub fn same(&self, other: &Operand) -> bool {
        use quote::ToTokens;
        match (self, other) {
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
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

impl BinOp {
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UnOp {
    Neg,
    Not,
}

/// A local that a pass-through expression reads, rebound under the user's name.
#[derive(Clone)]
pub enum Capture {
    Value(Operand),
    /// A reference to data kept as written (`let x = &s.x;`), rebound as the reference
    /// itself, not the value behind it (an array lent to a call).
    Lent(Operand),
    /// A local array, rebound as a reference.
    Array(ArrayId),
    /// A row of a matrix bound by iteration, rebound as a reference.
    Row(ArrayId, Operand),
    /// A slice of an array, rebound as a reference.
    View(Box<Slice>),
    /// A tuple of numbers (an item of `enumerate`, `zip`), rebound as a tuple.
    Tuple(Vec<Operand>),
    /// A local struct of numbers, rebuilt from its fields: `Point { x: x_2, y: t_5 }`.
    Record {
        path: syn::Path,
        fields: Vec<(String, Operand)>,
    },
    /// A local `Option` of a number or a tuple of them, rebuilt from its flag and numbers
    /// (`tuple`: `Some((a, b))`).
    Optional {
        some: Operand,
        values: Vec<Operand>,
        tuple: bool,
    },
}

/// `a[offset..offset + len]`, or `a[row][offset..offset + len]`: a slice of a local array or
/// parameter, read in place.
#[derive(Clone)]
pub struct Slice {
    pub array: ArrayId,
    pub row: Option<Operand>,
    pub offset: Operand,
    pub len: Operand,
}

/// An expression (or a statement macro) no derivative flows through, emitted as written
/// inside a block that first rebinds the locals it reads: `{ let n = n_2; expr }`.
#[derive(Clone)]
pub struct Opaque {
    pub tokens: proc_macro2::TokenStream,
    pub captures: Vec<(proc_macro2::Ident, Capture)>,
    /// The type the user's `let` declared for it (`let s: f64 = (1..k).map(..).sum();`),
    /// which Rust may need to infer it.
    pub declared: Option<syn::Type>,
}

impl Opaque {
    fn visit_operands(&self, f: &mut dyn FnMut(&Operand)) {
        visit_captures(&self.captures, f);
    }
}

/// Calls `f` on every operand `captures` read.
fn visit_captures(captures: &[(proc_macro2::Ident, Capture)], f: &mut dyn FnMut(&Operand)) {
    for (_, capture) in captures {
        match capture {
            Capture::Value(x) | Capture::Lent(x) | Capture::Row(_, x) => f(x),
            Capture::Tuple(xs) => xs.iter().for_each(&mut *f),
            Capture::Record { fields, .. } => fields.iter().for_each(|(_, x)| f(x)),
            Capture::Optional { some, values, .. } => {
                f(some);
                values.iter().for_each(&mut *f);
            }
            Capture::View(s) => {
                s.row.iter().for_each(&mut *f);
                f(&s.offset);
                f(&s.len);
            }
            Capture::Array(_) => {}
        }
    }
}

/// How an array is handed to a called function.
#[derive(Clone)]
pub struct ArrayArg {
    pub array: ArrayId,
    /// `&w[i]`: one row of a matrix.
    pub row: Option<Operand>,
    /// `&net.layers[k].attn`: a sub-model (or an array) inside the item the row picks, lent
    /// whole; the fields that lead to it.
    pub members: Vec<syn::Member>,
    /// `&x[a..b]`: the elements passed, their start and count (of the row, if any).
    pub slice: Option<Box<(Operand, Operand)>>,
    /// Whether the user wrote `&`.
    pub by_ref: bool,
    /// Whether the user wrote `*` (`*x` of a parameter `x: &[T; N]`, passed by value).
    pub deref: bool,
    /// For a local array: a copy of what the call saw, made (and taped in a loop) only when
    /// the array is written again before the reverse sweep reaches the call.
    pub snapshot: Option<Var>,
}

#[derive(Clone)]
pub enum Arg {
    Scalar(Operand),
    Array(ArrayArg),
    /// A struct of data passed whole: a parameter `#[grad(..)]` leaves out (`f(cfg, x)`,
    /// `self.step(x)`, its expression as written), or a local bound to a struct literal of
    /// data (`unit.ln_pdf(x)`). No derivative; the callee may differentiate its own parameter
    /// though, so the call goes through its `_with_data`, with `Const` there.
    Data {
        value: Operand,
        by_ref: bool,
    },
    /// A local struct of numbers passed whole (`dist.ln_pdf(x)` of `let dist = Normal { .. }`):
    /// rebuilt from its fields' values at the call, its shadow a zeroed struct whose fields
    /// are added into theirs after it. With no path, a tuple of numbers (`dist((x, y), p)`,
    /// a tuple parameter or local passed on), its fields `0`, `1`, ..
    Record {
        path: Option<syn::Path>,
        fields: Vec<(String, Operand)>,
        by_ref: bool,
    },
}

/// A `&mut` borrow of data handed to a call (an RNG, a counter, running statistics), which
/// the call changes: its state before the call, from which the reverse sweep's call of the
/// callee's `_adjoint` (which runs the callee's forward sweep again) replays it, so that both
/// see what the call saw, and the data is changed once.
#[derive(Clone)]
pub struct Replay {
    /// The argument's position.
    pub position: usize,
    /// A copy of the data as it was before the call.
    pub state: Var,
}

/// How a fallible callee's result is unwrapped: `suffix` as written (`?`, `.unwrap()`,
/// `.ok()?`, `.map_err(f)?`), then, for `.unwrap_or(d)`, the number `d` in its place on a
/// failure (a data value: nothing to differentiate).
#[derive(Clone)]
pub struct Unwrap {
    pub suffix: TokenStream,
    pub or: Option<syn::Expr>,
    /// The locals `suffix` and `or` read (`k` of `.ok_or(E::At(k))?`), bound under their
    /// names after the call, as an opaque expression's are.
    pub captures: Vec<(proc_macro2::Ident, Capture)>,
}

impl Unwrap {
    /// `call`, unwrapped by `unwrap` if it has one: for `unwrap_or(d)`, through a helper that
    /// also gives a forward-mode callee's `(value, tangent)` the pair `(d, 0)`.
    pub fn apply(unwrap: Option<&Unwrap>, call: TokenStream) -> TokenStream {
        let Some(Unwrap { suffix, or, .. }) = unwrap else {
            return call;
        };
        match or {
            None => quote::quote!(#call #suffix),
            Some(d) => quote::quote!(::autodiff::__private::or_fallback(#call #suffix, #d)),
        }
    }
}

/// `ReturnedArray::resize(&mut array, len);`: the code of a [`Stmt::Resize`] for a vector, or
/// for its adjoint or tangent, given the length the vector takes (or had).
pub fn resize_to(array: impl quote::ToTokens, len: impl quote::ToTokens) -> TokenStream {
    quote::quote!(::autodiff::__private::ReturnedArray::resize(&mut #array, #len);)
}

/// What a call calls.
#[derive(Clone)]
pub enum Callee {
    /// A function by its path: `g`, `layers::dense`, `Normal::ln_pdf`.
    Path(syn::Path),
    /// A method of the call's first argument, a sub-model whose type the function does not
    /// write (`self.l1.forward(x)`): its items are reached by method-call syntax.
    Method(syn::Ident),
    /// A number in a field of the call's first argument, an item of a sequence of sub-models,
    /// at the other arguments as indices: `l.w[j]` is `w(&net_layers[k], j)`. Its "adjoint"
    /// adds into the same place of the item's shadow (and has no value), its "tangent" reads
    /// the item's tangent there. With a float type, the field is read through `as` to it
    /// (`l.n as f64`): a count or a parameter, which the field's type decides
    /// (`__private::cast_shadow`).
    Field(syn::Member, Option<syn::Type>),
}

impl Callee {
    /// The call of the callee's item named with `suffix` (`_adjoint`; `""` for the callee
    /// itself) on `args`: `g_adjoint(args..)`, or `receiver.forward_adjoint(rest..)`, the
    /// receiver being the first argument without its `&` (method calls borrow it).
    /// `generated` is how many of `args` the item has type parameters for (its shadows or
    /// tangents), after the callee's own.
    pub fn call(&self, suffix: &str, args: Vec<TokenStream>, generated: usize) -> TokenStream {
        let named = |ident: &syn::Ident| match suffix {
            "" => ident.clone(),
            _ => quote::format_ident!("{ident}_{suffix}", span = ident.span()),
        };
        match self {
            Callee::Path(path) => {
                let mut path = path.clone();
                if let Some(last) = path.segments.last_mut() {
                    last.ident = named(&last.ident);
                    // `dense::<f64>(w, x)`, `power::<3>(x)`: a generated item has a type
                    // parameter per shadow or tangent after the function's own, inferred.
                    if let (false, syn::PathArguments::AngleBracketed(written)) =
                        (suffix.is_empty(), &mut last.arguments)
                    {
                        written.args.extend(
                            (0..generated)
                                .map(|_| -> syn::GenericArgument { syn::parse_quote!(_) }),
                        );
                    }
                }
                quote::quote!(#path(#(#args),*))
            }
            Callee::Method(method) => {
                let mut args = args.into_iter();
                let receiver = args.next().unwrap_or_default();
                let receiver = strip_reference(receiver);
                let method = named(method);
                quote::quote!(#receiver.#method(#(#args),*))
            }
            Callee::Field(member, cast) => {
                let mut args = args;
                let item = args.remove(0);
                let place = strip_reference(item.clone());
                // The adjoint's last two arguments are `d` and the item's shadow, the tangent's
                // last its tangent; the indices come first.
                let tail = match suffix {
                    "" => 0,
                    "tangent" => 1,
                    _ => 2,
                };
                let extra = args.split_off(args.len().saturating_sub(tail));
                let at = quote::quote!(.#member #([#args])*);
                let name = match member {
                    syn::Member::Named(ident) => {
                        ident.to_string().trim_start_matches("r#").to_string()
                    }
                    syn::Member::Unnamed(index) => index.index.to_string(),
                };
                let is_param = quote::quote!(::autodiff::__param_field!(#item, #name));
                let m = crate::reverse::closure_param(&at);
                let cast = cast.as_ref().map(|f| quote::quote!(as #f));
                let add = match cast {
                    Some(_) => quote::format_ident!("add_to_cast_field"),
                    None => quote::format_ident!("add_to_field"),
                };
                match (suffix, extra.as_slice()) {
                    ("tangent", [tangent]) => quote::quote!((
                        #place #at #cast,
                        ::autodiff::__private::field_tangent(#item, #tangent, #is_param, |#m| #m #at #cast)
                    )),
                    (_, [d, shadow]) => quote::quote!(
                        ::autodiff::__private::#add(#item, #shadow, #is_param, #d, |#m| &mut #m #at)
                    ),
                    _ => quote::quote!((#place #at #cast)),
                }
            }
        }
    }
}

/// `tokens` without a leading `&`.
fn strip_reference(tokens: TokenStream) -> TokenStream {
    match tokens.clone().into_iter().next() {
        Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == '&' => {
            tokens.into_iter().skip(1).collect()
        }
        _ => tokens,
    }
}

impl quote::ToTokens for Callee {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Callee::Path(path) => path.to_tokens(tokens),
            Callee::Method(method) => method.to_tokens(tokens),
            Callee::Field(member, _) => member.to_tokens(tokens),
        }
    }
}

#[derive(Clone)]
pub enum Op {
    Copy(Operand),
    Unary(UnOp, Operand),
    Binary(BinOp, Operand, Operand),
    /// `e as ty`.
    Cast(Operand, syn::Type),
    /// `T::from(e).unwrap()`: `path` is `T::from` (or `<f64 as NumCast>::from`).
    NumCast(syn::ExprPath, Operand),
    /// A primitive of the rules table: `floats` are differentiated, `others` (e.g. the
    /// exponent of `powi`) are not.
    Prim {
        rule: &'static Rule,
        floats: Vec<Operand>,
        others: Vec<Operand>,
        /// `f64` in `f64::max(a, x)`: the path form is kept, since it gives a receiver of
        /// inferred type (a data field holding `1.0`) its type, where `a.max(x)` would not.
        owner: Option<syn::Type>,
    },
    /// A call of a function whose derivative is its `_adjoint`.
    Call {
        callee: Callee,
        args: Vec<Arg>,
        replays: Vec<Replay>,
        /// What unwraps a fallible callee's result, as written (`?`, `.unwrap()`,
        /// `.map_err(f)?`, `.unwrap_or(d)`): the reverse sweep ignores its `_adjoint`'s
        /// `Result` (a failure adds nothing to the shadows).
        unwrap: Option<Unwrap>,
    },
    /// An integer method (`i.min(n)`), never differentiated.
    IntMethod {
        name: syn::Ident,
        receiver: Operand,
        args: Vec<Operand>,
    },
    Load {
        array: ArrayId,
        index: Vec<Operand>,
    },
    Len {
        array: ArrayId,
        row: Option<Operand>,
    },
    /// An expression that does not depend on a differentiated value, as written.
    Opaque(Opaque),
    /// A copy of a local array (or of one row) as it is now, for a call's reverse sweep.
    Snapshot {
        array: ArrayId,
        row: Option<Operand>,
    },
}

pub struct Phi {
    pub var: Var,
    pub then_value: Operand,
    pub else_value: Operand,
}

pub struct Carried {
    /// The value at the start of an iteration (a block argument of the body).
    pub inner: Var,
    pub init: Operand,
    /// The value at the end of an iteration; becomes `inner` of the next one.
    pub next: Operand,
    /// The value after the loop.
    pub out: Var,
}

#[derive(Clone)]
pub struct CountedRange {
    pub start: Operand,
    pub end: Operand,
    pub inclusive: bool,
    /// Iterator adaptors applied to the range, in order.
    pub adaptors: Vec<Adaptor>,
}

#[derive(Clone)]
pub enum Adaptor {
    Rev,
    StepBy(Operand),
    /// `.skip(n)` and `.take(n)`: the segments of a checkpointed loop (`checkpoint.rs`).
    Skip(Operand),
    Take(Operand),
}

impl Adaptor {
    /// The count the adaptor reads, if any.
    pub fn operand(&self) -> Option<&Operand> {
        match self {
            Adaptor::Rev => None,
            Adaptor::StepBy(x) | Adaptor::Skip(x) | Adaptor::Take(x) => Some(x),
        }
    }
}

pub enum LoopKind {
    /// `for counter in range`.
    Counted { counter: Var, range: CountedRange },
    /// `while cond`: `header` computes `cond` before every iteration (no float work).
    While { header: Block, cond: Operand },
}

pub struct Loop {
    pub kind: LoopKind,
    pub carried: Vec<Carried>,
    pub body: Block,
    /// A flag the body sets to leave the loop after the current iteration (`break`, `return`).
    pub exit: Option<Operand>,
    /// Counts the iterations run, for loops whose trip count is not their range's
    /// (`while`, `loop`, and `for` with an early exit): the reverse sweep replays that many.
    pub trips: Option<Var>,
    pub span: Span,
    /// `#[checkpoint]`: see `checkpoint.rs`.
    pub checkpoint: Option<Checkpoint>,
}

/// A loop the reverse sweep replays from saved states instead of a tape (`checkpoint.rs`).
pub enum Checkpoint {
    /// `#[checkpoint]` as written, on a `for` loop of the function's top level.
    Marked(Span),
    /// The loop over segments a marked loop became: each iteration copies these local
    /// arrays (array, copy) first; its reverse restores them and the carried values, and
    /// runs the iteration's forward again, taped, before its reverse.
    Segments { saved: Vec<(ArrayId, Var)> },
}

pub enum Stmt {
    Let {
        var: Var,
        op: Op,
    },
    Store {
        array: ArrayId,
        index: Vec<Operand>,
        value: Operand,
    },
    /// A local array: `[fill; N]`, `[[fill; M]; N]`, `vec![fill; n]`, `vec![[fill; M]; n]`
    /// or `vec![vec![fill; m]; n]`.
    DeclareArray {
        array: ArrayId,
        fill: Operand,
        /// Lengths of the fixed-size dimensions, outermost first, as written.
        fixed_lens: Vec<syn::Expr>,
        /// The run-time length of a `vec!`.
        vec_len: Option<Operand>,
        /// The run-time length of each row of a `vec![vec![fill; m]; n]`.
        row_len: Option<Operand>,
        /// Zeros of the same type as this parameter array instead (a copy of a model's field,
        /// whose type the function does not spell out).
        like: Option<ArrayId>,
    },
    /// `let h = g(args);` where `g` returns an array (a vector-valued `#[grad]` function):
    /// a local array holding the result. `shape` is what the reverse sweep makes the
    /// adjoint buffer from (`h` itself may be out of scope there).
    CallArray {
        array: ArrayId,
        callee: Callee,
        args: Vec<Arg>,
        replays: Vec<Replay>,
        shape: Var,
        /// The callee returns a tuple of the array's numbers (`let (r, theta) = polar(x,
        /// y);`): its value is taken as the array (`tuple_array`), its cotangent passed as the
        /// tuple.
        tuple: bool,
        /// What unwraps a fallible callee's result, as written (`let h = g(x)?;`).
        unwrap: Option<Unwrap>,
    },
    /// `h.resize(len, 0)` before a resizable array is assigned whole; `prev` is its length
    /// before, which the reverse sweep gives its adjoint back.
    Resize {
        array: ArrayId,
        len: Operand,
        prev: Var,
    },
    /// A statement that computes nothing the function differentiates (`assert!(..)`).
    Effect(Opaque),
    If {
        cond: Operand,
        then_block: Block,
        else_block: Block,
        phis: Vec<Phi>,
    },
    Loop(Box<Loop>),
}

#[derive(Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
}

pub struct Body {
    /// Items declared in the body (`const G: f64 = 9.81;`, `use`, helper `fn`s), emitted
    /// as written at the top of the generated body.
    pub items: Vec<syn::Item>,
    pub vars: Vec<VarInfo>,
    /// The values of the scalar parameters (float, integer, bool), in parameter order.
    pub param_vars: Vec<Var>,
    pub arrays: Vec<ArrayInfo>,
    pub block: Block,
    pub result: Operand,
    /// The result of a vector-valued function (`-> [T; M]`, `-> Vec<T>`): a local array,
    /// whose adjoint starts as `d_out`. `result` is unused then.
    pub output: Option<ArrayId>,
}

impl Body {
    pub fn var(&self, v: Var) -> &VarInfo {
        &self.vars[v.0]
    }

    pub fn array(&self, a: ArrayId) -> &ArrayInfo {
        &self.arrays[a.0]
    }

    /// The float vectors declared at the top level by `vec![x; n]` whose length never
    /// changes (not `resizable`): they are in scope in the whole reverse sweep, so a copy of
    /// one taken in a loop can be restored from its length.
    /// The length a scratch vector of the top level is declared with (`vec![0.0; n]`).
    pub fn vec_len(&self, array: ArrayId) -> Option<&Operand> {
        self.block.stmts.iter().find_map(|stmt| match stmt {
            Stmt::DeclareArray {
                array: a,
                vec_len: Some(n),
                row_len: None,
                ..
            } if *a == array => Some(n),
            _ => None,
        })
    }

    pub fn top_level_vecs<C: FromIterator<ArrayId>>(&self) -> C {
        self.block
            .stmts
            .iter()
            .filter_map(|stmt| match stmt {
                Stmt::DeclareArray {
                    array,
                    fixed_lens,
                    vec_len: Some(_),
                    row_len: None,
                    like: None,
                    ..
                } if fixed_lens.is_empty()
                    && self.array(*array).elem == Elem::Float
                    && !self.array(*array).resizable =>
                {
                    Some(*array)
                }
                _ => None,
            })
            .collect()
    }
}

impl Block {
    /// Calls `f` on every statement of the block and of the blocks nested in it (a `while`
    /// loop's header included), outer statements first.
    pub fn for_each_stmt(&self, f: &mut dyn FnMut(&Stmt)) {
        for_each_stmt(&self.stmts, f);
    }

    /// Calls `f` on every operand read in the block, nested blocks included.
    pub fn visit_operands(&self, f: &mut dyn FnMut(&Operand)) {
        for stmt in &self.stmts {
            stmt.visit_operands(f);
        }
    }
}

/// [`Block::for_each_stmt`] over some of a block's statements.
pub fn for_each_stmt(stmts: &[Stmt], f: &mut dyn FnMut(&Stmt)) {
    for stmt in stmts {
        f(stmt);
        match stmt {
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                then_block.for_each_stmt(f);
                else_block.for_each_stmt(f);
            }
            Stmt::Loop(l) => {
                if let LoopKind::While { header, .. } = &l.kind {
                    header.for_each_stmt(f);
                }
                l.body.for_each_stmt(f);
            }
            _ => {}
        }
    }
}

impl Stmt {
    /// Calls `f` on every operand the statement reads, nested blocks included.
    pub fn visit_operands(&self, f: &mut dyn FnMut(&Operand)) {
        match self {
            Stmt::Let { op, .. } => op.visit_operands(f),
            Stmt::Store { index, value, .. } => {
                index.iter().for_each(&mut *f);
                f(value);
            }
            Stmt::Effect(o) => o.visit_operands(f),
            Stmt::Resize { len, prev, .. } => {
                f(len);
                f(&Operand::Var(*prev));
            }
            Stmt::CallArray { args, unwrap, .. } => {
                visit_args(args, f);
                if let Some(u) = unwrap {
                    visit_captures(&u.captures, f);
                }
            }
            Stmt::DeclareArray {
                fill,
                vec_len,
                row_len,
                ..
            } => {
                f(fill);
                vec_len.iter().chain(row_len).for_each(f);
            }
            Stmt::If {
                cond,
                then_block,
                else_block,
                phis,
            } => {
                f(cond);
                then_block.visit_operands(f);
                else_block.visit_operands(f);
                for p in phis {
                    f(&p.then_value);
                    f(&p.else_value);
                }
            }
            Stmt::Loop(l) => {
                if let LoopKind::Counted { range, .. } = &l.kind {
                    f(&range.start);
                    f(&range.end);
                    for s in range.adaptors.iter().filter_map(Adaptor::operand) {
                        f(s);
                    }
                }
                if let LoopKind::While { header, cond } = &l.kind {
                    header.visit_operands(f);
                    f(cond);
                }
                for c in &l.carried {
                    f(&c.init);
                    f(&c.next);
                }
                l.body.visit_operands(f);
                if let Some(e) = &l.exit {
                    f(e);
                }
            }
        }
    }
}

impl Op {
    /// Calls `f` on every operand the op reads.
    pub fn visit_operands(&self, f: &mut dyn FnMut(&Operand)) {
        let op = self;
        match op {
            Op::Copy(x) | Op::Unary(_, x) | Op::Cast(x, _) | Op::NumCast(_, x) => f(x),
            Op::Binary(_, a, b) => {
                f(a);
                f(b);
            }
            Op::Prim { floats, others, .. } => floats.iter().chain(others).for_each(f),
            Op::IntMethod { receiver, args, .. } => {
                f(receiver);
                args.iter().for_each(f);
            }
            Op::Call { args, unwrap, .. } => {
                visit_args(args, f);
                if let Some(u) = unwrap {
                    visit_captures(&u.captures, f);
                }
            }
            Op::Load { index, .. } => index.iter().for_each(f),
            Op::Opaque(o) => o.visit_operands(f),
            Op::Snapshot { row, .. } | Op::Len { row, .. } => {
                if let Some(r) = row {
                    f(r);
                }
            }
        }
    }
}

/// The type a conversion `T::from(e)`, `<T as NumCast>::from(e)` converts into.
pub fn conversion_target(path: &syn::ExprPath) -> Option<&syn::Ident> {
    match &path.qself {
        Some(q) => match &*q.ty {
            syn::Type::Path(t) => t.path.get_ident(),
            _ => None,
        },
        None => path.path.segments.first().map(|s| &s.ident),
    }
}

/// Calls `f` on every operand a call's arguments read.
fn visit_args(args: &[Arg], f: &mut dyn FnMut(&Operand)) {
    for a in args {
        match a {
            Arg::Scalar(x) | Arg::Data { value: x, .. } => f(x),
            Arg::Record { fields, .. } => fields.iter().for_each(|(_, x)| f(x)),
            Arg::Array(a) => {
                a.row.iter().for_each(&mut *f);
                if let Some((start, len)) = a.slice.as_deref() {
                    f(start);
                    f(len);
                }
            }
        }
    }
}

impl Block {
    /// The parameter array that the local `array` was declared like (a copy of a model's
    /// field, whose type the function does not spell out), if it was.
    pub fn copied_like(&self, array: ArrayId) -> Option<ArrayId> {
        let mut source = None;
        self.for_each_stmt(&mut |stmt| {
            if let Stmt::DeclareArray {
                array: declared,
                like: Some(like),
                ..
            } = stmt
            {
                if *declared == array {
                    source = Some(*like);
                }
            }
        });
        source
    }

    /// The arrays the block touches (reads, writes, passes, measures), nested blocks
    /// included, and the ones it stores into.
    pub fn arrays(&self, touched: &mut BTreeSet<ArrayId>, stored: &mut BTreeSet<ArrayId>) {
        for stmt in &self.stmts {
            stmt.arrays(touched, stored);
        }
    }
}

impl Stmt {
    /// The arrays the statement touches, nested blocks included, and the ones it stores
    /// into.
    pub fn arrays(&self, touched: &mut BTreeSet<ArrayId>, stored: &mut BTreeSet<ArrayId>) {
        let mut visit = |s: &Stmt| match s {
            Stmt::Let { op, .. } => touched.extend(op.arrays()),
            Stmt::Store { array, .. } | Stmt::Resize { array, .. } => {
                touched.insert(*array);
                stored.insert(*array);
            }
            Stmt::CallArray { array, args, .. } => {
                touched.insert(*array);
                touched.extend(arg_arrays(args));
            }
            Stmt::DeclareArray { array, like, .. } => {
                touched.insert(*array);
                touched.extend(*like);
            }
            Stmt::Effect(o) => touched.extend(o.arrays()),
            Stmt::If { .. } | Stmt::Loop(_) => {}
        };
        visit(self);
        for b in self.nested_blocks() {
            b.for_each_stmt(&mut visit);
        }
    }

    /// The blocks directly inside the statement: an `if`'s branches, a loop's header and body.
    pub fn nested_blocks(&self) -> Vec<&Block> {
        match self {
            Stmt::If {
                then_block,
                else_block,
                ..
            } => vec![then_block, else_block],
            Stmt::Loop(l) => match &l.kind {
                LoopKind::While { header, .. } => vec![header, &l.body],
                LoopKind::Counted { .. } => vec![&l.body],
            },
            _ => Vec::new(),
        }
    }
}

impl Op {
    /// The arrays the op reads (or measures).
    pub fn arrays(&self) -> Vec<ArrayId> {
        match self {
            Op::Load { array, .. } | Op::Len { array, .. } | Op::Snapshot { array, .. } => {
                vec![*array]
            }
            Op::Call { args, .. } => arg_arrays(args),
            Op::Opaque(o) => o.arrays(),
            _ => Vec::new(),
        }
    }
}

impl Opaque {
    /// The arrays the expression reads.
    pub fn arrays(&self) -> Vec<ArrayId> {
        self.captures
            .iter()
            .filter_map(|(_, c)| match c {
                Capture::Array(a) | Capture::Row(a, _) => Some(*a),
                Capture::View(s) => Some(s.array),
                Capture::Value(_)
                | Capture::Lent(_)
                | Capture::Tuple(_)
                | Capture::Record { .. }
                | Capture::Optional { .. } => None,
            })
            .collect()
    }
}

/// The arrays a call's arguments pass.
pub fn arg_arrays(args: &[Arg]) -> Vec<ArrayId> {
    args.iter()
        .filter_map(|a| match a {
            Arg::Array(a) => Some(a.array),
            Arg::Scalar(_) | Arg::Data { .. } | Arg::Record { .. } => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_as_syn_parses_them() {
        for name in KEYWORDS.iter().copied().chain([
            "x", "d_x", "_x", "x1", "X_1", "1x", "r", "self_", "gen", "union", "x-y", "",
        ]) {
            assert_eq!(
                is_identifier(name),
                syn::parse_str::<proc_macro2::Ident>(name).is_ok(),
                "{name}"
            );
        }
    }
}
