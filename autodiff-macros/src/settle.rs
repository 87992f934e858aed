//! Which parameters `#[grad]` differentiates: the struct parameters that are models (all of
//! them under a bare `#[grad]`, but for flags and data taken by value; the ones it names
//! under `#[grad(..)]`), rows differentiated or data, and the `#[grad(..)]` list checked
//! against the signature.

use proc_macro2::Ident;
use quote::ToTokens;
use syn::ItemFn;

use crate::attr::{GradAttr, Mode};
use crate::diag::Errors;
use crate::lower::models;
use crate::sig::{ParamKind, Shape, Signature};

/// Whether `ty` is a path without generic arguments (`V3`, `glam::DVec3`).
fn plain_path(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.iter().all(|s| s.arguments.is_none()))
}

/// Which struct parameters are models: all of them under a bare `#[grad]`, the ones it
/// names under `#[grad(..)]` (the others are data). A model is read, never written.
pub(crate) fn settle_models(
    attr: &GradAttr,
    sig: &mut Signature,
    block: &syn::Block,
    errors: &mut Errors,
) {
    for p in &mut sig.params {
        let ParamKind::Model {
            ty,
            mutable,
            by_ref,
            ..
        } = &p.kind
        else {
            continue;
        };
        // A method's `self` is differentiated only when named: under a bare `#[grad]` it is
        // the data the method reads (a distribution's parameters). A parameter matched or
        // compared against a variant (`match tail { Tail::Lower => .. }`) is an enum: data;
        // so is one taken by value whose fields and methods the body never reads, only handed
        // on (`approaches(t, arrangement)`: a flag, a `Copy` enum).
        let named = match &attr.wrt {
            None => {
                let enumerated = models::used_as_enum(block, &p.ident);
                let read = *by_ref || models::reads_parts(block, &p.ident);
                // (of a type without generics, which decide nothing here: `Vec3<T>` may
                // be `Params` only for some `T`)
                if !p.is_self() && !enumerated && !read && !p.generic && plain_path(ty) {
                    sig.data_by_getters.push((**ty).clone());
                }
                !p.is_self() && !enumerated && read
            }
            Some(names) => names.contains(&p.ident),
        };
        if !named {
            p.kind = ParamKind::Opaque;
        } else if *mutable && p.is_self() {
            errors.at(
                p.span,
                "#[grad] cannot differentiate a method in `&mut self`: the struct is read, not written, by the function differentiated; take `&self` (its gradient comes back in `d_self`), or leave `self` out of `#[grad(..)]` to read it as data",
            );
            p.kind = ParamKind::Rejected;
        } else if *mutable {
            errors.at(
                p.span,
                format!(
                    "#[grad] cannot differentiate a `&mut {0}` parameter: a model is read, not written, by the function differentiated; take `&{0}` (the gradient comes back in its shadow), or, if `{1}` is data, name the differentiated parameters in `#[grad(..)]` without it",
                    ty.to_token_stream(),
                    p.ident
                ),
            );
            p.kind = ParamKind::Rejected;
        }
    }
}

/// Rows of a runtime count (`xs: &[[f64; 4]]`) left out of a `#[grad(..)]` list are data
/// with no shadow, a sample per row, as before they could be differentiated: `NAME_adjoint`
/// keeps the signature callers already write.
pub(crate) fn settle_rows(attr: &GradAttr, sig: &mut Signature) {
    let Some(names) = &attr.wrt else {
        return;
    };
    for p in &mut sig.params {
        let ParamKind::Array { shape, float: true } = &p.kind else {
            continue;
        };
        let (dims, row_len, owned) = match &**shape {
            Shape::Matrix {
                rows: None, cols, ..
            } => (2, Some(Box::new(cols.clone())), false),
            Shape::VecRows => (2, None, false),
            // A `Vec` taken by value and left out: data, its functions called as written.
            Shape::VecOwned => (1, None, true),
            _ => continue,
        };
        if !names.contains(&p.ident) {
            p.kind = ParamKind::DataArray {
                dims,
                row_len,
                owned,
            };
        }
    }
}

