//! What a function's statements say about its locals before they are lowered: which names
//! are read as arrays, as matrices, as `Option`s. A call bound to such a name returns one.

use super::*;

/// The local `e` names, dereferenced (`*row`) or in parentheses or not.
pub(super) fn local_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
        Expr::Unary(u) if matches!(u.op, SynUnOp::Deref(_)) => local_name(&u.expr),
        Expr::Paren(p) => local_name(&p.expr),
        _ => None,
    }
}

/// Locals the statements read as tuples, with how many of their numbers they read: a
/// numbered field (`p.1` of `let p = polar(x, y);`), a tuple pattern taking them apart (`let
/// (a, b) = p;`), and, in a function that returns a tuple of `returned` numbers, a `return
/// p;` or a tail (or a branch of one) that gives `p`.
pub(super) fn tuple_names(stmts: &[SynStmt], returned: Option<usize>) -> HashMap<String, usize> {
    struct Collect {
        counts: HashMap<String, usize>,
        returned: Option<usize>,
    }
    impl Collect {
        fn read(&mut self, name: Option<String>, count: usize) {
            if let Some(name) = name {
                let most = self.counts.entry(name).or_default();
                *most = (*most).max(count);
            }
        }
        /// The names an expression that gives a tuple of `count` numbers ends in, through
        /// its branches.
        fn given(&mut self, e: &Expr, count: usize) {
            match e {
                Expr::If(i) => {
                    if let Some(SynStmt::Expr(tail, None)) = i.then_branch.stmts.last() {
                        self.given(tail, count);
                    }
                    if let Some((_, otherwise)) = &i.else_branch {
                        self.given(otherwise, count);
                    }
                }
                Expr::Match(m) => m.arms.iter().for_each(|arm| self.given(&arm.body, count)),
                Expr::Block(b) => {
                    if let Some(SynStmt::Expr(tail, None)) = b.block.stmts.last() {
                        self.given(tail, count);
                    }
                }
                other => self.read(local_name(other), count),
            }
        }

        fn returned(&mut self, e: &Expr) {
            if let Some(len) = self.returned {
                self.given(e, len);
            }
        }
    }
    impl<'ast> Visit<'ast> for Collect {
        fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
            if let syn::Member::Unnamed(k) = &f.member {
                self.read(local_name(&f.base), k.index as usize + 1);
            }
            syn::visit::visit_expr_field(self, f);
        }
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let (Pat::Tuple(t), Some(init)) = (&l.pat, &l.init) {
                let named = t
                    .elems
                    .iter()
                    .take_while(|p| !matches!(p, Pat::Rest(_)))
                    .count();
                self.given(&init.expr, named);
            }
            syn::visit::visit_local(self, l);
        }
        fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
            if let Some(e) = &r.expr {
                self.returned(e);
            }
            syn::visit::visit_expr_return(self, r);
        }
        fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    }
    let mut c = Collect {
        counts: HashMap::default(),
        returned,
    };
    stmts.iter().for_each(|s| c.visit_stmt(s));
    if let Some(SynStmt::Expr(tail, None)) = stmts.last() {
        c.returned(tail);
    }
    c.counts
}

