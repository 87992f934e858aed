//! The scan of a function's body for the field paths of its models it reads, and how each is
//! read (as a number, an array, data, ...): what `expand` makes a parameter of.

use super::*;

/// Field paths read, with how, and the locals that stand for fields.
pub(super) struct Scan<'a> {
    /// The models and data structs, by name.
    pub(super) models: &'a HashMap<String, usize>,
    /// The data structs among them.
    pub(super) data: &'a HashSet<usize>,
    /// Locals the body indexes or iterates: a field copied into one is an array.
    pub(super) array_names: HashSet<String>,
    pub(super) reads: Vec<(usize, Vec<Member>, Read, Span, bool)>,
    pub(super) float: FunctionFloat,
    /// The integer parameters: a field compared with one or in arithmetic with one
    /// (`x > self.n`, `self.n - x`) is an integer.
    pub(super) integers: HashSet<String>,
    /// Locals bound to a field (`let w = &net.w1;`): how they are read is how the field is.
    pub(super) aliases: HashMap<String, (usize, Vec<Member>)>,
    /// Local closures (`let sq = |a: &[f64]| ..;`), by name: how many indices each of their
    /// parameters takes (`&[f64]`: 1; untyped: 1), since a field lent to one is read there.
    pub(super) closures: HashMap<String, Vec<usize>>,
    /// Locals bound by value to a model's field (`let hs = m.hidden;`), with the `let`'s
    /// span: their reads say whether the field is an integer (`m.b[hs + j]`) or a float.
    pub(super) value_aliases: HashMap<String, ((usize, Vec<Member>), Span)>,
    pub(super) errors: &'a mut Errors,
}

