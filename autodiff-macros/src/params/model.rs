//! The model of a `#[derive(Params)]` input: its parameter fields, each classified by its
//! syntax, and its float type. Every rule a struct breaks is reported, spanned on the field.

use quote::ToTokens;
use syn::{
    Data, DeriveInput, Expr, Field, GenericArgument, Ident, Member, PathArguments, Type,
    TypeParamBound, WherePredicate,
};

use crate::diag::Errors;

/// A struct that derives `Params`, as the expansion needs it.
pub struct Model<'a> {
    pub input: &'a DeriveInput,
    /// The parameter fields, in declaration order (the walk order).
    pub fields: Vec<ParamField<'a>>,
    /// The float type of the parameters, when the struct has a float, array or `Vec` field.
    pub float: Option<&'a Type>,
    /// The struct's type parameter that is the float type (`T` in `struct Net<T: Float>`).
    pub float_param: Option<&'a Ident>,
}

/// A field the walks visit.
pub struct ParamField<'a> {
    /// `w` in `self.w`, or `0` in a tuple struct.
    pub member: Member,
    pub kind: Kind<'a>,
}

/// How a field holds parameters, decided from its type as written.
pub enum Kind<'a> {
    /// One slice: a float, an array of floats of any nesting, or a `Vec` of either. `lens` are
    /// the array lengths as written, outermost first.
    Slice {
        float: &'a Type,
        in_vec: bool,
        lens: Vec<&'a Expr>,
    },
    /// A nested model: any other named type, which must implement `Params`.
    Model(&'a Type),
    /// An array (`[Dense; 3]`) or a `Vec` of sub-models or of slices; its items are named
    /// `layers[0]`, `layers[1]`, ...
    Sequence { in_vec: bool, item: Box<Kind<'a>> },
}

impl<'a> Kind<'a> {
    /// The type of the nested models a field holds, if it holds any (a sequence has one item
    /// type).
    pub fn model(&self) -> Option<&'a Type> {
        match self {
            Kind::Slice { .. } => None,
            Kind::Model(ty) => Some(ty),
            Kind::Sequence { item, .. } => item.model(),
        }
    }

    /// The float type of the slices a field holds, if it holds slices.
    fn float(&self) -> Option<&'a Type> {
        match self {
            Kind::Slice { float, .. } => Some(float),
            Kind::Model(_) => None,
            Kind::Sequence { item, .. } => item.float(),
        }
    }
}

/// Why a field's type cannot hold parameters.
enum Rejected<'a> {
    /// Data, not parameters: integers, `bool`, `String`, `PhantomData`, ...: a size, a flag
    /// or a name (`n_in: usize`, `mask: Vec<bool>`), left out as `#[params(skip)]` leaves
    /// one out.
    Data,
    Option,
    Reference,
    /// Tuples, slices, function pointers, trait objects, ...
    Unsupported(&'a Type),
}

/// Builds the model of `input`, reporting into `errors` everything that stops it from being
/// one. The model is still returned on error, with the fields that could be classified, so
/// that the fallback impl knows the float type when there is one.
pub fn model<'a>(input: &'a DeriveInput, errors: &mut Errors) -> Model<'a> {
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("params")) {
        errors.on(attr, "`#[params(..)]` goes on a field: `#[params(skip)]`");
    }
    let fields = match &input.data {
        Data::Struct(data) => Some(&data.fields),
        Data::Enum(data) => {
            errors.on(data.enum_token, not_a_struct(&input.ident, "an enum"));
            None
        }
        Data::Union(data) => {
            errors.on(data.union_token, not_a_struct(&input.ident, "a union"));
            None
        }
    };
    let classifier = Classifier::new(input);
    let errors_before = errors.len();
    let mut model = Model {
        input,
        fields: Vec::new(),
        float: None,
        float_param: None,
    };
    // the float type, and the field that fixed it
    let mut first_float: Option<(&Type, String)> = None;
    for (i, field) in fields.into_iter().flatten().enumerate() {
        if is_skipped(field, errors) {
            continue;
        }
        let member = field
            .ident
            .clone()
            .map_or_else(|| Member::from(i), Member::from);
        let label = member_label(&member);
        let kind = match classifier.kind(&field.ty) {
            Ok(kind) => kind,
            Err(rejected) => {
                if let Some(message) = rejection(&label, rejected) {
                    errors.on(&field.ty, message);
                }
                continue;
            }
        };
        if let Some(float) = kind.float() {
            match &first_float {
                Some((first, first_label)) if !same_type(first, float) => errors.on(
                    float,
                    format!(
                        "mixed float types: `{label}` holds `{}` but `{first_label}` holds \
                         `{}`; every parameter of a model has the same float type",
                        tokens(float),
                        tokens(first)
                    ),
                ),
                Some(_) => {}
                None => first_float = Some((float, label.clone())),
            }
        }
        model.fields.push(ParamField { member, kind });
    }
    if let Some((float, _)) = first_float {
        model.float = Some(float);
        model.float_param = classifier.float_param(float);
    }
    // reported only when nothing else is: a struct whose every field was rejected has errors
    let only_skipped = matches!(input.data, Data::Struct(_)) && errors.len() == errors_before;
    if model.fields.is_empty() && only_skipped {
        errors.on(
            &input.ident,
            format!(
                "`{}` has no parameter fields: a model needs a float, a float array, a `Vec` \
                 of floats or a nested model (fields marked `#[params(skip)]` do not count)",
                input.ident
            ),
        );
    }
    model
}