/// Locals the statements match with `Some(..)` (`if let`, `while let`, `match`) or ask
/// `is_some()`/`is_none()`.
pub(super) fn option_names(stmts: &[SynStmt]) -> HashSet<String> {
    #[derive(Default)]
    struct Collect(HashSet<String>);
    fn some(p: &Pat) -> bool {
        matches!(p, Pat::TupleStruct(t) if t.path.is_ident("Some"))
    }
    impl<'ast> Visit<'ast> for Collect {
        fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
            if some(&l.pat) {
                self.0.extend(local_name(&l.expr));
            }
            syn::visit::visit_expr_let(self, l);
        }
        fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
            if m.arms.iter().any(|a| some(&a.pat)) {
                self.0.extend(local_name(&m.expr));
            }
            syn::visit::visit_expr_match(self, m);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if m.method == "is_some" || m.method == "is_none" {
                self.0.extend(local_name(&m.receiver));
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut c = Collect::default();
    stmts.iter().for_each(|s| c.visit_stmt(s));
    c.0
}

/// Locals the statements read as matrices: with two indices (`m[i][j]`), by rows that are
/// lent (`&m[i]`), iterated or asked their length (`m[i].iter()`), or bound to a name read as
/// an array (`let r = m[1];`, `for row in m.iter()` of `row[0]`). `arrays`: the names read as
/// arrays.
pub(super) fn matrix_names(stmts: &[SynStmt], arrays: &HashSet<String>) -> HashSet<String> {
    struct Collect<'a> {
        matrices: HashSet<String>,
        arrays: &'a HashSet<String>,
    }
    /// `m` of `m[i]` (not of a slice, `m[1..]`).
    fn indexed(e: &Expr) -> Option<String> {
        match e {
            Expr::Index(i) if !matches!(&*i.index, Expr::Range(_)) => local_name(&i.expr),
            Expr::Paren(p) => indexed(&p.expr),
            _ => None,
        }
    }
    /// `m` of `m.iter()`, `&m`, `m`.
    fn iterated(e: &Expr) -> Option<String> {
        match e {
            Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => iterated(&m.receiver),
            Expr::Reference(r) => iterated(&r.expr),
            other => local_name(other),
        }
    }
    impl<'ast> Visit<'ast> for Collect<'_> {
        fn visit_expr_index(&mut self, i: &'ast syn::ExprIndex) {
            self.matrices.extend(indexed(&i.expr));
            syn::visit::visit_expr_index(self, i);
        }
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            for arg in &c.args {
                if let Expr::Reference(r) = arg {
                    self.matrices.extend(indexed(&r.expr));
                }
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if ["iter", "len"].iter().any(|a| m.method == a) {
                self.matrices.extend(indexed(&m.receiver));
            }
            syn::visit::visit_expr_method_call(self, m);
        }
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            if let Pat::Ident(row) = &*f.pat {
                if self.arrays.contains(&row.ident.to_string()) {
                    self.matrices.extend(iterated(&f.expr));
                }
            }
            syn::visit::visit_expr_for_loop(self, f);
        }
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let (Pat::Ident(name), Some(init)) = (&l.pat, &l.init) {
                if self.arrays.contains(&name.ident.to_string()) {
                    self.matrices.extend(indexed(&init.expr));
                }
            }
            syn::visit::visit_local(self, l);
        }
        // `i = r[0];` of an array `i`: `r` has rows.
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            if local_name(&a.left).is_some_and(|name| self.arrays.contains(&name)) {
                self.matrices.extend(indexed(&a.right));
            }
            syn::visit::visit_expr_assign(self, a);
        }
    }
    let mut c = Collect {
        matrices: HashSet::default(),
        arrays,
    };
    stmts.iter().for_each(|s| c.visit_stmt(s));
    c.matrices
}