impl Scan<'_> {
    fn closure_params(&self, func: &Expr) -> Option<&Vec<usize>> {
        let Expr::Path(p) = func else { return None };
        self.closures.get(&p.path.get_ident()?.to_string())
    }

    fn chain(&self, expr: &Expr) -> Option<(usize, Vec<Member>)> {
        field_chain(self.models, expr).or_else(|| match expr {
            Expr::Path(p) => self.aliases.get(&p.path.get_ident()?.to_string()).cloned(),
            // `*w` of an alias `let w = &m.w;`
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => match &*u.expr {
                Expr::Path(_) => self.chain(&u.expr),
                _ => None,
            },
            _ => None,
        })
    }

    /// Whether the body of `f` reads the item it binds as an integer or integers (`j` of `for
    /// &j in ..`, `ed` of `pts[ed[0]]`, `from` of `for &(from, to) in ..`).
    fn items_index(&self, f: &syn::ExprForLoop) -> bool {
        let mut names = Vec::new();
        crate::lower::bound_names(&f.pat, &mut names);
        names
            .iter()
            .any(|name| crate::lower::read_as_integer(name, &f.body.stmts, self.float.primitive()))
    }

    /// The operand of `e` when it converts it to the other float type with `as` (`net.a as
    /// f64` in an `f32` function), in parentheses or not.
    fn other_float_operand<'e>(&self, e: &'e Expr) -> Option<&'e Expr> {
        match e {
            Expr::Cast(c) if self.float.cast_to_other(&c.ty) => Some(&c.expr),
            Expr::Paren(p) => self.other_float_operand(&p.expr),
            _ => None,
        }
    }

    /// Whether `e` is an integer parameter or a range's counter, an integer literal (`4`, not
    /// `4.0` or `4f64`: no float is compared with one), a conversion to an integer (`n as
    /// i32`) or an integer's method of one (`i.abs_diff(j)`), in parentheses or not.
    fn names_integer(&self, e: &Expr) -> bool {
        match e {
            Expr::Cast(c) => crate::sig::is_int_or_bool(&c.ty),
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(i),
                ..
            }) => !matches!(i.suffix(), "f32" | "f64"),
            Expr::Path(p) => p
                .path
                .get_ident()
                .is_some_and(|i| self.integers.contains(&i.to_string())),
            Expr::Paren(p) => self.names_integer(&p.expr),
            // `i.abs_diff(j)`, `i.saturating_sub(k)`: an integer's method giving one.
            Expr::MethodCall(m) => {
                crate::lower::methods::INT_METHODS.contains(&&*m.method.to_string())
                    && self.names_integer(&m.receiver)
            }
            _ => false,
        }
    }

    fn read(&mut self, expr: &Expr, read: Read) -> bool {
        let as_array = matches!(read, Read::Whole | Read::Array(_));
        self.read_as(expr, read, as_array)
    }

    /// A field read as data, by value (`match self.kind`) or by reference (`match &m.mask`,
    /// bound by reference: it may not be `Copy`).
    fn read_data(&mut self, expr: &Expr) -> bool {
        match expr {
            Expr::Reference(r) if r.mutability.is_none() => self.read_as(&r.expr, Read::Data, true),
            _ => self.read(expr, Read::Data),
        }
    }

    /// Records a read; `as_array`: one that needs an array (iterated, copied, lent), not
    /// only an element of it.
    fn read_as(&mut self, expr: &Expr, read: Read, as_array: bool) -> bool {
        match self.chain(expr) {
            Some((model, path)) => {
                self.reads.push((model, path, read, expr.span(), as_array));
                true
            }
            None => false,
        }
    }

    /// Notes the locals `pat` binds to fields: `let w = &net.w;`, `let (w, b) = (&net.w,
    /// net.b);`.
    fn alias(&mut self, pat: &syn::Pat, init: &Expr) {
        match (pat, init) {
            (syn::Pat::Ident(pi), _) => {
                let target = match init {
                    Expr::Reference(r) if r.mutability.is_none() => &r.expr,
                    other => other,
                };
                if let Some(chain) = field_chain(self.models, target) {
                    self.aliases.insert(pi.ident.to_string(), chain);
                }
            }
            (syn::Pat::Tuple(pt), Expr::Tuple(t)) if pt.elems.len() == t.elems.len() => {
                for (p, e) in pt.elems.iter().zip(&t.elems) {
                    self.alias(strip_type(p), e);
                }
            }
            _ => {}
        }
    }

    /// A loop over a field (`&m.w`, `m.w.iter()`, `m.w`, also zipped or enumerated: `for (i,
    /// row) in m.w.iter().enumerate()`, `for (row, b) in m.w.iter().zip(&m.b)`) whose item
    /// the body reads as an array: the field is read as a matrix, and what it is zipped with
    /// as numbers. One whose item the body never reads only counts the field's items, of
    /// whatever type: the field is read whole.
    fn rows_loop(&mut self, f: &syn::ExprForLoop) -> bool {
        self.rows_of(&f.expr, &f.pat, &f.body, false)
    }

    /// The same for a chain's closure (`m.w.iter().zip(&m.b).map(|(row, b)| ..)`): `items`
    /// iterated, each bound to `pat` and read by `body`. In a chain (`in_chain`), an item of
    /// a model's field only handed to calls (`dot(row, x)`) is a row too: a chain lends no
    /// sub-model (a `for` loop does, `items.rs`), and no `#[grad]` function takes `&f64`.
    fn rows_of(
        &mut self,
        items: &Expr,
        pat: &syn::Pat,
        body: &impl ToTokens,
        in_chain: bool,
    ) -> bool {
        let mut sources = Vec::new();
        if !item_sources(items, pat, &mut sources) {
            return false;
        }
        let reads: Vec<Read> = sources
            .iter()
            .map(|&(source, written)| match strip_type(by_value(written)) {
                pat if crate::lower::unread_item(pat, body) => Read::Whole,
                syn::Pat::Ident(item) if self.array_names.contains(&item.ident.to_string()) => {
                    Read::Array(2)
                }
                // An item of data only handed to calls (`m.predict(x)`) is lent as a row, by
                // reference as the iterator gives it, as an alias of it would be.
                syn::Pat::Ident(item)
                    if matches!(written, syn::Pat::Ident(_))
                        && self
                            .chain(source)
                            .is_some_and(|(m, _)| in_chain || self.data.contains(&m))
                        && only_lent(&item.ident, body) =>
                {
                    Read::Array(2)
                }
                _ => Read::Array(1),
            })
            .collect();
        let rows = sources.iter().zip(&reads).any(|((source, _), read)| {
            !matches!(read, Read::Array(1)) && self.chain(source).is_some()
        });
        if !rows {
            return false;
        }
        for ((source, _), read) in sources.into_iter().zip(reads) {
            if !self.read(source, read) {
                self.visit_expr(source);
            }
        }
        true
    }

    /// `items.map(|item| ..)`, `.for_each(..)` or `.fold(init, |acc, item| ..)` over the rows
    /// of a matrix field (see [`Self::rows_of`]).
    fn rows_chain(&mut self, m: &syn::ExprMethodCall) -> bool {
        let (closure, item) = match (
            m.method.to_string().as_str(),
            &*m.args.iter().collect::<Vec<_>>(),
        ) {
            ("map" | "for_each", [Expr::Closure(c)]) => (c, 0),
            ("fold", [_, Expr::Closure(c)]) => (c, 1),
            _ => return false,
        };
        match closure.inputs.iter().nth(item) {
            Some(pat) => self.rows_of(&m.receiver, pat, &closure.body, true),
            None => false,
        }
    }

    /// A loop over a model's field, through an iterator `sequence_items` does not take, whose
    /// body reads a named field of an item: items of a sequence of sub-models that would be
    /// taken for numbers. (An item only handed to calls may be a number: not told.)
    fn unlent_items(&self, f: &syn::ExprForLoop) -> bool {
        let mut e = &*f.expr;
        while let Expr::MethodCall(syn::ExprMethodCall { receiver, .. })
        | Expr::Reference(syn::ExprReference { expr: receiver, .. })
        | Expr::Paren(syn::ExprParen { expr: receiver, .. }) = e
        {
            e = receiver;
        }
        let model_field = self
            .chain(e)
            .is_some_and(|(m, path)| !path.is_empty() && !self.data.contains(&m));
        if !model_field || sequence_items(f).is_some() {
            return false;
        }
        // The names an item may be bound to: not under `&` (`for (&u, &v) in ..`: numbers).
        fn items<'p>(pat: &'p syn::Pat, out: &mut Vec<&'p Ident>) {
            match pat {
                syn::Pat::Ident(p) => out.push(&p.ident),
                syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| items(p, out)),
                syn::Pat::Type(t) => items(&t.pat, out),
                syn::Pat::Paren(p) => items(&p.pat, out),
                _ => {}
            }
        }
        let mut names = Vec::new();
        items(&f.pat, &mut names);
        names.into_iter().any(|name| {
            let mut find = FirstField { name, found: None };
            find.visit_block(&f.body);
            find.found.is_some()
        })
    }

    /// An index: a field read there is an integer.
    fn index(&mut self, index: &Expr) {
        match index {
            // `o * net.n_in + i`: integer arithmetic, its fields are sizes.
            Expr::Binary(b) if crate::lower::compound_op(&b.op).is_none() => {
                self.index(&b.left);
                self.index(&b.right);
            }
            Expr::Paren(p) => self.index(&p.expr),
            _ if self.read(index, Read::Data) => {}
            // `x[m.indices[k]]`: an element of a field of indices (`#[params(skip)] indices:
            // Vec<usize>`), an integer array.
            Expr::Index(_) if self.read_as(index_base(index).0, Read::Data, true) => {
                let mut e = index;
                while let Expr::Index(i) = e {
                    self.index(&i.index);
                    e = &i.expr;
                }
            }
            _ => self.visit_expr(index),
        }
    }

    /// A field of one item of a model's field: read when the item is picked by an index
    /// (`self.layers[k].b`, a loop over the items rewritten to one), true; reported when it
    /// is picked otherwise (`self.layers.last().unwrap().b`) or the items of a loop are used
    /// as more than sub-models lent and read (`let m = l;`), true too.
    fn item_field(&mut self, expr: &Expr) -> bool {
        if let Expr::Field(f) = expr {
            if let Some((sequence, index)) = indexed_item(&f.base) {
                if field_chain(self.models, sequence).is_some_and(|(m, _)| !self.data.contains(&m))
                {
                    self.read(sequence, Read::Array(2));
                    self.index(index);
                    return true;
                }
            }
        }
        let sequence = match expr {
            Expr::Field(f) if matches!(f.member, Member::Named(_)) => {
                item_of(&f.base).map(|sequence| (sequence, None))
            }
            Expr::ForLoop(f) if sequence_loop(f).is_some() => None,
            Expr::ForLoop(f) => sequence_items(f)
                .filter(|l| l.partner.is_none())
                .and_then(|l| {
                    let mut find = FirstField {
                        name: &l.item,
                        found: None,
                    };
                    find.visit_block(&f.body);
                    find.found.map(|field| (l.sequence, field))
                })
                .map(|(sequence, field)| (sequence, Some(field))),
            _ => None,
        };
        let Some((sequence, field)) = sequence else {
            return false;
        };
        let model = field_chain(self.models, sequence).map(|(model, _)| model);
        if model.is_none_or(|m| self.data.contains(&m)) {
            return false;
        }
        let written = |e: &dyn ToTokens| e.to_token_stream().to_string().replace(' ', "");
        let at: &dyn ToTokens = match &field {
            Some(field) => field,
            None => expr,
        };
        let (read, sequence) = (written(at), written(sequence));
        self.errors.on(
            at,
            format!("#[grad] reads the fields of the items of `{sequence}` picked by an index (`{sequence}[k].b`, `l.w[j]` for `l` in `&{sequence}`), or lends the items to their own methods (`l.forward(&h)`), but not `{read}`: index the item, or give the item's type a `#[grad(self)]` method that reads it (`fn penalty(&self) -> f64`) and call that"),
        );
        true
    }

    fn written(&mut self, target: &Expr) {
        let (base, _) = index_base(target);
        let model = field_chain(self.models, base)
            .map(|(model, _)| model)
            .or_else(|| model_name(self.models, base));
        if model.is_some_and(|m| !self.data.contains(&m)) {
            self.errors.on(
                target,
                "#[grad] reads a model's fields but cannot differentiate writes to them: copy the field into a local (`let mut h = net.b;`) and change the copy",
            );
        }
    }
}

