//! The generated items of functions a body brings in with its own `use` (`use
//! crate::vec3::{dot, norm};` inside the function): the sweeps call `dot_adjoint`, which that
//! `use` does not name, so each one the sweeps call is brought in from the same place.

use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

use crate::hash::HashSet;

/// What the sweeps call of a callee `g`: `g_adjoint`, `g_tangent`, ..
const GENERATED: &[&str] = &[
    "adjoint",
    "adjoint_with_data",
    "tangent",
    "tangent_with_data",
    "dual_adjoint",
    "dual_adjoint_with_data",
];

/// A `use` for each generated item of a function one of `items` brings in that `code` calls.
pub fn generated_uses(items: &[syn::Item], code: &[&TokenStream]) -> TokenStream {
    let uses: Vec<&syn::ItemUse> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Use(u) => Some(u),
            _ => None,
        })
        .collect();
    if uses.is_empty() {
        return TokenStream::new();
    }
    let mut called = HashSet::default();
    for tokens in code {
        idents((*tokens).clone(), &mut called);
    }
    let leaves: Vec<_> = uses
        .iter()
        .map(|u| {
            let mut leaves = Vec::new();
            leaves_of(&u.tree, &mut Vec::new(), &mut leaves);
            (u, leaves)
        })
        .collect();
    // (one the body brings in itself, `use m::{dot, dot_adjoint};`, is there already)
    let brought: HashSet<String> = leaves
        .iter()
        .flat_map(|(_, l)| l.iter().map(|(_, _, alias)| alias.to_string()))
        .collect();
    let mut out = TokenStream::new();
    for (u, leaves) in leaves {
        for (prefix, name, alias) in leaves {
            for suffix in GENERATED {
                let visible = format!("{alias}_{suffix}");
                if !called.contains(&visible) || brought.contains(&visible) {
                    continue;
                }
                let original = syn::Ident::new(&format!("{name}_{suffix}"), name.span());
                let visible = syn::Ident::new(&visible, alias.span());
                let leading = u.leading_colon;
                out.extend(quote!(
                    #[allow(unused_imports)]
                    use #leading #(#prefix ::)* #original as #visible;
                ));
            }
        }
    }
    out
}

/// Every identifier in `tokens`.
fn idents(tokens: TokenStream, out: &mut HashSet<String>) {
    for token in tokens {
        match token {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// The names a `use` tree brings in: the path to each, its name and the name it is seen by.
fn leaves_of(
    tree: &syn::UseTree,
    prefix: &mut Vec<syn::Ident>,
    out: &mut Vec<(Vec<syn::Ident>, syn::Ident, syn::Ident)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.clone());
            leaves_of(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => out.push((prefix.clone(), n.ident.clone(), n.ident.clone())),
        syn::UseTree::Rename(r) => out.push((prefix.clone(), r.ident.clone(), r.rename.clone())),
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| leaves_of(t, prefix, out)),
        syn::UseTree::Glob(_) => {}
    }
}
