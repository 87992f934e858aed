//! Models: struct parameters (`net: &Net`) read field by field (`net.w1[j][k]`, `net.b2`,
//! `&net.layer1`).
//!
//! Before lowering, every field path the body reads becomes a parameter of its own, named
//! after the path (`net_w1`), and the body is rewritten to read that name: an array field is
//! bound to a reference (`let net_w1 = &net.w1;`) and behaves like an `&[..]` parameter, a
//! scalar field is bound to its value, and a field passed by reference to a call (`&net.layer1`,
//! a nested model or an array) is handed on with its own shadow. Lowering and the sweeps then
//! see only parameters they already know. The macro never sees the struct's definition, so
//! what a field is comes from how it is read.

use crate::hash::{HashMap, HashSet};

use crate::lower::strip_type;
use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident, Member};

use crate::diag::Errors;
use crate::reverse::local;
use crate::rules;
use crate::sig::{Conversion, FieldOf, Param, ParamKind, Shape, Signature};

mod destructure;
mod items;
mod reduced;
mod scan;

use destructure::Destructure;
use items::{
    indexed_item, item_of, partner_array, sequence_items, sequence_loop, CollectedItems, EndItems,
    FirstField, MarkItemFields,
};
pub(super) use items::{marked, Marked, Uses};
use scan::Scan;

/// How the body reads a field path.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Read {
    /// Converted to the other float type and compared (`(net.a as f64) > x` in an `f32`
    /// function): no derivative flows, and any other read says what the field is.
    Compared,
    /// Passed by value to a function (`dot(p, net.c)`): a number or an array (`[f64; 3]` is
    /// `Copy`), which only the callee's signature tells apart; handed on whole as `Whole` is,
    /// unless another read says which.
    Passed,
    /// The operand of an `as` to the function's float type (`net.n as f64`): an integer (a
    /// count) or a float (a parameter), which only the types tell apart (`FieldOf::cast`).
    /// Any other read says which.
    Cast,
    /// The operand of an `as` to the other float type outside a comparison (`net.a as f64`
    /// in an `f32` function): an integer, or a float whose derivative that arithmetic does
    /// not carry (`Conversion::ToOtherFloat`).
    OtherFloat,
    /// Read as an integer or a flag (a range bound, an index, an `as` to an integer or the
    /// other float type, a condition): a field that is not a parameter (`#[params(skip)] n:
    /// usize`), passed through as written.
    Data,
    /// Passed by reference (`&net.layer1`): handed on whole, never indexed here.
    Whole,
    /// Read as a float value (`net.b2`).
    Scalar,
    /// Indexed with this many indices (`net.w1[j][k]`), or iterated.
    Array(usize),
}

