//! Tangents: the direction a forward-mode `NAME_tangent` differentiates along.
//!
//! `#[grad(modes(tangent))]` generates `NAME_tangent(args.., t_p..) -> (value, t_out)`, the
//! Jacobian-vector product `J t`. It takes one tangent argument per float parameter `p`, in
//! order, with the parameter's shape; arrays by reference. [`Const`] is a zero tangent ("this
//! argument does not move"). Tangents are read, never written, so they are generic parameters
//! bounded by the read-only counterparts of the shadow traits:
//!
//! | parameter type              | tangent                                       |
//! |-----------------------------|-----------------------------------------------|
//! | `T`                         | `T`                                           |
//! | `[T; N]`, `&[T; N]`         | `&[T; N]`                                     |
//! | `&[T]`, `&Vec<T>`           | `&[T]`, `&Vec<T>`, `&[T; N]`                  |
//! | `&[[T; M]; N]`              | `&[[T; M]; N]`                                |
//! | `&Model`, `Model` (a struct implementing [`Params`]) | `&Model`             |
//!
//! [`Const`] works in every row.
//!
//! ```
//! use autodiff_runtime::tangent::{SliceTangent, Tangent};
//! use autodiff_runtime::Const;
//!
//! assert_eq!(Tangent::<f64>::get(&2.5), 2.5);
//! assert_eq!(Tangent::<f64>::get(&Const), 0.0);
//! assert_eq!(SliceTangent::<f64>::at(&&[1.0, 2.0][..], 1), 2.0);
//! assert_eq!(SliceTangent::<f64>::at(&&vec![1.0, 2.0], 0), 1.0);
//! assert_eq!(SliceTangent::<f64>::at(&Const, 7), 0.0);
//! ```

use num_traits::Float;

use crate::optim::Params;
use crate::shadow::Const;

/// The tangent of a scalar float argument: the value itself, or [`Const`] for zero.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tangent of a scalar `{T}`",
    label = "expected a `{T}` or `autodiff::Const`",
    note = "the tangent of a scalar parameter is a number of the same type (`Const` for zero)"
)]
pub trait Tangent<T> {
    /// `false` for [`Const`]: the tangent is zero.
    const ACTIVE: bool;

    /// The tangent's value (zero for [`Const`]).
    fn get(&self) -> T;
}

impl<T: Float> Tangent<T> for T {
    const ACTIVE: bool = true;

    #[inline(always)]
    fn get(&self) -> T {
        *self
    }
}

/// The tangent of a model's number field handed on whole (`g(x, m.k)`): the field of the
/// model's tangent, or `None` when the model has none.
impl<T: Float> Tangent<T> for Option<&T> {
    const ACTIVE: bool = true;

    #[inline(always)]
    fn get(&self) -> T {
        self.copied().unwrap_or_else(T::zero)
    }
}

impl<T: Float> Tangent<T> for Const {
    const ACTIVE: bool = false;

    #[inline(always)]
    fn get(&self) -> T {
        T::zero()
    }
}

/// The tangent of a one-dimensional float argument (`[T; N]`, `&[T; N]`, `&[T]`, `&Vec<T>`):
/// `&[T]`, `&[T; N]`, `&Vec<T>` or [`Const`]. Tangents are references (or markers), so they
/// are `Copy` and handed on to callees as they are.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tangent of an array of `{T}`",
    label = "expected `&[{T}]`, `&[{T}; N]`, `&Vec<{T}>` or `autodiff::Const`",
    note = "the tangent of an array parameter is an array of the same length, by reference (`Const` for zero)"
)]
pub trait SliceTangent<T>: Copy {
    /// `false` for [`Const`]: the tangent is zero.
    const ACTIVE: bool;

    /// Checks, before any work is done, that the tangent has one element per element of the
    /// argument.
    ///
    /// # Panics
    ///
    /// If the lengths differ, with a message naming the parameter.
    fn check_len(&self, len: usize, param: &str);

    /// Element `i` (zero for [`Const`]).
    fn at(&self, i: usize) -> T;

    /// The tangent of elements `start..end`, handed to a callee that takes `&x[start..end]`.
    type Part: SliceTangent<T>;

    /// The tangent of elements `start..end` (as a slice of them, or `Const`).
    fn part(&self, start: usize, end: usize) -> Self::Part;
}

