//! The training loop: full-batch gradient descent, SGD (batch size 1) and mini-batch SGD over
//! epochs, with a seeded reshuffle every epoch, a loss history, an optional held-out metric,
//! early stopping, learning-rate schedules, a clear error on divergence and a progress bar.
//!
//! The model is a struct of named arrays and nested models implementing [`Params`]; its
//! gradient buffers are a second value of the same type, allocated once (a zeroed clone per
//! worker) and zeroed before every step. The loss is a
//! per-example closure in the shape of a generated `NAME_adjoint`:
//!
//! ```text
//! |model: &Model, grads: &mut Model, example: usize, scale: f64| -> f64
//! ```
//!
//! It returns the loss of example `example` and ADDS `scale * ∂loss/∂params` into `grads`:
//! exactly what `loss_adjoint(&model.w, .., x, y, scale, &mut grads.w, .., Const, Const)` does.
//! The trainer calls it for every example of a batch with `scale = 1 / batch size`, so `grads`
//! ends up holding the gradient of the batch's mean loss, then hands it to the [`Optimizer`].
//!
//! ```
//! # extern crate autodiff_runtime as autodiff;
//! use autodiff::optim::SgdConfig;
//! use autodiff::train::Trainer;
//! use autodiff::Shadow;
//!
//! // y ≈ w x + b, fitted by least squares
//! #[derive(Clone, Debug, Default, autodiff::Params)]
//! struct Line {
//!     w: f64,
//!     b: f64,
//! }
//!
//! // what `#[grad] fn sq_err(w: f64, b: f64, x: f64, y: f64) -> f64` generates, by hand
//! fn sq_err_adjoint(
//!     w: f64, b: f64, x: f64, y: f64, d_out: f64,
//!     mut d_w: impl Shadow<f64>, mut d_b: impl Shadow<f64>,
//! ) -> f64 {
//!     let r = w * x + b - y;
//!     d_w.add(d_out * 2.0 * r * x);
//!     d_b.add(d_out * 2.0 * r);
//!     r * r
//! }
//!
//! let xs: Vec<f64> = (0..20).map(|i| i as f64 / 10.0).collect();
//! let ys: Vec<f64> = xs.iter().map(|x| 3.0 * x - 1.0).collect();
//!
//! let mut model = Line::default();
//! let mut sgd = SgdConfig::new().with_learning_rate(0.1).build()?;
//! let report = Trainer::new()
//!     .with_epochs(200)
//!     .with_batch_size(4)
//!     .with_seed(7)
//!     .fit(&mut model, &mut sgd, xs.len(), |m: &Line, g: &mut Line, i, scale| {
//!         sq_err_adjoint(m.w, m.b, xs[i], ys[i], scale, &mut g.w, &mut g.b)
//!     })?;
//! assert!((model.w - 3.0).abs() < 1e-3 && (model.b + 1.0).abs() < 1e-3);
//! assert!(report.final_loss().unwrap() < 1e-6);
//! # Ok::<(), autodiff::Error>(())
//! ```

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Instant;

use num_traits::{Float, NumCast};

use crate::data::Batches;
use crate::optim::{Coordinate, GradientClip, LrSchedule, Optimizer, Params};
use crate::{Error, Result};

/// Whether a bigger or a smaller metric is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// Smaller is better (a loss, an error rate).
    Minimize,
    /// Bigger is better (an accuracy).
    Maximize,
}

/// A quantity evaluated on the model after every epoch, usually on held-out data: a name, a
/// [`Goal`] and a closure `FnMut(&Model) -> f64`.
///
/// ```
/// use autodiff_runtime::train::{Goal, Metric};
///
/// let accuracy = Metric::maximize("test accuracy", |w: &Vec<f64>| w[0]);
/// assert_eq!((accuracy.name(), accuracy.goal()), ("test accuracy", Goal::Maximize));
/// ```
pub struct Metric<E> {
    name: String,
    goal: Goal,
    eval: E,
}

