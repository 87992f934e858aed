//! Lowering: the user's function body (syn) to the SSA IR of `ir.rs`.
//!
//! User variables are cells whose current value is an SSA operand; reassignment makes a new
//! value, `if` merges cells with phis, loops carry the cells they assign. `return`, `break`
//! and `continue` set flag cells, and the statements after one are guarded by the flags, so
//! every IR block runs straight through. Anything outside the differentiable subset is
//! reported (all of it, not just the first) and lowering goes on.

mod array_maps;
mod arrays;
mod assign;
mod build;
mod call;
pub mod chains;
pub mod closure_bodies;
pub mod closure_returns;
pub mod collected;
mod control;
mod conversions;
pub mod element_refs;
mod expr;
mod fallible;
mod float_data;
pub mod held;
pub mod hygiene;
mod in_place;
mod integer_reads;
pub mod item_aliases;
mod iter;
pub mod labels;
pub mod let_chains;
mod loops;
pub(crate) mod methods;
pub mod models;
mod names;
mod opaque;
mod optional;
mod prescan;
mod pushes;
mod records;
pub mod replaced;
pub mod scans;
pub(crate) use control::bound_names;
pub(crate) use opaque::mentioned_names;
mod slice_patterns;
mod spans;
pub mod split_lets;
pub mod statement_forms;
mod stmt;
mod tuples;
pub mod written_params;
mod written_types;

use arrays::LocalArray;
use expr::compound_op;
pub(crate) use integer_reads::read_as_integer;
use integer_reads::{integer_names, is_integer_type};
use loops::scan_loop;
use stmt::contains_return;

use crate::hash::{HashMap, HashSet};
use std::rc::Rc;

use proc_macro2::Span;
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{BinOp as SynBinOp, Expr, Lit, Pat, Stmt as SynStmt, UnOp as SynUnOp};

use crate::diag::Errors;
use crate::ir::*;
use crate::rules::{self, Rule};
use crate::sig::{Output, ParamKind, Shape, Signature, INT_TYPES};

/// A user binding.
#[derive(Clone)]
enum Binding {
    Scalar {
        cell: usize,
        mutable: bool,
    },
    Array(ArrayId),
    /// One row of a matrix, bound by `for row in w.iter()`; `lent_mut` for a `&mut` reference
    /// to it (`let r = &mut rows[i];`, an item of `rows.iter_mut()`): another name bound to
    /// it is the same reference, not a copy. `copied`: bound by value (`let a = v[0];`), read
    /// in place, and passed to a call by value as the copy would be.
    Row {
        array: ArrayId,
        index: Operand,
        lent_mut: bool,
        copied: bool,
    },
    /// A parameter of a type the macro does not look into.
    Opaque,
    /// A slice of an array or row (`&x[1..]`, a window of `x.windows(k)`).
    View(Box<Slice>),
    /// A local closure (`let sq = |v: f64| v * v;`), inlined where it is called.
    Closure(Rc<LocalClosure>),
    /// A tuple of values (`let pair = (x[i], y[i]);`, an item of `zip`).
    Tuple(Vec<Value>),
    /// An element of a local array bound by `iter_mut()`: `*v += x` stores into it.
    Element {
        array: ArrayId,
        index: Vec<Operand>,
    },
    /// A local struct of numbers (`let p = Point { x: a, y: b };`), its fields bound as
    /// scalars under `p.x`, `p.y` (`records.rs`).
    Record {
        /// The struct's path as the literal names it (`Point`, `Complex::<f64>`), for code
        /// passed through that reads the struct whole; `None` for a tuple (`let mut acc =
        /// (1.0, 0.0);`, its fields `0`, `1`).
        path: Option<syn::Path>,
        fields: Vec<String>,
    },
    /// A local `Option` of a number or of a tuple of `parts` numbers (0: a number), its flag
    /// and numbers bound as scalars under `o?some` and `o?value` (`optional.rs`).
    Optional {
        parts: usize,
    },
    /// A name bound to a value that was already reported as an error.
    Poisoned,
}

