//! Shadows: where an `_adjoint` function adds the gradient of one argument.
//!
//! Every float-typed parameter `p` of a `#[grad]` function gets a shadow argument `d_p` in
//! `NAME_adjoint`. A shadow is either a mutable accumulator, into which the adjoint *adds*
//! `d_out * ∂f/∂p`, or [`Const`], which says "not differentiated at this call". Shadows are
//! generic parameters, so each call site is compiled for its own choice at no run-time cost
//! (Enzyme's Duplicated/Const, chosen where the function is called).
//!
//! | parameter type              | accumulator shadow                     |
//! |-----------------------------|----------------------------------------|
//! | `T`                         | `&mut T`                               |
//! | `[T; N]`, `&[T; N]`         | `&mut [T; N]`                          |
//! | `&[T]`, `&Vec<T>`           | `&mut [T]`, `&mut Vec<T>`, `&mut [T; N]` |
//! | `&[[T; M]; N]`              | `&mut [[T; M]; N]`                     |
//! | `(T, T)`, `&(T, T, T)` (a tuple of numbers) | `&mut (T, T)`, `&mut (T, T, T)` |
//! | `&Model`, `Model` (a struct implementing [`Params`]) | `&mut Model`  |
//!
//! [`Const`] works in every row.
//!
//! Inside a generated `_adjoint`, the shadow of a model's field is an `Option<&mut F>` split
//! off the model's shadow (`None` when the model's shadow is `Const`), so the traits are also
//! implemented for `Option`.

use core::ops::Add;

use crate::optim::Params;

/// The shadow of an argument that is not differentiated at this call.
///
/// Passing `Const` instead of an accumulator tells `NAME_adjoint` that nobody wants this
/// argument's gradient: the adjoint work that only feeds it is dead code and is compiled away.
///
/// ```
/// use autodiff_runtime::{loss::mse_adjoint, Const};
///
/// // (pred - target)^2 at pred = 3, target = 1: d/dpred = 2 (pred - target) = 4.
/// let mut d_pred = 0.0;
/// // The target is data: no gradient is computed for it.
/// let value = mse_adjoint(3.0, 1.0, 1.0, &mut d_pred, Const);
/// assert_eq!(value, 4.0);
/// assert_eq!(d_pred, 4.0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Const;

/// The shadow of a scalar float argument: `&mut T` or [`Const`].
pub trait Shadow<T> {
    /// `false` for [`Const`]: nothing is ever added to it.
    const ACTIVE: bool;

    /// Adds `v` to the accumulated adjoint.
    fn add(&mut self, v: T);
}

impl<T: Copy + Add<Output = T>> Shadow<T> for &mut T {
    const ACTIVE: bool = true;

    #[inline(always)]
    fn add(&mut self, v: T) {
        **self = **self + v;
    }
}

impl<T> Shadow<T> for Const {
    const ACTIVE: bool = false;

    #[inline(always)]
    fn add(&mut self, _: T) {}
}

/// The shadow of a one-dimensional float argument (`[T; N]`, `&[T; N]`, `&[T]`, `&Vec<T>`):
/// `&mut [T]`, `&mut [T; N]`, `&mut Vec<T>` or [`Const`].
pub trait SliceShadow<T> {
    /// `false` for [`Const`]: nothing is ever added to it.
    const ACTIVE: bool;

    /// Checks, before any work is done, that the accumulator has one element per element of
    /// the argument it shadows.
    ///
    /// # Panics
    ///
    /// If the lengths differ, with a message naming the parameter. A gradient is never
    /// silently truncated.
    fn check_len(&self, len: usize, param: &str);

    /// Adds `v` to element `i`.
    fn add_at(&mut self, i: usize, v: T);

    /// What the accumulator is lent to a call as: a reborrow of what it refers to, or
    /// `Const`. Lending `&mut` the caller's own shadow would take the address of its local,
    /// which then lives in memory, its length loaded (and indices checked against it) again
    /// after every store the compiler cannot tell apart from it.
    type Lent<'a>: SliceShadow<T>
    where
        Self: 'a;

    /// Lends the accumulator to a call (generated code passes `SliceShadow::lend(&mut d_x)`).
    fn lend(&mut self) -> Self::Lent<'_>;

