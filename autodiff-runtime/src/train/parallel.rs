//! A mini-batch's gradient on several cores: the batch is cut into one contiguous chunk per
//! thread, each chunk's gradients are added into the chunk's own accumulator (a value of the
//! model's type) by whichever thread takes it, and the accumulators are added up in order.
//!
//! The cut depends only on the batch and the number of threads, and every sum runs in a fixed
//! order, so a run is bit-for-bit reproducible for a fixed thread count; other thread counts
//! differ by rounding only (the sums are grouped differently).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use num_traits::{Float, NumCast, ToPrimitive, Zero};

use crate::optim::Params;
use crate::{Error, Result};

/// The workers of a run: the calling thread and a pool of `threads - 1` helpers, with one
/// accumulator per chunk of a batch, allocated once.
pub(super) struct Workers<M: Params> {
    pool: Option<rayon::ThreadPool>,
    /// A chunk's gradient sum and loss sum; a lock that is never contended, through which
    /// whichever thread takes the chunk writes it.
    chunks: Vec<Mutex<ChunkSum<M>>>,
}

// Aligned to a cache line: behind the lock's 8 bytes, the gradient's floats straddled lines,
// which cost the digits MLP 9% per example.
#[repr(align(64))]
struct ChunkSum<M> {
    grads: M,
    loss: f64,
}

impl<M: Params + Clone + Send + Sync> Workers<M> {
    /// `threads` workers for gradients shaped like `model`; one thread needs no pool.
    pub(super) fn new(threads: usize, model: &M) -> Result<Self> {
        if threads < 2 {
            return Ok(Workers {
                pool: None,
                chunks: Vec::new(),
            });
        }
        // the calling thread is a worker too: it is hot, and only the helpers need waking
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads - 1)
            .build()
            .map_err(|e| Error::InvalidData(format!("cannot start {threads} threads: {e}")))?;
        let chunks = (0..threads)
            .map(|_| {
                Mutex::new(ChunkSum {
                    grads: model.zeros_like(),
                    loss: 0.0,
                })
            })
            .collect();
        Ok(Workers {
            pool: Some(pool),
            chunks,
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
        let size = batch.len().div_ceil(self.chunks.len().max(1));
        let pool = match &self.pool {
            // a single chunk (a batch of one example) runs on this thread
            Some(pool) if size < batch.len() => pool,
            _ => {
                grads.zero();
                return add_chunk(model, grads, batch, scale, loss);
            }
        };
        let n_chunks = batch.len().div_ceil(size);
        let sums = &self.chunks[..n_chunks];
        // Chunks are taken in order by whichever thread is free, and each has its own sum, so
        // the result does not depend on the scheduling. The calling thread starts at once; a
        // helper that wakes late (tens of microseconds on some machines) takes fewer chunks.
        let next = AtomicUsize::new(0);
        let finished = AtomicUsize::new(0);
        let work = || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n_chunks {
                return;
            }
            // counted on unwinding too: a panicking loss must not leave the caller spinning
            let _finished = Finished(&finished);
            let examples = &batch[i * size..batch.len().min((i + 1) * size)];
            let mut sum = sums[i].lock().unwrap_or_else(|e| e.into_inner());
            sum.grads.zero();
            sum.loss = add_chunk(model, &mut sum.grads, examples, scale, loss);
        };
        pool.in_place_scope(|scope| {
            for _ in 1..n_chunks {
                scope.spawn(|_| work());
            }
            work();
            // The last chunks are being finished by helpers: wait for them here, spinning,
            // rather than asleep at the scope's end, where waking this thread would cost as
            // much as the wait; the helpers' jobs end while the sums are added up.
            while finished.load(Ordering::Acquire) < n_chunks {
                std::hint::spin_loop();
            }
            let mut total = 0.0;
            for (i, sum) in sums.iter().enumerate() {
                let sum = sum.lock().unwrap_or_else(|e| e.into_inner());
                if i == 0 {
                    grads.copy_from(&sum.grads);
                } else {
                    grads.zip_slices_mut(&sum.grads, |g, a| {
                        for (g, &a) in g.values.iter_mut().zip(a) {
                            *g = *g + a;
                        }
                    });
                }
                total += sum.loss;
            }
            total
        })
    }
}

/// Counts a chunk as finished when dropped, after its sum is written and unlocked.
struct Finished<'a>(&'a AtomicUsize);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
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
