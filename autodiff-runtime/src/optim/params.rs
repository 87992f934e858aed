//! [`Params`]: a model as a fixed list of named float slices.

use num_traits::{Float, Zero};

/// A model's trainable parameters, seen as a fixed list of named float slices.
///
/// A model is a struct of named arrays (`w1: [[f64; 30]; 16]`, `b1: [f64; 16]`, `b2: f64`,
/// `w: Vec<f64>`, ...). Its gradient is a value of the same type, which `NAME_adjoint`
/// accumulates into. Optimizers and the trainer walk the parameters and the gradient
/// together, slice by slice, through this trait: slice `i` of the gradient is the gradient of
/// slice `i` of the parameters.
///
/// Implementing it means listing the fields once: their names in [`NAMES`](Params::NAMES), and
/// how to view field `i` as a slice in [`slice`](Params::slice) and
/// [`slice_mut`](Params::slice_mut). A 2-D array is viewed row-major with [`flatten`] /
/// [`flatten_mut`], a scalar with [`std::slice::from_ref`] / [`std::slice::from_mut`]. The
/// [`params!`](crate::params) macro writes the same impl from the field names. Everything else
/// (zeroing, finiteness checks, copies, paired walks) is provided.
///
/// The trait is generic over the scalar type (any [`Float`]: `f32`, `f64`, or a model generic
/// over `T: Float`), because `#[grad]` differentiates all three and an `f32` model must be
/// trainable without converting its parameters.
///
/// # Example
///
/// ```
/// use autodiff_runtime::optim::{flatten, flatten_mut, Params};
///
/// #[derive(Clone, Default)]
/// struct Net {
///     w1: [[f64; 3]; 2],
///     b1: [f64; 2],
///     w2: [f64; 2],
///     b2: f64,
/// }
///
/// impl Params for Net {
///     type Scalar = f64;
///     const NAMES: &'static [&'static str] = &["w1", "b1", "w2", "b2"];
///
///     fn slice(&self, i: usize) -> &[f64] {
///         match i {
///             0 => flatten(&self.w1),
///             1 => &self.b1,
///             2 => &self.w2,
///             _ => std::slice::from_ref(&self.b2),
///         }
///     }
///
///     fn slice_mut(&mut self, i: usize) -> &mut [f64] {
///         match i {
///             0 => flatten_mut(&mut self.w1),
///             1 => &mut self.b1,
///             2 => &mut self.w2,
///             _ => std::slice::from_mut(&mut self.b2),
///         }
///     }
/// }
///
/// let mut grads = Net { b2: 0.5, ..Net::default() };
/// grads.w1[1][2] = 2.0;
/// assert_eq!(grads.num_scalars(), 6 + 2 + 2 + 1);
/// assert_eq!(grads.squared_norm(), 4.25);
///
/// grads.b1[0] = f64::NAN;
/// assert!(!grads.is_finite());
/// assert_eq!(grads.first_non_finite(), Some(("b1", 0)));
///
/// grads.zero();
/// assert!(grads.is_finite());
/// assert_eq!(grads.squared_norm(), 0.0);
///
/// // A paired walk: plain gradient descent by hand.
/// let mut net = Net { b2: 1.0, ..Net::default() };
/// let grads = Net { b2: 2.0, ..Net::default() };
/// net.zip_slices_mut(&grads, |_name, p, g| {
///     for (p, g) in p.iter_mut().zip(g) {
///         *p -= 0.25 * g;
///     }
/// });
/// assert_eq!(net.b2, 0.5);
/// ```
pub trait Params {
    /// The float type of every parameter.
    type Scalar: Float;