    /// The accumulator of elements `start..end`, as a slice of them (or `Const`).
    type Part<'a>: SliceShadow<T>
    where
        Self: 'a;

    /// Elements `start..end` of the accumulator: a loop that adds into `d_x[base + i]` adds
    /// into `part[i]` instead, its bounds checked once before the loop.
    ///
    /// # Panics
    ///
    /// If `start..end` is not within the accumulator, as slicing does (never for `Const`).
    fn part(&mut self, start: usize, end: usize) -> Self::Part<'_>;
}

/// `SliceShadow::Part` and `part` for an accumulator that is a slice (or holds one): the
/// elements' own slice.
macro_rules! slice_part {
    () => {
        type Part<'a>
            = &'a mut [T]
        where
            Self: 'a;

        #[inline(always)]
        #[track_caller]
        fn part(&mut self, start: usize, end: usize) -> &mut [T] {
            &mut self[start..end]
        }
    };
}

#[cold]
#[track_caller]
fn length_mismatch(param: &str, shadow: usize, primal: usize) -> ! {
    panic!(
        "autodiff: the shadow of `{param}` has {shadow} elements but `{param}` has {primal}; \
         pass an accumulator of the same length (or `Const`)"
    )
}

impl<T: Copy + Add<Output = T>> SliceShadow<T> for [T] {
    const ACTIVE: bool = true;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        if self.len() != len {
            length_mismatch(param, self.len(), len);
        }
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, v: T) {
        self[i] = self[i] + v;
    }

    type Lent<'a>
        = &'a mut [T]
    where
        T: 'a;

    #[inline(always)]
    fn lend(&mut self) -> &mut [T] {
        self
    }

    slice_part!();
}

impl<T: Copy + Add<Output = T>, const N: usize> SliceShadow<T> for [T; N] {
    const ACTIVE: bool = true;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        self.as_slice().check_len(len, param);
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, v: T) {
        self[i] = self[i] + v;
    }

    type Lent<'a>
        = &'a mut [T; N]
    where
        T: 'a;

    #[inline(always)]
    fn lend(&mut self) -> &mut [T; N] {
        self
    }

    slice_part!();
}

impl<T: Copy + Add<Output = T>> SliceShadow<T> for Vec<T> {
    const ACTIVE: bool = true;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        self.as_slice().check_len(len, param);
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, v: T) {
        self[i] = self[i] + v;
    }

    type Lent<'a>
        = &'a mut [T]
    where
        T: 'a;

    #[inline(always)]
    fn lend(&mut self) -> &mut [T] {
        self
    }

    slice_part!();
}

/// A tuple of numbers of one type (`(f64, f64)`) is the accumulator of a tuple parameter
/// (`p: (f64, f64)`), its elements numbered as its fields are.
macro_rules! tuple_shadows {
    ($($len:literal => ($($index:tt),+)),+ $(,)?) => {$(
        impl<T: Copy + Add<Output = T>> SliceShadow<T> for ($(tuple_shadows!(@elem $index T),)+) {
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
            fn add_at(&mut self, i: usize, v: T) {
                match i {
                    $($index => self.$index = self.$index + v,)+
                    _ => index_out_of_tuple(i, $len),
                }
            }

            type Lent<'a>
                = &'a mut Self
            where
                T: 'a;

            #[inline(always)]
            fn lend(&mut self) -> &mut Self {
                self
            }

            type Part<'a>
                = TuplePart<'a, Self>
            where
                T: 'a;

            #[inline(always)]
            #[track_caller]
            fn part(&mut self, start: usize, end: usize) -> TuplePart<'_, Self> {
                TuplePart::new(self, start, end, $len)
            }
        }
    )+};
    (@elem $index:tt $t:ident) => { $t };
}

crate::for_tuples!(tuple_shadows);

#[cold]
#[track_caller]
pub(crate) fn index_out_of_tuple(i: usize, len: usize) -> ! {
    panic!("autodiff: index {i} out of a tuple of {len} numbers")
}

/// The length of elements `start..end` of a tuple of `len` numbers (a shadow's or a
/// tangent's part).
#[inline(always)]
#[track_caller]
pub(crate) fn tuple_part_len(start: usize, end: usize, len: usize) -> usize {
    if start > end || end > len {
        panic!("autodiff: elements {start}..{end} out of a tuple of {len} numbers");
    }
    end - start
}

