//! Counting a loop's iterations: how many a range runs, how long a checkpoint segment is,
//! where an induction variable started.

use num_traits::{AsPrimitive, WrappingAdd, WrappingMul, WrappingSub};

/// The number of items of `chunks(k)` or `step_by(k)` over `len` items, in the integer type
/// the user's code counts in.
#[inline(always)]
pub fn div_ceil<I: num_traits::PrimInt>(len: I, k: I) -> I {
    (len + k - I::one()) / k
}

/// The item `position` places after `start` in a range of any integer type, the type `end`
/// gives too: `(0..n).map(|x| pmf(p, x))` with `n: u64` lowered over positions `0..len`.
#[inline(always)]
pub fn range_item<I: Copy + core::ops::Add<Output = I> + TryFrom<usize>>(
    start: I,
    _end: I,
    position: usize,
) -> I {
    match I::try_from(position) {
        Ok(offset) => start + offset,
        Err(_) => unreachable!("a position past the range's end"),
    }
}

/// The number of iterations a `#[checkpoint]` loop's range will run, taken when it starts.
#[inline]
pub fn trip_count<I: Iterator>(range: I) -> usize {
    range.size_hint().0
}

/// `range` with its length counted, for a reverse loop that runs it backwards through an
/// adaptor (`step_by`, `skip`, `take`) or zipped with its tape entries: those run backwards
/// only over an exact-size iterator, which a range of `i64`, `u64` or `i128` is not. Its
/// length is the range's own `size_hint`, exact for any range that fits `usize` (one whose
/// tape fits memory).
#[inline(always)]
pub fn counted<I: Iterator>(range: I) -> Counted<I> {
    let len = range.size_hint().0;
    Counted { range, len }
}

/// A range whose length is counted (`counted`).
#[derive(Clone, Debug)]
pub struct Counted<I> {
    range: I,
    len: usize,
}

impl<I: Iterator> Iterator for Counted<I> {
    type Item = I::Item;

    #[inline(always)]
    fn next(&mut self) -> Option<I::Item> {
        let item = self.range.next()?;
        self.len -= 1;
        Some(item)
    }

    #[inline(always)]
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len, Some(self.len))
    }
}

impl<I: DoubleEndedIterator> DoubleEndedIterator for Counted<I> {
    #[inline(always)]
    fn next_back(&mut self) -> Option<I::Item> {
        let item = self.range.next_back()?;
        self.len -= 1;
        Some(item)
    }
}

impl<I: Iterator> ExactSizeIterator for Counted<I> {}

/// The value an induction variable had before a loop of `trips` iterations that moved it by
/// `step` each time (`l += step`, or `l -= step` when `down`) and left it at `after`: where a
/// reverse loop that runs its iterations forwards starts it. Wrapping arithmetic gives the
/// exact start whenever the forward loop's own steps did not overflow.
#[inline(always)]
pub fn induction_start<T>(after: T, step: T, trips: usize, down: bool) -> T
where
    T: WrappingAdd + WrappingSub + WrappingMul + Copy + 'static,
    usize: AsPrimitive<T>,
{
    induction_end(after, step, trips, !down)
}

/// The value an induction variable has after a loop of `trips` iterations that moves it by
/// `step` each time (`l += step`, or `l -= step` when `down`) from `before`: where a reverse
/// iteration run forwards finds the value its forward iteration ended with.
#[inline(always)]
pub fn induction_end<T>(before: T, step: T, trips: usize, down: bool) -> T
where
    T: WrappingAdd + WrappingSub + WrappingMul + Copy + 'static,
    usize: AsPrimitive<T>,
{
    let moved = step.wrapping_mul(&trips.as_());
    if down {
        before.wrapping_sub(&moved)
    } else {
        before.wrapping_add(&moved)
    }
}

/// The segment length of a `#[checkpoint]` loop of `trips` iterations: `ceil(sqrt(trips))`,
/// at least 1. Its reverse sweep keeps `trips / segment` saved states and a tape of one
/// segment: `O(sqrt(trips))` values instead of `O(trips)`.
#[inline]
pub fn checkpoint_segment(trips: usize) -> usize {
    let root = trips.isqrt();
    if root * root < trips {
        root + 1
    } else {
        root.max(1)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn checkpoint_segments_are_ceil_sqrt() {
        let cases = [
            (0, 1),
            (1, 1),
            (2, 2),
            (4, 2),
            (5, 3),
            (9, 3),
            (10, 4),
            (1_000_000, 1000),
        ];
        for (trips, segment) in cases {
            assert_eq!(super::checkpoint_segment(trips), segment, "{trips} trips");
        }
        assert_eq!(super::trip_count((0..=10).rev().step_by(3)), 4);
    }

    #[test]
    fn a_counted_wide_range_runs_backwards_through_zips_and_steps() {
        let entries = [10, 11, 12, 13, 14];
        let zipped: Vec<(i64, i32)> = super::counted(3..8i64)
            .zip(entries.iter().copied())
            .rev()
            .collect();
        assert_eq!(zipped, [(7, 14), (6, 13), (5, 12), (4, 11), (3, 10)]);
        let stepped: Vec<u64> = super::counted(0..10u64).step_by(3).rev().collect();
        assert_eq!(stepped, [9, 6, 3, 0]);
        let taken: Vec<i128> = super::counted(-2..5i128).take(3).rev().collect();
        assert_eq!(taken, [0, -1, -2]);
        let (start, end) = (5i64, 2);
        assert_eq!(super::counted(start..end).len(), 0);
    }
}
