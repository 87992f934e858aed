//! [`Code`]: an operand of generated code, cheap to interpolate when it is one token.
//!
//! Interpolating a `TokenStream` into `quote!` clones it and splices it in with up to three
//! round trips to the compiler across the proc-macro bridge, even for one identifier; an
//! `Ident` or a `Literal` is pushed by value, with none. Most operands of the sweeps and the
//! rules are one identifier (`t_5`, `d_x`), so they stay one token until they are written out
//! (3% of the expansion).

use proc_macro2::{Ident, TokenStream, TokenTree};
use quote::{ToTokens, TokenStreamExt};

#[derive(Clone)]
pub enum Code {
    /// An identifier or a literal (never a group, whose clone is a round trip too).
    Token(TokenTree),
    Tokens(TokenStream),
}

impl ToTokens for Code {
    fn to_tokens(&self, out: &mut TokenStream) {
        match self {
            Code::Token(t) => out.append(t.clone()),
            Code::Tokens(t) => t.to_tokens(out),
        }
    }

    fn into_token_stream(self) -> TokenStream {
        match self {
            // Deferred, not sent to the compiler yet (`TokenStream::from(t)` would be).
            Code::Token(t) => {
                let mut out = TokenStream::new();
                out.append(t);
                out
            }
            Code::Tokens(t) => t,
        }
    }
}

impl From<Ident> for Code {
    fn from(ident: Ident) -> Self {
        Code::Token(TokenTree::Ident(ident))
    }
}

impl From<TokenStream> for Code {
    fn from(tokens: TokenStream) -> Self {
        Code::Tokens(tokens)
    }
}

impl From<Code> for TokenStream {
    fn from(code: Code) -> Self {
        code.into_token_stream()
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Code::Token(t) => t.fmt(f),
            Code::Tokens(t) => t.fmt(f),
        }
    }
}

/// The float type `f` as code: one token for `f64`, `f32` or `T`.
pub fn float_code(f: &syn::Type) -> Code {
    match f {
        syn::Type::Path(p) if p.qself.is_none() => match p.path.get_ident() {
            Some(ident) => ident.clone().into(),
            None => quote::quote!(#f).into(),
        },
        _ => quote::quote!(#f).into(),
    }
}

/// A literal as one token.
pub fn lit_token(l: &syn::Lit) -> Code {
    let token: TokenTree = match l {
        syn::Lit::Str(l) => l.token().into(),
        syn::Lit::ByteStr(l) => l.token().into(),
        syn::Lit::CStr(l) => l.token().into(),
        syn::Lit::Byte(l) => l.token().into(),
        syn::Lit::Char(l) => l.token().into(),
        syn::Lit::Int(l) => l.token().into(),
        syn::Lit::Float(l) => l.token().into(),
        syn::Lit::Bool(l) => Ident::new(if l.value { "true" } else { "false" }, l.span).into(),
        other => return quote::quote!(#other).into(),
    };
    Code::Token(token)
}

/// The field `name` of a struct, or the number at `name` (`"0"`) of a tuple, as written
/// after a `.`.
pub fn member(name: &str) -> syn::Member {
    match name.parse::<u32>() {
        Ok(index) => syn::Member::Unnamed(syn::Index {
            index,
            span: proc_macro2::Span::call_site(),
        }),
        Err(_) => syn::Member::Named(quote::format_ident!("{}", name)),
    }
}
