//! Iterator chains with closures, lowered as the loops they stand for.
//!
//! `x.iter().zip(y).map(|(a, b)| a * b).sum()` is the loop a careful person writes by hand:
//! the chain's adaptors become index arithmetic on one counted loop (`zip` pairs positions,
//! `rev`, `skip`, `take`, `step_by` map a position to an index, `enumerate` binds the
//! position), closures are inlined (`map`, `filter`, `fold`), and the reduction is a carried
//! accumulator. The loop is written as Rust and lowered like the user's own loops, so its
//! reverse sweep costs what the equivalent loop's costs.

use std::rc::Rc;

use proc_macro2::{Ident, Span};
use syn::parse_quote;

use super::*;

/// A chain that collects into something other than a `Vec` (or where the lowering cannot
/// take the `Vec`) and goes on.
pub(super) const COLLECTED_MID_CHAIN: &str = "#[grad] goes on from a chain collected into a `Vec` (`.collect::<Vec<f64>>().windows(2)..`), but not from this collection: bind what is collected to a `Vec` with a `let` first (`let v: Vec<f64> = x.iter().map(..).collect();`) and go on from it (`v.windows(2)..`)";

// Every expression spliced into another is parenthesized: quoting `j + 1` into `#p * 2`
// would read `j + 1 * 2`. The parentheses never reach the generated code, which is lowered.

/// The items of a chain, as positions `0..len`.
pub(super) struct Stream {
    /// The number of items (before any `filter`).
    pub(super) len: Expr,
    /// The item at a position.
    pub(super) at: Rc<dyn Fn(&Expr) -> Expr>,
    /// What happens to each item after a `filter` (positions no longer count items).
    pub(super) tail: Vec<Step>,
}

#[derive(Clone)]
pub(super) enum Step {
    Map(Expr),
    Filter(Expr),
    TakeWhile(Expr),
    /// `filter_map(f)`: `f`'s `Some` kept, as a local `Option` taken apart.
    FilterMap(Expr),
    /// `scan(init, |st, x| ..)`: a local `state` made at `init` before the loop, which `f`
    /// (the closure of `x` alone, its `*st` read as `state`) changes; its `None` ends the loop.
    Scan {
        state: Ident,
        init: Expr,
        f: Expr,
    },
}