/// Adds a parameter for every field path of a model that `block` reads and returns the block
/// rewritten to read those parameters. The array fields of a data struct (a parameter the
/// function does not differentiate: `cfg: &Cfg`, a data `self`) that the body iterates,
/// destructures, copies or lends to a call become data arrays the same way; its other reads
/// (`cfg.scale`, `cfg.shift[i]`) are kept as written. `written` is the signature as written
/// (which parameters are references: how a destructured struct binds its fields).
pub fn expand(
    sig: &mut Signature,
    written: &syn::Signature,
    block: &syn::Block,
    errors: &mut Errors,
) -> syn::Block {
    // A data struct behind `&mut` is written through (`stats.evals += 1`, `stats.seen.push(i)`):
    // its fields are read where the body reads them, never bound once at the top.
    let written_through = mutable_references(written);
    let is_data = |p: &Param| {
        matches!(p.kind, ParamKind::Opaque) && !written_through.contains(&p.ident.to_string())
    };
    let models: HashMap<String, usize> = sig
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(p.kind, ParamKind::Model { .. }) || is_data(p))
        .map(|(i, p)| (p.ident.to_string(), i))
        .collect();
    if models.is_empty() {
        return block.clone();
    }
    let data: HashSet<usize> = models
        .values()
        .copied()
        .filter(|&i| is_data(&sig.params[i]))
        .collect();
    let float = FunctionFloat::of(sig);
    let indexed = report_indexed_models(sig, block, errors);
    if !indexed.is_empty() {
        // (reported: the stubs left for callers take them as they are, with no shadow)
        for p in &mut sig.params {
            if indexed.contains(&p.ident.to_string()) {
                p.kind = ParamKind::Rejected;
            }
        }
        return block.clone();
    }
    let mut block = block.clone();
    if destructure::destructures(&block) {
        Destructure {
            models: &models,
            data: &data,
            references: destructure::reference_params(written),
            lent: destructure::lent_names(&block),
        }
        .visit_block_mut(&mut block);
    }
    CollectedItems {
        models: &models,
        data: &data,
    }
    .visit_block_mut(&mut block);
    reduced::ReducedItems {
        models: &models,
        data: &data,
        float: &sig.float,
        made: 0,
    }
    .visit_block_mut(&mut block);
    EndItems {
        models: &models,
        data: &data,
    }
    .visit_block_mut(&mut block);
    MarkItemFields {
        models: &models,
        data: &data,
        items: Vec::new(),
        integer: false,
        float,
        errors: &mut *errors,
    }
    .visit_block_mut(&mut block);
    let mut scan = Scan {
        models: &models,
        data: &data,
        array_names: super::prescan::array_names(
            &block.stmts,
            sig.output != crate::sig::Output::Scalar,
        ),
        reads: Vec::new(),
        float,
        integers: sig
            .params
            .iter()
            .filter(|p| matches!(p.kind, crate::sig::ParamKind::Int { .. }))
            .map(|p| p.ident.to_string())
            .collect(),
        aliases: HashMap::default(),
        value_aliases: HashMap::default(),
        closures: HashMap::default(),
        errors,
    };
    scan.visit_block(&block);
    // A field bound by value and then never read as an integer or a float: a float, as the
    // `let` alone reads it.
    for (chain, span) in std::mem::take(&mut scan.value_aliases).into_values() {
        if !scan
            .reads
            .iter()
            .any(|(m, p, ..)| (*m, p) == (chain.0, &chain.1))
        {
            scan.reads
                .push((chain.0, chain.1, Read::Scalar, span, false));
        }
    }
    let aliases = std::mem::take(&mut scan.aliases);

    // One parameter per path, in the order of first appearance; the strongest read wins.
    let mut taken: HashSet<String> = all_idents(&block);
    taken.extend(sig.params.iter().map(|p| p.ident.to_string()));
    let mut paths: Vec<(usize, Vec<Member>, Read, Span, bool)> = Vec::new();
    let mut numeric_reads: HashMap<(usize, Vec<Member>), Vec<Read>> = HashMap::default();
    let mut compared = HashSet::default();
    for (model, path, read, span, as_array) in scan.reads {
        match paths
            .iter_mut()
            .find(|(m, p, ..)| *m == model && *p == path)
        {
            // Data is bound by reference only if every read of it is by reference.
            Some(entry) if (entry.2, read) == (Read::Data, Read::Data) => entry.4 &= as_array,
            Some(entry) => {
                entry.2 = entry.2.max(read);
                entry.4 |= as_array;
            }
            None => paths.push((model, path.clone(), read, span, as_array)),
        }
        if read == Read::Compared {
            compared.insert((model, path.clone()));
        }
        if matches!(read, Read::Passed | Read::Cast | Read::OtherFloat) {
            numeric_reads.entry((model, path)).or_default().push(read);
        }
    }
    // Converted with `as` and also otherwise (passed by value to a call, or converted to the
    // other float type too), and read no other way: a number `as` converts that is not the
    // function's float, taken for an integer; passed to a call, checked to be one. So is one
    // converted to the function's float that is named like a size (`self.n as f64`), or
    // passed by value named like a count (`matvec(&w.w_z, x, w.input_dim)`).
    let mut integer_fields = HashSet::default();
    for (model, path, read, ..) in &mut paths {
        let Some(reads) = numeric_reads.get(&(*model, path.clone())) else {
            continue;
        };
        let converted = reads.iter().any(|r| *r != Read::Passed);
        let mixed = reads.iter().any(|r| r != &reads[0]);
        // compared after conversion and passed: a number, taken for a float
        if *read == Read::Passed && !converted && compared.contains(&(*model, path.clone())) {
            *read = Read::Scalar;
        }
        if converted && mixed && *read <= Read::Data {
            *read = Read::Data;
            if reads.contains(&Read::Passed) {
                integer_fields.insert((*model, path.clone()));
            }
        }
        let integer_name = match read {
            Read::Cast => path
                .last()
                .is_some_and(|m| named(m, super::names::is_size_name)),
            Read::Passed => path
                .last()
                .is_some_and(|m| named(m, super::names::is_count_name)),
            _ => false,
        };
        if integer_name {
            *read = Read::Data;
            integer_fields.insert((*model, path.clone()));
        }
    }
    let mut rename = HashMap::default();
    for (model, path, read, span, as_array) in paths {
        if path.is_empty() {
            if let ParamKind::Model { whole, .. } = &mut sig.params[model].kind {
                *whole = true;
            }
            continue;
        }
        let conversion = match read {
            Read::Cast => Conversion::ToFloat,
            Read::OtherFloat => Conversion::Integer,
            Read::Data if integer_fields.contains(&(model, path.clone())) => Conversion::Integer,
            _ => Conversion::None,
        };
        let mut field = FieldOf {
            model,
            path,
            conversion,
            lent: false,
        };
        let mut name = field
            .written(&sig.params[model].ident)
            .replace("r#", "")
            .replace('.', "_");
        while !taken.insert(name.clone()) {
            name.push('_');
        }
        let ident = local(&name, span);
        let kind = match read {
            // A data struct's field is kept as written unless it is needed as an array.
            _ if data.contains(&model) => match (read, as_array) {
                (Read::Whole, true) => ParamKind::DataArray {
                    dims: 0,
                    row_len: None,
                    owned: false,
                },
                (Read::Array(dims), true) => ParamKind::DataArray {
                    dims,
                    row_len: None,
                    owned: false,
                },
                _ => continue,
            },
            // (measured, `net.layers.len()`, or matched by reference, `match &m.mask`: of any
            // type, bound by reference)
            Read::Data if as_array => ParamKind::DataArray {
                dims: 1,
                row_len: None,
                owned: false,
            },
            Read::Data | Read::OtherFloat | Read::Compared => ParamKind::Opaque,
            Read::Scalar | Read::Cast => ParamKind::Float,
            Read::Passed | Read::Whole => ParamKind::Array {
                shape: Box::new(Shape::Field { dims: 0 }),
                float: true,
            },
            // Three indices and more (`m.w[i][j][k]` of a `[[[f64; 2]; 2]; 4]`): the sweeps
            // track vectors and matrices.
            Read::Array(dims) if dims > 2 => {
                errors.at(
                    span,
                    format!("#[grad] differentiates a model's fields read with one or two indices (`net.w[j][k]`); `{}` is read with {dims}: make it a `Vec` (or an array) of sub-models holding matrices (`gates: Vec<Gate>` with `w: [[f64; M]; N]` in `Gate`), or one matrix field per slice", field.written(&sig.params[model].ident)),
                );
                continue;
            }
            Read::Array(dims) => ParamKind::Array {
                shape: Box::new(Shape::Field { dims }),
                float: true,
            },
        };
        // a field of data bound by reference (`let m_mask = &m.mask;`) is `*m_mask` in place
        // (so is one of a type not seen, `match p.formula` of a non-`Copy` enum)
        let by_reference = read == Read::Data
            && (matches!(kind, ParamKind::DataArray { .. })
                || matches!(kind, ParamKind::Opaque) && field.conversion == Conversion::None);
        field.lent = by_reference && matches!(kind, ParamKind::Opaque);
        rename.insert(
            (model, field.path.clone()),
            (ident.clone(), read, by_reference),
        );
        sig.params.push(Param {
            ident,
            kind,
            span,
            field: Some(field),
            listed: false,
            lent_mut: false,
            generic: false,
        });
    }
    Rewrite {
        models: &models,
        rename: &rename,
        aliases: &aliases,
    }
    .visit_block_mut(&mut block);
    block
}