/// Elements `start..end` of a tuple accumulator (`SliceShadow::part` of `&mut (T, T, T)`).
#[derive(Debug)]
pub struct TuplePart<'a, U> {
    tuple: &'a mut U,
    start: usize,
    len: usize,
}

impl<'a, U> TuplePart<'a, U> {
    #[inline(always)]
    #[track_caller]
    fn new(tuple: &'a mut U, start: usize, end: usize, len: usize) -> Self {
        TuplePart {
            tuple,
            start,
            len: tuple_part_len(start, end, len),
        }
    }
}

impl<T, U: SliceShadow<T>> SliceShadow<T> for TuplePart<'_, U> {
    const ACTIVE: bool = true;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        if self.len != len {
            length_mismatch(param, self.len, len);
        }
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, v: T) {
        self.tuple.add_at(self.start + i, v);
    }

    type Lent<'a>
        = TuplePart<'a, U>
    where
        Self: 'a;

    #[inline(always)]
    fn lend(&mut self) -> TuplePart<'_, U> {
        TuplePart {
            tuple: &mut *self.tuple,
            start: self.start,
            len: self.len,
        }
    }

    type Part<'a>
        = TuplePart<'a, U>
    where
        Self: 'a;

    #[inline(always)]
    #[track_caller]
    fn part(&mut self, start: usize, end: usize) -> TuplePart<'_, U> {
        let mut part = TuplePart::new(&mut *self.tuple, start, end, self.len);
        part.start += self.start;
        part
    }
}

impl<T> SliceShadow<T> for Const {
    const ACTIVE: bool = false;

    #[inline(always)]
    fn check_len(&self, _: usize, _: &str) {}

    #[inline(always)]
    fn add_at(&mut self, _: usize, _: T) {}

    type Lent<'a> = Const;

    #[inline(always)]
    fn lend(&mut self) -> Const {
        Const
    }

    type Part<'a> = Const;

    #[inline(always)]
    fn part(&mut self, _: usize, _: usize) -> Const {
        Const
    }
}

impl<T, S: SliceShadow<T> + ?Sized> SliceShadow<T> for &mut S {
    const ACTIVE: bool = S::ACTIVE;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        (**self).check_len(len, param);
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, v: T) {
        (**self).add_at(i, v);
    }

    type Lent<'a>
        = S::Lent<'a>
    where
        Self: 'a;

    #[inline(always)]
    fn lend(&mut self) -> S::Lent<'_> {
        (**self).lend()
    }

    type Part<'a>
        = S::Part<'a>
    where
        Self: 'a;

    #[inline(always)]
    #[track_caller]
    fn part(&mut self, start: usize, end: usize) -> S::Part<'_> {
        (**self).part(start, end)
    }
}

/// The shadow of a matrix argument `&[[T; M]; N]`: `&mut [[T; M]; N]` or [`Const`].
pub trait MatrixShadow<T> {
    /// `false` for [`Const`]: nothing is ever added to it.
    const ACTIVE: bool;

    /// The shadow of one row, handed to a callee that takes the row as a slice.
    type Row<'a>: SliceShadow<T>
    where
        Self: 'a;

    /// Checks, before any work is done, that the accumulator has the argument's shape.
    ///
    /// # Panics
    ///
    /// If the shapes differ, with a message naming the parameter.
    fn check_shape(&self, rows: usize, cols: usize, param: &str);

    /// Checks, before any work is done, that the accumulator has one row per length in
    /// `lens`, of that length: the shape of rows of their own lengths (`&[Vec<T>]`).
    ///
    /// # Panics
    ///
    /// If the shapes differ, with a message naming the parameter.
    fn check_rows(&self, lens: impl ExactSizeIterator<Item = usize>, param: &str);

    /// Adds `v` to element `(i, j)`.
    fn add_at(&mut self, i: usize, j: usize, v: T);

    /// The shadow of row `i`.
    fn row(&mut self, i: usize) -> Self::Row<'_>;

    /// What the accumulator is lent to a call as (see [`SliceShadow::lend`]).
    type Lent<'a>: MatrixShadow<T>
    where
        Self: 'a;

    /// Lends the accumulator to a call.
    fn lend(&mut self) -> Self::Lent<'_>;
}

