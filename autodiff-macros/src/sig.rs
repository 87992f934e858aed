//! The function's signature: its float type and what each parameter is.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{FnArg, GenericParam, Ident, ItemFn, Pat, ReturnType, Type};

use crate::diag::Errors;
use crate::hash::HashMap;

/// The shape of an array parameter.
#[derive(Clone)]
pub enum Shape {
    /// `[T; N]`.
    ArrayByValue(syn::Expr),
    /// `&[T; N]`.
    ArrayRef(syn::Expr),
    /// `&[T]`.
    Slice,
    /// `&Vec<T>`.
    VecRef,
    /// A tuple of numbers (`p: (f64, f64)`, `&(f64, f64, f64)`): its length, as a literal.
    /// The body binds its numbers as a tuple local's (`p.0`, `let (x, y) = p;`); the sweeps
    /// read them as `p.0`, and its shadow and gradient are tuples of its own type.
    Tuple { len: usize, by_ref: bool },
    /// `Vec<T>` taken by value (an audio buffer, `process(&mut self, x: Vec<f64>)`): read
    /// as `&Vec<T>` is; the items that call the function several times pass it clones.
    VecOwned,
    /// `&[[T; M]; N]`: `rows` is `N`, `cols` is `M`; `&[[T; M]]` and `&Vec<[T; M]>` (rows
    /// of a runtime count, a point cloud): `rows` is `None`.
    Matrix {
        rows: Option<syn::Expr>,
        cols: syn::Expr,
        /// `[[T; M]; N]` taken by value (not behind `&`).
        by_value: bool,
    },
    /// `&[Vec<T>]` and `&Vec<Vec<T>>`: rows that are vectors of their own lengths.
    VecRows,
    /// An array field of a model (`net.w1`), read through a reference to it: its type is
    /// not written in the function, only how many indices it is read with.
    Field { dims: usize },
}

impl Shape {
    /// Whether the shape's size is in its type (`[T; N]`, `&[[T; M]; N]`): its accumulator
    /// is an array, lent as it is; a `Vec` is lent as a slice.
    pub fn is_fixed(&self) -> bool {
        matches!(
            self,
            Shape::ArrayByValue(_)
                | Shape::ArrayRef(_)
                | Shape::Tuple { .. }
                | Shape::Matrix { rows: Some(_), .. }
        )
    }

    /// Whether the parameter is an array taken by value (`[T; N]`, `[[T; M]; N]`), not
    /// behind `&`.
    pub fn by_value(&self) -> bool {
        matches!(
            self,
            Shape::ArrayByValue(_)
                | Shape::Tuple { by_ref: false, .. }
                | Shape::VecOwned
                | Shape::Matrix { by_value: true, .. }
        )
    }

    pub fn dims(&self) -> usize {
        match self {
            Shape::Matrix { .. } | Shape::VecRows => 2,
            Shape::Field { dims } => *dims,
            _ => 1,
        }
    }
}

#[derive(Clone)]
pub enum ParamKind {
    /// A scalar of the function's float type.
    Float,
    /// An array of floats (`float == true`, differentiated) or of integers/bools (data).
    Array {
        shape: Box<Shape>,
        float: bool,
    },
    /// An integer; `wide` for a type whose ranges have no exact size (`i64`, `u64`, `i128`,
    /// `u128`: see [`WIDE_INT_TYPES`]).
    Int {
        wide: bool,
    },
    Bool,
    /// A struct of parameters (`net: &Net`, `Net: autodiff::Params`): its fields are
    /// differentiated and its gradient is a value of its own type. `ty` is the struct type
    /// without the reference.
    Model {
        ty: Box<Type>,
        by_ref: bool,
        /// `&mut Net`: rejected unless `#[grad(..)]` leaves it out (data then).
        mutable: bool,
        /// Whether the body hands the model itself on (`loss(net, x)`), besides its fields.
        whole: bool,
    },
    /// An array field of a data struct (`cfg.shift` of `cfg: &Cfg`, which the function does not
    /// differentiate) read as an array, with this many indices (0: lent whole): float data,
    /// read through a reference bound at the top like a model's field, never differentiated.
    DataArray {
        dims: usize,
        /// The length of its rows, when its type states it (`xs: &[[f64; 2]]` left out of
        /// `#[grad(..)]`).
        row_len: Option<Box<syn::Expr>>,
        /// A `Vec` taken by value (`xs: Vec<f64>` left out), which a call takes each time.
        owned: bool,
    },
    /// Anything else: passed through to calls, never differentiated.
    Opaque,
    /// A parameter already reported as unsupported.
    Rejected,
}

pub struct Param {
    pub ident: Ident,
    pub kind: ParamKind,
    pub span: Span,
    /// For a field of a model read in the body (`net.layer1.w`): the model parameter's index
    /// and the field path. Such a parameter is not in the generated signatures: it is bound
    /// from the model at the top of `NAME_adjoint`, and its shadow from the model's shadow.
    pub field: Option<FieldOf>,
    /// A struct or rows parameter, differentiated or data as `#[grad(..)]` lists it (or a
    /// value of a type the function is generic over, where a caller may pass a struct):
    /// whether `NAME_adjoint` has a shadow for it depends on the attribute, which a caller
    /// cannot see, so `NAME_adjoint_with_data` takes one either way (see
    /// [`Param::data_slot`]).
    pub listed: bool,
    /// A `&mut` of data (`rng: &mut Rng`, `calls: &mut usize`): a call it is handed to
    /// changes it (`Replay`).
    pub lent_mut: bool,
    /// Of a type the function is generic over (`fam: &F`, `&impl Family`): its methods'
    /// `_adjoint`s, written per type, are out of reach.
    pub generic: bool,
}

