//! Iterators kept in a local and used later, rewritten before lowering into a counter over the
//! array: `it.next().unwrap()` takes the element at the counter, which then moves on, and the
//! iterator used whole afterwards (`for v in it`, `it.fold(..)`) is the rest of the array:
//!
//! ```text
//! let mut it = x.iter();                  let mut it_at = 0;
//! let first = *it.next().unwrap();   =>   let first = { it_at += 1; x[it_at - 1] };
//! it.fold(first, |m, &v| m.max(v))        x[it_at..].iter().fold(first, |m, &v| m.max(v))
//! ```
//!
//! A reversed iterator (`x.iter().rev()`, as Horner's rule walks its coefficients) takes them
//! from the end: `x[x.len() - it_at]`, the rest `x[..x.len() - it_at].iter().rev()`.
//!
//! An element taken from an iterator where it is made is the element itself:
//! `*x.iter().nth(k).unwrap()` is `x[k]`, `x.iter().copied().last().unwrap()` is
//! `x[x.len() - 1]`. All panic where the iterator's `unwrap` would. An element is taken dereferenced
//! (`*it.next().unwrap()`, `while let Some(&v) = it.next()`), or as it is from `.iter().copied()`
//! (`while let Some(v) = it.next()`: a loop while the counter is in the array, the element taken
//! first in each round; `match it.next() { None => a, Some(&v) => b }` and `if let`: `b` with
//! the element taken if the counter is in the array, else `a`; a `Some(x)` arm that hides the
//! array `x` reads the rest through an alias of it). An iterator used any other way (an element
//! kept as a reference, passed to a function) is left as written, for lowering to report.
//!
//! An iterator chain kept in a local that is not `mut` and used once, as a method's receiver or
//! a `for` loop's iterable (`let means = x.chunks(k).map(..); means.zip(t).map(..).sum()`),
//! is the chain written there: it runs there in Rust too, being lazy.

use proc_macro2::Span;
use quote::ToTokens;
use syn::visit::{self, Visit};
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote_spanned, Expr, Ident, Stmt};

use super::control::is_place;
use super::SYNTHETIC;

/// `block` with its held iterators rewritten, if it has one.
pub fn desugared(block: &syn::Block) -> Option<syn::Block> {
    super::rewritten(block, Blocks { changed: false }, |b| b.changed)
}

struct Blocks {
    changed: bool,
}

impl VisitMut for Blocks {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        visit_mut::visit_expr_mut(self, expr);
        if let Some(element) = taken_in_place(expr) {
            *expr = element;
            self.changed = true;
        }
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        visit_mut::visit_block_mut(self, block);
        for at in 0..block.stmts.len() {
            let Some(mut held) = Held::of(&block.stmts[at]) else {
                continue;
            };
            let rest = &block.stmts[at + 1..];
            let mut uses = Uses {
                name: &held.name,
                copied: held.adaptor.is_some(),
                all: 0,
                taken: 0,
                rebound: false,
            };
            rest.iter().for_each(|s| uses.visit_stmt(s));
            if uses.rebound || uses.all == 0 || uses.all != uses.taken {
                continue;
            }
            let counter = &held.counter;
            block.stmts[at] = parse_quote_spanned!(held.span=> let mut #counter: usize = 0;);
            for stmt in &mut block.stmts[at + 1..] {
                held.visit_stmt_mut(stmt);
            }
            self.changed = true;
        }
        self.changed |= chains_written_where_used(&mut block.stmts);
    }
}

/// Writes each lazy chain kept in a local and used once where it is used (see the module's
/// documentation), if what it reads is not bound or assigned again after it; true if any was.
fn chains_written_where_used(stmts: &mut Vec<Stmt>) -> bool {
    let mut changed = false;
    let mut at = 0;
    while at < stmts.len() {
        let Some((name, chain)) = lazy_chain(&stmts[at]) else {
            at += 1;
            continue;
        };
        let rest = &stmts[at + 1..];
        let mut uses = Uses {
            name: &name,
            copied: false,
            all: 0,
            taken: 0,
            rebound: false,
        };
        rest.iter().for_each(|s| uses.visit_stmt(s));
        let mut free = Vec::new();
        super::mentioned_names(chain.to_token_stream(), &mut free);
        let mut own = Bound(Vec::new());
        own.visit_expr(&chain);
        let mut later = Bound(Vec::new());
        rest.iter().for_each(|s| later.visit_stmt(s));
        let read_again = free
            .iter()
            .any(|(n, _)| !own.0.contains(n) && later.0.contains(n));
        if uses.rebound || uses.all != 1 || uses.taken != 1 || read_again {
            at += 1;
            continue;
        }
        let mut written = WrittenOut { name, chain };
        stmts.remove(at);
        for stmt in &mut stmts[at..] {
            written.visit_stmt_mut(stmt);
        }
        changed = true;
    }
    changed
}