#[cold]
#[track_caller]
fn length_mismatch(param: &str, tangent: usize, primal: usize) -> ! {
    panic!(
        "autodiff: the tangent of `{param}` has {tangent} elements but `{param}` has {primal}; \
         pass a tangent of the same length (or `Const`)"
    )
}

impl<'a, T: Copy> SliceTangent<T> for &'a [T] {
    const ACTIVE: bool = true;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        if self.len() != len {
            length_mismatch(param, self.len(), len);
        }
    }

    #[inline(always)]
    fn at(&self, i: usize) -> T {
        self[i]
    }

    type Part = &'a [T];

    #[inline(always)]
    fn part(&self, start: usize, end: usize) -> &'a [T] {
        &self[start..end]
    }
}

impl<'a, T: Copy, const N: usize> SliceTangent<T> for &'a [T; N] {
    const ACTIVE: bool = true;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        self.as_slice().check_len(len, param);
    }

    #[inline(always)]
    fn at(&self, i: usize) -> T {
        self[i]
    }

    type Part = &'a [T];

    #[inline(always)]
    fn part(&self, start: usize, end: usize) -> &'a [T] {
        &self[start..end]
    }
}

impl<'a, T: Copy> SliceTangent<T> for &'a Vec<T> {
    const ACTIVE: bool = true;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        self.as_slice().check_len(len, param);
    }

    #[inline(always)]
    fn at(&self, i: usize) -> T {
        self[i]
    }

    type Part = &'a [T];

    #[inline(always)]
    fn part(&self, start: usize, end: usize) -> &'a [T] {
        &self[start..end]
    }
}

/// A tuple of numbers of one type (`&(f64, f64)`) is the tangent of a tuple parameter, its
/// elements numbered as its fields are; by value too, as a call's tuple result hands on its
/// tangent (`det(diff(b, a), v)`).
macro_rules! tuple_tangents {
    ($($len:literal => ($($index:tt),+)),+ $(,)?) => {$(
        tuple_tangents!(@impl $len ($($index),+) &'a ($(tuple_tangents!(@elem $index T),)+));
        tuple_tangents!(@impl $len ($($index),+) ($(tuple_tangents!(@elem $index T),)+));
    )+};
    (@impl $len:literal ($($index:tt),+) $tuple:ty) => {
        impl<'a, T: Copy> SliceTangent<T> for $tuple {
            const ACTIVE: bool = true;

            #[inline(always)]
            #[track_caller]
            fn check_len(&self, len: usize, param: &str) {
                if len != $len {
                    length_mismatch(param, $len, len);
                }
            }

            #[inline(always)]
            #[track_caller]
            fn at(&self, i: usize) -> T {
                match i {
                    $($index => self.$index,)+
                    _ => crate::shadow::index_out_of_tuple(i, $len),
                }
            }

            type Part = TuplePart<Self>;

            #[inline(always)]
            #[track_caller]
            fn part(&self, start: usize, end: usize) -> TuplePart<Self> {
                TuplePart::new(*self, start, end, $len)
            }
        }
    };
    (@elem $index:tt $t:ident) => { $t };
}

crate::for_tuples!(tuple_tangents);

/// The tangent of elements `start..end` of a tuple (`SliceTangent::part` of `&(T, T, T)`).
#[derive(Clone, Copy, Debug)]
pub struct TuplePart<S> {
    tuple: S,
    start: usize,
    len: usize,
}

impl<S> TuplePart<S> {
    #[inline(always)]
    #[track_caller]
    fn new(tuple: S, start: usize, end: usize, len: usize) -> Self {
        TuplePart {
            tuple,
            start,
            len: crate::shadow::tuple_part_len(start, end, len),
        }
    }
}

impl<T, S: SliceTangent<T>> SliceTangent<T> for TuplePart<S> {
    const ACTIVE: bool = true;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        if self.len != len {
            length_mismatch(param, self.len, len);
        }
    }

    #[inline(always)]
    fn at(&self, i: usize) -> T {
        self.tuple.at(self.start + i)
    }

    type Part = TuplePart<S>;

    #[inline(always)]
    #[track_caller]
    fn part(&self, start: usize, end: usize) -> TuplePart<S> {
        let mut part = TuplePart::new(self.tuple, start, end, self.len);
        part.start += self.start;
        part
    }
}

impl<T: Float> SliceTangent<T> for Const {
    const ACTIVE: bool = false;

    #[inline(always)]
    fn check_len(&self, _: usize, _: &str) {}

    #[inline(always)]
    fn at(&self, _: usize) -> T {
        T::zero()
    }

