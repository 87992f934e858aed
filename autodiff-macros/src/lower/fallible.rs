//! Fallible functions (`-> Result<T, E>`, `-> Option<T>`): the body rewritten to compute the
//! float it succeeds with. `Ok(v)` / `Some(v)` become `v`; an early `Err(e)` / `None` becomes
//! `__fail!(Err(e))`, which leaves `NAME_adjoint` with that error before the reverse sweep
//! (lowering reads it as a diverging statement, like `unreachable!()`). Also the lowering of
//! what may be missing or fail inside a function: `x.first()?`, `x.get(i).unwrap_or(d)`,
//! `g(x).map_err(f)?`, `g(x).unwrap_or(d)`.

use syn::visit_mut::VisitMut;
use syn::{Expr, Stmt};

use super::*;

/// The statements with every success unwrapped and every failure a `__fail!`.
pub fn unwrap_successes(stmts: &[Stmt]) -> Vec<Stmt> {
    let mut block = syn::Block {
        brace_token: Default::default(),
        stmts: stmts.to_vec(),
    };
    Outcomes.visit_block_mut(&mut block);
    if let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() {
        tail_outcome(tail);
    }
    block.stmts
}

/// `Ok(v)`/`Some(v)`: the value; `Err(e)`/`None`: a failure.
enum Outcome {
    Success(Expr),
    Failure,
}

fn outcome(expr: &Expr) -> Option<Outcome> {
    match expr {
        Expr::Call(c) if c.args.len() == 1 => {
            let Expr::Path(p) = &*c.func else { return None };
            let last = p.path.segments.last()?.ident.to_string();
            match last.as_str() {
                "Ok" | "Some" => c.args.first().cloned().map(Outcome::Success),
                "Err" => Some(Outcome::Failure),
                _ => None,
            }
        }
        Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "None") => {
            Some(Outcome::Failure)
        }
        _ => None,
    }
}

