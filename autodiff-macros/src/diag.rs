//! Error collection: every problem in a function is reported in one build (serde_derive's
//! `Ctxt`), each spanned on the user's code.

use std::fmt::Display;

use proc_macro2::Span;
use quote::ToTokens;

#[derive(Default)]
pub struct Errors {
    errors: Vec<syn::Error>,
}

impl Errors {
    pub fn at(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    pub fn on(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// A state the macro should never reach: reported as a bug instead of a panic.
    pub fn bug(&mut self, span: Span, what: impl Display) {
        self.at(
            span,
            format!(
                "internal error in #[grad]: {what} (a bug in autodiff-macros; please report it)"
            ),
        );
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// Drops the errors reported after the first `len` (a part lowered again reports anew).
    pub fn truncate(&mut self, len: usize) {
        self.errors.truncate(len);
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// All errors as one `syn::Error`, or `Ok` when there are none.
    pub fn finish(self) -> syn::Result<()> {
        let mut errors = self.errors.into_iter();
        match errors.next() {
            None => Ok(()),
            Some(mut first) => {
                first.extend(errors);
                Err(first)
            }
        }
    }
}
