//! The generated items: `NAME_adjoint` (forward + reverse sweep) and `NAME_grad` (a thin
//! wrapper), or, when the function is outside the subset, the errors plus stubs with the
//! right signatures so callers do not drown the real error in "cannot find `NAME_grad`".

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::{FnArg, GenericParam, ItemFn};

use crate::activity;
use crate::activity::Analysis;
use crate::attr::{GradAttr, Mode};
use crate::checkpoint;
use crate::diag::Errors;
use crate::forward_mode;
use crate::hash::HashSet;
use crate::ir::{Body, Callee, Op, Stmt};
use crate::last_taken;
use crate::lower;
use crate::lower::models;
use crate::precision;
use crate::reverse::{local, plain_name, Gen};
use crate::rules::float_literal;
use crate::second_order;
use crate::settle;
use crate::sig::{self, FieldOf, Output, Param, ParamKind, Shape, Signature};

/// `original`: `item`'s tokens, emitted as they came unless a `#[checkpoint]` marker is
/// stripped (printing the function again costs as much as a tenth of the expansion).
pub fn expand(attr: GradAttr, mut item: ItemFn, original: TokenStream) -> TokenStream {
    // A function that names `Self` is in an `impl` block (an associated function marked
    // alone, without `self`): its items are reached through `Self::` too.
    let associated = names_self(original.clone());
    let generated = generate(&attr, &item, None, associated, None);
    let free = (!associated && item.sig.receiver().is_none())
        .then(|| free_function_check(&item, &original));
    if checkpoint::strip(&mut item.block) {
        quote!(#item #generated #free)
    } else {
        quote!(#original #generated #free)
    }
}

/// Two constants, the first naming the second, beside the items of a function taken for a
/// free one. In an `impl` block (an associated function marked alone that names nothing of
/// `Self`) they are associated constants, which a bare name does not reach: a compile error
/// spanned on the function, where the generated items would otherwise call each other as free
/// functions, and so a free function of the same name, silently (its gradient, not this
/// one's). The name is unique to the function's tokens, so another function's constants never
/// answer for it.
fn free_function_check(item: &ItemFn, original: &TokenStream) -> TokenStream {
    use std::hash::Hasher;
    let mut hasher = crate::hash::FxHasher::default();
    hasher.write(original.to_string().as_bytes());
    let name = &item.sig.ident;
    let hash = hasher.finish() as u32;
    let plain = plain_name(&name.to_string());
    let check = format_ident!("__autodiff_free_{plain}_{hash:08x}");
    let hint = format_ident!(
        "{plain}_takes_grad_on_its_impl_block_{hash:08x}",
        span = name.span()
    );
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, dead_code)]
        const #check: () = #hint;
        #[doc(hidden)]
        #[allow(non_upper_case_globals, dead_code)]
        const #hint: () = ();
    }
}

/// Whether `tokens` name `Self` (`Self::G`, `-> Self`).
fn names_self(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == "Self",
        proc_macro2::TokenTree::Group(g) => names_self(g.stream()),
        _ => false,
    })
}

/// `NAME_adjoint` and `NAME_grad` for `item`, or the errors that prevent them (with stubs
/// when only the body is at fault). `outer` are the type parameters of the `impl` a method is
/// in, which its float type may be, when the `impl` is seen (`None` for a method marked alone,
/// whose `impl`'s parameters are guessed); `associated`: `item` is in an `impl` block, with or
/// without `self` (its items are reached through `Self::`); `trait_generics`: see
/// [`Signature::trait_generics`].
pub fn generate(
    attr: &GradAttr,
    item: &ItemFn,
    outer: Option<&[Ident]>,
    associated: bool,
    trait_generics: Option<(syn::Path, usize)>,
) -> TokenStream {
    let separated = lower::hygiene::separated(item);
    let item = separated.as_ref().unwrap_or(item);
    let separated = lower::hygiene::closures_separated(item);
    let item = separated.as_ref().unwrap_or(item);
    let mut item = lower::written_params::copied(item).unwrap_or_else(|| item.clone());
    lower::let_chains::desugar(&mut item.block);
    lower::split_lets::desugar(&mut item.block);
    lower::statement_forms::desugar(&mut item.block);
    lower::scans::desugar(&mut item.block);
    lower::statement_forms::bind_array_tail(&mut item.block, &item.sig.output);
    lower::statement_forms::bind_matrix_rows(&mut item.block, &item.sig.output);
    lower::closure_returns::desugar(&mut item.block);
    lower::replaced::desugar(&mut item.block);
    lower::collected::desugar(&mut item.block);
    lower::element_refs::desugar(&mut item.block);
    let mut errors = Errors::default();
    let sig = sig::analyze(&item, outer, &mut errors);
    let Some(mut sig) = sig else {
        return errors
            .finish()
            .err()
            .map(|e| e.to_compile_error())
            .unwrap_or_default();
    };
    sig.method |= associated;
    sig.trait_generics = trait_generics;
    settle::settle_models(attr, &mut sig, &item.block, &mut errors);
    settle::settle_rows(attr, &mut sig);
    settle::reverse_only_rows(attr, &sig, &mut errors);
    let wrt = settle::differentiated(attr, &item, &sig, &mut errors);
    // Stubs with the right signatures keep callers quiet when only the body is at fault.
    let signature_ok = errors.is_empty();
    // The extra items `modes(..)` asks for (their errors leave the stubs below in place).
    let plan = forward_mode::plan(attr, &item, &sig, &mut errors);
    let changed_data: Vec<&Ident> = sig
        .params
        .iter()
        .filter(|p| p.lent_mut)
        .map(|p| &p.ident)
        .collect();
    checkpoint::check(&item.block, &changed_data, &mut errors);
    crate::cfg::check(&item, &mut errors);
    let second_order = second_order::plan(attr, &sig, &wrt, &mut errors);
    let before = errors.len();
    let models: crate::hash::HashSet<String> = sig
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Model { .. }))
        .map(|p| p.ident.to_string())
        .collect();
    let held = lower::held::desugared(&item.block);
    let source = held.as_ref().unwrap_or(&item.block);
    let aliased = lower::item_aliases::desugared(source, &models);
    let source = aliased.as_ref().unwrap_or(source);
    let desugared = lower::chains::desugared(source, &sig.float, &models);
    let source = desugared.as_ref().unwrap_or(source);
    let mut block = lower::models::expand(&mut sig, &item.sig, source, &mut errors);
    checkpoint::keep_placed(&mut block);
    lower::labels::desugar(&mut block);
    let names = Names::new(&item, &sig);
    // A write into a model's field is reported once, not again by lowering.
    let lowered = (errors.len() == before).then(|| {
        let mut body = lower::lower(&sig, &block, &mut errors);
        last_taken::rewrite(&mut body);
        // A fallible function may leave its forward sweep with an `Err` after a loop: its
        // accumulators must be untouched then, so no loop adds into them early.
        let fuse = sig.fallible.is_none();
        checkpoint::rewrite(&mut body, fuse, &mut errors);
        nested_helpers(attr, &mut body);
        let analysis = activity::analyze(&body, fuse, &mut errors);
        precision::check(&body, &analysis, &sig.float, &mut errors);
        if second_order {
            second_order::check_body(&body, &analysis, &mut errors);
        }
        (body, analysis)
    });
    let outcome = match (errors.finish(), lowered) {
        (Ok(()), Some(lowered)) => Ok(lowered),
        (result, _) => Err(result.err().map(|e| e.to_compile_error())),
    };
    let (body, analysis) = match outcome {
        Ok(lowered) => lowered,
        Err(errors) => {
            if !signature_ok {
                return quote!(#errors);
            }
            let adjoint =
                adjoint_item(&item, &sig, &names, quote!({ ::core::unreachable!() }), &[]);
            let grad = grad_item(&item, &sig, &names, &wrt);
            let extra = forward_mode::stubs(plan, &item, &sig, &wrt);
            let unreachable = quote!({ ::core::unreachable!() });
            let second = second_order
                .then(|| second_order::items(attr, &item, &sig, &names, &wrt, unreachable, &[]));
            return quote! {
                #errors
                #adjoint
                #grad
                #extra
                #second
            };
        }
    };

    let (block, mutable) = adjoint_block(&item, &body, &analysis, &sig, &names, false);
    let block = through_tuple(&sig, Some((&names.d_out, true)), block);
    let adjoint = adjoint_item(&item, &sig, &names, block, &mutable);
    let grad = grad_item(&item, &sig, &names, &wrt);
    let extra = forward_mode::items(plan, &item, &sig, &body, &analysis, &wrt);
    let second = second_order.then(|| {
        let (block, mutable) = adjoint_block(&item, &body, &analysis, &sig, &names, true);
        let block = through_tuple(&sig, Some((&names.d_out, false)), block);
        second_order::items(attr, &item, &sig, &names, &wrt, block, &mutable)
    });
    quote! {
        #adjoint
        #grad
        #extra
        #second
    }
}

