//! The training loop: full-batch gradient descent, SGD (batch size 1) and mini-batch SGD over
//! epochs, with a seeded reshuffle every epoch, a loss history, an optional held-out metric,
//! early stopping, learning-rate schedules, a clear error on divergence and a progress bar.
//!
//! The model is a struct of named arrays implementing [`Params`]; its gradient buffers are a
//! second value of the same type, allocated once and zeroed before every step. The loss is a
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
//! use autodiff_runtime::optim::SgdConfig;
//! use autodiff_runtime::train::Trainer;
//! use autodiff_runtime::{params, Shadow};
//!
//! // y ≈ w x + b, fitted by least squares
//! #[derive(Clone, Debug, Default)]
//! struct Line {
//!     w: f64,
//!     b: f64,
//! }
//! params!(Line: f64 { w, b });
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
//! # Ok::<(), autodiff_runtime::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use num_traits::{Float, NumCast, ToPrimitive, Zero};

use crate::data::Batches;
use crate::optim::{LrSchedule, Optimizer, Params};
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
/// learning rate), progress bar on.
///
/// One step: zero the gradient buffers, call the loss closure for every example of the batch
/// with `scale = 1 / batch size`, check the loss and the gradient, step the optimizer, check
/// the parameters. Nothing is allocated per step: the gradient buffers and a backup of the
/// parameters are allocated once per run, and a batch is a slice of a reshuffled index list.
///
/// Divergence: when a step's loss or gradient is NaN or infinite, or the step would make a
/// parameter NaN or infinite, training stops with [`Error::Diverged`] naming the epoch and
/// step, and the model keeps the parameters it had before that step (all finite).
#[derive(Clone)]
pub struct Trainer {
    epochs: usize,
    batch_size: Option<usize>,
    seed: u64,
    early_stopping: Option<EarlyStopping>,
    schedule: Option<Arc<dyn LrSchedule + Send + Sync>>,
    progress: bool,
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
        M: Params + Clone,
        O: Optimizer<M> + ?Sized,
        L: FnMut(&M, &mut M, usize, M::Scalar) -> M::Scalar,
    {
        self.run(
            model,
            optimizer,
            n_examples,
            loss,
            None::<Metric<fn(&M) -> f64>>,
        )
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
        M: Params + Clone,
        O: Optimizer<M> + ?Sized,
        L: FnMut(&M, &mut M, usize, M::Scalar) -> M::Scalar,
        E: FnMut(&M) -> f64,
    {
        self.run(model, optimizer, n_examples, loss, Some(metric))
    }

    fn run<M, O, L, E>(
        &self,
        model: &mut M,
        optimizer: &mut O,
        n_examples: usize,
        mut loss: L,
        mut metric: Option<Metric<E>>,
    ) -> Result<TrainReport>
    where
        M: Params + Clone,
        O: Optimizer<M> + ?Sized,
        L: FnMut(&M, &mut M, usize, M::Scalar) -> M::Scalar,
        E: FnMut(&M) -> f64,
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
        let mut grads = model.clone();
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
            learning_rate: Vec::with_capacity(self.epochs),
            epoch_seconds: Vec::with_capacity(self.epochs),
            best_epoch: 0,
            steps: 0,
            stop: StopReason::Completed,
        };
        let mut best: Option<f64> = None;
        let mut since_best = 0;
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
                grads.zero();
                let scale = scalar::<M::Scalar>(1.0 / batch.len() as f64)?;
                let mut batch_sum = M::Scalar::zero();
                for &i in batch {
                    batch_sum = batch_sum + loss(model, &mut grads, i, scale);
                }
                let batch_loss = batch_sum.to_f64().unwrap_or(f64::NAN) / batch.len() as f64;
                let diverged = Error::Diverged {
                    epoch,
                    step,
                    loss: batch_loss,
                };
                if !batch_loss.is_finite() || !grads.is_finite() {
                    progress.abandon();
                    return Err(diverged);
                }
                backup.copy_from(model);
                optimizer.step(model, &grads);
                if !model.is_finite() {
                    model.copy_from(&backup);
                    progress.abandon();
                    return Err(diverged);
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

fn scalar<T: Float>(value: f64) -> Result<T> {
    <T as NumCast>::from(value).ok_or(Error::InvalidParameter {
        name: "batch_size",
        value,
        expected: "a scale 1 / batch size representable in the parameters' float type",
    })
}

#[cfg(feature = "progress")]
mod progress {
    use std::io::IsTerminal;
    use std::time::{Duration, Instant};

    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

    /// A run that lasts longer than this gets a bar.
    const SHOW_AFTER: Duration = Duration::from_secs(1);

    pub(super) struct Progress {
        bar: Option<ProgressBar>,
        shown: bool,
        start: Instant,
    }

    impl Progress {
        pub(super) fn new(enabled: bool, total_steps: u64) -> Self {
            let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
                let bar =
                    ProgressBar::with_draw_target(Some(total_steps), ProgressDrawTarget::hidden());
                if let Ok(style) = ProgressStyle::with_template(
                    "{bar:30} step {pos}/{len}  {prefix} {msg}  [{elapsed_precise} < {eta}]",
                ) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            });
            Progress {
                bar,
                shown: false,
                start: Instant::now(),
            }
        }

        pub(super) fn step(&mut self) {
            if let Some(bar) = &self.bar {
                bar.inc(1);
                if !self.shown && self.start.elapsed() >= SHOW_AFTER {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    self.shown = true;
                }
            }
        }

        pub(super) fn epoch(&mut self, epoch: usize, loss: f64) {
            if let Some(bar) = &self.bar {
                bar.set_prefix(format!("epoch {}", epoch + 1));
                bar.set_message(format!("loss {loss:.4e}"));
            }
        }

        pub(super) fn finish(&mut self) {
            if let Some(bar) = self.bar.take() {
                bar.finish();
            }
        }

        pub(super) fn abandon(&mut self) {
            if let Some(bar) = self.bar.take() {
                bar.abandon();
            }
        }
    }
}

