//! Second order, asked for with `#[grad(modes(hvp))]` and `#[grad(modes(hessian))]`.
//!
//! Forward mode over reverse mode: `NAME_dual_adjoint` is `NAME_adjoint` written on dual
//! numbers (`autodiff::Dual`, a value and a tangent), the values that depend on a parameter
//! and every adjoint carrying a tangent (`reverse::Gen::on_dual_numbers`). Run with the
//! parameters moving along `v`, its shadows come back holding the gradient and, in their
//! tangents, its derivative along `v`: the Hessian-vector product, for a small constant
//! times the gradient's cost. `NAME_hvp` wraps it; `NAME_hessian` calls `NAME_hvp` once per
//! coordinate of its one array parameter. A call of `g` inside calls `g_dual_adjoint`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::ItemFn;

use crate::activity::Analysis;
use crate::attr::{GradAttr, Mode};
use crate::diag::Errors;
use crate::emit::{
    fallible_type, grad_type, inherited_attrs, lit, mention, own_generics, primal_params, Names,
};
use crate::ir::{Arg, Body, Op, Operand, Stmt};
use crate::reverse::{local, plain_name};
use crate::sig::{Output, Param, ParamKind, Shape, Signature};

/// Whether the attribute asks for second order and the signature allows it.
pub fn plan(attr: &GradAttr, sig: &Signature, wrt: &[usize], errors: &mut Errors) -> bool {
    let Some(span) = attr
        .mode_span(Mode::Hvp)
        .or_else(|| attr.mode_span(Mode::Hessian))
    else {
        return false;
    };
    let mut ok = true;
    // An array output has no Hessian: `modes(hvp)` writes its `NAME_dual_adjoint`, which
    // second-order callers go through.
    if sig.output != Output::Scalar {
        if let Some(span) = attr.mode_span(Mode::Hessian) {
            errors.at(
                span,
                "`modes(hessian)` is for a function that returns one number; this one returns an array: ask for `modes(hvp)`, which lets the second order of the functions that call it go through it (its first order is `modes(jacobian)`)",
            );
            ok = false;
        }
    }
    if let Some(model) = sig
        .params
        .iter()
        .find(|p| matches!(p.kind, ParamKind::Model { .. }))
    {
        errors.at(
            span,
            format!(
                "second order (`modes(hvp)`, `modes(hessian)`) differentiates numbers and arrays of them, not yet a model such as `{}`; pass its parameters as a flat slice (`&[f64]`) to a function with `modes(hvp)`, or leave `{0}` out of `#[grad(..)]` to read it as data",
                model.ident
            ),
        );
        ok = false;
    }
    if let Some(span) = attr.mode_span(Mode::Hessian) {
        let one_array = match wrt {
            [p] => {
                matches!(&sig.params[*p].kind, ParamKind::Array { shape, .. } if is_vector(shape))
            }
            _ => false,
        };
        let rows = match wrt {
            [p] => {
                matches!(&sig.params[*p].kind, ParamKind::Array { .. }).then_some(&sig.params[*p])
            }
            _ => None,
        };
        if let (false, Some(rows)) = (one_array, rows) {
            // One array, of rows: the Hessian would be a matrix of matrices.
            errors.at(
                span,
                format!(
                    "`modes(hessian)` makes the Hessian of one vector parameter (`[f64; N]`, `&[f64; N]`, `&[f64]` or `&Vec<f64>`), not of rows such as `{}`: take the numbers flat (`&[f64]`, read as `x[2 * i + k]`), or ask for `modes(hvp)`, which takes a direction of the parameter's shape",
                    rows.ident
                ),
            );
            ok = false;
        } else if !one_array {
            let names: Vec<String> = wrt
                .iter()
                .map(|&i| format!("`{}`", sig.params[i].ident))
                .collect();
            errors.at(
                span,
                format!(
                    "`modes(hessian)` needs exactly one differentiated parameter, an array (`[f64; N]`, `&[f64; N]`, `&[f64]` or `&Vec<f64>`); this function differentiates {}: name the one in `#[grad(x, modes(hessian))]`, or ask for `modes(hvp)`, which takes a direction per parameter",
                    if names.is_empty() { "none".to_string() } else { names.join(", ") }
                ),
            );
            ok = false;
        }
    }
    ok
}

