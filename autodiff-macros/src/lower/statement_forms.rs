//! Statement forms that mean supported ones, rewritten before lowering:
//!
//! ```text
//! fn f(..) -> [f64; 2] { ..; return out; }        =>   fn f(..) -> [f64; 2] { ..; out }
//! for i in 0..n { out.push(2.0 * x[i]) }          =>   for i in 0..n { out.push(2.0 * x[i]); }
//! match () { _ if a => x, _ if b => y, _ => z }   =>   if a { x } else if b { y } else { z }
//! [r, g, b].map(|v| v.clamp(0.0, 1.0))            =>   [{ let v = r; v.clamp(0.0, 1.0) }, ..]
//! fn f(..) -> [f64; 4] { ..; g(q).map(|c| 2.0 * c) }
//!                       =>   fn f(..) -> [f64; 4] { ..; let r: [f64; 4] = g(q).map(..); r }
//! let (a, b) = if c { g(x) } else { (x, y) };
//!                       =>   let (a, b) = if c { let (r0, r1) = g(x); (r0, r1) } else { (x, y) };
//! fn f(..) -> (f64, f64) { ..; (a, b) }           =>   fn f(..) -> (f64, f64) { ..; [a, b] }
//! let a: &[f64; 3] = if c { &s.lo } else { &s.hi }   =>   let a: [f64; 3] = if c { s.lo } else { s.hi }
//! match sorted.as_slice() { .. }                  =>   match &sorted[..] { .. }
//! vec![[0.0, 0.0]; n]                             =>   vec![[0.0; 2]; n]
//! let a = &c[if t < 1000.0 { 0 } else { 1 }];     =>   let a = { let i = if ..; &c[i] };
//! ```
//!
//! A loop body's tail is a statement: Rust types it `()`.

use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote, Block, Expr, Pat, Stmt};

/// Rewrites the function body `block`, in closures and nested blocks too.
pub fn desugar(block: &mut Block) {
    if let Some(Stmt::Expr(Expr::Return(r), Some(_))) = block.stmts.last() {
        if let Some(value) = r.expr.clone() {
            *block.stmts.last_mut().expect("a last statement") = Stmt::Expr(*value, None);
        }
    }
    Forms.visit_block_mut(block);
}

