//! `#[grad]`: compile-time reverse-mode automatic differentiation, and `#[derive(Params)]`
//! for the models it trains.
//!
//! The pipeline runs one way: `sig` and `lower` parse the function into an SSA IR (`ir`),
//! `activity` decides what gets an adjoint and what the reverse sweep must keep (`precision`
//! rejects a conversion to another float type that the derivative would not follow), `reverse`
//! writes the forward and reverse sweeps with the derivative `rules`, and `emit` wraps them
//! into `NAME_adjoint` and `NAME_grad`. On request (`attr`: `modes(..)`), `forward_mode`
//! writes `NAME_tangent` from the same IR and rules, and `NAME_jacobian`; `second_order`
//! writes `NAME_dual_adjoint` (the sweeps on dual numbers), `NAME_hvp`, `NAME_hessian`. Errors are
//! collected in `diag` and all reported.
//! `params` is the derive, on its own: a struct's fields classified, then three walks.
//! Use the `autodiff` crate, which re-exports this macro with its documentation.

mod activity;
mod attr;
mod cfg;
mod checkpoint;
mod code;
mod diag;
mod emit;
mod forward_mode;
mod fragments;
mod fusion;
#[cfg(test)]
mod golden;
mod hash;
mod impls;
mod imported;
mod ir;
mod last_taken;
mod lower;
mod params;
mod precision;
mod reverse;
mod rules;
mod second_order;
mod settle;
mod sig;