/// Rows of their own lengths (`w: &[Vec<f64>]`) have a gradient, not yet a tangent or a
/// second order: those modes take a direction in the parameter's shape, one per row.
pub(crate) fn reverse_only_rows(attr: &GradAttr, sig: &Signature, errors: &mut Errors) {
    let Some(rows) = sig.params.iter().find(
        |p| matches!(&p.kind, ParamKind::Array { shape, .. } if matches!(**shape, Shape::VecRows)),
    ) else {
        return;
    };
    let (name, f) = (&rows.ident, sig.float.to_token_stream());
    for mode in [Mode::Tangent, Mode::Jacobian, Mode::Hvp, Mode::Hessian] {
        if let Some(span) = attr.mode_span(mode) {
            // (a model has forward mode, not second order)
            let instead = match mode {
                Mode::Tangent | Mode::Jacobian => format!("make the matrix a `Vec<Vec<{f}>>` field of a `#[derive(Params)]` struct (which has forward mode), or pass it as `&[[{f}; M]]` when its rows have a constant length"),
                _ => format!("pass it as `&[[{f}; M]]` when its rows have a constant length, or flat (`&[{f}]`, row `i` at `{name}[offsets[i]..offsets[i + 1]]`)"),
            };
            errors.at(
                span,
                format!("`{name}` is a slice of `Vec` rows: #[grad] differentiates it in reverse mode (`_grad`, `_adjoint`) but has no forward mode or second order for it yet; {instead}"),
            );
        }
    }
}

/// `#[grad]` on a function none of whose parameters it differentiates (`NAME_grad` would
/// return `()`): on a parameter of a type the function is generic over (smartcore's
/// `y_true: &V` with `V: BaseVector<T>`), passed through as data, or on the name.
fn nothing_to_differentiate(item: &ItemFn, sig: &Signature, errors: &mut Errors) {
    let f = sig.float.to_token_stream();
    let generic = sig
        .params
        .iter()
        .find(|p| matches!(p.kind, ParamKind::Opaque) && p.generic);
    if let Some((p, element)) = sig
        .params
        .iter()
        .find_map(|p| Some((p, sequence_of_structs(sig, &p.ident.to_string())?)))
    {
        return errors.at(p.span, sequence_of_models(&p.ident.to_string(), &element));
    }
    match generic {
        Some(p) => errors.at(
            p.span,
            format!(
                "#[grad] differentiates none of the parameters of `{}`: `{}` is of a type the function is generic over, which it passes through as data; take the floats in a shape it differentiates (`&[{f}]`, `&[{f}; N]`, `{f}`) or as a model (a struct deriving `autodiff::Params`)",
                item.sig.ident, p.ident
            ),
        ),
        None => errors.on(
            &item.sig.ident,
            format!(
                "#[grad] finds nothing to differentiate in `{}`: none of its parameters is a float, an array of floats or a model (integers, bools and other data pass through); remove `#[grad]`, or take the inputs to differentiate as `{f}`, `&[{f}]` or a model",
                item.sig.ident
            ),
        ),
    }
}

/// The element type of a parameter that is a sequence of structs (`bodies: &[Body]`,
/// `&Vec<Body>`, `&[Body; N]`), written.
fn sequence_of_structs(sig: &Signature, name: &str) -> Option<String> {
    let mut ty = sig.written_types.get(name)?;
    while let syn::Type::Reference(r) = ty {
        ty = &r.elem;
    }
    let element = match ty {
        syn::Type::Slice(s) => &*s.elem,
        syn::Type::Array(a) => &*a.elem,
        ty => crate::sig::vec_row(ty)?,
    };
    let syn::Type::Path(p) = element else {
        return None;
    };
    let last = p.path.segments.last()?.ident.to_string();
    let named = last.starts_with(|c: char| c.is_ascii_uppercase())
        && last.contains(|c: char| c.is_ascii_lowercase());
    named.then(|| crate::diag::written(element))
}

fn sequence_of_models(name: &str, element: &str) -> String {
    format!("#[grad] does not differentiate a sequence of structs passed as a parameter (`{name}`, of `{element}`): it differentiates a model, whose fields may be one (`#[derive(Params)] struct Bodies {{ items: Vec<{element}> }}`, its items read as `b.items[i].x`); take the sequence inside such a struct")
}