impl<E> Metric<E> {
    /// A metric where bigger is better (an accuracy).
    pub fn maximize(name: impl Into<String>, eval: E) -> Self {
        Metric {
            name: name.into(),
            goal: Goal::Maximize,
            eval,
        }
    }

    /// A metric where smaller is better (a held-out loss).
    pub fn minimize(name: impl Into<String>, eval: E) -> Self {
        Metric {
            name: name.into(),
            goal: Goal::Minimize,
            eval,
        }
    }

    /// The metric's name (in reports and plot legends).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether bigger or smaller is better.
    pub fn goal(&self) -> Goal {
        self.goal
    }
}

impl<E> fmt::Debug for Metric<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metric")
            .field("name", &self.name)
            .field("goal", &self.goal)
            .finish_non_exhaustive()
    }
}

/// Stop when the monitored quantity has not improved for `patience` epochs.
///
/// The monitored quantity is the [`Metric`] when the run has one (held-out data is what
/// overfitting shows on), else the epoch's mean training loss;
/// [`EarlyStopping::on_training_loss`] forces the training loss. An epoch improves when it
/// beats the best value so far by more than `min_delta`.
///
/// ```
/// use autodiff_runtime::train::EarlyStopping;
///
/// let stop = EarlyStopping::new(5).with_min_delta(1e-4).with_restore_best(true);
/// assert_eq!(stop.patience(), 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EarlyStopping {
    patience: usize,
    min_delta: f64,
    restore_best: bool,
    training_loss: bool,
}

impl EarlyStopping {
    /// Stop after `patience` epochs without improvement (`min_delta` 0, no restore).
    pub fn new(patience: usize) -> Self {
        EarlyStopping {
            patience,
            min_delta: 0.0,
            restore_best: false,
            training_loss: false,
        }
    }

    /// How much better than the best so far an epoch must be to count as an improvement.
    #[must_use]
    pub fn with_min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta;
        self
    }

    /// When training ends (early or not), put back the parameters of the best epoch. Costs
    /// one copy of the parameters per improving epoch.
    #[must_use]
    pub fn with_restore_best(mut self, restore_best: bool) -> Self {
        self.restore_best = restore_best;
        self
    }

    /// Monitor the training loss even when the run has a [`Metric`].
    #[must_use]
    pub fn on_training_loss(mut self) -> Self {
        self.training_loss = true;
        self
    }

    /// Epochs without improvement before stopping.
    pub fn patience(&self) -> usize {
        self.patience
    }

    /// The minimum improvement.
    pub fn min_delta(&self) -> f64 {
        self.min_delta
    }

    fn validate(&self) -> Result<()> {
        if self.patience == 0 {
            return Err(Error::InvalidParameter {
                name: "patience",
                value: 0.0,
                expected: "at least 1 epoch",
            });
        }
        if !(self.min_delta.is_finite() && self.min_delta >= 0.0) {
            return Err(Error::InvalidParameter {
                name: "min_delta",
                value: self.min_delta,
                expected: "a finite number >= 0",
            });
        }
        Ok(())
    }
}

/// Why training stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// All epochs ran.
    Completed,
    /// Early stopping: no improvement for `patience` epochs, the last of them `epoch`
    /// (0-based).
    EarlyStopped {
        /// The last epoch that ran.
        epoch: usize,
    },
    /// The per-epoch callback returned `ControlFlow::Break` after `epoch` (0-based).
    Callback {
        /// The last epoch that ran.
        epoch: usize,
    },
}

