//! `#[checkpoint]` on a loop: the reverse sweep replays the loop from a few saved states
//! instead of popping a tape of every iteration (Griewank's checkpointing, `jax.checkpoint`).
//!
//! A marked loop `for i in range { body }` of `n` iterations becomes, in the IR, a loop over
//! segments of `k = ceil(sqrt(n))` iterations around the loop itself:
//!
//! ```text
//! let n = trip_count(range);  let k = checkpoint_segment(n);
//! for start in (0..n).step_by(k) {          // the segment loop (`Checkpoint::Segments`)
//!     let h_saved = h;                      // local arrays the iterations need as they were
//!     for i in range.skip(start).take(k) { body }
//! }
//! ```
//!
//! The segment loop is planned and printed like any loop, with three differences (hooks in
//! `activity.rs` and `reverse/`): its body is in scope in its reverse, as the top level is;
//! its tape holds its carried values and the saved arrays at the start of each segment, and
//! nothing else; and its forward runs the inner loop without tapes. Its reverse iteration pops
//! a segment's starting state, runs the segment forward again, taped as usual (`k` entries),
//! and then reverses it. Memory: `n / k` states and a tape of `k` iterations, `O(sqrt n)`,
//! for one more forward sweep of the loop.
//!
//! The loop must be a `for` loop at the function's top level, left only at its end (no
//! `break`, `return` or `?` inside). A loop fused with its reverse (`fusion.rs`) keeps no
//! tape: the marker is a no-op there.

use std::collections::BTreeSet;

use crate::hash::HashSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

use crate::activity::{self, key, Analysis, LoopPlan};
use crate::diag::Errors;
use crate::ir::*;

/// The marker's name: `#[checkpoint]`.
const MARKER: &str = "checkpoint";

/// Where `#[checkpoint]` is among `attrs`.
pub fn marker(attrs: &[syn::Attribute]) -> Option<Span> {
    attrs
        .iter()
        .find(|a| a.path().is_ident(MARKER))
        .map(|a| a.path().span())
}

