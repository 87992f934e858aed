//! Lowering of blocks, statements, `let` and its patterns, local arrays.

use super::array_maps::array_from_fn;
use super::written_types::{
    cast_to_written, holds_no_float, names_struct, of_numbers, suffixed_int_literal,
    table_of_tuples,
};
use super::*;
use syn::parse_quote;

impl Lowerer<'_> {
    // ----- blocks and statements -----------------------------------------------------------

    /// Lowers statements in the current block (no new scope), guarding what follows a
    /// statement that may `return`/`break`/`continue`. Returns the tail value, or, for the
    /// function's own block when it has an early `return` (`tail_returns`), stores the tail
    /// in the return slot like a `return`.
    pub(super) fn lower_block_stmts(
        &mut self,
        stmts: &[SynStmt],
        tail_returns: bool,
    ) -> Option<Value> {
        for (i, stmt) in stmts.iter().enumerate() {
            let is_tail = i + 1 == stmts.len();
            if let SynStmt::Expr(expr, None) = stmt {
                if is_tail && crate::cfg::kept(stmt).is_empty() {
                    // An `if` or `match` whose every branch leaves (`return a`, `panic!(..)`):
                    // its branches' values, if any, are never read.
                    if matches!(expr, Expr::If(_) | Expr::Match(_) | Expr::Block(_))
                        && diverges(expr)
                    {
                        let may_leave = std::mem::replace(&mut self.value_may_leave, true);
                        drop(self.lower_expr(expr));
                        self.value_may_leave = may_leave;
                        return None;
                    }
                    if !tail_returns {
                        return Some(self.lower_expr(expr));
                    }
                    // The function's value: a branch that left (`else { return b }`) has
                    // set the return slot already, and the tail's is assigned only if none did.
                    let may_leave = std::mem::replace(&mut self.value_may_leave, true);
                    let value = self.lower_expr(expr);
                    self.value_may_leave = may_leave;
                    if !diverges(expr) {
                        match self.may_exit(stmt) {
                            true => self.assign_return_unless_exited(value, expr.span()),
                            false => self.assign_return(value, expr.span()),
                        }
                    }
                    return None;
                }
            }
            let rest = &stmts[i + 1..];
            // `let mut out = Vec::new();` filled by the loop after it: declared there.
            if let Some((name, pushed)) = self.pushed_vec(stmt, rest) {
                self.pushes.insert(name.to_string(), pushed);
                continue;
            }
            if self.push_before_loop(stmt) || self.push_after_loop(stmt) {
                continue;
            }
            // `let mut v = Vec::new();` of floats assigned later: an empty array; of data:
            // kept as written.
            self.let_holds_data = self.empty_data_vec(stmt, rest)
                || self.data_container(stmt)
                || self.index_vec(stmt, rest);
            let declared = self
                .empty_float_vec(stmt, rest)
                .or_else(|| self.deferred_float(stmt, rest));
            let stmt = declared.as_ref().unwrap_or(stmt);
            if let Some(if_let) = let_else_as_if_let(stmt, rest) {
                let tail = SynStmt::Expr(if_let, None);
                return self.lower_block_stmts(std::slice::from_ref(&tail), tail_returns);
            }
            if let SynStmt::Local(local) = stmt {
                self.let_read_as_array = bound_name(&local.pat)
                    .filter(|name| self.rebound_names.contains(&name.to_string()))
                    .map(|name| self.read_as_array_until_rebound(name, rest));
                self.let_receives_methods =
                    bound_name(&local.pat).is_some_and(|name| receives_methods(name, rest));
                self.let_assigned_some =
                    bound_name(&local.pat).and_then(|name| optional::assigned_some(name, rest));
                self.let_read_as_integer = names_bound(&local.pat).is_some_and(|names| {
                    !names.is_empty()
                        && names.iter().all(|name| {
                            self.integer_names.contains(&name.to_string())
                                && read_as_integer(
                                    name,
                                    rest,
                                    primitive_float_type(&self.sig.float),
                                )
                        })
                });
            }
            self.lower_stmt(stmt);
            if !rest.is_empty() && self.may_exit(stmt) {
                return self.guarded(rest, tail_returns, stmt.span());
            }
        }
        None
    }

    /// Whether the statements after the `let` of `name` read it as an array before a `let`
    /// binds it again (whose initializer still reads this one), the function's result too
    /// when these are its last statements.
    fn read_as_array_until_rebound(&self, name: &syn::Ident, rest: &[SynStmt]) -> bool {
        let rebinds = |s: &SynStmt| matches!(s, SynStmt::Local(l) if bound_name(&l.pat).is_some_and(|n| n == name));
        let scope = match rest.iter().position(rebinds) {
            Some(k) => &rest[..=k],
            None => rest,
        };
        let result = self.sig.output != Output::Scalar && self.blocks.len() == 1;
        super::prescan::array_names(scope, result && scope.len() == rest.len())
            .contains(&name.to_string())
    }

    /// `if !(exit flags) { rest }`: the statements after one that may leave the block.
    pub(super) fn guarded(
        &mut self,
        rest: &[SynStmt],
        tail_returns: bool,
        span: Span,
    ) -> Option<Value> {
        let mut flags = Vec::new();
        if let Some((flag, _)) = self.ret {
            flags.push(flag);
        }
        if let Some(l) = self.loops.last() {
            flags.extend(l.brk);
            flags.extend(l.cont);
        }
        let mut cond: Option<Operand> = None;
        for flag in flags {
            let f = self.cells[flag].value.clone();
            cond = Some(match cond {
                None => f,
                Some(c) => self.let_op("exit", Ty::Bool, Op::Binary(BinOp::Or, c, f), span),
            });
        }
        let Some(cond) = cond else {
            return self.lower_block_stmts(rest, tail_returns);
        };
        let go_on = self.let_op("go_on", Ty::Bool, Op::Unary(UnOp::Not, cond), span);
        self.lower_if_with(
            go_on,
            |lw| {
                lw.scopes.push(HashMap::default());
                let v = lw.lower_block_stmts(rest, tail_returns);
                lw.scopes.pop();
                v
            },
            |_| None,
            span,
        )
    }

    pub(super) fn may_exit(&self, stmt: &SynStmt) -> bool {
        let mut finder = ExitFinder {
            loop_depth: 0,
            found: false,
            watch_loop_exits: !self.loops.is_empty(),
        };
        finder.visit_stmt(stmt);
        finder.found
    }

    pub(super) fn lower_stmt(&mut self, stmt: &SynStmt) {
        // `#[cfg(debug_assertions)] assert!(..);`: kept with its attribute, as written.
        if !crate::cfg::kept(stmt).is_empty() {
            return self.effect_tokens(crate::cfg::kept_tokens(stmt));
        }
        match stmt {
            SynStmt::Local(local) => self.lower_let(local),
            SynStmt::Expr(Expr::Macro(m), _) if !m.mac.path.is_ident("vec") => self.effect(&m.mac),
            // `check(x)?;`, `validate(&w);`: a call whose value is dropped and that lends
            // nothing mutably passes no derivative on; it runs as written (on dual numbers
            // too, reading their values), with no `_adjoint`.
            SynStmt::Expr(expr, Some(_)) if self.dropped_call(expr) => {
                self.effect_tokens(expr.to_token_stream())
            }
            // `acc.add(x);`: what a `&mut self` method does to the fields is out of sight, and
            // a `&self` one's dropped value does nothing.
            SynStmt::Expr(Expr::MethodCall(m), Some(_))
                if self.record_passed(&m.receiver).is_some() =>
            {
                let (name, method) = (m.receiver.to_token_stream(), &m.method);
                let field = self
                    .record_passed(&m.receiver)
                    .and_then(|(_, f)| f.into_iter().next());
                let field = field.map_or("x".to_string(), |(f, _)| f);
                self.errors.on(
                    method,
                    format!("#[grad] keeps the local struct `{name}` as its fields and cannot see what `{name}.{method}(..)` does to them: update the fields here, as the method does (`{name}.{field} += ..;`)"),
                );
            }
            SynStmt::Expr(expr, _) => {
                // `s *= if c { a } else { continue };` would use a leaving branch's value.
                let may_leave = std::mem::replace(&mut self.value_may_leave, false);
                let value = self.lower_expr(expr);
                self.value_may_leave = may_leave;
                drop(value);
            }
            // Items are visible in the whole block: they are emitted first, as written. What
            // a `use` brings in may go unused where the sweeps write the code out (`mem::swap`).
            SynStmt::Item(syn::Item::Use(u)) => {
                let mut u = u.clone();
                u.attrs.push(syn::parse_quote!(#[allow(unused_imports)]));
                self.items.push(syn::Item::Use(u));
            }
            SynStmt::Item(item) => self.items.push(item.clone()),
            SynStmt::Macro(m) if self.local_macro_reads(&m.mac) => {}
            SynStmt::Macro(m) if !m.mac.path.is_ident("vec") => self.effect(&m.mac),
            SynStmt::Macro(m) => self.reject_macro(&m.mac),
        }
    }

    /// Whether `expr` is a call of a named function, or its `?`, that lends nothing mutably.
    fn dropped_call(&self, expr: &Expr) -> bool {
        let call = match expr {
            Expr::Try(t) => &*t.expr,
            other => other,
        };
        let Expr::Call(c) = call else {
            return false;
        };
        matches!(&*c.func, Expr::Path(p) if p.qself.is_none() && !self.is_local_call(&p.path))
            && !crate::cfg::lends_mutably(c)
    }

    /// `let mut name: [elem; len] = [0.0; len];`, lowered: a local array written after.
    pub(super) fn declare_array(
        &mut self,
        name: &proc_macro2::Ident,
        elem: &syn::Type,
        len: &impl ToTokens,
    ) {
        let zero = rules::float_literal(elem, true, 0.0);
        let SynStmt::Local(declare) = parse_quote!(let mut #name: [#elem; #len] = [#zero; #len];)
        else {
            unreachable!("a `let` statement")
        };
        self.lower_let(&declare);
    }

    /// Whether `let [a, b] = ..` binds rows: the `let` states a matrix (`[[f64; 2]; 2]`), or
    /// the body reads a name it binds as an array.
    fn binds_rows(&self, ps: &syn::PatSlice, annotated: Option<&syn::Type>) -> bool {
        let stated = matches!(annotated, Some(syn::Type::Array(a)) if matches!(&*a.elem, syn::Type::Array(_)));
        stated
            || ps.elems.iter().any(|p| {
                matches!(p, Pat::Ident(pi) if self.array_locals.contains(&pi.ident.to_string()))
            })
    }

    /// The element type a `let` states for an array (`let y: [f32; 3] = ..`), or the
    /// function's float.
    pub(super) fn element_type(&self, annotated: Option<&syn::Type>) -> syn::Type {
        let float = &self.sig.float;
        annotated
            .and_then(|ty| match ty {
                syn::Type::Array(a) => Some((*a.elem).clone()),
                _ => None,
            })
            .unwrap_or_else(|| parse_quote!(#float))
    }

    /// Brings `__private::Bound`'s methods into the generated body's scope, once (see
    /// `build::bound`).
    pub(super) fn import_bound(&mut self) {
        let import = build::bound_import();
        let import: syn::Item = parse_quote!(#import);
        if !std::mem::replace(&mut self.bound_imported, true) {
            self.items.push(import);
        }
    }

    /// Whether `mac` calls a `macro_rules!` of the body whose rules read the function's values
    /// (`macro_rules! g { ($o:expr) => { x - $o } }`), reported: the sweeps rename those
    /// values, and differentiate only code they see.
    pub(super) fn local_macro_reads(&mut self, mac: &syn::Macro) -> bool {
        let Some(rules) = mac
            .path
            .get_ident()
            .and_then(|name| self.local_macros.get(&name.to_string()))
        else {
            return false;
        };
        let mut names = Vec::new();
        opaque::mentioned_names(rules.clone(), &mut names);
        let mut read: Vec<String> = names
            .into_iter()
            .map(|(name, _)| name.to_string())
            .filter(|name| !matches!(self.lookup(name), None | Some(Binding::Opaque)))
            .collect();
        read.dedup();
        let Some(first) = read.first() else {
            return false;
        };
        let name = &mac.path;
        self.errors.on(
            mac,
            format!("#[grad] does not see into the macro `{}!` defined in the function, whose rules read `{first}`: the generated code names the function's values otherwise and differentiates only the code it sees; write the macro's code out where it is called (a macro reading data may take it as an argument instead)", quote::ToTokens::to_token_stream(name)),
        );
        true
    }

    pub(super) fn reject_macro(&mut self, mac: &syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        self.errors.on(
            mac,
            format!(
                "#[grad] cannot differentiate through the macro `{name}!`: its value depends on a differentiated input; write the expression out (statement macros such as `assert!` and `println!` are fine)"
            ),
        );
    }

    pub(super) fn lower_let(&mut self, local: &syn::Local) {
        let references = local
            .init
            .as_ref()
            .map(|init| self.row_references(&local.pat, &init.expr))
            .unwrap_or_default();
        let copies: Vec<String> = local
            .init
            .as_ref()
            .map(|init| row_copies(&local.pat, &init.expr))
            .unwrap_or_default()
            .into_iter()
            .filter(|name| self.row_copy_names.contains(name))
            .collect();
        self.lower_let_value(local);
        for (name, copy) in references
            .iter()
            .map(|n| (n, false))
            .chain(copies.iter().map(|n| (n, true)))
        {
            if let Some(Binding::Row {
                lent_mut, copied, ..
            }) = self.scopes.last_mut().and_then(|scope| scope.get_mut(name))
            {
                match copy {
                    true => *copied = true,
                    false => *lent_mut = true,
                }
            }
        }
    }

    /// The names `pat` binds to `&mut` references (`let r = &mut rows[i];`, `let (k, r) = (i,
    /// &mut rows[i]);`) or to one bound before (`let s = r;`).
    fn row_references(&self, pat: &Pat, init: &Expr) -> Vec<String> {
        match (pat, init) {
            (Pat::Type(t), _) => self.row_references(&t.pat, init),
            (_, Expr::Paren(p)) => self.row_references(pat, &p.expr),
            (Pat::Ident(pi), Expr::Reference(r)) if r.mutability.is_some() => {
                vec![pi.ident.to_string()]
            }
            (Pat::Ident(pi), Expr::Path(_)) if self.names_mutable_row(init) => {
                vec![pi.ident.to_string()]
            }
            (Pat::Tuple(pt), Expr::Tuple(t)) if pt.elems.len() == t.elems.len() => pt
                .elems
                .iter()
                .zip(&t.elems)
                .flat_map(|(p, e)| self.row_references(p, e))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `let ans;` (`let mut b;`) without a type, as ports of C write it, assigned later: `let
    /// ans: F;` when one of its assignments looks like a float or reads a differentiated value
    /// (`ans = c * d;`), an integer when all of them are integers. Otherwise the `let` keeps
    /// the error that asks for its type.
    fn deferred_float(&self, stmt: &SynStmt, rest: &[SynStmt]) -> Option<SynStmt> {
        let SynStmt::Local(local) = stmt else {
            return None;
        };
        let Pat::Ident(pi) = &local.pat else {
            return None;
        };
        if local.init.is_some() || pi.subpat.is_some() {
            return None;
        }
        // Its assignments, and the values of the `let`s after it (`del = dl;` of `let dl = d *
        // c;` in a loop).
        struct Assigned<'a> {
            name: &'a proc_macro2::Ident,
            values: Vec<&'a Expr>,
            lets: Vec<(&'a proc_macro2::Ident, &'a Expr)>,
            /// Every name's assignments (other locals declared first, assigned later).
            all: Vec<(&'a proc_macro2::Ident, &'a Expr)>,
        }
        impl<'a> Visit<'a> for Assigned<'a> {
            fn visit_expr_assign(&mut self, a: &'a syn::ExprAssign) {
                if matches!(&*a.left, Expr::Path(p) if p.path.is_ident(self.name)) {
                    self.values.push(&a.right);
                }
                if let Expr::Path(p) = &*a.left {
                    if let Some(ident) = p.path.get_ident() {
                        self.all.push((ident, &a.right));
                    }
                }
                syn::visit::visit_expr_assign(self, a);
            }
            fn visit_local(&mut self, local: &'a syn::Local) {
                if let (Pat::Ident(pi), Some(init)) = (&local.pat, &local.init) {
                    self.lets.push((&pi.ident, &init.expr));
                }
                syn::visit::visit_local(self, local);
            }
        }
        let mut assigned = Assigned {
            name: &pi.ident,
            values: Vec::new(),
            lets: Vec::new(),
            all: Vec::new(),
        };
        rest.iter().for_each(|s| assigned.visit_stmt(s));
        let looks_float = |e: &Expr| self.looks_float(e) || self.reads(&e.to_token_stream()).varied;
        // Locals assigned floats, and those assigned values computed from them (`temp = 1.0 /
        // r; x = temp * temp;` of `let x; let temp;`, rf-signals' ITWOM port).
        let mut floats: HashSet<String> = HashSet::default();
        loop {
            let before = floats.len();
            for (name, value) in &assigned.all {
                let mut mentioned = Vec::new();
                mentioned_names(value.to_token_stream(), &mut mentioned);
                let from_floats = self.opaque_type(value) != Ty::Int
                    && mentioned
                        .iter()
                        .any(|(m, _)| floats.contains(&m.to_string()));
                if looks_float(value) || from_floats {
                    floats.insert(name.to_string());
                }
            }
            if floats.len() == before {
                break;
            }
        }
        let float = floats.contains(&pi.ident.to_string())
            || assigned.values.iter().any(|e| {
                matches!(e, Expr::Path(p) if assigned.lets.iter().any(|(n, init)| p.path.is_ident(*n) && looks_float(init)))
            });
        let (attrs, ty) = (&local.attrs, &self.sig.float);
        if float {
            return Some(parse_quote!(#(#attrs)* let #pi: #ty;));
        }
        // `let k; k = n / 2;`: an integer of the type its assignments give it (Rust infers it
        // from them), which no read sees before one of them; so is one none of whose values
        // looks like a float and that indexes (`let mut k; .. k = indptr[i]; .. data[k]`).
        let indexes = || read_as_integer(&pi.ident, rest, primitive_float_type(&self.sig.float));
        let integer = !assigned.values.is_empty()
            && (assigned
                .values
                .iter()
                .all(|e| self.opaque_type(e) == Ty::Int)
                || indexes());
        let name = &pi.ident;
        integer.then(|| parse_quote!(#(#attrs)* let mut #name = 0;))
    }

    fn lower_let_value(&mut self, local: &syn::Local) {
        let read_as_integer = std::mem::take(&mut self.let_read_as_integer);
        let receives_methods = std::mem::take(&mut self.let_receives_methods);
        let holds_data = std::mem::take(&mut self.let_holds_data);
        let assigned_some = std::mem::take(&mut self.let_assigned_some);
        let Some(init) = &local.init else {
            // `let t: f64;` assigned later: Rust checks it is assigned before it is read, so
            // any start value is never seen.
            if let Pat::Type(pt) = &local.pat {
                if let (Pat::Ident(pi), ty) = (&*pt.pat, type_kind(&pt.ty, self.sig)) {
                    if ty != Ty::Unknown {
                        let name = pi.ident.to_string();
                        let binding = self.new_cell(&name, self.dummy(ty), ty, true);
                        self.bind(name, binding);
                        return;
                    }
                }
            }
            self.errors.on(
                local,
                "#[grad] needs every `let` to have a value, or a float, integer or bool type to be assigned later (`let t: f64;`, `let k: usize;`)",
            );
            self.poison(&local.pat);
            return;
        };
        if let Some((_, diverge)) = &init.diverge {
            match control::slice_pattern(&local.pat) {
                Some(ps) => self.lower_let_else_slice(ps, &init.expr, diverge),
                // Others are `if let`s around the rest of their block (`lower_block_stmts`).
                _ => self.errors.on(
                    diverge,
                    "#[grad] supports `let ... else` as a statement of a block",
                ),
            }
            return;
        }
        let (pat, annotated) = match &local.pat {
            Pat::Type(pt) => (&*pt.pat, Some(&*pt.ty)),
            other => (other, None),
        };
        // `let p = if c { polar(x, y) } else { (x, y) };` read as `p.0`, `p.1`: the numbers
        // taken apart where the branches give them, then named `p` together.
        if let (Pat::Ident(pi), Expr::If(_) | Expr::Match(_)) = (pat, &*init.expr) {
            let tuple = self.tuple_locals.get(&pi.ident.to_string()).copied();
            if let Some(read) = tuple.filter(|_| self.reads(&init.expr.to_token_stream()).varied) {
                // (as long as a tuple a branch writes out, else as far as it is read)
                let mut chosen = (*init.expr).clone();
                let mut count = read;
                arrays::branch_tail_mut(&mut chosen, &mut |tail| {
                    if let Expr::Tuple(t) = tail {
                        count = count.max(t.elems.len());
                    }
                });
                let parts: Vec<proc_macro2::Ident> = (0..count)
                    .map(|i| {
                        let name = format!("{SYNTHETIC}{}_{i}_{}", pi.ident, self.next_synthetic());
                        proc_macro2::Ident::new(&name, pi.ident.span())
                    })
                    .collect();
                super::statement_forms::split_tuple_branches(&mut chosen, count);
                self.lower_stmt(&parse_quote!(let (#(#parts,)*) = #chosen;));
                let name = &pi.ident;
                self.lower_stmt(&parse_quote!(let #name = (#(#parts,)*);));
                return;
            }
        }
        if let (Pat::Ident(pi), Expr::Closure(c)) = (pat, &*init.expr) {
            self.define_closure(&pi.ident, c);
            return;
        }
        if let Some(stmts) = self
            .slice_into_array(pat, annotated, &init.expr)
            .or_else(|| self.row_picked(pat, &init.expr))
        {
            for stmt in &stmts {
                self.lower_stmt(stmt);
            }
            return;
        }
        if let Pat::Ident(pi) = pat {
            // `let o = x.last().copied();` of a differentiated slice: the local `Option` of a
            // number that the `if let` on it makes.
            let element = methods::element_option_value(&init.expr)
                .filter(|_| self.reads(&init.expr.to_token_stream()).varied);
            let value = element.as_ref().unwrap_or(&init.expr);
            if self.lower_optional_let(pi, annotated, value, assigned_some) {
                return;
            }
        }
        // `let xi = &x[i];` of a differentiated number: the number, as arithmetic and `*xi`
        // read it (an array, a row or a slice is bound as `&w` is).
        if let (Pat::Ident(pi), Expr::Reference(r)) = (pat, &*init.expr) {
            if r.mutability.is_none()
                && pi.mutability.is_none()
                && self.reads(&init.expr.to_token_stream()).varied
            {
                let value = self.lower_expr(&r.expr);
                self.bind_pattern(pat, value);
                return;
            }
        }
        // `let x = x.map(|v| 2.0 * v);`, `let h = if c { [h[1], h[0]] } else { .. };`: an
        // array made element by element under the name it binds would read itself, so it is
        // made under a name of its own, which `x` then names.
        if let Pat::Ident(pi) = pat {
            let made_in_place = array_from_fn(&init.expr).is_some()
                || self.array_map(&init.expr, annotated).is_some()
                || arrays::branch_arrays(&init.expr).is_some()
                || matches!(&*init.expr, Expr::MethodCall(m) if self.maps_returned_array(m));
            if made_in_place
                && pi.subpat.is_none()
                && super::pushes::mentions(&*init.expr, &pi.ident)
            {
                let made = proc_macro2::Ident::new(
                    &format!("{SYNTHETIC}{}_{}", pi.ident, self.next_synthetic()),
                    pi.ident.span(),
                );
                let mut renamed = local.clone();
                let binding = Pat::Ident(syn::PatIdent {
                    ident: made.clone(),
                    ..pi.clone()
                });
                renamed.pat = match &local.pat {
                    Pat::Type(typed) => Pat::Type(syn::PatType {
                        pat: Box::new(binding),
                        ..typed.clone()
                    }),
                    _ => binding,
                };
                self.lower_let(&renamed);
                if let Some(made) = self.lookup(&made.to_string()) {
                    self.bind(pi.ident.to_string(), made);
                }
                return;
            }
        }
        // `let mut z: (f64, f64) = cm(a, b);` then `z = cm(z, z);`: a mutable tuple a call
        // starts, its numbers taken apart first, then made a tuple local of them (a record).
        // (not a tuple struct's constructor, `Point(x, y)`, whose fields are no tuple's)
        let tuple_call = matches!(&*init.expr, Expr::Call(_) | Expr::MethodCall(_))
            && !names::builds_struct(&init.expr);
        if let (Pat::Ident(pi), true) = (pat, tuple_call) {
            let arity = match annotated {
                Some(syn::Type::Tuple(t)) => Some(t.elems.len()),
                _ => self.tuple_locals.get(&pi.ident.to_string()).copied(),
            };
            if let (Some(count @ 1..), Some(_)) = (arity, pi.mutability) {
                let parts: Vec<proc_macro2::Ident> = (0..count)
                    .map(|i| {
                        let name = format!("{SYNTHETIC}{}_{i}_{}", pi.ident, self.next_synthetic());
                        proc_macro2::Ident::new(&name, pi.ident.span())
                    })
                    .collect();
                let (name, value) = (&pi.ident, &init.expr);
                self.lower_stmt(&parse_quote!(let (#(#parts,)* ..) = #value;));
                self.lower_stmt(&parse_quote!(let mut #name = (#(#parts,)*);));
                return;
            }
        }
        match pat {
            Pat::Ident(pi) if pi.subpat.is_none() && self.lower_record_let(pi, &init.expr) => {
                return
            }
            Pat::Struct(ps) if self.lower_record_pattern(ps, &init.expr) => return,
            _ => {}
        }
        // `let v = if c { [a, b] } else { [b, a] };`: a local array each branch writes.
        // Its length from a literal branch or the `let`'s type.
        let stated = match annotated {
            Some(syn::Type::Array(a)) => Some(a.len.clone()),
            _ => None,
        };
        let branches = arrays::branch_arrays(&init.expr);
        let len = match (branches, stated) {
            (Some(Some(len)), _) => Some(syn::parse_quote!(#len)),
            (Some(None), None) => self.named_array_len(&init.expr),
            (Some(None), stated) => stated,
            (None, _) => None,
        };
        // A vector chosen between calls, collections and `vec!`s (`if n == 0 { Vec::new() }
        // else { x.iter().map(f).collect() }`), the `let` or the function's result saying it
        // is one: a vector each branch assigns whole, of the length it gives it.
        if let (Pat::Ident(pi), Some(None), None) = (pat, branches, &len) {
            let stated_vec = annotated.and_then(super::written_types::vec_element);
            let result_vec = pi.ident == super::RESULT && self.sig.output == Output::Vec;
            if stated_vec.is_some() || result_vec {
                let (name, float) = (&pi.ident, &self.sig.float);
                let elem = stated_vec.unwrap_or_else(|| parse_quote!(#float));
                self.reassigned.insert(name.to_string());
                let zero = rules::float_literal(&elem, true, 0.0);
                self.lower_stmt(&parse_quote!(let mut #name: Vec<#elem> = vec![#zero; 0];));
                self.lower_expr(&arrays::assign_tails(&init.expr, &pi.ident));
                return;
            }
        }
        // An array chosen between calls (`if c { rot_a(t) } else { rot_b(t) }`), whose shape
        // nothing here tells.
        if let (Pat::Ident(pi), Some(None), None) = (pat, branches, &len) {
            let chooses = matches!(&*init.expr, Expr::If(_) | Expr::Match(_));
            if chooses && self.array_locals.contains(&pi.ident.to_string()) {
                self.errors.on(
                    &init.expr,
                    format!("#[grad] needs the type of an array that an `if` or a `match` chooses between calls: write it on the `let` (`let {}: [f64; 3] = ..`, `[[f64; 2]; 2]` for a matrix)", pi.ident),
                );
                self.poison(pat);
                return;
            }
        }
        if let (Pat::Ident(pi), Some(len)) = (pat, len) {
            // The rows' length of a matrix the `let` states (`let j: [[f64; 2]; 2] = if c {
            // rot_a(q) } else { rot_b(q) };`), else of the literals the branches end in.
            let stated_cols = match annotated {
                Some(syn::Type::Array(a)) => match &*a.elem {
                    syn::Type::Array(row) => Some(row.len.to_token_stream()),
                    _ => None,
                },
                _ => None,
            };
            let cols = stated_cols.or_else(|| {
                arrays::branch_matrix_cols(&init.expr)
                    .map(|cols| syn::Index::from(cols).to_token_stream())
            });
            match cols {
                // `let r = if flip { [[c, -s], [s, c]] } else { .. };`: a matrix, whose rows
                // the branches write.
                Some(cols) => {
                    let (name, float) = (&pi.ident, &self.sig.float);
                    let zero = rules::float_literal(float, true, 0.0);
                    self.lower_stmt(&parse_quote!(
                        let mut #name: [[#float; #cols]; #len] = [[#zero; #cols]; #len];
                    ));
                }
                None => {
                    let elem = self.element_type(annotated);
                    self.declare_array(&pi.ident, &elem, &len);
                }
            }
            self.lower_expr(&arrays::assign_tails(&init.expr, &pi.ident));
            return;
        }
        if let Some(element) = array_from_fn(&init.expr) {
            self.lower_array_from_fn(local, pat, annotated, element);
            return;
        }
        // `let h: [f64; 3] = affine(w, x).map(|v| v.tanh());`: the array the call returns,
        // of the length the `let` states, then mapped.
        if let (Pat::Ident(_), Some(ty @ syn::Type::Array(_)), Expr::MethodCall(m)) =
            (pat, annotated, &*init.expr)
        {
            if self.maps_returned_array(m) {
                let span = m.receiver.span();
                let called = proc_macro2::Ident::new(
                    &format!("{SYNTHETIC}called_{}", self.next_synthetic()),
                    span,
                );
                let (receiver, method, args) = (&m.receiver, &m.method, &m.args);
                self.lower_stmt(&syn::parse_quote_spanned!(span=> let #called: #ty = #receiver;));
                let mut mapped = local.clone();
                mapped.init = Some(syn::LocalInit {
                    eq_token: Default::default(),
                    expr: Box::new(syn::parse_quote_spanned!(span=> #called.#method(#args))),
                    diverge: None,
                });
                self.lower_stmt(&SynStmt::Local(mapped));
                return;
            }
        }
        if let (Pat::Ident(pi), Some((array, len, f))) =
            (pat, self.array_map(&init.expr, annotated))
        {
            self.lower_array_map(&pi.ident, annotated, array, &len, f);
            return;
        }
        if let Pat::Slice(ps) = pat {
            match &*init.expr {
                // `let [p, q] = if c { [a, b] } else { [b, a] };`: the array the branches make,
                // under a name of its own, then its elements.
                e if arrays::branch_arrays(e).is_some() => {
                    let made = proc_macro2::Ident::new(
                        &format!("{SYNTHETIC}branches_{}", self.next_synthetic()),
                        e.span(),
                    );
                    // (of the pattern's length, when no branch tells it: calls of `#[grad]`
                    // functions, whose arrays are of floats)
                    let len = ps.elems.len();
                    let float = &self.sig.float;
                    match arrays::branch_arrays(e) {
                        Some(None)
                            if !ps.elems.iter().any(is_rest)
                                && arrays::branch_named_arrays(e).is_empty() =>
                        {
                            self.lower_stmt(&parse_quote!(let #made: [#float; #len] = #e;))
                        }
                        _ => self.lower_stmt(&parse_quote!(let #made = #e;)),
                    }
                    match self.lookup(&made.to_string()) {
                        Some(Binding::Array(array)) => {
                            self.bind_slice_pattern(ps, &Value::Array(array))
                        }
                        Some(Binding::Poisoned) => self.poison(pat),
                        _ => {
                            self.errors.on(
                                ps,
                                "#[grad] destructures the array an `if`/`match` makes when a branch tells its length (an array literal, or an array by name): bind it with its type first (`let v: [f64; 2] = if ..;`), then `let [a, b] = v;`",
                            );
                            self.poison(pat);
                        }
                    }
                    return;
                }
                // `let [a, b] = g(x);`: the array `g` returns, then its elements (its rows
                // when they are read as arrays, or the `let` says it is a matrix).
                Expr::Call(c) => {
                    let name = proc_macro2::Ident::new(&format!("{SYNTHETIC}array"), c.span());
                    if self.binds_rows(ps, annotated) {
                        self.matrix_locals.insert(name.to_string());
                    }
                    match self.call_array(&name, c, None) {
                        Some(array) => self.bind_slice_pattern(ps, &Value::Array(array)),
                        None => self.poison(pat),
                    }
                    return;
                }
                // `let [u, v] = m.pair(x);`: the array a model's method returns, likewise.
                Expr::MethodCall(m) if self.model_method(m).is_some() => {
                    let name = proc_macro2::Ident::new(&format!("{SYNTHETIC}array"), m.span());
                    if self.binds_rows(ps, annotated) {
                        self.matrix_locals.insert(name.to_string());
                    }
                    match self.method_call_array(&name, m, None) {
                        Some(array) => self.bind_slice_pattern(ps, &Value::Array(array)),
                        None => self.poison(pat),
                    }
                    return;
                }
                // `let [u, v] = g(x)?;`: what a fallible one succeeds with.
                fallible @ (Expr::Try(_) | Expr::MethodCall(_))
                    if self.fallible_call(fallible).is_some() =>
                {
                    let name =
                        proc_macro2::Ident::new(&format!("{SYNTHETIC}array"), fallible.span());
                    if self.binds_rows(ps, annotated) {
                        self.matrix_locals.insert(name.to_string());
                    }
                    match self.fallible_array(&name, fallible) {
                        Some(Some(array)) => self.bind_slice_pattern(ps, &Value::Array(array)),
                        _ => self.poison(pat),
                    }
                    return;
                }
                // `let [u, v] = [p, q];`: element by element, as a tuple.
                Expr::Array(a)
                    if a.elems.len() == ps.elems.len() && !ps.elems.iter().any(is_rest) =>
                {
                    let values: Vec<Value> = a.elems.iter().map(|e| self.lower_expr(e)).collect();
                    for (p, v) in ps.elems.iter().zip(values) {
                        self.bind_pattern(p, v);
                    }
                    return;
                }
                _ => {}
            }
        }
        // `let w: &[f64] = if n == 2 { &[1.0, 2.0] } else { &[1.0, 2.0, 3.0] };`: a choice
        // between data that only the written type makes one type (tables of different
        // lengths), kept as written with it.
        let chosen_data = matches!(&*init.expr, Expr::If(_) | Expr::Match(_))
            && matches!(
                annotated,
                Some(syn::Type::Reference(_) | syn::Type::Tuple(_))
            )
            && !self.reads(&init.expr.to_token_stream()).varied;
        if let (true, Some(ty)) = (chosen_data, annotated) {
            if let Some(value) = self.try_opaque(&init.expr, false) {
                if let Value::Scalar(Operand::Var(v)) = &value {
                    self.declare_type(*v, ty);
                }
                self.bind_pattern(pat, value);
                return;
            }
        }
        // A local array: `[0.0; N]`, `vec![0.0; n]`, `[a, b]`, a copy, a `collect()`.
        // `let pairs: Vec<(usize, usize)> = ..;`: a container its type says holds no float,
        // nor numbers the sweeps track as indices (`Vec<usize>`, written and read by index).
        // What a call returns into one (`let peaks: Vec<usize> = find_peaks(x);`) is data
        // whatever the call reads: indices have no derivative.
        let no_float = annotated.is_some_and(|ty| holds_no_float(ty, self.sig));
        let typed_data = no_float && !annotated.is_some_and(|ty| of_numbers(ty, self.sig));
        let returned_data = no_float && matches!(&*init.expr, Expr::Call(_) | Expr::MethodCall(_));
        if let (true, Pat::Ident(pi)) = (holds_data || typed_data || returned_data, pat) {
            // A variable of its own, under the user's name, that the code passed through
            // assigns and changes in place.
            if let Some(value) = self.try_opaque(&init.expr, returned_data) {
                // (its type as written: `let kept: Vec<String> = it.collect();`)
                if let (Some(ty), Value::Scalar(Operand::Var(v))) = (annotated, &value) {
                    self.declare_type(*v, ty);
                }
                self.bind_pattern(pat, value);
                if let Some(Binding::Scalar { cell, .. }) = self.lookup(&pi.ident.to_string()) {
                    self.data_vectors.insert(cell);
                }
                return;
            }
        }
        // `let pairs = [(1.0, 0.5), (2.0, -0.25)];`, `let table = [Term(1, -171996), ..];` of
        // constants: a table of data, read as written (the tuples' numbers by value).
        if let (Expr::Array(a), Pat::Ident(_)) = (&*init.expr, pat) {
            let records = !a.elems.is_empty()
                && a.elems
                    .iter()
                    .all(|e| matches!(e, Expr::Tuple(_)) || self.builds_value(e));
            if records && !self.reads(&init.expr.to_token_stream()).varied {
                if let Some(value) = self.try_opaque(&init.expr, false) {
                    self.bind_pattern(pat, value);
                    return;
                }
            }
        }
        match self.try_local_array(pat, annotated, &init.expr) {
            LocalArray::No => {}
            LocalArray::Declared(array) => {
                if let Pat::Ident(pi) = pat {
                    self.bind(pi.ident.to_string(), Binding::Array(array));
                }
                return;
            }
            LocalArray::Failed => {
                self.poison(pat);
                return;
            }
        }
        // `let j: i64 = -3;`: the generated code binds the value without the annotation, where
        // a bare literal would be an `i32`.
        // So does `let n: f64 = k as _;`, whose cast takes its type from the annotation.
        let suffixed = annotated.and_then(|ty| {
            suffixed_int_literal(&init.expr, ty, self.sig)
                .or_else(|| cast_to_written(&init.expr, ty))
        });
        let init = suffixed.as_ref().unwrap_or(&init.expr);
        // `let k = argmax(x);` with `k` read as an integer, or `let k: usize = argmax(x);`: a
        // function that returns an integer (checked unless the type says so).
        let declared_int = annotated.is_some_and(|ty| type_kind(ty, self.sig) == Ty::Int);
        let discards =
            matches!(pat, Pat::Tuple(t) if t.elems.iter().any(|p| matches!(p, Pat::Wild(_))));
        let integer = (declared_int || read_as_integer)
            .then(|| match discards && !declared_int {
                true => self.integer_parts_call(init, pat),
                false => self.integer_call(init, !declared_int),
            })
            .flatten();
        let other_float = annotated.and_then(|ty| {
            self.other_float_data(init, ty)
                .or_else(|| self.stated_into(init, ty))
        });
        let may_leave = std::mem::replace(&mut self.value_may_leave, true);
        let reported = self.errors.len();
        // `let peaks: Vec<usize> = (1..n - 1).filter(|&i| x[i] > x[i - 1]).collect();`: a
        // value its type says holds no float, computed from differentiated ones (compared,
        // counted): data, as written.
        let data = annotated
            .filter(|ty| super::written_types::holds_no_float(ty, self.sig))
            .filter(|_| self.reads(&init.to_token_stream()).varied)
            .and_then(|_| self.try_opaque(init, true));
        let mut value = integer
            .or(other_float)
            .or(data)
            .unwrap_or_else(|| self.lower_expr(init));
        self.value_may_leave = may_leave;
        // `let q: (f64, f64) = sites[i];`: a tuple of float data, which a callee takes as a
        // tuple parameter, with a shadow.
        if let (Some(syn::Type::Tuple(t)), Value::Scalar(Operand::Var(v))) = (annotated, &value) {
            let floats =
                !t.elems.is_empty() && t.elems.iter().all(|e| type_kind(e, self.sig) == Ty::Float);
            if floats && self.vars[v.0].ty == Ty::Unknown {
                self.table_elements.insert(*v);
            }
        }
        // `let left = edge.left_triangle;` read as an index after: an integer, not the float
        // data a field of data is taken for by default.
        if let (true, Value::Scalar(Operand::Var(v))) = (read_as_integer, &value) {
            if self.vars[v.0].ty == Ty::Unknown {
                self.table_elements.remove(v);
            }
        }
        // A value lost to an error already reported (`let r = 'o: loop { .. break 'o v; }`)
        // is not reported again as a pattern it cannot bind.
        if matches!(value, Value::Unit) && self.errors.len() > reported {
            value = Value::Error;
        }
        // `let n = &cfg.n;`: a reference to a field of data, kept as written (an item the
        // sweeps bind, `let s = &samples[i];`, is read through it as a number or a place).
        // So is `let c = &TABLE[m];`, an element of a constant table.
        if let (Expr::Reference(r), Value::Scalar(Operand::Var(v))) = (init, &value) {
            let place = matches!(&*r.expr, Expr::Field(_) | Expr::Index(_));
            if place && r.mutability.is_none() && !self.is_varied(&Operand::Var(*v)) {
                self.vars[v.0].reference = true;
            }
        }
        // `let obs: &Option<f64> = ..;` (an item of a slice of `Option`s): so is data its
        // written type says is a reference to something other than a number.
        if let (Some(syn::Type::Reference(r)), Value::Scalar(Operand::Var(v))) = (annotated, &value)
        {
            let number = matches!(type_kind(&r.elem, self.sig), Ty::Float | Ty::Int);
            if r.mutability.is_none() && !number && !self.is_varied(&Operand::Var(*v)) {
                self.vars[v.0].reference = true;
            }
        }
        if let (Some(ty), Value::Scalar(Operand::Var(v))) = (annotated, &value) {
            self.declare_type(*v, ty);
            // `let act: Activation = cfg.act;`, `let labels: &[usize] = &s.labels;`: data its
            // type says holds no float (not float data, as a field of data is taken for). A
            // struct or enum (`Activation`) goes to a call as a data parameter does, through
            // the callee's `_with_data`; anything else without a shadow.
            if !self.vars[v.0].varied && !crate::sig::contains_float(ty, &self.sig.float, &[]) {
                self.table_elements.remove(v);
                self.vars[v.0].shapeless = false;
                if names_struct(ty) {
                    self.data_structs.insert(*v, self.branches > 0);
                }
            }
            // `let t: &[(i32, f64)] = &TABLE;`: a table of tuples of data, which goes to a
            // call as a struct of data does (a callee takes it as data).
            if !self.vars[v.0].varied && table_of_tuples(ty) {
                self.table_elements.remove(v);
                self.data_structs.insert(*v, self.branches > 0);
            }
        }
        // `let n = Gaussian::new(0.0, 1.0);`, `Gaussian::default()`: a constructor of a type of
        // the user's, on constants.
        let constructed = names::constructs(init) && !self.reads(&init.to_token_stream()).varied;
        // (`Gaussian::default()` reads no local: a constant, bound to a local of its own.)
        if let (true, Value::Scalar(c @ Operand::Const(_))) =
            (receives_methods && constructed, &value)
        {
            value = Value::Scalar(self.let_op("t", Ty::Unknown, Op::Copy(c.clone()), local.span()));
        }
        // (`let j = Complex::new(0.0, 1.0);` too, whose methods nothing calls: a struct, which
        // a callee takes as data, and no operand of float arithmetic)
        if let (true, Value::Scalar(Operand::Var(v))) =
            (names::builds_struct(init) || constructed, &value)
        {
            self.data_structs.insert(*v, self.branches > 0);
        }
        if let (Some(ty), Value::Scalar(op)) = (annotated, value.clone()) {
            let op = &op;
            // `let k: usize = argmax(&p);` makes a call's result data, not a derivative.
            let declared = type_kind(ty, self.sig);
            if declared != Ty::Unknown && self.ty(op) != declared {
                if let Operand::Var(v) = op {
                    self.vars[v.0].ty = declared;
                } else {
                    let typed = self.let_op("t", declared, Op::Copy(op.clone()), local.span());
                    value = Value::Scalar(typed);
                }
            }
            // `let mut prev: Option<&Sample> = None;`: the type stays written where the
            // value is defined, which nothing else may tell before it is read.
            if let (Ty::Unknown, Operand::Const(c)) = (declared, op) {
                let op = Op::Opaque(Opaque {
                    tokens: c.to_token_stream(),
                    captures: Vec::new(),
                    declared: Some(ty.clone()),
                });
                value = Value::Scalar(self.let_op("t", Ty::Unknown, op, local.span()));
            }
        }
        if let (Pat::Tuple(_), Some(message)) = (pat, call::generated_derivative(init)) {
            if self.reads(&init.to_token_stream()).varied {
                self.errors.on(init, message);
                self.poison(pat);
                return;
            }
        }
        self.bind_pattern(pat, value);
    }

    /// The length of a fixed-size array that a branch of `expr` ends in by name (`*x` of a
    /// parameter `x: &[f64; 2]`): the length of the array the branches make.
    fn named_array_len(&self, expr: &Expr) -> Option<syn::Expr> {
        arrays::branch_named_arrays(expr).iter().find_map(|named| {
            let mut e = named;
            while let Expr::Unary(u) = e {
                e = &u.expr;
            }
            let Expr::Path(p) = e else { return None };
            let Some(Binding::Array(array)) = self.lookup(&p.path.get_ident()?.to_string()) else {
                return None;
            };
            let info = &self.arrays[array.0];
            match (info.fixed, info.dims, info.lens.first()) {
                (true, 1, Some(Operand::Lit(l))) => Some(Expr::Lit(syn::ExprLit {
                    attrs: Vec::new(),
                    lit: l.clone(),
                })),
                (true, 1, Some(Operand::Const(c))) => Some(c.clone()),
                _ => None,
            }
        })
    }

    /// Makes `v`, just named after `pi`, visible to code passed through when it is data
    /// computed by such code under the user's own name.
    fn show_data(&mut self, v: Var, pi: &syn::PatIdent) {
        let passed_through = matches!(
            self.blocks.last().and_then(|b| b.last()),
            Some(Stmt::Let { var, op: Op::Opaque(_) }) if *var == v
        );
        let info = &mut self.vars[v.0];
        if passed_through && info.ty != Ty::Float && pi.ident == info.name {
            info.visible = true;
            info.mutable = pi.mutability.is_some();
            info.span = pi.ident.span();
        }
    }

    pub(super) fn bind_pattern(&mut self, pat: &Pat, value: Value) {
        match (pat, value) {
            (pat, Value::Error) => self.poison(pat),
            (Pat::Ident(pi), Value::Scalar(op)) if pi.subpat.is_none() => {
                let name = pi.ident.to_string();
                // `let p = polar(x, y);` read as `p.0`, `p.1`, taken apart or returned: its
                // numbers, as a tuple.
                if let Some(&count) = self.tuple_locals.get(&name) {
                    if let Some(values) = self.numbers_of_call(&op, count, pi.span()) {
                        let values = values.into_iter().map(Value::Scalar).collect();
                        self.bind(name, Binding::Tuple(values));
                        return;
                    }
                }
                let ty = self.ty(&op);
                // Name the value after the user's variable when it is a fresh temporary.
                if let Operand::Var(v) = &op {
                    if self.is_fresh_temporary(*v) {
                        self.vars[v.0].name = self.user_name(&name);
                        self.show_data(*v, pi);
                    }
                }
                let binding = self.new_cell(&name, op, ty, pi.mutability.is_some());
                self.bind(name, binding);
            }
                        (Pat::Ident(pi), Value::Array(_) | Value::Row { .. }) if pi.mutability.is_some() => {
                self.errors.on(
                    pi,
                    "#[grad] does not copy whole arrays (`let mut a = *w;`): declare a local array (`let mut a = [0.0; N];` or `vec![0.0; n]`) and fill it in a loop",
                );
                self.poison(pat);
            }
            (Pat::Ident(pi), Value::Array(a)) => self.bind(pi.ident.to_string(), Binding::Array(a)),
            (Pat::Ident(pi), Value::Row { array, index }) => {
                let binding = Binding::Row {
                    array,
                    index,
                    lent_mut: false,
                    copied: false,
                };
                self.bind(pi.ident.to_string(), binding)
            }
            (Pat::Ident(pi), Value::Element { array, index }) => {
                self.bind(pi.ident.to_string(), Binding::Element { array, index })
            }
            (Pat::Ident(pi), Value::Tuple(values)) if pi.mutability.is_none() => {
                self.bind(pi.ident.to_string(), Binding::Tuple(values))
            }
            (Pat::Ident(pi), Value::View(s)) => self.bind(pi.ident.to_string(), Binding::View(s)),
            (Pat::Wild(_), _) => {}
            (Pat::Tuple(pt), Value::Tuple(values)) if pt.elems.len() == values.len() => {
                for (p, v) in pt.elems.iter().zip(values) {
                    self.bind_pattern(p, v);
                }
            }
            (Pat::Tuple(pt), Value::Scalar(tuple)) if self.is_varied(&tuple) => {
                if self.bind_tuple_of_call(pt, &tuple) {
                    return;
                }
                self.errors.on(
                    pt,
                    "#[grad] takes apart a tuple of differentiated numbers that a call returns (or a local bound to one) by its first numbers: `let (a, b) = polar(x, y);`, `let (a, ..) = ..;`, `let (_, _, r) = ..;`; pairs of indices a function returns into a `let` of no type are taken for numbers: state the type (`let pairs: Vec<(usize, usize)> = comparators(n);`)",
                );
            }
            (Pat::Tuple(pt), Value::Scalar(tuple)) => {
                let fields = pt.elems.iter().enumerate().filter(|(_, p)| !is_rest(p));
                let fields = fields.map(|(i, p)| (Projection::Element(None, &pt.elems, i), p));
                self.bind_data_fields(pt.span(), tuple, fields.collect());
            }
            // A data struct a call or a method returns (`let Dims { rows, cols } =
            // shape(cfg);`, `let Meters(d) = span(cfg);`).
            (Pat::Struct(ps), Value::Scalar(data)) if !self.is_varied(&data) => {
                let path = &ps.path;
                let fields = ps.fields.iter();
                let fields = fields.map(|f| (Projection::Named(path, &f.member), &*f.pat));
                self.bind_data_fields(ps.span(), data, fields.collect());
            }
            (Pat::TupleStruct(ts), Value::Scalar(data)) if !self.is_varied(&data) => {
                let fields = ts.elems.iter().enumerate().filter(|(_, p)| !is_rest(p));
                let path = Some(&ts.path);
                let fields = fields.map(|(i, p)| (Projection::Element(path, &ts.elems, i), p));
                self.bind_data_fields(ts.span(), data, fields.collect());
            }
            // `let [a, b] = *x;` of an array in data (`x` of `for (x, y) in data`).
            (Pat::Slice(ps), Value::Scalar(data)) if !self.is_varied(&data) => {
                let fields = ps.elems.iter().enumerate().filter(|(_, p)| !is_rest(p));
                let fields = fields.map(|(i, p)| (Projection::Slice(&ps.elems, i), p));
                self.bind_data_fields(ps.span(), data, fields.collect());
            }
            // `for &p in rows`, `|&p|`: a copy of the row, passed to a call by value as the
            // copy would be.
            (Pat::Reference(pr), v @ Value::Row { .. }) => {
                self.bind_pattern(&pr.pat, v);
                if let Pat::Ident(pi) = &*pr.pat {
                    if let Some(Binding::Row { copied, .. }) = self
                        .scopes
                        .last_mut()
                        .and_then(|scope| scope.get_mut(&pi.ident.to_string()))
                    {
                        *copied = true;
                    }
                }
            }
            (Pat::Reference(pr), v) => self.bind_pattern(&pr.pat, v),
            (Pat::Paren(pp), v) => self.bind_pattern(&pp.pat, v),
            // A closure's typed parameter (`|v: f64|`).
            (Pat::Type(pt), v) => self.bind_pattern(&pt.pat, v),
            (Pat::Slice(ps), v @ (Value::Array(_) | Value::Row { .. } | Value::View(_))) => {
                self.bind_slice_pattern(ps, &v)
            }
            (pat, _) => self.errors.on(
                pat,
                "#[grad] binds `let` patterns that are names, tuples of names, or the fields of a model or a data struct (`let Net { w, b, .. } = net;`): bind the value to a name and take its parts from that name",
            ),
        }
    }

    /// The fields of a tuple or struct no derivative flows through, bound as the pattern
    /// binds them through a reference to it (a `Vec` field by reference, `for (x, y) in data`
    /// too), a number read by value. The reference is taken where the value lives, so that a
    /// field that is not `Copy` is not moved.
    fn bind_data_fields(&mut self, span: Span, data: Operand, fields: Vec<(Projection, &Pat)>) {
        let name = proc_macro2::Ident::new(&format!("{SYNTHETIC}tuple"), span);
        let field = proc_macro2::Ident::new(&format!("{SYNTHETIC}field"), span);
        let whole = self.through_value(name.clone(), quote!(&#name), data, Ty::Unknown, span);
        for (projection, p) in fields {
            let pattern = match projection {
                // The pattern itself, the other elements `_` (a `..` where it stands).
                Projection::Element(path, elems, i) => {
                    let elems = elems.iter().enumerate().map(|(k, p)| match p {
                        _ if k == i => quote!(#field),
                        Pat::Rest(_) => quote!(..),
                        _ => quote!(_),
                    });
                    quote!(#path(#(#elems,)*))
                }
                Projection::Named(path, member) => quote!(#path { #member: #field, .. }),
                Projection::Slice(elems, i) => {
                    let elems = elems.iter().enumerate().map(|(k, p)| match p {
                        _ if k == i => quote!(#field),
                        Pat::Rest(_) => quote!(..),
                        _ => quote!(_),
                    });
                    quote!([#(#elems,)*])
                }
            };
            let bound = build::bound(&field);
            let read = quote!(match #name {
                #pattern => #bound,
            });
            let value = self.through_value(name.clone(), read, whole.clone(), Ty::Unknown, span);
            if let (Some(name), Operand::Var(v)) = (bound_name(p), &value) {
                self.guess_float_data(*v, name);
            }
            self.bind_pattern(p, Value::Scalar(value));
        }
    }

    /// Binds every name in `pat` to an already-reported error.
    pub(super) fn poison(&mut self, pat: &Pat) {
        struct Names(Vec<String>);
        impl<'ast> Visit<'ast> for Names {
            fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
                self.0.push(p.ident.to_string());
            }
        }
        let mut names = Names(Vec::new());
        names.visit_pat(pat);
        for name in names.0 {
            self.bind(name, Binding::Poisoned);
        }
    }
}

/// Whether the block contains a `return` (not inside a closure).
pub(super) fn contains_return(block: &syn::Block) -> bool {
    let mut f = ExitFinder {
        loop_depth: 0,
        found: false,
        watch_loop_exits: false,
    };
    f.visit_block(block);
    f.found
}

pub(super) struct ExitFinder {
    loop_depth: usize,
    found: bool,
    /// Also count `break`/`continue` of the loop being lowered.
    watch_loop_exits: bool,
}

impl<'ast> Visit<'ast> for ExitFinder {
    fn visit_expr_return(&mut self, _: &'ast syn::ExprReturn) {
        self.found = true;
    }
    fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
        if self.watch_loop_exits && self.loop_depth == 0 {
            self.found = true;
        }
    }
    fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
        if self.watch_loop_exits && self.loop_depth == 0 {
            self.found = true;
        }
    }
    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.loop_depth += 1;
        syn::visit::visit_expr_for_loop(self, f);
        self.loop_depth -= 1;
    }
    fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
        self.loop_depth += 1;
        syn::visit::visit_expr_while(self, w);
        self.loop_depth -= 1;
    }
    fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
        self.loop_depth += 1;
        syn::visit::visit_expr_loop(self, l);
        self.loop_depth -= 1;
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
}

/// `..` or `rest @ ..` in a slice pattern.
pub(super) fn is_rest(p: &Pat) -> bool {
    match p {
        Pat::Rest(_) => true,
        Pat::Ident(pi) => pi
            .subpat
            .as_ref()
            .is_some_and(|(_, sub)| matches!(**sub, Pat::Rest(_))),
        _ => false,
    }
}

/// The names a pattern binds, in order.
/// `let Some(w) = weights else { return .. }; rest` (any pattern but a slice's, which binds
/// numbers of an array) as `if let Some(w) = weights { rest } else { return .. }`: the names
/// are read only where the pattern matched.
fn let_else_as_if_let(stmt: &SynStmt, rest: &[SynStmt]) -> Option<Expr> {
    let SynStmt::Local(syn::Local {
        pat,
        init:
            Some(syn::LocalInit {
                expr,
                diverge: Some((_, diverge)),
                ..
            }),
        ..
    }) = stmt
    else {
        return None;
    };
    let pat = match pat {
        Pat::Type(pt) => &*pt.pat,
        pat => pat,
    };
    if matches!(pat, Pat::Slice(_)) {
        return None;
    }
    let rest = rest.iter();
    Some(syn::parse_quote_spanned!(stmt.span()=> if let #pat = #expr { #(#rest)* } else #diverge))
}

/// Whether a tail never hands a value on, leaving only through `return` (or not at all): a
/// `return`, a `loop` without a `break` of its own, `panic!`, `unreachable!`.
fn diverges(expr: &Expr) -> bool {
    let block_diverges = |b: &syn::Block| match b.stmts.last() {
        Some(SynStmt::Expr(e, _)) => diverges(e),
        Some(SynStmt::Macro(m)) => diverges(&Expr::Macro(syn::ExprMacro {
            attrs: Vec::new(),
            mac: m.mac.clone(),
        })),
        _ => false,
    };
    match expr {
        Expr::Return(_) => true,
        // `if x > 1.0 { ..; return a; } else { panic!(..) }`: every branch leaves.
        Expr::If(i) => {
            block_diverges(&i.then_branch)
                && i.else_branch.as_ref().is_some_and(|(_, e)| diverges(e))
        }
        Expr::Block(b) => block_diverges(&b.block),
        Expr::Match(m) => !m.arms.is_empty() && m.arms.iter().all(|a| diverges(&a.body)),
        Expr::Loop(l) => !loops::scan_loop(&l.body).breaks,
        Expr::Macro(m) => ["panic", "unreachable", "todo", "unimplemented"]
            .iter()
            .any(|name| m.mac.path.is_ident(name)),
        _ => false,
    }
}

/// The names `let` binds with `pat`, when it is a name or a tuple of names and `_`
/// (`let (n, half) = dims(x);`); `None` for other patterns.
pub(super) fn names_bound(pat: &Pat) -> Option<Vec<&syn::Ident>> {
    match pat {
        Pat::Ident(pi) if pi.subpat.is_none() => Some(vec![&pi.ident]),
        Pat::Tuple(t) => t
            .elems
            .iter()
            .filter(|p| !matches!(p, Pat::Wild(_)))
            .map(|p| match p {
                Pat::Ident(pi) if pi.subpat.is_none() => Some(&pi.ident),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Where a field of a tuple or struct sits: the `i`th element of a tuple pattern (of a tuple
/// struct with this path), under a name, or the `i`th element of an array pattern.
enum Projection<'a> {
    Element(
        Option<&'a syn::Path>,
        &'a syn::punctuated::Punctuated<Pat, syn::Token![,]>,
        usize,
    ),
    Named(&'a syn::Path, &'a syn::Member),
    Slice(&'a syn::punctuated::Punctuated<Pat, syn::Token![,]>, usize),
}

/// The name a pattern binds its whole value to (`x`, `&x`, `ref x`, `x: T`), if it does.
fn bound_name(pat: &Pat) -> Option<&syn::Ident> {
    match pat {
        Pat::Ident(pi) if pi.subpat.is_none() => Some(&pi.ident),
        Pat::Reference(pr) => bound_name(&pr.pat),
        Pat::Paren(pp) => bound_name(&pp.pat),
        Pat::Type(pt) => bound_name(&pt.pat),
        _ => None,
    }
}

/// The names the `let`s of `block` bind to a row by value.
pub(super) fn row_copy_names(block: &syn::Block) -> HashSet<String> {
    struct Lets(HashSet<String>);
    impl<'ast> Visit<'ast> for Lets {
        fn visit_local(&mut self, local: &'ast syn::Local) {
            if let Some(init) = &local.init {
                self.0.extend(row_copies(&local.pat, &init.expr));
            }
            syn::visit::visit_local(self, local);
        }
    }
    let mut lets = Lets(HashSet::default());
    lets.visit_block(block);
    lets.0
}

/// The names `pat` binds to a row by value (`let a = v[0];`, `let (a, b) = (v[i], v[j]);`,
/// `let [a, b] = [v[i], v[j]];`).
fn row_copies(pat: &Pat, init: &Expr) -> Vec<String> {
    let (pats, inits) = match (pat, init) {
        (Pat::Type(t), _) => return row_copies(&t.pat, init),
        (_, Expr::Paren(p)) => return row_copies(pat, &p.expr),
        (Pat::Ident(pi), Expr::Index(i)) if !matches!(&*i.index, Expr::Range(_)) => {
            return vec![pi.ident.to_string()]
        }
        (Pat::Tuple(pt), Expr::Tuple(t)) => (&pt.elems, &t.elems),
        (Pat::Slice(ps), Expr::Array(a)) => (&ps.elems, &a.elems),
        _ => return Vec::new(),
    };
    match pats.len() == inits.len() {
        true => pats
            .iter()
            .zip(inits)
            .flat_map(|(p, e)| row_copies(p, e))
            .collect(),
        false => Vec::new(),
    }
}

/// Whether `stmts` call a method of the local `name` (`n.cdf(x)`).
pub(super) fn receives_methods(name: &syn::Ident, stmts: &[SynStmt]) -> bool {
    struct Calls<'a>(&'a syn::Ident, bool);
    impl<'ast> Visit<'ast> for Calls<'_> {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            self.1 |= matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(self.0));
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut calls = Calls(name, false);
    stmts.iter().for_each(|s| calls.visit_stmt(s));
    calls.1
}