use proc_macro::TokenStream;
use syn::visit_mut::VisitMut;
use syn::Item;

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
/// Forward mode and Jacobians are generated on request, in `modes(..)` alone or after the
/// parameter names (`#[grad(modes(tangent))]`, `#[grad(w, b, modes(tangent, jacobian))]`):
///
/// - `tangent`: `NAME_tangent(args.., t_p..) -> (value, t_out)`, the Jacobian-vector
///   product in one forward sweep. One tangent per float parameter, in order, with its shape
///   (a number, `&[T; N]`, `&[T]`, `&Vec<T>`, `&[[T; M]; N]`, `&Model`), or `autodiff::Const`
///   for zero; `t_out` has the output's shape. A call `g(..)` inside calls `g_tangent`.
/// - `jacobian`, for array outputs: `NAME_jacobian(args..) -> (value, J)`, row `i` the
///   gradient of output `i` with respect to the parameters `NAME_grad` differentiates, from
///   `NAME_tangent` once per input coordinate or `NAME_adjoint` once per output, whichever
///   is fewer. It generates `NAME_tangent` too.
/// - `hvp`, for scalar outputs: `NAME_hvp(args.., v_p..) -> (value, G, Hv)`, the gradient
///   and the Hessian times the directions `v_p` (one per differentiated parameter), forward
///   mode over reverse through `NAME_dual_adjoint` (the sweeps on `autodiff::Dual` numbers).
///   A call `g(..)` inside calls `g_dual_adjoint`.
/// - `hessian`, for one differentiated vector parameter: `NAME_hessian(args..) -> (value, G,
///   H)`, one `NAME_hvp` per coordinate. It generates `NAME_hvp` too.
///
/// ```
/// use autodiff::{grad, Const};
///
/// #[grad(modes(tangent, jacobian))]
/// fn polar(r: f64, theta: f64) -> [f64; 2] {
///     [r * theta.cos(), r * theta.sin()]
/// }
///
/// // The derivative along theta: (-r sin theta, r cos theta).
/// let (value, t) = polar_tangent(2.0, 0.0, Const, 1.0);
/// assert_eq!((value, t), ([2.0, 0.0], [-0.0, 2.0]));
/// // Row i: the gradient of output i with respect to (r, theta).
/// let (_, (j_r, j_theta)) = polar_jacobian(2.0, 0.0);
/// assert_eq!((j_r, j_theta), ([1.0, 0.0], [-0.0, 2.0]));
/// ```
///
/// A long loop can trade memory for time: `#[checkpoint]` on a `for` loop at the top level of
/// the body makes its reverse sweep keep `O(sqrt n)` saved states instead of a tape of all `n`
/// iterations, for one more forward run of the loop (the gradient is the same, bit for bit):
///
/// ```
/// use autodiff::grad;
///
/// #[grad]
/// fn recurrence(x0: f64, w: &[f64]) -> f64 {
///     let mut x = x0;
///     #[checkpoint]
///     for t in 0..w.len() {
///         x = x.sin() * w[t] + 0.5 * x;
///     }
///     x
/// }
///
/// let (value, (d_x0, d_w)) = recurrence_grad(0.3, &[0.5; 1000]);
/// assert_eq!(value, recurrence(0.3, &[0.5; 1000]));
/// ```
///
/// The differentiable subset and the errors for everything outside it are listed in the
/// `autodiff` crate's documentation (with "Checkpointed loops").
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
    // Written by a `macro_rules!` macro, the function may parse only with its fragments
    // unwrapped (`fragments.rs`).
    let parse = |tokens: &proc_macro2::TokenStream| {
        syn::parse2::<syn::ItemFn>(tokens.clone())
            .map(Item::Fn)
            .or_else(|_| syn::parse2::<syn::ItemImpl>(tokens.clone()).map(Item::Impl))
    };
    let item = match parse(&original) {
        Ok(item) if !fragments::has_groups(&item) => Ok(item),
        _ => parse(&fragments::ungroup_atoms(original.clone())),
    };
    match item {
        Ok(Item::Fn(mut func)) => {
            fragments::Ungroup.visit_item_fn_mut(&mut func);
            emit::expand(attr, func, original).into()
        }
        Ok(Item::Impl(mut block)) => {
            fragments::Ungroup.visit_item_impl_mut(&mut block);
            impls::expand(attr, block).into()
        }
        // `fn loss(&self, x: f64) -> f64;` declared in a trait: no body to differentiate.
        _ if syn::parse2::<syn::TraitItemFn>(original.clone())
            .is_ok_and(|f| f.default.is_none()) =>
        {
            let e = syn::Error::new(
                proc_macro2::Span::call_site(),
                "#[grad] differentiates a function's body, and a trait's declaration of a method has none: put `#[grad(..)]` on the method in each `impl` of the trait, or on those `impl` blocks",
            )
            .to_compile_error();
            quote::quote!(#original #e).into()
        }
        _ => {
            let e = syn::Error::new(
                proc_macro2::Span::call_site(),
                "#[grad] goes on a function (`fn f(x: f64) -> f64 { .. }`), a method, or an `impl` block",
            )
            .to_compile_error();
            quote::quote!(#original #e).into()
        }
    }
}

/// Implements `autodiff::Params` for a struct of parameters: a model that optimizers, the
/// trainer, `Init`, the gradient check and checkpoints walk as named, shaped float slices.
///
/// Each field is classified by its type as written, `T` being `f32`, `f64` or the struct's
/// float type parameter (`struct Net<T: Float>`):
///
/// - `T`: a scalar parameter, a slice of shape `[]` named by the field, `b`;
/// - `[T; N]`, `[[T; M]; N]`, ... (any nesting): one slice, row-major, of shape `[N, M]`;
/// - `Vec<T>`, `Vec<[T; M]>`, ...: one slice of shape `[len, M]`;
/// - any other named type (`Dense`, `Dense<T>`, `layers::Dense<4, 8>`): a nested model, which
///   must implement `Params` itself; its slices are named `layer1.w`;
/// - an array or a `Vec` of nested models (`[Dense; 3]`, `Vec<Dense>`), or of slices
///   (`Vec<Vec<T>>`): each item's slices, named `layers[0].w`.
///
/// The walk visits the fields in declaration order (the fields of a tuple struct are named
/// `0`, `1`, ...). A field of integers, `bool`s, `char`s or a `String` (`n_in: usize`, `mask:
/// Vec<bool>`), a `PhantomData`, and any field marked `#[params(skip)]` (a config struct) is
/// not a parameter: optimizers never touch it and `zeros_like` clones it. All parameters have one float type:
/// the float of the slices, or the scalar of the first nested model when there are only
/// nested models. Generic structs, const generics and where clauses are supported; a type
/// parameter bounded by `Params` (`struct Wrapper<M: Params>`) is a nested model, any other
/// one used as a field type is the float, and gets a `Float` bound.
///
/// Rejected, with an error on the field: enums and unions; `Option`s, references, tuples and
/// slices without `#[params(skip)]`;
/// fields of different float types; a struct without a parameter field. A type alias of an
/// array is a named type, so it is taken for a nested model: write the array type.
///
/// ```
/// use autodiff::optim::Params;
/// use autodiff::Float;
///
/// #[derive(Clone, Debug, autodiff::Params)]
/// struct Dense<T, const IN: usize, const OUT: usize> {
///     w: [[T; IN]; OUT],
///     b: [T; OUT],
/// }
///
/// #[derive(Clone, Debug, autodiff::Params)]
/// struct Mlp<T: Float> {
///     layers: Vec<Dense<T, 4, 4>>,
///     head: Dense<T, 4, 1>,
///     #[params(skip)]
///     steps: usize,
/// }
///
/// let layer = Dense { w: [[0.5f32; 4]; 4], b: [0.0; 4] };
/// let head = Dense { w: [[1.0; 4]], b: [0.0] };
/// let mlp = Mlp { layers: vec![layer.clone(), layer], head, steps: 7 };
/// let mut names = Vec::new();
/// mlp.for_each_slice(|s| names.push(format!("{} {:?}", s.name, s.shape)));
/// assert_eq!(
///     names,
///     [
///         "layers[0].w [4, 4]",
///         "layers[0].b [4]",
///         "layers[1].w [4, 4]",
///         "layers[1].b [4]",
///         "head.w [1, 4]",
///         "head.b [1]",
///     ]
/// );
/// let grads = mlp.zeros_like();
/// assert_eq!((grads.head.w, grads.steps), ([[0.0; 4]], 7));
/// ```
#[proc_macro_derive(Params, attributes(params))]
pub fn derive_params(input: TokenStream) -> TokenStream {
    params::derive(&syn::parse_macro_input!(input as syn::DeriveInput)).into()
}
