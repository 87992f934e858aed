//! Reductions of a closure over a sequence of sub-models (`net.blocks.iter().enumerate()
//! .map(|(i, b)| ..).sum()`, `.fold(0.0, |e, b| ..)`, `.map(|s| s.sdf(p)).fold(f64::INFINITY,
//! f64::min)`, `.for_each(|b| ..)`) rewritten to the `for` loop over the same iterator, whose
//! items are lent and read as any such loop's are.

use quote::ToTokens;
use syn::visit_mut::VisitMut;
use syn::{Expr, Ident};

use super::items::{is_sequence, sequence_loop};
use crate::hash::{HashMap, HashSet};

pub(super) struct ReducedItems<'a> {
    pub(super) models: &'a HashMap<String, usize>,
    pub(super) data: &'a HashSet<usize>,
    /// The function's float type: what a sum starts from.
    pub(super) float: &'a syn::Type,
    /// A number for each rewrite's accumulator, unique in the function.
    pub(super) made: usize,
}

impl VisitMut for ReducedItems<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Some(looped) = self.looped(expr) {
            *expr = looped;
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

impl ReducedItems<'_> {
    /// The block with the loop that stands for `expr`, if it reduces a closure's values over
    /// the items of a sequence (a closure that neither returns nor uses `?`, which would
    /// leave the function from a loop).
    fn looped(&mut self, expr: &Expr) -> Option<Expr> {
        let Expr::MethodCall(reduce) = expr else {
            return None;
        };
        let method = reduce.method.to_string();
        // (the iterator, the item's pattern, the value per item, and how it is reduced)
        let (source, item, body, reduction) = match (&*method, reduce.args.len()) {
            ("sum" | "product", 0) => {
                let Expr::MethodCall(map) = &*reduce.receiver else {
                    return None;
                };
                let c = closure_of(map.args.first()).filter(|c| c.inputs.len() == 1)?;
                let summed_as_float = match reduce.turbofish.as_ref().map(|t| &t.args) {
                    None => true,
                    Some(args) => matches!(args.first(), Some(syn::GenericArgument::Type(t))
                        if t.to_token_stream().to_string() == self.float.to_token_stream().to_string()),
                };
                if map.method != "map" || map.args.len() != 1 || !summed_as_float {
                    return None;
                }
                (
                    &*map.receiver,
                    &c.inputs[0],
                    &*c.body,
                    Reduction::Of(&method),
                )
            }
            // (a scene's union: the values of a `map` folded by a function or a closure)
            ("fold", 2) if matches!(&*reduce.receiver, Expr::MethodCall(m) if m.method == "map") => {
                let Expr::MethodCall(map) = &*reduce.receiver else {
                    return None;
                };
                let c = closure_of(map.args.first()).filter(|c| c.inputs.len() == 1)?;
                let combine = &reduce.args[1];
                if closure_of(Some(combine)).is_some_and(|g| g.inputs.len() != 2) {
                    return None;
                }
                (
                    &*map.receiver,
                    &c.inputs[0],
                    &*c.body,
                    Reduction::FoldOf(&reduce.args[0], combine),
                )
            }
            ("fold", 2) => {
                let c = closure_of(reduce.args.last()).filter(|c| c.inputs.len() == 2)?;
                let init = &reduce.args[0];
                (
                    &*reduce.receiver,
                    &c.inputs[1],
                    &*c.body,
                    Reduction::Fold(&c.inputs[0], init),
                )
            }
            ("for_each", 1) => {
                let c = closure_of(reduce.args.first()).filter(|c| c.inputs.len() == 1)?;
                (&*reduce.receiver, &c.inputs[0], &*c.body, Reduction::Each)
            }
            _ => return None,
        };
        let item = crate::lower::strip_type(item);
        let probe: syn::ExprForLoop = syn::parse_quote!(for #item in #source { #body; });
        let sequence = sequence_loop(&probe)?.sequence;
        if !is_sequence(self.models, self.data, sequence)
            || crate::lower::pushes::leaves_early(&probe.body)
        {
            return None;
        }
        self.made += 1;
        let span = reduce.method.span();
        let acc = Ident::new(
            &format!("{}reduced_{}", crate::lower::SYNTHETIC, self.made),
            span,
        );
        let f = self.float;
        let primitive = crate::lower::primitive_float_type(f).is_some();
        Some(match reduction {
            Reduction::Of(kind) => {
                let (start, op) = match (kind, primitive) {
                    ("sum", true) => (quote::quote!(0.0), quote::quote!(+=)),
                    ("sum", false) => (quote::quote!(#f::zero()), quote::quote!(+=)),
                    (_, true) => (quote::quote!(1.0), quote::quote!(*=)),
                    (_, false) => (quote::quote!(#f::one()), quote::quote!(*=)),
                };
                syn::parse_quote_spanned!(span=> {
                    let mut #acc: #f = #start;
                    for #item in #source { #acc #op #body; }
                    #acc
                })
            }
            Reduction::Fold(state, init) => syn::parse_quote_spanned!(span=> {
                let mut #acc = #init;
                for #item in #source {
                    let #state = #acc;
                    #acc = #body;
                }
                #acc
            }),
            Reduction::FoldOf(init, combine) => {
                let value = Ident::new(&format!("{acc}_value"), span);
                let combined: Expr = match closure_of(Some(combine)) {
                    Some(g) => {
                        let (a, b, body) = (&g.inputs[0], &g.inputs[1], &g.body);
                        syn::parse_quote_spanned!(span=> { let #a = #acc; let #b = #value; #body })
                    }
                    None => syn::parse_quote_spanned!(span=> #combine(#acc, #value)),
                };
                syn::parse_quote_spanned!(span=> {
                    let mut #acc = #init;
                    for #item in #source {
                        let #value = #body;
                        #acc = #combined;
                    }
                    #acc
                })
            }
            Reduction::Each => syn::parse_quote_spanned!(span=> {
                for #item in #source { #body; }
            }),
        })
    }
}

fn closure_of(arg: Option<&Expr>) -> Option<&syn::ExprClosure> {
    match arg {
        Some(Expr::Closure(c)) => Some(c),
        _ => None,
    }
}

enum Reduction<'e> {
    /// `.map(f).sum()` or `.map(f).product()`.
    Of(&'e str),
    /// `.fold(init, |state, item| ..)`.
    Fold(&'e syn::Pat, &'e Expr),
    /// `.map(f).fold(init, g)`: `g` a function (`f64::min`) or a closure of two.
    FoldOf(&'e Expr, &'e Expr),
    /// `.for_each(|item| ..)`.
    Each,
}
