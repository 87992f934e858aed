//! `#[cfg(..)]` inside a `#[grad]` function. An attribute macro runs before `cfg` is
//! evaluated, so it sees the code of every configuration and cannot tell which one is
//! compiled: differentiating it all would give a wrong value and a wrong gradient. What
//! computes no differentiated value keeps its attribute in the generated sweeps (a
//! `#[cfg(debug_assertions)] assert!(..)`, a `#[cfg(feature = "trace")] log(x);`); anything
//! else under `#[cfg]` is an error saying what to write instead.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::visit::Visit;
use syn::{Attribute, Expr, Stmt};

use crate::diag::Errors;

/// Whether `attr` is `#[cfg(..)]`.
fn is_cfg(attr: &Attribute) -> bool {
    attr.path().is_ident("cfg")
}

/// The `#[cfg(..)]` attributes of a statement that keeps them in the generated code: one
/// that computes nothing the function goes on with. Empty for any other statement.
pub fn kept(stmt: &Stmt) -> Vec<&Attribute> {
    let attrs = match stmt {
        Stmt::Macro(m) => &m.attrs,
        Stmt::Expr(Expr::Macro(m), _) => &m.attrs,
        Stmt::Expr(Expr::Call(c), _) if inert(stmt) => &c.attrs,
        Stmt::Expr(Expr::Block(b), _) if inert(stmt) => &b.attrs,
        _ => return Vec::new(),
    };
    attrs.iter().filter(|a| is_cfg(a)).collect()
}

/// Whether `stmt` computes nothing the function goes on with: a macro (`assert!`,
/// `eprintln!`), a call whose result is dropped and that lends nothing mutably (`check(&w);`),
/// or a block of them.
fn inert(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Macro(_) | Stmt::Expr(Expr::Macro(_), _) => true,
        Stmt::Expr(Expr::Call(c), Some(_)) => !lends_mutably(c),
        Stmt::Expr(Expr::Block(b), _) => b.block.stmts.iter().all(inert),
        _ => false,
    }
}

/// A kept statement as it is emitted: its attributes, then its code, without the `;`.
pub fn kept_tokens(stmt: &Stmt) -> TokenStream {
    match stmt {
        Stmt::Macro(m) => {
            let (attrs, mac) = (&m.attrs, &m.mac);
            quote::quote!(#(#attrs)* #mac)
        }
        Stmt::Expr(e, _) => e.to_token_stream(),
        other => other.to_token_stream(),
    }
}

/// Whether `call` lends something mutably (`&mut`) or assigns anywhere in its arguments: it
/// may change what the function goes on with.
pub(crate) fn lends_mutably(call: &syn::ExprCall) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr_reference(&mut self, r: &'ast syn::ExprReference) {
            self.0 |= r.mutability.is_some();
            syn::visit::visit_expr_reference(self, r);
        }
        fn visit_expr_assign(&mut self, _: &'ast syn::ExprAssign) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr_call(call);
    finder.0
}

/// Reports every `#[cfg(..)]` on a parameter of `item` or in its body that the generated code
/// cannot keep.
pub fn check(item: &syn::ItemFn, errors: &mut Errors) {
    for input in &item.sig.inputs {
        let attrs = match input {
            syn::FnArg::Receiver(r) => &r.attrs,
            syn::FnArg::Typed(t) => &t.attrs,
        };
        for attr in attrs.iter().filter(|a| is_cfg(a)) {
            errors.on(
                attr,
                "#[grad] cannot differentiate a parameter under `#[cfg(..)]`: the generated functions would take it in every configuration; write the function twice, each under its own `#[cfg(..)]`",
            );
        }
    }
    let mut finder = Misplaced {
        errors,
        kept: Vec::new(),
    };
    finder.visit_block(&item.block);
}

/// Finds the `#[cfg(..)]` attributes outside the statements that keep them.
struct Misplaced<'a> {
    errors: &'a mut Errors,
    /// The attributes of the kept statement being visited.
    kept: Vec<*const Attribute>,
}

impl<'ast> Visit<'ast> for Misplaced<'_> {
    fn visit_stmt(&mut self, stmt: &'ast Stmt) {
        // Items are emitted as written, their own `cfg`s included.
        if let Stmt::Item(_) = stmt {
            return;
        }
        let kept = kept(stmt).into_iter().map(|a| a as *const Attribute);
        let outer = std::mem::replace(&mut self.kept, kept.collect());
        syn::visit::visit_stmt(self, stmt);
        self.kept = outer;
    }

    fn visit_attribute(&mut self, attr: &'ast Attribute) {
        if !is_cfg(attr) || self.kept.contains(&(attr as *const Attribute)) {
            return;
        }
        let condition = match &attr.meta {
            syn::Meta::List(list) => crate::diag::written(&list.tokens),
            _ => "..".to_string(),
        };
        self.errors.on(
            attr,
            format!("#[grad] cannot tell which code `#[cfg(..)]` leaves in: a macro runs before `cfg` is decided and would differentiate every configuration's code; write `if cfg!({condition}) {{ .. }}` (both branches must then compile), or move the code into a function of its own under the `#[cfg(..)]`"),
        );
    }
}