fn not_a_struct(ident: &Ident, what: &str) -> String {
    format!("`#[derive(Params)]` needs a struct of parameter fields, and `{ident}` is {what}")
}

/// `true` for a field marked `#[params(skip)]`; reports anything else inside `#[params(..)]`.
fn is_skipped(field: &Field, errors: &mut Errors) -> bool {
    let mut skip = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("params")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(meta.error(format!(
                    "unknown option `{}`: the only one is `#[params(skip)]`",
                    tokens(&meta.path)
                )))
            }
        });
        if let Err(e) = parsed {
            errors.at(e.span(), e);
            // a field with a malformed attribute is not classified: one error for it
            skip = true;
        }
    }
    skip
}

/// The field's segment of a parameter name: `w`, or `0` in a tuple struct.
pub fn member_label(member: &Member) -> String {
    match member {
        Member::Named(ident) => ident.to_string(),
        Member::Unnamed(index) => index.index.to_string(),
    }
}

/// What is wrong with a field that holds no parameters; nothing for data.
fn rejection(label: &str, rejected: Rejected<'_>) -> Option<String> {
    Some(match rejected {
        Rejected::Data => return None,
        Rejected::Option => format!(
            "`{label}` is an `Option`: a model's parameters are always there; use the type \
             inside, or mark the field `#[params(skip)]` if it is not a parameter"
        ),
        Rejected::Reference => format!(
            "`{label}` is a reference: a model owns its parameters; use an array or a `Vec`, \
             or mark the field `#[params(skip)]` if it is not a parameter"
        ),
        Rejected::Unsupported(inner) => format!(
            "`{label}` cannot hold parameters in a `{}`: a parameter field is a float, a float \
             array, a `Vec` of floats, a nested model, or an array or `Vec` of them; mark it \
             `#[params(skip)]` if it is not a parameter",
            tokens(inner)
        ),
    })
}

/// The names of types that are data, never parameters.
const DATA_TYPES: &[&str] = &[
    "bool",
    "char",
    "str",
    "String",
    "PhantomData",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
];

/// Classifies field types; knows which of the struct's type parameters is a float.
struct Classifier<'a> {
    /// Type parameters that stand for nested models (bounded by `Params`); the others are
    /// floats.
    model_params: Vec<&'a Ident>,
    type_params: Vec<&'a Ident>,
}

impl<'a> Classifier<'a> {
    fn new(input: &'a DeriveInput) -> Self {
        let generics = &input.generics;
        let type_params: Vec<&Ident> = generics.type_params().map(|p| &p.ident).collect();
        let bounded_by_params = |bounds: &syn::punctuated::Punctuated<TypeParamBound, _>| {
            bounds.iter().any(|bound| match bound {
                TypeParamBound::Trait(t) => {
                    t.path.segments.last().is_some_and(|s| s.ident == "Params")
                }
                _ => false,
            })
        };
        let mut model_params: Vec<&Ident> = generics
            .type_params()
            .filter(|p| bounded_by_params(&p.bounds))
            .map(|p| &p.ident)
            .collect();
        let predicates = generics.where_clause.iter().flat_map(|w| &w.predicates);
        for predicate in predicates {
            if let WherePredicate::Type(p) = predicate {
                let bounded = type_ident(&p.bounded_ty);
                if let Some(ident) = type_params.iter().copied().find(|i| bounded == Some(*i)) {
                    if bounded_by_params(&p.bounds) {
                        model_params.push(ident);
                    }
                }
            }
        }
        Classifier {
            model_params,
            type_params,
        }
    }

