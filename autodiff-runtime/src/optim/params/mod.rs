//! [`Params`]: a model as a walk over named, shaped float slices.

use num_traits::{Float, Zero};

mod name;
#[cfg(test)]
mod tests;

pub use name::{Coordinate, Name, ParamSlice};

/// A model: a struct whose parameters an optimizer, the trainer, [`Init`](crate::init::Init),
/// the gradient check and the checkpoint functions walk as named float slices.
///
/// Derive it: `#[derive(Clone, autodiff::Params)]` on a struct of floats, float arrays of any
/// nesting, `Vec`s of floats or of float arrays, nested models, and arrays or `Vec`s of
/// nested models (the derive's documentation lists the rules). The gradient of a model has
/// the model's own type, so a loss's `NAME_adjoint` accumulates into a second value of it;
/// optimizers walk the parameters and the gradient together, slice by slice.
///
/// A walk visits the slices in a fixed order (the fields in declaration order, nested models
/// and sequences depth first) and names each by its path, `layer1.w` or `layers[2].b` (a
/// [`Name`] borrowed from the walk: no allocation). Each slice carries its shape (`[16, 30]`
/// for a `[[f64; 30]; 16]` field) and its values in row-major order, so a message can point
/// at one scalar, `layer1.w[3][7]` (a [`Coordinate`]).
///
/// The trait is generic over the scalar type (any [`Float`]: `f32`, `f64`, or a model generic
/// over `T: Float`), because `#[grad]` differentiates all three and an `f32` model must be
/// trainable without converting its parameters.
///
/// # Example
///
/// ```
/// # extern crate autodiff_runtime as autodiff;
/// use autodiff::optim::Params;
///
/// #[derive(Clone, Debug, Default, autodiff::Params)]
/// struct Dense {
///     w: [[f64; 3]; 2],
///     b: [f64; 2],
/// }
///
/// #[derive(Clone, Debug, Default, autodiff::Params)]
/// struct Net {
///     hidden: Dense,
///     out: [f64; 2],
///     bias: f64,
///     #[params(skip)]
///     epochs_trained: usize,
/// }
///
/// let mut grads = Net { bias: 0.5, ..Net::default() };
/// grads.hidden.w[1][2] = 2.0;
/// assert_eq!(grads.num_scalars(), 6 + 2 + 2 + 1);
/// assert_eq!(grads.squared_norm(), 4.25);
///
/// // the walk: names, shapes and values
/// let mut slices = Vec::new();
/// grads.for_each_slice(|s| slices.push((s.name.to_string(), s.shape.to_vec())));
/// assert_eq!(
///     slices,
///     [
///         ("hidden.w".to_string(), vec![2, 3]),
///         ("hidden.b".to_string(), vec![2]),
///         ("out".to_string(), vec![2]),
///         ("bias".to_string(), vec![]),
///     ]
/// );
///
/// grads.hidden.b[1] = f64::NAN;
/// assert!(!grads.is_finite());
/// assert_eq!(grads.first_non_finite().unwrap().to_string(), "hidden.b[1]");
///
/// // a zeroed gradient buffer of the same shape; fields that are not parameters are kept
/// let net = Net { epochs_trained: 3, bias: 1.0, ..Net::default() };
/// let zeros = net.zeros_like();
/// assert_eq!((zeros.bias, zeros.epochs_trained), (0.0, 3));
///
/// // a paired walk: plain gradient descent by hand
/// let mut net = net;
/// let grads = Net { bias: 2.0, ..Net::default() };
/// net.zip_slices_mut(&grads, |p, g| {
///     for (p, g) in p.values.iter_mut().zip(g) {
///         *p -= 0.25 * g;
///     }
/// });
/// assert_eq!(net.bias, 0.5);
/// ```
///
/// # Implementing it by hand
///
/// The derive writes the three walks; a hand-written model implements them the same way:
/// each walk calls `visit` once per parameter slice, naming it [`Name::field`]`(at, "w")`
/// (`at` is where the model sits in an enclosing one, `None` at the top), and hands each
/// nested model the name of its field. Everything else is provided.
///
/// ```
/// use autodiff_runtime::optim::{Name, ParamSlice, Params, Visit, VisitMut, VisitZip};
///
/// #[derive(Clone)]
/// struct Line {
///     slope: f64,
///     intercept: f64,
/// }
///
/// impl Params for Line {
///     type Scalar = f64;
///
///     fn walk(&self, at: Option<&Name<'_>>, visit: &mut Visit<'_, f64>) {
///         for (field, value) in [("slope", &self.slope), ("intercept", &self.intercept)] {
///             let name = Name::field(at, field);
///             visit(ParamSlice { name: &name, shape: &[], values: std::slice::from_ref(value) });
///         }
///     }
///
///     fn walk_mut(&mut self, at: Option<&Name<'_>>, visit: &mut VisitMut<'_, f64>) {
///         for (field, value) in [("slope", &mut self.slope), ("intercept", &mut self.intercept)] {
///             let name = Name::field(at, field);
///             visit(ParamSlice { name: &name, shape: &[], values: std::slice::from_mut(value) });
///         }
///     }
///
///     fn walk_zip(&mut self, other: &Self, at: Option<&Name<'_>>, visit: &mut VisitZip<'_, f64>) {
///         let pairs = [
///             ("slope", &mut self.slope, &other.slope),
///             ("intercept", &mut self.intercept, &other.intercept),
///         ];
///         for (field, mine, theirs) in pairs {
///             let name = Name::field(at, field);
///             let values = std::slice::from_mut(mine);
///             visit(ParamSlice { name: &name, shape: &[], values }, std::slice::from_ref(theirs));
///         }
///     }
/// }
///
/// let line = Line { slope: 2.0, intercept: -1.0 };
/// assert_eq!(line.squared_norm(), 5.0);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model: it does not implement `autodiff::Params`",
    label = "not a model",
    note = "derive it: `#[derive(Clone, autodiff::Params)]`; a parameter that is data (a \
            config, a dataset row) stays data when `#[grad(..)]` names the differentiated \
            parameters, and a model's field that is not a parameter (an activation choice, a \
            size) is marked `#[params(skip)]`"
)]
pub trait Params {
    /// The float type of every parameter.
    type Scalar: Float;