/// What a training run did, epoch by epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainReport {
    /// Mean training loss of every epoch (the mean of the examples' losses, each computed
    /// with the parameters of its step).
    pub loss: Vec<f64>,
    /// The metric after every epoch; empty without a metric.
    pub metric: Vec<f64>,
    /// The metric's name, if there was one.
    pub metric_name: Option<String>,
    /// Whether the metric is minimized (a held-out loss) or maximized (an accuracy), if there
    /// was one.
    pub metric_goal: Option<Goal>,
    /// The learning rate of every epoch.
    pub learning_rate: Vec<f64>,
    /// The wall time of every epoch in seconds, each on its own (not cumulative): its steps,
    /// the metric's evaluation and the early-stopping bookkeeping. The time from the start of
    /// training to the end of epoch `e` is `epoch_seconds[..=e].iter().sum::<f64>()`.
    ///
    /// Wall time differs from run to run: two reports of the same seeded run are equal but
    /// for this field.
    pub epoch_seconds: Vec<f64>,
    /// The epoch with the best monitored value (the metric if any, else the training loss).
    pub best_epoch: usize,
    /// Optimizer steps taken.
    pub steps: usize,
    /// Why training stopped.
    pub stop: StopReason,
}

impl TrainReport {
    /// Epochs run.
    pub fn epochs(&self) -> usize {
        self.loss.len()
    }

    /// The training loss of the last epoch.
    pub fn final_loss(&self) -> Option<f64> {
        self.loss.last().copied()
    }

    /// The metric after the last epoch.
    pub fn final_metric(&self) -> Option<f64> {
        self.metric.last().copied()
    }
}

/// The training loop's settings, with chainable `with_*` setters; [`fit`](Trainer::fit)
/// checks them.
///
/// Defaults: 100 epochs, full batch, seed 0, no early stopping, no schedule (the optimizer's
/// learning rate), no gradient clipping, no explosion guard, every available core, progress
/// bar on.
///
/// One step: zero the gradient buffers, call the loss closure for every example of the batch
/// with `scale = 1 / batch size` (on several threads, see
/// [`with_threads`](Trainer::with_threads)), check the loss and the gradient, clip it, step
/// the optimizer, check the parameters. The buffers (the gradient, one accumulator per
/// thread, a backup of the parameters) are allocated once per run, and a batch is a slice of
/// a reshuffled index list: on one thread a step allocates nothing.
///
/// Divergence: when a step's loss or gradient is NaN or infinite, the step would make a
/// parameter NaN or infinite, the metric is NaN, or (with
/// [`with_explosion_guard`](Trainer::with_explosion_guard)) the loss explodes, training stops
/// with [`Error::Diverged`]: the epoch, step and [`Divergence`], and the [`TrainReport`] of
/// the run so far. The model keeps the parameters it had before that step (all finite), or
/// the best epoch's when early stopping restores the best.
#[derive(Clone)]
pub struct Trainer {
    epochs: usize,
    batch_size: Option<usize>,
    seed: u64,
    early_stopping: Option<EarlyStopping>,
    schedule: Option<Arc<dyn LrSchedule + Send + Sync>>,
    progress: bool,
    explosion_factor: Option<f64>,
    clip: Option<GradientClip>,
    threads: Option<usize>,
}

impl Default for Trainer {
    fn default() -> Self {
        Trainer {
            epochs: 100,
            batch_size: None,
            seed: 0,
            early_stopping: None,
            schedule: None,
            progress: true,
            explosion_factor: None,
            clip: None,
            threads: None,
        }
    }
}

impl fmt::Debug for Trainer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trainer")
            .field("epochs", &self.epochs)
            .field("batch_size", &self.batch_size)
            .field("seed", &self.seed)
            .field("early_stopping", &self.early_stopping)
            .field("schedule", &self.schedule.as_ref().map(|_| ".."))
            .field("progress", &self.progress)
            .field("explosion_factor", &self.explosion_factor)
            .field("clip", &self.clip)
            .field("threads", &self.threads)
            .finish()
    }
}

