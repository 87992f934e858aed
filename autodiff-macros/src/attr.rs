//! The `#[grad(..)]` options: which parameters `NAME_grad` differentiates.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

/// `#[grad]` or `#[grad(w, b)]`.
pub struct GradAttr {
    /// The parameters named in `#[grad(..)]`; `None` for a bare `#[grad]` (all float ones).
    pub wrt: Option<Vec<Ident>>,
}

impl Parse for GradAttr {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Ok(GradAttr { wrt: None });
        }
        let names = Punctuated::<Ident, Token![,]>::parse_terminated(input).map_err(|e| {
            syn::Error::new(e.span(), "expected parameter names, as in `#[grad(w, b)]`")
        })?;
        Ok(GradAttr {
            wrt: Some(names.into_iter().collect()),
        })
    }
}
