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

/// Writes `NAME_grad` and `NAME_adjoint` beside the function; see the `autodiff` crate.
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