fn fail(failure: &Expr) -> Expr {
    syn::parse_quote!(::autodiff::__fail!(#failure))
}

/// Rewrites the outcome that `expr` ends with, through `if`, `match` and blocks.
fn tail_outcome(expr: &mut Expr) {
    // `(v > 0.0).then(|| v.ln())`: the `if` it stands for.
    if let Some(rewritten) = super::methods::then_as_if(expr) {
        *expr = rewritten;
    }
    match outcome(expr) {
        Some(Outcome::Success(value)) => *expr = value,
        Some(Outcome::Failure) => *expr = fail(expr),
        None => match expr {
            Expr::If(i) => {
                if let Some(Stmt::Expr(tail, None)) = i.then_branch.stmts.last_mut() {
                    tail_outcome(tail);
                }
                if let Some((_, else_branch)) = &mut i.else_branch {
                    tail_outcome(else_branch);
                }
            }
            Expr::Match(m) => m
                .arms
                .iter_mut()
                .for_each(|arm| tail_outcome(&mut arm.body)),
            Expr::Block(b) => {
                if let Some(Stmt::Expr(tail, None)) = b.block.stmts.last_mut() {
                    tail_outcome(tail);
                }
            }
            Expr::Paren(p) => tail_outcome(&mut p.expr),
            // `checked_ln_beta(a, b).map(|l| l.exp())`, `.and_then(|l| Ok(l * a))`: the
            // success of the closure applied to the callee's, `{ let l = checked_ln_beta(a,
            // b)?; l.exp() }` (the closure's own outcome, for `and_then`).
            Expr::MethodCall(m) if mapped_success(m).is_some() => {
                if let Some((pat, mut body)) = mapped_success(m) {
                    if m.method == "and_then" {
                        tail_outcome(&mut body);
                    }
                    let receiver = &m.receiver;
                    *expr = syn::parse_quote!({ let #pat = #receiver?; #body });
                }
            }
            // `checked_sqrt(v)`, `self.g.mean()`, a fallible callee's own result: its
            // success, or its failure returned as it is.
            Expr::Call(_) | Expr::MethodCall(_) => *expr = syn::parse_quote!(#expr?),
            _ => {}
        },
    }
}

/// The closure of `.map(|v| ..)` or `.and_then(|v| ..)` on an outcome: its one parameter and
/// its body.
fn mapped_success(m: &syn::ExprMethodCall) -> Option<(syn::Pat, Expr)> {
    let [Expr::Closure(c)] = &*m.args.iter().collect::<Vec<_>>() else {
        return None;
    };
    let [pat] = &*c.inputs.iter().collect::<Vec<_>>() else {
        return None;
    };
    (["map", "and_then"].contains(&&*m.method.to_string()))
        .then(|| ((*pat).clone(), (*c.body).clone()))
}

/// `return Ok(v)` -> `return v`; `return Err(e)` -> `__fail!(Err(e))`.
struct Outcomes;

impl VisitMut for Outcomes {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        let mut failure = None;
        if let Expr::Return(syn::ExprReturn {
            expr: Some(inner), ..
        }) = expr
        {
            match outcome(inner) {
                Some(Outcome::Success(value)) => **inner = value,
                Some(Outcome::Failure) => failure = Some(fail(inner)),
                // `return if c { Ok(a) } else { Err(e) };`: the outcomes it ends with.
                None => tail_outcome(inner),
            }
        }
        match failure {
            Some(failure) => *expr = failure,
            None => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }

    // A closure's `return` and an item's belong to them.
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Lowering what may be missing or may fail: an element of a differentiated array that may
/// not be there, and a fallible callee's value.
impl Lowerer<'_> {
    /// `x.first().unwrap()`, `*x.last().unwrap()`, `x.last().copied().expect(..)`,
    /// `x.get(i).unwrap()` of a differentiated array: its element `x[0]`, `x[x.len() - 1]` or
    /// `x[i]` (an empty one, or `i` past the end, panics, as the `unwrap` would);
    /// `x.get(i).copied().unwrap_or(d)` (`*x.get(i).unwrap_or(&d)`, `unwrap_or_default()`):
    /// the element, or `d` where there is none.
    pub(super) fn end_element(&mut self, m: &syn::ExprMethodCall) -> Option<Value> {
        let (element, missing) = self.optional_element(&m.receiver)?;
        let otherwise: Expr = match (m.method.to_string().as_str(), m.args.first()) {
            ("unwrap" | "expect", _) => return Some(self.lower_expr(&element)),
            ("unwrap_or", Some(d)) if m.args.len() == 1 => match d {
                Expr::Reference(r) => (*r.expr).clone(),
                d => d.clone(),
            },
            ("unwrap_or_default", None) => syn::parse_quote_spanned!(m.method.span()=> 0.0),
            _ => return None,
        };
        let chosen = syn::parse_quote_spanned!(m.method.span()=>
            if #missing { #otherwise } else { #element }
        );
        Some(self.lower_expr(&chosen))
    }

    /// `?` on what may be missing, in a fallible function: in one that returns an `Option`,
    /// `x.first()?`, `x.last()?`, `x.get(i)?` of a differentiated array and
    /// `chain.max_by(..)?` (`min_by`, `reduce`); in one that returns a `Result`, the same with
    /// `.ok_or(e)?` (`ok_or_else(|| e)`). A missing one fails the function (`None`,
    /// `Err(e.into())`, nothing added to the shadows).
    pub(super) fn element_or_return(&mut self, t: &syn::ExprTry) -> Option<Value> {
        let span = t.question_token.span;
        let (maybe, failure): (&Expr, Expr) = match self.sig.fallible? {
            crate::sig::Fallible::Option => (&t.expr, syn::parse_quote!(None)),
            crate::sig::Fallible::Result => {
                let Expr::MethodCall(or) = &*t.expr else {
                    return None;
                };
                let error = match (or.method.to_string().as_str(), or.args.first()) {
                    ("ok_or", Some(e)) if or.args.len() == 1 => e.clone(),
                    ("ok_or_else", Some(f)) if or.args.len() == 1 => iter::apply(f, Vec::new()),
                    _ => return None,
                };
                let failure = syn::parse_quote!(Err(::core::convert::From::from(#error)));
                (&or.receiver, failure)
            }
        };
        let (value, missing) = match self.optional_element(maybe) {
            Some(found) => found,
            // `chain.max_by(..)`, `.reduce(..)`: missing when the chain has no items.
            None => {
                let (inner, len) = self.picked(maybe)?;
                let Some(len) = len else {
                    return Some(Value::Error);
                };
                let unwrap = proc_macro2::Ident::new("unwrap", span);
                (
                    syn::parse_quote!(#inner.#unwrap()),
                    syn::parse_quote!((#len) == 0),
                )
            }
        };
        // A failure, as `return None` is written for the sweeps (`fallible.rs`).
        let checked: Expr = syn::parse_quote_spanned!(span=> {
            if #missing {
                ::autodiff::__fail!(#failure);
            }
            #value
        });
        Some(self.lower_expr(&checked))
    }

    /// The element `e` of a differentiated array reads (`x.first()`, `x.last()`, `x.get(i)`,
    /// with `.copied()`/`.cloned()`; `x.split_first()`, `x.split_last()` with the rest), and
    /// the condition under which there is none.
    pub(super) fn optional_element(&self, e: &Expr) -> Option<(Expr, Expr)> {
        let mut inner = e;
        while let Expr::MethodCall(c) = inner {
            if (c.method != "copied" && c.method != "cloned") || !c.args.is_empty() {
                break;
            }
            inner = &c.receiver;
        }
        let Expr::MethodCall(end) = inner else {
            return None;
        };
        // `x.iter().last()` is `x.last()`.
        let array = match &*end.receiver {
            Expr::MethodCall(i)
                if end.method == "last"
                    && i.args.is_empty()
                    && (i.method == "iter" || i.method == "into_iter") =>
            {
                &*i.receiver
            }
            array => array,
        };
        // Floats, differentiated or data: an element of data is a number, a row of data an
        // array a call takes with a shadow, which only a known array tells.
        if !self.is_known_array(array)
            || !(self.holds_floats(array) || self.reads(&array.to_token_stream()).varied)
        {
            return None;
        }
        let array: Expr = match array {
            Expr::Path(_) | Expr::Field(_) | Expr::Index(_) => array.clone(),
            other => syn::parse_quote!((#other)),
        };
        let span = end.method.span();
        Some(match (end.method.to_string().as_str(), end.args.first()) {
            ("first", None) => (
                syn::parse_quote_spanned!(span=> #array[0]),
                syn::parse_quote_spanned!(span=> #array.is_empty()),
            ),
            ("last", None) => (
                syn::parse_quote_spanned!(span=> #array[#array.len() - 1]),
                syn::parse_quote_spanned!(span=> #array.is_empty()),
            ),
            ("get", Some(i)) if end.args.len() == 1 && !matches!(i, Expr::Range(_)) => (
                syn::parse_quote_spanned!(span=> #array[#i]),
                syn::parse_quote_spanned!(span=> #i >= #array.len()),
            ),
            // The element and the rest: `(x[0], &x[1..])`, `(x[n - 1], &x[..n - 1])`.
            ("split_first", None) => (
                syn::parse_quote_spanned!(span=> (#array[0], &#array[1..])),
                syn::parse_quote_spanned!(span=> #array.is_empty()),
            ),
            ("split_last", None) => (
                syn::parse_quote_spanned!(span=>
                    (#array[#array.len() - 1], &#array[..#array.len() - 1])
                ),
                syn::parse_quote_spanned!(span=> #array.is_empty()),
            ),
            _ => return None,
        })
    }

    /// A fallible call and what unwraps it: `g(x)?`, `.unwrap()`, `.expect(..)`,
    /// `.unwrap_or(d)`, `.unwrap_or_default()`, after any of `.map_err(f)`, `.ok()`,
    /// `.ok_or(e)`, `.ok_or_else(f)` (`g(x).map_err(Wrap)?`, `self.fit(x).ok()?`); the call
    /// is `g(..)` or a model's method. `None` when `expr` is not one, or the unwrapping reads
    /// a differentiated value (`unwrap_or(x)`: its derivative would be lost).
    pub(super) fn fallible_call<'e>(&self, expr: &'e Expr) -> Option<(&'e Expr, Unwrap)> {
        let (mut e, last, or) = match expr {
            Expr::Try(t) => (&*t.expr, quote!(?), None),
            Expr::MethodCall(m) => {
                let (method, args) = (&m.method, &m.args);
                let or = match (method.to_string().as_str(), args.first()) {
                    ("unwrap" | "expect" | "unwrap_or_default", _) => None,
                    ("unwrap_or", Some(d)) if args.len() == 1 => Some(d.clone()),
                    _ => return None,
                };
                let last = match or {
                    None => quote!(.#method(#args)),
                    Some(_) => proc_macro2::TokenStream::new(),
                };
                (&*m.receiver, last, or)
            }
            _ => return None,
        };
        let mut adapters = Vec::new();
        let target = loop {
            match e {
                Expr::Call(_) => break e,
                Expr::MethodCall(m) if self.model_method(m).is_some() => break e,
                Expr::MethodCall(m)
                    if ["map_err", "ok", "ok_or", "ok_or_else"]
                        .contains(&&*m.method.to_string()) =>
                {
                    adapters.push(m);
                    e = &m.receiver;
                }
                _ => return None,
            }
        };
        let mut suffix = proc_macro2::TokenStream::new();
        for m in adapters.iter().rev() {
            let (method, args) = (&m.method, &m.args);
            suffix.extend(quote!(.#method(#args)));
        }
        suffix.extend(last);
        // A default that reads a differentiated value would lose its derivative; an error
        // may name one (`.ok_or(E::Domain(x))?`): it reads the value alone.
        if or
            .as_ref()
            .is_some_and(|d| self.reads(&d.to_token_stream()).varied)
        {
            return None;
        }
        let mut read = suffix.clone();
        read.extend(or.as_ref().map(ToTokens::to_token_stream));
        let reads = self.reads(&read);
        // Numbers and data by value only: a borrowed array or row is not rebound here.
        let by_value = reads
            .captures
            .iter()
            .all(|(_, c)| matches!(c, Capture::Value(_)));
        if !by_value {
            return None;
        }
        let captures = reads.captures;
        Some((
            target,
            Unwrap {
                suffix,
                or,
                captures,
            },
        ))
    }

    /// The value of a fallible call (see [`Self::fallible_call`]).
    pub(super) fn lower_fallible_call(&mut self, expr: &Expr) -> Option<Value> {
        let (target, unwrap) = self.fallible_call(expr)?;

        match target {
            Expr::Call(c) => Some(self.lower_call(c, Some(unwrap))),
            Expr::MethodCall(m) => self.lower_model_method(m, Some(unwrap)),
            _ => None,
        }
    }

    /// A local array named `name` holding what a fallible call of a function that returns
    /// an array succeeds with (`g(x)?`, `self.l1.forward(x).unwrap()`); `None` when `expr` is
    /// no such call, `Some(None)` when lowering it failed.
    pub(super) fn fallible_array(
        &mut self,
        name: &syn::Ident,
        expr: &Expr,
    ) -> Option<Option<ArrayId>> {
        let (target, mut unwrap) = self.fallible_call(expr)?;
        // (an array default has fallbacks of its own: see `array_fallback`)
        if let Some(d) = &unwrap.or {
            unwrap.or = Some(syn::parse_quote_spanned!(d.span()=>
                ::autodiff::__private::array_fallback(#d)
            ));
        }
        Some(match target {
            Expr::Call(c) => self.call_array(name, c, Some(unwrap)),
            Expr::MethodCall(m) => self.method_call_array(name, m, Some(unwrap)),
            _ => None,
        })
    }
}
