//! `#[grad]` on an `impl` block: its methods differentiated where they are, in an inherent
//! impl or in a trait impl (whose generated items go into an inherent impl of the same type,
//! since a trait impl can only hold the trait's items).

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::{ImplItem, ImplItemFn, ItemFn, ItemImpl, ReturnType, Visibility};

use crate::attr::{GradAttr, Mode};
use crate::emit;
use crate::sig;

/// The impl as written (without the methods' own `#[grad]` attributes), followed by the
/// generated items. The methods differentiated are the ones with their own `#[grad(..)]`
/// attribute; when none has one, every method that returns a float or a vector of floats,
/// each with the block's options.
pub fn expand(attr: GradAttr, mut item: ItemImpl) -> TokenStream {
    let outer: Vec<syn::Ident> = sig::type_params(&item.generics).collect();
    let marked = item
        .items
        .iter()
        .any(|i| matches!(i, ImplItem::Fn(f) if own_attr(f).is_some()));
    let in_trait = item.trait_.is_some();
    let error = foreign_self(&item, &outer).or_else(|| shadowed_method(&item));
    if let (true, Some(error)) = (in_trait, error) {
        let mut item = item;
        for impl_item in &mut item.items {
            if let ImplItem::Fn(method) = impl_item {
                method.attrs.retain(|a| !a.path().is_ident("grad"));
            }
        }
        let error = error.to_compile_error();
        return quote!(#item #error);
    }
    // `impl<T: Float> Loss<T> for Mse`: `T` goes onto each generated item.
    let (kept, moved) = split_generics(&item);
    let trait_generics = item
        .trait_
        .as_ref()
        .filter(|_| moved.type_count > 0)
        .map(|(_, tr, _)| (tr.clone(), moved.type_count));
    let associated = associated_types(&item);
    let called = called_through_self(&item);
    // The modes the marked methods ask for, which the helpers they call need too.
    let marked_modes: Vec<_> = item
        .items
        .iter()
        .filter_map(|i| match i {
            ImplItem::Fn(f) => own_attr(f).and_then(|index| parse_own(&f.attrs[index]).ok()),
            _ => None,
        })
        .flat_map(|options| options.modes)
        .collect();
    let mut generated = TokenStream::new();
    let mut differentiated = 0;
    // The methods to differentiate, and the methods with a `self` left as written.
    let (mut pending, mut skipped) = (Vec::new(), Vec::new());
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let own = own_attr(method).map(|index| method.attrs.remove(index));
        // The generated items go where `Self::Param` names nothing: the types it stands for
        // (`&Vec<f64>` for `&Self::Param`, which the trait's signature chose).
        let mut resolved = method.clone();
        let mut resolve = Resolve(&associated, false);
        syn::visit_mut::VisitMut::visit_impl_item_fn_mut(&mut resolve, &mut resolved);
        if resolve.1 {
            resolved
                .attrs
                .push(syn::parse_quote!(#[allow(clippy::ptr_arg)]));
        }
        let options = match own {
            Some(own) => match parse_own(&own) {
                Ok(options) => options,
                Err(e) => {
                    generated.extend([e.to_compile_error()]);
                    continue;
                }
            },
            // Unmarked methods when none is marked; associated functions the methods call
            // (`Self::leaky(z)`) either way.
            // (not a `&mut self` method of a block that differentiates `self`: a state
            // update beside the getters, `fn step(&mut self, dt: f64) -> f64`)
            // (nor one whose only input is a `self` the block reads as data, which has nothing
            // to differentiate: `fn support(&self) -> Option<(f64, f64)>` beside a kernel's
            // `evaluate`)
            None if (!marked || helper_called(&resolved, &called))
                && returns_floats(&resolved, &outer)
                && !(names_self(&attr) && updates_self(&resolved))
                && (names_self(&attr) || takes_more_than_self(&resolved)) =>
            {
                match block_options(&attr, &resolved, &called) {
                    // A block's `modes(jacobian)` is for the methods that return vectors.
                    Some(mut options) => {
                        for (mode, span) in &marked_modes {
                            if !options.modes.iter().any(|(m, _)| m == mode) {
                                options.modes.push((*mode, span.clone()));
                            }
                        }
                        if !returns_vector(&resolved) {
                            options.modes.retain(|(m, _)| *m != Mode::Jacobian);
                        }
                        options
                    }
                    None => {
                        skipped.extend(method.sig.receiver().map(|_| method.sig.clone()));
                        continue;
                    }
                }
            }
            None => {
                skipped.extend(method.sig.receiver().map(|_| method.sig.clone()));
                continue;
            }
        };
        let mut function = ItemFn {
            attrs: resolved.attrs,
            vis: method.vis.clone(),
            sig: resolved.sig,
            block: Box::new(resolved.block),
        };
        // A trait's methods are as public as the trait: so are their gradients.
        if in_trait {
            function.vis = Visibility::Public(Default::default());
        }
        moved.add_to(&mut function.sig.generics);
        pending.push((options, function));
    }
    for (options, function) in pending {
        differentiated += 1;
        if let Some(error) = calls_skipped(&function, &skipped) {
            generated.extend([error.to_compile_error()]);
            continue;
        }
        generated.extend([emit::generate(
            &options,
            &function,
            Some(&outer),
            true,
            trait_generics.clone(),
        )]);
    }
    // A block none of whose methods it differentiates would leave the callers' errors to
    // say so (`no method named `f_jacobian``).
    if differentiated == 0 {
        // (`fn run(&mut self, inflow: &[f64]) -> f64`: a state update, which the block leaves)
        let updating = skipped.iter().find(
            |s| matches!(s.receiver(), Some(r) if r.reference.is_some() && r.mutability.is_some()),
        );
        let message = match updating {
            Some(update) => format!("#[grad] on this `impl` block finds no method to differentiate: it leaves `{}`, which takes `&mut self`, as written, since what the method writes into `self` would carry no derivative; take `&self` and keep the state in locals (`let mut store = self.store;`), returning what you want derivatives of", update.ident),
            None => "#[grad] on this `impl` block finds no method to differentiate: it differentiates the methods that return a float, or an array or a `Vec` of floats, and these return other types (a struct, a tuple); return the numbers as an array, or take `#[grad]` off the block".to_string(),
        };
        let error = syn::Error::new_spanned(&item.self_ty, message);
        generated.extend([error.to_compile_error()]);
    }
    for impl_item in &mut item.items {
        if let ImplItem::Fn(method) = impl_item {
            crate::checkpoint::strip(&mut method.block);
        }
    }
    let (impl_generics, _, where_clause) = kept.split_for_impl();
    let self_ty = &item.self_ty;
    if in_trait {
        quote! {
            #item
            impl #impl_generics #self_ty #where_clause {
                #generated
            }
        }
    } else {
        let generated = syn::parse2::<ItemImpl>(quote!(impl X { #generated }))
            .map(|extra| extra.items)
            .unwrap_or_default();
        item.items.extend(generated);
        quote!(#item)
    }
}

/// A call in a differentiated method of a method of `self` that the block leaves as written
/// (`self.a(t)` of `fn a(&self, t: f64) -> &[f64; 7]`, which returns a reference): its
/// sweeps would call a gradient that is not there.
fn calls_skipped(function: &ItemFn, skipped: &[syn::Signature]) -> Option<syn::Error> {
    struct Calls<'a> {
        skipped: &'a [syn::Signature],
        found: Option<syn::Error>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Calls<'_> {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            let on_self = matches!(&*m.receiver, syn::Expr::Path(p) if p.path.is_ident("self"));
            // (one returning data, `fn n(&self) -> usize`, is data as any call's result is)
            let callee = self.skipped.iter().find(|s| {
                s.ident == m.method
                    && matches!(&s.output, ReturnType::Type(_, ty) if matches!(&**ty, syn::Type::Reference(_)))
            });
            if let (true, None, Some(callee)) = (on_self, &self.found, callee) {
                let returns = match &callee.output {
                    ReturnType::Type(_, ty) => ty.to_token_stream().to_string().replace("& ", "&"),
                    ReturnType::Default => "()".to_string(),
                };
                self.found = Some(syn::Error::new(
                    m.method.span(),
                    format!("#[grad] differentiates this method, which calls `self.{}(..)`, a method the block leaves as written (it returns `{returns}`, a reference, not numbers): compute what it gives in this method (an array chosen in branches: `let mut a = self.rows[1]; if c {{ a = self.rows[0]; }}`)", m.method),
                ));
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut calls = Calls {
        skipped,
        found: None,
    };
    syn::visit::Visit::visit_block(&mut calls, &function.block);
    calls.found
}

/// A method of a trait impl named as what `#[grad]` generates for another of its methods
/// (rusty-machine's `func` and `func_grad`): the generated one, in an inherent impl, would
/// shadow the trait's wherever the type names it (`Sigmoid::func_grad(x)`).
fn shadowed_method(item: &ItemImpl) -> Option<syn::Error> {
    let names: Vec<&syn::Ident> = item
        .items
        .iter()
        .filter_map(|i| match i {
            ImplItem::Fn(f) => Some(&f.sig.ident),
            _ => None,
        })
        .collect();
    let (method, clash) = names.iter().find_map(|method| {
        ["grad", "adjoint"].iter().find_map(|suffix| {
            let generated = format!("{method}_{suffix}");
            names
                .iter()
                .find(|n| **n == &generated)
                .map(|clash| (method, clash))
        })
    })?;
    Some(syn::Error::new(
        clash.span(),
        format!("#[grad] generates `{clash}` for `{method}`, which this trait impl defines itself: the generated one, in an inherent impl of the type, would shadow it wherever the type names it (`Type::{clash}(..)`); differentiate `{method}`'s body as a free function with `#[grad]` that the impl calls, or leave this impl without `#[grad]`"),
    ))
}

/// A trait impl for a type no inherent impl can be written for (`impl Act for f64`, a
/// blanket `impl<T: Float> Act for T`, an array or a reference): where the generated items
/// would go. The error says what to write instead.
fn foreign_self(item: &ItemImpl, type_params: &[syn::Ident]) -> Option<syn::Error> {
    const PRIMITIVES: &[&str] = &[
        "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64",
        "u128", "usize", "bool", "char", "str",
    ];
    let foreign = match &*item.self_ty {
        syn::Type::Path(tp) => {
            tp.qself.is_some()
                || tp.path.get_ident().is_some_and(|i| {
                    PRIMITIVES.contains(&&*i.to_string()) || type_params.contains(i)
                })
        }
        _ => true,
    };
    foreign.then(|| {
        syn::Error::new_spanned(
            &item.self_ty,
            format!(
                "#[grad] on a trait impl puts the gradients in an inherent impl of the type, which Rust does not allow for `{}`: write each method's body as a free function with `#[grad]` (`fn sigmoid(x: f64) -> f64`) and call it from the impl",
                item.self_ty.to_token_stream()
            ),
        )
    })
}

/// An impl's generics its type does not name, with the bounds that mention them.
#[derive(Default)]
struct Moved {
    params: Vec<syn::GenericParam>,
    predicates: Vec<syn::WherePredicate>,
    /// How many of `params` are type or const parameters (the rest lifetimes).
    type_count: usize,
}

impl Moved {
    /// Declares them on a generated item: lifetimes first, types and consts last.
    fn add_to(&self, generics: &mut syn::Generics) {
        for param in &self.params {
            match param {
                syn::GenericParam::Lifetime(_) => generics.params.insert(0, param.clone()),
                _ => generics.params.push(param.clone()),
            }
        }
        if !self.predicates.is_empty() {
            generics
                .make_where_clause()
                .predicates
                .extend(self.predicates.iter().cloned());
        }
    }
}

/// The generics of the inherent impl that holds a trait impl's generated items, and the
/// ones moved onto the items: those the impl's type does not name (`T` of `impl<T: Float>
/// Loss<T> for Mse`), which an inherent impl of `Mse` cannot declare (E0207).
fn split_generics(item: &ItemImpl) -> (syn::Generics, Moved) {
    let mut kept = item.generics.clone();
    let mut moved = Moved::default();
    if item.trait_.is_none() {
        return (kept, moved);
    }
    let self_ty = item.self_ty.to_token_stream();
    // (a lifetime `'a` is its name after the quote)
    let mentions = |tokens: &TokenStream, name: &str| {
        crate::reverse::mentions(tokens, name.trim_start_matches('\''))
    };
    let named = |ident: &str| mentions(&self_ty, ident);
    let params = std::mem::take(&mut kept.params);
    let mut names = Vec::new();
    for param in params {
        let name = match &param {
            syn::GenericParam::Type(t) => t.ident.to_string(),
            syn::GenericParam::Const(c) => c.ident.to_string(),
            syn::GenericParam::Lifetime(l) => l.lifetime.to_string(),
        };
        if named(&name) {
            kept.params.push(param);
        } else {
            moved.type_count += usize::from(!matches!(param, syn::GenericParam::Lifetime(_)));
            moved.params.push(param);
            names.push(name);
        }
    }
    if let Some(clause) = &mut kept.where_clause {
        let predicates = std::mem::take(&mut clause.predicates);
        for predicate in predicates {
            let tokens = predicate.to_token_stream();
            if names.iter().any(|n| mentions(&tokens, n)) {
                moved.predicates.push(predicate);
            } else {
                clause.predicates.push(predicate);
            }
        }
    }
    (kept, moved)
}

/// The position of a method's own `#[grad]` / `#[grad(..)]` attribute.
fn own_attr(method: &ImplItemFn) -> Option<usize> {
    method.attrs.iter().position(|a| a.path().is_ident("grad"))
}

fn parse_own(attr: &syn::Attribute) -> syn::Result<GradAttr> {
    match &attr.meta {
        syn::Meta::Path(_) => Ok(GradAttr::default()),
        syn::Meta::List(list) => list.parse_args(),
        syn::Meta::NameValue(nv) => Err(syn::Error::new_spanned(
            nv,
            "expected `#[grad]` or `#[grad(x, y)]`",
        )),
    }
}

/// The block's options for one method: the names it lists that are this method's parameters
/// (`#[grad(self, x)]` on a block whose `mean(&self)` has no `x`); `None` when it lists names
/// and none is this method's, except for an associated function the block's methods call
/// (`Self::sigmoid(z)`), whose float parameters are all differentiated.
fn block_options(attr: &GradAttr, method: &ImplItemFn, called: &[String]) -> Option<GradAttr> {
    let Some(names) = &attr.wrt else {
        return Some(attr.clone());
    };
    let associated = !matches!(method.sig.inputs.first(), Some(syn::FnArg::Receiver(_)));
    let helper = associated.then_some(GradAttr {
        wrt: None,
        modes: attr.modes.clone(),
    });
    let params: Vec<syn::Ident> = method
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Receiver(r) => Some(syn::Ident::new("self", r.self_token.span)),
            syn::FnArg::Typed(pt) => match &*pt.pat {
                syn::Pat::Ident(pi) => Some(pi.ident.clone()),
                _ => None,
            },
        })
        .collect();
    let own: Vec<syn::Ident> = names
        .iter()
        .filter(|n| params.contains(n))
        .cloned()
        .collect();
    match own.is_empty() {
        false => Some(GradAttr {
            wrt: Some(own),
            modes: attr.modes.clone(),
        }),
        true => helper.filter(|_| called.contains(&method.sig.ident.to_string())),
    }
}

/// The names the block's methods call through `Self::` or the type's name
/// (`Self::sigmoid(z)`, `Logistic::sigmoid(z)`).
/// Whether `method` is an associated function (no `self`) that the impl's methods call.
fn helper_called(method: &ImplItemFn, called: &[String]) -> bool {
    !matches!(method.sig.inputs.first(), Some(syn::FnArg::Receiver(_)))
        && called.contains(&method.sig.ident.to_string())
}

fn called_through_self(item: &ItemImpl) -> Vec<String> {
    struct Calls {
        owner: Option<syn::Ident>,
        names: Vec<String>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Calls {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if let [owner, name] = &*p.path.segments.iter().collect::<Vec<_>>() {
                if owner.ident == "Self" || self.owner.as_ref() == Some(&owner.ident) {
                    self.names.push(name.ident.to_string());
                }
            }
            syn::visit::visit_expr_path(self, p);
        }
    }
    let owner = match &*item.self_ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.clone()),
        _ => None,
    };
    let mut calls = Calls {
        owner,
        names: Vec::new(),
    };
    syn::visit::Visit::visit_item_impl(&mut calls, item);
    calls.names
}

/// Whether the block's attribute differentiates `self` (`#[grad(self)]`, `#[grad(self, x)]`).
fn names_self(attr: &GradAttr) -> bool {
    attr.wrt
        .as_ref()
        .is_some_and(|names| names.iter().any(|n| n == "self"))
}

/// Whether a method has a parameter besides `self`.
fn takes_more_than_self(method: &ImplItemFn) -> bool {
    method
        .sig
        .inputs
        .iter()
        .any(|i| matches!(i, syn::FnArg::Typed(_)))
}

/// Whether a method takes `&mut self`.
fn updates_self(method: &ImplItemFn) -> bool {
    matches!(method.sig.receiver(), Some(r) if r.reference.is_some() && r.mutability.is_some())
}

/// Whether a method returns what `#[grad]` differentiates: a float (`f64`, `f32`, or a type
/// parameter of the method or the impl), an array, `Vec` or tuple of them, or one of those in
/// a `Result` or an `Option`.
fn returns_floats(method: &ImplItemFn, outer: &[syn::Ident]) -> bool {
    let ReturnType::Type(_, ty) = &method.sig.output else {
        return false;
    };
    let own: Vec<syn::Ident> = sig::type_params(&method.sig.generics)
        .chain(outer.iter().cloned())
        .collect();
    floats(ty, &own)
}

/// Whether a method returns an array, a `Vec` or a tuple.
fn returns_vector(method: &ImplItemFn) -> bool {
    match &method.sig.output {
        ReturnType::Type(_, ty) => match &**ty {
            syn::Type::Array(_) | syn::Type::Tuple(_) => true,
            syn::Type::Path(tp) => tp.path.segments.last().is_some_and(|s| s.ident == "Vec"),
            _ => false,
        },
        ReturnType::Default => false,
    }
}

fn floats(ty: &syn::Type, type_params: &[syn::Ident]) -> bool {
    match ty {
        syn::Type::Array(a) => floats(&a.elem, type_params),
        // A tuple of numbers (`-> (f64, f64)`).
        syn::Type::Tuple(t) => {
            !t.elems.is_empty()
                && t.elems
                    .iter()
                    .all(|e| matches!(e, syn::Type::Path(_)) && floats(e, type_params))
        }
        syn::Type::Path(tp) => {
            let Some(last) = tp.path.segments.last() else {
                return false;
            };
            match &last.arguments {
                syn::PathArguments::None => {
                    last.ident == "f64" || last.ident == "f32" || type_params.contains(&last.ident)
                }
                syn::PathArguments::AngleBracketed(args)
                    if last.ident == "Vec"
                        || last.ident == "Option"
                        || last.ident.to_string().ends_with("Result") =>
                {
                    matches!(args.args.first(), Some(syn::GenericArgument::Type(t)) if floats(t, type_params))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// The associated types a trait impl defines (`type Param = Vec<f64>;`).
fn associated_types(item: &ItemImpl) -> Vec<(syn::Ident, syn::Type)> {
    item.items
        .iter()
        .filter_map(|i| match i {
            ImplItem::Type(t) => Some((t.ident.clone(), t.ty.clone())),
            _ => None,
        })
        .collect()
}

/// Replaces `Self::Param` with the type the impl defines for it; whether it replaced any.
struct Resolve<'a>(&'a [(syn::Ident, syn::Type)], bool);

impl syn::visit_mut::VisitMut for Resolve<'_> {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(tp) = ty {
            let segments: Vec<&syn::PathSegment> = tp.path.segments.iter().collect();
            if let (None, [first, name]) = (&tp.qself, &*segments) {
                let found = self.0.iter().find(|(ident, _)| *ident == name.ident);
                if let (true, Some((_, resolved))) = (first.ident == "Self", found) {
                    *ty = resolved.clone();
                    self.1 = true;
                    return;
                }
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}
