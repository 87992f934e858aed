//! `#[grad]`: compile-time reverse-mode automatic differentiation.
//!
//! The pipeline runs one way: `sig` and `lower` parse the function into an SSA IR (`ir`),
//! `activity` decides what gets an adjoint and what the reverse sweep must keep, `reverse`
//! writes the forward and reverse sweeps with the derivative `rules`, and `emit` wraps them
//! into `NAME_adjoint` and `NAME_grad`. Errors are collected in `diag` and all reported.
//! Use the `autodiff` crate, which re-exports this macro with its documentation.

mod activity;
mod attr;
mod diag;
mod emit;
#[cfg(test)]
mod golden;
mod ir;
mod lower;
mod reverse;
mod rules;
mod sig;

use proc_macro::TokenStream;

/// Differentiates a function at compile time: writes `NAME_grad` and `NAME_adjoint` beside it.
///
/// The function stays as written. `NAME_grad(args..)` returns `(value, gradient)`, the
/// gradient holding one entry per float parameter in order (only the ones named in
/// `#[grad(a, b)]` when the attribute lists some). `NAME_adjoint(args.., d_out, shadows..)`
/// returns the value and adds `d_out` times the gradient into one shadow per float parameter:
/// a `&mut` accumulator, or `autodiff::Const` to skip that parameter.
///
/// ```
/// use autodiff::{grad, Const};
///
/// #[grad]
/// fn loss(w: &[f64], x: &[f64], y: f64) -> f64 {
///     let mut z = 0.0;
///     for i in 0..w.len() {
///         z += w[i] * x[i];
///     }
///     (z - y) * (z - y)
/// }
///
/// // The value and the gradient with respect to every float parameter.
/// let (value, (d_w, d_x, d_y)) = loss_grad(&[1.0, 2.0], &[3.0, 4.0], 10.0);
/// assert_eq!(value, 1.0);
/// assert_eq!(d_w, vec![6.0, 8.0]);
/// assert_eq!((d_x, d_y), (vec![2.0, 4.0], -2.0));
///
/// // A mini-batch: accumulate into a reused buffer, data arguments are `Const`.
/// let mut g = vec![0.0; 2];
/// for (x, y) in [([3.0, 4.0], 10.0), ([1.0, 0.0], 2.0)] {
///     loss_adjoint(&[1.0, 2.0], &x, y, 0.5, &mut g, Const, Const);
/// }
/// assert_eq!(g, vec![2.0, 4.0]);
/// ```
///
/// The differentiable subset and the errors for everything outside it are listed in the
/// `autodiff` crate's documentation.
#[proc_macro_attribute]
pub fn grad(attr: TokenStream, item: TokenStream) -> TokenStream {
    let original = proc_macro2::TokenStream::from(item.clone());
    let attr = match syn::parse::<attr::GradAttr>(attr) {
        Ok(attr) => attr,
        Err(e) => {
            let e = e.to_compile_error();
            return quote::quote!(#original #e).into();
        }
    };
    match syn::parse::<syn::ItemFn>(item) {
        Ok(func) => emit::expand(attr, func).into(),
        Err(_) => {
            let e = syn::Error::new(
                proc_macro2::Span::call_site(),
                "#[grad] goes on a free function (`fn f(x: f64) -> f64 { .. }`)",
            )
            .to_compile_error();
            quote::quote!(#original #e).into()
        }
    }
}