#[cfg(not(feature = "progress"))]
mod progress {
    pub(super) struct Progress;

    impl Progress {
        pub(super) fn new(_enabled: bool, _total_steps: u64) -> Self {
            Progress
        }

        pub(super) fn step(&mut self) {}

        pub(super) fn epoch(&mut self, _epoch: usize, _loss: f64) {}

        pub(super) fn finish(&mut self) {}

        pub(super) fn abandon(&mut self) {}
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::optim::SgdConfig;
    use crate::Shadow;

    #[derive(Clone, Debug, Default, PartialEq)]
    struct Line {
        w: f64,
        b: f64,
    }
    crate::params!(Line: f64 { w, b });

    /// The hand-written adjoint of `(w x + b - y)^2`, in the generated convention.
    #[allow(clippy::too_many_arguments)]
    fn sq_err_adjoint(
        w: f64,
        b: f64,
        x: f64,
        y: f64,
        d_out: f64,
        mut d_w: impl Shadow<f64>,
        mut d_b: impl Shadow<f64>,
    ) -> f64 {
        let r = w * x + b - y;
        d_w.add(d_out * 2.0 * r * x);
        d_b.add(d_out * 2.0 * r);
        r * r
    }

    /// 40 points on y = 2 x - 1 with a little deterministic noise.
    fn line_data() -> (Vec<f64>, Vec<f64>) {
        let xs: Vec<f64> = (0..40).map(|i| -1.0 + i as f64 / 20.0).collect();
        let ys = xs
            .iter()
            .enumerate()
            .map(|(i, x)| 2.0 * x - 1.0 + 0.01 * ((i * 7 % 5) as f64 - 2.0))
            .collect();
        (xs, ys)
    }

