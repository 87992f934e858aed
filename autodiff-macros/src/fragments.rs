//! Functions a `macro_rules!` macro writes: the fragments it substitutes (`$body:block`,
//! `$t:ty`, `$e:expr`) arrive wrapped in invisible groups, which the compiler sees through
//! and syn keeps. A block substituted as a statement does not parse (syn reads the group as an
//! expression that needs a `;`), and a type substituted whole is a `Type::Group` that the
//! signature would not recognize; both are unwrapped before the macro reads the function
//! (the tokens only for a function that does not parse as it is or holds such a group:
//! walking them costs a round trip to the compiler per group).

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// `tokens` with every invisible group of a single token tree unwrapped, in nested groups
/// too: an identifier, a literal or a delimited group keeps its precedence bare. Groups of
/// several tokens (`$e:expr` for `a + b`) stay: syn reads them as parenthesized expressions.
pub fn ungroup_atoms(tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .flat_map(|tree| match tree {
            TokenTree::Group(g) => {
                let inner = ungroup_atoms(g.stream());
                let mut trees = inner.clone().into_iter();
                match (g.delimiter(), trees.next(), trees.next()) {
                    (Delimiter::None, Some(only), None) => vec![only],
                    _ => {
                        let mut rebuilt = Group::new(g.delimiter(), inner);
                        rebuilt.set_span(g.span());
                        vec![TokenTree::Group(rebuilt)]
                    }
                }
            }
            other => vec![other],
        })
        .collect()
}

/// Whether a parsed item holds an expression or a type in an invisible group: written by a
/// macro, to be parsed again from `ungroup_atoms`.
pub fn has_groups(item: &syn::Item) -> bool {
    struct Finder(bool);
    impl Visit<'_> for Finder {
        fn visit_expr_group(&mut self, _: &syn::ExprGroup) {
            self.0 = true;
        }
        fn visit_type_group(&mut self, _: &syn::TypeGroup) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_item(item);
    finder.0
}

/// Replaces types substituted whole (`-> $t` with `$t:ty` = `Vec<f64>`) by the types they
/// hold, and expressions of several tokens by the same in parentheses, which they stand for
/// (written out again, an invisible group at the start of a statement would end it there when
/// it holds `const { .. }`, a block or an `if`): `Ungroup.visit_item_fn_mut(&mut f)`.
pub struct Ungroup;

impl VisitMut for Ungroup {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        while let syn::Type::Group(g) = ty {
            *ty = (*g.elem).clone();
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Group(g) = e {
            *e = syn::Expr::Paren(syn::ExprParen {
                attrs: std::mem::take(&mut g.attrs),
                paren_token: syn::token::Paren(g.group_token.span),
                expr: g.expr.clone(),
            });
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}
