//! Syntax trees the lowering writes for itself (the loops a chain stands for, a closure
//! inlined as a block), built directly: `parse_quote!` prints its pieces to tokens and parses
//! them again, a whole loop body at a time (an eighth of the expansion went there).

use proc_macro2::Ident;
use syn::{Expr, Pat, Stmt};

/// The local `ident`, as an expression.
pub(super) fn path(ident: &Ident) -> Expr {
    Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: ident.clone().into(),
    })
}

/// `ident`, as a pattern.
pub(super) fn binding(ident: &Ident) -> Pat {
    Pat::Ident(syn::PatIdent {
        attrs: Vec::new(),
        by_ref: None,
        mutability: None,
        ident: ident.clone(),
        subpat: None,
    })
}

/// `let pat = init;`
pub(super) fn let_(pat: Pat, init: Expr) -> Stmt {
    Stmt::Local(syn::Local {
        attrs: Vec::new(),
        let_token: Default::default(),
        pat,
        init: Some(syn::LocalInit {
            eq_token: Default::default(),
            expr: Box::new(init),
            diverge: None,
        }),
        semi_token: Default::default(),
    })
}

/// `{ e }`: the block whose value is `e`.
pub(super) fn value_block(e: Expr) -> syn::Block {
    syn::Block {
        brace_token: Default::default(),
        stmts: vec![Stmt::Expr(e, None)],
    }
}

/// `{ stmts }`, as an expression.
pub(super) fn block(stmts: Vec<Stmt>) -> Expr {
    Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block: syn::Block {
            brace_token: Default::default(),
            stmts,
        },
    })
}

/// `for index in start..end { body }`, as the last statement of a block.
pub(super) fn counted_for(index: &Ident, start: Expr, end: &Ident, body: Vec<Stmt>) -> Stmt {
    let range = Expr::Range(syn::ExprRange {
        attrs: Vec::new(),
        start: Some(Box::new(start)),
        limits: syn::RangeLimits::HalfOpen(Default::default()),
        end: Some(Box::new(path(end))),
    });
    let looped = Expr::ForLoop(syn::ExprForLoop {
        attrs: Vec::new(),
        label: None,
        for_token: Default::default(),
        pat: Box::new(binding(index)),
        in_token: Default::default(),
        expr: Box::new(range),
        body: syn::Block {
            brace_token: Default::default(),
            stmts: body,
        },
    });
    Stmt::Expr(looped, None)
}

/// An integer literal.
pub(super) fn int(value: usize) -> Expr {
    Expr::Lit(syn::ExprLit {
        attrs: Vec::new(),
        lit: syn::Lit::Int(syn::LitInt::new(
            &value.to_string(),
            proc_macro2::Span::call_site(),
        )),
    })
}

/// The `use` that brings `__private::Bound`'s methods into scope (see `bound`).
pub(super) fn bound_import() -> proc_macro2::TokenStream {
    quote::quote!(
        #[allow(unused_imports)] // one of each kind is the one that applies
        use ::autodiff::__private::{
            BoundPart as _, BoundAsIs as _, BoundNumber as _, BoundInteger as _, PlaceBehind as _,
            PlaceItself as _,
        };
    )
}

/// What `reference` refers to as a pattern binds it, through `__private::Bound`: an array or
/// a tuple by reference, another `Copy` value (a number) by value, anything else (a row, a
/// struct) by reference. The methods must be in scope (`bound_import`).
pub(super) fn bound_value(reference: impl quote::ToTokens) -> proc_macro2::TokenStream {
    quote::quote!((&&&::autodiff::__private::Bound::new(#reference)).bound())
}

/// The reference a `bound_value` expression reads (`&rows[i]` of `(&&&Bound::new(&rows[i]))
/// .bound()`), to tell what it binds: a float read from float data is float data.
pub(super) fn bound_reference(expr: &Expr) -> Option<&Expr> {
    let Expr::MethodCall(m) = expr else {
        return None;
    };
    let mut receiver = &*m.receiver;
    loop {
        receiver = match receiver {
            Expr::Reference(r) => &r.expr,
            Expr::Paren(p) => &p.expr,
            _ => break,
        };
    }
    match receiver {
        Expr::Call(c) if m.method == "bound" && c.args.len() == 1 => match &*c.func {
            Expr::Path(p) if p.path.segments.iter().any(|s| s.ident == "Bound") => c.args.first(),
            _ => None,
        },
        _ => None,
    }
}

/// `bound_value` in a block that brings the methods into scope.
pub(super) fn bound(reference: impl quote::ToTokens) -> proc_macro2::TokenStream {
    let (import, value) = (bound_import(), bound_value(reference));
    quote::quote!({ #import #value })
}