/// The name a `let` binds to a number that is not an integer (`let tf = tf as f64;`,
/// `let n: f64 = ..`): an integer parameter of that name is a float from there on.
fn float_rebinding(stmt: &syn::Stmt) -> Option<&Ident> {
    let syn::Stmt::Local(local) = stmt else {
        return None;
    };
    let (ident, ty) = match &local.pat {
        syn::Pat::Ident(pi) => (&pi.ident, None),
        syn::Pat::Type(pt) => match &*pt.pat {
            syn::Pat::Ident(pi) => (&pi.ident, Some(&*pt.ty)),
            _ => return None,
        },
        _ => return None,
    };
    let not_integer = |ty: &syn::Type| !crate::sig::is_int_or_bool(ty);
    let cast = match local.init.as_ref().map(|init| &*init.expr) {
        Some(Expr::Cast(c)) => Some(&*c.ty),
        _ => None,
    };
    ty.or(cast).is_some_and(not_integer).then_some(ident)
}

impl Scan<'_> {
    /// The statements of `block`, in order.
    fn visit_stmts(&mut self, block: &syn::Block) {
        for (at, stmt) in block.stmts.iter().enumerate() {
            // `let start = t * m.stride;`, then `x[start]`: its fields are integers, as they
            // are in an index (`#[params(skip)] stride: usize`). (A field bound alone, `let t
            // = m.t;`, is read where its local is: `t as usize` truncates a float as well.)
            if let syn::Stmt::Local(syn::Local {
                pat: syn::Pat::Ident(pi),
                init: Some(init),
                ..
            }) = stmt
            {
                let rest = &block.stmts[at + 1..];
                if init.diverge.is_none()
                    && field_chain(self.models, &init.expr).is_none()
                    && crate::lower::read_as_integer(&pi.ident, rest, self.float.0)
                {
                    self.index(&init.expr);
                    continue;
                }
            }
            self.visit_stmt(stmt);
            if let Some(name) = float_rebinding(stmt) {
                self.integers.remove(&name.to_string());
            }
        }
    }
}

