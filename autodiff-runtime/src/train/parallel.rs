//! A mini-batch's gradient on several cores: the batch is cut into one contiguous chunk per
//! worker, each worker adds its chunk's gradients into its own accumulator (a value of the
//! model's type), and the accumulators are added up in worker order.
//!
//! The cut depends only on the batch and the number of workers, and every sum runs in a
//! fixed order, so a run is bit-for-bit reproducible for a fixed thread count; other thread
//! counts differ by rounding only (the sums are grouped differently).

use num_traits::{Float, NumCast, ToPrimitive, Zero};

use crate::optim::Params;
use crate::{Error, Result};

/// The workers of a run: a thread pool and one accumulator and partial loss per worker,
/// allocated once.
pub(super) struct Workers<M: Params> {
    pool: Option<rayon::ThreadPool>,
    accumulators: Vec<M>,
    losses: Vec<f64>,
}

impl<M: Params + Clone + Send + Sync> Workers<M> {
    /// `threads` workers for gradients shaped like `model`; one thread needs no pool.
    pub(super) fn new(threads: usize, model: &M) -> Result<Self> {
        let pool = if threads > 1 {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| Error::InvalidData(format!("cannot start {threads} threads: {e}")))?;
            Some(pool)
        } else {
            None
        };
        Ok(Workers {
            pool,
            accumulators: if threads > 1 {
                vec![model.zeros_like(); threads]
            } else {
                Vec::new()
            },
            losses: vec![0.0; threads],
        })
    }

    /// Sets `grads` to the sum over `batch` of `scale` times each example's gradient and
    /// returns the sum of the examples' losses.
    pub(super) fn gradient<L>(
        &mut self,
        model: &M,
        grads: &mut M,
        batch: &[usize],
        scale: f64,
        loss: &L,
    ) -> f64
    where
        L: Fn(&M, &mut M, usize, M::Scalar) -> M::Scalar + Sync,
    {
        let chunk = batch.len().div_ceil(self.accumulators.len().max(1));
        let pool = match &self.pool {
            // a single chunk (a batch of one example) runs on this thread
            Some(pool) if chunk < batch.len() => pool,
            _ => {
                grads.zero();
                return add_chunk(model, grads, batch, scale, loss);
            }
        };
        let used = batch.len().div_ceil(chunk);
        let accumulators = &mut self.accumulators[..used];
        let losses = &mut self.losses[..used];
        pool.install(|| {
            use rayon::prelude::*;
            accumulators
                .par_iter_mut()
                .zip(losses.par_iter_mut())
                .zip(batch.par_chunks(chunk))
                .for_each(|((acc, sum), examples)| {
                    acc.zero();
                    *sum = add_chunk(model, acc, examples, scale, loss);
                });
        });
        grads.copy_from(&accumulators[0]);
        for acc in &accumulators[1..] {
            grads.zip_slices_mut(acc, |g, a| {
                for (g, &a) in g.values.iter_mut().zip(a) {
                    *g = *g + a;
                }
            });
        }
        losses.iter().sum()
    }
}

/// Adds `scale` times the gradients of `examples` into `grads`, in order; returns their
/// summed loss (summed in the model's float type, as a single thread would).
fn add_chunk<M: Params, L>(
    model: &M,
    grads: &mut M,
    examples: &[usize],
    scale: f64,
    loss: &L,
) -> f64
where
    L: Fn(&M, &mut M, usize, M::Scalar) -> M::Scalar,
{
    // the trainer checked that the scale is representable
    let scale = <M::Scalar as NumCast>::from(scale).unwrap_or_else(M::Scalar::nan);
    let sum = examples.iter().fold(M::Scalar::zero(), |sum, &i| {
        sum + loss(model, grads, i, scale)
    });
    sum.to_f64().unwrap_or(f64::NAN)
}