    /// The names of the parameter slices, in walk order. `NAMES.len()` is the number of
    /// slices; slice `i` is called `NAMES[i]` in error messages and reports.
    const NAMES: &'static [&'static str];

    /// Parameter slice `i`, for `i < NAMES.len()`.
    ///
    /// Callers never pass `i >= NAMES.len()`; an implementation may map every such index to
    /// its last slice or panic.
    fn slice(&self, i: usize) -> &[Self::Scalar];

    /// Parameter slice `i`, mutably: the same elements as [`slice`](Params::slice)`(i)`, in
    /// the same order.
    fn slice_mut(&mut self, i: usize) -> &mut [Self::Scalar];

    /// The number of scalar parameters: the total length of all slices.
    fn num_scalars(&self) -> usize {
        (0..Self::NAMES.len()).map(|i| self.slice(i).len()).sum()
    }

    /// Calls `f(name, slice)` for every parameter slice, in order.
    fn for_each_slice(&self, mut f: impl FnMut(&'static str, &[Self::Scalar])) {
        for (i, name) in Self::NAMES.iter().enumerate() {
            f(name, self.slice(i));
        }
    }

    /// Calls `f(name, slice)` for every parameter slice, mutably, in order.
    fn for_each_slice_mut(&mut self, mut f: impl FnMut(&'static str, &mut [Self::Scalar])) {
        for (i, name) in Self::NAMES.iter().enumerate() {
            f(name, self.slice_mut(i));
        }
    }

    /// Walks `self` and `other` together: calls `f(name, mine, theirs)` with slice `i` of
    /// each, for every `i` in order. This is how an optimizer pairs parameters with their
    /// gradient.
    ///
    /// # Panics
    ///
    /// If two paired slices have different lengths (possible for `Vec` fields), naming the
    /// slice.
    fn zip_slices_mut(
        &mut self,
        other: &Self,
        mut f: impl FnMut(&'static str, &mut [Self::Scalar], &[Self::Scalar]),
    ) {
        for (i, name) in Self::NAMES.iter().enumerate() {
            let mine = self.slice_mut(i);
            let theirs = other.slice(i);
            if mine.len() != theirs.len() {
                length_mismatch(name, mine.len(), theirs.len());
            }
            f(name, mine, theirs);
        }
    }

    /// Sets every parameter to zero (e.g. a gradient accumulator before a mini-batch).
    fn zero(&mut self) {
        self.fill(Self::Scalar::zero());
    }

    /// Sets every parameter to `value`.
    fn fill(&mut self, value: Self::Scalar) {
        self.for_each_slice_mut(|_, s| s.fill(value));
    }

    /// Copies every parameter of `other` into `self` (e.g. keep the best weights so far).
    ///
    /// # Panics
    ///
    /// If two paired slices have different lengths, naming the slice.
    fn copy_from(&mut self, other: &Self) {
        self.zip_slices_mut(other, |_, mine, theirs| mine.copy_from_slice(theirs));
    }

    /// `true` if no parameter is NaN or infinite.
    fn is_finite(&self) -> bool {
        self.first_non_finite().is_none()
    }

    /// The first parameter that is NaN or infinite, as (slice name, index within the slice).
    fn first_non_finite(&self) -> Option<(&'static str, usize)> {
        Self::NAMES.iter().enumerate().find_map(|(i, name)| {
            self.slice(i)
                .iter()
                .position(|v| !v.is_finite())
                .map(|j| (*name, j))
        })
    }

    /// The sum of the squares of all parameters (of a gradient: its squared Euclidean norm).
    fn squared_norm(&self) -> Self::Scalar {
        let mut sum = Self::Scalar::zero();
        self.for_each_slice(|_, s| {
            for &v in s {
                sum = sum + v * v;
            }
        });
        sum
    }
}

#[cold]
#[track_caller]
fn length_mismatch(name: &str, mine: usize, theirs: usize) -> ! {
    panic!(
        "autodiff: parameter slice `{name}` has {mine} elements in one value and {theirs} in \
         the other; parameters and gradients must have the same shape"
    )
}

/// A whole `Vec` is one parameter slice, named `"params"`: the parameters of a function of a
/// slice (`fn loss(w: &[f64]) -> f64`), whose `loss_grad` returns a `Vec` gradient.
///
/// ```
/// use autodiff_runtime::optim::Params;
///
/// let mut w = vec![1.0, f64::INFINITY];
/// assert_eq!(w.first_non_finite(), Some(("params", 1)));
/// w.zero();
/// assert_eq!(w, [0.0, 0.0]);
/// ```
impl<T: Float> Params for Vec<T> {
    type Scalar = T;
    const NAMES: &'static [&'static str] = &["params"];

    fn slice(&self, _: usize) -> &[T] {
        self
    }

    fn slice_mut(&mut self, _: usize) -> &mut [T] {
        self
    }
}

/// A whole array is one parameter slice, named `"params"`.
impl<T: Float, const N: usize> Params for [T; N] {
    type Scalar = T;
    const NAMES: &'static [&'static str] = &["params"];

    fn slice(&self, _: usize) -> &[T] {
        self
    }

    fn slice_mut(&mut self, _: usize) -> &mut [T] {
        self
    }
}