impl Scan<'_> {
    fn scan_expr(&mut self, expr: &Expr) {
        if self.item_field(expr) {
            return;
        }
        // `item_field(l.w[j])`, `integer_field(l.n)`: the item's own field, at indices.
        if let Some(marked) = marked(expr) {
            let (Marked::Number(mut read) | Marked::Integer(mut read) | Marked::Cast(mut read)) =
                marked;
            while let Expr::Index(i) = read {
                self.index(&i.index);
                read = &i.expr;
            }
            if let Some(f) = marked.field() {
                match indexed_item(&f.base) {
                    Some((sequence, index)) => {
                        self.read(sequence, Read::Array(2));
                        self.index(index);
                    }
                    // `l` of a loop over the items, read as a sequence by the loop.
                    None => self.visit_expr(&f.base),
                }
            }
            return;
        }
        // `m.w.len() / m.heads`: arithmetic with a length is on integers (Rust does not mix
        // types), so its fields are sizes, as in an index.
        if matches!(expr, Expr::Binary(b) if crate::lower::compound_op(&b.op).is_none())
            && counts_lengths(expr)
        {
            self.index(expr);
            return;
        }
        // `read` records a use; a recorded chain's own parts are not visited again.
        match expr {
            // `buf = net.u[j];` of a local array: a row of a matrix field, as in `let`.
            Expr::Assign(a) if matches!(&*a.left, Expr::Path(p) if p.path.get_ident().is_some_and(|n| self.array_names.contains(&n.to_string()))) =>
            {
                let (base, n) = index_base(&a.right);
                if self.read(base, Read::Array(n + 1)) {
                    let mut e = &*a.right;
                    while let Expr::Index(i) = e {
                        self.index(&i.index);
                        e = &i.expr;
                    }
                    return;
                }
            }
            Expr::Index(_) => {
                let (base, n) = index_base(expr);
                if self.read_as(base, Read::Array(n), false) {
                    let mut e = expr;
                    while let Expr::Index(i) = e {
                        self.index(&i.index);
                        e = &i.expr;
                    }
                    return;
                }
                if let Expr::Index(i) = expr {
                    self.index(&i.index);
                    self.visit_expr(&i.expr);
                    return;
                }
            }
            Expr::Reference(r) if r.mutability.is_none() && self.read(&r.expr, Read::Whole) => {
                return;
            }
            // `&net.w[j]`: a row of a matrix lent to a call; `&net.w[1..]`: a slice of an
            // array, `&net.w[j][1..]` of a row.
            Expr::Reference(r) if r.mutability.is_none() && matches!(*r.expr, Expr::Index(_)) => {
                let (base, n) = index_base(&r.expr);
                let sliced =
                    matches!(&*r.expr, Expr::Index(i) if matches!(*i.index, Expr::Range(_)));
                if self.read(base, Read::Array(n + 1 - usize::from(sliced))) {
                    let mut e = &*r.expr;
                    while let Expr::Index(i) = e {
                        self.visit_expr(&i.index);
                        e = &i.expr;
                    }
                    return;
                }
            }
            Expr::Reference(r) if r.mutability.is_some() => self.written(&r.expr),
            // `m.mat.iter().map(|row| dot(row, x))`: the rows of a matrix in a chain.
            Expr::MethodCall(m) if self.rows_chain(m) => {
                m.args.iter().for_each(|a| self.visit_expr(a));
                return;
            }
            // `.zip(&m.b)`, `.chain(m.b.iter())`: a field iterated beside the chain.
            Expr::MethodCall(m)
                if (m.method == "zip" || m.method == "chain")
                    && m.args.len() == 1
                    && partner_array(&m.args[0]).is_some_and(|a| self.read(a, Read::Array(1))) =>
            {
                self.visit_expr(&m.receiver);
                return;
            }
            // `q.r.powi(q.servers)`: an integer exponent.
            Expr::MethodCall(m) if m.method == "powi" && m.args.len() == 1 => {
                self.visit_expr(&m.receiver);
                self.index(&m.args[0]);
                return;
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                // `net.layers.len()`: a count, of items of any type, taken of the field as
                // data (a field read otherwise too is read as that); `m.mask.is_some()` of a
                // skipped `Option`; `m.cuts.partition_point(|&c| c < t)`, a search, its
                // closure visited.
                const COUNTED: &[&str] = &[
                    "len",
                    "is_empty",
                    "is_some",
                    "is_none",
                    "partition_point",
                    "binary_search",
                    "binary_search_by",
                    "binary_search_by_key",
                    "contains",
                ];
                if COUNTED.contains(&&*name) && self.read_as(&m.receiver, Read::Data, true) {
                    m.args.iter().for_each(|a| self.visit_expr(a));
                    return;
                }
                // (`self.first()`: the model's own method named as a slice's, as no model is
                // a slice)
                let whole_model = self
                    .chain(&m.receiver)
                    .is_some_and(|(_, path)| path.is_empty());
                let read = if !crate::lower::is_array_method(&name) {
                    Read::Scalar
                } else if crate::lower::is_model_method(&name)
                    || (whole_model && crate::lower::methods::own_method_of_struct(&name))
                {
                    // `self.l1.forward(x)`: a sub-model's own method, which it is lent to.
                    Read::Whole
                } else {
                    Read::Array(1)
                };
                let as_array = read != Read::Scalar;
                if self.read_as(&m.receiver, read, as_array) {
                    m.args.iter().for_each(|a| self.visit_expr(a));
                    return;
                }
                // `net.w[j].iter()`: a row of a matrix field; `net.layers[k].forward(x)`: a
                // sub-model of a sequence, read as its rows are.
                // `net.w[1..].iter()`: a slice of it.
                let row_or_item = matches!(read, Read::Array(1) | Read::Whole);
                if let (true, Expr::Index(last)) = (row_or_item, &*m.receiver) {
                    let (base, n) = index_base(&m.receiver);
                    let sliced = matches!(*last.index, Expr::Range(_));
                    if self.read(base, Read::Array(n + 1 - usize::from(sliced))) {
                        let mut e = &*m.receiver;
                        while let Expr::Index(i) = e {
                            match &*i.index {
                                Expr::Range(r) => {
                                    for bound in r.start.iter().chain(&r.end) {
                                        self.index(bound);
                                    }
                                }
                                index => self.index(index),
                            }
                            e = &i.expr;
                        }
                        m.args.iter().for_each(|a| self.visit_expr(a));
                        return;
                    }
                }
            }
            // `0..im.width - 1`: a bound is an integer, as an index is.
            Expr::Range(r) => {
                for bound in r.start.iter().chain(&r.end) {
                    self.index(bound);
                }
                return;
            }
            // `net.n as f64` in an `f64` function: a count, or a parameter.
            Expr::Cast(c) if self.float.cast_to(&c.ty) && self.read(&c.expr, Read::Cast) => return,
            // `f64::from(net.n)`, a conversion the same way.
            Expr::Call(c)
                if c.args.len() == 1
                    && self.float.converted_by(&c.func)
                    && self.read(&c.args[0], Read::Cast) =>
            {
                return
            }
            // `sq(&net.w2)` of a local closure, inlined: the field is read as the closure's
            // parameter is.
            Expr::Call(c) if self.closure_params(&c.func).is_some() => {
                let depths = self.closure_params(&c.func).cloned().unwrap_or_default();
                for (i, arg) in c.args.iter().enumerate() {
                    let depth = depths.get(i).copied().unwrap_or(0);
                    let lent = match arg {
                        Expr::Reference(r) if r.mutability.is_none() && depth > 0 => {
                            self.chain(&r.expr).is_some() && self.read(&r.expr, Read::Array(depth))
                        }
                        _ => false,
                    };
                    if !lent {
                        self.visit_expr(arg);
                    }
                }
                return;
            }
            Expr::Call(c) if passes_fields(c) => {
                for arg in &c.args {
                    if !self.read_as(arg, Read::Passed, false) {
                        self.visit_expr(arg);
                    }
                }
                return;
            }
            // `net.a as f64` in an `f32` function: the other float type, whose arithmetic is
            // not differentiated.
            Expr::Cast(c)
                if self.other_float_operand(expr).is_some()
                    && self.read(&c.expr, Read::OtherFloat) =>
            {
                return
            }
            // `net.n as usize` (which may truncate a float): data.
            Expr::Cast(c) if self.read(&c.expr, Read::Data) => return,
            // `[0.0; net.n_out]`, `vec![0.0; net.n_out]`: a length.
            Expr::Repeat(r) => {
                self.visit_expr(&r.expr);
                self.index(&r.len);
                return;
            }
            // `if cfg.mean { .. }`, `!cfg.mean`, `cfg.a && ..`: a flag, never a float.
            Expr::If(i) if self.read(&i.cond, Read::Data) => {
                self.visit_block(&i.then_branch);
                if let Some((_, e)) = &i.else_branch {
                    self.visit_expr(e);
                }
                return;
            }
            Expr::While(w) if self.read(&w.cond, Read::Data) => {
                self.visit_block(&w.body);
                return;
            }
            // `match self.kind { Kind::Normal => .. }`, `if let Kind::Normal = self.kind`: an
            // enum (a `#[params(skip)]` field), never a float.
            Expr::Match(m) if self.read_data(&m.expr) => {
                for arm in &m.arms {
                    if let Some((_, guard)) = &arm.guard {
                        self.visit_expr(guard);
                    }
                    self.visit_expr(&arm.body);
                }
                return;
            }
            Expr::Let(l) if self.read_data(&l.expr) => return,
            // `l0 * &cusp.chroma`, `cusp.chroma.clone() * 2.0` (palette's generic code): a
            // number behind `&` or copied, an operand of arithmetic.
            Expr::Binary(b)
                if crate::lower::compound_op(&b.op).is_none()
                    && [&b.left, &b.right]
                        .iter()
                        .any(|e| copied_number(e).is_some()) =>
            {
                for operand in [&b.left, &b.right] {
                    match copied_number(operand) {
                        Some(field) if self.read(field, Read::Scalar) => {}
                        _ => self.visit_expr(operand),
                    }
                }
                return;
            }
            // `x > self.n`, `(self.n - x) as f64` with `x` an integer parameter, `self.dim > 4`:
            // integers.
            Expr::Binary(b)
                if !matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_))
                    && crate::lower::compound_op(&b.op).is_none()
                    && [&b.left, &b.right].iter().any(|e| self.names_integer(e)) =>
            {
                self.index(&b.left);
                self.index(&b.right);
                return;
            }
            // `net.mode == Mode::A`: an enum compared with a variant.
            Expr::Binary(b)
                if matches!(b.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_))
                    && ((is_variant(&b.right) && self.read(&b.left, Read::Data))
                        || (is_variant(&b.left) && self.read(&b.right, Read::Data))) =>
            {
                return
            }
            // `(net.a as f64) > x` in an `f32` function: a comparison, through which no
            // derivative flows, of a number converted to the other float type.
            Expr::Binary(b)
                if crate::lower::call::is_comparison(&b.op)
                    && [&b.left, &b.right]
                        .iter()
                        .any(|e| self.other_float_operand(e).is_some()) =>
            {
                for side in [&b.left, &b.right] {
                    match self.other_float_operand(side) {
                        Some(operand) if self.read(operand, Read::Compared) => {}
                        _ => self.visit_expr(side),
                    }
                }
                return;
            }
            Expr::Unary(u)
                if matches!(u.op, syn::UnOp::Not(_)) && self.read(&u.expr, Read::Data) =>
            {
                return
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) => {
                for side in [&b.left, &b.right] {
                    if !self.read(side, Read::Data) {
                        self.visit_expr(side);
                    }
                }
                return;
            }
            Expr::Assign(a) => self.written(&a.left),
            Expr::Binary(b) if crate::lower::compound_op(&b.op).is_some() => self.written(&b.left),
            // `for layer in &net.layers { f(layer, ..) }`: sub-models lent one by one.
            Expr::ForLoop(f)
                if sequence_loop(f).is_some_and(|l| self.read(l.sequence, Read::Array(2))) =>
            {
                if let Some(l) = sequence_loop(f) {
                    l.skip
                        .iter()
                        .chain(&l.take)
                        .chain(&l.step)
                        .for_each(|n| self.index(n));
                }
                if let Some(p) = sequence_loop(f).and_then(|l| l.partner) {
                    self.read(p.array, Read::Array(1));
                }
                self.visit_block(&f.body);
                return;
            }
            // `for &j in s.nbrs.iter() { .. s.pos[j] .. }`: a field of indices (a skipped
            // `Vec<usize>`; `Vec<[usize; 2]>` of `pts[ed[0]]`), data, not rows.
            Expr::ForLoop(f)
                if self.items_index(f) && self.read_as(iterated(&f.expr), Read::Data, true) =>
            {
                self.visit_block(&f.body);
                return;
            }
            // `for row in m.mat.iter()` with `row[k]` in the body: the rows of a matrix.
            Expr::ForLoop(f) if self.rows_loop(f) => {
                self.visit_block(&f.body);
                return;
            }
            Expr::ForLoop(f) if self.unlent_items(f) => {
                self.errors.on(
                    &f.expr,
                    "#[grad] lends the items of a sequence of sub-models and their parts (`dense(&b.attn, &h)`, `b.attn.score(h)`, `b.w[j]`) in `for` loops over the sequence (`&net.blocks`, `.iter()` with `.enumerate()`, `.rev()`, `.rev().enumerate()`, `.skip(n)`, `.take(n)`, `.step_by(k)`, or `.zip(..)` of numbers alone), not through this iterator: write it as one of these, or index the items (`for k in 0..net.blocks.len() { .. &net.blocks[k].attn .. }`)",
                );
                return;
            }
            Expr::ForLoop(f) if self.read(&f.expr, Read::Array(1)) => {
                self.visit_pat(&f.pat);
                self.visit_block(&f.body);
                return;
            }
            Expr::Field(_) if self.read(expr, Read::Scalar) => return,
            // `hs` of `let hs = m.hidden;` read as a number.
            Expr::Path(p)
                if p.path
                    .get_ident()
                    .is_some_and(|n| self.value_aliases.contains_key(&n.to_string())) =>
            {
                self.read(expr, Read::Scalar);
                return;
            }
            Expr::Path(_) => {
                if let Some(model) = model_name(self.models, expr) {
                    self.reads
                        .push((model, Vec::new(), Read::Whole, expr.span(), true));
                }
            }
            _ => {}
        }
        syn::visit::visit_expr(self, expr);
    }
}

