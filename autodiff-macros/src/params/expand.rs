//! The `Params` impl of a [`Model`]: its three walks, field by field, and the bounds that make
//! a generic model's float and nested models fit together.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{parse_quote, parse_quote_spanned, Ident, Type, WhereClause};

use super::model::{member_label, Kind, Model};

/// Which of the trait's walks is being written.
#[derive(Clone, Copy)]
enum Walk {
    /// `walk(&self, ..)`
    Shared,
    /// `walk_mut(&mut self, ..)`
    Mut,
    /// `walk_zip(&mut self, other: &Self, ..)`
    Zip,
}

impl Walk {
    /// Whether the walk hands out `&mut` slices of `self`.
    fn is_mutable(self) -> bool {
        !matches!(self, Walk::Shared)
    }
}

/// Where a walk finds a value: a field, `self.w` (and `other.w` in a paired walk), or the
/// item of a loop over a sequence, `mine` (and `theirs`), which is a reference already.
/// Indexing (`&mine[..]`) and methods (`mine.len()`) see through either.
struct Place {
    mine: TokenStream,
    theirs: TokenStream,
    is_reference: bool,
}

impl Place {
    /// `&mine` (`&mut mine` if `mutable`) and `&theirs`, or the references themselves.
    fn references(&self, mutable: bool) -> (TokenStream, TokenStream) {
        (
            self.reference(&self.mine, mutable),
            self.reference(&self.theirs, false),
        )
    }