/// An attribute that looks like a misspelt marker (`#[chekpoint]`, `#[checkpointed]`).
fn misspelt(attr: &syn::Attribute) -> Option<String> {
    let name = attr.path().get_ident()?.to_string();
    let close = name != MARKER
        && (name.contains(MARKER)
            || name.contains("remat")
            || distance(&name.to_lowercase(), MARKER) <= 3);
    close.then_some(name)
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(prev + usize::from(ca != *cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// Reports markers anywhere but on a `for` loop statement of the function's top level,
/// markers with arguments, and misspelt markers.
pub fn check(block: &syn::Block, changed_data: &[&proc_macro2::Ident], errors: &mut Errors) {
    // The markers in their place: on a top-level `for` statement.
    let mut placed: HashSet<*const syn::Attribute> = HashSet::default();
    for stmt in &block.stmts {
        if let syn::Stmt::Expr(syn::Expr::ForLoop(f), _) = stmt {
            let marked: Vec<&syn::Attribute> = f
                .attrs
                .iter()
                .filter(|a| a.path().is_ident(MARKER))
                .collect();
            if !marked.is_empty() {
                changes_data(&f.body, changed_data, errors);
            }
            placed.extend(marked.into_iter().map(|a| a as *const _));
        }
    }
    struct Finder<'e> {
        placed: HashSet<*const syn::Attribute>,
        errors: &'e mut Errors,
        /// The kind of loop the next attributes are on, if they are on one.
        on_loop: Option<&'static str>,
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            self.on_loop = match e {
                syn::Expr::ForLoop(_) => Some("for"),
                syn::Expr::While(_) => Some("while"),
                syn::Expr::Loop(_) => Some("loop"),
                _ => None,
            };
            syn::visit::visit_expr(self, e);
        }

        fn visit_attribute(&mut self, a: &'ast syn::Attribute) {
            let on_loop = self.on_loop.take();
            if let Some(name) = misspelt(a) {
                self.errors.on(
                    a,
                    format!("unknown attribute `#[{name}]`: the loop attribute of #[grad] is `#[checkpoint]`"),
                );
                return;
            }
            if !a.path().is_ident(MARKER) {
                return;
            }
            if !matches!(a.meta, syn::Meta::Path(_)) {
                self.errors.on(
                    a,
                    "`#[checkpoint]` takes no arguments: the segments are ceil(sqrt(n)) iterations long for a loop of n",
                );
                return;
            }
            if self.placed.contains(&(a as *const _)) {
                return;
            }
            let message = match on_loop {
                Some(kind @ ("while" | "loop")) => format!(
                    "`#[checkpoint]` needs a `for` loop, whose trip count is known when it starts; a `{kind}` loop cannot be checkpointed: write it as a `for` loop over a range"
                ),
                Some(_) => "`#[checkpoint]` goes on a loop at the top level of the function body, not inside another loop, a branch or a block: mark the outermost loop".to_string(),
                None => "`#[checkpoint]` goes on a `for` loop at the top level of the function body (`#[checkpoint] for t in 0..n { .. }`)".to_string(),
            };
            self.errors.on(a, message);
        }
    }
    let mut finder = Finder {
        placed,
        errors,
        on_loop: None,
    };
    finder.visit_block(block);
}

/// A checkpointed loop's body runs again in the reverse sweep, from the saved state of each
/// segment: `&mut` data it reads (an RNG, a counter) would change twice, and the values it
/// gives the second time would not be those the first sweep used (a wrong gradient).
fn changes_data(body: &syn::Block, changed_data: &[&proc_macro2::Ident], errors: &mut Errors) {
    struct Mentions<'a>(&'a [&'a proc_macro2::Ident], Option<proc_macro2::Ident>);
    impl<'ast> Visit<'ast> for Mentions<'_> {
        fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
            if self.1.is_none() && self.0.contains(&i) {
                self.1 = Some(i.clone());
            }
        }
    }
    let mut mentions = Mentions(changed_data, None);
    mentions.visit_block(body);
    if let Some(data) = mentions.1 {
        errors.on(
            &data,
            format!("a `#[checkpoint]` loop runs its body again in the reverse sweep, and `{data}` is `&mut` data it would change a second time (an RNG would draw other numbers, and the gradient would not be the function's): draw what the loop needs before it (`let noise: Vec<f64> = (0..n).map(|_| {data}.sample()).collect();`), or leave the loop unmarked"),
        );
    }
}

/// Removes the markers (and misspelt ones, reported by `check`) from the function as it is
/// emitted: they are the macro's, not attributes Rust knows. Whether there was any.
pub fn strip(block: &mut syn::Block) -> bool {
    let mut strip = Strip::default();
    strip.visit_block_mut(block);
    strip.removed
}

/// Removes the markers `check` reported as misplaced, keeping those on the top-level `for`
/// statements, so that lowering sees only markers in their place.
pub fn keep_placed(block: &mut syn::Block) {
    for stmt in &mut block.stmts {
        match stmt {
            syn::Stmt::Expr(syn::Expr::ForLoop(f), _) => {
                Strip::default().visit_expr_mut(&mut f.expr);
                Strip::default().visit_block_mut(&mut f.body);
            }
            other => Strip::default().visit_stmt_mut(other),
        }
    }
}

#[derive(Default)]
struct Strip {
    removed: bool,
}

impl Strip {
    fn retain(&mut self, attrs: &mut Vec<syn::Attribute>) {
        let before = attrs.len();
        attrs.retain(|a| !a.path().is_ident(MARKER) && misspelt(a).is_none());
        self.removed |= attrs.len() != before;
    }
}