impl<'ast> Visit<'ast> for Scan<'_> {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        // (integer parameters a `let` in this block makes floats, restored after it)
        let integers = self.integers.clone();
        self.visit_stmts(block);
        self.integers = integers;
    }

    fn visit_expr(&mut self, expr: &'ast Expr) {
        // A closure's parameters and a loop's pattern rebind names: an integer parameter's
        // name there is not the parameter (`|tf| m.w * tf`).
        let mut bound = Vec::new();
        match expr {
            Expr::Closure(c) => c
                .inputs
                .iter()
                .for_each(|p| crate::lower::bound_names(p, &mut bound)),
            Expr::ForLoop(f) => crate::lower::bound_names(&f.pat, &mut bound),
            _ => {}
        }
        // A range's counter (`for i in 0..x.len()`) is an integer in the loop: a field
        // compared with it (`i > m.window`) is one too.
        let counter = match expr {
            Expr::ForLoop(f) => range_counter(f),
            _ => None,
        };
        if counter.is_some() || bound.iter().any(|n| self.integers.contains(&n.to_string())) {
            let integers = self.integers.clone();
            for name in bound {
                self.integers.remove(&name.to_string());
            }
            self.integers.extend(counter);
            self.scan_expr(expr);
            self.integers = integers;
        } else {
            self.scan_expr(expr);
        }
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        // `let n: usize = net.n_in;`, `let hd: usize = m.w.len() / m.heads;`: integer fields,
        // read as in an index.
        if let (syn::Pat::Type(t), Some(init)) = (&local.pat, &local.init) {
            let boolean = matches!(&*t.ty, syn::Type::Path(p) if p.path.is_ident("bool"));
            if crate::sig::is_int_or_bool(&t.ty) && !boolean && init.diverge.is_none() {
                self.index(&init.expr);
                return;
            }
            if boolean && self.read(&init.expr, Read::Data) {
                return;
            }
        }
        // `let [p, q] = m.w;`: the field is an array.
        if let (syn::Pat::Slice(_), Some(init)) = (strip_type(&local.pat), &local.init) {
            if self.read(&init.expr, Read::Array(1)) {
                if let Some((_, diverge)) = &init.diverge {
                    self.visit_expr(diverge);
                }
                return;
            }
        }
        // `let hs = m.hidden;` (or `m.hidden.clone()`): read where `hs` is.
        if let (syn::Pat::Ident(pi), Some(init)) = (&local.pat, &local.init) {
            let value = match &*init.expr {
                Expr::MethodCall(m) if copied_number(&init.expr).is_some() => &*m.receiver,
                e => e,
            };
            let chain = field_chain(self.models, value)
                .filter(|(m, path)| !path.is_empty() && !self.data.contains(m));
            let name = pi.ident.to_string();
            if let (Some(chain), None, false) =
                (chain, &init.diverge, self.array_names.contains(&name))
            {
                self.aliases.insert(name.clone(), chain.clone());
                self.value_aliases.insert(name, (chain, init.expr.span()));
                return;
            }
        }
        if let Some(init) = &local.init {
            self.alias(strip_type(&local.pat), &init.expr);
            if let (syn::Pat::Ident(pi), Expr::Closure(c)) = (strip_type(&local.pat), &*init.expr) {
                let depths = c.inputs.iter().map(|p| match p {
                    syn::Pat::Type(t) => array_depth(&t.ty),
                    _ => 1,
                });
                self.closures.insert(pi.ident.to_string(), depths.collect());
            }
        }
        // `let n = &cfg.n;` of a data struct: an array only if the body reads `n` as one;
        // else kept as written (`*n`).
        if let (syn::Pat::Ident(pi), Some(init)) = (strip_type(&local.pat), &local.init) {
            if let Expr::Reference(r) = &*init.expr {
                let data =
                    field_chain(self.models, &r.expr).is_some_and(|(m, _)| self.data.contains(&m));
                let as_array = self.array_names.contains(&pi.ident.to_string());
                if r.mutability.is_none() && data && self.read_as(&r.expr, Read::Whole, as_array) {
                    return;
                }
            }
        }
        // `let mut h = net.b;` followed by `h[i]`: the field is an array; `let e =
        // net.emb[k];` followed by `e[0]`: a row of a matrix field.
        if let (syn::Pat::Ident(pi), Some(init)) = (strip_type(&local.pat), &local.init) {
            let (base, n) = index_base(&init.expr);
            if self.array_names.contains(&pi.ident.to_string())
                && self.read(base, Read::Array(n + 1))
            {
                let mut e = &*init.expr;
                while let Expr::Index(i) = e {
                    self.index(&i.index);
                    e = &i.expr;
                }
                if let Some((_, diverge)) = &init.diverge {
                    self.visit_expr(diverge);
                }
                return;
            }
        }
        syn::visit::visit_local(self, local);
    }

    // A macro's tokens are passed through as written, reading `net.w` themselves; a
    // `vec![..]` is lowered as the array it makes.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Some(elements) = crate::lower::vec_elements(mac) {
            self.visit_expr(&elements);
        }
        // `matches!(net.kind, Kind::A)`: an enum.
        if let Some((scrutinee, _)) = matched_scrutinee(mac) {
            self.read(&scrutinee, Read::Data);
        }
    }
}

