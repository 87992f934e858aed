//! The runtime as a new user meets it (issue 11's trials): a regression on a CSV file of
//! one's own, with a header and the target in the middle; a classifier trained in f32 on
//! data cast from f64, agreeing with the same model in f64; a run that explodes.
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use std::ops::ControlFlow;

use autodiff::data::{datasets, CsvOptions, Standardizer, TargetKind};
use autodiff::metrics::{self, ConfusionMatrix};
use autodiff::optim::{AdamConfig, SgdConfig};
use autodiff::train::{Divergence, EarlyStopping, Metric, Trainer};
use autodiff::{grad, loss, Const, Error, Float};

/// y = w · x + b
#[grad]
fn squared_error(w: &[f64; 2], b: f64, x: &[f64; 2], y: f64) -> f64 {
    let r = w[0] * x[0] + w[1] * x[1] + b - y;
    r * r
}

#[derive(Clone, Debug, Default, autodiff::Params)]
struct Linear {
    w: [f64; 2],
    b: f64,
}

/// A CSV of houses: a header, the price in the middle column, quoted fields.
fn houses() -> String {
    let mut csv = String::from("\u{feff}size,\"price\",rooms\n");
    for i in 0..60 {
        let size = 40.0 + 2.5 * i as f64;
        let rooms = (1 + i % 5) as f64;
        let price = 3000.0 * size + 12000.0 * rooms + 50000.0;
        csv.push_str(&format!("{size},\"{price}\",{rooms}\n"));
    }
    csv
}

#[test]
fn a_regression_on_a_csv_of_ones_own() {
    // read as classes, the price column is an error that says what to do
    let err = CsvOptions::new()
        .with_target_column("price")
        .with_max_classes(50)
        .parse(&houses(), "houses.csv")
        .unwrap_err();
    assert!(err.to_string().contains("TargetKind::Value"), "{err}");

    let data = CsvOptions::new()
        .with_target_column("price")
        .with_target(TargetKind::Value)
        .parse(&houses(), "houses.csv")
        .unwrap();
    let (train, test) = data.split(0.25, 1).unwrap();
    let scaler = Standardizer::fit(&train);
    let (train, test) = (
        scaler.transform(&train).unwrap(),
        scaler.transform(&test).unwrap(),
    );
    // targets in units of 100k, so the learning rate is a plain one
    let y: Vec<f64> = train.values().unwrap().iter().map(|v| v / 1e5).collect();
    let mut model = Linear::default();
    let mut sgd = SgdConfig::new().with_learning_rate(0.1).build().unwrap();
    let report = Trainer::new()
        .with_epochs(300)
        .with_batch_size(8)
        .with_progress(false)
        .fit(
            &mut model,
            &mut sgd,
            train.len(),
            |m: &Linear, g: &mut Linear, i, s| {
                squared_error_adjoint(
                    &m.w,
                    m.b,
                    train.row_array(i),
                    y[i],
                    s,
                    &mut g.w,
                    &mut g.b,
                    Const,
                    Const,
                )
            },
        )
        .unwrap();
    assert!(report.final_loss().unwrap() < 1e-6 * report.loss[0]);
    // the prices are exactly linear in the features: R² on the held-out houses is 1
    let predicted = metrics::predict(&test, |x: &[f64; 2]| {
        1e5 * (model.w[0] * x[0] + model.w[1] * x[1] + model.b)
    });
    let r2 = metrics::r2(&predicted, test.values().unwrap());
    assert!(r2 > 1.0 - 1e-9, "R² {r2}");

    // SGD far beyond its stable step: the guard stops the blow-up with the history so far
    let mut exploding = Linear::default();
    let err = Trainer::new()
        .with_epochs(300)
        .with_batch_size(8)
        .with_progress(false)
        .with_explosion_guard(1e4)
        .fit(
            &mut exploding,
            &mut SgdConfig::new().with_learning_rate(1.5).build().unwrap(),
            train.len(),
            |m: &Linear, g: &mut Linear, i, s| {
                squared_error_adjoint(
                    &m.w,
                    m.b,
                    train.row_array(i),
                    y[i],
                    s,
                    &mut g.w,
                    &mut g.b,
                    Const,
                    Const,
                )
            },
        )
        .unwrap_err();
    let Error::Diverged { cause, report, .. } = err else {
        panic!("expected divergence, got {err:?}");
    };
    assert!(matches!(cause, Divergence::Exploded { .. }));
    assert!(report.epochs() < 300);
    assert!(exploding.w.iter().all(|w| w.abs() < 1e6), "{exploding:?}");
}

