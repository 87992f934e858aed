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

/// Code as a message shows it: `Vec<[f64; 3]>`, `impl Into<f64>`, `&mut [f64]`,
/// `not(feature = "x")`, not the token printer's `Vec < [f64 ; 3] >`.
pub fn written(code: &impl ToTokens) -> String {
    const KEYWORDS: &[&str] = &["mut", "dyn", "impl", "as", "in", "const", "move", "let"];
    let printed = code.to_token_stream().to_string();
    let chars: Vec<char> = printed.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(printed.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != ' ' {
            out.push(c);
            continue;
        }
        let (before, after) = (chars[..i].last().copied(), chars.get(i + 1).copied());
        let (Some(before), Some(after)) = (before, after) else {
            continue;
        };
        let last_word: String = out.chars().rev().take_while(|&c| word(c)).collect();
        let last_word: String = last_word.chars().rev().collect();
        let keep = (word(before) && (word(after) || after == '\''))
            || matches!(before, ',' | ';' | '=')
            || after == '='
            || out.ends_with("->")
            || (after == '-' && chars.get(i + 2) == Some(&'>'))
            || KEYWORDS.contains(&last_word.as_str());
        if keep {
            out.push(' ');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::written;

    #[test]
    fn code_in_messages_reads_as_written() {
        let cases: [(syn::Type, &str); 5] = [
            (syn::parse_quote!(Vec<[f64; 3]>), "Vec<[f64; 3]>"),
            (syn::parse_quote!(impl Into<f64>), "impl Into<f64>"),
            (syn::parse_quote!(&mut [f64]), "&mut [f64]"),
            (
                syn::parse_quote!(&'a dyn Fn(f64) -> f64),
                "&'a dyn Fn(f64) -> f64",
            ),
            (
                syn::parse_quote!(HashMap<String, f64>),
                "HashMap<String, f64>",
            ),
        ];
        for (ty, shown) in cases {
            assert_eq!(written(&ty), shown);
        }
        let condition: proc_macro2::TokenStream = syn::parse_quote!(not(feature = "x"));
        assert_eq!(written(&condition), r#"not(feature = "x")"#);
    }
}