/// Replaces each statement of `block` for which `replace` gives statements by them.
fn replace_stmts(
    block: &mut syn::Block,
    mut replace: impl FnMut(&syn::Stmt) -> Option<Vec<syn::Stmt>>,
) {
    for stmt in std::mem::take(&mut block.stmts) {
        match replace(&stmt) {
            Some(replaced) => block.stmts.extend(replaced),
            None => block.stmts.push(stmt),
        }
    }
}

/// Reports a model read as an array (`a[0]`, `a.iter()` of `a: Vec3`): its type is a name
/// the macro cannot look into, most likely an alias of an array type. The names reported.
fn report_indexed_models(
    sig: &Signature,
    block: &syn::Block,
    errors: &mut Errors,
) -> HashSet<String> {
    struct Find<'a> {
        sig: &'a Signature,
        errors: &'a mut Errors,
        reported: HashSet<String>,
    }
    impl Find<'_> {
        /// `method`: the slice method called on `base` (`d.first()`), which may be its own.
        fn check(&mut self, base: &Expr, method: Option<&Ident>) {
            let Expr::Path(p) = base else { return };
            let Some(ident) = p.path.get_ident() else {
                return;
            };
            let model = self.sig.params.iter().find_map(|param| match &param.kind {
                ParamKind::Model { ty, .. } if param.ident == *ident => Some(ty),
                _ => None,
            });
            if let Some(ty) = model {
                if self.reported.insert(ident.to_string()) {
                    let ty = ty.to_token_stream();
                    // A struct of data with methods of its own (`ds.len()` of a dataset).
                    let others: Vec<String> = self
                        .sig
                        .params
                        .iter()
                        .filter(|p| p.ident != *ident && p.has_shadow() && p.is_written())
                        .map(|p| p.ident.to_string())
                        .collect();
                    let data = match others.is_empty() {
                        true => String::new(),
                        false => format!("if `{ident}` is data, name the parameters to differentiate, `#[grad({})]`, and it is read as written; ", others.join(", ")),
                    };
                    let own = match method.filter(|m| {
                        super::methods::own_method_of_struct(&m.to_string())
                    }) {
                        Some(method) => format!("; if `{ty}` is a struct with a method `{method}` of its own, call it by its path (`{ty}::{method}({ident})`), as a method named as a slice's is read as the slice's"),
                        None => String::new(),
                    };
                    self.errors.on(
                        base,
                        format!("#[grad] reads `{ident}` as an array, but its type `{ty}` is a name the macro cannot look into, so it takes `{ident}` for a model (a struct of parameters): {data}if `{ty}` is a type alias (`type Vec3 = [f64; 3];`), write the type it stands for in the signature, since the macro sees only this function{own}"),
                    );
                }
            }
        }
    }
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_index(&mut self, i: &'ast syn::ExprIndex) {
            let mut base = &*i.expr;
            while let Expr::Index(inner) = base {
                base = &inner.expr;
            }
            self.check(base, None);
            syn::visit::visit_expr_index(self, i);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            // (`self.first()`: no alias is `Self`, whose methods are its own)
            let of_self = matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident("self"));
            if super::is_slice_method(&m.method.to_string()) && !of_self {
                self.check(&m.receiver, Some(&m.method));
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut find = Find {
        sig,
        errors,
        reported: HashSet::default(),
    };
    find.visit_block(block);
    find.reported
}

