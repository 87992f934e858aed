//! Method calls on the model itself, rewritten before lowering into the path calls the
//! sweeps know: `self.z(x)` is `Self::z(self, x)` and `net.forward(x)`, for `net: &Net`, is
//! `Net::forward(net, x)`, whose derivative is `Self::z_adjoint` (`Net::forward_adjoint`),
//! as for any other call that hands the model on.

use syn::visit::{self, Visit};
use syn::visit_mut::{self, VisitMut};
use syn::{parse_quote_spanned, Expr, Ident, Type};

use crate::sig::{ParamKind, Signature};

/// Rewrites the method calls of `block` whose receiver is `&self` or a model parameter taken
/// by shared reference (in closures too, not in nested items).
pub fn desugar(sig: &Signature, block: &mut syn::Block) {
    let owners: Vec<(Ident, syn::Path)> = sig
        .params
        .iter()
        .filter_map(|p| match &p.kind {
            ParamKind::Model {
                ty,
                by_ref: true,
                mutable: false,
                ..
            } => Some((p.ident.clone(), type_path(ty)?)),
            _ => None,
        })
        .collect();
    // A name bound again in the body (`let net = ..`) may be something else there.
    let mut bound = Bound(Vec::new());
    bound.visit_block(block);
    let owners: Vec<(Ident, syn::Path)> = owners
        .into_iter()
        .filter(|(name, _)| !bound.0.contains(name))
        .collect();
    if !owners.is_empty() {
        Receivers { owners }.visit_block_mut(block);
    }
}

/// The names patterns bind anywhere in a block.
struct Bound(Vec<Ident>);

impl<'ast> Visit<'ast> for Bound {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(p.ident.clone());
        visit::visit_pat_ident(self, p);
    }
}

/// The path of a struct type in expression position: `Line::<T>` for `Line<T>`.
fn type_path(ty: &Type) -> Option<syn::Path> {
    let Type::Path(tp) = ty else {
        return None;
    };
    if tp.qself.is_some() {
        return None;
    }
    let mut path = tp.path.clone();
    for segment in &mut path.segments {
        if let syn::PathArguments::AngleBracketed(args) = &mut segment.arguments {
            args.colon2_token = Some(Default::default());
        }
    }
    Some(path)
}

struct Receivers {
    /// The models methods are called on, with the path of their type.
    owners: Vec<(Ident, syn::Path)>,
}

impl VisitMut for Receivers {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        visit_mut::visit_expr_mut(self, e);
        let Expr::MethodCall(m) = e else {
            return;
        };
        let Expr::Path(receiver) = &*m.receiver else {
            return;
        };
        let Some((_, owner)) = self
            .owners
            .iter()
            .find(|(name, _)| receiver.path.is_ident(name))
        else {
            return;
        };
        if m.turbofish.is_some() {
            return;
        }
        let (method, args) = (&m.method, &m.args);
        let receiver = &m.receiver;
        *e = parse_quote_spanned!(method.span()=> #owner::#method(#receiver, #args));
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
