//! The items of a model's sequences of sub-models (`net.layers`): loops over them rewritten to
//! loops over indices (`for l in &net.layers` to `for k in 0..net.layers.len()`), each item
//! lent as `&net.layers[k]`, and the numbers read in their fields marked for lowering
//! (`item_field(net.layers[k].w[j])`).

use crate::hash::{HashMap, HashSet};

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Member};

use super::field_chain;
use crate::diag::Errors;

/// A loop over a sequence of sub-models (or rows) that lends each to calls: `for item in
/// &net.layers`, `net.layers.iter()`, with `.rev()`, `.skip(n)`, or `.enumerate()` (then
/// `.rev()`), whose body only hands `item` to calls, as an argument of its own.
pub(super) struct SequenceLoop<'a> {
    pub(super) sequence: &'a Expr,
    pub(super) item: Ident,
    /// `.zip(other)`: the array of numbers zipped with the sequence, and the name its items are
    /// bound to (`s` or `&s`).
    pub(super) partner: Option<Partner<'a>>,
    /// The index `.enumerate()` binds (`None` for `_` or no `enumerate`).
    pub(super) counter: Option<Ident>,
    pub(super) rev: bool,
    /// `.rev().enumerate()`: the counter counts the items from the last.
    pub(super) counted_from_end: bool,
    /// `.step_by(k)`, outside any `take` and `skip`.
    pub(super) step: Option<&'a Expr>,
    /// `.take(n)`, outside any `skip`.
    pub(super) take: Option<&'a Expr>,
    pub(super) skip: Option<&'a Expr>,
    /// The end of a range of the sequence (`&net.layers[..k]`), if not its length.
    pub(super) end: Option<Expr>,
}

pub(super) struct Partner<'a> {
    pub(super) array: &'a Expr,
    pub(super) item: Ident,
    /// Bound by a reference pattern (`&x`): a copy of a number.
    pub(super) copied: bool,
}