impl VisitMut for Strip {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::ForLoop(syn::ExprForLoop { attrs, .. })
        | syn::Expr::While(syn::ExprWhile { attrs, .. })
        | syn::Expr::Loop(syn::ExprLoop { attrs, .. })
        | syn::Expr::Block(syn::ExprBlock { attrs, .. })
        | syn::Expr::If(syn::ExprIf { attrs, .. })
        | syn::Expr::Match(syn::ExprMatch { attrs, .. }) = e
        {
            self.retain(attrs);
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }

    fn visit_local_mut(&mut self, l: &mut syn::Local) {
        self.retain(&mut l.attrs);
        syn::visit_mut::visit_local_mut(self, l);
    }

    fn visit_stmt_macro_mut(&mut self, m: &mut syn::StmtMacro) {
        self.retain(&mut m.attrs);
    }
}

/// Splits every marked loop of the top level into segments (see the module's comment).
/// `fuse`: whether loops may be fused with their reverse, which makes a marker a no-op.
pub fn rewrite(body: &mut Body, fuse: bool, errors: &mut Errors) {
    let marked: Vec<usize> = (0..body.block.stmts.len())
        .filter(|&p| {
            matches!(&body.block.stmts[p], Stmt::Loop(l) if matches!(l.checkpoint, Some(Checkpoint::Marked(_))))
        })
        .collect();
    // A marked loop after an early `return` runs inside the branch that did not return.
    for stmt in &body.block.stmts {
        for block in stmt.nested_blocks() {
            block.for_each_stmt(&mut |s| {
                if let Stmt::Loop(l) = s {
                    if let Some(Checkpoint::Marked(span)) = l.checkpoint {
                        errors.at(span, "a `#[checkpoint]` loop must run unconditionally at the top level of the function: an early `return` before it puts it in a branch; move the `return` after the loop");
                    }
                }
            });
        }
    }
    if marked.is_empty() {
        return;
    }
    let fused: HashSet<usize> = {
        let mut ignored = Errors::default();
        let an = activity::analyze(body, fuse, &mut ignored);
        an.fusion.loops.keys().copied().collect()
    };
    let mut names: Namespace = body.vars.iter().map(|v| v.name.clone()).collect();
    names.extend(body.arrays.iter().map(|a| a.name.clone()));
    // From the last, so that the positions of the others stay put.
    for &p in marked.iter().rev() {
        let Stmt::Loop(l) = &mut body.block.stmts[p] else {
            continue;
        };
        let Some(Checkpoint::Marked(span)) = l.checkpoint.take() else {
            continue;
        };
        if fused.contains(&key(&**l)) {
            continue;
        }
        if l.exit.is_some() {
            errors.at(
                span,
                "a `#[checkpoint]` loop runs to its end: it cannot be left early by `break`, `return` or `?`, since its segments are planned from its trip count when it starts; a loop that stops on convergence can skip its remaining iterations instead (`let mut done = false;` before it, `if !done { ..; if converged { done = true; } }` as its body)",
            );
            continue;
        }
        if !matches!(l.kind, LoopKind::Counted { .. }) {
            errors.at(span, "`#[checkpoint]` needs a `for` loop");
            continue;
        }
        let saved_arrays = restored_arrays(body, p);
        let mut cx = Rewrite {
            vars: &mut body.vars,
            names: &mut names,
            span,
        };
        let Stmt::Loop(l) = &mut body.block.stmts[p] else {
            continue;
        };
        let (lets, segments) = cx.split(l, &saved_arrays, &body.arrays);
        let mut replacement = lets;
        replacement.push(segments);
        body.block.stmts.splice(p..=p, replacement);
    }
}

