//! A `Vec` built by pushing once per iteration of the loop after it:
//!
//! ```text
//! let mut out = Vec::with_capacity(n);     let mut out: Vec<f64> = vec![0.0; count];
//! for (row, b) in w.iter().zip(b) {   =>   for i in 0..count {
//!     out.push(dot(row, x) + b);               out[i] = dot(row, x) + b;
//! }                                        }
//! ```
//!
//! The sweeps track a local array's elements, not a changing length, so the vector is made
//! at its final size, the loop's trip count, before the loop, and each push is a write at
//! the iteration's index, when the loop pushes exactly once per iteration: the push is a
//! statement of the loop body itself (not in a branch or an inner loop), the body never
//! leaves early, and the loop takes every item of what it iterates (no `filter`).
//! Rows pushed whole (`traj.push(y)` of a `[f64; 2]`) make a vector of rows the same way.
//!
//! A loop that pushes in branches (`if v > t { kept.push(v) }`), at several places, or may
//! end an iteration early, pushes at most once per place per iteration. The vector is then
//! made at that bound, its pushes write at a count of the items pushed so far, and after the
//! loop it is the copy of those first items (a length the sweeps read as data):
//!
//! ```text
//! let mut kept = Vec::new();               let mut kept: Vec<f64> = vec![0.0; count];
//! for &v in x {                            let mut kept_len = 0;
//!     if v > t {                      =>   for i in 0..count {
//!         kept.push(2.0 * v);                  let v = x[i];
//!     }                                        if v > t { kept[kept_len] = 2.0 * v; kept_len += 1; }
//! }                                        }
//!                                          let kept = kept[..kept_len].to_vec();
//! ```
//!
//! Either way the loop mentions the vector nowhere but in its pushes; a push in an inner loop
//! or a closure (no bound) keeps the error that says how to write it.
//! A vector declared empty that no loop pushes into, assigned whole later, is an empty array
//! of floats until then (`empty_float_vec`).

use super::*;
use proc_macro2::Ident;
use syn::visit_mut::VisitMut;

/// The vector a loop pushes into, declared where the loop starts.
#[derive(Clone)]
pub(super) struct Pushed {
    /// Its element type: written (`Vec<f64>`, `Vec::<T>::new()`) or the function's float.
    elem: syn::Type,
    fill: Expr,
    /// How many places of the loop push into it, when not once per iteration: the vector
    /// is made at that many times the trip count, and pushes write at a count.
    counted: Option<usize>,
    /// The items it holds before the loop (`vec![h0]`, `out.push(x0);` before the loop),
    /// each bound to a local where it was pushed: written first, the count starting after.
    initial: Vec<Ident>,
    /// How many `out.push(last);` statements follow the loop before anything else reads the
    /// vector (a run-length encoding's last run): room for them, the cut after them.
    after: usize,
}

/// A counted vector cut to the items pushed, once the pushes after its loop are written.
pub(super) struct Cut {
    name: Ident,
    count: Ident,
    /// Pushes after the loop still to come.
    pending: usize,
    stmt: SynStmt,
}