    type Part = Const;

    #[inline(always)]
    fn part(&self, _: usize, _: usize) -> Const {
        Const
    }
}

/// The tangent of a matrix argument `&[[T; M]; N]`: `&[[T; M]; N]` or [`Const`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tangent of a matrix of `{T}`",
    label = "expected `&[[{T}; M]; N]` or `autodiff::Const`",
    note = "the tangent of a matrix parameter is a matrix of the same shape, by reference (`Const` for zero)"
)]
pub trait MatrixTangent<T>: Copy {
    /// `false` for [`Const`]: the tangent is zero.
    const ACTIVE: bool;

    /// The tangent of one row, handed to a callee that takes the row as an array.
    type Row: SliceTangent<T>;

    /// Checks, before any work is done, that the tangent has the argument's shape.
    ///
    /// # Panics
    ///
    /// If the shapes differ, with a message naming the parameter.
    fn check_shape(&self, rows: usize, cols: usize, param: &str);

    /// Element `(i, j)` (zero for [`Const`]).
    fn at(&self, i: usize, j: usize) -> T;

    /// The tangent of row `i`.
    fn row(&self, i: usize) -> Self::Row;
}

impl<'a, T: Copy, const M: usize, const N: usize> MatrixTangent<T> for &'a [[T; M]; N] {
    const ACTIVE: bool = true;
    type Row = &'a [T; M];

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        MatrixTangent::check_shape(&&self[..], rows, cols, param);
    }

    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> T {
        self[i][j]
    }

    #[inline(always)]
    fn row(&self, i: usize) -> &'a [T; M] {
        &self[i]
    }
}

/// Rows of a runtime count (a model's `Vec<[T; M]>` field).
impl<'a, T: Copy, const M: usize> MatrixTangent<T> for &'a [[T; M]] {
    const ACTIVE: bool = true;
    type Row = &'a [T; M];

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        if (self.len(), M) != (rows, cols) {
            panic!(
                "autodiff: the tangent of `{param}` is {}x{M} but `{param}` is {rows}x{cols}; \
                 pass a tangent of the same shape (or `Const`)",
                self.len()
            );
        }
    }

    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> T {
        self[i][j]
    }

    #[inline(always)]
    fn row(&self, i: usize) -> &'a [T; M] {
        &self[i]
    }
}

/// A `Vec` of rows: as the slice of them.
impl<'a, T: Copy, R> MatrixTangent<T> for &'a Vec<R>
where
    &'a [R]: MatrixTangent<T>,
{
    const ACTIVE: bool = true;
    type Row = <&'a [R] as MatrixTangent<T>>::Row;

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        MatrixTangent::check_shape(&self.as_slice(), rows, cols, param);
    }

    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> T {
        MatrixTangent::at(&self.as_slice(), i, j)
    }

    #[inline(always)]
    fn row(&self, i: usize) -> Self::Row {
        MatrixTangent::row(&self.as_slice(), i)
    }
}

/// Rows of their own lengths (a model's `Vec<Vec<T>>` field).
impl<'a, T: Copy> MatrixTangent<T> for &'a [Vec<T>] {
    const ACTIVE: bool = true;
    type Row = &'a Vec<T>;

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        let fits = self.len() == rows && self.iter().all(|row| row.len() == cols);
        if !fits {
            panic!(
                "autodiff: the tangent of `{param}` does not have its shape ({rows} rows of \
                 {cols}); pass a tangent of the same shape (or `Const`)"
            );
        }
    }

    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> T {
        self[i][j]
    }

    #[inline(always)]
    fn row(&self, i: usize) -> &'a Vec<T> {
        &self[i]
    }
}

impl<T: Float> MatrixTangent<T> for Const {
    const ACTIVE: bool = false;
    type Row = Const;

    #[inline(always)]
    fn check_shape(&self, _: usize, _: usize, _: &str) {}

    #[inline(always)]
    fn at(&self, _: usize, _: usize) -> T {
        T::zero()
    }

    #[inline(always)]
    fn row(&self, _: usize) -> Const {
        Const
    }
}

