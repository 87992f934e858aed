//! The `#[grad(..)]` options: which parameters `NAME_grad` differentiates, and which extra
//! items (forward mode, Jacobian) are generated besides `NAME_adjoint` and `NAME_grad`.

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, Token};

/// `#[grad]`, `#[grad(w, b)]` (`#[grad(self, x)]` on a method), with the extra items asked
/// for in `modes(..)` anywhere in the list: `#[grad(modes(tangent))]`,
/// `#[grad(w, b, modes(tangent, jacobian))]`. A call-like `modes(..)` cannot be mistaken for
/// a parameter name.
#[derive(Clone, Default)]
pub struct GradAttr {
    /// The parameters named in `#[grad(..)]`; `None` when none is (all float ones).
    pub wrt: Option<Vec<Ident>>,
    /// The extra items asked for, each with where it was written (for messages).
    pub modes: Vec<(Mode, Ident)>,
}

/// An extra item `modes(..)` asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// `NAME_tangent`: forward mode, the Jacobian-vector product.
    Tangent,
    /// `NAME_jacobian`: the whole Jacobian of a vector-valued function.
    Jacobian,
    /// `NAME_hvp`: the Hessian-vector product of a scalar function (forward over reverse).
    Hvp,
    /// `NAME_hessian`: the whole Hessian with respect to one array parameter.
    Hessian,
}

impl Mode {
    const ALL: &'static [(&'static str, Mode, &'static str)] = &[
        (
            "tangent",
            Mode::Tangent,
            "`NAME_tangent(args.., t_p..) -> (value, t_out)`, forward mode",
        ),
        (
            "jacobian",
            Mode::Jacobian,
            "`NAME_jacobian(args..) -> (value, J)`, for array outputs",
        ),
        (
            "hvp",
            Mode::Hvp,
            "`NAME_hvp(args.., v_p..) -> (value, G, Hv)`, Hessian-vector products",
        ),
        (
            "hessian",
            Mode::Hessian,
            "`NAME_hessian(args..) -> (value, G, H)`, for one array parameter",
        ),
    ];

    /// The mode a word names, if it is one.
    pub fn named(word: &str) -> Option<Mode> {
        Mode::ALL
            .iter()
            .find(|(n, ..)| *n == word)
            .map(|(_, m, _)| *m)
    }
}

impl GradAttr {
    /// Whether `modes(..)` asks for `mode`.
    pub fn wants(&self, mode: Mode) -> bool {
        self.modes.iter().any(|(m, _)| *m == mode)
    }

    /// Where `modes(..)` names `mode`.
    pub fn mode_span(&self, mode: Mode) -> Option<proc_macro2::Span> {
        self.modes
            .iter()
            .find(|(m, _)| *m == mode)
            .map(|(_, i)| i.span())
    }
}

impl Parse for GradAttr {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut names = Vec::new();
        let mut modes: Option<Vec<(Mode, Ident)>> = None;
        while !input.is_empty() {
            // `self` is a keyword: parsed as a name like any other (`#[grad(self, x)]`).
            let name = Ident::parse_any(input).map_err(|e| {
                syn::Error::new(e.span(), "expected parameter names, as in `#[grad(w, b)]`")
            })?;
            let example = match name.to_string().as_str() {
                "modes" | "mode" => "`#[grad(modes(tangent, hvp))]`",
                _ => "`#[grad(x, y)]`",
            };
            if name == "modes" && input.peek(syn::token::Paren) {
                if modes.is_some() {
                    return Err(syn::Error::new(
                        name.span(),
                        "`modes(..)` is given twice: list every mode in one `modes(..)`",
                    ));
                }
                let content;
                syn::parenthesized!(content in input);
                modes = Some(parse_modes(&content)?);
            } else {
                names.push(name);
            }
            if input.is_empty() {
                break;
            }
            // `#[grad(wrt = x)]`, `#[grad(modes = "tangent")]`: the attribute's own syntax.
            if input.peek(Token![=]) {
                let eq = input.parse::<Token![=]>()?;
                return Err(syn::Error::new(
                    eq.span,
                    format!("#[grad(..)] takes the names of the differentiated parameters and `modes(..)`, with no `=`: write {example}"),
                ));
            }
            input.parse::<Token![,]>()?;
        }
        Ok(GradAttr {
            wrt: (!names.is_empty()).then_some(names),
            modes: modes.unwrap_or_default(),
        })
    }
}

/// The inside of `modes(..)`: known mode names, each once.
fn parse_modes(input: ParseStream) -> syn::Result<Vec<(Mode, Ident)>> {
    let known = || {
        Mode::ALL
            .iter()
            .map(|(n, _, what)| format!("`{n}` ({what})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut modes: Vec<(Mode, Ident)> = Vec::new();
    let mut errors: Option<syn::Error> = None;
    let mut push = |e: syn::Error| match &mut errors {
        Some(all) => all.combine(e),
        None => errors = Some(e),
    };
    while !input.is_empty() {
        let word = Ident::parse_any(input).map_err(|e| {
            syn::Error::new(
                e.span(),
                format!("expected the name of a mode in `modes(..)`: {}", known()),
            )
        })?;
        match Mode::named(&word.to_string()) {
            Some(mode) if modes.iter().any(|(m, _)| *m == mode) => push(syn::Error::new(
                word.span(),
                format!("the mode `{word}` is listed twice"),
            )),
            Some(mode) => modes.push((mode, word)),
            None => {
                let hint = match word.to_string().as_str() {
                    "grad" | "adjoint" => " (`NAME_grad` and `NAME_adjoint` are always generated)",
                    "forward" | "jvp" => " (forward mode is `tangent`)",
                    _ => "",
                };
                push(syn::Error::new(
                    word.span(),
                    format!("unknown mode `{word}`{hint}; `modes(..)` takes {}", known()),
                ));
            }
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    match errors {
        Some(e) => Err(e),
        None => Ok(modes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(tokens: proc_macro2::TokenStream) -> syn::Result<GradAttr> {
        syn::parse2(tokens)
    }

    #[test]
    fn names_and_modes() {
        let a = parse(quote::quote!()).unwrap();
        assert!(a.wrt.is_none() && a.modes.is_empty());
        let a = parse(quote::quote!(w, b)).unwrap();
        assert_eq!(a.wrt.unwrap().len(), 2);
        let a = parse(quote::quote!(modes(tangent))).unwrap();
        assert!(a.wrt.is_none() && a.wants(Mode::Tangent) && !a.wants(Mode::Jacobian));
        let a = parse(quote::quote!(w, modes(tangent, jacobian), b)).unwrap();
        assert!(a.wants(Mode::Tangent) && a.wants(Mode::Jacobian));
        assert_eq!(a.wrt.unwrap().len(), 2);
        // A parameter named like a mode is a parameter.
        let a = parse(quote::quote!(tangent)).unwrap();
        assert_eq!(a.wrt.unwrap()[0], "tangent");
        assert!(a.modes.is_empty());
    }

    #[test]
    fn unknown_and_repeated_modes_are_errors() {
        let e = parse(quote::quote!(modes(tangnet))).err().unwrap();
        assert!(e.to_string().contains("unknown mode `tangnet`"));
        let e = parse(quote::quote!(modes(tangent, tangent))).err().unwrap();
        assert!(e.to_string().contains("listed twice"));
        let e = parse(quote::quote!(modes(tangent), modes(jacobian)))
            .err()
            .unwrap();
        assert!(e.to_string().contains("given twice"));
    }
}