/// `let name = chain;` of a chain that makes an iterator (ends in an adaptor), `name` not
/// `mut` and untyped.
fn lazy_chain(stmt: &Stmt) -> Option<(Ident, Expr)> {
    const ADAPTORS: &[&str] = &[
        "iter",
        "into_iter",
        "map",
        "filter",
        "filter_map",
        "zip",
        "enumerate",
        "chunks",
        "chunks_exact",
        "windows",
        "rev",
        "skip",
        "take",
        "step_by",
        "copied",
        "cloned",
        "chain",
        "flat_map",
        "flatten",
        "skip_while",
        "take_while",
        "scan",
        "map_while",
    ];
    let Stmt::Local(local) = stmt else {
        return None;
    };
    let syn::Pat::Ident(pi) = &local.pat else {
        return None;
    };
    let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
    let Expr::MethodCall(m) = &*init.expr else {
        return None;
    };
    // An array's `map` is eager (`[T; N]::map`): a chain of `map`s is lazy only on a range.
    let mut methods = vec![m];
    let mut root = &*m.receiver;
    while let Expr::MethodCall(inner) = root {
        methods.push(inner);
        root = &inner.receiver;
    }
    let on_range = matches!(root, Expr::Paren(p) if matches!(*p.expr, Expr::Range(_)));
    let lazy = ADAPTORS.contains(&m.method.to_string().as_str())
        && (on_range || methods.iter().any(|m| m.method != "map"));
    (lazy && pi.mutability.is_none() && pi.by_ref.is_none() && pi.subpat.is_none())
        .then(|| (pi.ident.clone(), (*init.expr).clone()))
}

/// The names a pattern binds or an assignment writes (`let x = ..`, `|x| ..`, `x = ..`,
/// `x += ..`).
struct Bound(Vec<Ident>);

impl<'ast> Visit<'ast> for Bound {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(p.ident.clone());
        visit::visit_pat_ident(self, p);
    }
    fn visit_expr(&mut self, expr: &'ast Expr) {
        let target = match expr {
            Expr::Assign(a) => Some(&*a.left),
            Expr::Binary(b) if is_compound_assignment(&b.op) => Some(&*b.left),
            _ => None,
        };
        if let Some(Expr::Path(p)) = target {
            self.0.extend(p.path.get_ident().cloned());
        }
        visit::visit_expr(self, expr);
    }
}

