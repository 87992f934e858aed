//! The `#[grad(..)]` options: which parameters `NAME_grad` differentiates.

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

/// `#[grad]` or `#[grad(w, b)]` (`#[grad(self, x)]` on a method).
#[derive(Clone)]
pub struct GradAttr {
    /// The parameters named in `#[grad(..)]`; `None` for a bare `#[grad]` (all float ones).
    pub wrt: Option<Vec<Ident>>,
}

impl Parse for GradAttr {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Ok(GradAttr { wrt: None });
        }
        // `self` is a keyword: parsed as a name like any other (`#[grad(self, x)]`).
        let names = Punctuated::<Ident, Token![,]>::parse_terminated_with(input, Ident::parse_any)
            .map_err(|e| {
                syn::Error::new(e.span(), "expected parameter names, as in `#[grad(w, b)]`")
            })?;
        Ok(GradAttr {
            wrt: Some(names.into_iter().collect()),
        })
    }
}