/// Locals the statements index, iterate, ask the length of, or end with (a vector result):
/// a call bound to one of them returns an array.
pub(super) fn array_names(stmts: &[SynStmt], vector: bool) -> HashSet<String> {
    #[derive(Default)]
    struct Collect {
        arrays: HashSet<String>,
        /// `let copy = source;`: a copy is an array if it is read as one.
        copies: Vec<(String, String)>,
        /// Locals declared as matrices (`let mut h: Vec<Vec<f64>> = ..`, `vec![vec![..]; n]`).
        matrices: HashSet<String>,
        /// `m[l] = h;`: a row of `m` assigned a local, an array if `m` is a matrix.
        rows_assigned: Vec<(String, String)>,
    }
    impl Collect {
        fn note(&mut self, e: &Expr) {
            self.arrays.extend(local_name(e));
        }
    }
    impl<'ast> Visit<'ast> for Collect {
        fn visit_expr_index(&mut self, i: &'ast syn::ExprIndex) {
            self.note(&i.expr);
            syn::visit::visit_expr_index(self, i);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if is_array_method(&m.method.to_string()) {
                self.note(&m.receiver);
            }
            // `w.iter().zip(row)`: what is zipped is iterated too.
            if m.method == "zip" {
                m.args.iter().for_each(|a| self.note(a));
            }
            syn::visit::visit_expr_method_call(self, m);
        }
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let Some((a, b)) = iter::free_zip(c) {
                self.note(a);
                self.note(b);
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
            self.note(&r.expr);
            syn::visit::visit_expr_reference(self, r);
        }
        // `sum.clone() + elt.clone()`, `l0 * &t` (generic numeric code): numbers copied or
        // behind `&` in arithmetic, not arrays.
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            for operand in [&*b.left, &*b.right] {
                self.visit_expr(super::copied_operand(operand).unwrap_or(operand));
            }
        }
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            self.note(&f.expr);
            syn::visit::visit_expr_for_loop(self, f);
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            if let Some(elements) = vec_elements(mac) {
                self.visit_expr(&elements);
                return;
            }
            // `assert!(row.len() >= 2)`, `println!("{}", v[0])`: arguments that are
            // expressions tell how their locals are read too.
            let args = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
            if let Ok(args) = syn::parse::Parser::parse2(args, mac.tokens.clone()) {
                args.iter().for_each(|a| self.visit_expr(a));
            }
        }
        // `h = y;`: one is an array if the other is.
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            if let (Some(left), Some(right)) = (local_name(&a.left), local_name(&a.right)) {
                self.copies.push((left.clone(), right.clone()));
                self.copies.push((right, left));
            }
            if let (Expr::Index(i), Some(right)) = (&*a.left, local_name(&a.right)) {
                if let Some(matrix) = local_name(&i.expr) {
                    self.rows_assigned.push((matrix, right));
                }
            }
            syn::visit::visit_expr_assign(self, a);
        }
        fn visit_local(&mut self, l: &'ast syn::Local) {
            if let Some(init) = &l.init {
                let pat = match &l.pat {
                    Pat::Type(t) => &*t.pat,
                    other => other,
                };
                match pat {
                    Pat::Slice(_) => self.note(&init.expr),
                    Pat::Ident(pi) => {
                        if let Some(source) = local_name(&init.expr) {
                            self.copies.push((pi.ident.to_string(), source));
                        }
                        // `let mut i = [1.0, 0.0, 0.0];`: an array, whatever reads it.
                        if matches!(&*init.expr, Expr::Array(_) | Expr::Repeat(_)) {
                            self.arrays.insert(pi.ident.to_string());
                        }
                        let typed = matches!(&l.pat, Pat::Type(t) if nested_type(&t.ty));
                        if typed || nested_literal(&init.expr) {
                            self.matrices.insert(pi.ident.to_string());
                        }
                    }
                    _ => {}
                }
            }
            syn::visit::visit_local(self, l);
        }
    }
    let mut c = Collect::default();
    for stmt in stmts {
        c.visit_stmt(stmt);
    }
    for (matrix, row) in &c.rows_assigned {
        if c.matrices.contains(matrix) {
            c.arrays.insert(row.clone());
        }
    }
    // The vector result, and what the last statement names when it is one.
    c.arrays.insert(RESULT.to_string());
    if let (true, Some(SynStmt::Expr(tail, None))) = (vector, stmts.last()) {
        c.note(tail);
    }
    loop {
        let before = c.arrays.len();
        for (copy, source) in &c.copies {
            if c.arrays.contains(copy) {
                c.arrays.insert(source.clone());
            }
        }
        if c.arrays.len() == before {
            return c.arrays;
        }
    }
}

/// Whether a type is an array or `Vec` of arrays or `Vec`s (`Vec<Vec<f64>>`, `[[f64; 2]; 3]`).
fn nested_type(ty: &syn::Type) -> bool {
    let element = |ty: &syn::Type| match ty {
        syn::Type::Array(a) => Some((*a.elem).clone()),
        ty => super::written_types::vec_element(ty),
    };
    element(ty).and_then(|inner| element(&inner)).is_some()
}