fn is_compound_assignment(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// Writes `chain`, in parentheses, where `name` is used.
struct WrittenOut {
    name: Ident,
    chain: Expr,
}

impl VisitMut for WrittenOut {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if is_name(expr, &self.name) {
            let chain = &self.chain;
            *expr = syn::parse_quote!((#chain));
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

/// `let mut it = x.iter();` (or `.iter().copied()`, `.iter().cloned()`) over an array named
/// by a path or fields (`x`, `self.w`).
struct Held {
    name: Ident,
    array: Expr,
    /// `.copied()` or `.cloned()` after `.iter()`.
    adaptor: Option<Ident>,
    /// `.rev()` after `.iter()`: the elements taken from the end.
    reversed: bool,
    counter: Ident,
    span: Span,
}

impl Held {
    fn of(stmt: &Stmt) -> Option<Held> {
        let Stmt::Local(local) = stmt else {
            return None;
        };
        let syn::Pat::Ident(pi) = &local.pat else {
            return None;
        };
        let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
        let (array, adaptor, reversed) = iterator_of_place(&init.expr)?;
        let name = pi.ident.clone();
        let span = name.span();
        Some(Held {
            counter: Ident::new(&format!("{SYNTHETIC}{name}_at"), span),
            array: array.clone(),
            adaptor: adaptor.cloned(),
            reversed,
            name,
            span,
        })
    }

    /// `{ it_at += 1; x[it_at - 1] }` (`x[x.len() - it_at]` from the end): the next element.
    fn next(&self) -> Expr {
        let (counter, array) = (&self.counter, &self.array);
        match self.reversed {
            true => {
                parse_quote_spanned!(self.span=> { #counter += 1; #array[#array.len() - #counter] })
            }
            false => parse_quote_spanned!(self.span=> { #counter += 1; #array[#counter - 1] }),
        }
    }

    /// `x[it_at..].iter()` (`x[..x.len() - it_at].iter().rev()`): what the iterator has left.
    fn rest(&self) -> Expr {
        let (counter, array) = (&self.counter, &self.array);
        let adaptor = self.adaptor.iter();
        match self.reversed {
            true => {
                parse_quote_spanned!(self.span=> #array[..#array.len() - #counter].iter().rev() #(.#adaptor())*)
            }
            false => parse_quote_spanned!(self.span=> #array[#counter..].iter() #(.#adaptor())*),
        }
    }
}

impl VisitMut for Held {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        // `match it.next() { None => a, Some(&v) => b }`, `if let Some(&v) = it.next() { b }
        // else { a }`: `b` with the element taken while the counter is in the array, else `a`.
        let copied = self.adaptor.is_some();
        if let Some((element, some, none)) = taken_once(expr, &self.name, copied) {
            let (element, mut some) = (element.clone(), some);
            let mut none = none
                .cloned()
                .unwrap_or_else(|| parse_quote_spanned!(self.span=> {}));
            self.visit_expr_mut(&mut none);
            // `Some(x) => iter.fold(*x, ..)` of `x.iter()`: the array under a name of its own
            // where the element hides it.
            let hides = shadows_array(&element, &some, &self.name, &self.array);
            let array = self.array.clone();
            let alias = Ident::new(&format!("{SYNTHETIC}{}_array", self.name), self.span);
            if hides {
                self.array = parse_quote_spanned!(self.span=> #alias);
            }
            let next = self.next();
            self.visit_expr_mut(&mut some);
            self.array = array.clone();
            let counter = &self.counter;
            let bind_alias = hides.then(|| quote::quote!(let #alias = &#array;));
            *expr = parse_quote_spanned!(self.span=>
                if #counter < #array.len() {
                    #bind_alias
                    let #element = #next;
                    #some
                } else {
                    #none
                }
            );
            return;
        }
        if let Expr::While(w) = expr {
            if let Some(element) = taken_round_by_round(w, &self.name, self.adaptor.is_some()) {
                let element = element.clone();
                let (counter, array, next) = (&self.counter, &self.array, self.next());
                let (label, stmts) = (&w.label, &w.body.stmts);
                *expr = parse_quote_spanned!(self.span=>
                    #label while #counter < #array.len() {
                        let #element = #next;
                        #(#stmts)*
                    }
                );
                visit_mut::visit_expr_mut(self, expr);
                return;
            }
        }
        if let Expr::Unary(u) = expr {
            if matches!(u.op, syn::UnOp::Deref(_)) && takes_next(&u.expr, &self.name) {
                *expr = self.next();
                return;
            }
        }
        if takes_next(expr, &self.name) {
            *expr = self.next();
            return;
        }
        if is_name(expr, &self.name) {
            *expr = self.rest();
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

/// How often the statements after a held iterator name it, and how often in a way the
/// rewrite takes: the next element unwrapped, a `for` loop over it, a method of it.
struct Uses<'a> {
    name: &'a Ident,
    /// The iterator yields values (`.copied()`): its next element is taken as it is, not
    /// only dereferenced (`*it.next().unwrap()`; a reference it yields is not an element).
    copied: bool,
    all: usize,
    taken: usize,
    /// A `let` or a closure binds the name again.
    rebound: bool,
}

impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        let deref = match expr {
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => Some(&*u.expr),
            _ => None,
        };
        if deref.is_some_and(|e| takes_next(e, self.name))
            || (self.copied && takes_next(expr, self.name))
        {
            self.taken += 1;
            self.all += 1;
            return;
        }
        match expr {
            Expr::ForLoop(f) if is_name(&f.expr, self.name) => self.taken += 1,
            Expr::While(w) if taken_round_by_round(w, self.name, self.copied).is_some() => {
                self.taken += 1
            }
            _ if taken_once(expr, self.name, self.copied).is_some() => self.taken += 1,
            Expr::MethodCall(m) if is_name(&m.receiver, self.name) && m.method != "next" => {
                self.taken += 1
            }
            _ => {}
        }
        visit::visit_expr(self, expr);
    }
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.rebound |= p.ident == *self.name;
        visit::visit_pat_ident(self, p);
    }
    fn visit_ident(&mut self, i: &'ast Ident) {
        if i == self.name {
            self.all += 1;
        }
    }
    fn visit_member(&mut self, _: &'ast syn::Member) {}
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let named = mac
            .tokens
            .clone()
            .into_iter()
            .any(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == *self.name));
        // A macro's tokens are not rewritten: a name there is a use the rewrite does not take.
        self.all += usize::from(named);
    }
}

/// The element `expr` takes from an iterator made where it is (`*x.iter().nth(k).unwrap()`,
/// `x.iter().copied().last().unwrap()`, `*x.iter().next().expect(..)`): `x[k]`,
/// `x[x.len() - 1]`, `x[0]`. A reference the iterator yields is taken only dereferenced.
fn taken_in_place(expr: &Expr) -> Option<Expr> {
    let (deref, taken) = match expr {
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => (true, &*u.expr),
        other => (false, other),
    };
    let Expr::MethodCall(unwrap) = taken else {
        return None;
    };
    let unwrapped = super::is_unwrap(unwrap);
    let Expr::MethodCall(pick) = &*unwrap.receiver else {
        return None;
    };
    let (array, adaptor, reversed) = iterator_of_place(&pick.receiver)?;
    if !unwrapped || deref == adaptor.is_some() {
        return None;
    }
    let span = pick.method.span();
    // (counted from the end for a reversed iterator)
    let at = |k: Expr| match reversed {
        true => parse_quote_spanned!(span=> #array[#array.len() - 1 - (#k)]),
        false => parse_quote_spanned!(span=> #array[#k]),
    };
    match (pick.method.to_string().as_str(), pick.args.len()) {
        ("nth", 1) => Some(at(pick.args[0].clone())),
        ("next", 0) => Some(at(parse_quote_spanned!(span=> 0))),
        ("last", 0) => Some(at(parse_quote_spanned!(span=> #array.len() - 1))),
        _ => None,
    }
}

/// `x.iter()`, `x.iter().copied()` or `.cloned()` over a place (`x`, `self.w`), perhaps
/// reversed (`.rev()` before or after the adaptor): the place, the adaptor after `iter()` if
/// there is one, and whether the iterator runs from the end.
fn iterator_of_place(expr: &Expr) -> Option<(&Expr, Option<&Ident>, bool)> {
    let (mut e, mut adaptor, mut reversed) = (expr, None, false);
    loop {
        let Expr::MethodCall(m) = e else {
            return None;
        };
        if !m.args.is_empty() {
            return None;
        }
        match m.method.to_string().as_str() {
            "copied" | "cloned" if adaptor.is_none() => adaptor = Some(&m.method),
            "rev" if !reversed => reversed = true,
            "iter" if is_place(&m.receiver) => return Some((&*m.receiver, adaptor, reversed)),
            _ => return None,
        }
        e = &m.receiver;
    }
}

/// `it.next().unwrap()`, `.expect(..)`, with `.copied()` or `.cloned()` before.
fn takes_next(expr: &Expr, name: &Ident) -> bool {
    let Expr::MethodCall(unwrap) = expr else {
        return false;
    };
    let unwrapped = super::is_unwrap(unwrap);
    let mut next = &*unwrap.receiver;
    if let Expr::MethodCall(m) = next {
        if (m.method == "copied" || m.method == "cloned") && m.args.is_empty() {
            next = &m.receiver;
        }
    }
    unwrapped
        && matches!(next, Expr::MethodCall(n) if n.method == "next" && n.args.is_empty() && is_name(&n.receiver, name))
}

/// The element a `while let` binds round by round when its condition takes the next one from
/// iterator `name`: `v` of `Some(&v)`, or of `Some(v)` (bound to the number where the
/// iterator yields references: arithmetic and `*v` read it as they would the reference).
fn taken_round_by_round<'w>(
    w: &'w syn::ExprWhile,
    name: &Ident,
    copied: bool,
) -> Option<&'w syn::Pat> {
    let Expr::Let(l) = &*w.cond else {
        return None;
    };
    next_of(&l.expr, name).then(|| some_element(&l.pat, copied))?
}

/// The element a `match` or `if let` on the next element of iterator `name` binds, the
/// expression run with it, and the one run when there is none (`None => a`, `else { a }`):
/// `match it.next() { None => a, Some(&v) => b }`, `if let Some(&v) = it.next() { b }`.
fn taken_once<'e>(
    expr: &'e Expr,
    name: &Ident,
    copied: bool,
) -> Option<(&'e syn::Pat, Expr, Option<&'e Expr>)> {
    match expr {
        Expr::Match(m) if next_of(&m.expr, name) && m.arms.len() == 2 => {
            if m.arms.iter().any(|a| a.guard.is_some()) {
                return None;
            }
            let is_none = |p: &syn::Pat| match p {
                syn::Pat::Ident(i) => i.ident == "None" && i.subpat.is_none(),
                syn::Pat::Path(p) => p.path.is_ident("None"),
                _ => false,
            };
            let (none, some) = match is_none(&m.arms[0].pat) {
                true => (&m.arms[0], &m.arms[1]),
                false => (&m.arms[1], &m.arms[0]),
            };
            if !is_none(&none.pat) {
                return None;
            }
            let element = some_element(&some.pat, copied)?;
            Some((element, (*some.body).clone(), Some(&*none.body)))
        }
        Expr::If(i) => {
            let Expr::Let(l) = &*i.cond else {
                return None;
            };
            if !next_of(&l.expr, name) {
                return None;
            }
            let element = some_element(&l.pat, copied)?;
            let then = Expr::Block(syn::ExprBlock {
                attrs: Vec::new(),
                label: None,
                block: i.then_branch.clone(),
            });
            Some((element, then, i.else_branch.as_ref().map(|(_, e)| &**e)))
        }
        _ => None,
    }
}

/// Whether the element bound by `element` hides the array iterator `name` goes over, in a
/// `body` that uses the iterator again (`Some(x) => iter.fold(*x, ..)` of `x.iter()`): the
/// rest of the iterator would read the element there.
fn shadows_array(element: &syn::Pat, body: &Expr, name: &Ident, array: &Expr) -> bool {
    let mut bound = Vec::new();
    super::control::bound_names(element, &mut bound);
    let mut in_array = Vec::new();
    super::mentioned_names(array.to_token_stream(), &mut in_array);
    let hides = bound.iter().any(|b| in_array.iter().any(|(a, _)| a == b));
    let mut in_body = Vec::new();
    super::mentioned_names(body.to_token_stream(), &mut in_body);
    hides && in_body.iter().any(|(n, _)| n == name)
}

/// Whether `expr` is `name.next()`.
fn next_of(expr: &Expr, name: &Ident) -> bool {
    matches!(expr, Expr::MethodCall(n)
        if n.method == "next" && n.args.is_empty() && is_name(&n.receiver, name))
}

/// `v` of `Some(&v)`, or of `Some(v)` (bound to the number where the iterator yields
/// references: arithmetic and `*v` read it as they would the reference).
fn some_element(pat: &syn::Pat, copied: bool) -> Option<&syn::Pat> {
    let syn::Pat::TupleStruct(some) = pat else {
        return None;
    };
    if !some.path.is_ident("Some") {
        return None;
    }
    match (&*some.elems.iter().collect::<Vec<_>>(), copied) {
        ([syn::Pat::Reference(r)], false) => Some(&*r.pat),
        ([element], _) if !matches!(element, syn::Pat::Reference(_)) => Some(*element),
        _ => None,
    }
}

fn is_name(expr: &Expr, name: &Ident) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident(name))
}