impl Lowerer<'_> {
    /// `let mut out = Vec::new();` (or `Vec::with_capacity(n)`, `vec![]`) followed, after
    /// statements that do not mention `out`, by a loop that pushes into it once per
    /// iteration: the name and what to make it with.
    /// Items pushed before the loop (`let mut h = vec![h0];`, `h.push(h0);` statements
    /// between the `let` and the loop) make it a counted push (`Pushed::initial`).
    pub(super) fn pushed_vec(
        &mut self,
        stmt: &SynStmt,
        rest: &[SynStmt],
    ) -> Option<(Ident, Pushed)> {
        let (local, pi, written) = named_let(stmt)?;
        let init = &local.init.as_ref()?.expr;
        let (named, listed) = match init_items(init) {
            Some(items) => (None, items),
            None => (empty_vec(init)?, Vec::new()),
        };
        if pi.mutability.is_none() || pi.subpat.is_some() {
            return None;
        }
        let name = &pi.ident;
        let pushed_before = |s: &SynStmt| push_receiver(s) == Some(name);
        let first_use = rest
            .iter()
            .find(|s| mentions(s, name) && !pushed_before(s))?;
        let before: Vec<&Expr> = rest
            .iter()
            .take_while(|s| !std::ptr::eq(*s, first_use))
            .filter(|s| pushed_before(s))
            .filter_map(push_argument)
            .collect();
        let SynStmt::Expr(Expr::ForLoop(f), _) = first_use else {
            return None;
        };
        let after = rest
            .iter()
            .skip_while(|s| !std::ptr::eq(*s, first_use))
            .skip(1)
            .filter(|s| mentions(s, name))
            .take_while(|s| pushed_before(s))
            .count();
        let (pushed, counted) = match pushed_item(f, name) {
            Some(item) if listed.is_empty() && before.is_empty() && after == 0 => (item, None),
            Some(item) => (item, Some(1)),
            None => {
                let items = counted_pushes(f, name)?;
                (items[0], Some(items.len()))
            }
        };
        let earlier_float = listed
            .iter()
            .chain(before.iter().copied())
            .any(|e| self.looks_float(e));
        // (rows pushed whole: `traj.push(y)` of a `[f64; 2]`)
        let row = match (written, &named) {
            (None, None) => self.pushed_row(pushed, rest, f),
            _ => None,
        };
        let elem = match (written, named, row) {
            (Some(written), ..) => super::written_types::vec_element(written)?,
            (None, Some(named), _) => named,
            (None, None, Some(row)) => row,
            (None, None, None)
                if earlier_float
                    || defining_exprs(pushed, &f.body).iter().any(|(e, running)| {
                        self.looks_float(e)
                            || *running && self.reads(&e.to_token_stream()).varied
                            || self.reads(&f.expr.to_token_stream()).varied
                                && mentions_any(e, &f.pat)
                    }) =>
            {
                self.sig.float.clone()
            }
            // What the function returns, a vector of its floats (`out` its tail): the items
            // are floats whatever computes them (`let s = net.score(x); out.push(s);`).
            (None, None, None) if self.sig.output == Output::Vec && returns_name(rest, name) => {
                self.sig.float.clone()
            }
            // `vec![0usize]` (`vec![0]`, a sequence of indices: `usize`), its items' type.
            (None, None, None) if listed_integers(&listed).is_some() => listed_integers(&listed)?,
            (None, None, None) => return None,
        };
        let fill = self.zero_literal(&elem, name.span())?;
        // The items listed in `vec![..]`, each bound now (a later push binds its own).
        let initial = listed
            .iter()
            .map(|item| self.bind_pushed(name, item))
            .collect();
        Some((
            name.clone(),
            Pushed {
                elem,
                fill,
                counted,
                initial,
                after,
            },
        ))
    }

    /// Lowers the cuts of a loop's counted vectors: now, or after the pushes that follow it
    /// (`push_after_loop`).
    pub(super) fn cut_after_loop(&mut self, cuts: Vec<Cut>) {
        for cut in cuts {
            match cut.pending {
                0 => self.lower_stmt(&cut.stmt),
                _ => drop(self.flushes.insert(cut.name.to_string(), cut)),
            }
        }
    }

    /// `name.push(last);` after the loop that filled a counted vector: written at the count,
    /// and after the last such push, the vector cut to its items.
    pub(super) fn push_after_loop(&mut self, stmt: &SynStmt) -> bool {
        let (Some(name), Some(item)) = (push_receiver(stmt), push_argument(stmt)) else {
            return false;
        };
        let Some(cut) = self.flushes.get_mut(&name.to_string()) else {
            return false;
        };
        cut.pending -= 1;
        let (count, done) = (cut.count.clone(), cut.pending == 0);
        self.lower_stmt(&syn::parse_quote_spanned!(item.span()=> #name[#count] = #item;));
        self.lower_stmt(&syn::parse_quote_spanned!(item.span()=> #count += 1;));
        if done {
            if let Some(cut) = self.flushes.remove(&name.to_string()) {
                self.lower_stmt(&cut.stmt);
            }
        }
        true
    }

    /// `name.push(item);` of a vector the next loop fills, before that loop: the item bound
    /// to a local now, written where the vector is made.
    pub(super) fn push_before_loop(&mut self, stmt: &SynStmt) -> bool {
        let Some(name) = push_receiver(stmt) else {
            return false;
        };
        if !self.pushes.contains_key(&name.to_string()) {
            return false;
        }
        let Some(item) = push_argument(stmt) else {
            return false;
        };
        let bound = self.bind_pushed(name, item);
        if let Some(pushed) = self.pushes.get_mut(&name.to_string()) {
            pushed.initial.push(bound);
        }
        true
    }

    /// `let __autodiff_pushed_k = item;`: an item pushed before the loop, read where it was.
    fn bind_pushed(&mut self, name: &Ident, item: &Expr) -> Ident {
        let k = self.next_synthetic();
        let bound = Ident::new(&format!("{SYNTHETIC}{name}_item_{k}"), item.span());
        self.lower_stmt(&syn::parse_quote_spanned!(item.span()=> let #bound = #item;));
        bound
    }

    /// `let kept: Vec<f64> = x.iter().copied().filter(|v| *v > t).collect();`: a chain that
    /// may skip items (`filter`, `filter_map`, `take_while`, `scan`) collected as a loop
    /// pushing each item it keeps would fill the vector (a counted push). Only numbers: `None`
    /// for anything else, left to the error that says what to write.
    pub(super) fn collect_kept(
        &mut self,
        pi: &syn::PatIdent,
        chain: &Expr,
        annotated: Option<&syn::Type>,
    ) -> Option<ArrayId> {
        let elem = match annotated.and_then(super::written_types::vec_element) {
            Some(syn::Type::Infer(_)) | None => self.sig.float.clone(),
            Some(elem) => elem,
        };
        // (numbers, or rows of them: `Vec<[f64; 2]>` of points kept)
        let number = match &elem {
            syn::Type::Array(row) => &*row.elem,
            elem => elem,
        };
        if type_kind(number, self.sig) != Ty::Float {
            return None;
        }
        let fill = self.zero_literal(&elem, pi.ident.span())?;
        let (name, span) = (&pi.ident, chain.span());
        let item = Ident::new(&format!("{SYNTHETIC}kept_{}", self.next_synthetic()), span);
        let pushed = Pushed {
            elem,
            fill,
            counted: Some(1),
            initial: Vec::new(),
            after: 0,
        };
        self.pushes.insert(name.to_string(), pushed);
        self.lower_stmt(&syn::parse_quote_spanned!(span=>
            for #item in #chain {
                #name.push(#item);
            }
        ));
        match self.lookup(&name.to_string()) {
            Some(Binding::Array(array)) => Some(array),
            _ => None,
        }
    }

    /// `let mut v = Vec::new();` (or `Vec::with_capacity(n)`, `vec![]`) of floats that no
    /// loop fills by pushing: `let mut v: Vec<f64> = vec![0.0; 0];`, an empty array of the
    /// function's float type that later assignments (`v = x.iter().map(..).collect();`)
    /// replace. Without a written element type, only when one of them assigns a
    /// differentiated value: the vector may hold indices.
    pub(super) fn empty_float_vec(&self, stmt: &SynStmt, rest: &[SynStmt]) -> Option<SynStmt> {
        let (local, pi, written) = named_let(stmt)?;
        let named = empty_vec(&local.init.as_ref()?.expr)?;
        let elem = match (written, named) {
            (Some(written), _) => super::written_types::vec_element(written)?,
            (None, Some(named)) => named,
            (None, None) if self.assigns_varied(rest, &pi.ident) => self.sig.float.clone(),
            (None, None) => return None,
        };
        if type_kind(&elem, self.sig) != Ty::Float {
            return None;
        }
        let fill = self.zero_literal(&elem, pi.ident.span())?;
        let (m, name) = (&pi.mutability, &pi.ident);
        Some(syn::parse_quote_spanned!(local.span()=>
            let #m #name: ::std::vec::Vec<#elem> = vec![#fill; 0];
        ))
    }

    /// `let mut v = Vec::new();` without an element type, that the statements after it only
    /// assign whole, with values that read no differentiated value in scope
    /// (`v = (0..n).collect();`), and never write an element of, push into or lend mutably: a
    /// vector of data (indices, say), kept as written.
    pub(super) fn empty_data_vec(&self, stmt: &SynStmt, rest: &[SynStmt]) -> bool {
        let Some(pi) = untyped_empty_vec(stmt) else {
            return false;
        };
        let mut uses = VectorUses {
            name: &pi.ident,
            assigned: Vec::new(),
            written: false,
        };
        rest.iter().for_each(|s| uses.visit_stmt(s));
        if uses.written || uses.assigned.is_empty() {
            return false;
        }
        // A value bound after the `let` is not known yet: one that turns out differentiated
        // is reported where it is assigned (`assign_named`).
        uses.assigned.iter().all(|e| {
            let reads = self.reads(&e.to_token_stream());
            !reads.varied && !reads.poisoned
        })
    }

    /// `let mut stack: Vec<usize> = vec![0];` popped later (`while let Some(i) =
    /// stack.pop()`), `let mut ext: Vec<usize> = Vec::new();` pushed a label and a blank per
    /// item (CTC's extended labels), a visit order pushed in a `while`: a container its type
    /// says holds no float, changed in ways the sweeps cannot track element by element; kept
    /// as written. (One pushed once per iteration of the loop after it is made at its trip
    /// count, `pushed_vec`.)
    pub(super) fn data_container(&self, stmt: &SynStmt) -> bool {
        let Some((local, _, Some(ty))) = named_let(stmt) else {
            return false;
        };
        local.init.is_some() && super::written_types::holds_no_float(ty, self.sig)
    }

    /// `let mut idx = Vec::new();` that the loop after it fills with its counter over a
    /// range (`for i in 0..n { idx.push(i); }`, `if x[i] > 0.0 { idx.push(i) }`): a vector of
    /// indices, data kept as written.
    pub(super) fn index_vec(&self, stmt: &SynStmt, rest: &[SynStmt]) -> bool {
        let Some(pi) = untyped_empty_vec(stmt) else {
            return false;
        };
        let Some(SynStmt::Expr(Expr::ForLoop(f), _)) = rest.iter().find(|s| mentions(s, &pi.ident))
        else {
            return false;
        };
        let counter = match &*f.pat {
            Pat::Ident(counter) if matches!(&*f.expr, Expr::Range(_)) => &counter.ident,
            _ => return false,
        };
        let items = match pushed_item(f, &pi.ident) {
            Some(item) => vec![item],
            None => counted_pushes(f, &pi.ident).unwrap_or_default(),
        };
        !items.is_empty()
            && items
                .iter()
                .all(|item| matches!(item, Expr::Path(p) if p.path.is_ident(counter)))
    }

    /// Whether `stmts` assign `name` a differentiated value (`name = ..;`, at any depth).
    fn assigns_varied(&self, stmts: &[SynStmt], name: &Ident) -> bool {
        struct Assigns<'n>(&'n Ident, Vec<Expr>);
        impl<'ast> Visit<'ast> for Assigns<'_> {
            fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
                if matches!(&*a.left, Expr::Path(p) if p.path.is_ident(self.0)) {
                    self.1.push((*a.right).clone());
                }
                syn::visit::visit_expr_assign(self, a);
            }
        }
        let mut found = Assigns(name, Vec::new());
        stmts.iter().for_each(|s| found.visit_stmt(s));
        found
            .1
            .iter()
            .any(|e| self.reads(&e.to_token_stream()).varied)
    }

    /// The zero a vector of `elem` is filled with: a literal of its type (`0.0_f64`, `0_usize`)
    /// or `T::zero()` for a generic float.
    /// The type of a row of floats pushed whole: an array literal (`[a, b]`), or a local
    /// array of constant length (`y` of `let mut y = [1.0, 0.0];`, declared before the vector,
    /// between it and the loop `f`, or in the loop's body).
    fn pushed_row(&self, item: &Expr, rest: &[SynStmt], f: &syn::ExprForLoop) -> Option<syn::Type> {
        let float = &self.sig.float;
        // (of floats, not `[i, j]` of indices: an element that looks like one, or reads a
        // local declared after the vector with a float value, `let mut z = [1.0, 0.0];`)
        let declared = |name: &Ident| {
            rest.iter().chain(&f.body.stmts).any(|s| {
                let Some((local, pi, _)) = named_let(s) else {
                    return false;
                };
                let init = local.init.as_ref().map(|i| &*i.expr);
                pi.ident == *name
                    && match init {
                        Some(Expr::Array(a)) => a.elems.iter().any(|e| self.looks_float(e)),
                        Some(e) => self.looks_float(e),
                        None => false,
                    }
            })
        };
        // (or reads an item of a differentiated array the loop takes: `w[0]` of `x.windows(2)`)
        let items_varied = self.reads(&f.expr.to_token_stream()).varied;
        let floats = |e: &Expr| {
            let mut names = Vec::new();
            opaque::mentioned_names(e.to_token_stream(), &mut names);
            self.looks_float(e)
                || self.reads(&e.to_token_stream()).varied
                || names.iter().any(|(name, _)| declared(name))
                || items_varied && mentions_any(e, &f.pat)
        };
        let literal_len = |e: &Expr| match e {
            Expr::Array(a) if a.elems.iter().any(floats) => {
                let len = syn::Index::from(a.elems.len());
                Some(syn::parse_quote!(#len))
            }
            Expr::Repeat(r) if floats(&r.expr) => Some((*r.len).clone()),
            _ => None,
        };
        let len: Expr = match item {
            Expr::Path(p) => {
                let name = p.path.get_ident()?;
                match self.lookup(&name.to_string()) {
                    Some(Binding::Array(id)) => {
                        let info = &self.arrays[id.0];
                        match (info.dims, info.elem, info.lens.first()) {
                            (1, Elem::Float, Some(Operand::Const(len))) => len.clone(),
                            _ => return None,
                        }
                    }
                    Some(_) => return None,
                    None => rest.iter().chain(&f.body.stmts).find_map(|s| {
                        let (local, pi, written) = named_let(s)?;
                        if pi.ident != *name {
                            return None;
                        }
                        match written {
                            Some(syn::Type::Array(a)) => Some(a.len.clone()),
                            Some(_) => None,
                            None => literal_len(&local.init.as_ref()?.expr),
                        }
                    })?,
                }
            }
            item => literal_len(item)?,
        };
        Some(syn::parse_quote!([#float; #len]))
    }

    fn zero_literal(&self, elem: &syn::Type, span: Span) -> Option<Expr> {
        // Rows (`Vec<[f64; 2]>`, a trajectory of states): a row of zeros.
        if let syn::Type::Array(row) = elem {
            let zero = self.zero_literal(&row.elem, span)?;
            let len = &row.len;
            return Some(syn::parse_quote!([#zero; #len]));
        }
        let suffix = elem.to_token_stream().to_string();
        Some(match type_kind(elem, self.sig) {
            Ty::Float if self.sig.float_is_generic => syn::parse_quote!(#elem::zero()),
            Ty::Float => Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::LitFloat::new(&format!("0.0_{suffix}"), span).into(),
            }),
            Ty::Int => Expr::Lit(syn::ExprLit {
                attrs: Vec::new(),
                lit: syn::LitInt::new(&format!("0_{suffix}"), span).into(),
            }),
            _ => return None,
        })
    }

    /// The vectors `f` pushes into that an earlier `let` left to this loop, in the order the
    /// body pushes them.
    pub(super) fn pushed_by(&mut self, f: &syn::ExprForLoop) -> Vec<(Ident, Pushed)> {
        let mut sites = PushSites::default();
        sites.visit_block(&f.body);
        let mut pushed: Vec<(Ident, Pushed)> = Vec::new();
        for (name, _) in sites.found {
            if pushed.iter().all(|(n, _)| *n != name) {
                if let Some(p) = self.pushes.remove(&name.to_string()) {
                    pushed.push((name, p));
                }
            }
        }
        pushed
    }
}

/// How the loop that fills vectors pushing into them is written instead.
pub(super) struct PushesAsWrites {
    /// The vectors made before the loop (and their counts of items pushed).
    pub(super) declared: Vec<SynStmt>,
    /// The loop's body, writing where it pushed.
    pub(super) body: syn::Block,
    /// After the loop, each counted vector cut to the items pushed.
    pub(super) cut: Vec<Cut>,
}

/// The vectors of `pushed` made at the loop's trip count `len` (at that many times the
/// places that push, for a counted one), and the loop body that writes at `index` where it
/// pushed, or at the count of a counted one (`count_name` names it). `every_counted` counts
/// all of them: the loop may skip items (`filter`).
pub(super) fn push_as_writes(
    pushed: &[(Ident, Pushed)],
    len: &Ident,
    index: &Ident,
    body: &syn::Block,
    every_counted: bool,
    count_name: impl Fn(&Ident) -> Ident,
) -> PushesAsWrites {
    let mut out = PushesAsWrites {
        declared: Vec::new(),
        body: body.clone(),
        cut: Vec::new(),
    };
    for (name, pushed) in pushed {
        let Pushed {
            elem,
            fill,
            counted,
            initial,
            after,
        } = pushed;
        let places = counted.or(every_counted.then_some(1));
        let Some(places) = places else {
            out.declared.push(syn::parse_quote_spanned!(name.span()=>
                let mut #name: ::std::vec::Vec<#elem> = vec![#fill; #len];
            ));
            for stmt in &mut out.body.stmts {
                if push_receiver(stmt).is_some_and(|r| r == name) {
                    if let Some(item) = push_argument(stmt) {
                        *stmt = syn::parse_quote_spanned!(item.span()=> #name[#index] = #item;);
                    }
                }
            }
            continue;
        };
        let count = count_name(name);
        let pre = initial.len();
        let bound: Expr = match (pre, places) {
            (0, 1) => syn::parse_quote!(#len),
            (0, places) => syn::parse_quote!(#len * #places),
            (pre, 1) => syn::parse_quote!(#pre + #len),
            (pre, places) => syn::parse_quote!(#pre + #len * #places),
        };
        let bound: Expr = match after {
            0 => bound,
            after => syn::parse_quote!(#bound + #after),
        };
        out.declared.push(syn::parse_quote_spanned!(name.span()=>
            let mut #name: ::std::vec::Vec<#elem> = vec![#fill; #bound];
        ));
        for (k, item) in initial.iter().enumerate() {
            out.declared
                .push(syn::parse_quote_spanned!(name.span()=> #name[#k] = #item;));
        }
        out.declared
            .push(syn::parse_quote_spanned!(name.span()=> let mut #count: usize = #pre;));
        CountedWrites {
            name,
            count: &count,
        }
        .visit_block_mut(&mut out.body);
        // (rows copied one by one: a slice of a matrix is not copied whole)
        let row = Ident::new(&format!("{count}_row"), name.span());
        let stmt = match elem {
            syn::Type::Array(_) => syn::parse_quote_spanned!(name.span()=>
                let #name: ::std::vec::Vec<#elem> = (0..#count).map(|#row| #name[#row]).collect();
            ),
            _ => syn::parse_quote_spanned!(name.span()=>
                let #name = #name[..#count].to_vec();
            ),
        };
        out.cut.push(Cut {
            name: name.clone(),
            count,
            pending: *after,
            stmt,
        });
    }
    out
}

/// Where a loop body pushes, outside closures: each receiver, and whether the push is in a
/// loop of the body's own (pushing any number of times per iteration).
#[derive(Default)]
struct PushSites {
    found: Vec<(Ident, bool)>,
    inner: usize,
}

impl<'ast> Visit<'ast> for PushSites {
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if let Some(name) = pushed_receiver(m) {
            self.found.push((name.clone(), self.inner > 0));
        }
        syn::visit::visit_expr_method_call(self, m);
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.visit_expr(&f.expr);
        self.inner += 1;
        self.visit_block(&f.body);
        self.inner -= 1;
    }
    fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
        self.inner += 1;
        syn::visit::visit_expr_while(self, w);
        self.inner -= 1;
    }
    fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
        self.inner += 1;
        syn::visit::visit_expr_loop(self, l);
        self.inner -= 1;
    }
}

/// Rewrites `name.push(item)` as `{ name[count] = item; count += 1; }`.
struct CountedWrites<'a> {
    name: &'a Ident,
    count: &'a Ident,
}

impl VisitMut for CountedWrites<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::MethodCall(m) = e {
            if let Some(read) = read_so_far(m, self.name) {
                *e = read(self.name, self.count);
                return;
            }
            if pushed_receiver(m) == Some(self.name) {
                let (name, count, item) = (self.name, self.count, &m.args[0]);
                *e = syn::parse_quote_spanned!(m.span()=> {
                    #name[#count] = #item;
                    #count += 1;
                });
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
}

/// `v` of a call `v.push(item)`.
fn pushed_receiver(m: &syn::ExprMethodCall) -> Option<&Ident> {
    let Expr::Path(p) = &*m.receiver else {
        return None;
    };
    (m.method == "push" && m.args.len() == 1)
        .then(|| p.path.get_ident())
        .flatten()
}

/// What the loop pushes into `name` where it pushes at most once per place per iteration:
/// the items of every push, in branches or not, none in an inner loop or a closure, `name`
/// mentioned nowhere else in the loop.
fn counted_pushes<'a>(f: &'a syn::ExprForLoop, name: &Ident) -> Option<Vec<&'a Expr>> {
    if mentions(&f.expr, name) {
        return None;
    }
    struct Items<'a, 'n>(&'n Ident, Vec<&'a Expr>);
    impl<'a> Visit<'a> for Items<'a, '_> {
        fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
            if pushed_receiver(m) == Some(self.0) {
                self.1.push(&m.args[0]);
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    // What else the loop may do with it: read the items pushed so far (`h[t - 1]`, its
    // `len()`, `is_empty()`, `last().unwrap()`), at the same places as in the vector it
    // stands for.
    struct Reads<'n>(&'n Ident, usize);
    impl<'a> Visit<'a> for Reads<'_> {
        fn visit_expr_index(&mut self, i: &'a syn::ExprIndex) {
            self.1 += usize::from(names(&i.expr, self.0));
            syn::visit::visit_expr_index(self, i);
        }
        fn visit_expr_method_call(&mut self, m: &'a syn::ExprMethodCall) {
            self.1 += usize::from(read_so_far(m, self.0).is_some());
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut sites = PushSites::default();
    sites.visit_block(&f.body);
    let mut items = Items(name, Vec::new());
    items.visit_block(&f.body);
    let mut reads = Reads(name, 0);
    reads.visit_block(&f.body);
    let mut mentioned = Vec::new();
    opaque::mentioned_names(f.body.to_token_stream(), &mut mentioned);
    let mentions_count = mentioned.iter().filter(|(n, _)| n == name).count();
    let places: Vec<_> = sites.found.iter().filter(|(n, _)| n == name).collect();
    let bounded = !places.is_empty()
        && places.iter().all(|(_, in_loop)| !in_loop)
        && places.len() == items.1.len()
        && mentions_count == places.len() + reads.1;
    bounded.then_some(items.1)
}

/// Whether `e` is the name `name`.
fn names(e: &Expr, name: &Ident) -> bool {
    matches!(e, Expr::Path(p) if p.path.is_ident(name))
}

/// How a loop that pushes reads what it pushed so far, when `m` does: `name.len()`,
/// `name.is_empty()`, `name.last().unwrap()` (`.expect(..)`), in terms of the count.
fn read_so_far(m: &syn::ExprMethodCall, name: &Ident) -> Option<fn(&Ident, &Ident) -> Expr> {
    let on_name = names(&m.receiver, name) && m.args.is_empty();
    let last = matches!(&*m.receiver, Expr::MethodCall(l)
        if l.method == "last" && l.args.is_empty() && names(&l.receiver, name));
    match m.method.to_string().as_str() {
        "len" if on_name => Some(|_, count| syn::parse_quote!(#count)),
        "is_empty" if on_name => Some(|_, count| syn::parse_quote!((#count == 0))),
        "unwrap" | "expect" if last => Some(|name, count| syn::parse_quote!(#name[#count - 1])),
        _ => None,
    }
}

/// `let name[: ty] = ..;`: the `let`, the name's pattern and the type written.
fn named_let(stmt: &SynStmt) -> Option<(&syn::Local, &syn::PatIdent, Option<&syn::Type>)> {
    let SynStmt::Local(local) = stmt else {
        return None;
    };
    let (pat, written) = match &local.pat {
        Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
        pat => (pat, None),
    };
    match pat {
        Pat::Ident(pi) => Some((local, pi, written)),
        _ => None,
    }
}

/// The items of `vec![a, b]` (at least one, not `vec![v; n]`).
fn init_items(init: &Expr) -> Option<Vec<Expr>> {
    let Expr::Macro(m) = init else {
        return None;
    };
    if !m.mac.path.is_ident("vec") || m.mac.tokens.is_empty() {
        return None;
    }
    let items = m
        .mac
        .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        .ok()?;
    Some(items.into_iter().collect())
}

/// `Vec::new()`, `Vec::with_capacity(n)`, `vec![]`: `Some`, with the element type if the
/// call names one (`Vec::<f64>::new()`).
fn empty_vec(init: &Expr) -> Option<Option<syn::Type>> {
    match init {
        Expr::Call(c) => {
            let Expr::Path(p) = &*c.func else {
                return None;
            };
            let segments: Vec<_> = p.path.segments.iter().collect();
            let [.., owner, constructor] = &*segments else {
                return None;
            };
            let empty = (constructor.ident == "new" && c.args.is_empty())
                || (constructor.ident == "with_capacity" && c.args.len() == 1);
            if owner.ident != "Vec" || !empty {
                return None;
            }
            Some(match &owner.arguments {
                syn::PathArguments::AngleBracketed(args) => match args.args.first() {
                    Some(syn::GenericArgument::Type(t)) => Some(t.clone()),
                    _ => None,
                },
                _ => None,
            })
        }
        Expr::Macro(m) if m.mac.path.is_ident("vec") && m.mac.tokens.is_empty() => Some(None),
        _ => None,
    }
}

/// What the loop pushes into `name` once per iteration, if it does: one `name.push(item);`
/// statement of the body itself, `name` mentioned nowhere else, no way out of an iteration
/// before its end, and `name` not in what the loop iterates.
fn pushed_item<'a>(f: &'a syn::ExprForLoop, name: &Ident) -> Option<&'a Expr> {
    if f.label.is_some() || mentions(&f.expr, name) || leaves_early(&f.body) {
        return None;
    }
    let mut pushes = f
        .body
        .stmts
        .iter()
        .filter(|s| push_receiver(s).is_some_and(|r| r == name));
    let push = pushes.next()?;
    let item = push_argument(push)?;
    let elsewhere = f
        .body
        .stmts
        .iter()
        .any(|s| !std::ptr::eq(s, push) && mentions(s, name));
    (pushes.next().is_none() && !elsewhere && !mentions(item, name)).then_some(item)
}

/// `v` of a statement `v.push(item);`.
fn push_receiver(stmt: &SynStmt) -> Option<&Ident> {
    let SynStmt::Expr(Expr::MethodCall(m), Some(_)) = stmt else {
        return None;
    };
    pushed_receiver(m)
}

/// The name of `let mut v = Vec::new();` (or `Vec::with_capacity(n)`, `vec![]`) with no
/// element type written anywhere.
fn untyped_empty_vec(stmt: &SynStmt) -> Option<&syn::PatIdent> {
    let (local, pi, None) = named_let(stmt)? else {
        return None;
    };
    matches!(
        local.init.as_ref().map(|i| empty_vec(&i.expr)),
        Some(Some(None))
    )
    .then_some(pi)
}

fn push_argument(stmt: &SynStmt) -> Option<&Expr> {
    match stmt {
        SynStmt::Expr(Expr::MethodCall(m), Some(_)) => m.args.first(),
        _ => None,
    }
}

/// What tells a pushed item's type: the item, and what the loop body binds or assigns to
/// each name it reads, at any depth (`let z = ..; out.push(z)`, a running value `prev = 0.9 *
/// prev + x;` or `area += v;` in a branch, then `out.push(area)`; the scrutinee of a pattern
/// binding it, `match c { [a, .., b] => out.push(b - a), .. }`). Each with whether it is the
/// item or a running value's update, whose reading a differentiated value makes it a float: a
/// `let` may bind an index computed from one (`let k = argmax(x);`).
fn defining_exprs(item: &Expr, body: &syn::Block) -> Vec<(Expr, bool)> {
    struct Defining<'n> {
        names: &'n [(Ident, bool)],
        found: Vec<(Expr, bool)>,
    }
    impl Defining<'_> {
        fn binds(&self, pat: &Pat) -> bool {
            self.names.iter().any(|(name, _)| mentions(pat, name))
        }
        fn is_name(&self, e: &Expr) -> bool {
            self.names
                .iter()
                .any(|(name, _)| matches!(e, Expr::Path(p) if p.path.is_ident(name)))
        }
    }
    impl<'ast> Visit<'ast> for Defining<'_> {
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let Some(init) = &l.init {
                if self.binds(&l.pat) {
                    self.found.push(((*init.expr).clone(), false));
                }
            }
            syn::visit::visit_local(self, l);
        }
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            if self.is_name(&a.left) {
                self.found.push(((*a.right).clone(), true));
            }
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            if compound_op(&b.op).is_some() && self.is_name(&b.left) {
                self.found.push(((*b.right).clone(), true));
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
            if m.arms.iter().any(|arm| self.binds(&arm.pat)) {
                self.found.push(((*m.expr).clone(), false));
            }
            syn::visit::visit_expr_match(self, m);
        }
        fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
            if self.binds(&l.pat) {
                self.found.push(((*l.expr).clone(), false));
            }
            syn::visit::visit_expr_let(self, l);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }
    let mut names = Vec::new();
    opaque::mentioned_names(item.to_token_stream(), &mut names);
    let mut defining = Defining {
        names: &names,
        found: vec![(item.clone(), true)],
    };
    defining.visit_block(body);
    defining.found
}

/// Whether `node` mentions a name `pat` binds (an item of a differentiated array).
fn mentions_any(node: &impl ToTokens, pat: &Pat) -> bool {
    let mut bound = Vec::new();
    opaque::mentioned_names(pat.to_token_stream(), &mut bound);
    bound.iter().any(|(name, _)| mentions(node, name))
}

/// Whether `node` mentions the name `name` (as a path, a field shorthand or a macro's token).
pub(super) fn mentions(node: &impl ToTokens, name: &Ident) -> bool {
    let mut names = Vec::new();
    opaque::mentioned_names(node.to_token_stream(), &mut names);
    names.iter().any(|(n, _)| n == name)
}

/// Whether a loop body may end an iteration before its last statement: `break`,
/// `continue`, `return` or `?` anywhere in it (closures aside), but for a `break` or
/// `continue` without a label in a loop of its own, which ends that loop's iteration.
pub(in crate::lower) fn leaves_early(body: &syn::Block) -> bool {
    struct Finds {
        found: bool,
        /// How many loops of the body the visit is in.
        inner: usize,
    }
    impl Finds {
        fn inside(&mut self, visit: impl FnOnce(&mut Self)) {
            self.inner += 1;
            visit(self);
            self.inner -= 1;
        }
    }
    impl<'ast> Visit<'ast> for Finds {
        fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
            self.found |= self.inner == 0 || b.label.is_some();
            syn::visit::visit_expr_break(self, b);
        }
        fn visit_expr_continue(&mut self, c: &'ast syn::ExprContinue) {
            self.found |= self.inner == 0 || c.label.is_some();
        }
        fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
            self.found = true;
        }
        fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
            self.found = true;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            self.visit_expr(&f.expr);
            self.inside(|s| s.visit_block(&f.body));
        }
        fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
            self.visit_expr(&w.cond);
            self.inside(|s| s.visit_block(&w.body));
        }
        fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
            self.inside(|s| s.visit_block(&l.body));
        }
    }
    let mut finds = Finds {
        found: false,
        inner: 0,
    };
    finds.visit_block(body);
    finds.found
}

/// How the statements after `let mut name = Vec::new();` use it.
struct VectorUses<'n> {
    name: &'n Ident,
    /// The values assigned to it whole (`name = ..;`).
    assigned: Vec<Expr>,
    /// Whether an element is written, pushed or lent mutably.
    written: bool,
}

impl<'ast> Visit<'ast> for VectorUses<'_> {
    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if matches!(&*a.left, Expr::Path(p) if p.path.is_ident(self.name)) {
            self.assigned.push((*a.right).clone());
        } else if mentions(&a.left, self.name) {
            self.written = true;
        }
        self.visit_expr(&a.right);
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        if compound_op(&b.op).is_some() && mentions(&b.left, self.name) {
            self.written = true;
        }
        syn::visit::visit_expr_binary(self, b);
    }

    fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
        if r.mutability.is_some() && mentions(&r.expr, self.name) {
            self.written = true;
        }
        syn::visit::visit_expr_reference(self, r);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        // Methods that put values into it or lend it mutably; reordering (`reverse`, `sort`)
        // and shrinking (`truncate`, `pop`) keep what it holds.
        const FILLING: &[&str] = &[
            "push",
            "insert",
            "extend",
            "extend_from_slice",
            "append",
            "resize",
            "fill",
            "copy_from_slice",
            "clone_from_slice",
            "iter_mut",
            "as_mut_slice",
            "get_mut",
            "first_mut",
            "last_mut",
            "split_at_mut",
            "chunks_mut",
            "as_mut",
            "swap_with_slice",
        ];
        if FILLING.contains(&&*m.method.to_string()) && mentions(&m.receiver, self.name) {
            self.written = true;
        }
        syn::visit::visit_expr_method_call(self, m);
    }
}

/// Whether the block's statements end in `name` itself, the value it gives.
fn returns_name(stmts: &[SynStmt], name: &Ident) -> bool {
    matches!(stmts.last(), Some(SynStmt::Expr(Expr::Path(p), None)) if p.path.is_ident(name))
}

/// The integer type of the items listed in `vec![..]` when they are all integer literals: the
/// one their suffix names (`0usize`), or `usize` for none (a sequence of indices).
fn listed_integers(listed: &[Expr]) -> Option<syn::Type> {
    let mut suffix = None;
    for item in listed {
        let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) = item
        else {
            return None;
        };
        match (suffix, i.suffix()) {
            (_, "") => {}
            (None, s) => suffix = Some(s),
            (Some(seen), s) if seen == s => {}
            _ => return None,
        }
    }
    let name = match suffix {
        Some("f32" | "f64") => return None,
        Some(s) => s,
        None => "usize",
    };
    (!listed.is_empty())
        .then(|| syn::parse_str(name).ok())
        .flatten()
}