/// Whether `e` makes a matrix by repetition: `vec![vec![0.0; n]; m]`, `[[0.0; n]; m]`.
fn nested_literal(e: &Expr) -> bool {
    let repeated = |e: &Expr| -> Option<Expr> {
        match e {
            Expr::Repeat(r) => Some((*r.expr).clone()),
            Expr::Macro(m) if m.mac.path.is_ident("vec") => match vec_elements(&m.mac)? {
                Expr::Repeat(r) => Some(*r.expr),
                _ => None,
            },
            _ => None,
        }
    };
    repeated(e).and_then(|inner| repeated(&inner)).is_some()
}

/// Names a pattern binds to integers of data whose type the signature writes: `a` of
/// `for &(a, r) in episode`, of `let (a, r) = episode[t];` or of `episode.iter().map(|&(a,
/// r)| ..)` over `episode: &[(usize, f64)]`, which would otherwise be taken for float data
/// when passed to a call; and names a closure's parameter states integers
/// (`|(p, n): (usize, usize)|`).
pub(super) fn typed_integer_bindings(block: &syn::Block, sig: &Signature) -> HashSet<String> {
    struct Collect<'a> {
        types: &'a HashMap<String, syn::Type>,
        names: HashSet<String>,
    }
    impl<'ast> Visit<'ast> for Collect<'_> {
        fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
            if let Some(item) = item_type(&f.expr, self.types) {
                integer_bindings(&f.pat, &item, &mut self.names);
            }
            syn::visit::visit_expr_for_loop(self, f);
        }

        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            // The item a closure of an adaptor takes: the last parameter of `fold`'s, the
            // only one of the others' (behind a reference for the predicates).
            let closure = match m.args.last() {
                Some(Expr::Closure(c)) => c.inputs.last(),
                _ => None,
            };
            if let (Some(item), Some(param)) = (item_type(&m.receiver, self.types), closure) {
                integer_bindings(param, &item, &mut self.names);
            }
            syn::visit::visit_expr_method_call(self, m);
        }

        fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
            for input in &c.inputs {
                if let Pat::Type(t) = input {
                    integer_bindings(&t.pat, &t.ty, &mut self.names);
                }
            }
            syn::visit::visit_expr_closure(self, c);
        }

        fn visit_local(&mut self, l: &'ast syn::Local) {
            let mut init = l.init.as_ref().map(|i| &*i.expr);
            while let Some(
                Expr::Reference(syn::ExprReference { expr, .. })
                | Expr::Paren(syn::ExprParen { expr, .. }),
            ) = init
            {
                init = Some(expr);
            }
            if let Some(Expr::Index(i)) = init {
                if let Some(element) = root_type(&i.expr, self.types).and_then(element_type) {
                    integer_bindings(&l.pat, element, &mut self.names);
                }
            }
            syn::visit::visit_local(self, l);
        }
    }
    let mut collect = Collect {
        types: &sig.written_types,
        names: HashSet::default(),
    };
    collect.visit_block(block);
    collect.names
}

/// The type a parameter `e` names (through `&` and parentheses) is written with.
pub(super) fn root_type<'a>(
    e: &Expr,
    types: &'a HashMap<String, syn::Type>,
) -> Option<&'a syn::Type> {
    match e {
        Expr::Reference(r) => root_type(&r.expr, types),
        Expr::Paren(p) => root_type(&p.expr, types),
        Expr::Path(p) => types.get(&p.path.get_ident()?.to_string()),
        _ => None,
    }
}