/// Calls the dual sweep cannot make yet: a local struct of values that depend on a parameter
/// handed to a function.
pub fn check_body(body: &Body, an: &Analysis, errors: &mut Errors) {
    let varied = |x: &Operand| x.var().is_some_and(|v| an.varied[v.0]);
    body.block.for_each_stmt(&mut |s| {
        let (Stmt::Let {
            op: Op::Call { callee, args, .. },
            ..
        }
        | Stmt::CallArray { callee, args, .. }) = s
        else {
            return;
        };
        let record = args.iter().any(
            |a| matches!(a, Arg::Record { path: Some(_), fields, .. } if fields.iter().any(|(_, x)| varied(x))),
        );
        if record {
            errors.on(
                callee,
                "second order (`modes(hvp)`, `modes(hessian)`) does not differentiate a struct yet, and this call is handed a local struct built from differentiated values; pass its fields to the function instead, or ask only for first order",
            );
        }
    });
}

fn is_vector(shape: &Shape) -> bool {
    matches!(
        shape,
        Shape::ArrayByValue(_)
            | Shape::ArrayRef(_)
            | Shape::Slice
            | Shape::VecRef
            | Shape::VecOwned
    )
}

/// `NAME_dual_adjoint` around `block`, `NAME_hvp`, and `NAME_hessian` when asked for.
pub fn items(
    attr: &GradAttr,
    item: &ItemFn,
    sig: &Signature,
    names: &Names,
    wrt: &[usize],
    block: TokenStream,
    used_shadows: &[usize],
) -> TokenStream {
    let mut out = dual_adjoint_item(item, sig, names, block, used_shadows);
    if sig.output != Output::Scalar {
        return out;
    }
    let directions = directions(sig, wrt);
    out.extend([hvp_item(item, sig, names, wrt, &directions)]);
    if attr.wants(Mode::Hessian) {
        out.extend([hessian_item(item, sig, wrt)]);
    }
    out
}