    /// Calls `visit` with every parameter slice, in walk order, named as fields of `at`
    /// (`None`: as top-level fields).
    fn walk(&self, at: Option<&Name<'_>>, visit: &mut Visit<'_, Self::Scalar>);

    /// Calls `visit` with every parameter slice, mutably: the slices of
    /// [`walk`](Params::walk), in the same order.
    fn walk_mut(&mut self, at: Option<&Name<'_>>, visit: &mut VisitMut<'_, Self::Scalar>);

    /// Walks `self` and `other` together: calls `visit` with each slice of `self`, mutably,
    /// and the slice of `other` at the same place in the walk. Sequences of sub-models (a
    /// `Vec<Dense>`) must have the same length in both (else it panics, naming the field);
    /// the slices need not, [`zip_slices_mut`](Params::zip_slices_mut) checks them.
    fn walk_zip(
        &mut self,
        other: &Self,
        at: Option<&Name<'_>>,
        visit: &mut VisitZip<'_, Self::Scalar>,
    );

    /// Whether the field `name` (`"w"`, `"0"` for a tuple struct) holds parameters:
    /// `#[derive(Params)]` answers `false` for a `#[params(skip)]` field, which `#[grad]` then
    /// reads as data (no gradient, a zero tangent). Every field, by default.
    #[inline(always)]
    fn is_param_field(&self, name: &str) -> bool {
        let _ = name;
        true
    }

    /// The number of scalar parameters: the total length of all slices.
    fn num_scalars(&self) -> usize {
        let mut count = 0;
        self.for_each_slice(|s| count += s.values.len());
        count
    }

    /// Calls `f` with every parameter slice, in walk order.
    fn for_each_slice(&self, mut f: impl FnMut(ParamSlice<'_, &[Self::Scalar]>)) {
        self.walk(None, &mut f);
    }

    /// Calls `f` with every parameter slice, mutably, in walk order.
    fn for_each_slice_mut(&mut self, mut f: impl FnMut(ParamSlice<'_, &mut [Self::Scalar]>)) {
        self.walk_mut(None, &mut f);
    }

    /// Walks `self` and `other` together: calls `f(mine, theirs)` with every slice of `self`
    /// and the same slice of `other`. This is how an optimizer pairs the parameters with
    /// their gradient.
    ///
    /// # Panics
    ///
    /// If two paired slices, or two paired sequences of sub-models, have different lengths
    /// (possible for `Vec` fields), naming them.
    fn zip_slices_mut(
        &mut self,
        other: &Self,
        mut f: impl FnMut(ParamSlice<'_, &mut [Self::Scalar]>, &[Self::Scalar]),
    ) {
        self.walk_zip(other, None, &mut |mine, theirs| {
            same_len(mine.name, mine.values.len(), theirs.len());
            f(mine, theirs);
        });
    }

    /// Sets every parameter to zero (e.g. a gradient accumulator before a mini-batch).
    fn zero(&mut self) {
        self.fill(Self::Scalar::zero());
    }

    /// A value of the model's type with every parameter zero (a gradient buffer): a clone
    /// of `self`, zeroed. Fields that are not parameters (`#[params(skip)]`) keep their
    /// values, and `Vec` fields their lengths.
    fn zeros_like(&self) -> Self
    where
        Self: Clone,
    {
        let mut zeros = self.clone();
        zeros.zero();
        zeros
    }

    /// Sets every parameter to `value`.
    fn fill(&mut self, value: Self::Scalar) {
        self.for_each_slice_mut(|s| s.values.fill(value));
    }

    /// Copies every parameter of `other` into `self` (e.g. keep the best weights so far).
    ///
    /// # Panics
    ///
    /// If two paired slices have different lengths, naming the slice.
    fn copy_from(&mut self, other: &Self) {
        self.zip_slices_mut(other, |mine, theirs| mine.values.copy_from_slice(theirs));
    }

    /// `true` if no parameter is NaN or infinite.
    fn is_finite(&self) -> bool {
        let mut finite = true;
        self.for_each_slice(|s| finite = finite && s.values.iter().all(|v| v.is_finite()));
        finite
    }

    /// The first parameter in walk order that is NaN or infinite, for a message:
    /// `layer1.w[3][7]`.
    fn first_non_finite(&self) -> Option<Coordinate> {
        let mut found = None;
        self.for_each_slice(|s| {
            if found.is_none() {
                found = s
                    .values
                    .iter()
                    .position(|v| !v.is_finite())
                    .map(|i| s.coordinate(i));
            }
        });
        found
    }

    /// The sum of the squares of all parameters (of a gradient: its squared Euclidean norm).
    fn squared_norm(&self) -> Self::Scalar {
        let mut sum = Self::Scalar::zero();
        self.for_each_slice(|s| {
            for &v in s.values {
                sum = sum + v * v;
            }
        });
        sum
    }
}

/// What [`Params::walk`] calls with every parameter slice.
pub type Visit<'v, T> = dyn FnMut(ParamSlice<'_, &[T]>) + 'v;

/// What [`Params::walk_mut`] calls with every parameter slice.
pub type VisitMut<'v, T> = dyn FnMut(ParamSlice<'_, &mut [T]>) + 'v;

/// What [`Params::walk_zip`] calls with every slice of the model and the same slice of the
/// other value.
pub type VisitZip<'v, T> = dyn FnMut(ParamSlice<'_, &mut [T]>, &[T]) + 'v;