/// `net.a.b` as (model index, path), when `expr` is a chain of named fields on a model.
fn field_chain(models: &HashMap<String, usize>, expr: &Expr) -> Option<(usize, Vec<Member>)> {
    let mut path = Vec::new();
    let mut e = expr;
    loop {
        match e {
            Expr::Field(f) => {
                path.push(f.member.clone());
                e = &f.base;
            }
            Expr::Paren(p) => e = &p.expr,
            Expr::Path(p) if !path.is_empty() => {
                let model = *models.get(&p.path.get_ident()?.to_string())?;
                path.reverse();
                return Some((model, path));
            }
            _ => return None,
        }
    }
}

/// Whether `expr` names a model parameter itself.
fn model_name(models: &HashMap<String, usize>, expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Path(p) => models.get(&p.path.get_ident()?.to_string()).copied(),
        Expr::Paren(p) => model_name(models, &p.expr),
        _ => None,
    }
}

/// The function's float type when it is `f32` or `f64` (not a type parameter): a field
/// converted to it (`net.n as f64`, `f64::from(net.n)`) may be a count or a parameter.
#[derive(Clone, Copy)]
pub(super) struct FunctionFloat(Option<&'static str>);

impl FunctionFloat {
    fn of(sig: &Signature) -> Self {
        FunctionFloat(super::primitive_float_type(&sig.float))
    }

    pub(super) fn primitive(self) -> Option<&'static str> {
        self.0
    }

    /// `as f64` in an `f64` function.
    pub(super) fn cast_to(self, ty: &syn::Type) -> bool {
        self.0.is_some() && super::primitive_float_type(ty) == self.0
    }

    /// `as f64` in an `f32` function.
    pub(super) fn cast_to_other(self, ty: &syn::Type) -> bool {
        matches!((self.0, super::primitive_float_type(ty)), (Some(f), Some(t)) if f != t)
    }

    /// `f64::from` in an `f64` function.
    fn converted_by(self, func: &Expr) -> bool {
        let Expr::Path(p) = func else { return false };
        match &*p.path.segments.iter().collect::<Vec<_>>() {
            [ty, from] if from.ident == "from" && p.qself.is_none() => {
                self.0.is_some() && super::primitive_float(&ty.ident) == self.0
            }
            _ => false,
        }
    }
}

/// Whether a field's name in upper case is one `words` says (`names::is_size_name`: `n`,
/// `n_trials`, `dim`).
fn named(member: &Member, words: fn(&str) -> bool) -> bool {
    match member {
        Member::Named(name) => words(&name.to_string().to_uppercase()),
        Member::Unnamed(_) => false,
    }
}