fn dual_type(sig: &Signature) -> TokenStream {
    let f = &sig.float;
    quote!(::autodiff::Dual::<#f>)
}

/// Whether parameter `i` is a dual number (or an array of them) in `NAME_dual_adjoint`.
fn is_dual(names: &Names, p: &Param, i: usize) -> bool {
    names.shadows[i].is_some() && p.is_written()
}

/// A float parameter's type with its numbers dual.
fn dual_param_type(p: &Param, dual: &TokenStream) -> TokenStream {
    match &p.kind {
        ParamKind::Array { shape, .. } => match &**shape {
            Shape::ArrayByValue(n) => quote!([#dual; #n]),
            Shape::ArrayRef(n) => quote!(&[#dual; #n]),
            Shape::Tuple { len, by_ref } => {
                let duals = std::iter::repeat_n(dual, *len);
                let amp = by_ref.then(|| quote!(&));
                quote!(#amp (#(#duals,)*))
            }
            Shape::Slice => quote!(&[#dual]),
            Shape::VecRef => quote!(&::std::vec::Vec<#dual>),
            Shape::VecOwned => quote!(::std::vec::Vec<#dual>),
            Shape::Matrix {
                rows: Some(rows),
                cols,
                by_value,
            } => match by_value {
                true => quote!([[#dual; #cols]; #rows]),
                false => quote!(&[[#dual; #cols]; #rows]),
            },
            Shape::Matrix {
                rows: None, cols, ..
            } => quote!(&[[#dual; #cols]]),
            Shape::VecRows => quote!(&[::std::vec::Vec<#dual>]),
            Shape::Field { .. } => quote!(#dual),
        },
        _ => quote!(#dual),
    }
}

/// Whether the parameter is passed by reference.
fn by_ref(p: &Param) -> bool {
    matches!(&p.kind, ParamKind::Array { shape, .. } if !shape.by_value())
}

fn dual_adjoint_item(
    item: &ItemFn,
    sig: &Signature,
    names: &Names,
    block: TokenStream,
    used_shadows: &[usize],
) -> TokenStream {
    let name = format_ident!("{}_dual_adjoint", item.sig.ident);
    let dual = dual_type(sig);
    let dual_ty: syn::Type = syn::parse_quote!(#dual);
    let mut generics = item.sig.generics.clone();
    let mut params = Vec::new();
    let written = sig
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_written());
    for ((i, p), primal) in written.zip(primal_params(item)) {
        params.push(match is_dual(names, p, i) {
            true => {
                let (ident, ty) = (&p.ident, dual_param_type(p, &dual));
                quote!(#ident: #ty)
            }
            false => primal,
        });
    }
    let shadow_args = crate::emit::shadow_args(sig, names, &dual_ty, used_shadows, &mut generics);
    let d_out = &names.d_out;
    let success = on_dual_numbers(&sig.success_returns(), &dual);
    let returns = match sig.fallible {
        Some(_) => fallible_type(&sig.written, success.clone()),
        None => success.clone(),
    };
    // An array's cotangent by value, so that a caller that wants only the value passes zeros
    // of its type (`Default`, an empty `Vec`), whatever the type is.
    let d_out_ty = match sig.output {
        Output::Scalar => dual.clone(),
        _ => success,
    };
    let callers = match sig.output {
        Output::Scalar => format!("`{}_hvp` and ", item.sig.ident),
        _ => String::new(),
    };
    let doc = format!(
        "{} on dual numbers (`autodiff::Dual`: a value and a tangent), for second order: with the float parameters moving along a direction, the shadows get the gradient and, in their tangents, its derivative along that direction. Called by {callers}the `_hvp` of functions that call `{1}`. Generated by `#[grad(modes(hvp))]`.",
        crate::emit::doc_link(&format_ident!("{}_adjoint", item.sig.ident), sig),
        item.sig.ident
    );
    let args = quote!(#(#params,)* #d_out: #d_out_ty, #(#shadow_args),*);
    crate::emit::sweep_fn(item, &name, &doc, &generics, args, returns, block)
}

/// An output type with its float replaced by `dual` (`[f64; 3]` -> `[Dual<f64>; 3]`,
/// `Vec<f64>` -> `Vec<Dual<f64>>`, `(f64, f64)` -> `(Dual<f64>, Dual<f64>)`).
fn on_dual_numbers(ty: &syn::Type, dual: &TokenStream) -> TokenStream {
    match ty {
        syn::Type::Tuple(t) => {
            let elems = t.elems.iter().map(|e| on_dual_numbers(e, dual));
            quote!((#(#elems,)*))
        }
        syn::Type::Array(a) => {
            let (elem, len) = (on_dual_numbers(&a.elem, dual), &a.len);
            quote!([#elem; #len])
        }
        syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Vec") => {
            quote!(::std::vec::Vec<#dual>)
        }
        _ => dual.clone(),
    }
}

/// The direction argument of each differentiated parameter (`v_x`), by parameter index.
fn directions(sig: &Signature, wrt: &[usize]) -> Vec<Option<Ident>> {
    let mut taken: Vec<String> = sig.params.iter().map(|p| p.ident.to_string()).collect();
    (0..sig.params.len())
        .map(|i| {
            if !wrt.contains(&i) {
                return None;
            }
            let p = &sig.params[i];
            // `v_y` for `_y` too: `v__y` is no snake case name.
            let plain = p.ident.to_string().trim_start_matches('_').to_string();
            let mut name = crate::reverse::plain_name(&format!("v_{plain}"));
            while taken.contains(&name) {
                name.push('_');
            }
            taken.push(name.clone());
            Some(Ident::new(&name, p.ident.span()))
        })
        .collect()
}

/// The type of a direction: the parameter's shape, arrays by reference.
fn direction_type(p: &Param, f: &syn::Type) -> TokenStream {
    match &p.kind {
        ParamKind::Array { shape, .. } => match &**shape {
            Shape::ArrayByValue(n) | Shape::ArrayRef(n) => quote!(&[#f; #n]),
            Shape::Tuple { len, .. } => {
                let fs = std::iter::repeat_n(f, *len);
                quote!(&(#(#fs,)*))
            }
            Shape::Matrix {
                rows: Some(rows),
                cols,
                ..
            } => quote!(&[[#f; #cols]; #rows]),
            Shape::Matrix {
                rows: None, cols, ..
            } => quote!(&[[#f; #cols]]),
            _ => quote!(&[#f]),
        },
        _ => quote!(#f),
    }
}

fn hvp_item(
    item: &ItemFn,
    sig: &Signature,
    names: &Names,
    wrt: &[usize],
    directions: &[Option<Ident>],
) -> TokenStream {
    let vis = &item.vis;
    let original = &item.sig.ident;
    let name = format_ident!("{original}_hvp");
    let dual_adjoint = format_ident!("{original}_dual_adjoint");
    let f = &sig.float;
    let dual = dual_type(sig);
    let (zero, one) = (lit(sig, 0.0), lit(sig, 1.0));
    let site = Span::call_site();
    let mut setup = TokenStream::new();
    let mut args = Vec::new();
    let mut shadows = Vec::new();
    let mut splits = TokenStream::new();
    let (mut grads, mut products, mut types) = (Vec::new(), Vec::new(), Vec::new());
    // The locals made here are named after the parameters (the parameter on dual numbers,
    // its accumulator `d_x`, its parts `g_x` and `hv_x`): each must differ from the others,
    // `d_x` of a parameter `x` from a parameter `d_x` lifted.
    let mut made: Vec<String> = sig.params.iter().map(|p| p.ident.to_string()).collect();
    made.push("value".to_string());
    let mut unique = |base: String| {
        let mut name = base;
        while made.contains(&name) {
            name.push('_');
        }
        made.push(name.clone());
        name
    };
    for (i, p) in sig.params.iter().enumerate() {
        if !p.is_written() {
            continue;
        }
        let ident = &p.ident;
        if !is_dual(names, p, i) {
            args.push(quote!(#ident));
            continue;
        }
        // The parameter on dual numbers: moving along its direction, or a constant.
        let lifted = local(&ident.to_string(), p.span);
        let array = matches!(p.kind, ParamKind::Array { .. });
        let source = match &p.kind {
            ParamKind::Array { shape, .. } => match &**shape {
                Shape::ArrayByValue(_)
                | Shape::Tuple { by_ref: false, .. }
                | Shape::Matrix { by_value: true, .. } => quote!(&#ident),
                Shape::VecRef | Shape::VecOwned => quote!(&#ident[..]),
                _ => quote!(#ident),
            },
            _ => quote!(#ident),
        };
        let label = ident.to_string();
        let rows = matches!(&p.kind, ParamKind::Array { shape, .. } if shape.dims() == 2);
        let (with_tangent, lift) = match rows {
            true => (quote!(with_tangent_rows), quote!(lift_rows)),
            false => (quote!(with_tangent), quote!(lift)),
        };
        setup.extend([match (&directions[i], array) {
            (Some(v), true) => quote!(
                let #lifted = ::autodiff::__private::#with_tangent(#source, #v, #label);
            ),
            (Some(v), false) => quote!(let #lifted = #dual::new(#ident, #v);),
            (None, true) => quote!(let #lifted = ::autodiff::__private::#lift(#source);),
            (None, false) => quote!(let #lifted = #dual::constant(#ident);),
        }]);
        args.push(match by_ref(p) {
            true => quote!(&#lifted),
            false => quote!(#lifted),
        });
        if !wrt.contains(&i) {
            shadows.push(quote!(::autodiff::Const));
            continue;
        }
        let d = local(&unique(plain_name(&format!("d_{ident}"))), p.span);
        let dual_zero = quote!(#dual::constant(#zero));
        let (init, pass) = match &p.kind {
            ParamKind::Array { shape, .. } => {
                let zeros = crate::emit::array_zeros(shape, ident, &dual_zero)
                    .unwrap_or_else(|| quote!(::std::vec![#dual_zero; #ident.len()]));
                let pass = match shape.is_fixed() {
                    true => quote!(&mut #d),
                    false => quote!(&mut #d[..]),
                };
                (zeros, pass)
            }
            _ => (dual_zero, quote!(&mut #d)),
        };
        setup.extend([quote!(let mut #d = #init;)]);
        shadows.push(pass);
        let (g, hv) = (
            local(&unique(plain_name(&format!("g_{ident}"))), p.span),
            local(&unique(plain_name(&format!("hv_{ident}"))), p.span),
        );
        splits.extend([quote!(let (#g, #hv) = ::autodiff::__private::split(#d);)]);
        grads.push(g);
        products.push(hv);
        types.push(grad_type(p, f));
    }
    let value = local("value", site);
    let tuple = |xs: &[Ident]| match xs {
        [x] => quote!(#x),
        _ => quote!((#(#xs),*)),
    };
    let (g, hv) = (tuple(&grads), tuple(&products));
    let ty = match types.as_slice() {
        [t] => t.clone(),
        _ => quote!((#(#types),*)),
    };
    let (returns, question, success) = match sig.fallible {
        Some(fallible) => (
            fallible_type(&sig.written, quote!((#f, #ty, #ty))),
            Some(quote!(?)),
            fallible.wrap(quote!((#value.value, #g, #hv))),
        ),
        None => (
            quote!((#f, #ty, #ty)),
            None,
            quote!((#value.value, #g, #hv)),
        ),
    };
    let params = primal_params(item);
    let direction_params = sig.params.iter().enumerate().filter_map(|(i, p)| {
        let v = directions[i].as_ref()?;
        let ty = direction_type(p, f);
        Some(quote!(#v: #ty))
    });
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let owner = sig.method.then(|| quote!(Self::));
    let turbofish = own_generics(item, shadows.len());
    let mention = mention(item, sig);
    let attrs = inherited_attrs(item);
    let doc = format!(
        "The value of {}, its gradient, and the Hessian times the directions `v_p` (one per differentiated parameter, in the parameter's shape): the derivative of the gradient along them, forward mode over reverse. Generated by `#[grad(modes(hvp))]`.",
        crate::emit::doc_link(&item.sig.ident, sig)
    );
    quote! {
        #attrs
        #[doc = #doc]
        #[allow(dead_code, clippy::too_many_arguments, clippy::type_complexity, clippy::ptr_arg)]
        #vis fn #name #generics(#(#params,)* #(#direction_params),*) -> #returns #where_clause {
            #mention
            #setup
            let #value = #owner #dual_adjoint #turbofish(#(#args,)* #dual::constant(#one), #(#shadows),*) #question;
            #splits
            #success
        }
    }
}

fn hessian_item(item: &ItemFn, sig: &Signature, wrt: &[usize]) -> TokenStream {
    let &[x] = wrt else {
        return TokenStream::new();
    };
    let vis = &item.vis;
    let original = &item.sig.ident;
    let name = format_ident!("{original}_hessian");
    let hvp = format_ident!("{original}_hvp");
    let f = &sig.float;
    let (zero, one) = (lit(sig, 0.0), lit(sig, 1.0));
    let p = &sig.params[x];
    let ident = &p.ident;
    let site = Span::call_site();
    let (direction, h, row, first) = (
        local("direction", site),
        local("h", site),
        local("i", site),
        local("first", site),
    );
    let (value, g, hv) = (local("value", site), local("g", site), local("hv", site));
    let found = local("found", site);
    let fixed = match &p.kind {
        ParamKind::Array { shape, .. } => match &**shape {
            Shape::ArrayByValue(n) | Shape::ArrayRef(n) => Some(n.clone()),
            _ => None,
        },
        _ => None,
    };
    let (direction_init, h_init, h_ty, store, pass) = match &fixed {
        Some(n) => (
            quote!([#zero; #n]),
            quote!([[#zero; #n]; #n]),
            quote!([[#f; #n]; #n]),
            quote!(#h[#row] = #hv;),
            quote!(&#direction),
        ),
        None => (
            quote!(::std::vec![#zero; #ident.len()]),
            quote!(::std::vec::Vec::with_capacity(#ident.len())),
            quote!(::std::vec::Vec<::std::vec::Vec<#f>>),
            quote!(#h.push(#hv);),
            quote!(&#direction[..]),
        ),
    };
    let args: Vec<TokenStream> = sig
        .params
        .iter()
        .filter(|p| p.is_written())
        .map(Param::passed_again)
        .collect();
    let g_ty = grad_type(p, f);
    let owner = sig.method.then(|| quote!(Self::));
    let (returns, question, success) = match sig.fallible {
        Some(fallible) => (
            fallible_type(&sig.written, quote!((#f, #g_ty, #h_ty))),
            Some(quote!(?)),
            fallible.wrap(quote!((#value, #g, #h))),
        ),
        None => (quote!((#f, #g_ty, #h_ty)), None, quote!((#value, #g, #h))),
    };
    let params = primal_params(item);
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let attrs = inherited_attrs(item);
    let turbofish = own_generics(item, 0);
    let doc = format!(
        "The value of {}, its gradient and its Hessian with respect to `{ident}` (row `i` is the derivative of the gradient along coordinate `i`): one `{original}_hvp` per coordinate. Generated by `#[grad(modes(hessian))]`.",
        crate::emit::doc_link(&item.sig.ident, sig)
    );
    quote! {
        #attrs
        #[doc = #doc]
        #[allow(dead_code, clippy::type_complexity, clippy::ptr_arg)]
        #vis fn #name #generics(#(#params),*) -> #returns #where_clause {
            let mut #direction = #direction_init;
            let mut #h = #h_init;
            let mut #first = ::core::option::Option::None;
            for #row in 0..#ident.len() {
                #direction[#row] = #one;
                let (#value, #g, #hv) = #owner #hvp #turbofish(#(#args,)* #pass) #question;
                #direction[#row] = #zero;
                #store
                #first.get_or_insert((#value, #g));
            }
            // No coordinates: the value and the (empty) gradient still come from one call.
            let (#value, #g) = match #first {
                ::core::option::Option::Some(#found) => #found,
                ::core::option::Option::None => {
                    let (#value, #g, _) = #owner #hvp #turbofish(#(#args,)* #pass) #question;
                    (#value, #g)
                }
            };
            #success
        }
    }
}
