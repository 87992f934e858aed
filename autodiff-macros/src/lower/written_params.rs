//! Parameters as the lowering takes them. A float array taken by value and written (`fn f(mut
//! v: [f64; 3])`): a read-only parameter copied into a local of the same name first, as a user
//! would write it by hand (`fn f(v: [f64; 3]) { let mut v = v; .. }`), whose adjoint flows back
//! into the parameter's. A parameter named `_` (a callback's signature): a name of its own in
//! the generated items, which never read it.

use syn::{FnArg, ItemFn, Pat, Type};

/// `item` with its `_` parameters named and its `mut` array parameters copied at the top of
/// the body, if it has either.
pub fn copied(item: &ItemFn) -> Option<ItemFn> {
    let mut item = item.clone();
    let named = name_wildcards(&mut item);
    let mut copies: Vec<syn::Stmt> = Vec::new();
    for input in &mut item.sig.inputs {
        let FnArg::Typed(pt) = input else { continue };
        let Pat::Ident(pi) = &mut *pt.pat else {
            continue;
        };
        if pi.mutability.is_none() || pi.by_ref.is_some() || !is_array(&pt.ty) {
            continue;
        }
        pi.mutability = None;
        let ident = &pi.ident;
        copies.push(syn::parse_quote_spanned!(ident.span()=> let mut #ident = #ident;));
    }
    if copies.is_empty() {
        return named.then_some(item);
    }
    copies.append(&mut item.block.stmts);
    item.block.stmts = copies;
    Some(item)
}

/// Names each `_` parameter `unused`, `unused_1`, .. (names the other parameters do not
/// take; the generated items allow what they do not read); true if there was one.
fn name_wildcards(item: &mut ItemFn) -> bool {
    let taken: Vec<String> = item
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(pt) => match &*pt.pat {
                Pat::Ident(pi) => Some(pi.ident.to_string()),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect();
    let mut count = 0;
    for input in &mut item.sig.inputs {
        let FnArg::Typed(pt) = input else { continue };
        let Pat::Wild(w) = &*pt.pat else { continue };
        let name = loop {
            let name = match count {
                0 => "unused".to_string(),
                n => format!("unused_{n}"),
            };
            count += 1;
            if !taken.contains(&name) {
                break name;
            }
        };
        let ident = syn::Ident::new(&name, w.underscore_token.span);
        *pt.pat = syn::parse_quote!(#ident);
    }
    count > 0
}

fn is_array(ty: &Type) -> bool {
    match ty {
        Type::Array(_) => true,
        Type::Paren(p) => is_array(&p.elem),
        Type::Group(g) => is_array(&g.elem),
        _ => false,
    }
}