/// A 2-D array viewed as one row-major slice (`w[i][j]` is element `i * M + j`).
///
/// ```
/// use autodiff_runtime::optim::flatten;
///
/// let w = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
/// assert_eq!(flatten(&w), &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// ```
pub fn flatten<T, const M: usize, const N: usize>(array: &[[T; M]; N]) -> &[T] {
    array.as_flattened()
}

/// A 2-D array viewed as one mutable row-major slice (`w[i][j]` is element `i * M + j`).
///
/// ```
/// use autodiff_runtime::optim::flatten_mut;
///
/// let mut w = [[0.0; 3]; 2];
/// flatten_mut(&mut w)[4] = 1.0;
/// assert_eq!(w[1][1], 1.0);
/// ```
pub fn flatten_mut<T, const M: usize, const N: usize>(array: &mut [[T; M]; N]) -> &mut [T] {
    array.as_flattened_mut()
}

/// A field viewed as a parameter slice: a scalar `T`, `[T; N]`, `[[T; M]; N]` (row-major) or
/// `Vec<T>`. The [`params!`](crate::params) macro uses it to view each listed field.
pub trait AsParamSlice<T> {
    /// The field as a slice.
    fn as_param_slice(&self) -> &[T];
    /// The field as a mutable slice.
    fn as_param_slice_mut(&mut self) -> &mut [T];
}

impl<T: Float> AsParamSlice<T> for T {
    fn as_param_slice(&self) -> &[T] {
        std::slice::from_ref(self)
    }

    fn as_param_slice_mut(&mut self) -> &mut [T] {
        std::slice::from_mut(self)
    }
}

impl<T: Float, const N: usize> AsParamSlice<T> for [T; N] {
    fn as_param_slice(&self) -> &[T] {
        self
    }

    fn as_param_slice_mut(&mut self) -> &mut [T] {
        self
    }
}

impl<T: Float, const M: usize, const N: usize> AsParamSlice<T> for [[T; M]; N] {
    fn as_param_slice(&self) -> &[T] {
        flatten(self)
    }

    fn as_param_slice_mut(&mut self) -> &mut [T] {
        flatten_mut(self)
    }
}

impl<T: Float> AsParamSlice<T> for Vec<T> {
    fn as_param_slice(&self) -> &[T] {
        self
    }

    fn as_param_slice_mut(&mut self) -> &mut [T] {
        self
    }
}

