//! A float array taken by value and written (`fn f(mut v: [f64; 3])`): to the lowering, a
//! read-only parameter copied into a local of the same name first, as a user would write it
//! by hand (`fn f(v: [f64; 3]) { let mut v = v; .. }`), whose adjoint flows back into the
//! parameter's.

use syn::{FnArg, ItemFn, Pat, Type};

/// `item` with its `mut` array parameters copied at the top of the body, if it has one.
pub fn copied(item: &ItemFn) -> Option<ItemFn> {
    let mut item = item.clone();
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
        return None;
    }
    copies.append(&mut item.block.stmts);
    item.block.stmts = copies;
    Some(item)
}

fn is_array(ty: &Type) -> bool {
    match ty {
        Type::Array(_) => true,
        Type::Paren(p) => is_array(&p.elem),
        Type::Group(g) => is_array(&g.elem),
        _ => false,
    }
}
