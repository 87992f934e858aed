//! Forward mode and Jacobians, asked for with `#[grad(modes(tangent, jacobian))]`:
//! `NAME_tangent(args.., t_p..) -> (value, t_out)`, the Jacobian-vector product as one
//! forward sweep (`sweep`), and `NAME_jacobian(args..) -> (value, J)` for functions with array
//! outputs, which calls `NAME_tangent` once per input coordinate or `NAME_adjoint` once per
//! output, whichever is fewer (`jacobian`).

mod jacobian;
mod sweep;

use std::collections::HashSet;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::ItemFn;

use crate::activity::Analysis;
use crate::attr::{GradAttr, Mode};
use crate::diag::Errors;
use crate::emit::{argument_bound, camel, fallible_type, mention, primal_params};
use crate::ir::Body;
use crate::reverse::local;
use crate::sig::{Output, ParamKind, Shape, Signature};

/// Which extra items to write.
#[derive(Clone, Copy, Default)]
pub struct Plan {
    pub tangent: bool,
    pub jacobian: bool,
}

/// What the attribute asks for, checked against the signature: `modes(jacobian)` needs an
/// array output, and writes `NAME_tangent` too (its forward path calls it).
pub fn plan(attr: &GradAttr, item: &ItemFn, sig: &Signature, errors: &mut Errors) -> Plan {
    let mut plan = Plan {
        tangent: attr.wants(Mode::Tangent),
        jacobian: attr.wants(Mode::Jacobian),
    };
    let name = &item.sig.ident;
    if let Some(span) = attr.mode_span(Mode::Jacobian) {
        if sig.output == Output::Scalar {
            errors.at(
                span,
                format!(
                    "`modes(jacobian)` needs a function that returns a vector (`[f64; M]` or `Vec<f64>`) or a matrix; `{name}` returns one number, whose Jacobian is its gradient: call `{name}_grad`"
                ),
            );
            plan.jacobian = false;
        }
    }
    // `NAME_jacobian` calls `NAME_tangent` when forward mode is the cheaper way.
    if plan.jacobian {
        plan.tangent = true;
    }
    plan
}

