//! Lowering of `for`, `while` and `loop`: carried variables, exit flags, the iterator of a `for`.

use super::*;

impl Lowerer<'_> {
    pub(super) fn lower_for(&mut self, f: &syn::ExprForLoop) {
        // A loop over data that reads and writes data alone (`for st in state.uh.iter_mut() {
        // *st += 1.0; }` of a `&mut State` read as data): run as written.
        if self.touches_data_alone(f) {
            return self.effect_tokens(f.to_token_stream());
        }
        if let Some(typed) = self
            .struct_items_typed(f)
            .or_else(|| self.tuple_items_typed(f))
        {
            return self.lower_for(&typed);
        }
        // `for v in s` over a local array by value (also `s.into_iter()`, `s.map(..)`) runs over
        // a copy of it: one the body writes (`s[1] += v`) is copied first, as Rust does.
        if let Some(root) = by_value_root(&f.expr) {
            let name = root.to_string();
            let local = matches!(self.lookup(&name), Some(Binding::Array(a))
                if self.arrays[a.0].origin == ArrayOrigin::Local);
            let mut mentioned = Vec::new();
            mentioned_names(f.body.to_token_stream(), &mut mentioned);
            if local && mentioned.iter().any(|(ident, _)| *ident == name) {
                let copy = syn::Ident::new(
                    &format!("{SYNTHETIC}iterated_{}", self.next_synthetic()),
                    root.span(),
                );
                self.lower_stmt(&build::let_(build::binding(&copy), build::path(root)));
                let mut over_copy = f.clone();
                replace_root(&mut over_copy.expr, &copy);
                return self.lower_for(&over_copy);
            }
        }
        let span = spans::for_loop(f);
        let pushed = self.pushed_by(f);
        if !pushed.is_empty() || !self.is_plain_iterator(&f.expr) {
            // Any other chain (`windows`, `skip`, `map`, a constant table), or a loop that
            // pushes: the loop over positions it stands for.
            self.lower_for_stream(f, pushed);
            return;
        }
        let Some(iter) = self.lower_iterator(&f.expr) else {
            return;
        };
        let pat = &*f.pat;
        self.lower_loop_common(
            &f.body,
            span,
            |lw| {
                let counter = lw.new_var("t", Ty::Int, span);
                (
                    LoopKind::Counted {
                        counter,
                        range: iter.range.clone(),
                    },
                    Some(counter),
                )
            },
            |lw, counter| match counter {
                // Nothing to read: the items may be of any type (rows, sub-models).
                Some(_) if unread_item(pat, &f.body) => {}
                Some(counter) => lw.bind_loop_pattern(pat, &iter.item, &Operand::Var(counter)),
                None => {}
            },
        );
    }

    /// Whether every name the loop reads is a parameter read as data, its own, or no local
    /// of the function (a constant, a function), and it leaves only itself: nothing in it is
    /// lowered, so nothing the sweeps track changes.
    fn touches_data_alone(&self, f: &syn::ExprForLoop) -> bool {
        // (most loops run over something the sweeps track, `0..n`, `x.iter()`: told first)
        let mut iterated = Vec::new();
        mentioned_names(f.expr.to_token_stream(), &mut iterated);
        let tracked = |ident: &proc_macro2::Ident| {
            !matches!(
                self.lookup(&ident.to_string()),
                None | Some(Binding::Opaque)
            )
        };
        if iterated.iter().any(|(ident, _)| tracked(ident)) {
            return false;
        }
        let tokens = f.to_token_stream();
        let mut names = Vec::new();
        mentioned_names(tokens.clone(), &mut names);
        let mut data = false;
        let mut own: Option<HashSet<String>> = None;
        for (ident, _) in &names {
            let name = ident.to_string();
            match self.lookup(&name) {
                Some(Binding::Opaque) => data = true,
                None if !self.reserved.contains(&name) => {}
                None => {
                    let own = own.get_or_insert_with(|| {
                        let (mut own, _) = super::user_bindings(&f.body);
                        let mut pattern = Vec::new();
                        super::control::bound_names(&f.pat, &mut pattern);
                        own.extend(pattern.iter().map(|i| i.to_string()));
                        own
                    });
                    if !own.contains(&name) {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        let text = tokens.to_string();
        data && !crate::reverse::mentions(&tokens, "return")
            && !crate::reverse::mentions(&tokens, "await")
            && !text.contains('?')
            && !text.contains('\'')
    }

    /// `for s in springs { e += s.energy(x); }` over `springs: &[Spring]`: the loop with the
    /// item's type stated (`let s: &Spring = s;`), so that it is a struct of data whose
    /// `#[grad]` method is called, not float data as an item of unknown type is taken for.
    fn struct_items_typed(&self, f: &syn::ExprForLoop) -> Option<syn::ExprForLoop> {
        let Pat::Ident(pi) = &*f.pat else {
            return None;
        };
        let by_ref = {
            let mut e = &*f.expr;
            loop {
                match e {
                    Expr::Reference(_) => break true,
                    Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => break true,
                    Expr::Paren(p) => e = &p.expr,
                    e => {
                        break matches!(
                            prescan::root_type(e, &self.sig.written_types),
                            Some(syn::Type::Reference(_))
                        )
                    }
                }
            }
        };
        let (_, element) = self.iterated_parameter(f)?;
        let name = &pi.ident;
        let typed_already = matches!(f.body.stmts.first(), Some(SynStmt::Local(l))
            if matches!(&l.pat, Pat::Type(t) if matches!(&*t.pat, Pat::Ident(p) if p.ident == *name)));
        if pi.subpat.is_some() || typed_already || !by_ref || !written_types::names_struct(element)
        {
            return None;
        }
        // (Only where the body calls a method of the item: anything else reads it as it is.)
        if !stmt::receives_methods(name, &f.body.stmts) {
            return None;
        }
        let mut typed = f.clone();
        typed.body.stmts.insert(
            0,
            syn::parse_quote_spanned!(name.span()=> let #name: &#element = #name;),
        );
        Some(typed)
    }

    /// `for &q in sites` (or `for q in sites.iter()`) over data points, `sites: &[(f64,
    /// f64)]`: the item typed (`let q: (f64, f64) = q;` first in the body), so that a call it
    /// is passed to whole gets it as float data, with a shadow for its tuple parameter. So
    /// is an observation that may be missing, `for &obs in ys` of `ys: &[Option<f64>]`,
    /// passed by value as written.
    fn tuple_items_typed(&self, f: &syn::ExprForLoop) -> Option<syn::ExprForLoop> {
        let (name, copied) = match &*f.pat {
            Pat::Ident(pi) if pi.subpat.is_none() => (&pi.ident, false),
            Pat::Reference(r) => match &*r.pat {
                Pat::Ident(pi) if pi.subpat.is_none() => (&pi.ident, true),
                _ => return None,
            },
            _ => return None,
        };
        let (e, element) = self.iterated_parameter(f)?;
        let floats = match element {
            syn::Type::Tuple(t) => {
                !t.elems.is_empty() && t.elems.iter().all(|e| type_kind(e, self.sig) == Ty::Float)
            }
            ty => written_types::type_argument(ty, "Option")
                .is_some_and(|payload| type_kind(payload, self.sig) == Ty::Float),
        };
        let typed_already = matches!(f.body.stmts.first(), Some(SynStmt::Local(l))
            if matches!(&l.pat, Pat::Type(t) if matches!(&*t.pat, Pat::Ident(p) if p.ident == *name)));
        if !floats || typed_already || self.reads(&e.to_token_stream()).varied {
            return None;
        }
        // (the sweeps may bind the item by reference either way: `item_value` takes both; an
        // `Option`, no number, is bound by reference, `*obs` read as written)
        let mut typed = f.clone();
        let stmt = match (copied, matches!(element, syn::Type::Tuple(_))) {
            (false, false) => syn::parse_quote_spanned!(name.span()=>
                let #name: &#element = #name;
            ),
            _ => syn::parse_quote_spanned!(name.span()=>
                let #name: #element = ::autodiff::__private::item_value(#name);
            ),
        };
        typed.body.stmts.insert(0, stmt);
        Some(typed)
    }

    /// What `f` iterates, a parameter (through `.iter()`), and the type of its items as the
    /// signature writes it.
    fn iterated_parameter<'f>(&self, f: &'f syn::ExprForLoop) -> Option<(&'f Expr, &syn::Type)> {
        let mut e = &*f.expr;
        while let Expr::MethodCall(m) = e {
            if m.method != "iter" || !m.args.is_empty() {
                return None;
            }
            e = &m.receiver;
        }
        let element =
            prescan::root_type(e, &self.sig.written_types).and_then(prescan::element_type)?;
        Some((e, element))
    }

    /// `#[checkpoint]` on the `for` loop just lowered (`checkpoint.rs`).
    pub(super) fn mark_checkpoint(&mut self, attrs: &[syn::Attribute]) {
        let Some(span) = crate::checkpoint::marker(attrs) else {
            return;
        };
        if let Some(Stmt::Loop(l)) = self.blocks.last_mut().and_then(|b| b.last_mut()) {
            l.checkpoint.get_or_insert(Checkpoint::Marked(span));
        }
    }

    pub(super) fn lower_while(&mut self, w: &syn::ExprWhile) {
        let span = w.span();
        let cond_expr = &*w.cond;
        self.lower_loop_common(
            &w.body,
            span,
            |lw| {
                lw.open_block(Scope::Loop);
                let cond = lw.condition(cond_expr);
                let header = Block {
                    stmts: lw.close_block(),
                };
                (LoopKind::While { header, cond }, None)
            },
            |_, _| {},
        );
    }

    /// `loop { .. }`, and what its `break value`s leave it with (`let r = loop { .. }`).
    pub(super) fn lower_loop(&mut self, l: &syn::ExprLoop) -> Option<Operand> {
        let span = l.span();
        self.lower_loop_common(
            &l.body,
            span,
            |_| {
                let header = Block::default();
                let cond = Operand::Lit(lit_bool(true));
                (LoopKind::While { header, cond }, None)
            },
            |_, _| {},
        )
    }

    /// The shared part of `for`, `while` and `loop`: carried cells, flags, body, exit; the
    /// value `break value` left the loop with (only a `loop` has them).
    pub(super) fn lower_loop_common(
        &mut self,
        body: &syn::Block,
        span: Span,
        kind: impl FnOnce(&mut Self) -> (LoopKind, Option<Var>),
        bind: impl Fn(&mut Self, Option<Var>),
    ) -> Option<Operand> {
        let scan = scan_loop(body);
        let brk = scan.breaks.then(|| {
            let b = self.new_cell("broke", Operand::Lit(lit_bool(false)), Ty::Bool, true);
            cell_of(&b)
        });
        // Its type is learned from the values the body breaks with, like a carried cell that
        // starts at a constant.
        let value = scan.break_values.then(|| {
            let v = self.new_cell("value", self.dummy(Ty::Unknown), Ty::Unknown, true);
            cell_of(&v)
        });
        // Cells the body may change: carried from one iteration to the next (not a vector of
        // data, assigned in place as written).
        let mut carried_cells: Vec<usize> = scan
            .assigned
            .iter()
            .flat_map(|name| self.assigned_cells(name))
            .filter(|cell| !self.data_vectors.contains(cell))
            .collect();
        if scan.returns {
            if let Some((flag, slots)) = &self.ret {
                carried_cells.push(*flag);
                carried_cells.extend(slots);
            }
            // A return also breaks out of enclosing loops.
            carried_cells.extend(self.loops.iter().filter_map(|l| l.brk));
        }
        carried_cells.extend(brk);
        carried_cells.extend(value);
        carried_cells.sort_unstable();
        carried_cells.dedup();

        let mut carried = Vec::new();
        for &cell in &carried_cells {
            let init = self.cells[cell].value.clone();
            let ty = self.cells[cell].ty;
            let name = self.cells[cell].name.clone();
            let inner = self.new_var(&name, ty, span);
            self.vars[inner.0].varied = self.is_varied(&init);
            // Starting at float data, it stays float data for the calls it is passed to.
            if ty == Ty::Unknown && self.is_float_data(&init) {
                self.table_elements.insert(inner);
            }
            self.cells[cell].value = Operand::Var(inner);
            carried.push((cell, inner, init));
        }
        let (kind, counter) = kind(self);

        // A carried variable that started at a constant of unknown type learns its type only
        // from what the body assigns, and one that started at a constant learns that it
        // depends on a parameter; the body is then lowered again with that known, so that its
        // arithmetic is differentiated from the first iteration on. Until nothing more is
        // learned: a value may depend on a parameter only through another that learns it
        // (`x0 = x1; x1 = a * x0.powi(2) + x1;`). Each round learns something that is never
        // unlearned, so there are at most two per carried value.
        let snapshot: Vec<(Operand, Ty)> =
            self.cells.iter().map(|c| (c.value.clone(), c.ty)).collect();
        let (n_vars, n_arrays, n_errors) = (self.vars.len(), self.arrays.len(), self.errors.len());
        // The names a round gives (values it makes, and those made before that it names, as
        // the counter) are given again by the next: a user's name stays the user's value's in
        // the generated code (data passed through reads it in place, `VarInfo::visible`).
        let (names, claimed) = (self.names.clone(), self.claimed.clone());
        // (and what a round reported is reported again by the next)
        let reported_too_deep = self.read_too_deep.clone();
        let var_names: Vec<String> = self.vars.iter().map(|v| v.name.clone()).collect();
        let mut rounds = 0;
        let (body_stmts, exit, cont) = loop {
            let flags = LoopFlags {
                brk,
                cont: None,
                value,
            };
            let lowered = self.lower_loop_body(body, span, &scan, flags, counter, &bind);
            let learned: Vec<(Var, Ty, bool)> = carried
                .iter()
                .map(|(cell, inner, _)| {
                    let next = &self.cells[*cell].value;
                    let info = &self.vars[inner.0];
                    let ty = match info.ty {
                        Ty::Unknown => self.ty(next),
                        ty => ty,
                    };
                    (*inner, ty, info.varied || self.is_varied(next))
                })
                .filter(|(inner, ty, varied)| {
                    let info = &self.vars[inner.0];
                    info.ty != *ty || info.varied != *varied
                })
                .collect();
            if learned.is_empty() || rounds > 2 * carried.len() {
                break lowered;
            }
            rounds += 1;
            self.cells.truncate(snapshot.len());
            for (cell, (value, ty)) in self.cells.iter_mut().zip(&snapshot) {
                cell.value = value.clone();
                cell.ty = *ty;
            }
            self.vars.truncate(n_vars);
            (self.names, self.claimed) = (names.clone(), claimed.clone());
            for (info, name) in self.vars.iter_mut().zip(&var_names) {
                info.name.clone_from(name);
            }
            self.table_elements.retain(|v| v.0 < n_vars);
            self.arrays.truncate(n_arrays);
            self.errors.truncate(n_errors);
            self.read_too_deep.clone_from(&reported_too_deep);
            for (inner, ty, varied) in learned {
                self.vars[inner.0].ty = ty;
                self.vars[inner.0].varied = varied;
            }
        };
        if let Some(c) = cont {
            self.cells.truncate(c);
        }

        let mut out_carried = Vec::new();
        for (cell, inner, init) in carried {
            let next = self.cells[cell].value.clone();
            if self.vars[inner.0].ty == Ty::Unknown {
                self.vars[inner.0].ty = self.ty(&next);
            }
            let ty = self.vars[inner.0].ty;
            self.cells[cell].ty = ty;
            let name = self.cells[cell].name.clone();
            let out = self.new_var(&name, ty, span);
            self.vars[out.0].varied = self.vars[inner.0].varied || self.is_varied(&next);
            if ty == Ty::Unknown && self.table_elements.contains(&inner) {
                self.table_elements.insert(out);
            }
            self.cells[cell].value = Operand::Var(out);
            out_carried.push(Carried {
                inner,
                init,
                next,
                out,
            });
        }
        let counted = matches!(kind, LoopKind::Counted { .. });
        let trips = (!counted || exit.is_some()).then(|| self.new_var("trips", Ty::Int, span));
        self.emit(Stmt::Loop(Box::new(Loop {
            kind,
            carried: out_carried,
            body: Block { stmts: body_stmts },
            exit,
            trips,
            span,
            checkpoint: None,
        })));
        value.map(|cell| self.cells[cell].value.clone())
    }

    /// One lowering of a loop body: its statements, the exit flag, the `continue` cell.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn lower_loop_body(
        &mut self,
        body: &syn::Block,
        span: Span,
        scan: &LoopScan,
        mut flags: LoopFlags,
        counter: Option<Var>,
        bind: &impl Fn(&mut Self, Option<Var>),
    ) -> (Vec<Stmt>, Option<Operand>, Option<usize>) {
        self.open_block(Scope::Loop);
        self.scopes.push(HashMap::default());
        let cont = scan.continues.then(|| {
            let c = self.new_cell("skip", Operand::Lit(lit_bool(false)), Ty::Bool, true);
            cell_of(&c)
        });
        let brk = flags.brk;
        flags.cont = cont;
        self.loops.push(flags);
        // A loop's body is reversed whole where the loop is: what it binds is never handed
        // out of a branch the loop is in.
        let branches = std::mem::take(&mut self.branches);
        bind(self, counter);
        let tail = self.lower_block_stmts(&body.stmts, false);
        drop(tail);
        self.branches = branches;
        self.loops.pop();
        // The loop ends after this iteration when a break or return flag is set.
        let mut exit: Option<Operand> = None;
        let mut exit_cells: Vec<usize> = brk.into_iter().collect();
        if scan.returns {
            exit_cells.extend(self.ret.as_ref().map(|(flag, _)| *flag));
        }
        for cell in exit_cells {
            let f = self.cells[cell].value.clone();
            exit = Some(match exit {
                None => f,
                Some(e) => self.let_op("exit", Ty::Bool, Op::Binary(BinOp::Or, e, f), span),
            });
        }
        self.scopes.pop();
        (self.close_block(), exit, cont)
    }

    pub(super) fn bind_loop_pattern(&mut self, pat: &Pat, item: &Item, counter: &Operand) {
        let value = self.item_value(item, counter, pat.span());
        self.bind_pattern(pat, value);
    }

    /// What one iteration binds: the counter, an element (a row of a matrix), or a pair.
    pub(super) fn item_value(&mut self, item: &Item, counter: &Operand, span: Span) -> Value {
        match item {
            Item::Counter => Value::Scalar(counter.clone()),
            Item::Element(array) if self.arrays[array.0].dims == 2 => Value::Row {
                array: *array,
                index: counter.clone(),
            },
            Item::Element(array) => Value::Scalar(self.load(*array, vec![counter.clone()], span)),
            Item::Pair(a, b) => Value::Tuple(vec![
                self.item_value(a, counter, span),
                self.item_value(b, counter, span),
            ]),
        }
    }

    /// Whether `lower_iterator` takes `expr` as it is: a range with `.rev()`/`.step_by(k)`,
    /// or arrays with `.iter()`, `.enumerate()`, `.zip(..)` and `.rev()`.
    fn is_plain_iterator(&self, expr: &Expr) -> bool {
        let mut e = expr;
        let mut stepped = false;
        loop {
            e = match e {
                Expr::MethodCall(m) if m.method == "rev" && m.args.is_empty() => &m.receiver,
                Expr::MethodCall(m) if m.method == "step_by" && m.args.len() == 1 => {
                    stepped = true;
                    &m.receiver
                }
                Expr::Paren(p) => &p.expr,
                _ => break,
            };
        }
        if let Expr::Range(_) = e {
            return true;
        }
        !stepped && self.is_plain_array_iter(e)
    }

    fn is_plain_array_iter(&self, e: &Expr) -> bool {
        match e {
            Expr::MethodCall(m)
                if m.args.is_empty() && (m.method == "iter" || m.method == "enumerate") =>
            {
                self.is_plain_array_iter(&m.receiver)
            }
            Expr::MethodCall(m) if m.method == "zip" && m.args.len() == 1 => {
                self.is_plain_array_iter(&m.receiver) && self.is_plain_array_iter(&m.args[0])
            }
            Expr::Reference(r) if r.mutability.is_none() => self.is_plain_array_iter(&r.expr),
            Expr::Paren(p) => self.is_plain_array_iter(&p.expr),
            Expr::Path(p) => p.path.get_ident().is_some_and(|i| {
                matches!(
                    self.lookup(&i.to_string()),
                    Some(Binding::Array(_) | Binding::Poisoned)
                )
            }),
            _ => false,
        }
    }

    /// The iterator of a `for` loop as a counted range plus what each iteration binds.
    pub(super) fn lower_iterator(&mut self, expr: &Expr) -> Option<LoopIter> {
        let mut adaptors = Vec::new();
        let mut e = expr;
        // Peel `.rev()` / `.step_by(k)` off a range.
        loop {
            match e {
                Expr::MethodCall(m) if m.method == "rev" && m.args.is_empty() => {
                    adaptors.push(MaybeAdaptor::Rev);
                    e = &m.receiver;
                }
                Expr::MethodCall(m) if m.method == "step_by" && m.args.len() == 1 => {
                    adaptors.push(MaybeAdaptor::StepBy(&m.args[0]));
                    e = &m.receiver;
                }
                Expr::Paren(p) => e = &p.expr,
                _ => break,
            }
        }
        adaptors.reverse();
        if let Expr::Range(r) = e {
            let (Some(start), Some(end)) = (&r.start, &r.end) else {
                self.errors
                    .on(r, "#[grad] needs `for` ranges with both bounds (`a..b`)");
                return None;
            };
            let start = self.expr_scalar(start);
            let end = self.expr_scalar(end);
            let adaptors = adaptors
                .into_iter()
                .map(|a| match a {
                    MaybeAdaptor::Rev => Adaptor::Rev,
                    MaybeAdaptor::StepBy(k) => Adaptor::StepBy(self.expr_scalar(k)),
                })
                .collect();
            return Some(LoopIter {
                range: CountedRange {
                    start,
                    end,
                    inclusive: matches!(r.limits, syn::RangeLimits::Closed(_)),
                    adaptors,
                },
                item: Item::Counter,
            });
        }
        if adaptors
            .iter()
            .any(|a| matches!(a, MaybeAdaptor::StepBy(_)))
        {
            self.errors
                .on(expr, "#[grad] supports `.step_by(k)` on ranges only");
            return None;
        }
        let rev = adaptors.len() % 2 == 1;
        let item = self.lower_array_iter(e)?;
        let arrays = item.arrays();
        let span = expr.span();
        let mut end: Option<Operand> = None;
        for array in arrays {
            let len = self.length_of(&Value::Array(array), span);
            end = Some(match end {
                None => len,
                Some(e) => self.let_op(
                    "len",
                    Ty::Int,
                    Op::IntMethod {
                        name: syn::Ident::new("min", span),
                        receiver: e,
                        args: vec![len],
                    },
                    span,
                ),
            });
        }
        let end = end?;
        Some(LoopIter {
            range: CountedRange {
                start: Operand::Lit(lit_int(0)),
                end,
                inclusive: false,
                adaptors: if rev { vec![Adaptor::Rev] } else { Vec::new() },
            },
            item,
        })
    }

    /// `x.iter()`, `x`, `&x`, `.enumerate()`, `.zip(..)`.
    pub(super) fn lower_array_iter(&mut self, expr: &Expr) -> Option<Item> {
        match expr {
            Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => {
                self.lower_array_iter(&m.receiver)
            }
            Expr::MethodCall(m) if m.method == "enumerate" && m.args.is_empty() => {
                let inner = self.lower_array_iter(&m.receiver)?;
                Some(Item::Pair(Box::new(Item::Counter), Box::new(inner)))
            }
            Expr::MethodCall(m) if m.method == "zip" && m.args.len() == 1 => {
                let a = self.lower_array_iter(&m.receiver)?;
                let b = self.lower_array_iter(&m.args[0])?;
                Some(Item::Pair(Box::new(a), Box::new(b)))
            }
            Expr::Reference(r) => self.lower_array_iter(&r.expr),
            Expr::Paren(p) => self.lower_array_iter(&p.expr),
            Expr::Path(_) => match self.lower_expr(expr) {
                Value::Array(a) => Some(Item::Element(a)),
                // (already reported where it was bound)
                Value::Error => None,
                _ => {
                    self.errors.on(
                        expr,
                        "#[grad] can iterate over arrays, slices and Vecs only",
                    );
                    None
                }
            },
            other => {
                self.errors.on(
                    other,
                    "#[grad] supports `for` over `a..b`, `a..=b` (with `.rev()`, `.step_by(k)`) and over arrays with `.iter()`, `.enumerate()`, `.zip(..)`",
                );
                None
            }
        }
    }
}

pub(super) enum MaybeAdaptor<'e> {
    Rev,
    StepBy(&'e Expr),
}

/// What one iteration of an array loop binds.
#[derive(Clone)]
pub(super) enum Item {
    Counter,
    Element(ArrayId),
    Pair(Box<Item>, Box<Item>),
}

impl Item {
    pub(super) fn arrays(&self) -> Vec<ArrayId> {
        match self {
            Item::Counter => Vec::new(),
            Item::Element(a) => vec![*a],
            Item::Pair(a, b) => {
                let mut v = a.arrays();
                v.extend(b.arrays());
                v
            }
        }
    }
}

pub(super) struct LoopIter {
    range: CountedRange,
    item: Item,
}

/// What a loop body does to the loop: which names it assigns, whether it breaks, continues
/// or returns (not counting nested loops' own `break`/`continue`).
#[derive(Default)]
pub(super) struct LoopScan {
    pub(super) assigned: Vec<String>,
    pub(super) breaks: bool,
    /// `break value` (of a `loop`).
    pub(super) break_values: bool,
    pub(super) continues: bool,
    pub(super) returns: bool,
}

pub(super) fn scan_loop(body: &syn::Block) -> LoopScan {
    pub(super) struct Scanner {
        scan: LoopScan,
        depth: usize,
    }
    impl<'ast> Visit<'ast> for Scanner {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            // `x = ..`, and each name of `(a, b) = ..`.
            fn targets(e: &Expr, out: &mut Vec<String>) {
                match e {
                    Expr::Tuple(t) => t.elems.iter().for_each(|e| targets(e, out)),
                    Expr::Paren(p) => targets(&p.expr, out),
                    e => out.extend(super::records::assigned_name(e)),
                }
            }
            targets(&a.left, &mut self.scan.assigned);
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            if compound_op(&b.op).is_some() {
                self.scan
                    .assigned
                    .extend(super::records::assigned_name(&b.left));
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let Expr::Path(p) = &*c.func {
                let swapped = super::call::swapped_names(&p.path, c);
                self.scan.assigned.extend(swapped);
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
            if self.depth == 0 {
                self.scan.breaks = true;
                self.scan.break_values |= b.expr.is_some();
            }
            syn::visit::visit_expr_break(self, b);
        }
        fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
            if self.depth == 0 {
                self.scan.continues = true;
            }
        }
        fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
            self.scan.returns = true;
            syn::visit::visit_expr_return(self, r);
        }
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            self.depth += 1;
            syn::visit::visit_expr_for_loop(self, f);
            self.depth -= 1;
        }
        fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
            self.depth += 1;
            syn::visit::visit_expr_while(self, w);
            self.depth -= 1;
        }
        fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
            self.depth += 1;
            syn::visit::visit_expr_loop(self, l);
            self.depth -= 1;
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }
    let mut s = Scanner {
        scan: LoopScan::default(),
        depth: 0,
    };
    s.visit_block(body);
    s.scan
}

/// The local a `for` loop iterates by value: `s`, `s.into_iter()..`, `s.map(..)..` (not
/// `s.iter()`, which borrows it).
fn by_value_root(e: &Expr) -> Option<&syn::Ident> {
    match e {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident(),
        Expr::Paren(p) => by_value_root(&p.expr),
        Expr::MethodCall(m) => match &*m.receiver {
            Expr::Path(_) | Expr::Paren(_) => {
                matches!(m.method.to_string().as_str(), "into_iter" | "map")
                    .then(|| by_value_root(&m.receiver))
                    .flatten()
            }
            inner => by_value_root(inner),
        },
        _ => None,
    }
}

/// `e` with the local it iterates (see [`by_value_root`]) replaced by `by`.
fn replace_root(e: &mut Expr, by: &syn::Ident) {
    match e {
        Expr::Path(_) => *e = build::path(by),
        Expr::Paren(p) => replace_root(&mut p.expr, by),
        Expr::MethodCall(m) => replace_root(&mut m.receiver, by),
        _ => {}
    }
}