/// Whether `c` calls a function that may take a field by value whatever its type
/// (`dot(p, net.c)`, `Vec3::dot(a, m.c)`): not a float's own function (`f64::max(net.b, x)`,
/// `T::from(..)`), a constructor (`Some(net.b)`), or a local closure.
fn passes_fields(c: &syn::ExprCall) -> bool {
    let Expr::Path(p) = &*c.func else {
        return false;
    };
    let segments = &p.path.segments;
    let Some(last) = segments.last() else {
        return false;
    };
    let name = last.ident.to_string();
    let float_function = segments.len() >= 2 && (rules::lookup(&name).is_some() || name == "from");
    !float_function && !super::names::is_constructor(&p.path)
}

/// The base of `a[i][j]` and the number of indices.
fn index_base(expr: &Expr) -> (&Expr, usize) {
    match expr {
        Expr::Index(i) => {
            let (base, n) = index_base(&i.expr);
            (base, n + 1)
        }
        other => (other, 0),
    }
}

/// Every identifier in the block, so that a parameter made for a field takes a fresh name.
fn all_idents(block: &syn::Block) -> HashSet<String> {
    struct Collect(HashSet<String>);
    impl<'ast> Visit<'ast> for Collect {
        fn visit_ident(&mut self, i: &'ast Ident) {
            self.0.insert(i.to_string());
        }
    }
    let mut c = Collect(HashSet::default());
    c.visit_block(block);
    c.0
}

struct Rewrite<'a> {
    models: &'a HashMap<String, usize>,
    /// Each field's parameter, how it is read, and whether it is data bound by reference.
    rename: &'a HashMap<(usize, Vec<Member>), (Ident, Read, bool)>,
    /// Locals bound to a field (`let w = &net.w;`), as the scan found them.
    aliases: &'a HashMap<String, (usize, Vec<Member>)>,
}

