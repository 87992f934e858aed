//! `#[derive(Params)]`: the walks of `autodiff::optim::Params` over a struct's fields.
//!
//! One direction, as for `#[grad]`: `model` classifies every field by its syntax (a slice, a
//! nested model, a sequence of either, or data that must be skipped) and reports every rule
//! the struct breaks; `expand` writes the impl, or, after errors, an impl whose walks are
//! never called, so that the user sees only the real errors.

mod expand;
mod model;

use proc_macro2::TokenStream;

use crate::diag::Errors;

/// The expansion of `#[derive(Params)]` on `input`.
pub fn derive(input: &syn::DeriveInput) -> TokenStream {
    let mut errors = Errors::default();
    let model = model::model(input, &mut errors);
    match errors.finish() {
        Ok(()) => expand::expand(&model),
        Err(e) => {
            let fallback = expand::fallback(&model);
            let e = e.to_compile_error();
            quote::quote!(#e #fallback)
        }
    }
}