/// Panics unless an accumulator whose rows have the lengths `have` fits an argument whose
/// rows have the lengths `want`.
#[track_caller]
fn check_row_lens(
    have: impl ExactSizeIterator<Item = usize>,
    want: impl ExactSizeIterator<Item = usize>,
    param: &str,
) {
    if have.len() != want.len() {
        panic!(
            "autodiff: the shadow of `{param}` has {} rows but `{param}` has {}; \
             pass an accumulator of the same shape (or `Const`)",
            have.len(),
            want.len()
        );
    }
    if let Some((i, (h, w))) = have.zip(want).enumerate().find(|(_, (h, w))| h != w) {
        panic!(
            "autodiff: row {i} of the shadow of `{param}` has {h} entries but row {i} of \
             `{param}` has {w}; pass an accumulator of the same shape (or `Const`)"
        );
    }
}

impl<T: Copy + Add<Output = T>, const M: usize, const N: usize> MatrixShadow<T> for [[T; M]; N] {
    const ACTIVE: bool = true;
    type Row<'a>
        = &'a mut [T; M]
    where
        T: 'a;

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        self[..].check_shape(rows, cols, param);
    }

    #[inline(always)]
    #[track_caller]
    fn check_rows(&self, lens: impl ExactSizeIterator<Item = usize>, param: &str) {
        self[..].check_rows(lens, param);
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, j: usize, v: T) {
        self[i][j] = self[i][j] + v;
    }

    #[inline(always)]
    fn row(&mut self, i: usize) -> Self::Row<'_> {
        &mut self[i]
    }

    type Lent<'a>
        = &'a mut [[T; M]; N]
    where
        T: 'a;

    #[inline(always)]
    fn lend(&mut self) -> &mut [[T; M]; N] {
        self
    }
}

/// Rows of a runtime count (a model's `Vec<[T; M]>` field, through the `Vec` impl below).
impl<T: Copy + Add<Output = T>, const M: usize> MatrixShadow<T> for [[T; M]] {
    const ACTIVE: bool = true;
    type Row<'a>
        = &'a mut [T; M]
    where
        T: 'a;

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        if (self.len(), M) != (rows, cols) {
            panic!(
                "autodiff: the shadow of `{param}` is {}x{M} but `{param}` is {rows}x{cols}; \
                 pass an accumulator of the same shape (or `Const`)",
                self.len()
            );
        }
    }

    #[inline(always)]
    #[track_caller]
    fn check_rows(&self, lens: impl ExactSizeIterator<Item = usize>, param: &str) {
        check_row_lens(self.iter().map(|_| M), lens, param);
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, j: usize, v: T) {
        self[i][j] = self[i][j] + v;
    }

    #[inline(always)]
    fn row(&mut self, i: usize) -> Self::Row<'_> {
        &mut self[i]
    }

    type Lent<'a>
        = &'a mut [[T; M]]
    where
        T: 'a;

    #[inline(always)]
    fn lend(&mut self) -> &mut [[T; M]] {
        self
    }
}

/// Rows that are vectors of their own (a model's `Vec<Vec<T>>` field, through the `Vec` impl
/// below): each row has the length of the argument's row.
impl<T: Copy + Add<Output = T>> MatrixShadow<T> for [Vec<T>] {
    const ACTIVE: bool = true;
    type Row<'a>
        = &'a mut Vec<T>
    where
        T: 'a;

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        self.check_rows(core::iter::repeat_n(cols, rows), param);
    }

    #[inline(always)]
    #[track_caller]
    fn check_rows(&self, lens: impl ExactSizeIterator<Item = usize>, param: &str) {
        check_row_lens(self.iter().map(Vec::len), lens, param);
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, j: usize, v: T) {
        self[i][j] = self[i][j] + v;
    }

    #[inline(always)]
    fn row(&mut self, i: usize) -> Self::Row<'_> {
        &mut self[i]
    }

    type Lent<'a>
        = &'a mut [Vec<T>]
    where
        T: 'a;

    #[inline(always)]
    fn lend(&mut self) -> &mut [Vec<T>] {
        self
    }
}