    /// The type parameter `ty` names, if it is one that stands for a float.
    fn float_param(&self, ty: &Type) -> Option<&'a Ident> {
        let ident = type_ident(ty)?;
        let param = self.type_params.iter().copied().find(|i| *i == ident)?;
        (!self.model_params.contains(&param)).then_some(param)
    }

    fn is_float(&self, ty: &Type) -> bool {
        type_ident(ty).is_some_and(|i| i == "f32" || i == "f64") || self.float_param(ty).is_some()
    }

    fn kind(&self, ty: &'a Type) -> Result<Kind<'a>, Rejected<'a>> {
        let (base, in_vec, lens) = peel_slice(ty);
        if self.is_float(base) {
            return Ok(Kind::Slice {
                float: base,
                in_vec,
                lens,
            });
        }
        if let Some(item) = sequence_item(ty) {
            let item = Box::new(self.kind(item)?);
            return Ok(Kind::Sequence {
                in_vec: vec_item(ty).is_some(),
                item,
            });
        }
        match ungroup(ty) {
            Type::Path(path) => {
                let last = path.path.segments.last().map(|s| s.ident.to_string());
                match last.as_deref() {
                    Some("Option") => Err(Rejected::Option),
                    Some(name) if DATA_TYPES.contains(&name) => Err(Rejected::Data),
                    _ => Ok(Kind::Model(ty)),
                }
            }
            Type::Reference(_) => Err(Rejected::Reference),
            other => Err(Rejected::Unsupported(other)),
        }
    }
}

/// `ty` without arrays, or a `Vec` of arrays, around it: the base type, whether a `Vec` was
/// peeled, and the array lengths, outermost first.
fn peel_slice(ty: &Type) -> (&Type, bool, Vec<&Expr>) {
    let (mut base, in_vec) = match vec_item(ty) {
        Some(item) => (item, true),
        None => (ty, false),
    };
    let mut lens = Vec::new();
    while let Type::Array(array) = ungroup(base) {
        lens.push(&array.len);
        base = &array.elem;
    }
    (ungroup(base), in_vec, lens)
}

/// The item type of an array or a `Vec`.
fn sequence_item(ty: &Type) -> Option<&Type> {
    match ungroup(ty) {
        Type::Array(array) => Some(&array.elem),
        _ => vec_item(ty),
    }
}

/// `T` for `Vec<T>` (or a path ending in `Vec<T>`, such as `std::vec::Vec<T>`).
fn vec_item(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ungroup(ty) else {
        return None;
    };
    let last = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first() {
        Some(GenericArgument::Type(item)) if last.ident == "Vec" && args.args.len() == 1 => {
            Some(item)
        }
        _ => None,
    }
}

/// `ty` without the parentheses or invisible groups (from `macro_rules!`) around it.
fn ungroup(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => ungroup(&group.elem),
        Type::Paren(paren) => ungroup(&paren.elem),
        _ => ty,
    }
}

/// The identifier `ty` is, if it is a bare one (`f64`, `T`).
fn type_ident(ty: &Type) -> Option<&Ident> {
    match ungroup(ty) {
        Type::Path(path) if path.qself.is_none() => path.path.get_ident(),
        _ => None,
    }
}

fn same_type(a: &Type, b: &Type) -> bool {
    tokens(a) == tokens(b)
}

/// Tokens as a user writes them, for a message: `[f64; 3]`, not `[f64 ; 3]`.
fn tokens(tokens: &impl ToTokens) -> String {
    let mut text = tokens.to_token_stream().to_string();
    for (spaced, tight) in [
        (" ;", ";"),
        (" ,", ","),
        (" :: ", "::"),
        ("< ", "<"),
        (" <", "<"),
        (" >", ">"),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
        ("& ", "&"),
    ] {
        text = text.replace(spaced, tight);
    }
    text
}
