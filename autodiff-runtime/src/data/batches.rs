//! Shuffled mini-batches of example indices, reshuffled every epoch.

use std::slice::Chunks;

use super::invalid;
use crate::rng::Rng;
use crate::{Error, Result};

/// Shuffled mini-batches of example indices: every epoch visits each of `n_examples` indices
/// exactly once, in `ceil(n / batch_size)` batches (the last one may be smaller), in a new
/// order drawn from a seeded RNG. When one batch holds everything (full-batch gradient
/// descent) the order does not matter and is not shuffled.
///
/// ```
/// use autodiff_runtime::data::Batches;
///
/// let mut batches = Batches::new(10, 4, 42)?;
/// let epoch: Vec<Vec<usize>> = batches.next_epoch().map(<[usize]>::to_vec).collect();
/// assert_eq!(epoch.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
/// assert!(Batches::new(10, 0, 42).is_err());
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Batches {
    order: Vec<usize>,
    batch_size: usize,
    rng: Rng,
}

impl Batches {
    /// Batches of `batch_size` indices out of `0..n_examples`, shuffled with `seed`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidData`] if `n_examples == 0`; [`Error::InvalidParameter`] if
    /// `batch_size` is 0 or larger than `n_examples`.
    pub fn new(n_examples: usize, batch_size: usize, seed: u64) -> Result<Self> {
        if n_examples == 0 {
            return Err(invalid("there are no examples to make batches of"));
        }
        if batch_size == 0 || batch_size > n_examples {
            return Err(Error::InvalidParameter {
                name: "batch_size",
                value: batch_size as f64,
                expected: "at least 1 and at most the number of examples",
            });
        }
        Ok(Batches {
            order: (0..n_examples).collect(),
            batch_size,
            rng: Rng::seeded(seed),
        })
    }

    /// The number of examples.
    pub fn n_examples(&self) -> usize {
        self.order.len()
    }

    /// The batch size (the last batch of an epoch may be smaller).
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Batches per epoch: `ceil(n_examples / batch_size)`.
    pub fn n_batches(&self) -> usize {
        self.order.len().div_ceil(self.batch_size)
    }

    /// Draws a new order and returns the epoch's batches. Allocates nothing.
    pub fn next_epoch(&mut self) -> Chunks<'_, usize> {
        if self.batch_size < self.order.len() {
            self.rng.shuffle(&mut self.order);
        }
        self.order.chunks(self.batch_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_every_example_once_and_reshuffle() {
        let mut batches = Batches::new(23, 5, 11).unwrap();
        assert_eq!(batches.n_batches(), 5);
        let mut epochs = Vec::new();
        for _ in 0..3 {
            let epoch: Vec<Vec<usize>> = batches.next_epoch().map(<[usize]>::to_vec).collect();
            assert_eq!(
                epoch.iter().map(Vec::len).collect::<Vec<_>>(),
                [5, 5, 5, 5, 3]
            );
            let mut all: Vec<usize> = epoch.concat();
            all.sort_unstable();
            assert_eq!(all, (0..23).collect::<Vec<_>>());
            epochs.push(epoch);
        }
        assert_ne!(epochs[0], epochs[1]);
        assert_ne!(epochs[1], epochs[2]);
        // same seed, same sequence of epochs
        let mut again = Batches::new(23, 5, 11).unwrap();
        for epoch in &epochs {
            assert_eq!(
                &again
                    .next_epoch()
                    .map(<[usize]>::to_vec)
                    .collect::<Vec<_>>(),
                epoch
            );
        }
        // full batch and batch size 1
        let mut full = Batches::new(4, 4, 0).unwrap();
        assert_eq!(
            full.next_epoch().collect::<Vec<_>>(),
            vec![&[0, 1, 2, 3][..]]
        );
        assert_eq!(Batches::new(4, 1, 0).unwrap().next_epoch().count(), 4);
    }

    #[test]
    fn batches_reject_bad_sizes() {
        for (n, b) in [(10, 0), (10, 11)] {
            assert!(matches!(
                Batches::new(n, b, 0),
                Err(Error::InvalidParameter {
                    name: "batch_size",
                    ..
                })
            ));
        }
        assert!(matches!(Batches::new(0, 1, 0), Err(Error::InvalidData(_))));
    }
}
