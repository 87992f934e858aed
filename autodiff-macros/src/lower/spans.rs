//! The spans `Spanned::span` gives, read off the syntax tree. `Spanned` prints the node to
//! tokens to join its first token's span to its last's, and lowering asks at every level of
//! a nested expression: quadratic, and the print goes through the compiler's token bridge.
//! These find the two tokens for the shapes lowering meets most and fall back to `Spanned`
//! for the rest.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Member, UnOp};

pub fn binary(b: &syn::ExprBinary) -> Span {
    spanning(b.attrs.is_empty(), first(&b.left), last(&b.right)).unwrap_or_else(|| b.span())
}

pub fn method_call(m: &syn::ExprMethodCall) -> Span {
    let close = Some(m.paren_token.span.join());
    spanning(m.attrs.is_empty(), first(&m.receiver), close).unwrap_or_else(|| m.span())
}

pub fn index(i: &syn::ExprIndex) -> Span {
    let close = Some(i.bracket_token.span.join());
    spanning(i.attrs.is_empty(), first(&i.expr), close).unwrap_or_else(|| i.span())
}

pub fn for_loop(f: &syn::ExprForLoop) -> Span {
    let plain = f.attrs.is_empty() && f.label.is_none();
    let close = Some(f.body.brace_token.span.join());
    spanning(plain, Some(f.for_token.span), close).unwrap_or_else(|| f.span())
}

/// What `Spanned` makes of a node printed from `first` to `last` (no outer attributes).
fn spanning(plain: bool, first: Option<Span>, last: Option<Span>) -> Option<Span> {
    let (first, last) = (first.filter(|_| plain)?, last?);
    Some(first.join(last).unwrap_or(first))
}

/// The span of the first token `expr` prints, when its shape is a common one.
fn first(expr: &Expr) -> Option<Span> {
    match expr {
        Expr::Binary(b) if b.attrs.is_empty() => first(&b.left),
        Expr::MethodCall(m) if m.attrs.is_empty() => first(&m.receiver),
        Expr::Field(f) if f.attrs.is_empty() => first(&f.base),
        Expr::Index(i) if i.attrs.is_empty() => first(&i.expr),
        Expr::Call(c) if c.attrs.is_empty() => first(&c.func),
        Expr::Cast(c) if c.attrs.is_empty() => first(&c.expr),
        Expr::Paren(p) if p.attrs.is_empty() => Some(p.paren_token.span.join()),
        Expr::Lit(l) if l.attrs.is_empty() => Some(l.lit.span()),
        Expr::Path(p) if p.attrs.is_empty() && p.qself.is_none() => match &p.path.leading_colon {
            Some(colons) => Some(colons.spans[0]),
            None => p.path.segments.first().map(|s| s.ident.span()),
        },
        Expr::Unary(u) if u.attrs.is_empty() => Some(match u.op {
            UnOp::Deref(t) => t.span,
            UnOp::Not(t) => t.span,
            UnOp::Neg(t) => t.span,
            _ => return None,
        }),
        Expr::Reference(r) if r.attrs.is_empty() => Some(r.and_token.span),
        _ => None,
    }
}

/// The span of the last token `expr` prints, when its shape is a common one.
fn last(expr: &Expr) -> Option<Span> {
    match expr {
        Expr::Binary(b) => last(&b.right),
        Expr::MethodCall(m) => Some(m.paren_token.span.join()),
        Expr::Field(f) => Some(match &f.member {
            Member::Named(ident) => ident.span(),
            Member::Unnamed(index) => index.span,
        }),
        Expr::Index(i) => Some(i.bracket_token.span.join()),
        Expr::Call(c) => Some(c.paren_token.span.join()),
        Expr::Paren(p) => Some(p.paren_token.span.join()),
        Expr::Lit(l) => Some(l.lit.span()),
        Expr::Path(p) if p.qself.is_none() => {
            let segment = p.path.segments.last()?;
            segment.arguments.is_none().then(|| segment.ident.span())
        }
        Expr::Unary(u) => last(&u.expr),
        Expr::Reference(r) => last(&r.expr),
        _ => None,
    }
}