/// The items of a function lowered without error.
pub fn items(
    plan: Plan,
    item: &ItemFn,
    sig: &Signature,
    body: &Body,
    an: &Analysis,
    wrt: &[usize],
) -> TokenStream {
    let mut out = TokenStream::new();
    if !plan.tangent && !plan.jacobian {
        return out;
    }
    let names = Names::new(item, sig, Some(body));
    if plan.tangent {
        let mut sweep = sweep::Sweep::new(body, an, sig, &names.tangents);
        let (code, value, tangent) = sweep.top();
        let result = match &sig.tuple {
            // The arrays the sweep holds a tuple result in, as the tuples.
            Some(_) => quote!((
                ::autodiff::__private::array_tuple(&#value),
                ::autodiff::__private::array_tuple(&#tangent),
            )),
            None => quote!((#value, #tangent)),
        };
        let result = match sig.fallible {
            Some(fallible) => fallible.wrap(result),
            None => result,
        };
        let import = sig.float_is_generic.then(|| {
            quote!(
                #[allow(unused_imports)]
                use ::autodiff::__private::Float as _;
            )
        });
        let items = &body.items;
        let uses = crate::imported::generated_uses(items, &[&code]);
        let setup = setup(sig, &names, &code);
        let mention = mention(item, sig);
        let block = quote!({
            #mention
            #(#items)*
            #uses
            #import
            #setup
            #code
            #result
        });
        out.extend([tangent_item(item, sig, &names, block)]);
    }
    if plan.jacobian {
        out.extend([jacobian::item(item, sig, &names, wrt, plan.tangent)]);
    }
    out
}

/// Items with the right signatures and no body, when the function's body is outside the
/// subset: callers then see the one real error.
pub fn stubs(plan: Plan, item: &ItemFn, sig: &Signature, wrt: &[usize]) -> TokenStream {
    let names = Names::new(item, sig, None);
    let mut out = TokenStream::new();
    if plan.tangent {
        out.extend([tangent_item(
            item,
            sig,
            &names,
            quote!({ ::core::unreachable!() }),
        )]);
    }
    if plan.jacobian {
        out.extend([jacobian::stub(item, sig, &names, wrt)]);
    }
    out
}

/// The generated names of the extra items.
pub struct Names {
    pub tangent: Ident,
    pub adjoint: Ident,
    pub jacobian: Ident,
    /// The tangent argument of each float parameter (`t_x`).
    pub tangents: Vec<Option<Ident>>,
    /// Its type parameter (`TX`).
    pub tangent_types: Vec<Option<Ident>>,
}

impl Names {
    fn new(item: &ItemFn, sig: &Signature, body: Option<&Body>) -> Self {
        let name = &item.sig.ident;
        let mut taken: HashSet<String> = crate::emit::generic_names(&item.sig.generics)
            .map(Ident::to_string)
            .collect();
        // Generated locals share one namespace: a tangent argument avoids the names the
        // sweep gives the function's values.
        let mut locals: HashSet<String> = HashSet::new();
        if let Some(body) = body {
            locals.extend(body.vars.iter().map(|v| v.name.clone()));
            locals.extend(body.arrays.iter().map(|a| a.name.clone()));
        }
        let mut tangents = Vec::new();
        let mut tangent_types = Vec::new();
        for p in &sig.params {
            if !p.has_shadow() {
                tangents.push(None);
                tangent_types.push(None);
                continue;
            }
            let plain = crate::reverse::plain_name(&format!("t_{}", p.ident));
            let mut arg = plain.clone();
            let mut k = 0;
            while !locals.insert(arg.clone()) {
                k += 1;
                arg = format!("{plain}_{k}");
            }
            tangents.push(Some(local(&arg, p.ident.span())));
            if !p.is_written() {
                // A model's field: its tangent is a local, projected from the model's.
                tangent_types.push(None);
                continue;
            }
            let mut ty = format!("T{}", camel(&p.ident.to_string().replace("r#", "")));
            while !taken.insert(ty.clone()) {
                ty.push('_');
            }
            tangent_types.push(Some(Ident::new(&ty, p.ident.span())));
        }
        Names {
            tangent: format_ident!("{}_tangent", name),
            adjoint: format_ident!("{}_adjoint", name),
            jacobian: format_ident!("{}_jacobian", name),
            tangents,
            tangent_types,
        }
    }
}

/// At the top of `NAME_tangent`: array tangents checked against their arrays' shapes,
/// scalar tangents read (zero for `Const`), and the fields of models with their tangents,
/// projected from the model's (`Option<&F>`, `None` for a `Const` model tangent). A field's
/// tangent is checked only where the sweep's `code` reads it (one read as a condition may
/// hold `bool`s).
fn setup(sig: &Signature, names: &Names, code: &TokenStream) -> TokenStream {
    let f = &sig.float;
    let zero = crate::emit::lit(sig, 0.0);
    let mut out = TokenStream::new();
    for p in sig.params.iter().filter(|p| p.field.is_some()) {
        out.extend(crate::lower::models::binding(sig, p));
    }
    for (i, p) in sig.params.iter().enumerate() {
        let Some(t) = &names.tangents[i] else {
            continue;
        };
        let ident = &p.ident;
        if let Some(field) = &p.field {
            let model = &sig.params[field.model];
            let ParamKind::Model { ty, .. } = &model.kind else {
                continue;
            };
            let (Some(root), path) = (&names.tangents[field.model], &field.path) else {
                continue;
            };
            let m = local("m", p.span);
            // A `#[params(skip)]` field is data: a zero tangent, whatever the direction holds.
            let filter = crate::lower::models::param_field_filter(sig, field.model, path);
            let get = quote!(::autodiff::ParamsTangent::<#ty>::get(&#root) #filter);
            out.extend([match &p.kind {
                ParamKind::Float if field.conversion == crate::sig::Conversion::ToFloat => {
                    quote!(let #t: #f = #get.map_or(#zero, |#m| #m #(.#path)* as #f);)
                }
                ParamKind::Float => quote!(let #t: #f = #get.map_or(#zero, |#m| #m #(.#path)*);),
                _ => quote!(let #t = #get.map(|#m| &#m #(.#path)*);),
            }]);
            // A `Vec` field of the tangent must be as long as the model's.
            if matches!(&p.kind, ParamKind::Array { shape, .. } if shape.dims() == 1)
                && crate::reverse::mentions(code, &t.to_string())
            {
                let label = field.written(&model.ident);
                out.extend([quote!(
                    ::autodiff::SliceTangent::<#f>::check_len(&#t, #ident.len(), #label);
                )]);
            }
            continue;
        }
        let label = ident.to_string();
        out.extend([match &p.kind {
            ParamKind::Array { shape, .. } => match &**shape {
                Shape::Matrix { cols, .. } => quote!(
                    ::autodiff::MatrixTangent::<#f>::check_shape(&#t, #ident.len(), #cols, #label);
                ),
                Shape::Tuple { len, .. } => {
                    let len = syn::Index::from(*len);
                    quote!(::autodiff::SliceTangent::<#f>::check_len(&#t, #len, #label);)
                }
                _ => quote!(::autodiff::SliceTangent::<#f>::check_len(&#t, #ident.len(), #label);),
            },
            ParamKind::Model { .. } => TokenStream::new(),
            _ => quote!(let #t: #f = ::autodiff::Tangent::<#f>::get(&#t);),
        }]);
    }
    out
}

/// `NAME_tangent`'s signature around `block`.
fn tangent_item(item: &ItemFn, sig: &Signature, names: &Names, block: TokenStream) -> TokenStream {
    let f = &sig.float;
    let mut generics = item.sig.generics.clone();
    let mut tangent_args = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let (Some(t), Some(ty)) = (&names.tangents[i], &names.tangent_types[i]) else {
            continue;
        };
        let bound = argument_bound(&p.kind, f, "Tangent");
        generics.params.push(crate::emit::bounded_param(ty, bound));
        tangent_args.push(quote!(#t: #ty));
    }
    let params = primal_params(item);
    let returns = &sig.success_returns();
    let pair = quote!((#returns, #returns));
    let ret = match sig.fallible {
        Some(_) => fallible_type(&sig.written, pair),
        None => pair,
    };
    let doc = format!(
        "Forward mode of {0}: returns `{1}(..)` and its derivative along the tangents `t_p`, one per float parameter in order with the parameter's shape (`autodiff::Const` for zero): the Jacobian-vector product. Generated by `#[grad(modes(tangent))]`.",
        crate::emit::doc_link(&item.sig.ident, sig),
        item.sig.ident
    );
    let args = quote!(#(#params,)* #(#tangent_args),*);
    let with_data = crate::emit::with_data_item(
        item,
        sig,
        &names.tangent,
        TokenStream::new(),
        &[],
        (&names.tangents, &names.tangent_types),
        ("Tangent", "T"),
        ret.clone(),
    );
    let tangent = crate::emit::sweep_fn(item, &names.tangent, &doc, &generics, args, ret, block);
    quote!(#tangent #with_data)
}

/// A span-less `Span` for generated helpers.
fn site() -> Span {
    Span::call_site()
}