/// The parameters `NAME_grad` differentiates: `#[grad(a, b)]` or every float one.
pub(crate) fn differentiated(
    attr: &GradAttr,
    item: &ItemFn,
    sig: &Signature,
    errors: &mut Errors,
) -> Vec<usize> {
    let Some(names) = &attr.wrt else {
        // Every float parameter: one whose floats are not in a differentiated shape would
        // silently get no gradient.
        let others: Vec<String> = sig
            .params
            .iter()
            .filter(|p| p.has_shadow() && p.is_written())
            .map(|p| p.ident.to_string())
            .collect();
        for (name, span, ty) in &sig.float_data {
            let fix = match (ty.strip_prefix('&').map(str::trim), others.is_empty()) {
                // `x: &f64`: a number is taken by value.
                (Some(number), _) if !number.contains(['[', '<']) => {
                    format!("take the number by value (`{name}: {number}`)")
                }
                (_, true) => format!("take `{name}` in one of these shapes"),
                (_, false) => format!(
                    "to read `{name}` as data, name the differentiated parameters: `#[grad({})]`",
                    others.join(", ")
                ),
            };
            errors.at(
                *span,
                format!(
                    "#[grad] cannot differentiate `{name}: {ty}`: the parameters it differentiates are floats, `[T; N]`, `&[T; N]`, `&[T]`, `&Vec<T>`, `Vec<T>`, `[[T; M]; N]`, `&[[T; M]; N]`, `&[[T; M]]`, `&[Vec<T>]`, tuples of floats `(T, T)` and models; {fix}"
                ),
            );
        }
        let all: Vec<usize> = (0..sig.params.len())
            .filter(|&i| sig.params[i].has_shadow() && sig.params[i].is_written())
            .collect();
        // (A method an impl block's `#[grad]` picked for returning a float may have none.)
        if all.is_empty() && sig.float_data.is_empty() && errors.is_empty() && !sig.method {
            nothing_to_differentiate(item, sig, errors);
        }
        return all;
    };
    let mut chosen = Vec::new();
    for name in names {
        match sig.params.iter().position(|p| p.ident == *name) {
            None => errors.on(
                name,
                format!(
                    "`{name}` is not a parameter of this function; #[grad(..)] takes the names of the float parameters to differentiate ({}){}",
                    float_param_list(sig),
                    match Mode::named(&name.to_string()) {
                        Some(_) => format!(", and extra items in `modes(..)`: write `#[grad(modes({name}))]`"),
                        None => String::new(),
                    }
                ),
            ),
            Some(i) if matches!(sig.params[i].kind, ParamKind::Rejected) => {}
            Some(i) if !sig.params[i].has_shadow() => match generic_type(item, name) {
                Some(ty) => errors.on(
                    name,
                    format!(
                        "#[grad] cannot differentiate `{name}`, a model of the generic type `{ty}`: it differentiates models of a concrete `#[derive(Params)]` type named in the signature (`{name}: &Net`); a model generic over a trait is not supported yet (its methods' `_adjoint`s would have to be declared on the trait)"
                    ),
                ),
                None => match sequence_of_structs(sig, &name.to_string()) {
                    Some(element) => errors.on(name, sequence_of_models(&name.to_string(), &element)),
                    // `rate: &f64`, as finance helpers write it
                    None if refers_to_float(sig, &name.to_string()) => errors.on(
                        name,
                        format!("#[grad] differentiates numbers taken by value, not `{name}` behind a reference: take it by value (`{name}: {}`)", sig.float.to_token_stream()),
                    ),
                    None => errors.on(
                        name,
                        format!(
                            "`{name}` is not a float parameter, so it has no gradient; float parameters: {}",
                            float_param_list(sig)
                        ),
                    ),
                },
            },
            Some(i) if chosen.contains(&i) => {
                errors.on(name, format!("`{name}` is listed twice"))
            }
            Some(i) => chosen.push(i),
        }
    }
    chosen.sort_unstable();
    chosen
}

/// Whether the parameter `name` is written `&F` of the function's float `F`.
fn refers_to_float(sig: &Signature, name: &str) -> bool {
    matches!(sig.written_types.get(name), Some(syn::Type::Reference(r))
        if r.mutability.is_none()
            && r.elem.to_token_stream().to_string() == sig.float.to_token_stream().to_string())
}

/// The generic type parameter `name` has (`m: &M`, `m: M` with `M` declared by the function),
/// if it has one.
fn generic_type(item: &ItemFn, name: &Ident) -> Option<Ident> {
    let ty = item.sig.inputs.iter().find_map(|arg| match arg {
        syn::FnArg::Typed(t) if matches!(&*t.pat, syn::Pat::Ident(p) if p.ident == *name) => {
            Some(&*t.ty)
        }
        _ => None,
    })?;
    let ty = match ty {
        syn::Type::Reference(r) => &*r.elem,
        ty => ty,
    };
    let syn::Type::Path(p) = ty else {
        return None;
    };
    let ident = p.path.get_ident()?;
    item.sig
        .generics
        .type_params()
        .any(|t| t.ident == *ident)
        .then(|| ident.clone())
}

fn float_param_list(sig: &Signature) -> String {
    let list: Vec<String> = sig
        .params
        .iter()
        .filter(|p| p.has_shadow() && p.is_written())
        .map(|p| format!("`{}`", p.ident))
        .collect();
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}