impl SequenceLoop<'_> {
    /// The loop over indices it stands for, each item lent as `&net.layers[index]`.
    pub(super) fn rewrite(&self, f: &syn::ExprForLoop) -> Expr {
        let Self { sequence, .. } = self;
        let name = format!("{}{}_index", crate::lower::SYNTHETIC, self.item);
        let index = Ident::new(&name, f.for_token.span);
        let place: Expr = syn::parse_quote!(#sequence[#index]);
        let element: Expr = syn::parse_quote!(&#place);
        let mut body = f.body.clone();
        Substitute {
            name: self.item.clone(),
            by: element,
            place,
        }
        .visit_block_mut(&mut body);
        let mut end: Expr = self
            .end
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(#sequence.len()));
        if let Some(p) = &self.partner {
            let array = p.array;
            SubstitutePartner {
                name: p.item.clone(),
                element: syn::parse_quote!(#array[#index]),
                by_ref: !p.copied,
            }
            .visit_block_mut(&mut body);
            end = syn::parse_quote!(#end.min(#array.len()));
        }
        let start: Expr = self
            .skip
            .map_or_else(|| syn::parse_quote!(0), |n| n.clone());
        if let Some(n) = self.take {
            end = syn::parse_quote!(((#start) + (#n)).min(#end));
        }
        if let Some(k) = &self.counter {
            let counter: syn::Stmt = match self.counted_from_end {
                // `.rev().enumerate()`: the last item first, counted 0
                true => syn::parse_quote!(let #k = #end - 1 - #index;),
                false => syn::parse_quote!(let #k = #index;),
            };
            body.stmts.insert(0, counter);
        }
        let mut range: Expr = syn::parse_quote!((#start..#end));
        if let Some(k) = self.step {
            range = syn::parse_quote!(#range.step_by(#k));
        }
        if self.rev {
            range = syn::parse_quote!(#range.rev());
        }
        syn::parse_quote!(for #index in #range #body)
    }
}

pub(super) fn sequence_loop(f: &syn::ExprForLoop) -> Option<SequenceLoop<'_>> {
    let l = sequence_items(f)?;
    let mut uses = Uses::of(&l.item);
    uses.visit_block(&f.body);
    // The partner's items are read in place: numbers, or rows of a parameter or a local lent
    // to calls (a sequence of models zipped with this one, its items lent to calls, is not
    // taken yet; one bound by `&x` holds numbers).
    if let Some(p) = l.partner.as_ref().filter(|p| !p.copied) {
        let mut lent = Uses::of(&p.item);
        lent.visit_block(&f.body);
        let named = matches!(p.array, Expr::Path(path) if path.path.get_ident().is_some());
        if lent.as_argument > 0 && !named {
            return None;
        }
    }
    uses.lent_or_read().then_some(l)
}

/// A loop over the items of a field (`for l in &net.layers`, `.iter()`, `.enumerate()`,
/// `.rev()`, `.skip(n)`, `.zip(&other)`, `&net.layers[1..]`), however its body uses them.
pub(super) fn sequence_items(f: &syn::ExprForLoop) -> Option<SequenceLoop<'_>> {
    // Outermost first: `.rev()`, then `.enumerate()`, then `.skip(n)`, then the sequence.
    let mut e = &*f.expr;
    let mut rev = false;
    if let Expr::MethodCall(m) = e {
        if m.method == "rev" && m.args.is_empty() {
            rev = true;
            e = &m.receiver;
        }
    }
    let mut enumerate = false;
    if let Expr::MethodCall(m) = e {
        if m.method == "enumerate" && m.args.is_empty() {
            enumerate = true;
            e = &m.receiver;
        }
    }
    // `.rev().enumerate()`
    let mut counted_from_end = false;
    if let Expr::MethodCall(m) = e {
        if m.method == "rev" && m.args.is_empty() && enumerate && !rev {
            (rev, counted_from_end) = (true, true);
            e = &m.receiver;
        }
    }
    // A counter after `step_by`, or after a `skip`, counts the items taken: not this loop's.
    let mut step = None;
    if let Expr::MethodCall(m) = e {
        if m.method == "step_by" && m.args.len() == 1 && !enumerate && !counted_from_end {
            step = m.args.first();
            e = &m.receiver;
        }
    }
    let mut take = None;
    if let Expr::MethodCall(m) = e {
        if m.method == "take" && m.args.len() == 1 {
            take = m.args.first();
            e = &m.receiver;
        }
    }
    let mut skip = None;
    if let Expr::MethodCall(m) = e {
        if m.method == "skip" && m.args.len() == 1 && !enumerate {
            skip = m.args.first();
            e = &m.receiver;
        }
    }
    // `.zip(other)` right after `.iter()`, with nothing around it: `for (l, s) in ..`.
    let mut zipped = None;
    if let Expr::MethodCall(m) = e {
        let plain = !rev && !enumerate && skip.is_none() && take.is_none() && step.is_none();
        if m.method == "zip" && m.args.len() == 1 && plain {
            zipped = partner_array(&m.args[0]);
            zipped?;
            e = &m.receiver;
        }
    }
    let sequence = match e {
        Expr::Reference(r) if r.mutability.is_none() && !rev && skip.is_none() && !enumerate => {
            &*r.expr
        }
        Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => &*m.receiver,
        _ => return None,
    };
    // `&net.layers[1..]`: the items of a range of the sequence (counted from its start by
    // `enumerate`, which is not this loop's index).
    let mut end = None;
    let mut sequence = sequence;
    if let Expr::Index(i) = sequence {
        let Expr::Range(r) = &*i.index else {
            return None;
        };
        if skip.is_some() || take.is_some() || step.is_some() || enumerate {
            return None;
        }
        skip = r.start.as_deref();
        end = r.end.as_deref().map(|e| match r.limits {
            syn::RangeLimits::HalfOpen(_) => e.clone(),
            syn::RangeLimits::Closed(_) => syn::parse_quote!((#e) + 1),
        });
        sequence = &i.expr;
    }
    // A field, or a local that may be bound to one (`let layers = &net.layers;`).
    if !matches!(sequence, Expr::Field(_) | Expr::Path(_)) {
        return None;
    }
    let mut partner = None;
    let (item, counter) = match (&*f.pat, enumerate) {
        (syn::Pat::Tuple(t), false) if t.elems.len() == 2 && zipped.is_some() => {
            let (syn::Pat::Ident(pi), other) = (&t.elems[0], &t.elems[1]) else {
                return None;
            };
            let (item, copied) = match other {
                syn::Pat::Ident(s) => (s.ident.clone(), false),
                syn::Pat::Reference(r) => match &*r.pat {
                    syn::Pat::Ident(s) => (s.ident.clone(), true),
                    _ => return None,
                },
                _ => return None,
            };
            partner = zipped.map(|array| Partner {
                array,
                item,
                copied,
            });
            (pi.ident.clone(), None)
        }
        _ if zipped.is_some() => return None,
        (syn::Pat::Ident(pi), false) => (pi.ident.clone(), None),
        (syn::Pat::Tuple(t), true) if t.elems.len() == 2 => match (&t.elems[0], &t.elems[1]) {
            (syn::Pat::Ident(k), syn::Pat::Ident(pi)) => (pi.ident.clone(), Some(k.ident.clone())),
            (syn::Pat::Wild(_), syn::Pat::Ident(pi)) => (pi.ident.clone(), None),
            _ => return None,
        },
        _ => return None,
    };
    Some(SequenceLoop {
        sequence,
        item,
        partner,
        counter,
        rev,
        counted_from_end,
        step,
        take,
        skip,
        end,
    })
}

/// How often a body names `name`, and how often as an argument lent to a call (`g(&l)`,
/// `l.forward(x)`).
pub(in crate::lower) struct Uses<'a> {
    name: &'a Ident,
    pub(in crate::lower) as_argument: usize,
    /// Reads of its fields (`l.w[j]`, `l.b`).
    fields: usize,
    pub(in crate::lower) all: usize,
}
impl<'ast> Visit<'ast> for Uses<'_> {
    fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
        if matches!(&*f.base, Expr::Path(p) if p.path.is_ident(self.name)) {
            self.fields += 1;
        }
        syn::visit::visit_expr_field(self, f);
    }
    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        for arg in &c.args {
            if matches!(arg, Expr::Path(p) if p.path.is_ident(self.name)) {
                self.as_argument += 1;
            }
        }
        syn::visit::visit_expr_call(self, c);
    }
    // `layer.forward(x)`: lent to its own method; `net.logit(x)`: lent to a model's method.
    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if crate::lower::is_model_method(&m.method.to_string()) {
            let receiver = std::iter::once(&*m.receiver);
            self.as_argument += receiver
                .chain(&m.args)
                .filter(|e| matches!(e, Expr::Path(p) if p.path.is_ident(self.name)))
                .count();
        }
        // (not the method's name: `q.q(x)` uses `q` once)
        self.visit_expr(&m.receiver);
        m.args.iter().for_each(|a| self.visit_expr(a));
    }
    fn visit_ident(&mut self, i: &'ast Ident) {
        if i == self.name {
            self.all += 1;
        }
    }
    // `l.b`: the field `b` is no use of a `b`.
    fn visit_member(&mut self, _: &'ast Member) {}
    // `assert!(row.len() >= 2)`: a use that is not an argument.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let mut names = Vec::new();
        crate::lower::opaque::mentioned_names(mac.tokens.clone(), &mut names);
        self.all += names.iter().filter(|(n, _)| n == self.name).count();
    }
}

impl<'a> Uses<'a> {
    pub(in crate::lower) fn of(name: &'a Ident) -> Self {
        Uses {
            name,
            as_argument: 0,
            fields: 0,
            all: 0,
        }
    }

    /// Whether every use lends it or reads one of its fields, and there is one.
    pub(in crate::lower) fn lent_or_read(&self) -> bool {
        self.all > 0 && self.all == self.as_argument + self.fields
    }

    /// Whether every use is a lending one, and there is one.
    pub(in crate::lower) fn only_lent(&self) -> bool {
        self.all > 0 && self.all == self.as_argument
    }
}

/// The array of `.zip(other)`: `a.iter()`, `&a` or `a`.
pub(super) fn partner_array(other: &Expr) -> Option<&Expr> {
    let array = match other {
        Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => &*m.receiver,
        Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
        other => other,
    };
    matches!(array, Expr::Path(_) | Expr::Field(_)).then_some(array)
}

/// Replaces the zipped partner's item, a number, by its element: `*s` and `s` by `a[k]`.
struct SubstitutePartner {
    name: Ident,
    element: Expr,
    /// Whether the item is a reference (not bound by `&x`), which a call is lent.
    by_ref: bool,
}

impl SubstitutePartner {
    fn is_name(&self, e: &Expr) -> bool {
        matches!(e, Expr::Path(p) if p.path.is_ident(&self.name))
    }

    /// An argument naming the item: lent, as the iterator gives it (`dot(row, &xs[index])`).
    fn lend(&self, args: &mut syn::punctuated::Punctuated<Expr, syn::Token![,]>) {
        if !self.by_ref {
            return;
        }
        let element = &self.element;
        for arg in args.iter_mut().filter(|a| self.is_name(a)) {
            *arg = syn::parse_quote!(&#element);
        }
    }
}

impl VisitMut for SubstitutePartner {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) && self.is_name(&u.expr) => {
                *expr = self.element.clone();
            }
            Expr::Call(c) => {
                self.lend(&mut c.args);
                syn::visit_mut::visit_expr_mut(self, expr);
            }
            Expr::MethodCall(m) => {
                self.lend(&mut m.args);
                syn::visit_mut::visit_expr_mut(self, expr);
            }
            _ if self.is_name(expr) => *expr = self.element.clone(),
            _ => syn::visit_mut::visit_expr_mut(self, expr),
        }
    }
}

/// The field an item of is taken from: `self.layers` of `self.layers[0]`,
/// `self.layers.last().unwrap()` or `(self.layers[k])`.
pub(super) fn item_of(expr: &Expr) -> Option<&Expr> {
    let mut e = expr;
    let mut item = false;
    loop {
        match e {
            Expr::Index(i) => e = &i.expr,
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && ["first", "last", "unwrap", "iter", "next"]
                        .contains(&&*m.method.to_string()) =>
            {
                e = &m.receiver
            }
            Expr::Paren(p) => {
                e = &p.expr;
                continue;
            }
            Expr::Field(_) if item => return Some(e),
            _ => return None,
        }
        item = true;
    }
}

/// The sequence and index of an item picked by one index (`net.layers[k]`, in parentheses or
/// not).
pub(super) fn indexed_item(expr: &Expr) -> Option<(&Expr, &Expr)> {
    match expr {
        Expr::Paren(p) => indexed_item(&p.expr),
        Expr::Index(i) if !matches!(&*i.index, Expr::Range(_)) => match &*i.expr {
            Expr::Index(_) => None,
            sequence => Some((sequence, &i.index)),
        },
        _ => None,
    }
}

/// A read of a field of an item as [`MarkItemFields`] marks it.
pub(in crate::lower) enum Marked<'a> {
    /// `item_field(l.w[j])`: a number, differentiated.
    Number(&'a Expr),
    /// `integer_field(l.n)`, `integer_field(l.w.len())`: an integer, passed through.
    Integer(&'a Expr),
    /// `item_cast(l.n) as f64`, cast to the function's float: an integer or a number, which
    /// the field's type decides.
    Cast(&'a Expr),
}

impl<'a> Marked<'a> {
    /// The field itself: the read without its indices or its `.len()`.
    pub(in crate::lower) fn field(&self) -> Option<&'a syn::ExprField> {
        let (Marked::Number(read) | Marked::Integer(read) | Marked::Cast(read)) = *self;
        let mut e = read;
        loop {
            match e {
                Expr::Index(i) => e = &i.expr,
                Expr::MethodCall(m) => e = &m.receiver,
                Expr::Field(f) => return Some(f),
                _ => return None,
            }
        }
    }
}

const NUMBER: &str = "item_field";
const INTEGER: &str = "integer_field";
const CAST: &str = "item_cast";

/// The read a marker call wraps, if `expr` is one (see [`MarkItemFields`]).
pub(in crate::lower) fn marked(expr: &Expr) -> Option<Marked<'_>> {
    let Expr::Call(c) = expr else { return None };
    let Expr::Path(p) = &*c.func else { return None };
    let (true, [read]) = (
        p.path.leading_colon.is_some(),
        &*c.args.iter().collect::<Vec<_>>(),
    ) else {
        return None;
    };
    let marker = |name: &str| {
        crate::lower::path_matches(&p.path, |names| names == ["autodiff", "__private", name])
    };
    if marker(NUMBER) {
        Some(Marked::Number(read))
    } else if marker(INTEGER) {
        Some(Marked::Integer(read))
    } else if marker(CAST) {
        Some(Marked::Cast(read))
    } else {
        None
    }
}

/// `read` wrapped in the marker `name` (`::autodiff::__private::item_field(read)`).
fn mark(read: &mut Expr, name: &str) {
    let marker = Ident::new(name, read.span());
    let inner = read.clone();
    *read = syn::parse_quote_spanned!(inner.span()=> ::autodiff::__private::#marker(#inner));
}

/// Whether `expr` is a field of a model that is differentiated, holding sub-models.
pub(super) fn is_sequence(
    models: &HashMap<String, usize>,
    data: &HashSet<usize>,
    expr: &Expr,
) -> bool {
    field_chain(models, expr).is_some_and(|(m, _)| !data.contains(&m))
}

/// Rewrites `let outs: Vec<f64> = net.layers.iter().map(|l| l.forward(x)).collect();` over a
/// sequence of sub-models to the loop that pushes each item's value, `let mut outs:
/// Vec<f64> = Vec::new(); for l in net.layers.iter() { outs.push(l.forward(x)); }`, whose items
/// are lent and read as any such loop's are. Before the marking, which sees that loop.
pub(super) struct CollectedItems<'a> {
    pub(super) models: &'a HashMap<String, usize>,
    pub(super) data: &'a HashSet<usize>,
}

impl VisitMut for CollectedItems<'_> {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        super::replace_stmts(block, |stmt| self.push_loop(stmt).map(Vec::from));
        syn::visit_mut::visit_block_mut(self, block);
    }
}

impl CollectedItems<'_> {
    /// The declaration and the pushing loop that stand for `stmt`, if it collects the values
    /// of a closure over a sequence's items (one without `return` or `?`, which would leave
    /// the function from a loop, nor a loop left early inside).
    fn push_loop(&self, stmt: &syn::Stmt) -> Option<[syn::Stmt; 2]> {
        let syn::Stmt::Local(local) = stmt else {
            return None;
        };
        let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
        let Expr::MethodCall(collect) = &*init.expr else {
            return None;
        };
        let Expr::MethodCall(map) = &*collect.receiver else {
            return None;
        };
        let closure = match map.args.first() {
            Some(Expr::Closure(c)) if map.args.len() == 1 && c.inputs.len() == 1 => c,
            _ => return None,
        };
        if collect.method != "collect" || !collect.args.is_empty() || map.method != "map" {
            return None;
        }
        let (pat, written) = match &local.pat {
            syn::Pat::Type(t) => (&*t.pat, Some((*t.ty).clone())),
            pat => (pat, None),
        };
        let syn::Pat::Ident(pi) = pat else {
            return None;
        };
        let ty = written.or_else(|| match collect.turbofish.as_ref()?.args.first()? {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        });
        let (name, item, body, source) = (
            &pi.ident,
            crate::lower::strip_type(&closure.inputs[0]),
            &closure.body,
            &map.receiver,
        );
        let looped: syn::ExprForLoop = syn::parse_quote_spanned!(collect.method.span()=>
            for #item in #source { #name.push(#body); }
        );
        let sequence = sequence_loop(&looped)?.sequence;
        if !is_sequence(self.models, self.data, sequence)
            || crate::lower::pushes::leaves_early(&looped.body)
        {
            return None;
        }
        let ty = ty.map(|t| quote::quote!(: #t));
        let declare = syn::parse_quote_spanned!(local.span()=>
            let mut #name #ty = ::std::vec::Vec::new();
        );
        Some([declare, syn::Stmt::Expr(Expr::ForLoop(looped), None)])
    }
}

/// Rewrites `net.layers.first().unwrap()` to `net.layers[0]`, `.last().expect(..)` to
/// `net.layers[net.layers.len() - 1]`: an item picked by an index, which panics where the
/// `unwrap` would, on an empty sequence. Before the marking, which sees items by index.
pub(super) struct EndItems<'a> {
    pub(super) models: &'a HashMap<String, usize>,
    pub(super) data: &'a HashSet<usize>,
}

impl VisitMut for EndItems<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, expr);
        let Expr::MethodCall(unwrap) = &*expr else {
            return;
        };
        let Expr::MethodCall(end) = &*unwrap.receiver else {
            return;
        };
        let unwrapped = crate::lower::is_unwrap(unwrap);
        if !unwrapped || !end.args.is_empty() || !is_sequence(self.models, self.data, &end.receiver)
        {
            return;
        }
        let (sequence, span) = (&end.receiver, end.method.span());
        let item = match end.method.to_string().as_str() {
            "first" => syn::parse_quote_spanned!(span=> #sequence[0]),
            "last" => syn::parse_quote_spanned!(span=> #sequence[#sequence.len() - 1]),
            _ => return,
        };
        *expr = item;
    }
}

/// Marks every read of a field of an item of a sequence of sub-models (`l.w[j]` for `l` in
/// `&net.layers`, `net.layers[k].b`): as a number, `item_field(..)`, which lowering
/// differentiates as a read of the item, or as an integer, `integer_field(..)`, passed through.
/// The macro never sees the item's type, so what a field holds comes from where it is read:
/// one read in an index, a range bound or the operand of a cast, or measured (`l.w.len()`),
/// is an integer. Lowering rejects a read it finds unmarked, never passing one through
/// unseen. A field lent or iterated whole (`&l.w`, `l.w.iter()`) is reported.
pub(super) struct MarkItemFields<'a> {
    pub(super) models: &'a HashMap<String, usize>,
    pub(super) data: &'a HashSet<usize>,
    /// The names of the items of the loops over sequences around (`l`).
    pub(super) items: Vec<Ident>,
    /// In an index or a range bound.
    pub(super) integer: bool,
    /// The function's float: a field cast to it with `as` may be a number.
    pub(super) float: super::FunctionFloat,
    pub(super) errors: &'a mut Errors,
}

impl MarkItemFields<'_> {
    /// Whether `expr` is a field of an item, at indices that are not ranges.
    fn is_item_field(&self, expr: &Expr) -> bool {
        let mut e = expr;
        while let Expr::Index(i) = e {
            if matches!(&*i.index, Expr::Range(_)) {
                return false;
            }
            e = &i.expr;
        }
        let Expr::Field(f) = e else { return false };
        match &*f.base {
            Expr::Path(p) => p.path.get_ident().is_some_and(|i| self.items.contains(i)),
            base => indexed_item(base).is_some_and(|(sequence, _)| self.is_sequence(sequence)),
        }
    }

    fn is_sequence(&self, expr: &Expr) -> bool {
        is_sequence(self.models, self.data, expr)
    }

    /// Marks a read of an item's field, its indices as integers.
    fn mark_read(&mut self, expr: &mut Expr, marker: &str) {
        let mut e = &mut *expr;
        while let Expr::Index(i) = e {
            self.integer(&mut i.index);
            e = &mut i.expr;
        }
        if let Expr::Field(f) = e {
            if let Some(Expr::Index(i)) = Some(&mut *f.base) {
                self.integer(&mut i.index);
            }
        }
        mark(expr, marker);
    }

    fn integer(&mut self, expr: &mut Expr) {
        let outer = std::mem::replace(&mut self.integer, true);
        self.visit_expr_mut(expr);
        self.integer = outer;
    }

    /// Whether `expr` is a part of an item reached by fields alone (`l.attn`,
    /// `net.blocks[k].attn.inner`), which a call is lent whole.
    fn is_lent_part(&self, expr: &Expr) -> bool {
        let mut e = expr;
        let mut fields = 0;
        while let Expr::Field(f) = e {
            if !matches!(f.member, Member::Named(_)) {
                return false;
            }
            (e, fields) = (&f.base, fields + 1);
        }
        let item = match e {
            Expr::Path(p) => p.path.get_ident().is_some_and(|i| self.items.contains(i)),
            base => indexed_item(base).is_some_and(|(sequence, _)| self.is_sequence(sequence)),
        };
        fields > 0 && item
    }

    /// An argument of a call: `&l.attn`, a part of the item (a sub-model, an array) lent
    /// whole, or any other.
    fn argument(&mut self, arg: &mut Expr) {
        match arg {
            Expr::Reference(r) if r.mutability.is_none() && self.is_lent_part(&r.expr) => {
                self.lend_part(&mut r.expr)
            }
            _ => self.visit_expr_mut(arg),
        }
    }

    /// A part of an item lent whole: left as written, the item's index an integer.
    fn lend_part(&mut self, expr: &mut Expr) {
        let mut e = expr;
        while let Expr::Field(f) = e {
            e = &mut f.base;
        }
        if let Expr::Index(i) = e {
            self.integer(&mut i.index);
        }
    }

    fn whole(&mut self, expr: &Expr) {
        let field = expr.to_token_stream().to_string().replace(' ', "");
        self.errors.on(
            expr,
            format!("#[grad] reads the numbers in a field of an item of a sequence one at a time (`{field}[j]`) or lends the field whole to a call (`g(&{field})`), but does not iterate it or use it whole otherwise yet: loop over `0..{field}.len()` and read `{field}[j]`, or give the item's type a `#[grad(self)]` method that reads it and call that"),
        );
    }
}

/// Float methods that integers have too: on an item's field, they do not say it is a number.
const INTEGER_METHODS: &[&str] = &[
    "abs",
    "max",
    "min",
    "clamp",
    "signum",
    "rem_euclid",
    "div_euclid",
    "pow",
];

impl VisitMut for MarkItemFields<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            _ if self.is_item_field(expr) => {
                let marker = if self.integer { INTEGER } else { NUMBER };
                self.mark_read(expr, marker);
            }
            Expr::Index(i) => {
                self.visit_expr_mut(&mut i.expr);
                self.integer(&mut i.index);
            }
            Expr::Range(r) => {
                for bound in r.start.iter_mut().chain(&mut r.end) {
                    self.integer(bound);
                }
            }
            // `l.n as f64` in an `f64` function: a count or a number, which the types decide.
            Expr::Cast(c)
                if !self.integer && self.float.cast_to(&c.ty) && self.is_item_field(&c.expr) =>
            {
                self.mark_read(&mut c.expr, CAST)
            }
            // `l.n as usize`, `l.w.len()`: an integer field, a length.
            Expr::Cast(c) if self.is_item_field(&c.expr) => self.integer(&mut c.expr),
            Expr::MethodCall(m)
                if (m.method == "len" || m.method == "is_empty")
                    && self.is_item_field(&m.receiver) =>
            {
                mark(expr, INTEGER);
            }
            // `l.attn.forward(x)`: a part of the item lent to its own method.
            Expr::MethodCall(m)
                if crate::lower::is_model_method(&m.method.to_string())
                    && self.is_lent_part(&m.receiver) =>
            {
                self.lend_part(&mut m.receiver);
                m.args.iter_mut().for_each(|a| self.argument(a));
            }
            Expr::MethodCall(m) if crate::lower::is_model_method(&m.method.to_string()) => {
                self.visit_expr_mut(&mut m.receiver);
                m.args.iter_mut().for_each(|a| self.argument(a));
            }
            Expr::Call(c) => {
                let inner = std::mem::replace(&mut self.integer, false);
                self.visit_expr_mut(&mut c.func);
                c.args.iter_mut().for_each(|a| self.argument(a));
                self.integer = inner;
            }
            // `p.x.sin()`, `ring.pts[1].x.to_radians()`: a number's float method (one an integer
            // has too with a float, `p.w.max(0.0)`, or with nothing, `l.q.abs()` of a link's flow
            // outside index arithmetic).
            Expr::MethodCall(m)
                if !self.integer
                    && self.is_item_field(&m.receiver)
                    && crate::rules::lookup(&m.method.to_string()).is_some()
                    && (!INTEGER_METHODS.contains(&&*m.method.to_string())
                        || m.args.is_empty()
                        || m.args.iter().any(
                            |a| matches!(a, Expr::Lit(l) if matches!(l.lit, syn::Lit::Float(_))),
                        )) =>
            {
                self.mark_read(&mut m.receiver, NUMBER);
                m.args.iter_mut().for_each(|a| self.visit_expr_mut(a));
            }
            // `p.n.max(1)`: an integer's method, with an integer.
            Expr::MethodCall(m)
                if self.is_item_field(&m.receiver)
                    && INTEGER_METHODS.contains(&&*m.method.to_string())
                    && m.args.iter().any(
                        |a| matches!(a, Expr::Lit(l) if matches!(l.lit, syn::Lit::Int(_))),
                    ) =>
            {
                self.integer(&mut m.receiver);
            }
            Expr::MethodCall(m) if self.is_item_field(&m.receiver) => self.whole(&m.receiver),
            Expr::Field(f) if self.is_item_field(&f.base) => {
                let read = expr.to_token_stream().to_string().replace(' ', "");
                self.errors.on(
                    &*expr,
                    format!("#[grad] reads the numbers in the fields of a sequence's items, not yet the fields of a sub-model inside an item (`{read}`): give the item's type a `#[grad(self)]` method that reads them and call that"),
                );
            }
            Expr::Reference(r) if self.is_item_field(&r.expr) => self.whole(&r.expr),
            Expr::ForLoop(f) => {
                self.visit_expr_mut(&mut f.expr);
                let item = sequence_items(f)
                    .filter(|l| self.is_sequence(l.sequence))
                    .map(|l| l.item);
                let inner = std::mem::replace(&mut self.integer, false);
                self.items.extend(item.clone());
                self.visit_block_mut(&mut f.body);
                if item.is_some() {
                    self.items.pop();
                }
                self.integer = inner;
            }
            _ => {
                let inner = std::mem::replace(&mut self.integer, false);
                match expr {
                    // Integer arithmetic inside an index stays integer.
                    Expr::Binary(_) | Expr::Paren(_) | Expr::MethodCall(_) => self.integer = inner,
                    _ => {}
                }
                syn::visit_mut::visit_expr_mut(self, expr);
                self.integer = inner;
            }
        }
    }
}

/// The first field of `name` a body reads (`l.w`).
pub(super) struct FirstField<'a> {
    pub(super) name: &'a Ident,
    pub(super) found: Option<syn::ExprField>,
}

impl<'ast> Visit<'ast> for FirstField<'_> {
    fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
        let named = matches!(&*f.base, Expr::Path(p) if p.path.is_ident(self.name));
        if named && self.found.is_none() && matches!(f.member, Member::Named(_)) {
            self.found = Some(f.clone());
        }
        syn::visit::visit_expr_field(self, f);
    }
}

/// Replaces a name by an expression (the item of a loop over a sequence by its element), and
/// the base of its fields by the place (`l.w` by `net.layers[k].w`).
struct Substitute {
    name: Ident,
    by: Expr,
    place: Expr,
}

impl VisitMut for Substitute {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if matches!(expr, Expr::Path(p) if p.path.is_ident(&self.name)) {
            *expr = self.by.clone();
            return;
        }
        if let Expr::Field(f) = expr {
            if matches!(&*f.base, Expr::Path(p) if p.path.is_ident(&self.name)) {
                *f.base = self.place.clone();
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}