#[derive(Clone)]
pub struct FieldOf {
    pub model: usize,
    pub path: Vec<syn::Member>,
    /// How the body converts the field, whose type the macro does not see.
    pub conversion: Conversion,
    /// Data bound by reference at the top (`let p_formula = &p.formula;`) and read as
    /// `*p_formula` in place: a `match` on a non-`Copy` enum moves nothing.
    pub lent: bool,
}

/// The `as` conversions a model's field is read through (`FieldOf::conversion`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Conversion {
    /// Read as what it is.
    None,
    /// Read only through `as` to the function's float (`net.n as f64`): an integer or a
    /// float, which the macro cannot tell apart, so its value is bound with that `as` and its
    /// shadow through `__private::cast_shadow` (none for an integer).
    ToFloat,
    /// Read through `as` to the other float type (`net.a as f64` in an `f32` function), whose
    /// arithmetic is not differentiated, or converted with `as` and passed by value to a call
    /// (`g(x, net.n)`, `net.n as f64`): an integer, checked to be one where it is bound (a
    /// float parameter there would lose its derivative, or miss the callee's shadow).
    Integer,
}

impl FieldOf {
    /// `net.layer1.w`, for messages.
    pub fn written(&self, model: &Ident) -> String {
        let mut out = model.to_string();
        for m in &self.path {
            out.push('.');
            out.push_str(&m.to_token_stream().to_string());
        }
        out
    }
}