/// Binds the tail of a function that returns a fixed-size array to a local of that type when
/// the tail does not state its length itself (a `.map(..)` of an array a call returns, an
/// `if` or `match` choosing between local arrays): the `let` gives it.
pub fn bind_array_tail(block: &mut Block, output: &syn::ReturnType) {
    let syn::ReturnType::Type(_, ty) = output else {
        return;
    };
    if !matches!(&**ty, syn::Type::Array(_)) {
        return;
    }
    let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() else {
        return;
    };
    // A branch's own array (`else { std::array::from_fn(|k| ..) }`) is bound in its branch.
    if matches!(tail, Expr::If(_) | Expr::Match(_)) {
        bind_branch_tails(tail, ty);
    }
    if !matches!(tail, Expr::If(_) | Expr::Match(_)) && !unstated_array(tail) {
        return;
    }
    let result = syn::Ident::new(
        &format!("{}result", super::SYNTHETIC),
        syn::spanned::Spanned::span(tail),
    );
    let tail = tail.clone();
    let last = block.stmts.len() - 1;
    block.stmts[last] = parse_quote!(let #result: #ty = #tail;);
    block.stmts.push(Stmt::Expr(parse_quote!(#result), None));
}

/// The rows of a function that returns a matrix (`-> [[f64; 3]; 2]`) given as calls in its
/// tail literal (`[mul_add(i, c, j, s), mul_add(i, -s, j, c)]`, a rotation of basis vectors:
/// Rosetta Code's orbital elements), each bound first to a local of the row type, as the
/// tail's rows are read as local arrays.
pub fn bind_matrix_rows(block: &mut Block, output: &syn::ReturnType) {
    let syn::ReturnType::Type(_, ty) = output else {
        return;
    };
    let syn::Type::Array(matrix) = &**ty else {
        return;
    };
    let row = &*matrix.elem;
    if !matches!(row, syn::Type::Array(_)) {
        return;
    }
    let Some(Stmt::Expr(Expr::Array(rows), None)) = block.stmts.last_mut() else {
        return;
    };
    let mut lets: Vec<Stmt> = Vec::new();
    for (k, element) in rows.elems.iter_mut().enumerate() {
        if !matches!(element, Expr::Call(_) | Expr::MethodCall(_)) {
            continue;
        }
        let name = syn::Ident::new(
            &format!("{}row_{k}", super::SYNTHETIC),
            syn::spanned::Spanned::span(element),
        );
        let value = std::mem::replace(element, parse_quote!(#name));
        lets.push(parse_quote!(let #name: #row = #value;));
    }
    let last = block.stmts.len() - 1;
    block.stmts.splice(last..last, lets);
}

/// Whether `e` makes an array whose length only its type states: `.map(..)` of an array a
/// call returns, `std::array::from_fn(..)`, `v.try_into().unwrap()` of a `Vec`.
fn unstated_array(e: &Expr) -> bool {
    match e {
        Expr::MethodCall(m) if m.method == "map" => !matches!(&*m.receiver, Expr::Array(_)),
        Expr::MethodCall(m) if m.method == "unwrap" || m.method == "expect" => {
            matches!(&*m.receiver, Expr::MethodCall(into) if into.method == "try_into")
        }
        _ => super::array_maps::array_from_fn(e).is_some(),
    }
}

/// The tails of an `if`'s or a `match`'s branches that make an array of unstated length,
/// each bound to a local of the function's array type `ty` in its branch.
fn bind_branch_tails(e: &mut Expr, ty: &syn::Type) {
    let in_block = |block: &mut Block| {
        if let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() {
            bind_branch_tails(tail, ty);
        }
    };
    match e {
        Expr::If(i) => {
            in_block(&mut i.then_branch);
            if let Some((_, other)) = &mut i.else_branch {
                bind_branch_tails(other, ty);
            }
        }
        Expr::Match(m) => m
            .arms
            .iter_mut()
            .for_each(|a| bind_branch_tails(&mut a.body, ty)),
        Expr::Block(b) => in_block(&mut b.block),
        Expr::Paren(p) => bind_branch_tails(&mut p.expr, ty),
        tail if unstated_array(tail) => {
            let result = syn::Ident::new(
                &format!("{}branch_result", super::SYNTHETIC),
                syn::spanned::Spanned::span(tail),
            );
            *tail = parse_quote!({ let #result: #ty = #tail; #result });
        }
        _ => {}
    }
}

/// The tail of a function that returns a tuple of `len` floats as the array of them, which
/// the function is differentiated as: `(a, b)` as `[a, b]`, any other tail taken apart first
/// (`let (r0, r1) = tail; [r0, r1]`: a tuple a branch, a local or a call makes).
pub fn tuple_tail_as_array(block: &mut Block, len: usize) {
    let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() else {
        return;
    };
    if let Expr::Tuple(t) = tail {
        if t.elems.len() == len {
            let elems = &t.elems;
            *tail = parse_quote!([#elems]);
            return;
        }
    }
    let parts = tuple_parts(tail, len);
    let mut whole = tail.clone();
    split_tuple_branches(&mut whole, len);
    let last = block.stmts.len() - 1;
    block.stmts[last] = parse_quote!(let (#(#parts,)*) = #whole;);
    block
        .stmts
        .push(Stmt::Expr(parse_quote!([#(#parts),*]), None));
}

/// The statements of a function that returns an array, with its guard clauses (`if c { ..;
/// return e; }` at the top level) made branches of its tail: `if c { ..; e } else { rest }`,
/// the array chosen by an `if`, which the sweeps take. `None` if a `return` is left anywhere
/// else (in a loop, a nested block).
pub fn guards_as_branches(stmts: &[Stmt]) -> Option<Vec<Stmt>> {
    let Some(at) = stmts.iter().position(|s| guard(s).is_some()) else {
        return Some(stmts.to_vec());
    };
    let (cond, then_branch) = guard(&stmts[at])?;
    let rest = guards_as_branches(&stmts[at + 1..])?;
    if !matches!(rest.last(), Some(Stmt::Expr(_, None))) {
        return None;
    }
    let mut out = stmts[..at].to_vec();
    // (`else if` for a rest that is one: the branches' tails in one chain)
    let otherwise: Expr = match &*rest {
        [Stmt::Expr(chained @ Expr::If(_), None)] => chained.clone(),
        _ => {
            let rest = Block {
                brace_token: Default::default(),
                stmts: rest,
            };
            parse_quote!(#rest)
        }
    };
    out.push(Stmt::Expr(
        parse_quote!(if #cond #then_branch else #otherwise),
        None,
    ));
    Some(out)
}

/// `if c { ..; return e; }` (no `else`): its condition, and its block ending in `e`.
fn guard(stmt: &Stmt) -> Option<(&Expr, Block)> {
    let Stmt::Expr(Expr::If(i), _) = stmt else {
        return None;
    };
    if i.else_branch.is_some() {
        return None;
    }
    let mut then_branch = i.then_branch.clone();
    let value = match then_branch.stmts.pop()? {
        Stmt::Expr(Expr::Return(r), _) => r.expr?,
        _ => return None,
    };
    then_branch.stmts.push(Stmt::Expr(*value, None));
    Some((&i.cond, then_branch))
}

/// `let a: &[f64; 3] = if t < s.t_mid { &s.low } else { &s.high };` as the copy `let a:
/// [f64; 3] = if .. { s.low } else { s.high };`: an array the branches lend, only read.
fn copy_lent_branches(local: &mut syn::Local) {
    let (Pat::Type(typed), Some(init)) = (&mut local.pat, &mut local.init) else {
        return;
    };
    let syn::Type::Reference(r) = &*typed.ty else {
        return;
    };
    // (an array of numbers, whose copy is a `Copy`)
    fn numbers(ty: &syn::Type) -> bool {
        match ty {
            syn::Type::Array(a) => numbers(&a.elem),
            syn::Type::Path(p) => p.path.get_ident().is_some(),
            _ => false,
        }
    }
    if r.mutability.is_some()
        || !matches!(&*r.elem, syn::Type::Array(_))
        || !numbers(&r.elem)
        || !matches!(&*init.expr, Expr::If(_) | Expr::Match(_))
    {
        return;
    }
    let mut copied = (*init.expr).clone();
    let mut lent = true;
    super::arrays::branch_tail_mut(&mut copied, &mut |tail| match tail {
        Expr::Reference(reference) if reference.mutability.is_none() => {
            *tail = (*reference.expr).clone();
        }
        _ => lent = false,
    });
    if lent {
        typed.ty = r.elem.clone();
        *init.expr = copied;
    }
}

/// Names for the `len` parts of the tuple `e` gives.
fn tuple_parts(e: &Expr, len: usize) -> Vec<syn::Ident> {
    let span = syn::spanned::Spanned::span(e);
    (0..len)
        .map(|i| syn::Ident::new(&format!("{}r{i}", super::SYNTHETIC), span))
        .collect()
}

/// The branches of an `if` or a `match` that gives a tuple of `len` (a tuple pattern binds
/// it, or the function returns it) and end in a call, each taken apart into its parts (`let
/// (a, b) = if c { polar(x, y) } else { swap(x, y) };` as `if c { let (r0, r1) = polar(x, y);
/// (r0, r1) } else { .. }`): the call of a function that returns a tuple, whose parts a
/// pattern binds.
pub(super) fn split_tuple_branches(e: &mut Expr, len: usize) {
    if !matches!(e, Expr::If(_) | Expr::Match(_) | Expr::Block(_)) {
        return;
    }
    super::arrays::branch_tail_mut(e, &mut |tail| {
        if matches!(tail, Expr::Call(_) | Expr::MethodCall(_) | Expr::Try(_)) {
            let parts = tuple_parts(tail, len);
            let call = tail.clone();
            *tail = parse_quote!({ let (#(#parts,)*) = #call; (#(#parts,)*) });
        }
    });
}

struct Forms;

impl VisitMut for Forms {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        visit_mut::visit_expr_mut(self, e);
        match e {
            Expr::ForLoop(syn::ExprForLoop { body, .. })
            | Expr::While(syn::ExprWhile { body, .. })
            | Expr::Loop(syn::ExprLoop { body, .. }) => {
                if let Some(Stmt::Expr(_, semi @ None)) = body.stmts.last_mut() {
                    *semi = Some(Default::default());
                }
            }
            Expr::Match(m) if matches!(&*m.expr, Expr::Tuple(t) if t.elems.is_empty()) => {
                if let Some(chain) = guard_chain(&m.arms) {
                    *e = chain;
                }
            }
            Expr::Macro(m) if m.mac.path.is_ident("vec") => {
                if let Some(rows) = repeated_row(&m.mac) {
                    *e = rows;
                }
            }
            // (of a name or a field: a slice of anything else is not `&x[..]`'s form)
            Expr::MethodCall(m)
                if m.method == "as_slice"
                    && m.args.is_empty()
                    && matches!(&*m.receiver, Expr::Path(_) | Expr::Field(_)) =>
            {
                let receiver = &m.receiver;
                *e = parse_quote!(&#receiver[..]);
            }
            Expr::MethodCall(m) if m.method == "map" && m.args.len() == 1 => {
                if let (Expr::Array(array), Expr::Closure(f)) = (&*m.receiver, &m.args[0]) {
                    if let [pat] = &*f.inputs.iter().collect::<Vec<_>>() {
                        let body = &f.body;
                        let mapped = array
                            .elems
                            .iter()
                            .map(|x| -> Expr { parse_quote!({ let #pat = #x; #body }) });
                        *e = parse_quote!([#(#mapped),*]);
                    }
                }
            }
            _ => {}
        }
    }

    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        if let Some(init) = &mut local.init {
            chosen_index(&mut init.expr);
        }
        visit_mut::visit_local_mut(self, local);
        if let (Pat::Tuple(t), Some(init)) = (&local.pat, &mut local.init) {
            split_tuple_branches(&mut init.expr, t.elems.len());
        }
        copy_lent_branches(local);
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// `&self.c[if t < 1000.0 { 0 } else { 1 }]`, a `let`'s element or row at an index an `if`
/// or a `match` chooses: the index bound first (`{ let i = if ..; &self.c[i] }`).
fn chosen_index(e: &mut Expr) {
    let (lent, index) = match &*e {
        Expr::Reference(r) if r.mutability.is_none() => match &*r.expr {
            Expr::Index(i) => (true, i),
            _ => return,
        },
        Expr::Index(i) => (false, i),
        _ => return,
    };
    if !matches!(&*index.index, Expr::If(_) | Expr::Match(_)) {
        return;
    }
    let (base, chosen) = (&index.expr, &index.index);
    let name = syn::Ident::new(
        &format!("{}chosen_index", super::SYNTHETIC),
        syn::spanned::Spanned::span(chosen),
    );
    *e = match lent {
        true => parse_quote!({ let #name = #chosen; &#base[#name] }),
        false => parse_quote!({ let #name = #chosen; #base[#name] }),
    };
}

/// The `if` chain of `match ()` arms `_ if cond => value`, up to the first without a guard.
fn guard_chain(arms: &[syn::Arm]) -> Option<Expr> {
    let (arm, rest) = arms.split_first()?;
    if !matches!(arm.pat, Pat::Wild(_)) {
        return None;
    }
    let body = &arm.body;
    match &arm.guard {
        None => Some(parse_quote!({ #body })),
        Some((_, cond)) => {
            let otherwise = guard_chain(rest)?;
            Some(parse_quote!(if #cond { #body } else { #otherwise }))
        }
    }
}

/// `vec![[a, a]; n]`, a vector of rows each a literal of one value repeated: the form the
/// lowering knows, `vec![[a; 2]; n]`.
fn repeated_row(mac: &syn::Macro) -> Option<Expr> {
    let (row, count) = mac
        .parse_body_with(|input: syn::parse::ParseStream| {
            let row: Expr = input.parse()?;
            input.parse::<syn::Token![;]>()?;
            let count: Expr = input.parse()?;
            Ok((row, count))
        })
        .ok()?;
    let Expr::Array(row) = row else {
        return None;
    };
    let first = row.elems.first()?;
    let text = |e: &Expr| quote::ToTokens::to_token_stream(e).to_string();
    if !row
        .elems
        .iter()
        .all(|e| matches!(e, Expr::Lit(_)) && text(e) == text(first))
    {
        return None;
    }
    let len = row.elems.len();
    Some(parse_quote!(vec![[#first; #len]; #count]))
}
