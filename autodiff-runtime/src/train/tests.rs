//! Tests of the training loop.

use std::cell::Cell;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::*;
use crate::optim::{GradientClip, SgdConfig};
use crate::Shadow;

#[derive(Clone, Debug, Default, PartialEq, crate::Params)]
struct Line {
    w: f64,
    b: f64,
}

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
        params.zip_slices_mut(grads, |p, g| {
            for (p, g) in p.values.iter_mut().zip(g) {
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
    let calls = AtomicUsize::new(0);
    let seen = Mutex::new((f64::NAN, f64::NAN));
    let err = Trainer::new()
        .with_epochs(10)
        .with_batch_size(10)
        // one thread: "the first example of a step" is the first call of the step
        .with_threads(1)
        .fit(
            &mut model,
            &mut Descent { lr: 0.1 },
            xs.len(),
            |m, g, i, s| {
                let call = calls.fetch_add(1, Ordering::Relaxed) + 1;
                let loss = sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b);
                // the first example of epoch 1, step 2 poisons the gradient
                if call == 40 + 2 * 10 + 1 {
                    *seen.lock().unwrap() = (m.w, m.b);
                    g.b = f64::NAN;
                }
                loss
            },
        )
        .unwrap_err();
    match err {
        Error::Diverged {
            epoch,
            step,
            loss,
            cause,
            report,
        } => {
            assert_eq!((epoch, step), (1, 2));
            assert!(loss.is_finite());
            assert_eq!(cause.to_string(), "the gradient is not finite at `b`");
            // the report of the run so far: epoch 0 and its steps
            assert_eq!((report.epochs(), report.steps), (1, 4 + 2));
        }
        other => panic!("expected divergence, got {other:?}"),
    }
    assert_eq!((model.w, model.b), *seen.lock().unwrap());
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
    assert!(matches!(
        err,
        Error::Diverged { epoch: 0, step: 0, loss, cause: Divergence::NonFiniteLoss, report }
            if loss.is_infinite() && report.epochs() == 0
    ));
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
    let Error::Diverged {
        epoch: 1,
        step: 0,
        loss,
        cause: Divergence::NonFiniteParameters { at },
        report,
    } = err
    else {
        panic!("expected a divergence of the parameters at epoch 1, step 0, got {err:?}");
    };
    assert_eq!((loss, &report.loss[..]), (1.0, &[1.0][..]));
    assert_eq!(at.to_string(), "b");
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

#[derive(Clone, Debug, crate::Params)]
struct Logistic {
    w: [f64; 30],
    b: f64,
}

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

/// The heap allocations of the calling thread during a run of `epochs` epochs.
fn allocations_of_a_run(epochs: usize, batch_size: usize, threads: usize) -> usize {
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
        .with_epochs(epochs)
        .with_batch_size(batch_size)
        .with_threads(threads)
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
    assert_eq!(report.steps, epochs * n.div_ceil(batch_size));
    allocations::so_far() - before
}

#[test]
fn steps_do_not_allocate() {
    // one thread: a run allocates its buffers, its steps nothing
    let allocated = allocations_of_a_run(4, 1, 1);
    assert!(allocated < 20, "{allocated} allocations for 2000 steps");
    assert_eq!(allocations_of_a_run(8, 1, 1), allocated);
    // two threads: the pool and the accumulators are per run; a step allocates the job it
    // sends to the helper, and rayon a job-queue block per few dozen jobs
    let short = allocations_of_a_run(4, 10, 2);
    let long = allocations_of_a_run(8, 10, 2);
    assert!(
        long - short <= 200 + 200 / 16,
        "{short} then {long} allocations for 200 more steps"
    );
}

#[test]
fn trains_an_f32_model() {
    #[derive(Clone, crate::Params)]
    struct Scale {
        a: [f32; 1],
    }
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

/// The model after each epoch, recorded by a metric that reports `scores[epoch]`.
fn scored_run(
    trainer: &Trainer,
    lr: f64,
    scores: &[f64],
) -> (Line, Vec<Line>, Result<TrainReport>) {
    let (xs, ys) = line_data();
    let snapshots = std::cell::RefCell::new(Vec::new());
    let mut model = Line::default();
    let report = trainer.fit_with_metric(
        &mut model,
        &mut Descent { lr },
        xs.len(),
        |m, g, i, s| sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b),
        Metric::maximize("score", |m: &Line| {
            let mut snapshots = snapshots.borrow_mut();
            snapshots.push(m.clone());
            scores[snapshots.len() - 1]
        }),
    );
    (model, snapshots.into_inner(), report)
}

#[test]
fn a_nan_metric_is_an_error_and_restores_the_best_epoch() {
    let scores = [0.5, 0.9, 0.7, f64::NAN, 1.0];
    let restoring = Trainer::new()
        .with_epochs(5)
        .with_early_stopping(EarlyStopping::new(3).with_restore_best(true));
    let (model, snapshots, result) = scored_run(&restoring, 0.1, &scores);
    let Err(Error::Diverged {
        epoch,
        cause,
        report,
        ..
    }) = result
    else {
        panic!("expected divergence, got {result:?}");
    };
    assert_eq!((epoch, cause), (3, Divergence::NanMetric));
    assert_eq!(report.metric.len(), 4);
    assert_eq!(report.best_epoch, 1);
    assert_eq!(model, snapshots[1]);
    // without restore-best the model is the one the metric was NaN for
    let (model, snapshots, result) = scored_run(&Trainer::new().with_epochs(5), 0.1, &scores);
    assert!(result.is_err());
    assert_eq!(model, snapshots[3]);
}

#[test]
fn divergence_restores_the_best_epoch_when_asked() {
    // learning rate 1.2 on this line: the loss falls for a few epochs, then explodes
    let trainer = Trainer::new().with_epochs(2000).with_early_stopping(
        EarlyStopping::new(5000)
            .on_training_loss()
            .with_restore_best(true),
    );
    let scores = vec![0.0; 2000];
    let (model, snapshots, result) = scored_run(&trainer, 1.2, &scores);
    let Err(Error::Diverged { report, .. }) = result else {
        panic!("expected divergence, got {result:?}");
    };
    let best = report.best_epoch;
    assert!(report.loss[best] < report.loss[0], "{:?}", report.loss);
    assert_eq!(model, snapshots[best]);
}

#[test]
fn the_explosion_guard_stops_finite_blow_ups() {
    // SGD far beyond its stable learning rate: the weights grow by a constant factor per
    // step, finite for hundreds of steps
    let (unguarded, report) = train_line(&Trainer::new().with_epochs(40), 1.2);
    let report = report.unwrap();
    assert!(
        report.final_loss().unwrap() > 1e6 * report.loss[0],
        "{report:?}"
    );
    let guarded = Trainer::new().with_epochs(40).with_explosion_guard(1e3);
    let (model, result) = train_line(&guarded, 1.2);
    let Err(Error::Diverged {
        cause: Divergence::Exploded { lowest, factor },
        loss,
        report,
        ..
    }) = result
    else {
        panic!("expected an explosion, got {result:?}");
    };
    assert_eq!(factor, 1e3);
    assert!(loss - lowest > factor * lowest);
    assert!(report.epochs() < 40);
    assert!(
        model.b.abs() < 1e-3 * unguarded.b.abs(),
        "{model:?} {unguarded:?}"
    );
    for bad in [1.0, 0.5, f64::NAN, f64::INFINITY] {
        let err = train_line(&Trainer::new().with_explosion_guard(bad), 0.1).1;
        assert!(matches!(
            err,
            Err(Error::InvalidParameter {
                name: "explosion_factor",
                ..
            })
        ));
    }
}

#[test]
fn the_explosion_guard_measures_from_zero_and_negative_losses() {
    // `loss(step)` as the steps go, the gradient 0: whether the guard (factor 1e3) stops it
    let run = |losses: &[f64]| {
        let step = std::sync::atomic::AtomicUsize::new(0);
        let mut w = vec![0.0];
        Trainer::new()
            .with_epochs(losses.len())
            .with_explosion_guard(1e3)
            .with_threads(1)
            .fit(
                &mut w,
                &mut Descent { lr: 0.1 },
                1,
                |_: &Vec<f64>, _: &mut Vec<f64>, _, _| {
                    losses[step.fetch_add(1, std::sync::atomic::Ordering::Relaxed)]
                },
            )
            .map(|_| ())
    };
    // a loss that reaches 0 (a hinge loss, a fitted batch) and is positive again
    assert!(run(&[1.0, 0.0, 1.0, 5.0]).is_ok());
    let err = run(&[1.0, 0.0, 2e3]).unwrap_err();
    assert!(
        err.to_string()
            .contains("rose above the lowest loss so far (0) by more than 1000 times the first"),
        "{err}"
    );
    // a negative log-likelihood: measured by the lowest's magnitude
    assert!(run(&[-2.0, -5.0, 100.0]).is_ok());
    assert!(matches!(
        run(&[-2.0, -5.0, 5e3]),
        Err(Error::Diverged {
            cause: Divergence::Exploded { lowest, .. },
            ..
        }) if lowest == -5.0
    ));
    // every loss 0 so far: nothing to measure by
    assert!(run(&[0.0, 0.0, 1.0]).is_ok());
}

#[test]
fn the_callback_sees_every_epoch_and_can_stop() {
    let (xs, ys) = line_data();
    let mut model = Line::default();
    let mut checkpoints = Vec::new();
    let trainer = Trainer::new().with_epochs(50);
    let report = trainer
        .session(
            &mut model,
            &mut Descent { lr: 0.1 },
            xs.len(),
            |m, g, i, s| sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b),
        )
        .on_epoch(|end| {
            assert_eq!(end.report.epochs(), end.epoch + 1);
            checkpoints.push(end.model.clone());
            if end.epoch == 6 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .run()
        .unwrap();
    assert_eq!(report.stop, StopReason::Callback { epoch: 6 });
    assert_eq!(report.epochs(), 7);
    assert_eq!(checkpoints.len(), 7);
    assert_eq!(model, checkpoints[6]);
    // the same run without a callback goes through the same first epochs
    let (_, full) = train_line(&Trainer::new().with_epochs(7), 0.1);
    assert_eq!(full.unwrap().loss, report.loss);
}

#[test]
fn gradient_clipping_bounds_every_step() {
    // one full-batch step of plain descent from w = b = 0: the step is lr times the clipped
    // gradient, whose norm is the bound
    let (xs, ys) = line_data();
    let step = |clip: Option<GradientClip>| {
        let mut trainer = Trainer::new().with_epochs(1);
        if let Some(clip) = clip {
            trainer = trainer.with_gradient_clip(clip);
        }
        let mut model = Line::default();
        trainer
            .fit(
                &mut model,
                &mut Descent { lr: 1.0 },
                xs.len(),
                |m, g, i, s| sq_err_adjoint(m.w, m.b, xs[i], ys[i], s, &mut g.w, &mut g.b),
            )
            .unwrap();
        model
    };
    let free = step(None);
    let norm = (free.w * free.w + free.b * free.b).sqrt();
    let clipped = step(Some(GradientClip::GlobalNorm(0.5 * norm)));
    assert!((clipped.w - 0.5 * free.w).abs() < 1e-12 && (clipped.b - 0.5 * free.b).abs() < 1e-12);
    let by_value = step(Some(GradientClip::Value(0.1)));
    assert!(free.w.abs() > 0.1 && free.b.abs() > 0.1, "{free:?}");
    let clamp = |v: f64| v.clamp(-0.1, 0.1);
    assert_eq!((by_value.w, by_value.b), (clamp(free.w), clamp(free.b)));
    let bad = train_line(
        &Trainer::new().with_gradient_clip(GradientClip::Value(0.0)),
        0.1,
    )
    .1;
    assert!(matches!(
        bad,
        Err(Error::InvalidParameter {
            name: "max_value",
            ..
        })
    ));
}

#[test]
fn several_threads_give_the_same_run_up_to_rounding() {
    let run = |threads| {
        let trainer = Trainer::new()
            .with_epochs(30)
            .with_batch_size(8)
            .with_seed(3)
            .with_threads(threads);
        let (model, report) = train_line(&trainer, 0.1);
        (model, without_times(&report.unwrap()))
    };
    let (one, one_report) = run(1);
    for threads in [2, 3, 8] {
        let (model, report) = run(threads);
        // the same thread count, the same bits
        assert_eq!(run(threads), (model.clone(), report.clone()));
        assert!((model.w - one.w).abs() < 1e-12 && (model.b - one.b).abs() < 1e-12);
        for (a, b) in report.loss.iter().zip(&one_report.loss) {
            assert!(
                (a - b).abs() <= 1e-12 * b.abs(),
                "{threads} threads: {a} vs {b}"
            );
        }
    }
    let err = train_line(&Trainer::new().with_threads(0), 0.1).1;
    assert!(matches!(
        err,
        Err(Error::InvalidParameter {
            name: "threads",
            ..
        })
    ));
}

#[test]
fn a_panicking_loss_ends_a_run_on_several_threads_with_its_panic() {
    let (xs, ys) = line_data();
    for threads in [2, 3] {
        // every example panics: the calling thread and any helper that takes a chunk
        let run = std::panic::catch_unwind(|| {
            Trainer::new()
                .with_epochs(1)
                .with_threads(threads)
                .with_progress(false)
                .fit(
                    &mut Line::default(),
                    &mut Descent { lr: 0.1 },
                    xs.len(),
                    |_, _, i, _| panic!("example {i} is corrupt ({}, {})", xs[i], ys[i]),
                )
        });
        let message = run.expect_err("the loss panicked");
        let message = message
            .downcast_ref::<String>()
            .expect("a formatted panic message");
        assert!(message.starts_with("example "), "{message}");
    }
}

#[derive(Clone, Debug, Default, PartialEq, crate::Params)]
struct Affine {
    w: [f64; 2],
    b: f64,
}

/// Two affine heads on one input, in a `Vec`, beside a field that is not a parameter.
#[derive(Clone, Debug, PartialEq, crate::Params)]
struct Heads {
    heads: Vec<Affine>,
    #[params(skip)]
    label: &'static str,
}

/// The target of head `k` at `x`: 2 x0 - x1 + 1 for the first, 0.5 - x0 for the second.
fn head_target(k: usize, x: [f64; 2]) -> f64 {
    [2.0 * x[0] - x[1] + 1.0, 0.5 - x[0]][k]
}

/// The summed squared errors of the heads at `x`; adds `scale` times their gradient into `g`.
fn heads_adjoint(m: &Heads, g: &mut Heads, x: [f64; 2], scale: f64) -> f64 {
    let mut loss = 0.0;
    for (k, (head, grad)) in m.heads.iter().zip(&mut g.heads).enumerate() {
        let r = head.w[0] * x[0] + head.w[1] * x[1] + head.b - head_target(k, x);
        grad.w[0] += scale * 2.0 * r * x[0];
        grad.w[1] += scale * 2.0 * r * x[1];
        grad.b += scale * 2.0 * r;
        loss += r * r;
    }
    loss
}

fn train_heads(threads: usize, epochs: usize) -> (Heads, TrainReport) {
    let xs: Vec<[f64; 2]> = (0..30)
        .map(|i| [(i % 6) as f64 / 3.0 - 1.0, (i / 6) as f64 / 2.0 - 1.0])
        .collect();
    let mut model = Heads {
        heads: vec![Affine::default(); 2],
        label: "two heads",
    };
    let mut adam = crate::optim::AdamConfig::new()
        .with_learning_rate(0.05)
        .build()
        .unwrap();
    let report = Trainer::new()
        .with_epochs(epochs)
        .with_batch_size(5)
        .with_threads(threads)
        .with_gradient_clip(GradientClip::GlobalNorm(10.0))
        .fit(&mut model, &mut adam, xs.len(), |m, g, i, s| {
            heads_adjoint(m, g, xs[i], s)
        })
        .unwrap();
    (model, report)
}

#[test]
fn trains_a_nested_model_on_several_threads() {
    let (one, report) = train_heads(1, 300);
    assert!(report.final_loss().unwrap() < 1e-8, "{report:?}");
    assert_eq!(one.label, "two heads");
    for (head, want) in one.heads.iter().zip([[2.0, -1.0, 1.0], [-1.0, 0.0, 0.5]]) {
        let got = [head.w[0], head.w[1], head.b];
        assert!(
            got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-4),
            "{got:?}"
        );
    }
    let (three, _) = train_heads(3, 300);
    let mut differences = Vec::new();
    let mut a = one;
    a.zip_slices_mut(&three, |p, q| {
        differences.extend(p.values.iter().zip(q).map(|(x, y)| (x - y).abs()));
    });
    assert!(differences.iter().all(|d| *d < 1e-9), "{differences:?}");
}

#[test]
fn nested_model_steps_do_not_allocate() {
    let allocations = |epochs| {
        let before = allocations::so_far();
        train_heads(1, epochs);
        allocations::so_far() - before
    };
    assert_eq!(allocations(8), allocations(4));
}