/// Implements [`Params`](crate::optim::Params) for a model struct from its field names.
///
/// `params!(Model: Scalar { field, .. })` lists the trainable fields in walk order; each is a
/// scalar, `[T; N]`, `[[T; M]; N]` or `Vec<T>` (see
/// [`AsParamSlice`](crate::optim::AsParamSlice)). For a model generic over its float type,
/// write `params!(impl<T: Float> Model<T>: T { .. })` (one bound per generic parameter).
/// Fields not listed are not parameters (and are never touched by optimizers).
///
/// ```
/// use autodiff_runtime::optim::Params;
/// use autodiff_runtime::{params, Float};
///
/// #[derive(Clone, Default)]
/// struct Net {
///     w1: [[f64; 3]; 2],
///     b1: [f64; 2],
///     w2: Vec<f64>,
///     b2: f64,
/// }
/// params!(Net: f64 { w1, b1, w2, b2 });
///
/// let mut net = Net { w2: vec![0.0; 2], ..Net::default() };
/// assert_eq!(Net::NAMES, ["w1", "b1", "w2", "b2"]);
/// net.fill(1.0);
/// assert_eq!(net.w1[1], [1.0; 3]);
/// assert_eq!(net.b2, 1.0);
/// assert_eq!(net.num_scalars(), 11);
///
/// // Generic over the float type.
/// struct Line<T> {
///     slope: T,
///     intercept: T,
/// }
/// params!(impl<T: Float> Line<T>: T { slope, intercept });
///
/// let line = Line { slope: 2.0f32, intercept: -1.0 };
/// assert_eq!(line.squared_norm(), 5.0);
/// ```
#[macro_export]
macro_rules! params {
    (impl<$($g:ident $(: $bound:path)?),+ $(,)?> $ty:ty : $scalar:ty {
        $($field:ident),+ $(,)?
    }) => {
        impl<$($g $(: $bound)?),+> $crate::optim::Params for $ty {
            $crate::__params_body!($scalar; $($field),+);
        }
    };
    ($ty:ty : $scalar:ty { $($field:ident),+ $(,)? }) => {
        impl $crate::optim::Params for $ty {
            $crate::__params_body!($scalar; $($field),+);
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __params_body {
    ($scalar:ty; $($field:ident),+) => {
        type Scalar = $scalar;
        const NAMES: &'static [&'static str] = &[$(::core::stringify!($field)),+];

        fn slice(&self, i: usize) -> &[$scalar] {
            #[allow(non_camel_case_types, clippy::enum_variant_names)]
            #[repr(usize)]
            enum Field { $($field),+ }
            $(
                if i == Field::$field as usize {
                    return <_ as $crate::optim::AsParamSlice<$scalar>>::as_param_slice(
                        &self.$field,
                    );
                }
            )+
            $crate::optim::__index_out_of_range(i, <Self as $crate::optim::Params>::NAMES)
        }

        fn slice_mut(&mut self, i: usize) -> &mut [$scalar] {
            #[allow(non_camel_case_types, clippy::enum_variant_names)]
            #[repr(usize)]
            enum Field { $($field),+ }
            $(
                if i == Field::$field as usize {
                    return <_ as $crate::optim::AsParamSlice<$scalar>>::as_param_slice_mut(
                        &mut self.$field,
                    );
                }
            )+
            $crate::optim::__index_out_of_range(i, <Self as $crate::optim::Params>::NAMES)
        }
    };
}

#[doc(hidden)]
#[cold]
#[track_caller]
pub fn __index_out_of_range(i: usize, names: &[&str]) -> ! {
    panic!(
        "autodiff: parameter slice index {i} out of range; the model has {} slices: {names:?}",
        names.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, Default, PartialEq)]
    struct Net {
        w1: [[f64; 3]; 2],
        b1: [f64; 2],
        w2: Vec<f64>,
        b2: f64,
        not_a_param: f64,
    }
    crate::params!(Net: f64 { w1, b1, w2, b2 });

    fn net() -> Net {
        Net {
            w1: [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
            b1: [7.0, 8.0],
            w2: vec![9.0, 10.0],
            b2: 11.0,
            not_a_param: 12.0,
        }
    }

    #[test]
    fn macro_walks_fields_in_order_row_major() {
        let mut seen = Vec::new();
        net().for_each_slice(|name, s| seen.push((name, s.to_vec())));
        assert_eq!(
            seen,
            [
                ("w1", vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
                ("b1", vec![7.0, 8.0]),
                ("w2", vec![9.0, 10.0]),
                ("b2", vec![11.0]),
            ]
        );
        assert_eq!(net().num_scalars(), 11);
    }

    #[test]
    fn helpers_leave_unlisted_fields_alone() {
        let mut n = net();
        n.zero();
        assert_eq!(n.w1, [[0.0; 3]; 2]);
        assert_eq!(n.w2, [0.0, 0.0]);
        assert_eq!(n.b2, 0.0);
        assert_eq!(n.not_a_param, 12.0);
        n.copy_from(&net());
        assert_eq!(n, net());
    }

    #[test]
    fn squared_norm_sums_all_squares() {
        // 1 + 4 + ... + 121 = 11 * 12 * 23 / 6
        assert_eq!(net().squared_norm(), 506.0);
    }

    #[test]
    fn first_non_finite_names_slice_and_index() {
        let mut n = net();
        assert!(n.is_finite());
        n.w1[1][0] = f64::NEG_INFINITY;
        n.b2 = f64::NAN;
        assert_eq!(n.first_non_finite(), Some(("w1", 3)));
        n.w1[1][0] = 0.0;
        assert_eq!(n.first_non_finite(), Some(("b2", 0)));
    }

    #[test]
    fn flatten_mut_is_row_major() {
        let mut w = [[0; 3]; 2];
        for (k, v) in flatten_mut(&mut w).iter_mut().enumerate() {
            *v = k;
        }
        assert_eq!(w, [[0, 1, 2], [3, 4, 5]]);
        let empty: [[f32; 0]; 4] = [[]; 4];
        assert!(flatten(&empty).is_empty());
    }

    #[test]
    #[should_panic(expected = "parameter slice `w2` has 2 elements in one value and 3")]
    fn paired_walk_rejects_shape_mismatch() {
        let mut n = net();
        let mut other = net();
        other.w2.push(0.0);
        n.copy_from(&other);
    }

    #[test]
    #[should_panic(expected = "parameter slice index 4 out of range")]
    fn macro_slice_out_of_range_panics() {
        net().slice(4);
    }
}