/// The sequence a `for` loop iterates as written (`s.nbrs` of `s.nbrs.iter().copied()`, of
/// `&s.nbrs`).
fn iterated(expr: &Expr) -> &Expr {
    match expr {
        Expr::MethodCall(m)
            if m.args.is_empty()
                && ["iter", "into_iter", "copied", "cloned"].contains(&&*m.method.to_string()) =>
        {
            iterated(&m.receiver)
        }
        Expr::Reference(r) if r.mutability.is_none() => iterated(&r.expr),
        Expr::Paren(p) => iterated(&p.expr),
        e => e,
    }
}

/// The number an operand reads behind `&` or through `.clone()` (`&cusp.chroma`,
/// `cusp.chroma.clone()`), when it is a field.
fn copied_number(e: &Expr) -> Option<&Expr> {
    crate::lower::copied_operand(e).filter(|inner| matches!(inner, Expr::Field(_)))
}

/// The name a `for` loop binds to a counter: a range's item (`i` of `for i in 0..n`,
/// `(0..n).rev()`, `(0..n).step_by(2)`), or an enumeration's index (`i` of `for (i, v) in
/// x.iter().enumerate()`).
fn range_counter(f: &syn::ExprForLoop) -> Option<String> {
    let enumerated = matches!(&*f.expr, Expr::MethodCall(m) if m.method == "enumerate");
    match (&*f.pat, enumerated) {
        (syn::Pat::Tuple(t), true) => match t.elems.first() {
            Some(syn::Pat::Ident(pi)) => return Some(pi.ident.to_string()),
            _ => return None,
        },
        (syn::Pat::Ident(_), false) => {}
        _ => return None,
    }
    let syn::Pat::Ident(pi) = &*f.pat else {
        return None;
    };
    let mut e = &*f.expr;
    loop {
        e = match e {
            Expr::Paren(p) => &p.expr,
            Expr::MethodCall(m)
                if ["rev", "step_by", "into_iter"].contains(&&*m.method.to_string()) =>
            {
                &m.receiver
            }
            Expr::Range(_) => return Some(pi.ident.to_string()),
            _ => return None,
        };
    }
}