const D: usize = 64;
const K: usize = 10;

/// Softmax regression on the digits, generic over the float type.
#[grad(w, b)]
fn cross_entropy<T: Float>(w: &[[T; D]; K], b: &[T; K], x: &[T; D], class: usize) -> T {
    let mut z = [T::zero(); K];
    for c in 0..K {
        z[c] = b[c];
        for k in 0..D {
            z[c] = z[c] + w[c][k] * x[k];
        }
    }
    loss::softmax_cross_entropy(&z, class)
}

#[derive(Clone, Debug, autodiff::Params)]
struct Softmax<T> {
    w: [[T; D]; K],
    b: [T; K],
}

fn classify<T: Float>(m: &Softmax<T>, x: &[T; D]) -> usize {
    let mut best = (0, T::neg_infinity());
    for c in 0..K {
        let mut z = m.b[c];
        for k in 0..D {
            z = z + m.w[c][k] * x[k];
        }
        if z > best.1 {
            best = (c, z);
        }
    }
    best.0
}

/// Trains softmax regression with Adam and early stopping on a held-out split of the digits
/// in float type `T`; returns the held-out accuracy and the epochs run.
fn digits_in<T>() -> (f64, usize)
where
    T: Float + Send + Sync + std::fmt::Debug,
    Softmax<T>: autodiff::optim::Params<Scalar = T>,
    autodiff::optim::Adam<T>: autodiff::optim::Optimizer<Softmax<T>>,
{
    let (train, test) = datasets::digits().stratified_split(0.2, 0).unwrap();
    let scaler = Standardizer::fit(&train);
    let train = scaler.transform(&train).unwrap().cast::<T>().unwrap();
    let test = scaler.transform(&test).unwrap().cast::<T>().unwrap();
    let labels = train.labels().unwrap();
    let mut model = Softmax {
        w: [[T::zero(); D]; K],
        b: [T::zero(); K],
    };
    let mut adam = AdamConfig::new().with_learning_rate(0.01).build().unwrap();
    let accuracy = |m: &Softmax<T>| {
        metrics::accuracy(
            &metrics::predict(&test, |x| classify(m, x)),
            test.labels().unwrap(),
        )
    };
    let mut logged = 0;
    let report = Trainer::new()
        .with_epochs(40)
        .with_batch_size(32)
        .with_early_stopping(EarlyStopping::new(5).with_restore_best(true))
        .with_progress(false)
        .session(
            &mut model,
            &mut adam,
            train.len(),
            |m: &Softmax<T>, g: &mut Softmax<T>, i, s| {
                cross_entropy_adjoint(
                    &m.w,
                    &m.b,
                    train.row_array(i),
                    labels[i],
                    s,
                    &mut g.w,
                    &mut g.b,
                    Const,
                )
            },
        )
        .with_metric(Metric::maximize("held-out accuracy", accuracy))
        .on_epoch(|_| {
            logged += 1;
            ControlFlow::Continue(())
        })
        .run()
        .unwrap();
    assert_eq!(logged, report.epochs());
    let matrix = ConfusionMatrix::of(&test, |x| classify(&model, x)).unwrap();
    // restore-best: the model is the best epoch's
    assert_eq!(matrix.accuracy(), report.metric[report.best_epoch]);
    (matrix.accuracy(), report.epochs())
}

#[test]
fn digits_in_f32_train_like_digits_in_f64() {
    let (f64_accuracy, _) = digits_in::<f64>();
    let (f32_accuracy, _) = digits_in::<f32>();
    assert!(f64_accuracy > 0.9, "{f64_accuracy}");
    // rounding changes the run a little, not the result
    assert!(
        (f32_accuracy - f64_accuracy).abs() < 0.02,
        "f32 {f32_accuracy}, f64 {f64_accuracy}"
    );
}
