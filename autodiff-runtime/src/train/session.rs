//! [`Session`]: one training run being set up (a metric, a per-epoch callback), then run.

use std::ops::ControlFlow;

use super::{Metric, TrainReport, Trainer};
use crate::optim::{Optimizer, Params};
use crate::Result;

/// What a per-epoch callback sees after every epoch: the epoch (0-based), the model as it is
/// now, and the report so far (the epoch's training loss is `report.loss[epoch]`, its metric
/// `report.metric[epoch]`).
#[derive(Debug)]
#[non_exhaustive]
pub struct EpochEnd<'a, M> {
    /// The epoch that just ended, 0-based.
    pub epoch: usize,
    /// The model after the epoch.
    pub model: &'a M,
    /// Every completed epoch so far, this one included.
    pub report: &'a TrainReport,
}

/// The callback of a session without one.
type NoCallback<M> = fn(&EpochEnd<'_, M>) -> ControlFlow<()>;

fn keep_going<M>(_: &EpochEnd<'_, M>) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

/// A training run with [`Trainer`]'s settings, built by [`Trainer::session`]: add a
/// [`Metric`] and a per-epoch callback, then [`run`](Session::run) it.
///
/// The callback is called after every epoch (after the metric and the early-stopping
/// bookkeeping) with an [`EpochEnd`]: log a line, save a checkpoint, or return
/// `ControlFlow::Break(())` to stop ([`StopReason::Callback`](super::StopReason::Callback)).
///
/// ```
/// use std::ops::ControlFlow;
///
/// use autodiff_runtime::optim::SgdConfig;
/// use autodiff_runtime::train::{Metric, StopReason, Trainer};
///
/// // minimize (w - 3)^2
/// let mut w = vec![0.0];
/// let mut sgd = SgdConfig::new().with_learning_rate(0.1).build()?;
/// let mut log = Vec::new();
/// let trainer = Trainer::new().with_epochs(100);
/// let report = trainer
///     .session(&mut w, &mut sgd, 1, |m: &Vec<f64>, g: &mut Vec<f64>, _, s| {
///         g[0] += s * 2.0 * (m[0] - 3.0);
///         (m[0] - 3.0).powi(2)
///     })
///     .with_metric(Metric::minimize("distance", |m: &Vec<f64>| (m[0] - 3.0).abs()))
///     .on_epoch(|end| {
///         log.push(format!("epoch {}: loss {:.3e}", end.epoch, end.report.loss[end.epoch]));
///         // stop once close enough
///         if end.report.metric[end.epoch] < 1e-3 {
///             ControlFlow::Break(())
///         } else {
///             ControlFlow::Continue(())
///         }
///     })
///     .run()?;
/// assert_eq!(report.stop, StopReason::Callback { epoch: report.epochs() - 1 });
/// assert_eq!(log.len(), report.epochs());
/// assert!((w[0] - 3.0).abs() < 1e-3);
/// # Ok::<(), autodiff_runtime::Error>(())
/// ```
#[must_use = "a session does nothing until it is run"]
pub struct Session<'a, M, O: ?Sized, L, E = fn(&M) -> f64, C = NoCallback<M>> {
    trainer: &'a Trainer,
    model: &'a mut M,
    optimizer: &'a mut O,
    n_examples: usize,
    loss: L,
    metric: Option<Metric<E>>,
    on_epoch: C,
}

impl<'a, M, O, L> Session<'a, M, O, L>
where
    M: Params + Clone + Send + Sync,
    O: Optimizer<M> + ?Sized,
    L: Fn(&M, &mut M, usize, M::Scalar) -> M::Scalar + Sync,
{
    pub(super) fn new(
        trainer: &'a Trainer,
        model: &'a mut M,
        optimizer: &'a mut O,
        n_examples: usize,
        loss: L,
    ) -> Self {
        Session {
            trainer,
            model,
            optimizer,
            n_examples,
            loss,
            metric: None,
            on_epoch: keep_going::<M>,
        }
    }
}

impl<'a, M, O, L, E, C> Session<'a, M, O, L, E, C>
where
    M: Params + Clone + Send + Sync,
    O: Optimizer<M> + ?Sized,
    L: Fn(&M, &mut M, usize, M::Scalar) -> M::Scalar + Sync,
    E: FnMut(&M) -> f64,
    C: FnMut(&EpochEnd<'_, M>) -> ControlFlow<()>,
{
    /// Evaluate `metric` on the model after every epoch (e.g. the accuracy on a held-out
    /// set); early stopping monitors it unless told otherwise.
    pub fn with_metric<E2: FnMut(&M) -> f64>(
        self,
        metric: Metric<E2>,
    ) -> Session<'a, M, O, L, E2, C> {
        Session {
            trainer: self.trainer,
            model: self.model,
            optimizer: self.optimizer,
            n_examples: self.n_examples,
            loss: self.loss,
            metric: Some(metric),
            on_epoch: self.on_epoch,
        }
    }

    /// Call `on_epoch` after every epoch; `ControlFlow::Break(())` stops the run.
    pub fn on_epoch<C2>(self, on_epoch: C2) -> Session<'a, M, O, L, E, C2>
    where
        C2: FnMut(&EpochEnd<'_, M>) -> ControlFlow<()>,
    {
        Session {
            trainer: self.trainer,
            model: self.model,
            optimizer: self.optimizer,
            n_examples: self.n_examples,
            loss: self.loss,
            metric: self.metric,
            on_epoch,
        }
    }

    /// Trains; see [`Trainer::fit`].
    ///
    /// # Errors
    ///
    /// As [`Trainer::fit`].
    pub fn run(self) -> Result<TrainReport> {
        self.trainer.run(
            self.model,
            self.optimizer,
            self.n_examples,
            self.loss,
            self.metric,
            self.on_epoch,
        )
    }
}