/// The local arrays declared outside the loop at `p` that its iterations read and that are
/// written in it or after it: a segment run again in the reverse sweep must find them as
/// they were when it first ran. (An array the loop only writes needs no copy: the run again
/// writes what the first run wrote, and the reverse sweep reads no array written after.)
fn restored_arrays(body: &Body, p: usize) -> Vec<ArrayId> {
    let Stmt::Loop(l) = &body.block.stmts[p] else {
        return Vec::new();
    };
    let mut stored = BTreeSet::new();
    for later in &body.block.stmts[p..] {
        let mut ignored = BTreeSet::new();
        later.arrays(&mut ignored, &mut stored);
    }
    let (mut read, mut inner) = (BTreeSet::new(), BTreeSet::new());
    l.body.for_each_stmt(&mut |s| match s {
        Stmt::DeclareArray { array, .. } | Stmt::CallArray { array, .. } => {
            inner.insert(*array);
            let (mut touched, mut ignored) = (BTreeSet::new(), BTreeSet::new());
            s.arrays(&mut touched, &mut ignored);
            read.extend(touched.into_iter().filter(|a| a != array));
        }
        Stmt::Store { .. } | Stmt::Resize { .. } | Stmt::If { .. } | Stmt::Loop(_) => {}
        Stmt::Let { .. } | Stmt::Effect(_) => {
            let (mut touched, mut ignored) = (BTreeSet::new(), BTreeSet::new());
            s.arrays(&mut touched, &mut ignored);
            read.extend(touched);
        }
    });
    read.into_iter()
        .filter(|a| {
            body.array(*a).origin == ArrayOrigin::Local && stored.contains(a) && !inner.contains(a)
        })
        .collect()
}

struct Rewrite<'b> {
    vars: &'b mut Vec<VarInfo>,
    names: &'b mut Namespace,
    span: Span,
}

