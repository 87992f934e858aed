//! `#[grad]` on an `impl` block: its methods differentiated where they are, in an inherent
//! impl or in a trait impl (whose generated items go into an inherent impl of the same type,
//! since a trait impl can only hold the trait's items).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{GenericParam, ImplItem, ImplItemFn, ItemFn, ItemImpl, ReturnType, Visibility};

use crate::attr::GradAttr;
use crate::emit;

/// The impl as written (without the methods' own `#[grad]` attributes), followed by the
/// generated items. The methods differentiated are the ones with their own `#[grad(..)]`
/// attribute; when none has one, every method that returns a float or a vector of floats,
/// each with the block's options.
pub fn expand(attr: GradAttr, mut item: ItemImpl) -> TokenStream {
    let outer: Vec<syn::Ident> = item
        .generics
        .params
        .iter()
        .filter_map(|p| match p {
            GenericParam::Type(t) => Some(t.ident.clone()),
            _ => None,
        })
        .collect();
    let marked = item
        .items
        .iter()
        .any(|i| matches!(i, ImplItem::Fn(f) if own_attr(f).is_some()));
    let in_trait = item.trait_.is_some();
    let mut generated = TokenStream::new();
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let options = match own_attr(method) {
            Some(index) => {
                let own = method.attrs.remove(index);
                match parse_own(&own) {
                    Ok(options) => options,
                    Err(e) => {
                        generated.extend(e.to_compile_error());
                        continue;
                    }
                }
            }
            None if !marked && returns_floats(method) => GradAttr {
                wrt: attr.wrt.clone(),
            },
            None => continue,
        };
        let mut function = ItemFn {
            attrs: method.attrs.clone(),
            vis: method.vis.clone(),
            sig: method.sig.clone(),
            block: Box::new(method.block.clone()),
        };
        // A trait's methods are as public as the trait: so are their gradients.
        if in_trait {
            function.vis = Visibility::Public(Default::default());
        }
        generated.extend(emit::generate(&options, &function, &outer));
    }
    let (impl_generics, _, where_clause) = item.generics.split_for_impl();
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

/// The position of a method's own `#[grad]` / `#[grad(..)]` attribute.
fn own_attr(method: &ImplItemFn) -> Option<usize> {
    method.attrs.iter().position(|a| a.path().is_ident("grad"))
}

fn parse_own(attr: &syn::Attribute) -> syn::Result<GradAttr> {
    match &attr.meta {
        syn::Meta::Path(_) => Ok(GradAttr { wrt: None }),
        syn::Meta::List(list) => list.parse_args(),
        syn::Meta::NameValue(nv) => Err(syn::Error::new_spanned(
            nv,
            "expected `#[grad]` or `#[grad(x, y)]`",
        )),
    }
}

/// Whether a method returns something `#[grad]` differentiates by default: a type that is not
/// `Self`, `()`, a `bool`, an integer or a `String` — in practice a float or an array of
/// floats (a wrong guess is reported on the method, which can then be left out by marking the
/// others with `#[grad]`).
fn returns_floats(method: &ImplItemFn) -> bool {
    let ReturnType::Type(_, ty) = &method.sig.output else {
        return false;
    };
    let text = quote!(#ty).to_string().replace(' ', "");
    let not_floats = [
        "Self", "bool", "usize", "isize", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64",
        "String",
    ];
    !not_floats.contains(&text.as_str()) && !text.starts_with('&') && !text.starts_with("Option")
}
