//! A function that returns a tuple of numbers (`-> (f64, f64)`) is differentiated as one that
//! returns the array of them (`-> [f64; 2]`): its generated items take and return the tuple,
//! and hold it as the array inside.

/// A tuple of one number type, as the array of its elements.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a tuple of numbers of one type",
    label = "#[grad] took this call for one of a function that returns a tuple of numbers, as its value is taken apart (`let (a, b) = ..`, `.0`)",
    note = "a function returning a tuple of floats (`-> (f64, f64)`) with `#[grad]` is called this way"
)]
pub trait TupleArray: Sized {
    type Array;
    fn into_array(self) -> Self::Array;
    fn from_array(array: &Self::Array) -> Self;
}

macro_rules! tuple_arrays {
    ($($len:literal => ($($index:tt),+)),+ $(,)?) => {$(
        impl<T: Clone> TupleArray for ($(tuple_arrays!(@elem $index T),)+) {
            type Array = [T; $len];
            #[inline(always)]
            fn into_array(self) -> [T; $len] {
                [$(self.$index),+]
            }
            #[inline(always)]
            fn from_array(array: &[T; $len]) -> Self {
                ($(array[$index].clone(),)+)
            }
        }
    )+};
    (@elem $index:tt $t:ident) => { $t };
}

crate::for_tuples!(tuple_arrays);

/// A tuple a call returns handed on whole to another call (`det(diff(b, a), v)`): its
/// adjoint is a tuple of its type, passed to the first call's `_adjoint` by value.
macro_rules! handed_on_tuples {
    ($($len:literal => ($($index:tt),+)),+ $(,)?) => {$(
        impl<T: num_traits::Float> super::HandedOn<T> for ($(handed_on_tuples!(@elem $index T),)+) {
            type Passed<'a>
                = Self
            where
                T: 'a;
            #[inline(always)]
            fn zero(&self) -> Self {
                ($(handed_on_tuples!(@zero $index T),)+)
            }
            #[inline(always)]
            fn placeholder() -> Self {
                ($(handed_on_tuples!(@zero $index T),)+)
            }
            #[inline(always)]
            fn passed(&self) -> Self {
                *self
            }
            #[inline(always)]
            fn add(&mut self, other: &Self) {
                $(self.$index = self.$index + other.$index;)+
            }
        }
    )+};
    (@elem $index:tt $t:ident) => { $t };
    (@zero $index:tt $t:ident) => { $t::zero() };
}

crate::for_tuples!(handed_on_tuples);

/// An item of a data slice of tuples (`q` of `for &q in sites`, `for q in sites.iter()`),
/// by value whether the sweeps bound it by value or by reference.
#[inline(always)]
pub fn item_value<T: Clone, B: core::borrow::Borrow<T>>(item: B) -> T {
    item.borrow().clone()
}

/// The tuple a call returned, as its array.
#[inline(always)]
pub fn tuple_array<U: TupleArray>(tuple: U) -> U::Array {
    tuple.into_array()
}

/// The array, as the tuple the signature has (a cotangent passed on, a value returned).
#[inline(always)]
pub fn array_tuple<U: TupleArray>(array: &U::Array) -> U {
    U::from_array(array)
}

/// A `_tangent`'s value and tangent, each a tuple, as arrays.
#[inline(always)]
pub fn tuple_arrays<U: TupleArray>((value, tangent): (U, U)) -> (U::Array, U::Array) {
    (value.into_array(), tangent.into_array())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuples_and_arrays_convert_both_ways() {
        let array: [f64; 3] = tuple_array((1.0, 2.0, 3.0));
        assert_eq!(array, [1.0, 2.0, 3.0]);
        let tuple: (f64, f64, f64) = array_tuple(&array);
        assert_eq!(tuple, (1.0, 2.0, 3.0));
        let (value, tangent) = tuple_arrays(((1.0, 2.0), (3.0, 4.0)));
        assert_eq!((value, tangent), ([1.0, 2.0], [3.0, 4.0]));
    }
}

/// The zero cotangent a call on dual numbers is made with for its value alone (`g(x)`'s
/// result read, not yet differentiated): a number, an array of any length (`[T; N]` of a
/// const-generic callee, which has no `Default`), a `Vec` (empty: nothing to add), a tuple.
pub trait ZeroCotangent {
    fn zero_cotangent() -> Self;
}

#[inline(always)]
pub fn zero_cotangent<Z: ZeroCotangent>() -> Z {
    Z::zero_cotangent()
}

impl<T: num_traits::Float> ZeroCotangent for crate::Dual<T> {
    #[inline(always)]
    fn zero_cotangent() -> Self {
        crate::Dual::constant(T::zero())
    }
}

impl<Z: ZeroCotangent, const N: usize> ZeroCotangent for [Z; N] {
    #[inline(always)]
    fn zero_cotangent() -> Self {
        core::array::from_fn(|_| Z::zero_cotangent())
    }
}

impl<Z> ZeroCotangent for Vec<Z> {
    #[inline(always)]
    fn zero_cotangent() -> Self {
        Vec::new()
    }
}

macro_rules! zero_tuples {
    ($($len:literal => ($($index:tt),+)),+ $(,)?) => {$(
        impl<Z: ZeroCotangent> ZeroCotangent for ($(zero_tuples!(@elem $index Z),)+) {
            #[inline(always)]
            fn zero_cotangent() -> Self {
                ($(zero_tuples!(@zero $index Z),)+)
            }
        }
    )+};
    (@elem $index:tt $t:ident) => { $t };
    (@zero $index:tt $t:ident) => { $t::zero_cotangent() };
}

crate::for_tuples!(zero_tuples);