impl Trainer {
    /// The default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of epochs (passes over the data), at least 1.
    #[must_use]
    pub fn with_epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Mini-batch SGD with `batch_size` examples per step (1 is plain SGD); the last batch of
    /// an epoch may be smaller. Must be at least 1 and at most the number of examples.
    #[must_use]
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = Some(batch_size);
        self
    }

    /// Full-batch gradient descent: one step per epoch over every example (the default).
    #[must_use]
    pub fn with_full_batch(mut self) -> Self {
        self.batch_size = None;
        self
    }

    /// The seed of the per-epoch reshuffle: the same seed gives the same run.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Stop early; see [`EarlyStopping`].
    #[must_use]
    pub fn with_early_stopping(mut self, early_stopping: EarlyStopping) -> Self {
        self.early_stopping = Some(early_stopping);
        self
    }

    /// Set the optimizer's learning rate to `schedule.lr_at(epoch)` at the start of every
    /// epoch (any [`LrSchedule`], including a closure `Fn(usize) -> f64`).
    #[must_use]
    pub fn with_schedule(mut self, schedule: impl LrSchedule + Send + Sync + 'static) -> Self {
        self.schedule = Some(Arc::new(schedule));
        self
    }

    /// Stop with [`Error::Diverged`] when a step's loss rises above the smallest step loss so
    /// far by more than `factor` times its magnitude (the first step's, when the smallest is
    /// 0): training that explodes while staying finite (SGD with too large a learning rate
    /// can grow the weights to 1e153 without ever producing a NaN). Losses of any sign work
    /// (a negative log-likelihood). Off by default; `factor` must be finite and > 1 (checked
    /// by [`fit`](Trainer::fit)).
    ///
    /// ```
    /// use autodiff_runtime::optim::SgdConfig;
    /// use autodiff_runtime::train::{Divergence, Trainer};
    /// use autodiff_runtime::Error;
    ///
    /// // minimize w^2 with a learning rate so large that every step triples |w|
    /// let mut w = vec![1.0];
    /// let mut sgd = SgdConfig::new().with_learning_rate(2.0).build()?;
    /// let err = Trainer::new()
    ///     .with_epochs(1000)
    ///     .with_explosion_guard(1e6)
    ///     .fit(&mut w, &mut sgd, 1, |m: &Vec<f64>, g: &mut Vec<f64>, _, s| {
    ///         g[0] += s * 2.0 * m[0];
    ///         m[0] * m[0]
    ///     })
    ///     .unwrap_err();
    /// let Error::Diverged { cause, report, .. } = err else { panic!() };
    /// assert!(matches!(cause, Divergence::Exploded { .. }));
    /// assert!(report.epochs() < 20 && w[0].abs() < 1e4);
    /// # Ok::<(), Error>(())
    /// ```
    #[must_use]
    pub fn with_explosion_guard(mut self, factor: f64) -> Self {
        self.explosion_factor = Some(factor);
        self
    }

    /// Clip every step's gradient (after the divergence checks, before the optimizer):
    /// by its global norm or by value, see [`GradientClip`]. Off by default; the bound is
    /// checked by [`fit`](Trainer::fit).
    #[must_use]
    pub fn with_gradient_clip(mut self, clip: GradientClip) -> Self {
        self.clip = Some(clip);
        self
    }

    /// Compute each mini-batch's gradient on `threads` threads (default: the machine's
    /// available parallelism). The batch is cut into one contiguous chunk per thread, each
    /// thread adds its chunk's gradients into its own accumulator, and the accumulators are
    /// added up in order: a run is reproducible for a fixed thread count, and other counts
    /// differ by rounding only. A batch of one example runs on the calling thread, without
    /// the pool. Must be at least 1 (checked by [`fit`](Trainer::fit)).
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Show a progress bar on stderr (default on). It appears only when stderr is a terminal,
    /// the crate's `progress` feature is on, and the run has lasted a second.
    #[must_use]
    pub fn with_progress(mut self, progress: bool) -> Self {
        self.progress = progress;
        self
    }

    /// Trains `model` on examples `0..n_examples` with `optimizer`; `loss(model, grads,
    /// example, scale)` returns the example's loss and adds `scale` times its gradient into
    /// `grads` (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidParameter`] for 0 epochs, a batch size of 0 or more than
    /// `n_examples`, bad early-stopping settings, or a learning rate from the schedule that
    /// the optimizer rejects; [`Error::InvalidData`] if `n_examples` is 0;
    /// [`Error::Diverged`] as described on [`Trainer`].
    pub fn fit<M, O, L>(
        &self,
        model: &mut M,
        optimizer: &mut O,
        n_examples: usize,
        loss: L,
    ) -> Result<TrainReport>
    where
        M: Params + Clone + Send + Sync,
        O: Optimizer<M> + ?Sized,
        L: Fn(&M, &mut M, usize, M::Scalar) -> M::Scalar + Sync,
    {
        self.session(model, optimizer, n_examples, loss).run()
    }

    /// [`fit`](Trainer::fit), evaluating `metric` on the model after every epoch (e.g. the
    /// accuracy on a held-out set). Early stopping monitors it unless told otherwise.
    ///
    /// # Errors
    ///
    /// As [`fit`](Trainer::fit).
    pub fn fit_with_metric<M, O, L, E>(
        &self,
        model: &mut M,
        optimizer: &mut O,
        n_examples: usize,
        loss: L,
        metric: Metric<E>,
    ) -> Result<TrainReport>
    where
        M: Params + Clone + Send + Sync,
        O: Optimizer<M> + ?Sized,
        L: Fn(&M, &mut M, usize, M::Scalar) -> M::Scalar + Sync,
        E: FnMut(&M) -> f64,
    {
        self.session(model, optimizer, n_examples, loss)
            .with_metric(metric)
            .run()
    }

    /// A training run to set up further before [`run`](Session::run): a metric, a per-epoch
    /// callback. [`fit`](Trainer::fit) and [`fit_with_metric`](Trainer::fit_with_metric) are
    /// sessions run as they are.
    pub fn session<'a, M, O, L>(
        &'a self,
        model: &'a mut M,
        optimizer: &'a mut O,
        n_examples: usize,
        loss: L,
    ) -> Session<'a, M, O, L>
    where
        M: Params + Clone + Send + Sync,
        O: Optimizer<M> + ?Sized,
        L: Fn(&M, &mut M, usize, M::Scalar) -> M::Scalar + Sync,
    {
        Session::new(self, model, optimizer, n_examples, loss)
    }

    fn run<M, O, L, E, C>(
        &self,
        model: &mut M,
        optimizer: &mut O,
        n_examples: usize,
        loss: L,
        mut metric: Option<Metric<E>>,
        mut on_epoch: C,
    ) -> Result<TrainReport>
    where
        M: Params + Clone + Send + Sync,
        O: Optimizer<M> + ?Sized,
        L: Fn(&M, &mut M, usize, M::Scalar) -> M::Scalar + Sync,
        E: FnMut(&M) -> f64,
        C: FnMut(&EpochEnd<'_, M>) -> ControlFlow<()>,
    {
        if self.epochs == 0 {
            return Err(Error::InvalidParameter {
                name: "epochs",
                value: 0.0,
                expected: "at least 1",
            });
        }
        if let Some(early) = &self.early_stopping {
            early.validate()?;
        }
        if let Some(clip) = &self.clip {
            clip.validate()?;
        }
        if let Some(factor) = self
            .explosion_factor
            .filter(|f| !(f.is_finite() && *f > 1.0))
        {
            return Err(Error::InvalidParameter {
                name: "explosion_factor",
                value: factor,
                expected: "a finite number > 1",
            });
        }
        let mut batches =
            Batches::new(n_examples, self.batch_size.unwrap_or(n_examples), self.seed)?;
        let monitor_metric =
            metric.is_some() && !self.early_stopping.is_some_and(|e| e.training_loss);
        let goal = match &metric {
            Some(m) if monitor_metric => m.goal,
            _ => Goal::Minimize,
        };
        let min_delta = self.early_stopping.map_or(0.0, |e| e.min_delta);
        let restore_best = self.early_stopping.is_some_and(|e| e.restore_best);

        // allocated once per run: the gradient, the parameters before a step, the best ones
        let threads = match self.threads {
            Some(0) => {
                return Err(Error::InvalidParameter {
                    name: "threads",
                    value: 0.0,
                    expected: "at least 1",
                })
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let mut workers = parallel::Workers::new(threads, model)?;
        let mut grads = model.zeros_like();
        let mut backup = model.clone();
        let mut best_model = if restore_best {
            Some(model.clone())
        } else {
            None
        };

        let mut report = TrainReport {
            loss: Vec::with_capacity(self.epochs),
            metric: Vec::with_capacity(if metric.is_some() { self.epochs } else { 0 }),
            metric_name: metric.as_ref().map(|m| m.name.clone()),
            metric_goal: metric.as_ref().map(|m| m.goal),
            learning_rate: Vec::with_capacity(self.epochs),
            epoch_seconds: Vec::with_capacity(self.epochs),
            best_epoch: 0,
            steps: 0,
            stop: StopReason::Completed,
        };
        let mut best: Option<f64> = None;
        let mut since_best = 0;
        let mut lowest_step_loss = f64::INFINITY;
        let mut first_step_loss = None;
        let mut progress =
            progress::Progress::new(self.progress, (self.epochs * batches.n_batches()) as u64);
        for epoch in 0..self.epochs {
            let epoch_start = Instant::now();
            if let Some(schedule) = &self.schedule {
                optimizer.set_learning_rate(schedule.lr_at(epoch))?;
            }
            report.learning_rate.push(optimizer.learning_rate());
            let mut epoch_sum = 0.0;
            for (step, batch) in batches.next_epoch().enumerate() {
                let scale = 1.0 / batch.len() as f64;
                scalar::<M::Scalar>(scale)?;
                let batch_sum = workers.gradient(model, &mut grads, batch, scale, &loss);
                let batch_loss = batch_sum / batch.len() as f64;
                let cause = if !batch_loss.is_finite() {
                    Some(Divergence::NonFiniteLoss)
                } else if let Some(at) = grads.first_non_finite() {
                    Some(Divergence::NonFiniteGradient { at })
                } else {
                    self.explosion_factor
                        .filter(|&k| exploded(batch_loss, lowest_step_loss, first_step_loss, k))
                        .map(|factor| Divergence::Exploded {
                            lowest: lowest_step_loss,
                            factor,
                        })
                };
                if let Some(cause) = cause {
                    stop_after_divergence(model, best_model.as_ref(), &mut progress);
                    return Err(diverged(report, cause, epoch, step, batch_loss));
                }
                lowest_step_loss = lowest_step_loss.min(batch_loss);
                first_step_loss.get_or_insert(batch_loss);
                if let Some(clip) = &self.clip {
                    clip.apply(&mut grads)?;
                }
                backup.copy_from(model);
                optimizer.step(model, &grads);
                if let Some(at) = model.first_non_finite() {
                    model.copy_from(&backup);
                    stop_after_divergence(model, best_model.as_ref(), &mut progress);
                    let cause = Divergence::NonFiniteParameters { at };
                    return Err(diverged(report, cause, epoch, step, batch_loss));
                }
                epoch_sum += batch_loss * batch.len() as f64;
                report.steps += 1;
                progress.step();
            }
            let epoch_loss = epoch_sum / n_examples as f64;
            report.loss.push(epoch_loss);
            let mut monitored = epoch_loss;
            if let Some(m) = &mut metric {
                let value = (m.eval)(model);
                report.metric.push(value);
                if value.is_nan() {
                    stop_after_divergence(model, best_model.as_ref(), &mut progress);
                    let cause = Divergence::NanMetric;
                    return Err(diverged(report, cause, epoch, 0, epoch_loss));
                }
                if monitor_metric {
                    monitored = value;
                }
            }
            progress.epoch(epoch, epoch_loss);

            let improved = match best {
                None => true,
                Some(b) => match goal {
                    Goal::Minimize => monitored < b - min_delta,
                    Goal::Maximize => monitored > b + min_delta,
                },
            };
            if improved {
                best = Some(monitored);
                report.best_epoch = epoch;
                since_best = 0;
                if let Some(saved) = &mut best_model {
                    saved.copy_from(model);
                }
            } else {
                since_best += 1;
            }
            report
                .epoch_seconds
                .push(epoch_start.elapsed().as_secs_f64());
            let end = EpochEnd {
                epoch,
                model,
                report: &report,
            };
            if on_epoch(&end).is_break() {
                report.stop = StopReason::Callback { epoch };
                break;
            }
            if !improved
                && self
                    .early_stopping
                    .is_some_and(|e| since_best >= e.patience)
            {
                report.stop = StopReason::EarlyStopped { epoch };
                break;
            }
        }
        if let Some(saved) = &best_model {
            model.copy_from(saved);
        }
        progress.finish();
        Ok(report)
    }
}

/// Why training stopped with [`Error::Diverged`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Divergence {
    /// A step's loss was NaN or infinite.
    NonFiniteLoss,
    /// A step's gradient had a NaN or infinite entry.
    NonFiniteGradient {
        /// The first one in walk order, e.g. `layer1.w[3][7]`.
        at: Coordinate,
    },
    /// The optimizer's step made a parameter NaN or infinite (the step is undone).
    NonFiniteParameters {
        /// The first one in walk order.
        at: Coordinate,
    },
    /// A step's loss rose above the lowest step loss so far by more than `factor` times its
    /// magnitude, or the first step's when the lowest is 0
    /// ([`Trainer::with_explosion_guard`]).
    Exploded {
        /// The lowest step loss before this step.
        lowest: f64,
        /// The guard's factor.
        factor: f64,
    },
    /// The metric evaluated after the epoch was NaN: there is no telling whether the epoch
    /// was better or worse.
    NanMetric,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Divergence::NonFiniteLoss => write!(f, "the loss is not finite"),
            Divergence::NonFiniteGradient { at } => {
                write!(f, "the gradient is not finite at `{at}`")
            }
            Divergence::NonFiniteParameters { at } => {
                write!(f, "a step made parameter `{at}` non-finite")
            }
            Divergence::Exploded { lowest, factor } if *lowest == 0.0 => write!(
                f,
                "the loss rose above the lowest loss so far (0) by more than {factor} times \
                 the first step's"
            ),
            Divergence::Exploded { lowest, factor } => write!(
                f,
                "the loss rose above the lowest loss so far ({lowest}) by more than {factor} \
                 times its magnitude"
            ),
            Divergence::NanMetric => write!(f, "the metric is NaN"),
        }
    }
}