    fn reference(&self, value: &TokenStream, mutable: bool) -> TokenStream {
        match (self.is_reference, mutable) {
            (true, _) => value.clone(),
            (false, false) => quote!(&#value),
            (false, true) => quote!(&mut #value),
        }
    }

    /// The values of a slice of `depth` dimensions here (mine, or theirs if `theirs`),
    /// row-major: a scalar as a slice of one, an array or `Vec` as its slice, nested arrays
    /// flattened.
    fn values(&self, theirs: bool, depth: usize, mutable: bool) -> TokenStream {
        let value = if theirs { &self.theirs } else { &self.mine };
        let flatten = if mutable {
            format_ident!("as_flattened_mut")
        } else {
            format_ident!("as_flattened")
        };
        let flattened = (2..depth).map(|_| &flatten);
        let borrow = if mutable { quote!(&mut) } else { quote!(&) };
        match depth {
            0 => {
                let value = self.reference(value, mutable);
                let from = if mutable {
                    quote!(from_mut)
                } else {
                    quote!(from_ref)
                };
                quote!(::core::slice::#from(#value))
            }
            1 => quote!(#borrow #value[..]),
            _ => quote!(#value[..].#flatten() #(.#flattened())*),
        }
    }
}

/// The generated names; mixed-site, so that no user name (a constant in an array length)
/// can capture or be captured by them.
struct Locals {
    at: Ident,
    visit: Ident,
    other: Ident,
    name: Ident,
    index: Ident,
    mine: Ident,
    theirs: Ident,
}

impl Locals {
    fn new() -> Self {
        let local = |name: &str| Ident::new(name, Span::mixed_site());
        Locals {
            at: local("at"),
            visit: local("visit"),
            other: local("other"),
            name: local("name"),
            index: local("index"),
            mine: local("mine"),
            theirs: local("theirs"),
        }
    }
}

/// The `impl Params for ..` of a model without errors.
pub fn expand(model: &Model<'_>) -> TokenStream {
    let locals = Locals::new();
    let Locals {
        at, visit, other, ..
    } = &locals;
    let scalar = scalar(model);
    let shared = walk_fields(model, Walk::Shared, &locals);
    let mutable = walk_fields(model, Walk::Mut, &locals);
    let zip = walk_fields(model, Walk::Zip, &locals);
    let labels = model
        .fields
        .iter()
        .map(|f| member_label(&f.member).trim_start_matches("r#").to_string());
    impl_block(
        model,
        &scalar,
        where_clause(model, &scalar),
        quote! {
            fn walk(
                &self,
                #at: ::core::option::Option<&::autodiff::optim::Name<'_>>,
                #visit: &mut ::autodiff::optim::Visit<'_, Self::Scalar>,
            ) {
                #shared
            }

            fn walk_mut(
                &mut self,
                #at: ::core::option::Option<&::autodiff::optim::Name<'_>>,
                #visit: &mut ::autodiff::optim::VisitMut<'_, Self::Scalar>,
            ) {
                #mutable
            }

            fn walk_zip(
                &mut self,
                #other: &Self,
                #at: ::core::option::Option<&::autodiff::optim::Name<'_>>,
                #visit: &mut ::autodiff::optim::VisitZip<'_, Self::Scalar>,
            ) {
                #zip
            }

            #[inline(always)]
            fn is_param_field(&self, name: &str) -> bool {
                ::core::matches!(name, #(#labels)|*)
            }
        },
    )
}

/// The body of one walk: a block per field, which names the field and visits it.
fn walk_fields(model: &Model<'_>, walk: Walk, locals: &Locals) -> TokenStream {
    let Locals {
        at, other, name, ..
    } = locals;
    let fields = model.fields.iter().map(|field| {
        let label = member_label(&field.member);
        let member = &field.member;
        let place = Place {
            mine: quote!(self.#member),
            theirs: quote!(#other.#member),
            is_reference: false,
        };
        let body = visit_kind(&field.kind, &place, walk, locals);
        quote! {
            {
                let #name = ::autodiff::optim::Name::field(#at, #label);
                #body
            }
        }
    });
    quote!(#(#fields)*)
}

/// An impl whose walks are never called, emitted beside the errors of a struct that is not a
/// model: uses of the struct as a model then compile, and the user sees the real errors only.
pub fn fallback(model: &Model<'_>) -> TokenStream {
    let scalar = match model.float {
        Some(float) => quote!(#float),
        None => quote!(f64),
    };
    let mut where_clause = bare_where_clause(model);
    where_clause.predicates.extend(float_bound(model));
    let unreachable = quote!(::core::unreachable!(
        "autodiff: a model that did not compile"
    ));
    impl_block(
        model,
        &scalar,
        where_clause,
        quote! {
            fn walk(
                &self,
                _: ::core::option::Option<&::autodiff::optim::Name<'_>>,
                _: &mut ::autodiff::optim::Visit<'_, Self::Scalar>,
            ) {
                #unreachable
            }

            fn walk_mut(
                &mut self,
                _: ::core::option::Option<&::autodiff::optim::Name<'_>>,
                _: &mut ::autodiff::optim::VisitMut<'_, Self::Scalar>,
            ) {
                #unreachable
            }

            fn walk_zip(
                &mut self,
                _: &Self,
                _: ::core::option::Option<&::autodiff::optim::Name<'_>>,
                _: &mut ::autodiff::optim::VisitZip<'_, Self::Scalar>,
            ) {
                #unreachable
            }
        },
    )
}

fn impl_block(
    model: &Model<'_>,
    scalar: &TokenStream,
    where_clause: WhereClause,
    walks: TokenStream,
) -> TokenStream {
    let ident = &model.input.ident;
    let (impl_generics, ty_generics, _) = model.input.generics.split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics ::autodiff::optim::Params for #ident #ty_generics #where_clause {
            type Scalar = #scalar;

            #walks
        }
    }
}

/// The float of the slices, or else the scalar of the first nested model.
fn scalar(model: &Model<'_>) -> TokenStream {
    match (model.float, first_model(model)) {
        (Some(float), _) => quote!(#float),
        (None, Some(ty)) => quote_spanned!(ty.span()=> <#ty as ::autodiff::optim::Params>::Scalar),
        // no parameter field: reported, never expanded
        (None, None) => quote!(f64),
    }
}

fn first_model<'a>(model: &Model<'a>) -> Option<&'a Type> {
    model.fields.iter().find_map(|f| f.kind.model())
}

/// The struct's own where clause, plus: the float type parameter is a `Float`; every nested
/// model is a `Params` of the same scalar. Each bound is spanned on the field's type, where a
/// type that is not a model, or has another float type, is reported.
fn where_clause(model: &Model<'_>, scalar: &TokenStream) -> WhereClause {
    let mut clause = bare_where_clause(model);
    clause.predicates.extend(float_bound(model));
    let first = first_model(model);
    let mut bounded: Vec<String> = Vec::new();
    for ty in model.fields.iter().filter_map(|f| f.kind.model()) {
        let key = quote!(#ty).to_string();
        if bounded.contains(&key) {
            continue;
        }
        bounded.push(key);
        let defines_scalar = model.float.is_none() && first.is_some_and(|f| std::ptr::eq(f, ty));
        // `Head: Params<Scalar = <Block as Params>::Scalar>` with no type parameter in it sends
        // the solver round a cycle when `Block` holds a `Head` itself (E0275); the walks'
        // calls still make the two scalars agree
        let global_projection = model.float.is_none()
            && !first.is_some_and(|f| mentions_generic(f, model))
            && !mentions_generic(ty, model);
        let span = ty.span();
        clause
            .predicates
            .push(if defines_scalar || global_projection {
                parse_quote_spanned!(span=> #ty: ::autodiff::optim::Params)
            } else {
                // the scalar as written on another field would stretch the bound's span there
                let scalar = respan(scalar.clone(), span);
                parse_quote_spanned!(span=> #ty: ::autodiff::optim::Params<Scalar = #scalar>)
            });
    }
    clause
}

/// Whether `ty` names one of the struct's type or const parameters.
fn mentions_generic(ty: &Type, model: &Model<'_>) -> bool {
    fn walk(tokens: TokenStream, params: &[&Ident]) -> bool {
        tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) => params.contains(&&ident),
            TokenTree::Group(group) => walk(group.stream(), params),
            _ => false,
        })
    }
    let generics = &model.input.generics;
    let params: Vec<&Ident> = generics
        .type_params()
        .map(|p| &p.ident)
        .chain(generics.const_params().map(|p| &p.ident))
        .collect();
    walk(quote!(#ty), &params)
}

/// `tokens`, every one of them spanned at `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = TokenTree::Group(inner);
            }
            token.set_span(span);
            token
        })
        .collect()
}

fn bare_where_clause(model: &Model<'_>) -> WhereClause {
    model
        .input
        .generics
        .where_clause
        .clone()
        .unwrap_or_else(|| parse_quote!(where))
}

fn float_bound(model: &Model<'_>) -> Option<syn::WherePredicate> {
    let param = model.float_param?;
    Some(parse_quote!(#param: ::autodiff::Float))
}

/// The statements that visit one field (or sequence item) of kind `kind` at `place`, named
/// by the local `name`.
fn visit_kind(kind: &Kind<'_>, place: &Place, walk: Walk, locals: &Locals) -> TokenStream {
    let Locals {
        visit, name, index, ..
    } = locals;
    match kind {
        Kind::Slice { in_vec, lens, .. } => {
            let mine = &place.mine;
            let outer = in_vec.then(|| quote!(#mine.len()));
            let shape = outer.into_iter().chain(lens.iter().map(|len| quote!(#len)));
            let depth = lens.len() + usize::from(*in_vec);
            let mine_values = place.values(false, depth, walk.is_mutable());
            let slice = quote! {
                ::autodiff::optim::ParamSlice {
                    name: &#name,
                    shape: &[#(#shape),*],
                    values: #mine_values,
                }
            };
            match walk {
                Walk::Shared | Walk::Mut => quote!(#visit(#slice);),
                Walk::Zip => {
                    let theirs = place.values(true, depth, false);
                    quote!(#visit(#slice, #theirs);)
                }
            }
        }
        Kind::Model(ty) => {
            let (mine, theirs) = place.references(walk.is_mutable());
            let at = quote!(::core::option::Option::Some(&#name));
            // a nested model of another float is reported on its field's type
            let mut visit = visit.clone();
            visit.set_span(visit.span().located_at(ty.span()));
            let call = match walk {
                Walk::Shared => quote!(walk(#mine, #at, #visit)),
                Walk::Mut => quote!(walk_mut(#mine, #at, #visit)),
                Walk::Zip => quote!(walk_zip(#mine, #theirs, #at, #visit)),
            };
            quote_spanned!(ty.span()=> <#ty as ::autodiff::optim::Params>::#call;)
        }
        Kind::Sequence { in_vec, item } => {
            let (mine, theirs) = (&locals.mine, &locals.theirs);
            let item_place = Place {
                mine: quote!(#mine),
                theirs: quote!(#theirs),
                is_reference: true,
            };
            let body = visit_kind(item, &item_place, walk, locals);
            let (outer_mine, outer_theirs) = (&place.mine, &place.theirs);
            let (pattern, items) = match walk {
                Walk::Shared => (quote!(#mine), quote!(#outer_mine.iter())),
                Walk::Mut => (quote!(#mine), quote!(#outer_mine.iter_mut())),
                Walk::Zip => (
                    quote!((#mine, #theirs)),
                    quote!(#outer_mine.iter_mut().zip(#outer_theirs.iter())),
                ),
            };
            // only a `Vec` can differ in length between a model and its gradient
            let check = (matches!(walk, Walk::Zip) && *in_vec).then(|| {
                quote! {
                    ::autodiff::optim::__derive::same_len(
                        &#name,
                        #outer_mine.len(),
                        #outer_theirs.len(),
                    );
                }
            });
            quote! {
                #check
                for (#index, #pattern) in #items.enumerate() {
                    let #name = ::autodiff::optim::Name::index(
                        ::core::option::Option::Some(&#name),
                        #index,
                    );
                    #body
                }
            }
        }
    }
}
