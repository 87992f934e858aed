//! What the type written on a `let` says of the value it binds: a struct of data
//! (`Activation`), a table of tuples, a container of no float (`Vec<usize>`), an integer
//! literal's suffix, the type of a cast `as _`.

use super::*;

/// `expr`, an integer literal without a suffix (negated or in parentheses too), with the suffix
/// of the integer type `ty` it is declared with.
pub(super) fn suffixed_int_literal(expr: &Expr, ty: &syn::Type, sig: &Signature) -> Option<Expr> {
    let syn::Type::Path(tp) = ty else {
        return None;
    };
    let suffix = tp
        .path
        .get_ident()
        .filter(|_| type_kind(ty, sig) == Ty::Int)?;
    let mut expr = expr.clone();
    add_suffix(&mut expr, suffix).then_some(expr)
}

fn add_suffix(expr: &mut Expr, suffix: &syn::Ident) -> bool {
    match expr {
        Expr::Paren(p) => add_suffix(&mut p.expr, suffix),
        Expr::Unary(u) if matches!(u.op, SynUnOp::Neg(_)) => add_suffix(&mut u.expr, suffix),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) if int.suffix().is_empty() => {
            *int = syn::LitInt::new(&format!("{}{suffix}", int.base10_digits()), int.span());
            true
        }
        _ => false,
    }
}

/// `e as _` (in parentheses or not) as `e as ty`, for a `let` that writes `ty`.
pub(super) fn cast_to_written(init: &Expr, ty: &syn::Type) -> Option<Expr> {
    match init {
        Expr::Paren(p) => cast_to_written(&p.expr, ty),
        Expr::Cast(c)
            if matches!(*c.ty, syn::Type::Infer(_)) && !matches!(ty, syn::Type::Infer(_)) =>
        {
            let mut c = c.clone();
            c.ty = Box::new(ty.clone());
            Some(Expr::Cast(c))
        }
        _ => None,
    }
}

/// Whether a type names a struct or an enum, by reference or not (`Activation`, `&Config`,
/// `layers::Dense`), as a parameter of the type would be a struct parameter.
pub(super) fn names_struct(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => names_struct(&r.elem),
        syn::Type::Paren(p) => names_struct(&p.elem),
        ty => {
            crate::sig::is_model_type(ty, &[])
                && !matches!(ty, syn::Type::Path(p) if p.path.is_ident("Self"))
        }
    }
}

/// Whether a type is an array, slice or `Vec` of tuples, or a reference to one.
pub(super) fn table_of_tuples(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => table_of_tuples(&r.elem),
        syn::Type::Array(a) => matches!(&*a.elem, syn::Type::Tuple(_)),
        syn::Type::Slice(s) => matches!(&*s.elem, syn::Type::Tuple(_)),
        syn::Type::Path(_) => matches!(vec_element(ty), Some(syn::Type::Tuple(_))),
        _ => false,
    }
}

/// Whether a type is a container that its type says holds no float: an array, or one of
/// std's collections (`Vec<usize>`, `[bool; 4]`, `Vec<(usize, usize)>`, `HashSet<u32>`), or
/// an `Option` of none (`Option<usize>`: a search's result).
pub(super) fn holds_no_float(ty: &syn::Type, sig: &Signature) -> bool {
    let container = match ty {
        syn::Type::Array(_) => true,
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|last| {
            let collections = [
                "Vec",
                "VecDeque",
                "HashMap",
                "HashSet",
                "BTreeMap",
                "BTreeSet",
                "BinaryHeap",
                "Option",
            ];
            collections.contains(&last.ident.to_string().as_str())
        }),
        _ => false,
    };
    // (`Vec<_>` may hold anything, floats too)
    let inferred = ty
        .to_token_stream()
        .to_string()
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|word| word == "_");
    container && !inferred && !crate::sig::contains_float(ty, &sig.float, &[])
}

/// Whether an array or `Vec` type holds integers or bools (`Vec<usize>`, `[[bool; 4]; 2]`).
pub(super) fn of_numbers(ty: &syn::Type, sig: &Signature) -> bool {
    let elem = super::arrays::element_type(ty);
    matches!(type_kind(elem, sig), Ty::Int | Ty::Bool)
}

/// The element type of a written `Vec<E>`; `None` for another type.
pub(super) fn vec_element(ty: &syn::Type) -> Option<syn::Type> {
    type_argument(ty, "Vec").cloned()
}

/// `T` of a written `Name<T>` (`Vec<f64>`, `Option<usize>`), `name` the type's last segment.
pub(super) fn type_argument<'t>(ty: &'t syn::Type, name: &str) -> Option<&'t syn::Type> {
    let syn::Type::Path(p) = ty else {
        return None;
    };
    let last = p.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match (last.ident == name, args.args.first()) {
        (true, Some(syn::GenericArgument::Type(t))) if args.args.len() == 1 => Some(t),
        _ => None,
    }
}

/// Whether a parameter's type is an array, slice or `Vec` of `bool`s (`&[bool]`,
/// `&Vec<[bool; 2]>`).
pub(super) fn holds_bools(ty: &syn::Type) -> bool {
    let inner = match ty {
        syn::Type::Reference(r) => &*r.elem,
        ty => ty,
    };
    let elem = match inner {
        syn::Type::Slice(s) => super::arrays::element_type(&s.elem),
        ty => super::arrays::element_type(ty),
    };
    matches!(elem, syn::Type::Path(p) if p.path.is_ident("bool"))
}
