//! Parameters as the lowering takes them. A float array taken by value and written (`fn f(mut
//! v: [f64; 3])`): a read-only parameter copied into a local of the same name first, as a user
//! would write it by hand (`fn f(v: [f64; 3]) { let mut v = v; .. }`), whose adjoint flows back
//! into the parameter's; a tuple of numbers too (`mut p: (f64, f64)`), and a `Vec` (`mut w:
//! Vec<f64>`, moved into the local). A parameter named `_`
//! (a callback's signature): a name of its own in the generated items, which never read it. A
//! parameter taken apart where it is declared (`(x, y): (f64, f64)`, `[a, b]: [f64; 2]`,
//! `Pair { a, b }: Pair`): a name of its own (`x_y`), taken apart first in the body.

use syn::{FnArg, ItemFn, Pat, Type};

/// `item` with its `_` parameters named, its tuple patterns named and taken apart, and its
/// `mut` array and tuple parameters copied at the top of the body, if it has any.
pub fn copied(item: &ItemFn) -> Option<ItemFn> {
    let mut item = item.clone();
    let named = name_wildcards(&mut item);
    let mut copies: Vec<syn::Stmt> = name_tuple_patterns(&mut item);
    for input in &mut item.sig.inputs {
        let FnArg::Typed(pt) = input else { continue };
        let Pat::Ident(pi) = &mut *pt.pat else {
            continue;
        };
        let copied = is_array(&pt.ty) || is_tuple(&pt.ty) || is_vec(&pt.ty);
        if pi.mutability.is_none() || pi.by_ref.is_some() || !copied {
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

/// Names each parameter whose pattern takes its value apart (`(x, y): (f64, f64)`) after the
/// names it binds (`x_y`, a name no parameter takes), and returns the `let`s that take the
/// values apart under those names at the top of the body (`let (x, y) = x_y;`).
fn name_tuple_patterns(item: &mut ItemFn) -> Vec<syn::Stmt> {
    let mut taken: Vec<String> = Vec::new();
    for input in &item.sig.inputs {
        if let FnArg::Typed(pt) = input {
            let mut names = Vec::new();
            super::bound_names(&pt.pat, &mut names);
            taken.extend(names.iter().map(|n| n.to_string()));
        }
    }
    let mut lets = Vec::new();
    for input in &mut item.sig.inputs {
        let FnArg::Typed(pt) = input else { continue };
        // (`x: f64`, `_` and `ref x` are not taken apart)
        if matches!(&*pt.pat, Pat::Ident(_) | Pat::Wild(_)) {
            continue;
        }
        let mut names = Vec::new();
        super::bound_names(&pt.pat, &mut names);
        let mut name = names
            .iter()
            .map(|n| n.to_string().trim_start_matches("r#").to_string())
            .collect::<Vec<_>>()
            .join("_");
        if name.is_empty() {
            name = "parts".to_string();
        }
        while taken.contains(&name) {
            name.push('_');
        }
        taken.push(name.clone());
        let span = syn::spanned::Spanned::span(&pt.pat);
        let ident = syn::Ident::new(&name, span);
        let pattern = std::mem::replace(&mut *pt.pat, syn::parse_quote!(#ident));
        lets.push(syn::parse_quote_spanned!(span=> let #pattern = #ident;));
    }
    lets
}

fn is_tuple(ty: &Type) -> bool {
    match ty {
        Type::Tuple(t) => !t.elems.is_empty(),
        Type::Paren(p) => is_tuple(&p.elem),
        Type::Group(g) => is_tuple(&g.elem),
        _ => false,
    }
}

fn is_array(ty: &Type) -> bool {
    match ty {
        Type::Array(_) => true,
        Type::Paren(p) => is_array(&p.elem),
        Type::Group(g) => is_array(&g.elem),
        _ => false,
    }
}

/// `Vec<T>` by value (`mut w: Vec<f64>`, normalised in place): moved into the local.
fn is_vec(ty: &Type) -> bool {
    match ty {
        Type::Path(tp) => {
            tp.qself.is_none() && tp.path.segments.last().is_some_and(|s| s.ident == "Vec")
        }
        Type::Paren(p) => is_vec(&p.elem),
        Type::Group(g) => is_vec(&g.elem),
        _ => false,
    }
}