impl Param {
    /// The parameter as an item that calls the function (or another generated from it)
    /// several times passes it each time: a `Vec` taken by value cloned.
    pub fn passed_again(&self) -> TokenStream {
        let ident = &self.ident;
        match &self.kind {
            ParamKind::Array { shape, .. } if matches!(**shape, Shape::VecOwned) => {
                quote::quote!(::core::clone::Clone::clone(&#ident))
            }
            ParamKind::DataArray { owned: true, .. } => {
                quote::quote!(::core::clone::Clone::clone(&#ident))
            }
            _ => quote::quote!(#ident),
        }
    }

    /// Whether this is a method's `self`.
    pub fn is_self(&self) -> bool {
        self.ident == "self"
    }

    /// Whether `NAME_adjoint` has a shadow for this parameter (a generic shadow argument, or
    /// for a model's field, a local projected from the model's shadow).
    pub fn has_shadow(&self) -> bool {
        matches!(
            self.kind,
            ParamKind::Float | ParamKind::Array { float: true, .. } | ParamKind::Model { .. }
        )
    }

    /// Whether the parameter is one the user wrote (not a model's field).
    pub fn is_written(&self) -> bool {
        self.field.is_none()
    }

    /// Whether `NAME_adjoint_with_data` takes a `Const`-only slot for this parameter: a struct
    /// or rows that `#[grad(..)]` leaves out, read as data, though a caller passing it may
    /// differentiate what it passes.
    pub fn data_slot(&self) -> bool {
        self.listed && !self.has_shadow()
    }
}

impl ParamKind {
    /// Whether a parameter of this kind is differentiated only when `#[grad(..)]` lists it
    /// (data otherwise): a struct, or rows of a runtime count.
    fn depends_on_list(&self) -> bool {
        match self {
            ParamKind::Model { .. } => true,
            ParamKind::Array { shape, .. } => {
                matches!(
                    **shape,
                    Shape::Matrix { rows: None, .. } | Shape::VecRows | Shape::VecOwned
                )
            }
            _ => false,
        }
    }
}

pub struct Signature {
    /// Whether the function is in an `impl` block (a method, or an associated function
    /// without `self`): its generated items are reached through `Self::`.
    pub method: bool,
    /// For a method of a trait impl with generics its type does not name (`impl<T: Float>
    /// Loss<T> for Mse`): the trait as the impl names it, and how many of the function's
    /// generics (its last) are the impl's, moved onto the generated items, which an inherent
    /// impl of `Mse` cannot declare. The original is then reached as `<Self as Loss<T>>::f`.
    pub trait_generics: Option<(syn::Path, usize)>,
    /// The float type: the return type (or its element type), `f32`, `f64` or a generic `T`.
    pub float: Type,
    pub float_is_generic: bool,
    pub params: Vec<Param>,
    /// What the function returns: one float, or a vector of them.
    pub output: Output,
    /// `Result<T, E>` or `Option<T>`: what the result comes wrapped in.
    pub fallible: Option<Fallible>,
    /// The return type as written.
    pub written: Type,
    /// What the function is differentiated as returning: the return type as written, or
    /// what a fallible one succeeds with (`T` of `Result<T, E>`), but for a tuple of floats:
    /// the array of them (its items take and return the tuple, `tuple`).
    pub returns: Type,
    /// A tuple of floats the function returns (`(f64, f64)`, or succeeds with), as written.
    pub tuple: Option<syn::TypeTuple>,
    /// Parameters whose type holds floats in a shape that is not differentiated (a tuple, a
    /// matrix by value, rows of a runtime count): data, with their types as written.
    pub float_data: Vec<(Ident, Span, String)>,
    /// Every named parameter's type as written: what a pattern binds of data it types
    /// (`a` of `for &(a, r) in episode` over `episode: &[(usize, f64)]`).
    pub written_types: HashMap<String, Type>,
    /// The types of struct parameters taken by value that a bare `#[grad]` reads as data,
    /// their methods without arguments called or handed on: checked not to be models.
    pub data_by_getters: Vec<Type>,
}

impl Signature {
    /// What the function returns when it succeeds, as written: the tuple, for a function
    /// that returns one.
    pub fn success_returns(&self) -> Type {
        match &self.tuple {
            Some(t) => Type::Tuple(t.clone()),
            None => self.returns.clone(),
        }
    }

    /// The parameter the user wrote that `expr` passes whole, through any `&`, `*` and
    /// parentheses (`net`, `&cfg`, `*self`).
    pub fn passed_whole(&self, expr: &syn::Expr) -> Option<&Param> {
        match expr {
            syn::Expr::Reference(r) => self.passed_whole(&r.expr),
            syn::Expr::Paren(p) => self.passed_whole(&p.expr),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                self.passed_whole(&u.expr)
            }
            syn::Expr::Path(p) if p.qself.is_none() => self
                .params
                .iter()
                .find(|q| q.is_written() && p.path.is_ident(&q.ident)),
            _ => None,
        }
    }
}

/// The result of a `#[grad]` function.
#[derive(Clone, PartialEq)]
pub enum Output {
    Scalar,
    /// `[T; M]`: `NAME_adjoint` takes `d_out: &[T; M]`.
    Array,
    /// `Vec<T>`: `NAME_adjoint` takes `d_out: &[T]`.
    Vec,
    /// `[[T; M]; N]`: `NAME_adjoint` takes `d_out: &[[T; M]; N]`.
    Matrix,
}

/// A fallible function's result: `Result<T, E>` or `Option<T>`.
#[derive(Clone, Copy, PartialEq)]
pub enum Fallible {
    Result,
    Option,
}

impl Fallible {
    /// The success value wrapped (`Ok(v)`, `Some(v)`).
    pub fn wrap(self, value: TokenStream) -> TokenStream {
        match self {
            Fallible::Result => quote::quote!(::core::result::Result::Ok(#value)),
            Fallible::Option => quote::quote!(::core::option::Option::Some(#value)),
        }
    }
}

/// `Result<X, E>` or `Option<X>`: what succeeds (`X`) and which wrapper.
fn fallible_output(ty: &Type) -> Option<(&Type, Fallible)> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    // `PyResult<f64>`, `io::Result<f64>`: an alias of `Result` names itself so.
    let fallible = match last.ident.to_string().as_str() {
        "Option" => Fallible::Option,
        name if name.ends_with("Result") => Fallible::Result,
        _ => return None,
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let Some(syn::GenericArgument::Type(inner)) = args.args.first() else {
        return None;
    };
    Some((inner, fallible))
}

/// The float type of a tuple of floats (`(f64, f64)`, `(T, T, T)`, up to twelve) and whether
/// it is generic: all of one type.
fn tuple_output(ty: &Type, type_params: &[Ident]) -> Option<(Type, bool)> {
    let Type::Tuple(t) = ty else { return None };
    let first = t.elems.first()?;
    let generic = float_kind(first, type_params)?;
    let written = first.to_token_stream().to_string();
    let same = t
        .elems
        .iter()
        .all(|e| e.to_token_stream().to_string() == written);
    (same && t.elems.len() <= 12).then(|| (first.clone(), generic))
}

/// The float type of a vector result: `[T; M]` or `Vec<T>`, or of a matrix `[[T; M]; N]`.
fn vector_output(ty: &Type, type_params: &[Ident]) -> Option<(Type, Output)> {
    let (elem, output) = match ty {
        Type::Array(a) => match &*a.elem {
            Type::Array(row) => ((*row.elem).clone(), Output::Matrix),
            elem => (elem.clone(), Output::Array),
        },
        Type::Path(tp) => {
            let last = tp.path.segments.last()?;
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match (last.ident == "Vec", args.args.first()) {
                (true, Some(syn::GenericArgument::Type(elem))) => (elem.clone(), Output::Vec),
                _ => return None,
            }
        }
        _ => return None,
    };
    float_kind(&elem, type_params)?;
    Some((elem, output))
}

/// Rust's integer types.
pub(crate) const INT_TYPES: &[&str] = &[
    "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
];

/// The integer types whose ranges are not `ExactSizeIterator`s: a reverse loop that zips one
/// with its tape, or runs it backwards through `step_by`, counts it first.
pub(crate) const WIDE_INT_TYPES: &[&str] = &["i64", "u64", "i128", "u128"];

/// Reads the signature, reporting every parameter and return type outside the subset.
/// `outer`: the type parameters of the `impl` the function is in, when it is seen (`None` for
/// a method marked alone: guessed, `impl_type_params`).
pub fn analyze(item: &ItemFn, outer: Option<&[Ident]>, errors: &mut Errors) -> Option<Signature> {
    let sig = &item.sig;
    if let Some(t) = &sig.asyncness {
        errors.on(
            t,
            "#[grad] cannot differentiate an `async fn`: make it a plain `fn`",
        );
    }
    if let Some(t) = &sig.unsafety {
        errors.on(
            t,
            "#[grad] cannot differentiate an `unsafe fn`: remove `unsafe`",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.on(
            abi,
            "#[grad] cannot differentiate an `extern` function: remove the ABI",
        );
    }
    if let Some(v) = &sig.variadic {
        errors.on(v, "#[grad] cannot differentiate a variadic function");
    }

    let mut type_params: Vec<Ident> = type_params(&sig.generics)
        .chain(outer.into_iter().flatten().cloned())
        .collect();
    if sig.receiver().is_some() && outer.is_none() {
        type_params.extend(impl_type_params(sig, &type_params));
    }

    let float = match &sig.output {
        ReturnType::Default => {
            // An output written through `&mut` (an ODE right-hand side, `dy: &mut [f64; 3]`).
            let written = sig.inputs.iter().any(|input| {
                matches!(input, FnArg::Typed(pt) if matches!(&*pt.ty, Type::Reference(r) if r.mutability.is_some()))
            });
            let advice = match written {
                true => ", writing its result through a `&mut` parameter, which #[grad] cannot differentiate through: return the result instead (`-> [f64; 3]`)",
                false => "",
            };
            errors.at(
                sig.ident.span(),
                format!("#[grad] needs a function that returns a float (`f64`, `f32` or a generic `T: Float`), a vector of them (`[f64; M]`, `Vec<f64>`), a tuple of them (`(f64, f64)`) or a matrix (`[[f64; M]; N]`); this one returns `()`{advice}"),
            );
            None
        }
        ReturnType::Type(_, ty) => {
            // What a fallible function succeeds with is differentiated as the function's
            // result would be.
            let success = fallible_output(ty).map_or(&**ty, |(inner, _)| inner);
            match float_kind(success, &type_params) {
                Some(generic) => Some((success.clone(), generic, Output::Scalar)),
                None if tuple_output(success, &type_params).is_some() => {
                    tuple_output(success, &type_params)
                        .map(|(elem, generic)| (elem, generic, Output::Array))
                }
                None if vector_output(success, &type_params).is_some() => {
                    vector_output(success, &type_params).map(|(elem, output)| {
                        let generic = float_kind(&elem, &type_params) == Some(true);
                        (elem, generic, output)
                    })
                }
                None => {
                    let (whole, ty): (&Type, &Type) = (ty, success);
                    let long_tuple = match ty {
                        Type::Tuple(t)
                            if t.elems
                                .iter()
                                .all(|e| float_kind(e, &type_params).is_some()) =>
                        {
                            Some((t.elems.len(), t.elems[0].to_token_stream()))
                        }
                        _ => None,
                    };
                    let advice = if let Some((len, float)) = long_tuple {
                        &format!("a tuple of {len} numbers, more than the twelve #[grad] takes as a tuple: return an array (`[{float}; {len}]`)")
                    } else if let Type::Tuple(_) = ty {
                        "a tuple of other things than floats of one type: return the numbers you want derivatives of (an array of arrays of one length, `[[f64; 3]; 2]`, for a tuple of them), and compute the rest (a count, a flag) in a function of its own"
                    } else if let Some(cols) = rows_output(ty) {
                        &format!("a `Vec` of rows, which is not an output #[grad] differentiates (a matrix of a constant size, `[[f64; {cols}]; N]`, is): return the elements row after row in one `Vec<f64>`, and read them where it is called as `m[i * {cols} + j]`")
                    } else if !is_int_or_bool(ty)
                        && matches!(ty, Type::Path(tp) if tp.qself.is_none()
                        && tp.path.get_ident().is_some_and(|i| i != "String"))
                    {
                        // `type Vec3 = [f64; 3];` is out of the macro's sight.
                        "a type #[grad] cannot look into: the result must be the float you want the gradient of, or an array of them; if this is a type alias (`type Vec3 = [f64; 3];`), write the type it stands for here, since the macro sees only this function; if it is a type parameter of the `impl` this method is in, put `#[grad(..)]` on the `impl` block, which declares it"
                    } else {
                        "not a float: the result must be the float you want the gradient of, or an array of them"
                    };
                    let subject = match std::ptr::eq(whole, ty) {
                        true => format!("`{}` is", crate::diag::written(ty)),
                        false => format!(
                            "`{}` succeeds with `{}`, which is",
                            crate::diag::written(whole),
                            crate::diag::written(ty)
                        ),
                    };
                    errors.on(
                    whole,
                    format!(
                        "#[grad] needs a function that returns a float (`f64`, `f32` or a generic `T: Float`), a vector of them (`[f64; M]`, `Vec<f64>`), a tuple of them (`(f64, f64)`) or a matrix (`[[f64; M]; N]`), or a `Result` or `Option` of one of these; {subject} {advice}"
                    ),
                );
                    None
                }
            }
        }
    };

    let mut params = Vec::new();
    let mut float_data = Vec::new();
    let mut written_types = HashMap::default();
    let converted = float
        .as_ref()
        .map_or(Vec::new(), |(f, ..)| converted_to_float(&sig.generics, f));
    for input in &sig.inputs {
        match input {
            // `&self`: the struct, differentiated like a struct parameter when
            // `#[grad(self, ..)]` names it, data otherwise.
            FnArg::Receiver(r) => params.push(Param {
                ident: Ident::new("self", r.self_token.span),
                kind: ParamKind::Model {
                    ty: Box::new(syn::parse_quote!(Self)),
                    by_ref: r.reference.is_some(),
                    mutable: r.mutability.is_some() && r.reference.is_some(),
                    whole: false,
                },
                span: r.span(),
                field: None,
                listed: true,
                lent_mut: false,
                generic: false,
            }),
            FnArg::Typed(pt) => {
                let ident = match &*pt.pat {
                    Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                        pi.ident.clone()
                    }
                    other => {
                        errors.on(
                            other,
                            "#[grad] needs each parameter to be a name (`x: f64`) or a pattern that takes its value apart (`(x, y): (f64, f64)`), not bound by `ref` or with `@`: take it by value (`x: f64`), and borrow it in the body if needed",
                        );
                        continue;
                    }
                };
                written_types.insert(ident.to_string(), (*pt.ty).clone());
                let kind = match &float {
                    // `y: U` beside a `T` result, both `Float`: another float type, as `f32`
                    // is in an `f64` function.
                    Some((f, ..)) if is_other_float_param(&pt.ty, f, &sig.generics) => {
                        mixed_floats(errors, &pt.ty, f)
                    }
                    Some((f, ..)) => classify(&pt.ty, f, &type_params, errors),
                    None => ParamKind::Opaque,
                };
                let mut holds_floats = false;
                if let (ParamKind::Opaque | ParamKind::DataArray { .. }, Some((f, ..))) =
                    (&kind, &float)
                {
                    // (`f: fn(f64) -> f64`: a function, called as written on data)
                    if contains_float(&pt.ty, f, &converted) && !is_function(&pt.ty) {
                        float_data.push((ident.clone(), pt.span(), crate::diag::written(&pt.ty)));
                        holds_floats = true;
                    }
                }
                let generic = is_generic_value(&pt.ty, &type_params);
                // (data holding floats, `ijn: &[(i32, i32, f64)]`: a caller may take what it
                // passes there for a struct of data, and pass it to `_with_data`)
                let listed = kind.depends_on_list()
                    || matches!(kind, ParamKind::Opaque) && (generic || holds_floats);
                let lent_mut = matches!(kind, ParamKind::Opaque | ParamKind::Model { .. })
                    && matches!(&*pt.ty, Type::Reference(r) if r.mutability.is_some());
                params.push(Param {
                    ident,
                    kind,
                    span: pt.span(),
                    field: None,
                    listed,
                    lent_mut,
                    generic,
                });
            }
        }
    }

    let (float, float_is_generic, output) = float?;
    // The type as written, and what it succeeds with: the result itself, or the `Ok` /
    // `Some` value of a fallible one.
    let written: Type = match &sig.output {
        ReturnType::Type(_, ty) => (**ty).clone(),
        ReturnType::Default => float.clone(),
    };
    let (success, fallible) = match fallible_output(&written) {
        Some((inner, fallible)) => (inner.clone(), Some(fallible)),
        None => (written.clone(), None),
    };
    let tuple = match &success {
        Type::Tuple(t) => Some(t.clone()),
        _ => None,
    };
    let returns = match &tuple {
        Some(t) => {
            let len = t.elems.len();
            syn::parse_quote!([#float; #len])
        }
        None => success,
    };
    Some(Signature {
        method: params.first().is_some_and(Param::is_self),
        trait_generics: None,
        fallible,
        written,
        float,
        float_is_generic,
        params,
        output,
        returns,
        tuple,
        float_data,
        data_by_getters: Vec::new(),
        written_types,
    })
}

/// `Some(is_generic)` when `ty` is a float type: `f32`, `f64` or one of the type parameters.
fn float_kind(ty: &Type, type_params: &[Ident]) -> Option<bool> {
    let Type::Path(tp) = ty else { return None };
    let ident = tp.path.get_ident()?;
    if ident == "f64" || ident == "f32" {
        Some(false)
    } else if type_params.iter().any(|p| p == ident) {
        Some(true)
    } else {
        None
    }
}

/// `f32` or `f64`.
fn is_concrete_float(ty: &Type) -> bool {
    float_kind(ty, &[]).is_some()
}

/// The first `impl Trait` or `dyn Trait` inside `ty`.
fn closure_like(ty: &Type) -> Option<&Type> {
    match ty {
        // `coef: impl Fn(usize) -> f64` is data, as a generic `F: Fn(..)` is: called on data
        // as written, and reported where it is called on a differentiated value.
        Type::ImplTrait(t) if !t.bounds.iter().all(is_fn_bound) => Some(ty),
        Type::TraitObject(_) => Some(ty),
        Type::Reference(r) => closure_like(&r.elem),
        Type::Paren(p) => closure_like(&p.elem),
        Type::Group(g) => closure_like(&g.elem),
        Type::Path(tp) => tp
            .path
            .segments
            .iter()
            .find_map(|seg| match &seg.arguments {
                syn::PathArguments::AngleBracketed(args) => {
                    args.args.iter().find_map(|a| match a {
                        syn::GenericArgument::Type(t) => closure_like(t),
                        _ => None,
                    })
                }
                _ => None,
            }),
        _ => None,
    }
}

/// `Fn(..)`, `FnMut(..)`, `FnOnce(..)` (or a lifetime beside one).
fn is_fn_bound(bound: &syn::TypeParamBound) -> bool {
    match bound {
        syn::TypeParamBound::Trait(t) => t
            .path
            .segments
            .last()
            .is_some_and(|s| ["Fn", "FnMut", "FnOnce"].iter().any(|f| s.ident == f)),
        _ => true,
    }
}

fn same_type(a: &Type, b: &Type) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
}

enum ElemKind {
    Float,
    Data,
    Other,
}

fn element(ty: &Type, float: &Type, type_params: &[Ident]) -> ElemKind {
    if same_type(ty, float) {
        ElemKind::Float
    } else if float_kind(ty, type_params).is_some() {
        ElemKind::Other
    } else if is_int_or_bool(ty) {
        ElemKind::Data
    } else {
        ElemKind::Other
    }
}

/// The element type of a row that is a `Vec<T>`.
pub(crate) fn vec_row(ty: &Type) -> Option<&Type> {
    let Type::Path(tp) = ty else {
        return None;
    };
    let last = tp.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match (last.ident == "Vec", args.args.first()) {
        (true, Some(syn::GenericArgument::Type(elem))) => Some(elem),
        _ => None,
    }
}

pub(crate) fn is_int_or_bool(ty: &Type) -> bool {
    match ty {
        Type::Path(tp) => tp
            .path
            .get_ident()
            .is_some_and(|i| i == "bool" || INT_TYPES.iter().any(|t| i == t)),
        _ => false,
    }
}

/// The error for a parameter (or its elements) of a float type `t` other than the function's.
fn mixed_floats(errors: &mut Errors, t: &Type, float: &Type) -> ParamKind {
    errors.on(
        t,
        format!(
            "#[grad] needs one float type per function: this parameter is `{}` but the function returns `{}`",
            crate::diag::written(t),
            crate::diag::written(float)
        ),
    );
    ParamKind::Rejected
}

fn classify(ty: &Type, float: &Type, type_params: &[Ident], errors: &mut Errors) -> ParamKind {
    let mixed = |errors: &mut Errors, t: &Type| mixed_floats(errors, t, float);
    // An array shape with its element type, by value or behind `&`.
    let array = |inner: &Type, by_ref: bool, errors: &mut Errors| -> Option<ParamKind> {
        let (shape, elem) = match inner {
            Type::Array(a) => match (&*a.elem, by_ref) {
                (Type::Array(row), _) => (
                    Shape::Matrix {
                        rows: Some(a.len.clone()),
                        cols: row.len.clone(),
                        by_value: !by_ref,
                    },
                    &*row.elem,
                ),
                (elem, true) => (Shape::ArrayRef(a.len.clone()), elem),
                (elem, false) => (Shape::ArrayByValue(a.len.clone()), elem),
            },
            // `(T, T)`: a tuple of numbers of the function's float type.
            Type::Tuple(t)
                if !t.elems.is_empty() && t.elems.iter().all(|e| same_type(e, float)) =>
            {
                let shape = Shape::Tuple {
                    len: t.elems.len(),
                    by_ref,
                };
                (shape, &t.elems[0])
            }
            // `&[[T; M]]`: rows of a runtime count.
            Type::Slice(s) if by_ref => match &*s.elem {
                Type::Array(row) => (
                    Shape::Matrix {
                        rows: None,
                        cols: row.len.clone(),
                        by_value: false,
                    },
                    &*row.elem,
                ),
                elem => (Shape::Slice, elem),
            },
            Type::Path(tp) => {
                let last = tp.path.segments.last()?;
                if last.ident != "Vec" {
                    return None;
                }
                let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                    return None;
                };
                match args.args.first() {
                    // (rows by value are not taken)
                    Some(syn::GenericArgument::Type(Type::Array(_))) if !by_ref => return None,
                    // `&Vec<[T; M]>`: rows of a runtime count.
                    Some(syn::GenericArgument::Type(Type::Array(row))) => (
                        Shape::Matrix {
                            rows: None,
                            cols: row.len.clone(),
                            by_value: false,
                        },
                        &*row.elem,
                    ),
                    Some(syn::GenericArgument::Type(elem)) if by_ref => (Shape::VecRef, elem),
                    Some(syn::GenericArgument::Type(elem)) => (Shape::VecOwned, elem),
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(match element(elem, float, type_params) {
            ElemKind::Float => ParamKind::Array {
                shape: Box::new(shape),
                float: true,
            },
            ElemKind::Data => ParamKind::Array {
                shape: Box::new(shape),
                float: false,
            },
            ElemKind::Other if is_concrete_float(elem) => mixed(errors, elem),
            // `&[Vec<f64>]`, `&Vec<Vec<f64>>`: rows of their own lengths, differentiated
            // where `#[grad(..)]` names them (`settle_rows` makes the others data).
            ElemKind::Other
                if matches!(shape, Shape::Slice | Shape::VecRef)
                    && vec_row(elem).is_some_and(|e| {
                        matches!(element(e, float, type_params), ElemKind::Float)
                    }) =>
            {
                ParamKind::Array {
                    shape: Box::new(Shape::VecRows),
                    float: true,
                }
            }
            ElemKind::Other => ParamKind::Opaque,
        })
    };

    if let Some(bad) = closure_like(ty) {
        let message = match bad {
            Type::TraitObject(_) => "#[grad] does not support trait objects (`dyn Trait`, `Box<dyn Fn(..)>`) as parameters: the code it generates passes every parameter on by type; a closure or function called on data only is taken as `impl Fn(usize) -> f64` or a type parameter `F: Fn(usize) -> f64`, and one whose derivative is needed is a named function that has `#[grad]` (or a hand-written `_adjoint`)",
            _ => "#[grad] does not support `impl Trait` parameters other than closures (`impl Fn(usize) -> f64`, called on data): it differentiates floats, arrays and models, whose shapes it must see; take a slice (`&[f64]`) or a type it can read",
        };
        errors.on(bad, message);
        return ParamKind::Rejected;
    }
    match ty {
        _ if same_type(ty, float) => ParamKind::Float,
        _ if is_concrete_float(ty) => mixed(errors, ty),
        _ if is_int_or_bool(ty) => {
            let name = ty.to_token_stream().to_string();
            match name.as_str() {
                "bool" => ParamKind::Bool,
                _ => ParamKind::Int {
                    wide: WIDE_INT_TYPES.contains(&name.as_str()),
                },
            }
        }
        Type::Reference(r) if is_model_type(&r.elem, type_params) => ParamKind::Model {
            ty: r.elem.clone(),
            by_ref: true,
            mutable: r.mutability.is_some(),
            whole: false,
        },
        _ if is_model_type(ty, type_params) => ParamKind::Model {
            ty: Box::new(ty.clone()),
            by_ref: false,
            mutable: false,
            whole: false,
        },
        Type::Reference(r) if r.mutability.is_some() => {
            if contains_float(&r.elem, float, type_params) {
                errors.on(
                    ty,
                    "#[grad] cannot differentiate through a `&mut` float parameter: take the value (or a `&` reference) and return the result instead",
                );
                return ParamKind::Rejected;
            }
            ParamKind::Opaque
        }
        Type::Reference(r) => array(&r.elem, true, errors).unwrap_or(ParamKind::Opaque),
        // `[T; N]`, `(T, T)` and `Vec<T>` by value (not rows: `Vec<Vec<T>>` is data then).
        Type::Array(_) | Type::Tuple(_) | Type::Path(_) => match array(ty, false, errors) {
            Some(ParamKind::Array { shape, .. }) if matches!(*shape, Shape::VecRows) => {
                ParamKind::Opaque
            }
            kind => kind.unwrap_or(ParamKind::Opaque),
        },
        _ => ParamKind::Opaque,
    }
}

pub(crate) fn contains_float(ty: &Type, float: &Type, type_params: &[Ident]) -> bool {
    let text = ty.to_token_stream().to_string();
    let float_text = float.to_token_stream().to_string();
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|word| {
            word == float_text
                || word == "f32"
                || word == "f64"
                || type_params.iter().any(|p| p == word)
        })
}

/// `Vec<[T; M]>`: its row length `M`, as written.
fn rows_output(ty: &Type) -> Option<String> {
    let Type::Path(tp) = ty else { return None };
    let last = tp.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match (last.ident == "Vec", args.args.first()) {
        (true, Some(syn::GenericArgument::Type(Type::Array(row))))
            if !matches!(*row.elem, Type::Array(_)) =>
        {
            Some(row.len.to_token_stream().to_string())
        }
        _ => None,
    }
}

/// Whether `ty` is a function pointer (`fn(f64) -> f64`), by reference or not.
fn is_function(ty: &Type) -> bool {
    match ty {
        Type::BareFn(_) => true,
        Type::ImplTrait(t) => t.bounds.iter().all(is_fn_bound),
        Type::Reference(r) => is_function(&r.elem),
        Type::Paren(p) => is_function(&p.elem),
        _ => false,
    }
}

/// The type parameters bounded by a conversion to the function's float type (`U: Into<f64>`
/// in an `f64` function, `AsPrimitive<T>` in a `T` one): a float may be what callers pass
/// there, which the body converts (`x.into()`), and its derivative would be lost. (A
/// conversion to another type, `I: Into<f64>` beside `x: T`, stays data.)
fn converted_to_float(generics: &syn::Generics, float: &Type) -> Vec<Ident> {
    let float = float.to_token_stream().to_string();
    let converting = |bound: &syn::TypeParamBound| {
        let syn::TypeParamBound::Trait(t) = bound else {
            return false;
        };
        t.path.segments.last().is_some_and(|last| {
            (last.ident == "Into" || last.ident == "AsPrimitive")
                && matches!(&last.arguments, syn::PathArguments::AngleBracketed(a)
                    if a.args.len() == 1 && a.args[0].to_token_stream().to_string() == float)
        })
    };
    let mut converted: Vec<Ident> = generics
        .type_params()
        .filter(|p| p.bounds.iter().any(converting))
        .map(|p| p.ident.clone())
        .collect();
    for predicate in generics.where_clause.iter().flat_map(|w| &w.predicates) {
        if let syn::WherePredicate::Type(p) = predicate {
            if let (Type::Path(tp), true) = (&p.bounded_ty, p.bounds.iter().any(converting)) {
                converted.extend(tp.path.get_ident().cloned());
            }
        }
    }
    converted
}

/// Whether `ty` is a value of a type the function is generic over, by reference or not
/// (`cfg: &C`, `rng: &mut R`, `cfg: &impl Config`): a caller may pass one of its structs
/// there, which the parameter then takes like a struct parameter of its own.
fn is_generic_value(ty: &Type, type_params: &[Ident]) -> bool {
    match ty {
        Type::Reference(r) => is_generic_value(&r.elem, type_params),
        Type::ImplTrait(_) => true,
        Type::Path(tp) => {
            tp.qself.is_none() && tp.path.get_ident().is_some_and(|i| type_params.contains(i))
        }
        _ => false,
    }
}

/// Library types that are never models: containers, strings, smart pointers.
const NOT_MODELS: &[&str] = &[
    "Vec",
    "VecDeque",
    "Option",
    "Result",
    "Box",
    "Rc",
    "Arc",
    "Cow",
    "String",
    "str",
    "HashMap",
    "BTreeMap",
    "HashSet",
    "BTreeSet",
    "Cell",
    "RefCell",
    "Mutex",
    "RwLock",
    "PhantomData",
    "Range",
    "RangeInclusive",
    "Path",
    "PathBuf",
];

/// Whether `ty` names a struct the user may have made a model: a path to a type (`Net`,
/// `Net<T>`, `layers::Dense<4, 8>`) that is not a type parameter or a library container.
pub(crate) fn is_model_type(ty: &Type, type_params: &[Ident]) -> bool {
    let Type::Path(tp) = ty else { return false };
    if tp.qself.is_some() {
        return false;
    }
    let Some(last) = tp.path.segments.last() else {
        return false;
    };
    let name = last.ident.to_string();
    let single = tp.path.segments.len() == 1;
    let type_param = single && type_params.contains(&last.ident);
    // The library's generic types always carry their arguments: a bare `Cell` or `Range`
    // is the user's own struct (an RNN cell).
    let library = NOT_MODELS.contains(&name.as_str())
        && (!matches!(last.arguments, syn::PathArguments::None)
            || ["String", "str", "Path", "PathBuf"].contains(&name.as_str()));
    !type_param && !library && name.starts_with(|c: char| c.is_ascii_uppercase())
}

/// The type parameters of the `impl` a method under its own `#[grad]` is in (`impl<T: Float>
/// Mlp<T>`), which the attribute does not see: one-letter types (`T`, `F`, `T2`) the method
/// names but does not declare.
fn impl_type_params(sig: &syn::Signature, declared: &[Ident]) -> Vec<Ident> {
    struct Names<'a> {
        declared: &'a [Ident],
        found: Vec<Ident>,
    }
    impl<'ast> syn::visit::Visit<'ast> for Names<'_> {
        fn visit_type_path(&mut self, tp: &'ast syn::TypePath) {
            if let (None, Some(ident)) = (&tp.qself, tp.path.get_ident()) {
                let name = ident.to_string();
                let mut chars = name.chars();
                let generic_like = chars.next().is_some_and(|c| c.is_ascii_uppercase())
                    && chars.all(|c| c.is_ascii_digit());
                let known = self.declared.contains(ident) || self.found.contains(ident);
                if generic_like && !known {
                    self.found.push(ident.clone());
                }
            }
            syn::visit::visit_type_path(self, tp);
        }
    }
    let mut names = Names {
        declared,
        found: Vec::new(),
    };
    syn::visit::Visit::visit_signature(&mut names, sig);
    names.found
}

/// Whether `ty` is a type parameter bounded by `Float` (in its list or a `where` clause) other
/// than the function's float type `float`.
fn is_other_float_param(ty: &Type, float: &Type, generics: &syn::Generics) -> bool {
    let Some(ident) = (match ty {
        Type::Path(tp) if tp.qself.is_none() => tp.path.get_ident(),
        _ => None,
    }) else {
        return false;
    };
    let is_float = |bound: &syn::TypeParamBound| {
        matches!(bound, syn::TypeParamBound::Trait(t)
            if t.path.segments.last().is_some_and(|s| s.ident == "Float"))
    };
    let listed = generics.params.iter().any(|p| {
        matches!(p, GenericParam::Type(t) if t.ident == *ident && t.bounds.iter().any(is_float))
    });
    let in_where = generics
        .where_clause
        .iter()
        .flat_map(|w| &w.predicates)
        .any(|p| {
            matches!(p, syn::WherePredicate::Type(pt)
            if matches!(&pt.bounded_ty, Type::Path(b) if b.path.is_ident(ident))
                && pt.bounds.iter().any(is_float))
        });
    (listed || in_where) && !same_type(ty, float)
}

/// The names of the type parameters of `generics` (`T` of `fn f<T: Float>`).
pub fn type_params(generics: &syn::Generics) -> impl Iterator<Item = Ident> + '_ {
    generics.params.iter().filter_map(|p| match p {
        GenericParam::Type(t) => Some(t.ident.clone()),
        _ => None,
    })
}