impl Rewrite<'_> {
    /// The parameter made for the field chain `expr`, if it is one.
    fn field(&self, expr: &Expr) -> Option<(Ident, Read, bool)> {
        let key = field_chain(self.models, expr)?;
        self.rename.get(&key).cloned()
    }

    /// Whether `expr` is a local bound to a field that has a parameter (`w` of `let w =
    /// &net.w;`): its items are lent one by one as the field's are.
    fn aliases_field(&self, expr: &Expr) -> bool {
        let Expr::Path(p) = expr else { return false };
        p.path
            .get_ident()
            .and_then(|i| self.aliases.get(&i.to_string()))
            .is_some_and(|chain| self.rename.contains_key(chain))
    }

    fn path(ident: Ident) -> Expr {
        syn::parse_quote!(#ident)
    }

    /// A field chain in place: its parameter, which for an array field is a reference.
    fn place(&mut self, expr: &mut Expr) -> bool {
        match self.field(expr) {
            Some((ident, _, true)) => {
                *expr = syn::parse_quote!((*#ident));
                true
            }
            Some((ident, ..)) => {
                *expr = Self::path(ident);
                true
            }
            None => false,
        }
    }
}

impl VisitMut for Rewrite<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            Expr::Reference(r) if r.mutability.is_none() => {
                if let Some((ident, read, _)) = self.field(&r.expr) {
                    // `&net.w` is the reference the parameter holds; `&net.b` of a scalar
                    // stays a reference to its value (`&m_mask` of data bound by reference is
                    // a reference to one, which a `match` sees through).
                    *expr = match read {
                        Read::Scalar
                        | Read::Data
                        | Read::Cast
                        | Read::OtherFloat
                        | Read::Compared => syn::parse_quote!(&#ident),
                        _ => Self::path(ident),
                    };
                    return;
                }
            }
            Expr::Index(i) => {
                let mut e: &mut Expr = &mut i.expr;
                while let Expr::Index(inner) = e {
                    e = &mut inner.expr;
                }
                if self.place(e) {
                    let mut e: &mut Expr = expr;
                    while let Expr::Index(i) = e {
                        self.visit_expr_mut(&mut i.index);
                        e = &mut i.expr;
                    }
                    return;
                }
            }
            Expr::MethodCall(m) if self.field(&m.receiver).is_some() => {
                self.place(&mut m.receiver);
                m.args.iter_mut().for_each(|a| self.visit_expr_mut(a));
                return;
            }
            Expr::ForLoop(f)
                if sequence_loop(f).is_some_and(|l| {
                    self.field(l.sequence).is_some() || self.aliases_field(l.sequence)
                }) =>
            {
                if let Some(rewritten) = sequence_loop(f).map(|l| l.rewrite(f)) {
                    *expr = rewritten;
                }
                syn::visit_mut::visit_expr_mut(self, expr);
                return;
            }
            Expr::ForLoop(f) if self.field(&f.expr).is_some() => {
                self.place(&mut f.expr);
                self.visit_block_mut(&mut f.body);
                return;
            }
            Expr::Field(_) => {
                if let Some((ident, read, by_reference)) = self.field(expr) {
                    // A value: an array field is copied out of its reference.
                    *expr = match read {
                        Read::Data if by_reference => syn::parse_quote!((*#ident)),
                        Read::Scalar
                        | Read::Data
                        | Read::Cast
                        | Read::OtherFloat
                        | Read::Compared => Self::path(ident),
                        _ => syn::parse_quote!(*#ident),
                    };
                    return;
                }
            }
            _ => {}
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }

    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        // `matches!(net.kind, Kind::A)`: the field read as the parameter it became.
        if let Some((mut scrutinee, rest)) = matched_scrutinee(mac) {
            self.visit_expr_mut(&mut scrutinee);
            mac.tokens = quote::quote!(#scrutinee #rest);
            return;
        }
        if let Some(mut elements) = super::vec_elements(mac) {
            self.visit_expr_mut(&mut elements);
            mac.tokens = match elements {
                Expr::Array(a) => a.elems.to_token_stream(),
                Expr::Repeat(r) => {
                    let (fill, len) = (&r.expr, &r.len);
                    quote::quote!(#fill; #len)
                }
                _ => return,
            };
        }
    }
}

/// The primal binding of a model's field at the top of `NAME_adjoint`: a reference to an
/// array or nested model (`let net_w1 = &net.w1;`), the value of a scalar
/// (`let net_b2: f64 = net.b2;`).
pub fn binding(sig: &Signature, param: &Param) -> Option<proc_macro2::TokenStream> {
    let field = param.field.as_ref()?;
    let model = &sig.params[field.model].ident;
    let ident = &param.ident;
    let path = &field.path;
    let f = &sig.float;
    Some(match param.kind {
        ParamKind::Float if field.conversion == Conversion::ToFloat => {
            quote::quote_spanned!(param.span=> let #ident: #f = #model #(.#path)* as #f;)
        }
        ParamKind::Float => {
            quote::quote_spanned!(param.span=> let #ident: #f = #model #(.#path)*;)
        }
        // (the check's error spanned on the read)
        ParamKind::Opaque if field.conversion == Conversion::Integer => {
            let mut read = model.clone();
            read.set_span(param.span);
            quote::quote_spanned!(param.span=>
                let #ident = ::autodiff::__private::integer_field(#read #(.#path)*);
            )
        }
        ParamKind::Opaque if !field.lent => {
            quote::quote_spanned!(param.span=> let #ident = #model #(.#path)*;)
        }
        _ => quote::quote_spanned!(param.span=> let #ident = &#model #(.#path)*;),
    })
}

/// `.filter(|_| ..)` keeping a field's shadow or tangent only when the field at `path` of model
/// parameter `model` holds parameters, asked of each model on the way (a `#[params(skip)]`
/// field is data: no gradient, a zero tangent): `__param_field!(&net => Net, "w") && ..`,
/// constant once inlined.
pub fn param_field_filter(
    sig: &Signature,
    model: usize,
    path: &[Member],
) -> proc_macro2::TokenStream {
    let m = &sig.params[model].ident;
    // The model itself by its type (a `&Net` parameter is a `Net`), the fields on the way by
    // their own.
    let ty = match &sig.params[model].kind {
        ParamKind::Model { ty, .. } => Some(ty),
        _ => None,
    };
    let checks = (0..path.len()).map(|k| {
        let prefix = &path[..k];
        let name = match &path[k] {
            Member::Named(i) => i.to_string().trim_start_matches("r#").to_string(),
            Member::Unnamed(i) => i.index.to_string(),
        };
        match ty.filter(|_| k == 0) {
            Some(ty) => quote::quote!(::autodiff::__param_field!(&#m => #ty, #name)),
            None => quote::quote!(::autodiff::__param_field!(&#m #(.#prefix)*, #name)),
        }
    });
    quote::quote!(.filter(|_| #(#checks)&&*))
}

/// Whether a field path is `prefix` followed by more fields.
pub fn extends(path: &[Member], prefix: &[Member]) -> bool {
    path.len() > prefix.len()
        && path
            .iter()
            .zip(prefix)
            .all(|(a, b)| a.to_token_stream().to_string() == b.to_token_stream().to_string())
}

/// The arrays a loop's items come from, each with the pattern that binds its items:
/// `a.iter().zip(&b).enumerate()` bound by `(i, (row, v))` gives `(a, row)` and `(b, v)`.
/// `false` for an iterator of another shape.
/// Whether integer arithmetic (`+ - * / %`, parentheses) has a length among its operands
/// (`x.len()`, `w.len() / m.heads`): then every operand is an integer.
fn counts_lengths(expr: &Expr) -> bool {
    match expr {
        Expr::Binary(b) => {
            use syn::BinOp::*;
            matches!(b.op, Add(_) | Sub(_) | Mul(_) | Div(_) | Rem(_))
                && (counts_lengths(&b.left) || counts_lengths(&b.right))
        }
        Expr::Paren(p) => counts_lengths(&p.expr),
        Expr::MethodCall(m) => m.method == "len" && m.args.is_empty(),
        _ => false,
    }
}

/// The pattern under `&` (`&v` binds the number itself).
fn by_value(pat: &syn::Pat) -> &syn::Pat {
    match pat {
        syn::Pat::Reference(r) => &r.pat,
        pat => pat,
    }
}

/// Whether `body` reads `name` only as a whole argument of calls (`f(name)`, `m.g(name)`).
fn only_lent(name: &Ident, body: &impl ToTokens) -> bool {
    struct Uses<'n> {
        name: &'n Ident,
        lent: usize,
        all: usize,
    }
    impl<'ast> Visit<'ast> for Uses<'_> {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            self.all += usize::from(p.path.is_ident(self.name));
        }
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            self.lent += c.args.iter().filter(|a| is_name(a, self.name)).count();
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            self.lent += m.args.iter().filter(|a| is_name(a, self.name)).count();
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    fn is_name(e: &Expr, name: &Ident) -> bool {
        matches!(e, Expr::Path(p) if p.path.is_ident(name))
    }
    let Ok(body) = syn::parse2::<Expr>(body.to_token_stream()) else {
        return false;
    };
    let mut uses = Uses {
        name,
        lent: 0,
        all: 0,
    };
    uses.visit_expr(&body);
    uses.all > 0 && uses.all == uses.lent
}

fn item_sources<'a>(
    expr: &'a Expr,
    pat: &'a syn::Pat,
    out: &mut Vec<(&'a Expr, &'a syn::Pat)>,
) -> bool {
    let pair = |pat: &'a syn::Pat| match strip_type(pat) {
        syn::Pat::Tuple(t) if t.elems.len() == 2 => Some((&t.elems[0], &t.elems[1])),
        _ => None,
    };
    match expr {
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(m.method.to_string().as_str(), "iter" | "iter_mut" | "rev") =>
        {
            item_sources(&m.receiver, pat, out)
        }
        Expr::MethodCall(m) if m.args.is_empty() && m.method == "enumerate" => {
            pair(pat).is_some_and(|(_, item)| item_sources(&m.receiver, item, out))
        }
        Expr::MethodCall(m) if m.args.len() == 1 && m.method == "zip" => {
            pair(pat).is_some_and(|(a, b)| {
                item_sources(&m.receiver, a, out) && item_sources(&m.args[0], b, out)
            })
        }
        Expr::Reference(r) => item_sources(&r.expr, pat, out),
        Expr::Paren(p) => item_sources(&p.expr, pat, out),
        Expr::MethodCall(_) => false,
        source => {
            out.push((source, strip_type(pat)));
            true
        }
    }
}

/// Whether `e` is `name`, through `*`, `&` and parentheses.
fn names_param(e: &Expr, name: &Ident) -> bool {
    match e {
        Expr::Path(p) => p.path.is_ident(name),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => names_param(&u.expr, name),
        Expr::Reference(r) => names_param(&r.expr, name),
        Expr::Paren(p) => names_param(&p.expr, name),
        _ => false,
    }
}

/// Whether the body matches `name` against patterns (`match tail { Tail::Lower => .. }`,
/// `matches!(tail, Tail::Lower)`) or compares it with a variant (`tail == Tail::Lower`): what
/// only an enum is used for, never a model.
pub fn used_as_enum(block: &syn::Block, name: &Ident) -> bool {
    struct Find<'a> {
        name: &'a Ident,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
            self.found |= names_param(&m.expr, self.name);
            syn::visit::visit_expr_match(self, m);
        }
        fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
            if matches!(b.op, syn::BinOp::Eq(_) | syn::BinOp::Ne(_)) {
                self.found |= (names_param(&b.left, self.name) && is_variant(&b.right))
                    || (names_param(&b.right, self.name) && is_variant(&b.left));
            }
            syn::visit::visit_expr_binary(self, b);
        }
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            // (`matches!(m, Kind::A)`, not `matches!(m.kind, ..)` of a field)
            if mac.path.is_ident("matches") {
                let mut tokens = mac.tokens.clone().into_iter();
                let (first, second) = (tokens.next(), tokens.next());
                self.found |= matches!(first, Some(proc_macro2::TokenTree::Ident(i)) if i == *self.name)
                    && matches!(second, Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ',');
            }
        }
    }
    let mut find = Find { name, found: false };
    find.visit_block(block);
    find.found
}

/// Whether the body reads a field of `name`, applies a method of it to inputs, indexes it or
/// iterates it (`m.w[i]`, `m.predict(x)`, `let Lin { w, .. } = m;`, `a[0]`, `a.iter()`): what a
/// model (or an alias of an array) is used for, never a flag, whose getters are read as data
/// (`curve.alpha()`).
pub fn reads_parts(block: &syn::Block, name: &Ident) -> bool {
    struct Find<'a> {
        name: &'a Ident,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Find<'_> {
        fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
            self.found |= names_param(&f.base, self.name);
            syn::visit::visit_expr_field(self, f);
        }
        // A model's method applied to inputs (`m.predict(x)`), or a read of an array (`a.iter()`
        // of `a: Vec3`, an alias, reported as such); not a getter of a flag (`curve.alpha()` of
        // `curve: BucklingCurve`).
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            const ARRAY_READS: &[&str] = &[
                "iter",
                "into_iter",
                "len",
                "is_empty",
                "to_vec",
                "windows",
                "chunks",
                "first",
                "last",
                "get",
                "map",
                "as_slice",
            ];
            self.found |= names_param(&m.receiver, self.name)
                && (!m.args.is_empty() || ARRAY_READS.contains(&m.method.to_string().as_str()));
            syn::visit::visit_expr_method_call(self, m);
        }
        // (`a[0]` of `a: Vec3`, an alias of an array: reported as one where a model is read)
        fn visit_expr_index(&mut self, i: &'ast syn::ExprIndex) {
            self.found |= names_param(&i.expr, self.name);
            syn::visit::visit_expr_index(self, i);
        }
        fn visit_local(&mut self, l: &'ast syn::Local) {
            let destructured = matches!(
                strip_type(&l.pat),
                syn::Pat::Struct(_) | syn::Pat::TupleStruct(_)
            );
            self.found |= destructured
                && l.init
                    .as_ref()
                    .is_some_and(|i| names_param(&i.expr, self.name));
            syn::visit::visit_local(self, l);
        }
        // (a macro's tokens, `println!("{}", m.w)`, are not looked into: a model read only
        // there is read as data)
    }
    let mut find = Find { name, found: false };
    find.visit_block(block);
    find.found
}

/// The names of the parameters written `name: &mut T`.
fn mutable_references(written: &syn::Signature) -> HashSet<String> {
    written
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            syn::FnArg::Typed(t) => match (&*t.pat, &*t.ty) {
                (syn::Pat::Ident(pi), syn::Type::Reference(r)) if r.mutability.is_some() => {
                    Some(pi.ident.to_string())
                }
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        })
        .collect()
}

/// `Tail::Lower`, `Lower`: a capitalized last segment (an enum's variant).
fn is_variant(e: &Expr) -> bool {
    matches!(e, Expr::Path(p) if p.path.segments.last().is_some_and(|s| {
        s.ident.to_string().starts_with(|c: char| c.is_ascii_uppercase())
    }))
}

/// The value `matches!(value, pattern)` tests, and the rest of its tokens (`, pattern`).
fn matched_scrutinee(mac: &syn::Macro) -> Option<(Expr, proc_macro2::TokenStream)> {
    if !mac.path.is_ident("matches") {
        return None;
    }
    let split = |input: syn::parse::ParseStream| {
        let scrutinee: Expr = input.parse()?;
        let rest: proc_macro2::TokenStream = input.parse()?;
        Ok((scrutinee, rest))
    };
    syn::parse::Parser::parse2(split, mac.tokens.clone()).ok()
}

/// How many indices a value of type `ty` takes: `&[f64]` 1, `&[[f64; 3]]` and `&Vec<Vec<f64>>`
/// 2, a number 0.
fn array_depth(ty: &syn::Type) -> usize {
    match ty {
        syn::Type::Reference(r) => array_depth(&r.elem),
        syn::Type::Paren(p) => array_depth(&p.elem),
        syn::Type::Group(g) => array_depth(&g.elem),
        syn::Type::Slice(s) => 1 + array_depth(&s.elem),
        syn::Type::Array(a) => 1 + array_depth(&a.elem),
        syn::Type::Path(p) => match p.path.segments.last() {
            Some(last) if last.ident == "Vec" => match &last.arguments {
                syn::PathArguments::AngleBracketed(a) => match a.args.first() {
                    Some(syn::GenericArgument::Type(item)) => 1 + array_depth(item),
                    _ => 1,
                },
                _ => 1,
            },
            _ => 0,
        },
        _ => 0,
    }
}