impl Rewrite<'_> {
    fn new_var(&mut self, base: &str, ty: Ty, varied: bool) -> Var {
        self.vars
            .push(VarInfo::new(self.names.fresh(base), ty, varied, self.span));
        Var(self.vars.len() - 1)
    }

    /// `let trip_count = ..; let segment = ..;` and the segment loop around `l`, which `l`
    /// is left as a placeholder for (taken into the segment loop's body).
    fn split(
        &mut self,
        l: &mut Box<Loop>,
        saved_arrays: &[ArrayId],
        arrays: &[ArrayInfo],
    ) -> (Vec<Stmt>, Stmt) {
        let LoopKind::Counted { range, .. } = &mut l.kind else {
            unreachable!("checked by the caller")
        };
        let n = self.new_var("trip_count", Ty::Int, false);
        let trips = self.trip_count(range);
        let k = self.new_var("segment", Ty::Int, false);
        let n_ident = Ident::new("n", Span::mixed_site());
        let every = Opaque {
            tokens: quote!(::autodiff::__private::checkpoint_segment(#n_ident)),
            captures: vec![(n_ident, Capture::Value(Operand::Var(n)))],
            declared: None,
        };
        let start = self.new_var("segment_start", Ty::Int, false);
        range.adaptors.push(Adaptor::Skip(Operand::Var(start)));
        range.adaptors.push(Adaptor::Take(Operand::Var(k)));
        // The carried values: the segment loop's run from segment to segment.
        let mut outer = Vec::new();
        for c in &mut l.carried {
            let info = &self.vars[c.inner.0];
            let (name, ty, varied) = (info.name.clone(), info.ty, info.varied);
            let inner = self.new_var(&format!("{name}_start"), ty, varied);
            let end = self.new_var(
                &format!("{name}_end"),
                ty,
                varied || self.vars[c.out.0].varied,
            );
            outer.push(Carried {
                inner,
                init: std::mem::replace(&mut c.init, Operand::Var(inner)),
                next: Operand::Var(end),
                out: std::mem::replace(&mut c.out, end),
            });
        }
        let mut stmts = Vec::new();
        let mut saved = Vec::new();
        for a in saved_arrays {
            let name = format!("{}_saved", arrays[a.0].name);
            let copy = self.new_var(&name, Ty::Unknown, false);
            stmts.push(Stmt::Let {
                var: copy,
                op: Op::Snapshot {
                    array: *a,
                    row: None,
                },
            });
            saved.push((*a, copy));
        }
        let span = l.span;
        let placeholder = Box::new(Loop {
            kind: LoopKind::While {
                header: Block::default(),
                cond: Operand::Lit(syn::parse_quote!(false)),
            },
            carried: Vec::new(),
            body: Block::default(),
            exit: None,
            trips: None,
            span,
            checkpoint: None,
        });
        stmts.push(Stmt::Loop(std::mem::replace(l, placeholder)));
        let zero: syn::Lit = syn::parse_quote!(0usize);
        let segments = Loop {
            kind: LoopKind::Counted {
                counter: start,
                range: CountedRange {
                    start: Operand::Lit(zero),
                    end: Operand::Var(n),
                    inclusive: false,
                    adaptors: vec![Adaptor::StepBy(Operand::Var(k))],
                },
            },
            carried: outer,
            body: Block { stmts },
            exit: None,
            trips: None,
            span,
            checkpoint: Some(Checkpoint::Segments { saved }),
        };
        let lets = vec![
            Stmt::Let {
                var: n,
                op: Op::Opaque(trips),
            },
            Stmt::Let {
                var: k,
                op: Op::Opaque(every),
            },
        ];
        (lets, Stmt::Loop(Box::new(segments)))
    }

    /// `trip_count((start..end).rev().step_by(s))`: the loop's iteration count when it starts.
    fn trip_count(&mut self, range: &CountedRange) -> Opaque {
        let mut captures = Vec::new();
        let mut operand = |x: &Operand, name: &str| -> TokenStream {
            match x {
                Operand::Var(_) => {
                    let ident = Ident::new(name, Span::mixed_site());
                    captures.push((ident.clone(), Capture::Value(x.clone())));
                    quote!(#ident)
                }
                Operand::Lit(l) => quote!(#l),
                Operand::Const(e) => quote!(#e),
            }
        };
        let (s, e) = (operand(&range.start, "start"), operand(&range.end, "end"));
        let mut r = if range.inclusive {
            quote!(#s..=#e)
        } else {
            quote!(#s..#e)
        };
        if !range.adaptors.is_empty() {
            r = quote!((#r));
        }
        for (i, a) in range.adaptors.iter().enumerate() {
            r = match a {
                Adaptor::Rev => quote!(#r.rev()),
                Adaptor::StepBy(x) => {
                    let x = operand(x, &format!("step_{i}"));
                    quote!(#r.step_by(#x))
                }
                Adaptor::Skip(x) => {
                    let x = operand(x, &format!("skip_{i}"));
                    quote!(#r.skip(#x))
                }
                Adaptor::Take(x) => {
                    let x = operand(x, &format!("take_{i}"));
                    quote!(#r.take(#x))
                }
            };
        }
        Opaque {
            tokens: quote!(::autodiff::__private::trip_count(#r)),
            captures,
            declared: None,
        }
    }
}

/// The segment loops of the top level (by key): their bodies are in scope in their reverse.
pub fn segment_loops(body: &Body) -> Vec<usize> {
    body.block
        .stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Loop(l) if matches!(l.checkpoint, Some(Checkpoint::Segments { .. })) => {
                Some(key(&**l))
            }
            _ => None,
        })
        .collect()
}

/// A segment loop's tape: its carried values and saved arrays at the start of each segment.
pub fn plan(body: &Body, an: &mut Analysis) {
    for stmt in &body.block.stmts {
        let Stmt::Loop(l) = stmt else { continue };
        let Some(Checkpoint::Segments { saved }) = &l.checkpoint else {
            continue;
        };
        let k = key(&**l);
        if !an.has_adjoint.get(&k).copied().unwrap_or(false) {
            continue;
        }
        let mut taped: Vec<Var> = l.carried.iter().map(|c| c.inner).collect();
        taped.extend(saved.iter().map(|(_, copy)| *copy));
        an.snapshots.extend(saved.iter().map(|(_, copy)| *copy));
        an.required.extend(taped.iter().copied());
        an.loops.insert(
            k,
            LoopPlan {
                taped,
                ..LoopPlan::default()
            },
        );
    }
}