/// The block of an item of a function that returns a tuple of floats, whose sweep holds the
/// tuple as the array of its numbers: the cotangent `d_out` (if the item takes one) made that
/// array first (by reference, or by value), and the array the sweep ends with the tuple.
pub(crate) fn through_tuple(
    sig: &Signature,
    d_out: Option<(&Ident, bool)>,
    block: TokenStream,
) -> TokenStream {
    if sig.tuple.is_none() {
        return block;
    }
    let take = d_out.map(|(d, by_ref)| {
        let amp = by_ref.then(|| quote!(&));
        quote!(let #d = #amp ::autodiff::__private::tuple_array(#d);)
    });
    let tuple = match sig.fallible {
        // (`Ok(array)` as `Ok(tuple)`)
        Some(_) => quote!((#block).map(|array| ::autodiff::__private::array_tuple(&array))),
        None => quote!(::autodiff::__private::array_tuple(&#block)),
    };
    quote!({ #take #tuple })
}

/// The helper functions declared in the body (`fn sq(v: f64) -> f64 { v * v }`) that it
/// calls on differentiated values, without a derivative written beside them: the items
/// `#[grad]` writes for each (with the extra modes the function asks for) join the body's
/// items, where the sweeps call them.
fn nested_helpers(attr: &GradAttr, body: &mut Body) {
    // Most functions declare none: no walk over their statements then.
    if !body
        .items
        .iter()
        .any(|item| matches!(item, syn::Item::Fn(_)))
    {
        return;
    }
    let mut called = Vec::new();
    body.block.for_each_stmt(&mut |stmt| {
        let callee = match stmt {
            Stmt::Let {
                op: Op::Call { callee, .. },
                ..
            }
            | Stmt::CallArray { callee, .. } => callee,
            _ => return,
        };
        if let Callee::Path(path) = callee {
            called.extend(path.get_ident().map(Ident::to_string));
        }
    });
    let declared = |name: &str| {
        body.items
            .iter()
            .any(|item| matches!(item, syn::Item::Fn(f) if f.sig.ident == name))
    };
    let needed: Vec<&ItemFn> = body
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Fn(f) => Some(f),
            _ => None,
        })
        .filter(|f| {
            let name = f.sig.ident.to_string();
            called.contains(&name)
                && !declared(&format!("{name}_adjoint"))
                && !f.attrs.iter().any(|a| a.path().is_ident("grad"))
        })
        .collect();
    // What the sweeps call of a helper: `_tangent` in forward mode, `_dual_adjoint` under
    // second order.
    let mut modes: Vec<(Mode, Ident)> = Vec::new();
    for (mode, written) in &attr.modes {
        let mode = match mode {
            Mode::Tangent | Mode::Jacobian => Mode::Tangent,
            Mode::Hvp | Mode::Hessian => Mode::Hvp,
        };
        if !modes.iter().any(|(seen, _)| *seen == mode) {
            modes.push((mode, written.clone()));
        }
    }
    let helper = GradAttr { wrt: None, modes };
    let generated: Vec<TokenStream> = needed
        .into_iter()
        .map(|f| generate(&helper, f, Some(&[]), false, None))
        .collect();
    for tokens in generated {
        match syn::parse2::<syn::File>(tokens) {
            Ok(file) => body.items.extend(file.items),
            Err(e) => body.items.push(syn::Item::Verbatim(e.to_compile_error())),
        }
    }
}

/// The body of `NAME_adjoint` (of `NAME_dual_adjoint`, on dual numbers), and the shadow
/// arguments it writes (declared `mut`).
fn adjoint_block(
    item: &ItemFn,
    body: &Body,
    analysis: &Analysis,
    sig: &Signature,
    names: &Names,
    dual: bool,
) -> (TokenStream, Vec<usize>) {
    let mention = mention(item, sig);
    let shadows = shadow_places(sig, names);
    // Loops that could resume values from their start if their reverse ran forwards: planned
    // again once a first look at the reverse sweep tells which do.
    let replanned;
    let analysis = match analysis.resumable_forwards.is_empty() {
        true => analysis,
        false => {
            let mut first = Gen::new(body, analysis, sig, &shadows, names.d_out.clone());
            let forwards: HashSet<usize> = first
                .forward_reversed_loops()
                .intersection(&analysis.resumable_forwards)
                .copied()
                .collect();
            replanned = activity::replan(body, analysis, &forwards);
            &replanned
        }
    };
    let mut gen = Gen::new(body, analysis, sig, &shadows, names.d_out.clone());
    if dual {
        gen = gen.on_dual_numbers();
    }
    let forward = gen.forward_block(&body.block);
    let reverse = gen.reverse_top();
    let sweeps = gen.finish(forward, reverse);
    let used: Vec<usize> = sweeps.used_shadows.iter().copied().collect();
    // A model's shadow is read by `ParamsShadow::get` whenever the body reads the model.
    let mutable: Vec<usize> = (0..sig.params.len())
        .filter(|&i| {
            used.contains(&i)
                || sig
                    .params
                    .iter()
                    .any(|p| p.field.as_ref().is_some_and(|f| f.model == i))
        })
        .collect();
    let (tapes, forward, reverse, result) =
        (sweeps.tapes, sweeps.forward, sweeps.reverse, sweeps.result);
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
    let checks = shadow_checks(sig, names);
    let fields = model_fields(sig, names, &used);
    let items = &body.items;
    let uses = crate::imported::generated_uses(items, &[&tapes, &forward, &reverse, &result]);
    // A function used only through its pullback (a training loop's `loss_adjoint`) is used.
    let mut inner = quote!(#mention #(#items)* #uses #import #fields #checks);
    // The sweeps moved in, not interpolated: `quote!` would copy them token by token.
    inner.extend([tapes, forward, reverse, result]);
    let block = Group::new(Delimiter::Brace, inner).into_token_stream();
    (block, mutable)
}

/// Generated names that appear in the signatures.
pub(crate) struct Names {
    adjoint: Ident,
    grad: Ident,
    pub(crate) d_out: Ident,
    /// The shadow argument of each parameter that has one.
    pub(crate) shadows: Vec<Option<Ident>>,
    /// The type parameter of each shadow.
    pub(crate) shadow_types: Vec<Option<Ident>>,
}

impl Names {
    fn new(item: &ItemFn, sig: &Signature) -> Self {
        let name = &item.sig.ident;
        let taken: Vec<String> = generic_names(&item.sig.generics)
            .map(Ident::to_string)
            .collect();
        let mut shadows = Vec::new();
        let mut shadow_types: Vec<Option<Ident>> = Vec::new();
        for p in &sig.params {
            if !p.has_shadow() {
                shadows.push(None);
                shadow_types.push(None);
                continue;
            }
            // `d_out` is the output's adjoint: a parameter `out`'s shadow is `d_out_`.
            let mut shadow = plain_name(&format!("d_{}", p.ident));
            while shadow == "d_out" || shadows.iter().flatten().any(|s| *s == shadow) {
                shadow.push('_');
            }
            shadows.push(Some(local(&shadow, p.ident.span())));
            if !p.is_written() {
                // A model's field: its shadow is a local, projected from the model's.
                shadow_types.push(None);
                continue;
            }
            let mut ty = format!("D{}", camel(&p.ident.to_string().replace("r#", "")));
            while taken.contains(&ty) || shadow_types.iter().flatten().any(|t| *t == ty) {
                ty.push('_');
            }
            shadow_types.push(Some(Ident::new(&ty, p.ident.span())));
        }
        Names {
            adjoint: format_ident!("{}_adjoint", name),
            grad: format_ident!("{}_grad", name),
            d_out: local("d_out", Span::call_site()),
            shadows,
            shadow_types,
        }
    }
}

/// The names of `generics`' type and const parameters, which generated ones must avoid.
pub(crate) fn generic_names(generics: &syn::Generics) -> impl Iterator<Item = &Ident> {
    generics.params.iter().filter_map(|p| match p {
        GenericParam::Type(t) => Some(&t.ident),
        GenericParam::Const(c) => Some(&c.ident),
        GenericParam::Lifetime(_) => None,
    })
}

/// `snake_case` as `CamelCase`, for generated type parameters (`d_w` -> `DW`).
pub(crate) fn camel(name: &str) -> String {
    name.split('_')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

pub(crate) fn lit(sig: &Signature, value: f64) -> TokenStream {
    let f = &sig.float;
    float_literal(f, sig.float_is_generic, value).into()
}

/// The original parameters without `mut` (the sweeps never reassign them).
pub(crate) fn primal_params(item: &ItemFn) -> Vec<TokenStream> {
    item.sig
        .inputs
        .iter()
        .map(|input| match input {
            FnArg::Typed(pt) => {
                let ty = &pt.ty;
                match &*pt.pat {
                    syn::Pat::Ident(pi) => {
                        let ident = &pi.ident;
                        quote!(#ident: #ty)
                    }
                    other => quote!(#other: #ty),
                }
            }
            FnArg::Receiver(r) => r.to_token_stream(),
        })
        .collect()
}

/// The original's `cfg`, lint (`expect` as `allow`) and `deprecated` attributes, which apply
/// to what is generated from it: a deprecated function's items are deprecated with it, and
/// call it and each other without a warning (the original's own calls still warn).
pub(crate) fn inherited_attrs(item: &ItemFn) -> TokenStream {
    let mut attrs: TokenStream = item
        .attrs
        .iter()
        .filter(|a| {
            [
                "cfg",
                "allow",
                "expect",
                "warn",
                "deny",
                "forbid",
                "deprecated",
            ]
            .iter()
            .any(|name| a.path().is_ident(name))
        })
        .map(|a| match &a.meta {
            // The items may not trip what the user expects the function to trip: an
            // unfulfilled expectation would be an error under `#![deny(warnings)]`.
            syn::Meta::List(list) if list.path.is_ident("expect") => {
                let (pound, bracket, tokens) = (&a.pound_token, &a.bracket_token, &list.tokens);
                let allow = Ident::new("allow", syn::spanned::Spanned::span(&list.path));
                let mut out = quote!(#pound);
                bracket.surround(&mut out, |out| out.extend(quote!(#allow(#tokens))));
                out
            }
            // (an inner one, `#![allow(..)]` at the top of the body, as an outer one)
            meta => quote!(#[#meta]),
        })
        .collect();
    if item.attrs.iter().any(|a| a.path().is_ident("deprecated")) {
        attrs.extend(quote!(#[allow(deprecated)]));
    }
    attrs
}

/// The trait a parameter's extra argument is bounded by, of the family `role` (`Shadow`
/// for `NAME_adjoint`, `Tangent` for `NAME_tangent`): `ParamsShadow<M>` for a model,
/// `MatrixShadow<F>`, `SliceShadow<F>` or `Shadow<F>` by the parameter's shape.
pub(crate) fn argument_bound(kind: &ParamKind, float: &syn::Type, role: &str) -> TokenStream {
    let (prefix, ty) = match kind {
        ParamKind::Model { ty, .. } => ("Params", quote!(#ty)),
        ParamKind::Array { shape, .. } if shape.dims() == 2 => ("Matrix", quote!(#float)),
        ParamKind::Array { .. } => ("Slice", quote!(#float)),
        _ => ("", quote!(#float)),
    };
    let name = format_ident!("{prefix}{role}");
    quote!(::autodiff::#name<#ty>)
}

fn adjoint_item(
    item: &ItemFn,
    sig: &Signature,
    names: &Names,
    block: TokenStream,
    used_shadows: &[usize],
) -> TokenStream {
    let f = &sig.float;
    let mut generics = item.sig.generics.clone();
    let shadow_args = shadow_args(sig, names, f, used_shadows, &mut generics);
    let params = primal_params(item);
    let d_out = &names.d_out;
    let doc = format!(
        "The pullback of {}: returns `{1}(..)` and adds `d_out` times the gradient with respect to each float parameter into its shadow (`&mut` accumulator, or `autodiff::Const` to skip it). Generated by `#[grad]`.",
        doc_link(&item.sig.ident, sig),
        item.sig.ident
    );
    let returns = &sig.written;
    let d_out_ty = d_out_type(sig);
    let args = quote!(#(#params,)* #d_out: #d_out_ty, #(#shadow_args),*);
    let with_data = with_data_item(
        item,
        sig,
        &names.adjoint,
        quote!(#d_out: #d_out_ty,),
        &[d_out],
        (&names.shadows, &names.shadow_types),
        ("Shadow", "D"),
        quote!(#returns),
    );
    let adjoint = sweep_fn(
        item,
        &names.adjoint,
        &doc,
        &generics,
        args,
        quote!(#returns),
        block,
    );
    quote!(#adjoint #with_data)
}

/// The type of `NAME_adjoint`'s `d_out`: the float, or the output vector by reference.
fn d_out_type(sig: &Signature) -> TokenStream {
    let (f, returns) = (&sig.float, &sig.returns);
    match sig.output {
        Output::Scalar => quote!(#f),
        // A tuple by value, as it is returned.
        Output::Array if sig.tuple.is_some() => sig.success_returns().into_token_stream(),
        Output::Array | Output::Matrix => quote!(&#returns),
        Output::Vec => quote!(&[#f]),
    }
}

/// The shadow arguments of an adjoint over `float` (`mut` where the sweep adds into them),
/// their type parameters added to `generics`.
pub(crate) fn shadow_args(
    sig: &Signature,
    names: &Names,
    float: &syn::Type,
    used_shadows: &[usize],
    generics: &mut syn::Generics,
) -> Vec<TokenStream> {
    let mut args = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let (Some(s), Some(t)) = (&names.shadows[i], &names.shadow_types[i]) else {
            continue;
        };
        let bound = argument_bound(&p.kind, float, "Shadow");
        generics.params.push(bounded_param(t, bound));
        let m = used_shadows.contains(&i).then(|| quote!(mut));
        args.push(quote!(#m #s: #t));
    }
    args
}

/// A generated sweep: `item`'s attributes and visibility, `doc`, the lints the sweeps allow,
/// and `fn name<generics>(args) -> returns` under `item`'s where clause around `block`.
pub(crate) fn sweep_fn(
    item: &ItemFn,
    name: &Ident,
    doc: &str,
    generics: &syn::Generics,
    args: TokenStream,
    returns: TokenStream,
    block: TokenStream,
) -> TokenStream {
    let vis = &item.vis;
    let (_, _, where_clause) = item.sig.generics.split_for_impl();
    let params_gen = &generics.params;
    let attrs = inherited_attrs(item);
    let allows = generated_allows(item);
    // A small function's sweep is inlined where it is called, as its gradient written into the
    // caller by hand would be (ADBench's `log_sum_exp` per point: 5% of the GMM at d = 2): its
    // sweep is 3-4 times the function's size, past what LLVM takes for an `#[inline]` one,
    // which a larger sweep stays. The user's own `#[inline(..)]` wins.
    let inline = match item.attrs.iter().find(|a| a.path().is_ident("inline")) {
        Some(attr) => attr.to_token_stream(),
        None if is_small(&item.block) => quote!(#[inline(always)]),
        None => quote!(#[inline]),
    };
    quote! {
        #attrs
        #inline
        #[doc = #doc]
        #allows
        #vis fn #name<#params_gen>(#args) -> #returns #where_clause #block
    }
}

/// Whether a function body is small enough for its sweeps to be inlined into every caller:
/// at most [`SMALL_FUNCTION`] expressions (`log_sum_exp`, `sqnorm`, `arr_max`, a loss).
fn is_small(block: &syn::Block) -> bool {
    struct Count(usize);
    impl<'ast> syn::visit::Visit<'ast> for Count {
        fn visit_expr(&mut self, e: &'ast syn::Expr) {
            self.0 += 1;
            if self.0 <= SMALL_FUNCTION {
                syn::visit::visit_expr(self, e);
            }
        }
    }
    let mut count = Count(0);
    syn::visit::Visit::visit_block(&mut count, block);
    count.0 <= SMALL_FUNCTION
}

/// The most expressions a function whose sweeps [`is_small`] inlines has (ADBench's
/// `log_sum_exp` has 22).
const SMALL_FUNCTION: usize = 40;

/// The type parameter `ident: bound` of a generated argument, built rather than parsed back
/// from tokens (which cost a third of `NAME_adjoint`'s signature).
pub(crate) fn bounded_param(ident: &Ident, bound: TokenStream) -> GenericParam {
    GenericParam::Type(syn::TypeParam {
        attrs: Vec::new(),
        ident: ident.clone(),
        colon_token: Some(Default::default()),
        bounds: std::iter::once(syn::TypeParamBound::Verbatim(bound)).collect(),
        eq_token: None,
        default: None,
    })
}

/// The lints the generated sweeps of `item` allow: only those their code can trip (each
/// costs the compiler a lookup, in every generated item).
pub(crate) fn generated_allows(item: &ItemFn) -> TokenStream {
    // `unreachable_code`: the bookkeeping after a user's diverging `else { unreachable!() }`;
    // `unused_assignments`: a loop's carried values, read only by its reverse sweep;
    // `unused_mut`: data the user declared `mut`, which a sweep may only read;
    // `reversed_empty_ranges`, `ptr_arg`: about ranges and parameter types the user wrote,
    // which clippy reports on the user's function already.
    let mut lints = vec![
        quote!(dead_code),
        quote!(unused_variables),
        quote!(unreachable_code),
        quote!(unused_assignments),
        quote!(unused_mut),
        quote!(clippy::too_many_arguments),
        quote!(clippy::reversed_empty_ranges),
        quote!(clippy::ptr_arg),
        // (the generated items' own types, which nest the user's: `Result<([f64; 2], J), E>`)
        quote!(clippy::type_complexity),
    ];
    // About the float literals the user wrote, copied into the sweeps.
    if has_float_literal(&item.block) {
        lints.extend([
            quote!(clippy::approx_constant),
            quote!(clippy::excessive_precision),
        ]);
    }
    // `d = d + ..` on a float type whose bounds the user gave `AddAssign` too.
    if !item.sig.generics.params.is_empty() {
        lints.push(quote!(clippy::assign_op_pattern));
    }
    // A `match` read again for each bound value, `_ => unreachable!()` after the user's
    // arm: unreachable where that arm covers every value (an enum of one variant).
    if matches_patterns(&item.block) {
        lints.push(quote!(unreachable_patterns));
    }
    // A local closure written out where code kept as written calls it: `(|i| ..)(a)`.
    if binds_closure(&item.block) {
        lints.push(quote!(clippy::redundant_closure_call));
    }
    quote!(#[allow(#(#lints),*)])
}

/// Whether `block` has a `match`.
fn matches_patterns(block: &syn::Block) -> bool {
    struct Finder(bool);
    impl syn::visit::Visit<'_> for Finder {
        fn visit_expr_match(&mut self, _: &syn::ExprMatch) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_block(&mut finder, block);
    finder.0
}

/// Whether `block` binds a closure to a local (`let f = |v: f64| v * v;`).
fn binds_closure(block: &syn::Block) -> bool {
    struct Finder(bool);
    impl syn::visit::Visit<'_> for Finder {
        fn visit_local(&mut self, local: &syn::Local) {
            self.0 |= local
                .init
                .as_ref()
                .is_some_and(|init| matches!(*init.expr, syn::Expr::Closure(_)));
            syn::visit::visit_local(self, local);
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_block(&mut finder, block);
    finder.0
}

/// Whether `block` writes a float literal, in a macro's arguments too.
fn has_float_literal(block: &syn::Block) -> bool {
    struct Finder(bool);
    impl syn::visit::Visit<'_> for Finder {
        fn visit_lit_float(&mut self, _: &syn::LitFloat) {
            self.0 = true;
        }
        fn visit_macro(&mut self, m: &syn::Macro) {
            self.0 |= tokens_have_float(m.tokens.clone());
        }
    }
    fn tokens_have_float(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Literal(l) => {
                syn::parse2::<syn::LitFloat>(l.into_token_stream()).is_ok()
            }
            proc_macro2::TokenTree::Group(g) => tokens_have_float(g.stream()),
            _ => false,
        })
    }
    let mut finder = Finder(false);
    syn::visit::visit_block(&mut finder, block);
    finder.0
}

/// Zeros in the shape of the array parameter `ident` (`None` for a model's field, whose type
/// is not written here): its gradient's accumulator.
pub(crate) fn array_zeros(shape: &Shape, ident: &Ident, zero: &TokenStream) -> Option<TokenStream> {
    Some(match shape {
        Shape::ArrayByValue(n) | Shape::ArrayRef(n) => quote!([#zero; #n]),
        Shape::Tuple { len, .. } => {
            let zeros = std::iter::repeat_n(zero, *len);
            quote!((#(#zeros,)*))
        }
        Shape::Slice | Shape::VecRef | Shape::VecOwned => quote!(::std::vec![#zero; #ident.len()]),
        Shape::Matrix {
            rows: Some(rows),
            cols,
            ..
        } => quote!([[#zero; #cols]; #rows]),
        Shape::Matrix {
            rows: None, cols, ..
        } => quote!(::std::vec![[#zero; #cols]; #ident.len()]),
        Shape::VecRows => {
            // Hygienic: a user's constant named `row` cannot turn it into a pattern.
            let row = Ident::new("row", Span::mixed_site());
            quote!(#ident
                .iter()
                .map(|#row| ::std::vec![#zero; #row.len()])
                .collect::<::std::vec::Vec<_>>())
        }
        Shape::Field { .. } => return None,
    })
}

pub(crate) fn grad_type(p: &Param, f: &syn::Type) -> TokenStream {
    match &p.kind {
        ParamKind::Model { ty, .. } => quote!(#ty),
        ParamKind::Array { shape, .. } => match &**shape {
            Shape::ArrayByValue(n) | Shape::ArrayRef(n) => quote!([#f; #n]),
            Shape::Tuple { len, .. } => {
                let fs = std::iter::repeat_n(f, *len);
                quote!((#(#fs,)*))
            }
            Shape::Slice | Shape::VecRef | Shape::VecOwned => quote!(::std::vec::Vec<#f>),
            Shape::Matrix {
                rows: Some(rows),
                cols,
                ..
            } => quote!([[#f; #cols]; #rows]),
            Shape::Matrix {
                rows: None, cols, ..
            } => quote!(::std::vec::Vec<[#f; #cols]>),
            Shape::VecRows => quote!(::std::vec::Vec<::std::vec::Vec<#f>>),
            Shape::Field { .. } => quote!(#f),
        },
        _ => quote!(#f),
    }
}

fn grad_item(item: &ItemFn, sig: &Signature, names: &Names, wrt: &[usize]) -> TokenStream {
    // A vector-valued function has a pullback (`NAME_adjoint`), not one gradient.
    if sig.output != Output::Scalar {
        return TokenStream::new();
    }
    let vis = &item.vis;
    let name = &names.grad;
    let adjoint = &names.adjoint;
    let f = &sig.float;
    let zero = lit(sig, 0.0);
    let one = lit(sig, 1.0);
    let generics = &item.sig.generics;
    let where_clause = &generics.where_clause;
    let params = primal_params(item);
    let mut accumulators = TokenStream::new();
    let mut shadows = Vec::new();
    let mut grads = Vec::new();
    let mut types = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        let (Some(s), true) = (&names.shadows[i], p.is_written()) else {
            continue;
        };
        if !wrt.contains(&i) {
            shadows.push(quote!(::autodiff::Const));
            continue;
        }
        let ident = &p.ident;
        let init = match &p.kind {
            // Zeros of the model's shape (its `Vec`s as long as the model's); a struct that
            // is not a model is reported here, on the parameter.
            ParamKind::Model { by_ref, .. } => {
                let amp = (!by_ref).then(|| quote!(&));
                quote_spanned!(p.span=> ::autodiff::__private::zeros_like(#amp #ident))
            }
            ParamKind::Array { shape, .. } => match array_zeros(shape, ident, &zero) {
                Some(zeros) => zeros,
                None => continue,
            },
            _ => zero.clone(),
        };
        accumulators.extend([quote!(let mut #s = #init;)]);
        // A slice rather than `&mut Vec`: its length stays in a register, so the reverse
        // sweep's bounds checks against it can be proven away.
        shadows.push(match &p.kind {
            ParamKind::Array { shape, .. } if !shape.is_fixed() => quote!(&mut #s[..]),
            _ => quote!(&mut #s),
        });
        grads.push(quote!(#s));
        types.push(grad_type(p, f));
    }
    let args = sig
        .params
        .iter()
        .filter(|p| p.is_written())
        .map(|p| &p.ident);
    let value = local("value", Span::call_site());
    let (grad_ty, grad_value) = match grads.len() {
        1 => (types[0].clone(), grads[0].clone()),
        _ => (quote!((#(#types),*)), quote!((#(#grads),*))),
    };
    // A fallible function's gradient comes in the same wrapper as its value:
    // `Result<(T, G), E>`, `Option<(T, G)>`.
    let (returns, question, success) = match sig.fallible {
        Some(fallible) => (
            fallible_type(&sig.written, quote!((#f, #grad_ty))),
            Some(quote!(?)),
            fallible.wrap(quote!((#value, #grad_value))),
        ),
        None => (quote!((#f, #grad_ty)), None, quote!((#value, #grad_value))),
    };
    let doc = format!(
        "The value of {0} and its gradient{1}. Generated by `#[grad]`.",
        doc_link(&item.sig.ident, sig),
        if wrt.len() > 1 {
            " (one entry per differentiated parameter, in parameter order)"
        } else {
            ""
        }
    );
    // A method's items are associated functions of the same type.
    let owner = sig.method.then(|| quote!(Self::));
    let mention = mention(item, sig);
    let attrs = inherited_attrs(item);
    let turbofish = own_generics(item, shadows.len());
    quote! {
        #attrs
        #[doc = #doc]
        #[allow(dead_code, clippy::type_complexity, clippy::ptr_arg)]
        #[inline]
        #vis fn #name #generics(#(#params),*) -> #returns #where_clause {
            #mention
            #accumulators
            let #value = #owner #adjoint #turbofish(#(#args,)* #one, #(#shadows),*) #question;
            #success
        }
    }
}

/// `NAME_SUFFIX_with_data` for a function with struct or rows parameters (`Param::listed`):
/// `NAME_SUFFIX` (`target`: the adjoint or the tangent) with an argument for each of them,
/// differentiated or not. Whether `NAME_SUFFIX` takes one depends on `#[grad(..)]`, which a
/// caller does not see: a caller that passes such a parameter of its own on calls this, with
/// `Const` for its data; a parameter this function reads as data takes `Const` only (a
/// caller's shadow there would lose its gradient: `DataSlot` says so). `lead` are the arguments
/// between the function's own and the per-parameter ones (`d_out: f64`), `passed` their
/// names; `role` names the argument family (`Shadow`, `Tangent`), `prefix` its type
/// parameters' (`D`, `T`), and `slots` the target's argument and type parameter per parameter.
#[allow(clippy::too_many_arguments)]
pub(crate) fn with_data_item(
    item: &ItemFn,
    sig: &Signature,
    target: &Ident,
    lead: TokenStream,
    passed: &[&Ident],
    slots: (&[Option<Ident>], &[Option<Ident>]),
    (role, prefix): (&str, &str),
    returns: TokenStream,
) -> TokenStream {
    if !sig.params.iter().any(|p| p.listed) {
        return TokenStream::new();
    }
    let f = &sig.float;
    let mut generics = item.sig.generics.clone();
    let mut taken: Vec<String> = generic_names(&generics)
        .chain(slots.1.iter().flatten())
        .map(Ident::to_string)
        .collect();
    let mut args = Vec::new();
    let mut forwarded = Vec::new();
    for (i, p) in sig.params.iter().enumerate() {
        if let (Some(arg), Some(ty)) = (&slots.0[i], &slots.1[i]) {
            let bound = argument_bound(&p.kind, f, role);
            generics.params.push(bounded_param(ty, bound));
            args.push(quote!(#arg: #ty));
            forwarded.push(arg);
        } else if p.is_written() {
            // Every parameter gets an argument: a caller need not tell a struct of data from
            // an integer or a number of data, which all take `Const`.
            let mut ty = format!("{prefix}{}", camel(&p.ident.to_string().replace("r#", "")));
            while taken.contains(&ty) {
                ty.push('_');
            }
            let ty = Ident::new(&ty, p.ident.span());
            taken.push(ty.to_string());
            generics
                .params
                .push(bounded_param(&ty, quote!(::autodiff::__private::DataSlot)));
            args.push(quote!(_: #ty));
        }
    }
    let vis = &item.vis;
    let name = format_ident!("{target}_with_data");
    let (_, _, where_clause) = item.sig.generics.split_for_impl();
    let params_gen = &generics.params;
    let params = primal_params(item);
    let own = sig
        .params
        .iter()
        .filter(|p| p.is_written())
        .map(|p| &p.ident);
    let owner = sig.method.then(|| quote!(Self::));
    let turbofish = own_generics(item, forwarded.len());
    let attrs = inherited_attrs(item);
    let doc = format!(
        "{} with an argument for every parameter: its shadow where `{}` has one, `Const` for the rest (a struct or rows it reads as data, an integer, other data): what a caller passing a struct or rows of its own whole calls, as it cannot see which ones `#[grad(..)]` lists. Generated by `#[grad]`.",
        doc_link(target, sig),
        item.sig.ident
    );
    quote! {
        #attrs
        #[doc = #doc]
        #[doc(hidden)]
        #[inline(always)]
        #[allow(dead_code, clippy::too_many_arguments, clippy::ptr_arg)]
        #vis fn #name<#params_gen>(#(#params,)* #lead #(#args),*) -> #returns #where_clause {
            #owner #target #turbofish(#(#own,)* #(#passed,)* #(#forwarded),*)
        }
    }
}

/// Whether a parameter's type has `impl Trait` in it: the function's generics can then not
/// be named in a turbofish.
fn takes_impl_trait(item: &ItemFn) -> bool {
    item.sig
        .inputs
        .iter()
        .any(|i| matches!(i, FnArg::Typed(pt) if crate::reverse::mentions(&pt.ty.to_token_stream(), "impl")))
}

/// `let _ = f;`: the original function is used whenever an item generated from it is (no
/// dead-code warning for a function that is only ever differentiated).
/// With it, the check that each struct taken by value as data is no model
/// (`Signature::data_by_getters`).
pub(crate) fn mention(item: &ItemFn, sig: &Signature) -> Option<TokenStream> {
    let original = original(item, sig);
    let checks = sig.data_by_getters.iter().map(|ty| {
        quote_spanned!(syn::spanned::Spanned::span(ty)=>
            ::autodiff::__private::model_taken_by_value_and_only_its_methods_called_is_data_name_it_in_grad_to_differentiate_it::<#ty, _>();
        )
    });
    (!takes_impl_trait(item)).then(|| quote!(let _ = #original; #(#checks)*))
}

/// An intra-doc link to the item `name` beside the generated ones: through `Self::` for a
/// method, which a link in module scope would miss (or find a free function of that name).
pub(crate) fn doc_link(name: &Ident, sig: &Signature) -> String {
    match sig.method {
        true => format!("[`{name}`](Self::{name})"),
        false => format!("[`{name}`]"),
    }
}

/// The path of the original function, its own generics named (`Self::f::<E>`,
/// `<Self as Loss<T>>::f` for a trait method whose impl's generics were moved).
pub(crate) fn original(item: &ItemFn, sig: &Signature) -> TokenStream {
    let name = &item.sig.ident;
    let (owner, moved) = match &sig.trait_generics {
        Some((tr, moved)) => (Some(quote!(<Self as #tr>::)), *moved),
        None => (sig.method.then(|| quote!(Self::)), 0),
    };
    let own: Vec<&Ident> = generic_names(&item.sig.generics).collect();
    let own = &own[..own.len() - moved];
    let turbofish = (!own.is_empty() && !takes_impl_trait(item)).then(|| quote!(::<#(#own),*>));
    quote!(#owner #name #turbofish)
}

/// `::<E, K, _, _>` on a call of `item` or of an item generated from it, inside another:
/// the function's own generics named, as its arguments may not decide them (`E` of
/// `fn f<E: HasEps>(x: f64)` read as `E::EPS`, a `const K: i32` in `powi(K)`), and the
/// `inferred` type parameters the generated item adds (shadows, tangents) left to
/// inference. Nothing without generics of its own, or with `impl Trait` parameters.
pub(crate) fn own_generics(item: &ItemFn, inferred: usize) -> Option<TokenStream> {
    let explicit: Vec<&Ident> = generic_names(&item.sig.generics).collect();
    let inferred = (0..inferred).map(|_| quote!(_));
    (!explicit.is_empty() && !takes_impl_trait(item))
        .then(|| quote!(::<#(#explicit,)* #(#inferred),*>))
}

/// Checks that array accumulators have the shape of the arrays they shadow.
fn shadow_checks(sig: &Signature, names: &Names) -> TokenStream {
    let mut out = TokenStream::new();
    for (i, p) in sig.params.iter().enumerate() {
        let (Some(s), ParamKind::Array { shape, float: true }, true) =
            (&names.shadows[i], &p.kind, p.is_written())
        else {
            continue;
        };
        let ident = &p.ident;
        let label = ident.to_string();
        // A length the type states is written as it is: `x.len()` costs the type checker a
        // method lookup per parameter.
        let len = match &**shape {
            Shape::ArrayByValue(n) | Shape::ArrayRef(n) | Shape::Matrix { rows: Some(n), .. } => {
                quote!(#n)
            }
            Shape::Tuple { len, .. } => syn::Index::from(*len).into_token_stream(),
            _ => quote!(#ident.len()),
        };
        out.extend([match &**shape {
            Shape::Matrix { cols, .. } => quote!(
                ::autodiff::MatrixShadow::check_shape(&#s, #len, #cols, #label);
            ),
            Shape::VecRows => quote!(
                ::autodiff::MatrixShadow::check_rows(
                    &#s,
                    #ident.iter().map(::std::vec::Vec::len),
                    #label,
                );
            ),
            _ => quote!(::autodiff::SliceShadow::check_len(&#s, #len, #label);),
        }]);
    }
    out
}

/// Where the reverse sweep adds each parameter's adjoint: its shadow argument; for a model's
/// field, the local projected from the model's shadow (see [`model_fields`]), or, for a field
/// under another field the body also reads, a projection made where it is used.
fn shadow_places(sig: &Signature, names: &Names) -> Vec<Option<TokenStream>> {
    (0..sig.params.len())
        .map(|i| {
            names.shadows[i].as_ref()?;
            Some(shadow_place(sig, names, i))
        })
        .collect()
}

/// The shadow of parameter `i`: its own local, or a projection of its enclosing path's
/// (itself perhaps a projection, when the model is read whole).
fn shadow_place(sig: &Signature, names: &Names, i: usize) -> TokenStream {
    let own = &names.shadows[i];
    match enclosing(sig, i) {
        None => quote!(#own),
        Some((outer, rest)) => {
            let outer = shadow_place(sig, names, outer);
            let m = local("m", sig.params[i].span);
            let field = sig.params[i].field.as_ref().expect("a field");
            let filter = models::param_field_filter(sig, field.model, &field.path);
            let place = field_shadow(sig, field, quote!(#m #(.#rest)*));
            quote!(#outer.as_deref_mut().map(|#m| #place) #filter)
        }
    }
}

/// The shadow of a model's field at `place` (`m.b`): the field itself, or, for one read only
/// through `as` (`FieldOf::cast`), what its type makes of it.
fn field_shadow(sig: &Signature, field: &FieldOf, place: TokenStream) -> TokenStream {
    if field.conversion == crate::sig::Conversion::ToFloat {
        let f = &sig.float;
        quote!(::autodiff::__private::cast_shadow::<#f, _>(&mut #place))
    } else {
        quote!(&mut #place)
    }
}

/// For a model's field under another path the body reads (the model itself, or an outer
/// field): that parameter's index and the rest of the path.
pub(crate) fn enclosing(sig: &Signature, i: usize) -> Option<(usize, Vec<syn::Member>)> {
    let field = sig.params[i].field.as_ref()?;
    let model_whole = || {
        matches!(
            sig.params[field.model].kind,
            ParamKind::Model { whole: true, .. }
        )
    };
    let outer = sig
        .params
        .iter()
        .enumerate()
        .filter_map(|(j, q)| Some((j, q.field.as_ref()?)))
        .filter(|(_, f)| f.model == field.model && models::extends(&field.path, &f.path))
        .min_by_key(|(_, f)| f.path.len());
    match outer {
        Some((j, f)) => Some((j, field.path[f.path.len()..].to_vec())),
        None if model_whole() => Some((field.model, field.path.clone())),
        None => None,
    }
}

/// The fields of each model: bound to their values or references, and their shadows split
/// off the model's (`Option<&mut _>`: `None` when the model's shadow is `Const`).
fn model_fields(sig: &Signature, names: &Names, used: &[usize]) -> TokenStream {
    let mut out = TokenStream::new();
    for p in sig.params.iter().filter(|p| p.field.is_some()) {
        out.extend(models::binding(sig, p));
    }
    for (m, model) in sig.params.iter().enumerate() {
        let (ParamKind::Model { .. }, Some(d_model)) = (&model.kind, &names.shadows[m]) else {
            continue;
        };
        let fields: Vec<usize> = (0..sig.params.len())
            .filter(|&i| sig.params[i].field.as_ref().is_some_and(|f| f.model == m))
            .filter(|&i| names.shadows[i].is_some())
            .collect();
        if fields.is_empty() && !used.contains(&m) {
            continue;
        }
        // Read whole (handed to a call) or projected from where it is used: a mutable local.
        let whole = used.contains(&m)
            || fields
                .iter()
                .any(|&i| enclosing(sig, i).is_some_and(|(o, _)| o == m));
        let mutable = whole.then(|| quote!(mut));
        out.extend([quote!(let #mutable #d_model = ::autodiff::ParamsShadow::get(&mut #d_model);)]);
        if whole {
            continue;
        }
        let roots: Vec<usize> = fields
            .iter()
            .copied()
            .filter(|&i| enclosing(sig, i).is_none())
            .collect();
        let m_ident = local("m", model.span);
        let pattern = roots.iter().map(|&i| {
            let s = &names.shadows[i];
            let projected_from =
                (0..sig.params.len()).any(|j| enclosing(sig, j).is_some_and(|(o, _)| o == i));
            let mutable = (used.contains(&i) || projected_from).then(|| quote!(mut));
            quote!(#mutable #s)
        });
        let paths: Vec<TokenStream> = roots
            .iter()
            .map(|&i| {
                let field = sig.params[i].field.as_ref().expect("a field");
                let path = &field.path;
                field_shadow(sig, field, quote!(#m_ident #(.#path)*))
            })
            .collect();
        // A `#[params(skip)]` field is data: its shadow is `None`.
        let filters: Vec<TokenStream> = roots
            .iter()
            .map(|&i| {
                let field = sig.params[i].field.as_ref().expect("a field");
                models::param_field_filter(sig, field.model, &field.path)
            })
            .collect();
        out.extend([match roots.len() {
            1 => {
                let (pattern, path, filter) = (pattern.collect::<Vec<_>>(), &paths[0], &filters[0]);
                quote!(let #(#pattern)* = #d_model.map(|#m_ident| #path) #filter;)
            }
            n => {
                let nones = std::iter::repeat_n(quote!(None), n);
                quote!(
                    let (#(#pattern),*) = match #d_model {
                        Some(#m_ident) => (#(Some(#paths) #filters),*),
                        None => (#(#nones),*),
                    };
                )
            }
        }]);
        // A `Vec` field of the gradient must be as long as the model's, where the sweep adds
        // into it (a field it does not, read as a condition, may hold `bool`s).
        for &i in roots.iter().filter(|i| used.contains(i)) {
            let p = &sig.params[i];
            let (ParamKind::Array { shape, .. }, Some(field)) = (&p.kind, &p.field) else {
                continue;
            };
            if shape.dims() == 1 {
                let (s, ident) = (&names.shadows[i], &p.ident);
                let label = field.written(&model.ident);
                out.extend([quote!(
                    ::autodiff::SliceShadow::check_len(&#s, #ident.len(), #label);
                )]);
            }
        }
    }
    out
}

/// `Result<T, E>` / `Option<T>` with `T` replaced by `success`.
pub(crate) fn fallible_type(returns: &syn::Type, success: TokenStream) -> TokenStream {
    let mut ty = returns.clone();
    if let syn::Type::Path(tp) = &mut ty {
        if let Some(syn::PathArguments::AngleBracketed(args)) =
            tp.path.segments.last_mut().map(|s| &mut s.arguments)
        {
            if let (Some(first), Ok(success)) = (args.args.first_mut(), syn::parse2(success)) {
                *first = syn::GenericArgument::Type(success);
            }
        }
    }
    quote!(#ty)
}