/// A model's `Vec<[T; M]>` or `Vec<Vec<T>>` field: its rows as a slice.
impl<T, R> MatrixShadow<T> for Vec<R>
where
    [R]: MatrixShadow<T>,
{
    const ACTIVE: bool = <[R] as MatrixShadow<T>>::ACTIVE;
    type Row<'a>
        = <[R] as MatrixShadow<T>>::Row<'a>
    where
        Self: 'a;

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        self[..].check_shape(rows, cols, param);
    }

    #[inline(always)]
    #[track_caller]
    fn check_rows(&self, lens: impl ExactSizeIterator<Item = usize>, param: &str) {
        self[..].check_rows(lens, param);
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, j: usize, v: T) {
        self[..].add_at(i, j, v);
    }

    #[inline(always)]
    fn row(&mut self, i: usize) -> Self::Row<'_> {
        self[..].row(i)
    }

    type Lent<'a>
        = <[R] as MatrixShadow<T>>::Lent<'a>
    where
        Self: 'a;

    #[inline(always)]
    fn lend(&mut self) -> Self::Lent<'_> {
        self[..].lend()
    }
}

impl<T> MatrixShadow<T> for Const {
    const ACTIVE: bool = false;
    type Row<'a> = Const;

    #[inline(always)]
    fn check_shape(&self, _: usize, _: usize, _: &str) {}

    #[inline(always)]
    fn check_rows(&self, _: impl ExactSizeIterator<Item = usize>, _: &str) {}

    #[inline(always)]
    fn add_at(&mut self, _: usize, _: usize, _: T) {}

    #[inline(always)]
    fn row(&mut self, _: usize) -> Const {
        Const
    }

    type Lent<'a> = Const;

    #[inline(always)]
    fn lend(&mut self) -> Const {
        Const
    }
}

impl<T, S: MatrixShadow<T> + ?Sized> MatrixShadow<T> for &mut S {
    const ACTIVE: bool = S::ACTIVE;
    type Row<'a>
        = S::Row<'a>
    where
        Self: 'a;

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        (**self).check_shape(rows, cols, param);
    }

    #[inline(always)]
    #[track_caller]
    fn check_rows(&self, lens: impl ExactSizeIterator<Item = usize>, param: &str) {
        (**self).check_rows(lens, param);
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, j: usize, v: T) {
        (**self).add_at(i, j, v);
    }

    #[inline(always)]
    fn row(&mut self, i: usize) -> Self::Row<'_> {
        (**self).row(i)
    }

    type Lent<'a>
        = S::Lent<'a>
    where
        Self: 'a;

    #[inline(always)]
    fn lend(&mut self) -> S::Lent<'_> {
        (**self).lend()
    }
}

/// The shadow of a model argument (`net: &Net` with `Net: Params`): `&mut Net`, a gradient
/// of the model's own type, or [`Const`].
///
/// Only a value of the model's type is accepted, so gradient buffers can never be passed in
/// the wrong order or for the wrong model.
///
/// ```
/// use autodiff_runtime::{shadow::ParamsShadow, Const};
///
/// let mut g = vec![0.0, 0.0];
/// assert!(ParamsShadow::<Vec<f64>>::get(&mut &mut g).is_some());
/// assert!(ParamsShadow::<Vec<f64>>::get(&mut Const).is_none());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a shadow of a `{M}`: the gradient of a model has the model's type",
    label = "expected `&mut {M}` or `autodiff::Const`",
    note = "pass `&mut g` with `g: {M}` (e.g. `net.zeros_like()`), or `autodiff::Const` to skip this model's gradient"
)]
pub trait ParamsShadow<M: ?Sized> {
    /// `false` for [`Const`]: nothing is ever added to it.
    const ACTIVE: bool;

    /// The accumulator, or `None` for [`Const`].
    fn get(&mut self) -> Option<&mut M>;
}

impl<M: Params + ?Sized> ParamsShadow<M> for &mut M {
    const ACTIVE: bool = true;

    #[inline(always)]
    fn get(&mut self) -> Option<&mut M> {
        Some(&mut **self)
    }
}

impl<M: ?Sized> ParamsShadow<M> for Const {
    const ACTIVE: bool = false;

    #[inline(always)]
    fn get(&mut self) -> Option<&mut M> {
        None
    }
}

impl<M: ?Sized, S: ParamsShadow<M>> ParamsShadow<M> for Option<S> {
    const ACTIVE: bool = S::ACTIVE;

    #[inline(always)]
    fn get(&mut self) -> Option<&mut M> {
        self.as_mut().and_then(ParamsShadow::get)
    }
}