    /// Plain gradient descent, independent of the optimizer module's details.
    struct Descent {
        lr: f64,
    }

    impl<P: Params<Scalar = f64>> Optimizer<P> for Descent {
        fn step(&mut self, params: &mut P, grads: &P) {
            let lr = self.lr;
            params.zip_slices_mut(grads, |_, p, g| {
                for (p, g) in p.iter_mut().zip(g) {
                    *p -= lr * g;
                }
            });
        }

        fn learning_rate(&self) -> f64 {
            self.lr
        }

        fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
            self.lr = lr;
            Ok(())
        }
    }

    fn train_line(trainer: &Trainer, lr: f64) -> (Line, Result<TrainReport>) {
        let (xs, ys) = line_data();
        let mut model = Line::default();
        let report = trainer.fit(&mut model, &mut Descent { lr }, xs.len(), |m, g, i, s| {
            sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b)
        });
        (model, report)
    }

    #[test]
    fn full_batch_mini_batch_and_sgd_converge() {
        let runs = [
            (Trainer::new().with_epochs(500), 0.3, 500),
            (Trainer::new().with_epochs(100).with_batch_size(8), 0.1, 500),
            (
                Trainer::new().with_epochs(60).with_batch_size(1),
                0.02,
                2400,
            ),
        ];
        for (trainer, lr, steps) in runs {
            let (model, report) = train_line(&trainer, lr);
            let report = report.unwrap();
            assert!((model.w - 2.0).abs() < 0.01, "{trainer:?}: w = {}", model.w);
            assert!((model.b + 1.0).abs() < 0.01, "{trainer:?}: b = {}", model.b);
            assert_eq!(report.steps, steps);
            assert_eq!(report.epochs(), report.loss.len());
            assert_eq!(report.stop, StopReason::Completed);
            assert!(report.final_loss().unwrap() < 1e-3);
            assert!(report.loss[0] > 10.0 * report.final_loss().unwrap());
            assert!(report.metric.is_empty() && report.metric_name.is_none());
        }
    }

    #[test]
    fn full_batch_step_is_the_mean_gradient() {
        // one full-batch step from w = b = 0 on two points: grad = mean of 2 r x, 2 r
        let xs = [1.0, 3.0];
        let ys = [2.0, 4.0];
        let mut model = Line::default();
        let report = Trainer::new()
            .with_epochs(1)
            .fit(&mut model, &mut Descent { lr: 0.5 }, 2, |m, g, i, s| {
                sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b)
            })
            .unwrap();
        // d_w = ((-2*2*1) + (-2*4*3)) / 2 = -14, d_b = (-4 - 8) / 2 = -6
        assert_eq!(model, Line { w: 7.0, b: 3.0 });
        assert_eq!(report.loss, vec![(4.0 + 16.0) / 2.0]);
        assert_eq!(report.steps, 1);
    }

    #[test]
    fn works_with_the_sgd_optimizer_and_a_schedule() {
        let (xs, ys) = line_data();
        let mut model = Line::default();
        let mut sgd = SgdConfig::new()
            .with_learning_rate(0.1)
            .with_momentum(0.5)
            .build()
            .unwrap();
        let report = Trainer::new()
            .with_epochs(50)
            .with_batch_size(10)
            .with_schedule(|epoch: usize| if epoch < 25 { 0.1 } else { 0.01 })
            .fit(&mut model, &mut sgd, xs.len(), |m, g, i, s| {
                sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b)
            })
            .unwrap();
        assert_eq!(report.learning_rate[0], 0.1);
        assert_eq!(report.learning_rate[25], 0.01);
        assert_eq!(sgd.learning_rate(), 0.01);
        assert!((model.w - 2.0).abs() < 0.05 && (model.b + 1.0).abs() < 0.05);
    }

    #[test]
    fn same_seed_same_history_other_seed_other_history() {
        let trainer = Trainer::new()
            .with_epochs(20)
            .with_batch_size(3)
            .with_seed(5);
        let (m1, r1) = train_line(&trainer, 0.05);
        let (m2, r2) = train_line(&trainer, 0.05);
        let (r1, r2) = (r1.unwrap(), r2.unwrap());
        assert_eq!(without_times(&r1), without_times(&r2));
        assert_eq!(m1, m2);
        let (m3, r3) = train_line(&trainer.clone().with_seed(6), 0.05);
        assert_ne!(r1.loss, r3.unwrap().loss);
        assert_ne!(m1, m3);
    }

    /// The report but its wall times, which differ from run to run.
    fn without_times(report: &TrainReport) -> TrainReport {
        TrainReport {
            epoch_seconds: Vec::new(),
            ..report.clone()
        }
    }

    #[test]
    fn epoch_seconds_times_each_epoch_on_its_own() {
        let pause = std::time::Duration::from_millis(2);
        let start = Instant::now();
        let report = Trainer::new()
            .with_epochs(5)
            .with_batch_size(2)
            .fit_with_metric(
                &mut Line::default(),
                &mut Descent { lr: 0.1 },
                4,
                |_, _, _, _| 1.0,
                // every epoch takes at least `pause`
                Metric::minimize("slow", |_: &Line| {
                    std::thread::sleep(pause);
                    0.0
                }),
            )
            .unwrap();
        let total = start.elapsed().as_secs_f64();
        assert_eq!(report.epoch_seconds.len(), report.epochs());
        assert!(
            report
                .epoch_seconds
                .iter()
                .all(|&s| s >= pause.as_secs_f64()),
            "{:?}",
            report.epoch_seconds
        );
        // per epoch, not cumulative: together they fit in the run's wall time
        assert!(report.epoch_seconds.iter().sum::<f64>() <= total);

        // one per epoch run, also when stopping early
        let trainer = Trainer::new()
            .with_epochs(100)
            .with_early_stopping(EarlyStopping::new(3));
        let report = train_line(&trainer, 0.0).1.unwrap();
        assert_eq!(report.epochs(), 4);
        assert_eq!(report.epoch_seconds.len(), 4);
        assert!(report.epoch_seconds.iter().all(|&s| s > 0.0));
    }

    #[test]
    fn huge_learning_rate_diverges_with_finite_parameters() {
        for trainer in [
            Trainer::new().with_epochs(1000),
            Trainer::new().with_epochs(1000).with_batch_size(4),
        ] {
            let (model, report) = train_line(&trainer, 50.0);
            match report {
                Err(Error::Diverged { epoch, .. }) => assert!(epoch < 1000),
                other => panic!("expected divergence, got {other:?}"),
            }
            assert!(model.is_finite(), "{model:?}");
        }
    }

    #[test]
    fn non_finite_gradient_stops_before_the_step() {
        let (xs, ys) = line_data();
        let mut model = Line::default();
        let calls = Cell::new(0);
        let seen = Cell::new((f64::NAN, f64::NAN));
        let err = Trainer::new()
            .with_epochs(10)
            .with_batch_size(10)
            .fit(
                &mut model,
                &mut Descent { lr: 0.1 },
                xs.len(),
                |m, g, i, s| {
                    calls.set(calls.get() + 1);
                    let loss = sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b);
                    // the first example of epoch 1, step 2 poisons the gradient
                    if calls.get() == 40 + 2 * 10 + 1 {
                        seen.set((m.w, m.b));
                        g.b = f64::NAN;
                    }
                    loss
                },
            )
            .unwrap_err();
        match err {
            Error::Diverged { epoch, step, loss } => {
                assert_eq!((epoch, step), (1, 2));
                assert!(loss.is_finite());
            }
            other => panic!("expected divergence, got {other:?}"),
        }
        assert_eq!((model.w, model.b), seen.get());
        assert!(model.w != 0.0);
    }

    #[test]
    fn non_finite_loss_is_reported() {
        let mut model = Line::default();
        let err = Trainer::new()
            .with_epochs(3)
            .fit(&mut model, &mut Descent { lr: 0.1 }, 4, |_, _, i, _| {
                if i == 3 {
                    f64::INFINITY
                } else {
                    1.0
                }
            })
            .unwrap_err();
        assert!(matches!(err, Error::Diverged { epoch: 0, step: 0, loss } if loss.is_infinite()));
        assert_eq!(model, Line::default());
    }

    /// An optimizer whose second step overflows the parameters.
    struct Overflow {
        steps: usize,
    }

    impl Optimizer<Line> for Overflow {
        fn step(&mut self, params: &mut Line, _: &Line) {
            self.steps += 1;
            params.w += 1.0;
            if self.steps == 2 {
                params.b = f64::MAX * 2.0;
            }
        }

        fn learning_rate(&self) -> f64 {
            1.0
        }

        fn set_learning_rate(&mut self, _: f64) -> Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_step_that_overflows_the_parameters_is_undone() {
        let mut model = Line::default();
        let err = Trainer::new()
            .with_epochs(5)
            .fit(&mut model, &mut Overflow { steps: 0 }, 3, |_, _, _, _| 1.0)
            .unwrap_err();
        assert!(matches!(err, Error::Diverged { epoch: 1, step: 0, loss } if loss == 1.0));
        assert_eq!(model, Line { w: 1.0, b: 0.0 });
    }

    #[test]
    fn early_stopping_on_a_plateau() {
        // learning rate 0: the loss never improves after epoch 0
        let trainer = Trainer::new()
            .with_epochs(100)
            .with_early_stopping(EarlyStopping::new(3));
        let (_, report) = train_line(&trainer, 0.0);
        let report = report.unwrap();
        assert_eq!(report.stop, StopReason::EarlyStopped { epoch: 3 });
        assert_eq!(report.epochs(), 4);
        assert_eq!(report.best_epoch, 0);
        // improvements smaller than min_delta do not count
        let trainer = Trainer::new()
            .with_epochs(1000)
            .with_early_stopping(EarlyStopping::new(2).with_min_delta(1e-3));
        let (_, report) = train_line(&trainer, 0.1);
        let report = report.unwrap();
        let StopReason::EarlyStopped { epoch } = report.stop else {
            panic!("expected an early stop, got {:?}", report.stop);
        };
        assert!(epoch < 999);
        let n = report.loss.len();
        assert!(report.loss[n - 3] - report.loss[n - 1] <= 1e-3);
    }

    #[test]
    fn early_stopping_on_a_metric_restores_the_best_model() {
        let (xs, ys) = line_data();
        let scores = [0.5, 0.7, 0.6, 0.65, 0.69, 0.99];
        let epoch = Cell::new(0);
        let snapshots = std::cell::RefCell::new(Vec::new());
        let mut model = Line::default();
        let report = Trainer::new()
            .with_epochs(6)
            .with_early_stopping(EarlyStopping::new(3).with_restore_best(true))
            .fit_with_metric(
                &mut model,
                &mut Descent { lr: 0.1 },
                xs.len(),
                |m, g, i, s| sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b),
                Metric::maximize("accuracy", |m: &Line| {
                    snapshots.borrow_mut().push(m.clone());
                    epoch.set(epoch.get() + 1);
                    scores[epoch.get() - 1]
                }),
            )
            .unwrap();
        assert_eq!(report.metric, &scores[..5]);
        assert_eq!(report.metric_name.as_deref(), Some("accuracy"));
        assert_eq!(report.final_metric(), Some(0.69));
        assert_eq!(report.stop, StopReason::EarlyStopped { epoch: 4 });
        assert_eq!(report.best_epoch, 1);
        assert_eq!(model, snapshots.borrow()[1]);

        // the same run monitoring the training loss (which keeps falling) runs to the end
        epoch.set(0);
        let report = Trainer::new()
            .with_epochs(6)
            .with_early_stopping(EarlyStopping::new(3).on_training_loss())
            .fit_with_metric(
                &mut Line::default(),
                &mut Descent { lr: 0.1 },
                xs.len(),
                |m, g, i, s| sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b),
                Metric::maximize("accuracy", |_: &Line| {
                    epoch.set(epoch.get() + 1);
                    scores[epoch.get() - 1]
                }),
            )
            .unwrap();
        assert_eq!(report.stop, StopReason::Completed);
        assert_eq!(report.best_epoch, 5);
    }

    #[test]
    fn bad_settings_are_errors() {
        let bad = |trainer: Trainer, n: usize| {
            let mut model = Line::default();
            trainer
                .fit(&mut model, &mut Descent { lr: 0.1 }, n, |_, _, _, _| 0.0)
                .unwrap_err()
        };
        let name = |e: Error| match e {
            Error::InvalidParameter { name, .. } => name,
            other => panic!("expected an invalid parameter, got {other:?}"),
        };
        assert_eq!(name(bad(Trainer::new().with_epochs(0), 5)), "epochs");
        assert_eq!(
            name(bad(Trainer::new().with_batch_size(0), 5)),
            "batch_size"
        );
        assert_eq!(
            name(bad(Trainer::new().with_batch_size(6), 5)),
            "batch_size"
        );
        let early = |e: EarlyStopping| bad(Trainer::new().with_early_stopping(e), 5);
        assert_eq!(name(early(EarlyStopping::new(0))), "patience");
        assert_eq!(
            name(early(EarlyStopping::new(1).with_min_delta(-1.0))),
            "min_delta"
        );
        assert!(matches!(bad(Trainer::new(), 0), Error::InvalidData(_)));
        // a learning rate the optimizer rejects
        let mut sgd = SgdConfig::new().build().unwrap();
        let err = Trainer::new()
            .with_schedule(|_: usize| -1.0)
            .fit(&mut Line::default(), &mut sgd, 3, |_, _, _, _| 0.0)
            .unwrap_err();
        assert_eq!(name(err), "learning_rate");
    }

    /// Logistic regression: the loss a user writes, differentiated by `#[grad]`.
    #[autodiff_macros::grad]
    fn logistic_loss(w: &[f64; 30], b: f64, x: &[f64; 30], y: f64) -> f64 {
        let mut z = b;
        for i in 0..30 {
            z += w[i] * x[i];
        }
        crate::loss::bce_with_logits(z, y)
    }

    #[derive(Clone, Debug)]
    struct Logistic {
        w: [f64; 30],
        b: f64,
    }
    crate::params!(Logistic: f64 { w, b });

    #[cfg(feature = "datasets")]
    #[test]
    fn trains_breast_cancer_with_a_generated_adjoint() {
        use crate::data::{datasets, Standardizer};
        use crate::Const;

        let (train, test) = datasets::breast_cancer().stratified_split(0.2, 0).unwrap();
        let scaler = Standardizer::fit(&train);
        let (train, test) = (
            scaler.transform(&train).unwrap(),
            scaler.transform(&test).unwrap(),
        );
        let (y_train, y_test) = (train.labels().unwrap(), test.labels().unwrap());
        let accuracy = |m: &Logistic| {
            let correct = (0..test.len())
                .filter(|&i| {
                    let z = m.b + m.w.iter().zip(test.row(i)).map(|(w, x)| w * x).sum::<f64>();
                    (z > 0.0) == (y_test[i] == 1)
                })
                .count();
            correct as f64 / test.len() as f64
        };
        let mut model = Logistic {
            w: [0.0; 30],
            b: 0.0,
        };
        let mut sgd = SgdConfig::new().with_learning_rate(0.1).build().unwrap();
        let report = Trainer::new()
            .with_epochs(30)
            .with_batch_size(32)
            .with_seed(1)
            .fit_with_metric(
                &mut model,
                &mut sgd,
                train.len(),
                |m: &Logistic, g: &mut Logistic, i, scale| {
                    let y = y_train[i] as f64;
                    logistic_loss_adjoint(
                        &m.w,
                        m.b,
                        train.row_array(i),
                        y,
                        scale,
                        &mut g.w,
                        &mut g.b,
                        Const,
                        Const,
                    )
                },
                Metric::maximize("test accuracy", accuracy),
            )
            .unwrap();
        assert!(report.loss[29] < 0.5 * report.loss[0], "{:?}", report.loss);
        assert!(
            report.final_metric().unwrap() >= 0.95,
            "{:?}",
            report.metric
        );
    }

    /// Counts the heap allocations of the current thread (other tests run on other threads).
    mod allocations {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        thread_local! {
            static COUNT: Cell<usize> = const { Cell::new(0) };
        }

        struct Counting;

        fn count() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }

        // SAFETY: every call is forwarded unchanged to the system allocator.
        unsafe impl GlobalAlloc for Counting {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                count();
                System.alloc(layout)
            }

            unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
                count();
                System.alloc_zeroed(layout)
            }

            unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
                count();
                System.realloc(ptr, layout, new_size)
            }

            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                System.dealloc(ptr, layout);
            }
        }

        #[global_allocator]
        static GLOBAL: Counting = Counting;

        pub(super) fn so_far() -> usize {
            COUNT.with(Cell::get)
        }
    }

    #[test]
    fn steps_do_not_allocate() {
        let n = 500;
        let xs: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
        // a model with heap-allocated parameters: clones allocate, steps must not
        let mut model = vec![0.0, 0.0];
        let mut sgd = SgdConfig::new()
            .with_learning_rate(0.05)
            .with_momentum(0.9)
            .build()
            .unwrap();
        let trainer = Trainer::new()
            .with_epochs(4)
            .with_batch_size(1)
            .with_schedule(|e: usize| 0.05 / (1.0 + e as f64));
        let before = allocations::so_far();
        let report = trainer
            .fit(
                &mut model,
                &mut sgd,
                n,
                |m: &Vec<f64>, g: &mut Vec<f64>, i, s| {
                    let (d_w, d_b) = g.split_at_mut(1);
                    sq_err_adjoint(m[0], m[1], xs[i], 1.0 - xs[i], s, &mut d_w[0], &mut d_b[0])
                },
            )
            .unwrap();
        let allocated = allocations::so_far() - before;
        assert_eq!(report.steps, 2000);
        assert!(allocated < 20, "{allocated} allocations for 2000 steps");
    }

    #[test]
    fn trains_an_f32_model() {
        #[derive(Clone)]
        struct Scale {
            a: [f32; 1],
        }
        crate::params!(Scale: f32 { a });
        struct Gd;
        impl Optimizer<Scale> for Gd {
            fn step(&mut self, p: &mut Scale, g: &Scale) {
                p.a[0] -= 0.1 * g.a[0];
            }
            fn learning_rate(&self) -> f64 {
                0.1
            }
            fn set_learning_rate(&mut self, _: f64) -> Result<()> {
                Ok(())
            }
        }
        let mut model = Scale { a: [0.0] };
        // minimize the mean of (a - t_i)^2 over t = 1, 2, 3: a = 2
        let report = Trainer::new()
            .with_epochs(100)
            .fit(&mut model, &mut Gd, 3, |m, g, i, s| {
                let r = m.a[0] - (i + 1) as f32;
                g.a[0] += s * 2.0 * r;
                r * r
            })
            .unwrap();
        assert!((model.a[0] - 2.0).abs() < 1e-4, "{}", model.a[0]);
        assert!((report.final_loss().unwrap() - 2.0 / 3.0).abs() < 1e-4);
    }
}