/// The tangent of a model argument (`net: &Net` with `Net: Params`): `&Net`, a tangent of the
/// model's own type, or [`Const`].
///
/// ```
/// use autodiff_runtime::{tangent::ParamsTangent, Const};
///
/// let t = vec![1.0, 2.0];
/// assert!(ParamsTangent::<Vec<f64>>::get(&&t).is_some());
/// assert!(ParamsTangent::<Vec<f64>>::get(&Const).is_none());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tangent of a `{M}`: the tangent of a model has the model's type",
    label = "expected `&{M}` or `autodiff::Const`",
    note = "pass `&t` with `t: {M}` (a direction in the model's parameters), or `autodiff::Const` for zero"
)]
pub trait ParamsTangent<M: ?Sized>: Copy {
    /// `false` for [`Const`]: the tangent is zero.
    const ACTIVE: bool;

    /// The tangent, or `None` for [`Const`].
    fn get(&self) -> Option<&M>;
}

impl<M: Params + ?Sized> ParamsTangent<M> for &M {
    const ACTIVE: bool = true;

    #[inline(always)]
    fn get(&self) -> Option<&M> {
        Some(*self)
    }
}

impl<M: ?Sized> ParamsTangent<M> for Const {
    const ACTIVE: bool = false;

    #[inline(always)]
    fn get(&self) -> Option<&M> {
        None
    }
}

// Inside a generated `_tangent`, the tangent of a model's field is an `Option<&F>` projected
// from the model's (`None` when the model's tangent is `Const`).

impl<M: ?Sized, S: ParamsTangent<M>> ParamsTangent<M> for Option<S> {
    const ACTIVE: bool = S::ACTIVE;

    #[inline(always)]
    fn get(&self) -> Option<&M> {
        self.as_ref().and_then(ParamsTangent::get)
    }
}

impl<T: Float, S: SliceTangent<T>> SliceTangent<T> for Option<S> {
    const ACTIVE: bool = S::ACTIVE;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        if let Some(s) = self {
            s.check_len(len, param);
        }
    }

    #[inline(always)]
    fn at(&self, i: usize) -> T {
        match self {
            Some(s) => s.at(i),
            None => T::zero(),
        }
    }

    type Part = Option<S::Part>;

    #[inline(always)]
    fn part(&self, start: usize, end: usize) -> Option<S::Part> {
        self.as_ref().map(|s| s.part(start, end))
    }
}

impl<T: Float, S: MatrixTangent<T>> MatrixTangent<T> for Option<S> {
    const ACTIVE: bool = S::ACTIVE;
    type Row = Option<S::Row>;

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        if let Some(s) = self {
            s.check_shape(rows, cols, param);
        }
    }

    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> T {
        match self {
            Some(s) => s.at(i, j),
            None => T::zero(),
        }
    }

    #[inline(always)]
    fn row(&self, i: usize) -> Option<S::Row> {
        self.as_ref().map(|s| s.row(i))
    }
}

/// The tangent `e_k` of a one-dimensional argument: one at index `k`, zero elsewhere, with no
/// array behind it. `NAME_jacobian` passes it to `NAME_tangent` to get column `k`.
///
/// ```
/// use autodiff_runtime::tangent::{SliceTangent, Unit};
///
/// let e = Unit(2);
/// let v: Vec<f64> = (0..4).map(|i| e.at(i)).collect();
/// assert_eq!(v, [0.0, 0.0, 1.0, 0.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit(pub usize);

impl<T: Float> SliceTangent<T> for Unit {
    const ACTIVE: bool = true;

    #[inline(always)]
    fn check_len(&self, _: usize, _: &str) {}

    #[inline(always)]
    fn at(&self, i: usize) -> T {
        if i == self.0 {
            T::one()
        } else {
            T::zero()
        }
    }

    /// `e_k` seen from `start`, or zero (`None`) when `k` is outside `start..end`.
    type Part = Option<Unit>;

    #[inline(always)]
    fn part(&self, start: usize, end: usize) -> Option<Unit> {
        (start..end).contains(&self.0).then(|| Unit(self.0 - start))
    }
}

/// The tangent `e_(r, c)` of a matrix argument: one at row `r`, column `c`, zero elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitMatrix(pub usize, pub usize);

impl<T: Float> MatrixTangent<T> for UnitMatrix {
    const ACTIVE: bool = true;
    type Row = Unit;

    #[inline(always)]
    fn check_shape(&self, _: usize, _: usize, _: &str) {}

    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> T {
        if (i, j) == (self.0, self.1) {
            T::one()
        } else {
            T::zero()
        }
    }

    /// Row `r` is `e_c`; any other row is zero (a unit at an index no row has).
    #[inline(always)]
    fn row(&self, i: usize) -> Unit {
        Unit(if i == self.0 { self.1 } else { usize::MAX })
    }
}