/// Whether a step's `loss` has exploded: risen above the `lowest` step loss so far by more
/// than `factor` times the lowest's magnitude (the `first` step's when the lowest is 0: a
/// loss can reach 0 and be positive again, and losses such as a negative log-likelihood can
/// be negative). Not decided at the first step, nor while every loss so far is 0.
fn exploded(loss: f64, lowest: f64, first: Option<f64>, factor: f64) -> bool {
    let Some(first) = first else {
        return false;
    };
    let scale = if lowest == 0.0 {
        first.abs()
    } else {
        lowest.abs()
    };
    scale > 0.0 && loss - lowest > factor * scale
}

/// After a divergence: the best epoch's parameters when early stopping keeps them, and no
/// progress bar.
fn stop_after_divergence<M: Params>(
    model: &mut M,
    best: Option<&M>,
    progress: &mut progress::Progress,
) {
    if let Some(saved) = best {
        model.copy_from(saved);
    }
    progress.abandon();
}

fn diverged(report: TrainReport, cause: Divergence, epoch: usize, step: usize, loss: f64) -> Error {
    Error::Diverged {
        epoch,
        step,
        loss,
        cause,
        report: Box::new(report),
    }
}

fn scalar<T: Float>(value: f64) -> Result<T> {
    <T as NumCast>::from(value).ok_or(Error::InvalidParameter {
        name: "batch_size",
        value,
        expected: "a scale 1 / batch size representable in the parameters' float type",
    })
}

mod parallel;
mod progress;
mod session;
#[cfg(test)]
mod tests;

pub use session::{EpochEnd, Session};