impl<M: ?Sized, S: ParamsShadow<M>> ParamsShadow<M> for &mut Option<S> {
    const ACTIVE: bool = S::ACTIVE;

    #[inline(always)]
    fn get(&mut self) -> Option<&mut M> {
        (**self).get()
    }
}

impl<T, S: Shadow<T>> Shadow<T> for Option<S> {
    const ACTIVE: bool = S::ACTIVE;

    #[inline(always)]
    fn add(&mut self, v: T) {
        if let Some(s) = self {
            s.add(v);
        }
    }
}

impl<T, S: SliceShadow<T>> SliceShadow<T> for Option<S> {
    const ACTIVE: bool = S::ACTIVE;

    #[inline(always)]
    #[track_caller]
    fn check_len(&self, len: usize, param: &str) {
        if let Some(s) = self {
            s.check_len(len, param);
        }
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, v: T) {
        if let Some(s) = self {
            s.add_at(i, v);
        }
    }

    type Lent<'a>
        = Option<S::Lent<'a>>
    where
        Self: 'a;

    #[inline(always)]
    fn lend(&mut self) -> Self::Lent<'_> {
        self.as_mut().map(S::lend)
    }

    type Part<'a>
        = Option<S::Part<'a>>
    where
        Self: 'a;

    #[inline(always)]
    #[track_caller]
    fn part(&mut self, start: usize, end: usize) -> Self::Part<'_> {
        self.as_mut().map(|s| s.part(start, end))
    }
}

impl<T, S: MatrixShadow<T>> MatrixShadow<T> for Option<S> {
    const ACTIVE: bool = S::ACTIVE;
    type Row<'a>
        = Option<S::Row<'a>>
    where
        Self: 'a;

    #[inline(always)]
    #[track_caller]
    fn check_shape(&self, rows: usize, cols: usize, param: &str) {
        if let Some(s) = self {
            s.check_shape(rows, cols, param);
        }
    }

    #[inline(always)]
    #[track_caller]
    fn check_rows(&self, lens: impl ExactSizeIterator<Item = usize>, param: &str) {
        if let Some(s) = self {
            s.check_rows(lens, param);
        }
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, j: usize, v: T) {
        if let Some(s) = self {
            s.add_at(i, j, v);
        }
    }

    #[inline(always)]
    fn row(&mut self, i: usize) -> Self::Row<'_> {
        self.as_mut().map(|s| s.row(i))
    }

    type Lent<'a>
        = Option<S::Lent<'a>>
    where
        Self: 'a;

    #[inline(always)]
    fn lend(&mut self) -> Self::Lent<'_> {
        self.as_mut().map(S::lend)
    }
}

#[cfg(test)]
mod tests {
    use super::{Const, MatrixShadow, SliceShadow};

    /// What a call adds into a lent shadow lands in the lender's accumulator.
    fn add_through<S: SliceShadow<f64>>(mut shadow: S) {
        let mut lent = shadow.lend();
        lent.add_at(1, 2.0);
        lent.add_at(1, 0.5);
    }

    #[test]
    fn lent_shadows_add_into_what_they_were_lent_from() {
        let mut slice = [0.0; 3];
        add_through(&mut slice[..]);
        let mut array = [0.0; 3];
        add_through(&mut array);
        let mut vec = vec![0.0; 3];
        add_through(&mut vec);
        let mut field = [0.0; 3];
        add_through(Some(&mut field));
        add_through(&mut &mut vec);
        for shadow in [&slice[..], &array, &field] {
            assert_eq!(shadow[1], 2.5);
        }
        assert_eq!(vec, [0.0, 5.0, 0.0]);
        add_through(None::<&mut [f64]>);
        add_through(Const);
    }

    #[test]
    fn lent_matrix_shadows_add_into_what_they_were_lent_from() {
        fn add_through<S: MatrixShadow<f64>>(mut shadow: S) {
            shadow.lend().add_at(1, 0, 1.5);
        }
        let mut matrix = [[0.0; 2]; 3];
        add_through(&mut matrix);
        add_through(Some(&mut &mut matrix));
        assert_eq!(matrix[1], [3.0, 0.0]);
        add_through(None::<&mut [[f64; 2]; 3]>);
        add_through(Const);
    }
}