/// How a chain ends.
enum Reduction<'e> {
    Sum,
    Product,
    Fold(&'e Expr, &'e Expr),
    /// `.max_by(cmp).unwrap()` (`max == true`) or `.min_by(cmp).unwrap()` (or `.unwrap_or(d)`).
    Extreme {
        cmp: &'e Expr,
        max: bool,
    },
    /// `.reduce(f).unwrap()` (or `.unwrap_or(d)`).
    Reduce(&'e Expr),
    ForEach(&'e Expr),
}

impl Lowerer<'_> {
    /// A chain ending in a reduction that a differentiated value flows through; `None` when
    /// `m` is not one (the caller reports it).
    pub(super) fn lower_iterator_chain(&mut self, m: &syn::ExprMethodCall) -> Option<Value> {
        let (reduction, chain, default) = reduction(m)?;
        // `.max_by(cmp).unwrap_or(d)` over a chain whose length says whether it has items; after
        // a `filter`, the flag of the loop below does. (Asked only then: reading the chain may
        // bind its source to a local.)
        if default.is_some() && !matches!(self.stream(chain), Ok(stream) if !stream.tail.is_empty())
        {
            return self.lower_extreme_or(m);
        }
        if let Some(bound) = self.chain_over_call(m) {
            return Some(self.lower_expr(&bound));
        }
        let span = spans::method_call(m);
        let stream = match self.stream(chain) {
            Ok(stream) => stream,
            Err((tokens, message)) => {
                self.errors.at(tokens, message);
                return Some(Value::Error);
            }
        };
        if self.closure_returns(&Expr::MethodCall(m.clone())) {
            return Some(Value::Error);
        }
        if let Reduction::Fold(init @ (Expr::Array(_) | Expr::Repeat(_)), _) = reduction {
            self.errors.on(
                init,
                "#[grad] folds into a number or a tuple of numbers, not an array: write a few accumulators as a tuple (`fold((0.0, 0.0), |(s, q), &v| (s + v, q + v * v))`), or an array of them as a local the loop adds into (`let mut acc = [0.0; D]; for &i in ids { for j in 0..D { acc[j] += emb[i][j]; } }`)",
            );
            return Some(Value::Error);
        }
        if let Reduction::Fold(init, _) = reduction {
            if let Some(vec) = vector_init(init) {
                self.errors.on(
                    vec,
                    "#[grad] folds into a number or a tuple of numbers, not a `Vec` pushed into: collect what is pushed (`let v: Vec<f64> = y.iter().map(|&x| 2.0 * x).collect();`, `.filter(..)` first to keep some), or push in a `for` loop (`let mut v = Vec::new(); for &x in y { v.push(2.0 * x); }`)",
                );
                return Some(Value::Error);
            }
        }
        let k = self.next_synthetic();
        let name = |base: &str| Ident::new(&format!("{SYNTHETIC}{base}_{k}"), span);
        let (n, j, item, acc) = (name("n"), name("i"), name("item"), name("acc"));
        let picks = matches!(reduction, Reduction::Extreme { .. } | Reduction::Reduce(_));
        // After a `filter` (or `take_while`), the first item kept is not known before the
        // loop: the loop starts at the first position, and a flag says when one is taken.
        let found = (picks && !stream.tail.is_empty()).then(|| name("found"));
        let first = picks && found.is_none();
        let at = (stream.at)(&build::path(&j));
        let mut body = vec![build::let_(build::binding(&item), at)];
        body.extend(stream.steps(&item));
        let (init, display): (Option<Value>, &str) = match &reduction {
            Reduction::Sum => (Some(Value::Scalar(self.zero())), "sum"),
            Reduction::Product => (Some(Value::Scalar(self.float_constant(1.0))), "product"),
            Reduction::Fold(init, _) => (Some(self.lower_expr(init)), "acc"),
            Reduction::Extreme { .. } | Reduction::Reduce(_) => {
                // (after a `filter`, only a start of the item's type: the maps applied)
                let Some(at0) = stream.mapped(&item, (stream.at)(&build::int(0))) else {
                    let method = match reduction {
                        Reduction::Extreme { max: true, .. } => "max_by",
                        Reduction::Extreme { .. } => "min_by",
                        _ => "reduce",
                    };
                    self.errors.at(
                        span,
                        format!("#[grad] takes `.{method}(..)` after `filter`, not after `filter_map`: write the loop out"),
                    );
                    return Some(Value::Error);
                };
                (Some(self.lower_expr(&at0)), "best")
            }
            Reduction::ForEach(_) => (None, ""),
        };
        // A tuple accumulator (`fold((0.0, 0.0), |(s, q), &v| ..)`) is one cell per component.
        let parts = match &init {
            Some(Value::Tuple(values)) => values.len(),
            _ => 1,
        };
        let accs: Vec<Ident> = match parts {
            1 => vec![acc.clone()],
            _ => (0..parts).map(|i| name(&format!("acc{i}"))).collect(),
        };
        let acc_expr: Expr = match parts {
            1 => build::path(&acc),
            _ => parse_quote!((#(#accs),*)),
        };
        body.push(match &reduction {
            Reduction::Sum => parse_quote!(#acc = #acc + #item;),
            Reduction::Product => parse_quote!(#acc = #acc * #item;),
            Reduction::Reduce(f) if found.is_some() => {
                let next = apply(f, vec![acc_expr.clone(), parse_quote!(#item)]);
                let (next, take) = (
                    assign(&accs, &next, &name),
                    assign(&accs, &parse_quote!(#item), &name),
                );
                parse_quote!(if #found { #next } else { #take #found = true; })
            }
            Reduction::Fold(_, f) | Reduction::Reduce(f) => {
                let next = apply(f, vec![acc_expr.clone(), parse_quote!(#item)]);
                assign(&accs, &next, &name)
            }
            // `max_by` keeps the last of equal items and `min_by` the first, as std does. The
            // comparison, passed through as written, sees the items as the chain yields them
            // (`&(usize, &f64)` after `.iter().enumerate()`).
            Reduction::Extreme { cmp, max } => {
                let shape = yielded(chain);
                let (best, next) = (shape.wrap(acc_expr.clone()), shape.wrap(build::path(&item)));
                let order = apply(cmp, vec![parse_quote!(&#best), parse_quote!(&#next)]);
                let take = assign(&accs, &parse_quote!(#item), &name);
                let replaces: Expr = match max {
                    true => parse_quote!(!#order.is_gt()),
                    false => parse_quote!(#order.is_gt()),
                };
                match &found {
                    // (the first item kept is taken whatever the comparison with the
                    // position-0 item the accumulator starts at says)
                    Some(found) => parse_quote!(if !#found || #replaces { #take #found = true; }),
                    None => parse_quote!(if #replaces { #take }),
                }
            }
            Reduction::ForEach(f) => {
                let call = apply(f, vec![parse_quote!(#item)]);
                parse_quote!(#call;)
            }
        });
        let mut looped = stream.setup();
        looped.extend([
            build::let_(build::binding(&n), stream.len),
            build::counted_for(&j, build::int(usize::from(first)), &n, body),
        ]);
        let looped = build::block(looped);
        self.scopes.push(HashMap::default());
        let initial: Vec<(Ident, Value)> = match init {
            None => Vec::new(),
            Some(Value::Tuple(values)) => accs.iter().cloned().zip(values).collect(),
            Some(value) => vec![(acc.clone(), value)],
        };
        let mut cells = Vec::new();
        for (key, value) in initial {
            let init = self.scalar(value, span);
            let ty = self.ty(&init);
            let binding = self.new_cell(display, init, ty, true);
            self.bind(key.to_string(), binding.clone());
            cells.push(cell_of(&binding));
        }
        if let Some(found) = &found {
            let none = self.new_cell("found", Operand::Lit(lit_bool(false)), Ty::Bool, true);
            self.bind(found.to_string(), none);
        }
        self.lower_expr(&looped);
        // Nothing kept: `None`, which the `.unwrap()` panics on, or the default.
        if let Some(found) = &found {
            let missing: syn::Stmt = match default {
                Some(d) => assign(&accs, d, &name),
                None => {
                    parse_quote!(::core::panic!("called `Option::unwrap()` on a `None` value");)
                }
            };
            self.lower_expr(&parse_quote!(if !#found { #missing }));
        }
        self.scopes.pop();
        let mut results: Vec<Value> = cells
            .into_iter()
            .map(|cell| Value::Scalar(self.cells[cell].value.clone()))
            .collect();
        Some(match results.len() {
            0 => Value::Unit,
            1 if parts == 1 => results.remove(0),
            _ => Value::Tuple(results),
        })
    }

    /// `chain.max_by(cmp)` (or `min_by`, `reduce`, with `.copied()`): the call, and the
    /// number of items it picks from (`None` where the chain is reported unsupported).
    pub(super) fn picked<'e>(
        &mut self,
        e: &'e Expr,
    ) -> Option<(&'e syn::ExprMethodCall, Option<Expr>)> {
        let Expr::MethodCall(inner) = without_copied(e) else {
            return None;
        };
        let picks = matches!(
            inner.method.to_string().as_str(),
            "max_by" | "min_by" | "reduce"
        );
        if !picks || inner.args.len() != 1 {
            return None;
        }
        match self.stream(&inner.receiver) {
            // With a `filter`, a chain of items may keep none: its length does not tell.
            Ok(stream) if !stream.tail.is_empty() => {
                self.errors.on(
                    &inner.method,
                    format!("#[grad] takes `.{}(..)` after `{}` with `.unwrap()` or `.unwrap_or(d)`, not through `?`: write the loop out", inner.method, stream.tail[0].name()),
                );
                Some((inner, None))
            }
            Ok(stream) => Some((inner, Some(stream.len))),
            Err((tokens, message)) => {
                self.errors.at(tokens, message);
                Some((inner, None))
            }
        }
    }

    /// `chain.max_by(cmp).unwrap_or(d)` (or `min_by`, `reduce`): `d` where the chain has no
    /// items, written as the branch `if n == 0 { d } else { chain.max_by(cmp).unwrap() }`.
    fn lower_extreme_or(&mut self, m: &syn::ExprMethodCall) -> Option<Value> {
        let [default] = &*m.args.iter().collect::<Vec<_>>() else {
            return None;
        };
        if m.method != "unwrap_or" {
            return None;
        }
        let (inner, len) = self.picked(&m.receiver)?;
        let Some(len) = len else {
            return Some(Value::Error);
        };
        let unwrap = syn::Ident::new("unwrap", m.method.span());
        let branch: Expr = parse_quote!(if (#len) == 0 { #default } else { #inner.#unwrap() });
        Some(self.lower_expr(&branch))
    }

    /// Reports a closure in `expr` that contains `return`, which inlining would turn into a
    /// return from the whole function.
    pub(super) fn closure_returns(&mut self, expr: &Expr) -> bool {
        struct Closures<'a>(Vec<&'a syn::ExprClosure>);
        impl<'a> Visit<'a> for Closures<'a> {
            fn visit_expr_closure(&mut self, c: &'a syn::ExprClosure) {
                self.0.push(c);
            }
        }
        let mut closures = Closures(Vec::new());
        closures.visit_expr(expr);
        let mut found = false;
        for c in closures.0 {
            let body = syn::Block {
                brace_token: Default::default(),
                stmts: vec![syn::Stmt::Expr((*c.body).clone(), None)],
            };
            if contains_return(&body) {
                self.errors.on(c, super::closure_returns::UNSUPPORTED);
                found = true;
            }
        }
        found
    }

    /// `for pat in chain { body }` over any chain: `for i in 0..len { let pat = item(i); body }`;
    /// with `pushed`, the vector it pushes into declared at `len` before it (`pushes.rs`).
    pub(super) fn lower_for_stream(
        &mut self,
        f: &syn::ExprForLoop,
        pushed: Vec<(Ident, pushes::Pushed)>,
    ) {
        let span = f.expr.span();
        // A vector this loop fills is declared below, unless the loop is rejected first: its
        // later uses then report nothing more.
        for (name, _) in &pushed {
            self.bind(name.to_string(), Binding::Poisoned);
        }
        if self.closure_returns(&f.expr) {
            self.poison(&f.pat);
            return;
        }
        let stream = match self.stream(&f.expr) {
            Ok(stream) => stream,
            // `for ch in spec.chars()`, `for tok in line.split_whitespace()`: items of data
            // through adaptors the sweeps do not take, collected first as written (or what
            // a plain function returns, `for i in order(n)`, an iterator or a `Vec`).
            Err(_) if pushed.is_empty() && !self.reads(&f.expr.to_token_stream()).varied => {
                let k = self.next_synthetic();
                let items = Ident::new(&format!("{SYNTHETIC}items_{k}"), span);
                let (pat, iterated, body) = (&f.pat, &f.expr, &f.body);
                let label = &f.label;
                drop(self.lower_expr(&syn::parse_quote_spanned!(span=> {
                    let #items = &::core::iter::IntoIterator::into_iter(#iterated)
                        .collect::<::std::vec::Vec<_>>();
                    #label for #pat in #items.iter().cloned() #body
                })));
                return;
            }
            Err((span, message)) => {
                self.errors.at(span, message);
                self.poison(&f.pat);
                return;
            }
        };
        let k = self.next_synthetic();
        let name = |base: &str| Ident::new(&format!("{SYNTHETIC}{base}_{k}"), span);
        let (n, j, item) = (name("n"), name("i"), name("item"));
        let mut at = (stream.at)(&build::path(&j));
        let mut pat = (*f.pat).clone();
        if stream.tail.is_empty() {
            skip_unread(&mut pat, &mut at, &f.body);
        }
        // (a loop that may skip items, `filter`, counts what it pushes)
        let writes =
            pushes::push_as_writes(&pushed, &n, &j, &f.body, !stream.tail.is_empty(), |v| {
                Ident::new(&format!("{SYNTHETIC}{v}_len_{k}"), v.span())
            });
        let steps = stream.steps(&item);
        let mut body = Vec::new();
        if lends_mutably(&at) && steps.is_empty() {
            // `&mut rows[i]` bound to the pattern itself: a copy of the row through another
            // name would take the writes (`row[0] *= 2.0`) away from `rows`.
            body.push(build::let_(pat, at));
        } else {
            body.push(build::let_(build::binding(&item), at));
            body.extend(steps);
            body.push(build::let_(pat, build::path(&item)));
        }
        body.push(syn::Stmt::Expr(
            Expr::Block(syn::ExprBlock {
                attrs: Vec::new(),
                label: None,
                block: writes.body,
            }),
            None,
        ));
        let mut made = stream.setup();
        let count = build::let_(build::binding(&n), stream.len);
        let looped = build::counted_for(&j, build::int(0), &n, body);
        if writes.declared.is_empty() {
            made.extend([count, looped]);
            drop(self.lower_expr(&build::block(made)));
        } else {
            // The vectors outlive the loop: declared in the enclosing scope, with what the
            // chain sets up (a `scan`'s state).
            for stmt in made.iter().chain([&count]).chain(&writes.declared) {
                self.lower_stmt(stmt);
            }
            self.lower_stmt(&looped);
            self.cut_after_loop(writes.cut);
        }
    }

    /// Whether `e` names a `CONSTANT` (no local of that name).
    fn names_constant(&self, e: &Expr) -> bool {
        matches!(e, Expr::Path(p) if super::names::names_constant(&p.path)
            && p.path.get_ident().is_none_or(|i| self.lookup(&i.to_string()).is_none()))
    }

    /// A number for the names of one synthesized loop, unique in the function.
    pub(super) fn next_synthetic(&mut self) -> usize {
        self.synthetic += 1;
        self.synthetic
    }

    /// The items of `expr`, an iterator chain without its reduction.
    pub(super) fn stream(&mut self, expr: &Expr) -> Result<Stream, (Span, String)> {
        let unsupported = |what: &dyn ToTokens, name: &str| {
            // (one that collects into a `Vec` and goes on is the `let` of it: `collected.rs`)
            if name == "collect" {
                return (what.span(), COLLECTED_MID_CHAIN.to_string());
            }
            (
                what.span(),
                format!("#[grad] does not support the iterator adaptor `{name}` in a differentiated chain; supported: map, filter, filter_map, scan, take_while, zip, chain, enumerate, rev, skip, take, step_by, copied, cloned, windows, chunks, chunks_exact, and over a matrix's own rows `flatten` and `flat_map(|r| r.iter())`; for anything else, a `for` loop"),
            )
        };
        if let Some(source) = std_source(expr) {
            return self.stream(&source);
        }
        match expr {
            Expr::Paren(p) => self.stream(&p.expr),
            Expr::Group(g) => self.stream(&g.expr),
            // `for v in &mut out`: `out.iter_mut()`.
            Expr::Reference(r) if r.mutability.is_some() => Ok(mutable_items(&r.expr)),
            Expr::Reference(r) => self.stream(&r.expr),
            // `for (x, w) in [(-0.5, 1.0), (0.5, 1.0)]`: a local array of its own per position
            // of the tuples, bound before the loop; the item is the tuple of their elements.
            Expr::Array(a) if tuple_arity(a) > 0 => {
                let arity = tuple_arity(a);
                let k = self.next_synthetic();
                let mut columns = Vec::new();
                for j in 0..arity {
                    let name = Ident::new(&format!("{SYNTHETIC}literal_{k}_{j}"), expr.span());
                    let column = a.elems.iter().filter_map(|e| match e {
                        Expr::Tuple(t) => Some(&t.elems[j]),
                        _ => None,
                    });
                    let column: Expr = syn::parse_quote_spanned!(expr.span()=> [#(#column),*]);
                    self.lower_stmt(&build::let_(build::binding(&name), column));
                    columns.push(name);
                }
                let len = syn::LitInt::new(&a.elems.len().to_string(), expr.span());
                Ok(Stream {
                    len: parse_quote!(#len),
                    at: Rc::new(move |p| parse_quote!((#(#columns[#p]),*))),
                    tail: Vec::new(),
                })
            }
            // `for op in [Op::Sub, Op::Ins]`: variants (or associated constants), data read in
            // place from the literal, which Rust promotes to a `'static` (an item is no
            // number, bound by reference).
            Expr::Array(a)
                if !a.elems.is_empty()
                    && a.elems.iter().all(|e| matches!(e, Expr::Path(p)
                        if p.qself.is_none() && p.path.segments.len() >= 2)) =>
            {
                self.import_bound();
                let literal = expr.clone();
                let len = syn::LitInt::new(&a.elems.len().to_string(), expr.span());
                Ok(Stream {
                    len: parse_quote!(#len),
                    at: Rc::new(move |p| {
                        let value = build::bound_value(quote!(&(&#literal)[#p]));
                        parse_quote!(#value)
                    }),
                    tail: Vec::new(),
                })
            }
            // `for v in [a, b, c]`, `[a * b, a + b].into_iter()`: the literal is a local array
            // of its own, bound before the loop.
            Expr::Array(_) | Expr::Repeat(_) => {
                let name = format!("{SYNTHETIC}literal_{}", self.next_synthetic());
                let name = Ident::new(&name, expr.span());
                self.lower_stmt(&build::let_(build::binding(&name), expr.clone()));
                self.stream(&build::path(&name))
            }
            Expr::Range(r) => {
                let (Some(start), Some(end)) = (&r.start, &r.end) else {
                    return Err((r.span(), "#[grad] needs ranges with both bounds (`a..b`)".into()));
                };
                // `((i + 1)..n)`: the bounds without their parentheses, which `max(..)` would
                // show rustc as needless.
                let (start, end) = (without_parens(start), without_parens(end));
                let end: Expr = match r.limits {
                    syn::RangeLimits::HalfOpen(_) => end.clone(),
                    syn::RangeLimits::Closed(_) => parse_quote!((#end) + 1),
                };
                // A method on an integer whose type is left to inference (`3`, `let n = 20;`)
                // does not compile (`saturating_sub`): two literals give the count, anything
                // else a `max`.
                let len: Expr = match (unsuffixed_int(start), unsuffixed_int(&end)) {
                    (Some(s), Some(e)) => {
                        // Spanned on the end as written: a lint reading the source there sees
                        // a number, not `0..3`.
                        let span = r.end.as_ref().map_or(r.span(), |end| end.span());
                        let n = syn::LitInt::new(&e.saturating_sub(s).to_string(), span);
                        parse_quote!(#n)
                    }
                    // (of the range's integer type, which may be `i32`)
                    _ => parse_quote!(::autodiff::__private::range_len(
                        ::core::cmp::max(#start, #end) - (#start)
                    )),
                };
                // Each item of the range's own integer type, which `end` gives where it is read
                // again at no cost (`n`, `n + 1`, `x.len()`: a `0` alone is of no type, and a
                // method on it does not compile; `start` alone otherwise).
                let start = start.clone();
                let length = |e: &Expr| matches!(e, Expr::MethodCall(m)
                    if m.method == "len" && m.args.is_empty() && super::control::read_again(&m.receiver));
                let end = match super::control::read_again(&end) || length(&end) {
                    true => end,
                    false => start.clone(),
                };
                Ok(Stream {
                    len,
                    at: Rc::new(move |p| {
                        parse_quote!(::autodiff::__private::range_item(#start, #end, #p))
                    }),
                    tail: Vec::new(),
                })
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                let arg = m.args.first();
                match (name.as_str(), arg) {
                    ("iter" | "into_iter" | "copied" | "cloned" | "by_ref", None) => {
                        self.stream(&m.receiver)
                    }
                    ("iter_mut", None) => Ok(mutable_items(&m.receiver)),
                    ("windows" | "chunks" | "chunks_exact", Some(k)) => {
                        Ok(views(&m.receiver, k, &name))
                    }
                    ("map", Some(f)) => {
                        let mut s = self.stream(&m.receiver)?;
                        if s.tail.is_empty() {
                            let (at, f) = (s.at, f.clone());
                            s.at = Rc::new(move |p| apply(&f, vec![at(p)]));
                        } else {
                            s.tail.push(Step::Map(f.clone()));
                        }
                        Ok(s)
                    }
                    ("filter", Some(f)) => {
                        let mut s = self.stream(&m.receiver)?;
                        s.tail.push(Step::Filter(f.clone()));
                        Ok(s)
                    }
                    ("take_while", Some(f)) => {
                        let mut s = self.stream(&m.receiver)?;
                        s.tail.push(Step::TakeWhile(f.clone()));
                        Ok(s)
                    }
                    ("filter_map", Some(f)) => {
                        let mut s = self.stream(&m.receiver)?;
                        s.tail.push(Step::FilterMap(f.clone()));
                        Ok(s)
                    }
                    ("scan", Some(init)) if m.args.len() == 2 => {
                        let mut s = self.stream(&m.receiver)?;
                        let state = Ident::new(
                            &format!("{SYNTHETIC}state_{}", self.next_synthetic()),
                            m.method.span(),
                        );
                        let f = scan_step(&m.args[1], &state).ok_or_else(|| {
                            (
                                m.args[1].span(),
                                "#[grad] takes `scan` with a closure `|state, x| ..` that reads and writes its state as `*state` (`*state += x; Some(*state)`)".to_string(),
                            )
                        })?;
                        s.tail.push(Step::Scan {
                            state,
                            init: init.clone(),
                            f,
                        });
                        Ok(s)
                    }
                    // `a.iter().chain(&b)`: the positions of `a`, then those of `b`.
                    ("chain", Some(other)) => {
                        if let (Some(a), Some(b)) = (self.rows_of(&m.receiver), self.rows_of(other)) {
                            if a != b {
                                return Err((
                                    m.method.span(),
                                    "#[grad] chains numbers, or the rows of one matrix, not the rows of two: reduce each matrix's rows on its own (`p.iter().map(f).sum::<f64>() + q.iter().map(f).sum::<f64>()`)".to_string(),
                                ));
                            }
                        }
                        let (first, then) = (self.stream(&m.receiver)?, self.stream(other)?);
                        if let Some(step) = first.tail.first().or(then.tail.first()) {
                            return Err((
                                m.method.span(),
                                format!("#[grad] does not support `chain` of a chain with `{0}`: `{0}` after `chain`, just before the reduction", step.name()),
                            ));
                        }
                        let (split, second) = (first.len, then.len);
                        let (at_first, at_then) = (first.at, then.at);
                        let len = parse_quote!((#split) + (#second));
                        Ok(Stream {
                            len,
                            at: Rc::new(move |p| {
                                let (a, b) = (at_first(p), at_then(&parse_quote!((#p) - (#split))));
                                let first = parse_quote!((#p) < (#split));
                                same_array_either(&first, &a, &b).unwrap_or_else(
                                    || parse_quote!(if #first { #a } else { #b }),
                                )
                            }),
                            tail: Vec::new(),
                        })
                    }
                    ("enumerate" | "rev", None) | ("zip" | "skip" | "take" | "step_by", Some(_)) => {
                        let s = self.stream(&m.receiver)?;
                        if let Some(step) = s.tail.first() {
                            return Err((
                                m.method.span(),
                                format!("#[grad] does not support `{name}` after `{0}`: `{0}` last, just before the reduction", step.name()),
                            ));
                        }
                        let other = match (name.as_str(), arg) {
                            ("zip", Some(other)) => Some(self.stream(other)?),
                            _ => None,
                        };
                        Ok(positions(s, &name, arg, other))
                    }
                    _ => Err(unsupported(&m.method, &name)),
                }
            }
            // `std::iter::zip(a, b)` is `a.into_iter().zip(b)`.
            Expr::Call(c) if free_zip(c).is_some() => {
                let (a, b) = free_zip(c).expect("matched");
                let (a, b) = (self.stream(a)?, self.stream(b)?);
                Ok(positions(a, "zip", None, Some(b)))
            }
            // `for row in *xs`: the rows by value, as `xs[i]` reads them.
            Expr::Unary(u)
                if matches!(u.op, SynUnOp::Deref(_)) && self.is_known_array(&u.expr) =>
            {
                self.stream(&u.expr)
            }
            // `s.x` of an item of data (`for s in samples`, `rxn.products` of `let rxn =
            // &mech.reactions[i];`): bound to a local by reference first, as a data
            // parameter's field is, then read through it.
            Expr::Field(f) if self.is_data_root(&f.base) => {
                let name = format!("{SYNTHETIC}field_{}", self.next_synthetic());
                let name = Ident::new(&name, expr.span());
                let init: Expr = parse_quote!(&#expr);
                self.lower_stmt(&build::let_(build::binding(&name), init));
                self.stream(&build::path(&name))
            }
            // An array, a row (`w[i]`) or a slice view: read by index. A parameter passed
            // through as written (`samples: &[Sample]`) is borrowed, as `.iter()` gives it:
            // its items need not be `Copy`.
            Expr::Path(_) | Expr::Index(_) => {
                // `coefficients: I` with `I: IntoIterator<Item = f64>`: not indexable.
                // (not one a `let` binds again: `let mu = mu.as_ref();`)
                let generic = self.sig.passed_whole(expr).filter(|p| {
                    matches!(p.kind, crate::sig::ParamKind::Opaque)
                        && p.generic
                        && matches!(self.lookup(&p.ident.to_string()), Some(Binding::Opaque))
                });
                if let Some(p) = generic {
                    let float = self.sig.float.to_token_stream();
                    return Err((
                        expr.span(),
                        format!("#[grad] iterates in a differentiated chain over arrays, slices and `Vec`s, which it reads by index; `{0}` is of a type the function is generic over (an iterator), which it cannot index: take a slice (`{0}: &[{float}]`)", p.ident),
                    ));
                }
                let array = expr.clone();
                let len: Expr = parse_quote!(#array.len());
                let at: Rc<dyn Fn(&Expr) -> Expr> = if self.is_data_local(expr)
                    || self.is_opaque_name(expr) && !self.is_matrix(expr)
                    || self.names_constant(expr) && !self.is_matrix(expr)
                {
                    // Data computed here (an item of a parameter passed through, `alts` of
                    // `for alts in feats`, a field of one, `&s.x`), passed through whole
                    // (`cash_flows: Vec<f64>`) or a constant (`TERMS` of structs, which need
                    // not be `Copy`): rows by reference, numbers by value, as `|&v|` and `|v|`
                    // both read them.
                    self.import_bound();
                    Rc::new(move |p| {
                        let value = build::bound_value(quote!(&#array[#p]));
                        parse_quote!(#value)
                    })
                } else if self.is_matrix(expr) {
                    // (the rows of a matrix by reference, as `.iter()` gives them: a call they
                    // are lent to takes them so, `dot(v, v)` of `|v|`)
                    Rc::new(move |p| parse_quote!(&#array[#p]))
                } else {
                    Rc::new(move |p| parse_quote!(#array[#p]))
                };
                Ok(Stream {
                    len,
                    at,
                    tail: Vec::new(),
                })
            }
            other => Err((
                other.span(),
                "#[grad] iterates in a differentiated chain over ranges, arrays, slices, Vecs and rows (`x.iter()`, `w[i].iter()`, `(0..n)`, `g(x).iter()` of an array a call returns), not over other iterators: count through a range instead (`(0..n).map(|_| ..)`, `(0..n).map(|i| x[i])`)".into(),
            )),
        }
    }
}

impl Lowerer<'_> {
    /// `let best = pts.iter().min_by(|a, b| ..).unwrap();` (`max_by`, `.expect(..)`) over the
    /// rows of a matrix: the index of the row picked, found by the comparator on the rows at
    /// two indices, then the row at it (`let best = &pts[k];`), whose reads are differentiated
    /// as any row's. The statements, for the `let` to lower instead.
    pub(super) fn row_picked(&mut self, pat: &syn::Pat, init: &Expr) -> Option<Vec<syn::Stmt>> {
        let Expr::MethodCall(unwrap) = init else {
            return None;
        };
        let Expr::MethodCall(pick) = &*unwrap.receiver else {
            return None;
        };
        let picks = pick.method == "min_by" || pick.method == "max_by";
        let (Some(Expr::Closure(cmp)), true, true) = (pick.args.first(), picks, is_unwrap(unwrap))
        else {
            return None;
        };
        let Expr::MethodCall(iter) = &*pick.receiver else {
            return None;
        };
        let rows = &*iter.receiver;
        let rows_iterated = iter.method == "iter" && iter.args.is_empty() && self.is_matrix(rows);
        let [a, b] = [cmp.inputs.first()?, cmp.inputs.last()?];
        if !rows_iterated || cmp.inputs.len() != 2 {
            return None;
        }
        let span = pick.method.span();
        let (k, i, j) = (
            quote::format_ident!("{SYNTHETIC}picked_{}", self.next_synthetic(), span = span),
            quote::format_ident!("{SYNTHETIC}i", span = span),
            quote::format_ident!("{SYNTHETIC}j", span = span),
        );
        let (method, body, unwrap_method, unwrap_args) =
            (&pick.method, &cmp.body, &unwrap.method, &unwrap.args);
        Some(vec![
            syn::parse_quote_spanned!(span=>
                let #k = (0..#rows.len())
                    .#method(|&#i, &#j| {
                        let #a = &&#rows[#i];
                        let #b = &&#rows[#j];
                        #body
                    })
                    .#unwrap_method(#unwrap_args);
            ),
            syn::parse_quote_spanned!(span=> let #pat = &#rows[#k];),
        ])
    }

    /// The matrix whose rows `e` iterates (`p.iter()`, `&p`, `p`), by name.
    fn rows_of(&self, e: &Expr) -> Option<String> {
        let mut e = e;
        loop {
            e = match e {
                Expr::MethodCall(m)
                    if m.args.is_empty()
                        && matches!(&*m.method.to_string(), "iter" | "into_iter") =>
                {
                    &m.receiver
                }
                Expr::Reference(r) => &r.expr,
                Expr::Paren(p) => &p.expr,
                _ => break,
            };
        }
        let Expr::Path(p) = e else { return None };
        let name = p.path.get_ident()?.to_string();
        match self.lookup(&name) {
            Some(Binding::Array(a)) if self.arrays[a.0].dims >= 2 => Some(name),
            _ => None,
        }
    }

    /// `residuals(x).iter().map(|r| r * r).sum()`: the chain over the array a differentiated
    /// call returns, that array bound to a local first (a call bound to a local returns an
    /// array).
    fn chain_over_call(&mut self, m: &syn::ExprMethodCall) -> Option<Expr> {
        let (returned, call, chain) = self.call_source(m)?;
        Some(syn::parse_quote_spanned!(m.span()=> {
            let #returned = #call;
            #chain
        }))
    }

    /// The chain `m` ends, over the array a differentiated call returns: a name for that
    /// array, the call, and the chain over the name.
    pub(super) fn call_source(&mut self, m: &syn::ExprMethodCall) -> Option<(Ident, Expr, Expr)> {
        // The chain's source: under every method call but a model's. It is read as an array
        // (`.iter()`, `.windows(k)`), so the call returns one (not `std::iter::repeat(x)`).
        let (mut source, mut depth, mut read) = (&*m.receiver, 1, None);
        while let Expr::MethodCall(step) = source {
            if self.model_method(step).is_some() {
                break;
            }
            (source, depth, read) = (&step.receiver, depth + 1, Some(&step.method));
        }
        let as_array = read.is_some_and(|r| {
            ["iter", "into_iter", "windows", "chunks", "chunks_exact"].contains(&&*r.to_string())
        });
        let call = as_array && matches!(source, Expr::Call(_) | Expr::MethodCall(_));
        let reads = self.reads(&source.to_token_stream());
        if !call || !reads.varied || reads.poisoned {
            return None;
        }
        let name = format!("{SYNTHETIC}returned_{}", self.next_synthetic());
        let returned = Ident::new(&name, source.span());
        self.array_locals.insert(name);
        let mut chain = Expr::MethodCall(m.clone());
        let mut place = &mut chain;
        for _ in 0..depth {
            let Expr::MethodCall(step) = place else {
                return None;
            };
            place = &mut *step.receiver;
        }
        let call = std::mem::replace(place, build::path(&returned));
        Some((returned, call, chain))
    }
}

impl Step {
    /// The adaptor as written.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Step::Map(_) => "map",
            Step::Filter(_) => "filter",
            Step::TakeWhile(_) => "take_while",
            Step::FilterMap(_) => "filter_map",
            Step::Scan { .. } => "scan",
        }
    }
}

impl Stream {
    /// `item` with the tail's maps applied, its filters left out; `None` after a
    /// `filter_map`, which may keep no value of the item's type.
    fn mapped(&self, name: &Ident, item: Expr) -> Option<Expr> {
        let mut stmts = vec![build::let_(build::binding(name), item)];
        for step in &self.tail {
            match step {
                Step::Map(f) => stmts.push(build::let_(
                    build::binding(name),
                    apply(f, vec![build::path(name)]),
                )),
                Step::Filter(_) | Step::TakeWhile(_) => {}
                Step::FilterMap(_) | Step::Scan { .. } => return None,
            }
        }
        stmts.push(syn::Stmt::Expr(build::path(name), None));
        Some(build::block(stmts))
    }

    /// The statements of one iteration after `let item = ..;`: maps rebind the item,
    /// filters skip the iteration.
    fn steps(&self, item: &Ident) -> Vec<syn::Stmt> {
        let kept = Ident::new(&format!("{item}_kept"), item.span());
        let mut stmts = Vec::new();
        for step in &self.tail {
            match step {
                Step::Map(f) => {
                    let mapped = apply(f, vec![build::path(item)]);
                    stmts.push(build::let_(build::binding(item), mapped));
                }
                Step::Filter(p) => {
                    let keep = apply(p, vec![build::path(item)]);
                    stmts.push(parse_quote!(if !(#keep) { continue; }));
                }
                Step::TakeWhile(p) => {
                    let keep = apply(p, vec![build::path(item)]);
                    stmts.push(parse_quote!(if !(#keep) { break; }));
                }
                // `filter_map(|(&z, &r)| hit(z, r))` of a fallible function: its value taken
                // as a fallible call's is, once it is known to be there.
                Step::FilterMap(f) if called(f).is_some() => {
                    let taken = |method: &str| {
                        let (mut c, call) = called(f).expect("a closure that calls");
                        let method = proc_macro2::Ident::new(method, call.span());
                        c.body = Box::new(parse_quote!(#call.#method()));
                        apply(&Expr::Closure(c), vec![build::path(item)])
                    };
                    let (missing, value) = (taken("is_none"), taken("unwrap"));
                    stmts.extend([
                        parse_quote!(if #missing { continue; }),
                        build::let_(build::binding(item), value),
                    ]);
                }
                Step::FilterMap(f) | Step::Scan { f, .. } => {
                    let found = apply(f, vec![build::path(item)]);
                    // (a `filter_map`'s `None` skips the item; a `scan`'s ends the chain)
                    let none: syn::Stmt = match step {
                        Step::Scan { .. } => parse_quote!(if #kept.is_none() { break; }),
                        _ => parse_quote!(if #kept.is_none() { continue; }),
                    };
                    stmts.extend([
                        build::let_(build::binding(&kept), found),
                        none,
                        build::let_(build::binding(item), parse_quote!(#kept.unwrap())),
                    ]);
                }
            }
        }
        stmts
    }

    /// The statements before the loop: each `scan`'s state, made.
    fn setup(&self) -> Vec<syn::Stmt> {
        self.tail
            .iter()
            .filter_map(|step| match step {
                Step::Scan { state, init, .. } => Some(parse_quote!(let mut #state = #init;)),
                _ => None,
            })
            .collect()
    }
}

/// `f` and the call of a function its body is, if it is a closure that only calls one
/// (`|x| hit(x, r)`).
fn called(f: &Expr) -> Option<(syn::ExprClosure, Expr)> {
    let Expr::Closure(c) = f else { return None };
    let mut body = &*c.body;
    while let Expr::Block(b) = body {
        match b.block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => body = e,
            _ => return None,
        }
    }
    matches!(body, Expr::Call(_)).then(|| (c.clone(), body.clone()))
}

/// `chain.find(p)`, `chain.last()` or `chain.nth(k)` (then `.copied()` or not) taken with
/// `.unwrap()`, `.expect(..)` or `.unwrap_or(d)`, where the chain reads a differentiated
/// value: the loop that finds the item, into a local `Option` taken the same way.
///
/// ```text
/// x.iter().map(|v| v * s).find(|v| *v > 1.0).unwrap_or(s)
///     => { let mut found = None;
///          for item in x.iter().map(|v| v * s) { if (|v| *v > 1.0)(&item) { found = Some(item); break; } }
///          found.unwrap_or(s) }
/// ```
pub(super) fn single_item(m: &syn::ExprMethodCall) -> Option<Expr> {
    let taken = m.method.to_string();
    let ("unwrap" | "expect" | "unwrap_or", Expr::MethodCall(outer)) =
        (taken.as_str(), &*m.receiver)
    else {
        return None;
    };
    // `x.iter().find(..).copied()`: the item dereferenced.
    let copied = matches!(&*outer.method.to_string(), "copied" | "cloned") && outer.args.is_empty();
    let pick = match (copied, &*outer.receiver) {
        (false, _) => outer,
        (true, Expr::MethodCall(inner)) => inner,
        (true, _) => return None,
    };
    let span = pick.method.span();
    let [found, item, count] =
        ["found", "item", "count"].map(|n| Ident::new(&format!("{SYNTHETIC}{n}"), span));
    let value: Expr = match copied {
        true => parse_quote!(*#item),
        false => parse_quote!(#item),
    };
    let chain = &pick.receiver;
    let args: Vec<&Expr> = pick.args.iter().collect();
    let (counter, body): (Option<syn::Stmt>, Vec<syn::Stmt>) =
        match (pick.method.to_string().as_str(), &*args) {
            ("find", [p]) => {
                // The predicate takes `&item`: `|&v| ..` binds `v` to the item itself.
                let keep = apply_to_reference(p, &item);
                (
                    None,
                    vec![parse_quote!(if #keep { #found = Some(#value); break; })],
                )
            }
            ("last", []) => (None, vec![parse_quote!(#found = Some(#value);)]),
            ("nth", [k]) => (
                Some(parse_quote!(let mut #count: usize = 0;)),
                vec![
                    parse_quote!(if #count == #k { #found = Some(#value); break; }),
                    parse_quote!(#count += 1;),
                ],
            ),
            _ => return None,
        };
    let (taking, args) = (&m.method, &m.args);
    Some(syn::parse_quote_spanned!(span=> {
        let mut #found = None;
        #counter
        for #item in #chain {
            #(#body)*
        }
        #found.#taking(#args)
    }))
}

/// A `scan` closure `|st, x| body` as the closure `|x| body` with each `*st` (and `st` as a
/// method's receiver) read as `state`; `None` when the body uses `st` otherwise.
fn scan_step(f: &Expr, state: &Ident) -> Option<Expr> {
    let Expr::Closure(c) = f else {
        return None;
    };
    let [Pat::Ident(st), item] = &*c.inputs.iter().collect::<Vec<_>>() else {
        return None;
    };
    struct Deref<'a> {
        st: &'a Ident,
        state: &'a Ident,
    }
    impl syn::visit_mut::VisitMut for Deref<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            if let Expr::Unary(u) = e {
                if matches!(u.op, SynUnOp::Deref(_))
                    && matches!(&*u.expr, Expr::Path(p) if p.path.is_ident(self.st))
                {
                    *e = build::path(self.state);
                    return;
                }
            }
            syn::visit_mut::visit_expr_mut(self, e);
        }
        // `st.abs()`: a method of the number it refers to.
        fn visit_expr_method_call_mut(&mut self, m: &mut syn::ExprMethodCall) {
            if matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(self.st)) {
                *m.receiver = build::path(self.state);
            }
            syn::visit_mut::visit_expr_method_call_mut(self, m);
        }
    }
    let mut body = (*c.body).clone();
    syn::visit_mut::VisitMut::visit_expr_mut(
        &mut Deref {
            st: &st.ident,
            state,
        },
        &mut body,
    );
    let mut names = Vec::new();
    opaque::mentioned_names(body.to_token_stream(), &mut names);
    if names.iter().any(|(n, _)| *n == st.ident) {
        return None;
    }
    let item = (*item).clone();
    Some(parse_quote!(|#item| #body))
}

/// `p(&item)` for a predicate `p`: a closure `|&v| ..` binds `v` to `item` itself.
fn apply_to_reference(p: &Expr, item: &Ident) -> Expr {
    if let Expr::Closure(c) = p {
        if let [syn::Pat::Reference(r)] = &*c.inputs.iter().collect::<Vec<_>>() {
            let mut c = c.clone();
            c.inputs[0] = (*r.pat).clone();
            return apply(&Expr::Closure(c), vec![parse_quote!(#item)]);
        }
    }
    apply(p, vec![parse_quote!(&#item)])
}

/// The reduction `m` ends with, and the chain before it.
fn reduction(m: &syn::ExprMethodCall) -> Option<(Reduction<'_>, &Expr, Option<&Expr>)> {
    let args: Vec<&Expr> = m.args.iter().collect();
    let (default, found) = match (m.method.to_string().as_str(), args.as_slice()) {
        ("sum", []) => (None, (Reduction::Sum, &*m.receiver)),
        ("product", []) => (None, (Reduction::Product, &*m.receiver)),
        ("fold", [init, f]) => (None, (Reduction::Fold(init, f), &*m.receiver)),
        ("for_each", [f]) => (None, (Reduction::ForEach(f), &*m.receiver)),
        (method @ ("unwrap" | "expect" | "unwrap_or"), rest) => {
            let default = match (method, rest) {
                ("unwrap", []) | ("expect", [_]) => None,
                ("unwrap_or", [d]) => Some(*d),
                _ => return None,
            };
            let Expr::MethodCall(inner) = without_copied(&m.receiver) else {
                return None;
            };
            let inner_args: Vec<&Expr> = inner.args.iter().collect();
            let picked = match (inner.method.to_string().as_str(), inner_args.as_slice()) {
                ("max_by", [cmp]) => Reduction::Extreme { cmp, max: true },
                ("min_by", [cmp]) => Reduction::Extreme { cmp, max: false },
                ("reduce", [f]) => Reduction::Reduce(f),
                _ => return None,
            };
            (default, (picked, &*inner.receiver))
        }
        _ => return None,
    };
    Some((found.0, found.1, default))
}

/// `e` without the parentheses around it.
fn without_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => without_parens(&p.expr),
        e => e,
    }
}

/// `e` without a `.copied()` or `.cloned()` after it (`x.iter().max_by(..).copied()`).
pub(super) fn without_copied(e: &Expr) -> &Expr {
    match e {
        Expr::MethodCall(m)
            if m.args.is_empty() && (m.method == "copied" || m.method == "cloned") =>
        {
            &m.receiver
        }
        e => e,
    }
}

/// `acc = value;`, or for a tuple accumulator `{ let (n0, n1) = value; acc0 = n0; .. }`.
fn assign(accs: &[Ident], value: &Expr, name: &dyn Fn(&str) -> Ident) -> syn::Stmt {
    if let [acc] = accs {
        return parse_quote!(#acc = #value;);
    }
    let fresh: Vec<Ident> = (0..accs.len()).map(|i| name(&format!("next{i}"))).collect();
    parse_quote!({
        let (#(#fresh),*) = #value;
        #(#accs = #fresh;)*
    })
}

/// A closure or function applied to arguments: a closure is inlined as a block binding its
/// parameters (`{ let (a, b) = item; a * b }`), a path is called (`f64::max(acc, item)`).
/// How an iterator chain yields its items: numbers, references to them (`x.iter()`), or
/// tuples of either (`enumerate`, `zip`).
enum Yielded {
    Value,
    Ref,
    Tuple(Vec<Yielded>),
}

/// How `chain` yields its items, from its adaptors as written.
fn yielded(chain: &Expr) -> Yielded {
    match chain {
        Expr::Paren(p) => yielded(&p.expr),
        Expr::Group(g) => yielded(&g.expr),
        Expr::Range(_) => Yielded::Value,
        Expr::MethodCall(m) => match (m.method.to_string().as_str(), m.args.first()) {
            ("enumerate", None) => Yielded::Tuple(vec![Yielded::Value, yielded(&m.receiver)]),
            ("zip", Some(other)) => Yielded::Tuple(vec![yielded(&m.receiver), yielded(other)]),
            ("copied" | "cloned" | "map", _) => Yielded::Value,
            ("into_iter", None) => match &*m.receiver {
                Expr::Range(_) => Yielded::Value,
                _ => Yielded::Ref,
            },
            ("rev" | "skip" | "take" | "step_by" | "filter" | "take_while" | "chain", _) => {
                yielded(&m.receiver)
            }
            _ => Yielded::Ref,
        },
        // A slice or an array lent by reference (`.zip(&y)`, `.zip(y)` for `y: &[f64]`).
        _ => Yielded::Ref,
    }
}

impl Yielded {
    /// `item`, a number or a tuple of numbers the loop holds, as the chain yields it.
    fn wrap(&self, item: Expr) -> Expr {
        match self {
            Yielded::Value => item,
            Yielded::Ref => parse_quote!(&#item),
            Yielded::Tuple(parts) => {
                let literal = matches!(&item, Expr::Tuple(t) if t.elems.len() == parts.len());
                let parts = parts.iter().enumerate().map(|(k, part)| match &item {
                    Expr::Tuple(t) if literal => part.wrap(t.elems[k].clone()),
                    _ => {
                        let k = syn::Index::from(k);
                        part.wrap(parse_quote!(#item.#k))
                    }
                });
                parse_quote!((#(#parts),*))
            }
        }
    }
}

pub(super) fn apply(f: &Expr, args: Vec<Expr>) -> Expr {
    match f {
        Expr::Closure(c) if c.inputs.len() == args.len() => {
            let mut stmts: Vec<syn::Stmt> = (c.inputs.iter().cloned())
                .zip(args)
                .map(|(param, arg)| {
                    let arg = stated_item(&param, arg);
                    build::let_(param, arg)
                })
                .collect();
            stmts.push(syn::Stmt::Expr((*c.body).clone(), None));
            build::block(stmts)
        }
        Expr::Paren(p) => apply(&p.expr, args),
        other => parse_quote!(#other(#(#args),*)),
    }
}

/// The item a closure's parameter of stated type binds (`|(p, n): (usize, usize)|` after
/// `.copied()`, `|&(p, n): &(usize, usize)|`): the element the loop holds (by reference when
/// not a number) read as the type states it, by value or by reference.
fn stated_item(param: &Pat, arg: Expr) -> Expr {
    let Pat::Type(stated) = param else {
        return arg;
    };
    // `{ let i = ..; item }`: the item at the block's end.
    if let Expr::Block(mut b) = arg {
        if let Some(syn::Stmt::Expr(last, None)) = b.block.stmts.pop() {
            let last = stated_item(param, last);
            b.block.stmts.push(syn::Stmt::Expr(last, None));
        }
        return Expr::Block(b);
    }
    let (held, lent) = match &arg {
        Expr::Reference(r) => (&*r.expr, true),
        other => (other, false),
    };
    let Some(element) = build::bound_reference(held) else {
        return arg;
    };
    match (&*stated.ty, lent) {
        (syn::Type::Reference(_), true) => element.clone(),
        (syn::Type::Reference(_), false) => arg,
        (_, false) => match element {
            Expr::Reference(r) => (*r.expr).clone(),
            other => parse_quote!(*#other),
        },
        (_, true) => arg,
    }
}

/// `x[if first { i } else { j }]` for `if first { x[i] } else { x[j] }`: the element of a
/// chain over one array twice (`pts.iter().skip(1).chain(pts.iter().take(1))`, a polygon's
/// next vertex), which may be a row: the sweeps choose an index, not an array.
fn same_array_either(first: &Expr, a: &Expr, b: &Expr) -> Option<Expr> {
    match (a, b) {
        (Expr::Index(a), Expr::Index(b))
            if a.expr.to_token_stream().to_string() == b.expr.to_token_stream().to_string() =>
        {
            let (array, i, j) = (&a.expr, &a.index, &b.index);
            Some(parse_quote!(#array[if #first { #i } else { #j }]))
        }
        (Expr::Reference(a), Expr::Reference(b)) if a.mutability.is_none() => {
            let inner = same_array_either(first, &a.expr, &b.expr)?;
            Some(parse_quote!(&#inner))
        }
        _ => None,
    }
}

/// `x.windows(k)`, `x.chunks(k)`, `x.chunks_exact(k)`: slice views of `x`.
fn views(array: &Expr, k: &Expr, kind: &str) -> Stream {
    let (array, k) = (strip_reference(array).clone(), k.clone());
    let len: Expr = match kind {
        "chunks" => parse_quote!(::autodiff::__private::div_ceil(#array.len(), #k)),
        "chunks_exact" => parse_quote!(#array.len() / (#k)),
        _ => parse_quote!((#array.len() + 1).saturating_sub(#k)),
    };
    let chunks = kind != "windows";
    Stream {
        len,
        at: Rc::new(move |p| {
            if chunks {
                parse_quote!(&#array[(#p) * (#k)..((#p) * (#k) + (#k)).min(#array.len())])
            } else {
                parse_quote!(&#array[(#p)..(#p) + (#k)])
            }
        }),
        tail: Vec::new(),
    }
}

/// `array.iter_mut()`: each element by `&mut`, written through `*v = ..`.
fn mutable_items(array: &Expr) -> Stream {
    let array = strip_reference(array).clone();
    Stream {
        len: parse_quote!(#array.len()),
        at: Rc::new(move |p| parse_quote!(&mut #array[#p])),
        tail: Vec::new(),
    }
}

fn strip_reference(e: &Expr) -> &Expr {
    match e {
        Expr::Reference(r) => strip_reference(&r.expr),
        Expr::Paren(p) => strip_reference(&p.expr),
        other => other,
    }
}

/// The adaptors that only change which position is read: `enumerate`, `zip`, `rev`, `skip`,
/// `take`, `step_by`.
fn positions(s: Stream, name: &str, arg: Option<&Expr>, other: Option<Stream>) -> Stream {
    let Stream { len, at, tail } = s;
    let k = arg.cloned();
    match (name, k, other) {
        ("enumerate", _, _) => Stream {
            len,
            at: Rc::new(move |p| {
                let item = at(p);
                parse_quote!((#p, #item))
            }),
            tail,
        },
        ("zip", _, Some(other)) => {
            let other_len = other.len;
            Stream {
                len: parse_quote!((#len).min(#other_len)),
                at: Rc::new(move |p| {
                    let (a, b) = (at(p), (other.at)(p));
                    parse_quote!((#a, #b))
                }),
                tail,
            }
        }
        ("rev", _, _) => {
            let n = len.clone();
            Stream {
                len,
                at: Rc::new(move |p| at(&parse_quote!(((#n) - 1 - (#p))))),
                tail,
            }
        }
        ("skip", Some(k), _) => Stream {
            len: parse_quote!((#len).saturating_sub(#k)),
            at: Rc::new(move |p| at(&parse_quote!(((#p) + (#k))))),
            tail,
        },
        ("take", Some(k), _) => Stream {
            len: parse_quote!((#len).min(#k)),
            at,
            tail,
        },
        ("step_by", Some(k), _) => Stream {
            len: parse_quote!(::autodiff::__private::div_ceil(#len, #k)),
            at: Rc::new(move |p| at(&parse_quote!(((#p) * (#k))))),
            tail,
        },
        _ => Stream { len, at, tail },
    }
}

/// `for (_u, &v) in m.w.iter().zip(TABLE.iter())`: a part of the item that the body never
/// reads is not read from its array, whose items may be of any type (rows, sub-models) and
/// which is then passed whole, never indexed.
fn skip_unread(pat: &mut Pat, item: &mut Expr, body: &syn::Block) {
    match (pat, item) {
        (Pat::Tuple(p), Expr::Tuple(e)) if p.elems.len() == e.elems.len() => {
            for (p, e) in p.elems.iter_mut().zip(e.elems.iter_mut()) {
                skip_unread(p, e, body);
            }
        }
        (Pat::Paren(p), item) => skip_unread(&mut p.pat, item, body),
        (pat, item) if unread_item(strip_reference_pat(pat), body) => {
            *pat = parse_quote!(_);
            *item = build::int(0);
        }
        _ => {}
    }
}

fn strip_reference_pat(pat: &Pat) -> &Pat {
    match pat {
        Pat::Reference(r) => &r.pat,
        pat => pat,
    }
}

/// The two arguments of `zip(a, b)`, `std::iter::zip(a, b)` or `core::iter::zip(a, b)`.
/// The standard library's iterators of one value, as the chains they stand for:
/// `iter::once(v)` (or `once(&v)`) is `[v]`; `iter::repeat(v).take(n)` and `iter::repeat_n(v, n)` are
/// `(0..n).map(|_| v)`.
fn std_source(e: &Expr) -> Option<Expr> {
    let std_call = |e: &Expr, name: &str, arity: usize| -> Option<Vec<Expr>> {
        let Expr::Call(c) = e else { return None };
        let Expr::Path(p) = &*c.func else { return None };
        let named = super::path_matches(&p.path, |names| match names {
            [f] | ["iter", f] | ["std" | "core", "iter", f] => *f == name,
            _ => false,
        });
        (named && p.qself.is_none() && c.args.len() == arity)
            .then(|| c.args.iter().cloned().collect())
    };
    if let Some([v]) = std_call(e, "once", 1).as_deref() {
        // `once(&i)` beside `nbrs.iter()`: the value, as an item of `nbrs` is bound.
        let v = match v {
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            v => v,
        };
        return Some(parse_quote!([#v]));
    }
    let (v, n) = match e {
        Expr::MethodCall(m) if m.method == "take" && m.args.len() == 1 => {
            let [v] = std_call(&m.receiver, "repeat", 1)?.try_into().ok()?;
            (v, m.args[0].clone())
        }
        _ => {
            let [v, n] = std_call(e, "repeat_n", 2)?.try_into().ok()?;
            (v, n)
        }
    };
    Some(parse_quote!((0..#n).map(|_| #v)))
}

pub(super) fn free_zip(c: &syn::ExprCall) -> Option<(&Expr, &Expr)> {
    let Expr::Path(p) = &*c.func else {
        return None;
    };
    let is_zip = super::path_matches(&p.path, |names| {
        matches!(
            names,
            ["zip"] | ["iter", "zip"] | ["std" | "core", "iter", "zip"]
        )
    });
    match c.args.iter().collect::<Vec<_>>().as_slice() {
        [a, b] if is_zip && p.qself.is_none() => Some((a, b)),
        _ => None,
    }
}

/// The value of an integer literal without a type suffix (`3`, `2 + 1` of a closed range's end).
fn unsuffixed_int(e: &Expr) -> Option<u128> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) if i.suffix().is_empty() => i.base10_parse().ok(),
        Expr::Paren(p) => unsuffixed_int(&p.expr),
        Expr::Binary(b) if matches!(b.op, syn::BinOp::Add(_)) => {
            Some(unsuffixed_int(&b.left)? + unsuffixed_int(&b.right)?)
        }
        _ => None,
    }
}

/// The arity of the tuples an array literal lists (`[(a, 1.0), (b, 2.0)]`: 2), when it lists
/// tuples of one arity and nothing else; 0 otherwise.
fn tuple_arity(a: &syn::ExprArray) -> usize {
    let arity = match a.elems.first() {
        Some(Expr::Tuple(t)) => t.elems.len(),
        _ => return 0,
    };
    let same = |e: &Expr| matches!(e, Expr::Tuple(t) if t.elems.len() == arity);
    if a.elems.iter().all(same) {
        arity
    } else {
        0
    }
}

/// Whether an item is a `&mut` reference, or a tuple with one (`(i, &mut rows[i])`).
fn lends_mutably(item: &Expr) -> bool {
    match item {
        Expr::Reference(r) => r.mutability.is_some(),
        Expr::Tuple(t) => t.elems.iter().any(lends_mutably),
        Expr::Paren(p) => lends_mutably(&p.expr),
        _ => false,
    }
}

/// A new `Vec` in a fold's start (`Vec::new()`, `vec![]`, `Vec::with_capacity(n)`, one of a
/// tuple of them): the fold pushes into it.
fn vector_init(init: &Expr) -> Option<&Expr> {
    match init {
        Expr::Macro(m) if m.mac.path.is_ident("vec") => Some(init),
        Expr::Call(c) => {
            let Expr::Path(p) = &*c.func else { return None };
            let mut names = p.path.segments.iter().rev().map(|s| s.ident.to_string());
            let (last, owner) = (names.next()?, names.next()?);
            (owner == "Vec" && (last == "new" || last == "with_capacity")).then_some(init)
        }
        Expr::Tuple(t) => t.elems.iter().find_map(vector_init),
        Expr::Paren(p) => vector_init(&p.expr),
        _ => None,
    }
}