/// A whole `Vec` is one parameter slice of shape `[len]`: the parameters of a function of a
/// slice (`fn loss(w: &[f64]) -> f64`), whose `loss_grad` returns a `Vec` gradient. At the top
/// of a walk the slice is named `params`; as a nested model, by its field.
///
/// ```
/// use autodiff_runtime::optim::Params;
///
/// let mut w = vec![1.0, f64::INFINITY];
/// assert_eq!(w.first_non_finite().unwrap().to_string(), "params[1]");
/// w.zero();
/// assert_eq!(w, [0.0, 0.0]);
/// ```
impl<T: Float> Params for Vec<T> {
    type Scalar = T;

    fn walk(&self, at: Option<&Name<'_>>, visit: &mut Visit<'_, T>) {
        walk_whole(self, at, visit);
    }

    fn walk_mut(&mut self, at: Option<&Name<'_>>, visit: &mut VisitMut<'_, T>) {
        walk_whole_mut(self, at, visit);
    }

    fn walk_zip(&mut self, other: &Self, at: Option<&Name<'_>>, visit: &mut VisitZip<'_, T>) {
        zip_whole(self, other, at, visit);
    }
}

/// A whole array is one parameter slice of shape `[N]`, named `params` at the top of a walk.
impl<T: Float, const N: usize> Params for [T; N] {
    type Scalar = T;

    fn walk(&self, at: Option<&Name<'_>>, visit: &mut Visit<'_, T>) {
        walk_whole(self, at, visit);
    }

    fn walk_mut(&mut self, at: Option<&Name<'_>>, visit: &mut VisitMut<'_, T>) {
        walk_whole_mut(self, at, visit);
    }

    fn walk_zip(&mut self, other: &Self, at: Option<&Name<'_>>, visit: &mut VisitZip<'_, T>) {
        zip_whole(self, other, at, visit);
    }
}

/// The name of a model that is a single slice (a `Vec` or an array) at the top of a walk.
const WHOLE: Name<'static> = Name::field(None, "params");

/// The walks of a model that is the single slice `values`.
fn walk_whole<T>(values: &[T], at: Option<&Name<'_>>, visit: &mut Visit<'_, T>) {
    let name = at.unwrap_or(&WHOLE);
    visit(ParamSlice {
        name,
        shape: &[values.len()],
        values,
    });
}

fn walk_whole_mut<T>(values: &mut [T], at: Option<&Name<'_>>, visit: &mut VisitMut<'_, T>) {
    let name = at.unwrap_or(&WHOLE);
    visit(ParamSlice {
        name,
        shape: &[values.len()],
        values,
    });
}

fn zip_whole<T>(values: &mut [T], other: &[T], at: Option<&Name<'_>>, visit: &mut VisitZip<'_, T>) {
    let name = at.unwrap_or(&WHOLE);
    let slice = ParamSlice {
        name,
        shape: &[values.len()],
        values,
    };
    visit(slice, other);
}

/// Checks that two paired slices or sequences of sub-models have the same length.
#[inline]
#[track_caller]
pub fn same_len(name: &Name<'_>, mine: usize, theirs: usize) {
    if mine != theirs {
        length_mismatch(name, mine, theirs);
    }
}

#[cold]
#[track_caller]
fn length_mismatch(name: &Name<'_>, mine: usize, theirs: usize) -> ! {
    panic!(
        "autodiff: `{name}` has {mine} elements in one value and {theirs} in the other; \
         parameters and gradients must have the same shape"
    )
}

/// What the code of `#[derive(Params)]` calls besides the public API; not a public API.
#[doc(hidden)]
pub mod __derive {
    pub use super::same_len;
}