/// A closure bound by `let`, with the locals it captured where it was defined.
struct LocalClosure {
    closure: syn::ExprClosure,
    captures: Vec<(proc_macro2::Ident, Capture)>,
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
    /// A slice of an array or row.
    View(Box<Slice>),
    /// `&mut a[i]`.
    Element {
        array: ArrayId,
        index: Vec<Operand>,
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

/// The flags a loop body checks: set by `break`, `continue` and `return`; and the cell a
/// `break value` of a `loop` assigns.
struct LoopFlags {
    brk: Option<usize>,
    cont: Option<usize>,
    value: Option<usize>,
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
    ret: Option<(usize, Vec<usize>)>,
    loops: Vec<LoopFlags>,
    /// Names already used by a generated local, and every name the user binds (reserved so
    /// that a user's variable keeps its name in the generated code).
    names: Namespace,
    /// The names the user binds (parameters included): kept for the user's values.
    reserved: HashSet<String>,
    /// User names already given to a value.
    claimed: HashSet<String>,
    /// Arrays already reported as read with more indices than they have (once each).
    read_too_deep: HashSet<ArrayId>,
    /// Whether the body has bound a local closure yet (code passed through that names one
    /// has it written out: `opaque.rs`).
    closures_bound: bool,
    param_vars: Vec<Var>,
    /// How many loops were synthesized (for iterator chains), to name their locals.
    synthetic: usize,
    /// Items declared in the body.
    items: Vec<syn::Item>,
    /// Whether `items` brings `__private::Bound`'s methods into scope (`import_bound`).
    bound_imported: bool,
    /// Passed-through float data the function does not type: elements of `const` tables
    /// (`TABLE[k]`, an item of `TABLE.iter()`), numbers a data enum's variant holds
    /// (`Loss::Huber { delta }`): floats for a callee that takes a shadow for them.
    table_elements: HashSet<Var>,
    /// What plain calls of unknown result type returned (`let decl = declination(day);`):
    /// float data for a callee, unless the name it is passed under says an index.
    call_results: HashSet<Var>,
    /// Data of the float type the function does not compute in (`let c: f64 = ..;`, `n as
    /// f64` in an `f32` function), and what arithmetic and float methods make of it: of that
    /// type, computed as written (never retyped to the function's float).
    other_floats: HashSet<Var>,
    /// Names the body reads as arrays: a call bound to one returns an array.
    array_locals: HashSet<String>,
    /// Names the body reads with two indices (`m[i][j]`): a call bound to one returns a
    /// matrix.
    matrix_locals: HashSet<String>,
    /// Names the body matches with `Some(..)` or asks `is_some()`/`is_none()`: a call bound
    /// to one returns an `Option`.
    option_locals: HashSet<String>,
    /// Names the body reads as tuples (`p.1`, `let (a, b) = p;`, `return p;` of a function
    /// returning one), with how many of their numbers: a differentiated call bound to one
    /// returns a tuple of numbers.
    tuple_locals: HashMap<String, usize>,
    /// Names the body reads as integers (range bounds, indices, array lengths, `as` casts).
    integer_names: HashSet<String>,
    /// The `macro_rules!` the body defines, by name, with their rules.
    local_macros: HashMap<String, proc_macro2::TokenStream>,
    /// The structs the body declares (`prescan::local_structs`).
    local_structs: HashSet<String>,
    /// Names the user binds to a row by value somewhere (`let a = v[0];`): a `let` the
    /// lowering writes itself (`let x = xs[k];` for `if let Some(x) = xs.last()`) binds a
    /// reference.
    row_copy_names: HashSet<String>,
    /// Locals bound to a model's field of a type the function does not see, by value (`let
    /// c00 = cov.xx;`, the field bound by reference): passed on as the field's value.
    field_copies: HashMap<String, ArrayId>,
    /// Whether the `let` being lowered binds a name the statements after it read as an
    /// integer (set by the block, taken by the `let`).
    let_read_as_integer: bool,
    /// Whether the `let` lowered next binds an array, for a name the function binds more
    /// than once (`let s = cross(a, b); let s = norm(&s);`): read as one before it is bound
    /// again (set by the block, taken by the `let`). `None`: as `array_locals` says.
    let_read_as_array: Option<bool>,
    /// The names the function's `let`s bind more than once.
    rebound_names: HashSet<String>,
    /// Whether the statements after the `let` being lowered call a method of what it binds.
    let_receives_methods: bool,
    /// The `let` lowered next binds an empty vector of data (`empty_data_vec`).
    let_holds_data: bool,
    /// The cells of the vectors of data such `let`s bound, assigned in place, never carried
    /// by a loop as a value.
    data_vectors: HashSet<usize>,
    /// How many `if` branches the statement being lowered is in.
    branches: usize,
    /// Whether a value that failed to lower was read (as zero) where a number is expected.
    read_failed_value: bool,
    /// The locals bound to a struct literal of data (`let unit = Normal { mean: 0.0, sd: 1.0 };`),
    /// kept as written: passed whole, a callee may differentiate its own parameter there; and
    /// whether it is bound in a branch, which is reported where it is passed: the reverse
    /// sweep would need it handed out of the branch, with a value of its type from the other
    /// branch, which it has no way to make.
    data_structs: HashMap<Var, bool>,
    /// Whether the `let` being lowered binds a name the statements after it assign `Some(..)`,
    /// and how many elements the tuple they assign has, 0 for a number (set by the block,
    /// taken by the `let`): `let mut prev = None;` is a local `Option`.
    let_assigned_some: Option<usize>,
    /// Vectors declared empty whose pushes the next loop makes writes (`pushes.rs`).
    pushes: HashMap<String, pushes::Pushed>,
    /// Counted vectors whose loop is lowered, awaiting the pushes after it.
    flushes: HashMap<String, pushes::Cut>,
    /// Lowering a value whose branches may leave (`return`, `break`, `continue`) without
    /// one: a `let`'s initializer or the function's tail, whose value nothing reads once a
    /// branch has left (what follows is guarded by the exit flags).
    value_may_leave: bool,
    /// Names assigned whole somewhere (`h = layer(&h);`): a top-level `Vec` of one of these
    /// names may change its length (`ArrayInfo::resizable`).
    reassigned: HashSet<String>,
}

/// `block` as `rewrite` changes it (a rewrite of the source before lowering: `held.rs`,
/// `item_aliases.rs`), or `None` when `changed` says it changed nothing.
fn rewritten<R: syn::visit_mut::VisitMut>(
    block: &syn::Block,
    mut rewrite: R,
    changed: impl Fn(&R) -> bool,
) -> Option<syn::Block> {
    let mut block = block.clone();
    rewrite.visit_block_mut(&mut block);
    changed(&rewrite).then_some(block)
}

/// The prefix of the names of locals in synthesized code: no user writes it.
pub(super) const SYNTHETIC: &str = "__autodiff_";

/// Lowers the body of a function with signature `sig`.
pub fn lower(sig: &Signature, block: &syn::Block, errors: &mut Errors) -> Body {
    let (bindings, reassigned) = user_bindings(block);
    let mut lw = Lowerer {
        sig,
        errors,
        vars: Vec::new(),
        arrays: Vec::new(),
        cells: Vec::new(),
        scopes: vec![HashMap::default()],
        blocks: vec![Vec::new()],
        cse: vec![Cse::default()],
        ret: None,
        loops: Vec::new(),
        names: bindings.iter().cloned().collect(),
        reserved: bindings,
        claimed: HashSet::default(),
        read_too_deep: HashSet::default(),
        closures_bound: false,
        param_vars: Vec::new(),
        synthetic: 0,
        items: Vec::new(),
        bound_imported: false,
        table_elements: HashSet::default(),
        call_results: HashSet::default(),
        other_floats: HashSet::default(),
        array_locals: HashSet::default(),
        matrix_locals: HashSet::default(),
        option_locals: HashSet::default(),
        tuple_locals: HashMap::default(),
        integer_names: integer_names(block, sig)
            .into_iter()
            .chain(prescan::typed_integer_bindings(block, sig))
            .collect(),
        row_copy_names: stmt::row_copy_names(block),
        field_copies: HashMap::default(),
        local_macros: prescan::local_macros(block),
        local_structs: prescan::local_structs(block),
        let_read_as_integer: false,
        let_read_as_array: None,
        rebound_names: prescan::rebound_names(block),
        let_receives_methods: false,
        let_holds_data: false,
        data_vectors: HashSet::default(),
        data_structs: HashMap::default(),
        read_failed_value: false,
        branches: 0,
        let_assigned_some: None,
        pushes: HashMap::default(),
        flushes: HashMap::default(),
        value_may_leave: false,
        reassigned,
    };
    // Names the generated signatures use: a user's local of the same name is renamed.
    for name in generated_names(sig) {
        lw.names.insert(name.clone());
        lw.claimed.insert(name);
    }
    for (index, param) in sig.params.iter().enumerate() {
        let name = param.ident.to_string();
        lw.names.insert(name.clone());
        lw.reserved.insert(name.clone());
        // For an array parameter: its id and its name as the user wrote it (`net.w1`).
        let id = ArrayId(lw.arrays.len());
        let written = match &param.field {
            Some(f) => f.written(&sig.params[f.model].ident),
            None => name.clone(),
        };
        let binding = match &param.kind {
            ParamKind::Float | ParamKind::Int { .. } | ParamKind::Bool => {
                let ty = match param.kind {
                    ParamKind::Float => Ty::Float,
                    ParamKind::Int { .. } => Ty::Int,
                    _ => Ty::Bool,
                };
                let var = lw.new_var_named(&name, ty, param.span);
                lw.vars[var.0].varied = ty == Ty::Float;
                lw.param_vars.push(var);
                lw.new_cell(&name, Operand::Var(var), ty, true)
            }
            ParamKind::Array { shape, float } => {
                let lens: Vec<Operand> = match &**shape {
                    Shape::ArrayByValue(n) | Shape::ArrayRef(n) => vec![Operand::Const(n.clone())],
                    Shape::Tuple { len, .. } => vec![tuples::index_literal(*len, param.span)],
                    Shape::Matrix {
                        rows: Some(rows),
                        cols,
                        ..
                    } => vec![Operand::Const(rows.clone()), Operand::Const(cols.clone())],
                    Shape::Matrix { rows: None, .. } => Vec::new(),
                    Shape::Slice
                    | Shape::VecRef
                    | Shape::VecOwned
                    | Shape::VecRows
                    | Shape::Field { .. } => Vec::new(),
                };
                lw.arrays.push(ArrayInfo {
                    written,
                    name: name.clone(),
                    elem: match (*float, sig.written_types.get(&name)) {
                        (true, _) => Elem::Float,
                        (false, Some(ty)) if written_types::holds_bools(ty) => Elem::Bool,
                        (false, _) => Elem::Other,
                    },
                    dims: shape.dims(),
                    origin: ArrayOrigin::Param(index),
                    path: None,
                    fixed: !lens.is_empty(),
                    lens,
                    resizable: false,
                    final_len: None,
                    span: param.span,
                });
                match &**shape {
                    // Its numbers, read once at the top, bound as a tuple local's are.
                    Shape::Tuple { len, .. } => Binding::Tuple(
                        (0..*len)
                            .map(|k| {
                                let at = vec![tuples::index_literal(k, param.span)];
                                Value::Scalar(lw.let_op(
                                    &name,
                                    Ty::Float,
                                    Op::Load {
                                        array: id,
                                        index: at,
                                    },
                                    param.span,
                                ))
                            })
                            .collect(),
                    ),
                    _ => Binding::Array(id),
                }
            }
            // A model read whole (passed on to a call): its fields are parameters of their own.
            ParamKind::Model { .. } => {
                lw.arrays.push(ArrayInfo {
                    written,
                    name,
                    elem: Elem::Float,
                    dims: 0,
                    origin: ArrayOrigin::Param(index),
                    path: None,
                    fixed: false,
                    lens: Vec::new(),
                    resizable: false,
                    final_len: None,
                    span: param.span,
                });
                Binding::Array(id)
            }
            ParamKind::DataArray { dims, .. } => {
                let ident = &param.ident;
                lw.arrays.push(ArrayInfo {
                    written,
                    name,
                    elem: Elem::Float,
                    dims: *dims,
                    origin: ArrayOrigin::Constant,
                    path: Some(syn::parse_quote!(#ident)),
                    fixed: false,
                    lens: Vec::new(),
                    resizable: false,
                    final_len: None,
                    span: param.span,
                });
                Binding::Array(id)
            }
            ParamKind::Opaque => Binding::Opaque,
            ParamKind::Rejected => Binding::Poisoned,
        };
        lw.scopes[0].insert(param.ident.to_string(), binding);
    }

    let vector = sig.output != Output::Scalar;
    // What a fallible function returning an array succeeds with, unwrapped as a number's is
    // (below), before its guard clauses are read.
    let unwrapped = (vector && sig.fallible.is_some()).then(|| syn::Block {
        brace_token: block.brace_token,
        stmts: fallible::unwrap_successes(&block.stmts),
    });
    let block = unwrapped.as_ref().unwrap_or(block);
    // Guard clauses of a function returning an array, made branches of its tail.
    let guarded = match vector && sig.tuple.is_none() && first_return(block).is_some() {
        true => statement_forms::guards_as_branches(&block.stmts).map(|stmts| syn::Block {
            brace_token: block.brace_token,
            stmts,
        }),
        false => None,
    };
    let block = guarded.as_ref().unwrap_or(block);
    let early_return = vector.then(|| first_return(block)).flatten();
    // A tuple of numbers is returned in one slot per number (`return (a, b);` as a scalar's
    // `return`), the array the function is differentiated as made of them at the end;
    // without a `return`, its tail is that array (`[a, b]`).
    let tuple = sig.tuple.as_ref().map(|t| t.elems.len());
    let stmts = match (vector, early_return, tuple) {
        (true, Some(_), Some(len)) => {
            let mut stmts = block.stmts.clone();
            if let Some(SynStmt::Expr(tail, None)) = stmts.last_mut() {
                statement_forms::split_tuple_branches(tail, len);
            }
            stmts
        }
        (true, None, Some(len)) => {
            let mut whole = block.clone();
            statement_forms::tuple_tail_as_array(&mut whole, len);
            result_as_local(&whole.stmts, sig)
        }
        (true, None, None) => result_as_local(&block.stmts, sig),
        (true, Some(_), None) => Vec::new(),
        (false, ..) if sig.fallible.is_some() => fallible::unwrap_successes(&block.stmts),
        (false, ..) => block.stmts.clone(),
    };
    let body = syn::Block {
        brace_token: block.brace_token,
        stmts: stmts.clone(),
    };
    match (early_return, tuple) {
        (Some(span), None) => lw.errors.at(
            span,
            "#[grad] differentiates an early `return` in a function that returns an array from a guard clause at the top of the function (`if c { return v; }`), not from inside a loop or a block yet: leave the loop with `break` and end the function with the array",
        ),
        _ if contains_return(&body) => {
            let flag = lw.new_cell("returned", Operand::Lit(lit_bool(false)), Ty::Bool, true);
            let slots = (0..tuple.unwrap_or(1))
                .map(|_| cell_of(&lw.new_cell("ret", lw.zero(), Ty::Float, true)))
                .collect();
            lw.ret = Some((cell_of(&flag), slots));
        }
        _ => {}
    }
    lw.array_locals = prescan::array_names(&stmts, vector);
    lw.matrix_locals = prescan::matrix_names(&stmts, &lw.array_locals);
    lw.option_locals = prescan::option_names(&stmts);
    lw.tuple_locals = prescan::tuple_names(&stmts, tuple);
    // The function's value: a branch of its tail that leaves (`else { panic!(..); }`) gives
    // none, and none is read.
    lw.value_may_leave = true;
    let tail = lw.lower_block_stmts(&stmts, lw.ret.is_some());
    let mut output = None;
    let result = match lw.ret.clone() {
        Some((_, slots)) if tuple.is_some() => {
            output = lw.returned_tuple(&slots, block.span());
            lw.zero()
        }
        Some((_, slots)) => lw.cells[slots[0]].value.clone(),
        None if vector => {
            match tail {
                Some(Value::Array(a)) => output = Some(a),
                Some(Value::Error) => {}
                _ if early_return.is_some() => {}
                _ => lw.errors.at(
                    block.span(),
                    "#[grad] needs a function that returns an array to end with it: a local array (`h`), an array literal (`[a, b]`), or a call of a function that returns one",
                ),
            }
            lw.zero()
        }
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
    // A value that failed to lower is read as zero only beside the error that says why; a
    // failure nothing reported would be a wrong gradient, never code.
    if lw.read_failed_value && lw.errors.is_empty() {
        lw.errors.at(
            block.brace_token.span.join(),
            "#[grad] could not differentiate part of this function and found nothing to report (a bug in #[grad]: please report this function)",
        );
    }
    let stmts = lw.blocks.pop().unwrap_or_default();
    Body {
        items: lw.items,
        vars: lw.vars,
        param_vars: lw.param_vars,
        arrays: lw.arrays,
        block: Block { stmts },
        result,
        output,
    }
}

/// The array a `vec![a, b]` / `vec![fill; n]` makes, as the array expression `[..]`.
pub(super) fn vec_elements(mac: &syn::Macro) -> Option<Expr> {
    if !mac.path.is_ident("vec") {
        return None;
    }
    let tokens = &mac.tokens;
    syn::parse2::<Expr>(quote!([#tokens]))
        .ok()
        .filter(|e| matches!(e, Expr::Array(_) | Expr::Repeat(_)))
}

/// Whether a method's receiver is an array: not a float method with a rule (`exp`), nor a
/// method any number has (`is_nan`, `to_bits`, `partial_cmp`), nor one of an `Option` or a
/// `Result` (`unwrap`).
pub(super) fn is_array_method(name: &str) -> bool {
    // `sin_cos` is a float's, lowered beside the rules (it makes a pair).
    rules::lookup(name).is_none()
        && name != "sin_cos"
        && !opaque::is_non_float_method(name)
        && !opaque::is_success_method(name)
}

/// Whether `path`'s segments, as strings (`["std", "iter", "zip"]`), are what `is` takes.
pub(super) fn path_matches(path: &syn::Path, is: impl Fn(&[&str]) -> bool) -> bool {
    let owned: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let names: Vec<&str> = owned.iter().map(String::as_str).collect();
    is(&names)
}

/// What an operand of arithmetic reads behind `&` or through `.clone()` (`&t`, `sum.clone()`,
/// `&cusp.chroma`): a number, as generic numeric code writes it.
pub(super) fn copied_operand(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Reference(r) if r.mutability.is_none() => Some(&r.expr),
        Expr::MethodCall(m)
            if m.args.is_empty() && (m.method == "clone" || m.method == "to_owned") =>
        {
            Some(&m.receiver)
        }
        _ => None,
    }
}

/// `.unwrap()` or `.expect(..)`: an `Option`'s value, or a panic.
pub(super) fn is_unwrap(m: &syn::ExprMethodCall) -> bool {
    match m.method.to_string().as_str() {
        "unwrap" => m.args.is_empty(),
        "expect" => m.args.len() == 1,
        _ => false,
    }
}

/// Whether a method is a model's own (`self.l1.forward(x)`): not a float method, not one
/// that returns no float (`is_nan`), and not a slice's or a `Vec`'s (`w.iter()`).
pub(super) fn is_model_method(name: &str) -> bool {
    is_array_method(name) && !is_slice_method(name)
}

/// Whether a method is one of a slice's or a `Vec`'s (`w.iter()`, `w.windows(2)`).
pub(super) fn is_slice_method(name: &str) -> bool {
    const SLICE_METHODS: &[&str] = &[
        "iter",
        "into_iter",
        "iter_mut",
        "len",
        "is_empty",
        "to_vec",
        "to_owned",
        "clone",
        "first",
        "last",
        "get",
        "windows",
        "chunks",
        "chunks_exact",
        "rchunks",
        "split_at",
        "split_first",
        "split_last",
        "as_slice",
        "as_ref",
        "concat",
        "copied",
        "cloned",
    ];
    SLICE_METHODS.contains(&name)
}

/// Whether a `for` loop's item is never read by its body (`for _ in ..`, `for _row in ..`):
/// the loop only counts the items, whatever they are.
pub(super) fn unread_item(pat: &Pat, body: &impl ToTokens) -> bool {
    match pat {
        Pat::Wild(_) => true,
        Pat::Type(t) => unread_item(&t.pat, body),
        Pat::Ident(pi) if pi.subpat.is_none() => {
            let mut names = Vec::new();
            opaque::mentioned_names(body.to_token_stream(), &mut names);
            !names.iter().any(|(name, _)| *name == pi.ident)
        }
        _ => false,
    }
}

/// The first `return` of the function itself (not of a closure or nested item).
fn first_return(block: &syn::Block) -> Option<Span> {
    struct Find(Option<Span>);
    impl<'ast> Visit<'ast> for Find {
        fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
            self.0.get_or_insert(r.span());
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut find = Find(None);
    find.visit_block(block);
    find.0
}

/// The name a vector result is bound to when the function does not end with a plain name.
pub(super) const RESULT: &str = "__autodiff_result";

/// The statements with the final expression bound to a local (`let result = [a, b]; result`),
/// so that the result is a local array whatever expression makes it; typed as the function
/// returns when `std::array::from_fn` makes it (its length is in the type).
fn result_as_local(stmts: &[SynStmt], sig: &Signature) -> Vec<SynStmt> {
    let mut stmts = stmts.to_vec();
    if let Some(SynStmt::Expr(e, None)) = stmts.last() {
        let plain = matches!(e, Expr::Path(p) if p.path.get_ident().is_some());
        if !plain {
            let e = e.clone();
            let name = proc_macro2::Ident::new(RESULT, e.span());
            let mut binding = build::binding(&name);
            // The length a `from_fn` or an `if` whose branches end in local arrays (`out`)
            // does not write, and the depth branches beside `[[0.0; 2]; 2]` do not (a guard
            // clause's value).
            let unwritten_len =
                array_maps::array_from_fn(&e).is_some() || arrays::branch_arrays(&e) == Some(None);
            let branches = arrays::branch_arrays(&e).is_some();
            if (unwritten_len && sig.output == Output::Array)
                || (branches && sig.output == Output::Matrix)
            {
                binding = Pat::Type(syn::PatType {
                    attrs: Vec::new(),
                    pat: Box::new(binding),
                    colon_token: Default::default(),
                    ty: Box::new(sig.returns.clone()),
                });
            }
            stmts.pop();
            stmts.push(build::let_(binding, e));
            stmts.push(SynStmt::Expr(build::path(&name), None));
        }
    }
    stmts
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
        // A synthesized local is named by what it is (`total`, not `__autodiff_total_1_1`).
        let base = base.strip_prefix(SYNTHETIC).map_or(base, |rest| {
            rest.rsplit_once('_').map_or(rest, |(base, _)| base)
        });
        let base = if base.is_empty() { "t" } else { base };
        self.names.fresh(base)
    }

    /// The user's name for a value: as written the first time, numbered after.
    /// Whether `v` is a temporary the lowering made, which may take the name of the user's
    /// local it is bound to (not a parameter named like one: `t_0`, the field `t.0` of a
    /// model `t`).
    fn is_fresh_temporary(&self, v: Var) -> bool {
        is_temp_name(&self.vars[v.0].name) && !self.param_vars.contains(&v)
    }

    fn user_name(&mut self, name: &str) -> String {
        // A synthesized local (`__autodiff_item_3`) is shown by what it is (`item`).
        if name.starts_with(SYNTHETIC) {
            return self.unique_name(name);
        }
        // The user's own name, the first time; any other name may already be taken by a
        // generated local.
        if self.reserved.contains(name) && self.claimed.insert(name.to_string()) {
            return name.to_string();
        }
        self.unique_name(name)
    }

    fn new_var_named(&mut self, name: &str, ty: Ty, span: Span) -> Var {
        let name = self.user_name(name);
        self.push_var(name, ty, span)
    }

    fn new_var(&mut self, base: &str, ty: Ty, span: Span) -> Var {
        let name = self.unique_name(base);
        self.push_var(name, ty, span)
    }

    fn push_var(&mut self, name: String, ty: Ty, span: Span) -> Var {
        self.vars.push(VarInfo::new(name, ty, false, span));
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
    /// Whether `x` is a literal suffixed with the other float type (`1e20_f64`, `0f64` in an
    /// `f32` function).
    fn is_other_float_literal(&self, x: &Operand) -> bool {
        let suffix = match x {
            Operand::Lit(Lit::Float(f)) => f.suffix(),
            Operand::Lit(Lit::Int(i)) => i.suffix(),
            _ => return false,
        };
        matches!(primitive_float_type(&self.sig.float), Some(f) if ["f32", "f64"].contains(&suffix) && f != suffix)
    }

    /// Whether `op` makes data of the other float type (`other_floats`): a conversion to it,
    /// or an operation (not a conversion) on such data and nothing differentiated.
    fn makes_other_float(&self, op: &Op) -> bool {
        match op {
            Op::Cast(_, ty) => is_other_float(ty, self.sig),
            Op::NumCast(..) => false,
            Op::Opaque(Opaque {
                declared: Some(ty), ..
            }) => is_other_float(ty, self.sig),
            _ => {
                let (mut other, mut varied) = (false, false);
                op.visit_operands(&mut |x| {
                    other |= self.is_other_float_literal(x);
                    if let Some(v) = x.var() {
                        other |= self.other_floats.contains(&v);
                        varied |= self.vars[v.0].varied;
                    }
                });
                other && !varied
            }
        }
    }

    fn let_op(&mut self, base: &str, ty: Ty, op: Op, span: Span) -> Operand {
        let other_float = self.makes_other_float(&op);
        let ty = if other_float { Ty::Unknown } else { ty };
        let mut key = cse_key(&op);
        // The length of a vector that may change it is read again after a write, as a load.
        if let (Some((_, array)), Op::Len { array: a, .. }) = (&mut key, &op) {
            if self.arrays[a.0].resizable {
                *array = Some(*a);
            }
        }
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
        self.vars[var.0].varied = self.op_varied(&op, ty);
        if other_float {
            self.other_floats.insert(var);
        }
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

    /// The length of dimension `dim` of `array` when it is known without the array, as an
    /// integer (`N` of `[T; N]` is bound to a typed local unless it is a literal).
    fn known_len(&mut self, array: ArrayId, dim: usize, span: Span) -> Option<Operand> {
        let len = self.arrays[array.0].lens.get(dim)?.clone();
        Some(match len {
            // `usize`, as `.len()` is: a counter over it is a `usize` for the code passed through
            // (`x.saturating_sub(1)` of an untyped `{integer}` does not compile).
            Operand::Const(Expr::Lit(syn::ExprLit {
                lit: Lit::Int(n), ..
            })) if n.suffix().is_empty() => Operand::Lit(Lit::Int(syn::LitInt::new(
                &format!("{}usize", n.base10_digits()),
                n.span(),
            ))),
            Operand::Const(Expr::Lit(l)) => Operand::Lit(l.lit),
            Operand::Const(e) => self.let_op("len", Ty::Int, Op::Copy(Operand::Const(e)), span),
            other => other,
        })
    }

    /// Whether `op` may depend on a float parameter.
    fn is_varied(&self, op: &Operand) -> bool {
        op.var().is_some_and(|v| self.vars[v.0].varied)
    }

    /// Whether an array's elements may depend on a float parameter: float parameters, and
    /// (conservatively) every local float array.
    fn array_varied(&self, array: ArrayId) -> bool {
        let info = &self.arrays[array.0];
        info.elem == Elem::Float && info.origin != ArrayOrigin::Constant
    }

    /// Whether the result of `op`, of type `ty`, may depend on a float parameter.
    fn op_varied(&self, op: &Op, ty: Ty) -> bool {
        if matches!(ty, Ty::Int | Ty::Bool) {
            return false;
        }
        match op {
            Op::Prim { rule, .. } if rule.constant => false,
            Op::Opaque(_) | Op::Len { .. } | Op::Snapshot { .. } => false,
            Op::Load { array, .. } => self.array_varied(*array),
            Op::Call { args, .. } => args.iter().any(|a| match a {
                Arg::Scalar(x) => self.is_varied(x),
                Arg::Data { .. } => false,
                Arg::Record { fields, .. } => fields.iter().any(|(_, x)| self.is_varied(x)),
                Arg::Array(a) => self.array_varied(a.array),
            }),
            other => {
                let mut varied = false;
                other.visit_operands(&mut |x| varied |= self.is_varied(x));
                varied
            }
        }
    }

    fn open_block(&mut self, scope: Scope) {
        let parent = self.cse.last();
        let cse = Cse {
            pure: parent.map(|c| c.pure.clone()).unwrap_or_default(),
            // A loop body runs many times: a read before the loop may be stale in it.
            loads: match (scope, parent) {
                (Scope::Branch, Some(c)) => c.loads.clone(),
                _ => HashMap::default(),
            },
            stored: HashSet::default(),
        };
        self.cse.push(cse);
        self.blocks.push(Vec::new());
    }

    fn close_block(&mut self) -> Vec<Stmt> {
        // The lengths its resizable vectors end with, for their adjoints in its reverse.
        let resized: Vec<ArrayId> = self
            .blocks
            .last()
            .into_iter()
            .flatten()
            .filter_map(|stmt| match stmt {
                Stmt::DeclareArray { array, .. } | Stmt::CallArray { array, .. }
                    if self.arrays[array.0].resizable =>
                {
                    Some(*array)
                }
                _ => None,
            })
            .collect();
        for array in resized {
            let span = self.arrays[array.0].span;
            let len = self.let_op("len", Ty::Int, Op::Len { array, row: None }, span);
            self.arrays[array.0].final_len = len.var();
        }
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
            // `1e20_f64` in an `f32` function: data of the other float type.
            _ if self.is_other_float_literal(op) => Ty::Unknown,
            // In a generic function a bare literal is some other float type, never `T`.
            Operand::Lit(Lit::Float(_)) if !self.sig.float_is_generic => Ty::Float,
            Operand::Lit(Lit::Float(_)) => Ty::Unknown,
            // `2f64`, `0_f32`: integer digits with a float suffix.
            Operand::Lit(Lit::Int(i)) if matches!(i.suffix(), "f32" | "f64") => Ty::Float,
            Operand::Lit(Lit::Int(_)) => Ty::Int,
            Operand::Lit(Lit::Bool(_)) => Ty::Bool,
            _ => Ty::Unknown,
        }
    }

    fn zero(&self) -> Operand {
        self.float_constant(0.0)
    }

    /// `value` in the function's float type: a literal, or a conversion for a generic `T`.
    fn float_constant(&self, value: f64) -> Operand {
        if self.sig.float_is_generic {
            let f = &self.sig.float;
            let lit = rules::float_literal(&quote!(#f), true, value);
            Operand::Const(syn::parse_quote!(#lit))
        } else {
            let lit = proc_macro2::Literal::f64_unsuffixed(value);
            Operand::Lit(Lit::Float(syn::LitFloat::from(lit)))
        }
    }

    /// A placeholder of type `ty` for a branch that does not define a value.
    pub(super) fn dummy(&self, ty: Ty) -> Operand {
        match ty {
            Ty::Float => self.zero(),
            // A passed-through value (a number of some type): the other branch's type decides.
            Ty::Unknown => Operand::Const(syn::parse_quote!(::autodiff::__private::placeholder())),
            Ty::Int => Operand::Lit(lit_int(0)),
            Ty::Bool => Operand::Lit(lit_bool(false)),
        }
    }

    /// Whether `x` is the placeholder `dummy(Ty::Unknown)` gives (the value of a branch that
    /// diverges, `unreachable!()`).
    pub(super) fn is_placeholder(&self, x: &Operand) -> bool {
        x.same(&self.dummy(Ty::Unknown))
    }

    /// The cell of a `let mut` number named `name`.
    fn mutable_cell(&self, name: &str) -> Option<usize> {
        match self.lookup(name) {
            Some(Binding::Scalar {
                cell,
                mutable: true,
            }) => Some(cell),
            _ => None,
        }
    }

    /// The cells an assignment to `name` may change: a mutable scalar's, or every field of
    /// a local struct assigned whole.
    fn assigned_cells(&self, name: &str) -> Vec<usize> {
        match self.lookup(name) {
            Some(Binding::Record { fields, .. }) => fields
                .iter()
                .filter_map(|f| self.mutable_cell(&format!("{name}.{f}")))
                .collect(),
            Some(Binding::Optional { parts }) => {
                let mut keys = optional::value_keys(name, parts);
                keys.push(optional::some_key(name));
                keys.iter()
                    .filter_map(|key| self.mutable_cell(key))
                    .collect()
            }
            _ => self.mutable_cell(name).into_iter().collect(),
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
            Value::Error => {
                self.read_failed_value = true;
                self.zero()
            }
            Value::Element { array, index } => self.load(array, index, span),
            Value::Unit => {
                self.errors
                    .at(span, "expected a value here, but this expression has none");
                self.zero()
            }
            _ => {
                self.errors.at(
                    span,
                    "#[grad] expected a number here; arrays, tuples and structs can only be indexed or read by field, passed to functions or destructured (an operator a struct implements, `impl Mul for Quat`, is not differentiated: compute the numbers you need from the operands' fields)",
                );
                self.zero()
            }
        }
    }

    fn expr_scalar(&mut self, expr: &Expr) -> Operand {
        let value = self.lower_expr(expr);
        self.scalar_of(value, expr)
    }

    /// `scalar` for the value of `expr`, whose span (`Spanned` prints `expr` to tokens for
    /// it) is taken only when it is needed.
    fn scalar_of(&mut self, value: Value, expr: &Expr) -> Operand {
        match value {
            Value::Scalar(op) => op,
            value => self.scalar(value, expr.span()),
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
            ..
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
        Op::Copy(_) | Op::Call { .. } | Op::Opaque(_) | Op::Snapshot { .. } => return None,
    })
}

/// Every name the body binds with `let`, `for` or `match`.
/// The names the body binds, and the names it assigns whole (`h = ..;`).
pub(super) fn user_bindings(block: &syn::Block) -> (HashSet<String>, HashSet<String>) {
    #[derive(Default)]
    struct Collect {
        bound: HashSet<String>,
        reassigned: HashSet<String>,
    }
    impl<'ast> Visit<'ast> for Collect {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.bound.insert(p.ident.to_string());
            syn::visit::visit_pat_ident(self, p);
        }
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            if let Expr::Path(p) = &*a.left {
                if let Some(name) = p.path.get_ident() {
                    self.reassigned.insert(name.to_string());
                }
            }
            syn::visit::visit_expr_assign(self, a);
        }
    }
    let mut c = Collect::default();
    c.visit_block(block);
    (c.bound, c.reassigned)
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

/// `f32` or `f64`, when `ident` names one.
/// A pattern without its stated type (`(p, n)` of `|(p, n): (usize, usize)|`): a `for`
/// loop's pattern takes none, the loop's sequence types it.
pub(crate) fn strip_type(pat: &Pat) -> &Pat {
    match pat {
        Pat::Type(t) => &t.pat,
        other => other,
    }
}

pub(crate) fn primitive_float(ident: &syn::Ident) -> Option<&'static str> {
    ["f32", "f64"].into_iter().find(|name| ident == name)
}

/// Whether `ty` is the primitive float type an `f32` or `f64` function does not compute in
/// (`f64` in an `f32` function): a cast to it may widen a float as well as convert a count.
pub(super) fn is_other_float(ty: &syn::Type, sig: &Signature) -> bool {
    matches!(
        (primitive_float_type(&sig.float), primitive_float_type(ty)),
        (Some(f), Some(t)) if f != t
    )
}

/// `f32` or `f64`, when the type is one.
pub(crate) fn primitive_float_type(ty: &syn::Type) -> Option<&'static str> {
    match ty {
        syn::Type::Path(p) => p.path.get_ident().and_then(primitive_float),
        _ => None,
    }
}

fn type_kind_path(ident: &syn::Ident, sig: &Signature) -> Ty {
    let float = sig.float.to_token_stream().to_string();
    let name = ident.to_string();
    // `f64` in a generic or `f32` function is another float type: data, never differentiated.
    if name == float {
        Ty::Float
    } else if name == "bool" {
        Ty::Bool
    } else if INT_TYPES.contains(&name.as_str()) {
        Ty::Int
    } else {
        Ty::Unknown
    }
}