/// The type of what iterating `e` gives, for a parameter of a written type iterated as
/// written (`episode`, `episode.iter()`, `.copied()`, `.enumerate()`).
fn item_type(e: &Expr, types: &HashMap<String, syn::Type>) -> Option<syn::Type> {
    match e {
        Expr::MethodCall(m) if m.args.is_empty() => {
            let inner = item_type(&m.receiver, types)?;
            match m.method.to_string().as_str() {
                "iter" | "into_iter" | "copied" | "cloned" => Some(inner),
                "enumerate" => Some(syn::parse_quote!((usize, #inner))),
                _ => None,
            }
        }
        e => root_type(e, types).and_then(element_type).cloned(),
    }
}

/// The element type of a slice, an array or a `Vec`, behind references.
pub(super) fn element_type(ty: &syn::Type) -> Option<&syn::Type> {
    match ty {
        syn::Type::Reference(r) => element_type(&r.elem),
        syn::Type::Paren(p) => element_type(&p.elem),
        syn::Type::Slice(s) => Some(&s.elem),
        syn::Type::Array(a) => Some(&a.elem),
        ty => crate::sig::vec_row(ty),
    }
}

/// Adds the names `pat` binds to integer parts of a value of type `ty`.
fn integer_bindings(pat: &Pat, ty: &syn::Type, names: &mut HashSet<String>) {
    let ty = match ty {
        syn::Type::Reference(r) => &*r.elem,
        syn::Type::Paren(p) => &*p.elem,
        ty => ty,
    };
    match (pat, ty) {
        (Pat::Reference(r), ty) => integer_bindings(&r.pat, ty, names),
        (Pat::Type(t), _) => integer_bindings(&t.pat, &t.ty, names),
        (Pat::Paren(p), ty) => integer_bindings(&p.pat, ty, names),
        (Pat::Tuple(p), syn::Type::Tuple(t))
            if p.elems.len() == t.elems.len()
                && !p.elems.iter().any(|e| matches!(e, Pat::Rest(_))) =>
        {
            for (p, t) in p.elems.iter().zip(&t.elems) {
                integer_bindings(p, t, names);
            }
        }
        (Pat::Ident(pi), syn::Type::Path(tp))
            if pi.subpat.is_none()
                && tp
                    .path
                    .get_ident()
                    .is_some_and(|i| crate::sig::INT_TYPES.contains(&&*i.to_string())) =>
        {
            names.insert(pi.ident.to_string());
        }
        _ => {}
    }
}

/// The `macro_rules!` a body defines (`macro_rules! g { .. }`), by name, with their rules.
pub(super) fn local_macros(block: &syn::Block) -> HashMap<String, proc_macro2::TokenStream> {
    #[derive(Default)]
    struct Collect(HashMap<String, proc_macro2::TokenStream>);
    impl<'ast> Visit<'ast> for Collect {
        fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
            if let (true, Some(name)) = (m.mac.path.is_ident("macro_rules"), &m.ident) {
                self.0.insert(name.to_string(), m.mac.tokens.clone());
            }
        }
    }
    let mut collect = Collect::default();
    collect.visit_block(block);
    collect.0
}

/// The structs the function declares in its body (`struct terms(i8, i32);`, astro-rust's
/// tables of series terms): a call of one, whatever its name's case, builds a value of it.
pub(super) fn local_structs(block: &syn::Block) -> HashSet<String> {
    #[derive(Default)]
    struct Collect(HashSet<String>);
    impl<'ast> Visit<'ast> for Collect {
        fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
            self.0.insert(s.ident.to_string());
        }
    }
    let mut collect = Collect::default();
    collect.visit_block(block);
    collect.0
}

/// The names the `let`s of the body bind more than once (shadowing: `let s = cross(a, b);
/// let s = norm(&s);`), whose reads say what each binding is only up to the next.
pub(super) fn rebound_names(block: &syn::Block) -> HashSet<String> {
    #[derive(Default)]
    struct Collect {
        bound: HashSet<String>,
        rebound: HashSet<String>,
    }
    impl<'ast> Visit<'ast> for Collect {
        fn visit_local(&mut self, local: &'ast syn::Local) {
            let mut names = Vec::new();
            super::opaque::mentioned_names(local.pat.to_token_stream(), &mut names);
            for (name, _) in names {
                let name = name.to_string();
                if !self.bound.insert(name.clone()) {
                    self.rebound.insert(name);
                }
            }
            syn::visit::visit_local(self, local);
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut collect = Collect::default();
    collect.visit_block(block);
    collect.rebound
}
