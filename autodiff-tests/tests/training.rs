//! The examples' training runs, with fewer epochs, asserting their targets on the real data:
//! the two-layer network on breast_cancer (held-out accuracy >= 0.95), softmax regression on
//! iris (>= 0.93), the 64-64-10 MLP on digits (>= 0.95), multi-label BCE on derived digit
//! labels, the three-layer network of reusable layers on wine (>= 0.94); and the lecture
//! numbers of the logistic-regression and linear-regression examples.
//!
//! The models are the examples' own, included from examples/models/. Both weight layouts are
//! trained on digits: input-major (`w1[k][j]`, digits_mlp.rs) and the lecture's row-major
//! (`w1[j][k]`, multilabel.rs; breast_cancer_mlp.rs is row-major too).

// The example models are written for the library's rust-version (1.85), which predates
// `is_multiple_of`; this package's own rust-version is higher.
#![allow(clippy::manual_is_multiple_of)]
// digits_mlp.rs and wine_deep.rs each include the shared layers (models/layers.rs), as their
// examples need them: two copies of the module here, one per model.
#![allow(clippy::duplicate_mod)]

#[path = "../../examples/models/breast_cancer_mlp.rs"]
mod breast_cancer_mlp;
mod common;
#[path = "../../examples/models/digits_mlp.rs"]
mod digits_mlp;
#[path = "../../examples/models/linear_regression.rs"]
mod linear_regression;
#[path = "../../examples/models/logistic_sentiment.rs"]
mod logistic_sentiment;
#[path = "../../examples/models/common.rs"]
mod models_common;
#[path = "../../examples/models/multilabel.rs"]
mod multilabel;
#[path = "../../examples/models/softmax.rs"]
mod softmax;
#[path = "../../examples/models/wine_deep.rs"]
mod wine_deep;

use autodiff::data::datasets;
use autodiff::data::Dataset;
use autodiff::gradcheck::check_params_gradient;
use autodiff::optim::{AdamConfig, Optimizer, Params, SgdConfig};
use autodiff::train::{Metric, Trainer};
use autodiff::{loss, metrics, Const};
use common::assert_close;

/// The examples' seeded stratified 80/20 split, standardized on the training part.
fn split(data: Dataset) -> (Dataset, Dataset) {
    models_common::standardized_split(data).unwrap()
}

// ---- breast_cancer: 30-16-1, ReLU, sigmoid output, BCE, mini-batch SGD with momentum ----

#[test]
fn two_layer_network_on_breast_cancer_reaches_95_percent() {
    use breast_cancer_mlp::{net_loss, net_loss_adjoint, Net};
    let (train, test) = split(datasets::breast_cancer());
    let y_train: Vec<f64> = train.labels().unwrap().iter().map(|&y| y as f64).collect();
    let y_test = test.labels().unwrap();
    let mut net = breast_cancer_mlp::init(7);

    // The gradient the trainer accumulates is the gradient of the batch's mean loss.
    let batch = [0, 1, 2, 3, 4];
    let mean_loss = |m: &Net| {
        batch
            .iter()
            .map(|&i| net_loss(m, train.row_array(i), y_train[i]))
            .sum::<f64>()
            / batch.len() as f64
    };
    let mut grads = breast_cancer_mlp::init(0);
    grads.zero();
    for &i in &batch {
        let scale = 1.0 / batch.len() as f64;
        net_loss_adjoint(
            &net,
            train.row_array(i),
            y_train[i],
            scale,
            &mut grads,
            Const,
            Const,
        );
    }
    check_params_gradient(mean_loss, &net, &grads).assert_ok();

    let accuracy = |m: &Net| {
        metrics::accuracy(
            &metrics::predict(&test, |x| breast_cancer_mlp::predict(m, x)),
            y_test,
        )
    };
    let mut sgd = SgdConfig::new()
        .with_learning_rate(0.05)
        .with_momentum(0.9)
        .build()
        .unwrap();
    let report = Trainer::new()
        .with_epochs(10)
        .with_batch_size(32)
        .with_seed(1)
        .with_progress(false)
        .fit_with_metric(
            &mut net,
            &mut sgd,
            train.len(),
            |m: &Net, g: &mut Net, i, scale| {
                net_loss_adjoint(m, train.row_array(i), y_train[i], scale, g, Const, Const)
            },
            Metric::maximize("test accuracy", accuracy),
        )
        .unwrap();
    assert_eq!(report.steps, 10 * train.len().div_ceil(32));
    assert!(
        report.final_loss().unwrap() < 0.25 * report.loss[0],
        "{:?}",
        report.loss
    );
    assert!(
        report.final_metric().unwrap() >= 0.95,
        "{:?}",
        report.metric
    );
}

// ---- iris: softmax regression ----

#[test]
fn softmax_regression_on_iris_reaches_93_percent() {
    use softmax::{cross_entropy_adjoint, Softmax};
    let (train, test) = split(datasets::iris());
    let (y_train, y_test) = (train.labels().unwrap(), test.labels().unwrap());
    let mut model = softmax::init();
    let mut sgd = SgdConfig::new().with_learning_rate(0.1).build().unwrap();
    let report = Trainer::new()
        .with_epochs(40)
        .with_batch_size(16)
        .with_seed(1)
        .with_progress(false)
        .fit(
            &mut model,
            &mut sgd,
            train.len(),
            |m: &Softmax, g: &mut Softmax, i, scale| {
                cross_entropy_adjoint(m, train.row_array(i), y_train[i], scale, g, Const)
            },
        )
        .unwrap();
    let accuracy = metrics::accuracy(
        &metrics::predict(&test, |x| softmax::predict(&model, x)),
        y_test,
    );
    assert!(accuracy >= 0.93, "accuracy {accuracy}");
    // ln 3 (uniform over 3 classes) at the start, much lower at the end
    assert_close(report.loss[0], 3f64.ln(), 0.35);
    assert!(report.final_loss().unwrap() < 0.3, "{:?}", report.loss);
}

// ---- digits: the 64-64-10 MLP (input-major weights), multi-label BCE (row-major) ----

#[test]
fn mlp_on_digits_reaches_95_percent() {
    use digits_mlp::{mlp_loss_adjoint, Mlp};
    let (train, test) = split(datasets::digits());
    let (y_train, y_test) = (train.labels().unwrap(), test.labels().unwrap());
    let mut mlp = digits_mlp::init(3);
    let mut sgd = SgdConfig::new().with_learning_rate(0.1).build().unwrap();
    let report = Trainer::new()
        .with_epochs(8)
        .with_batch_size(32)
        .with_seed(1)
        .with_progress(false)
        .fit(
            &mut mlp,
            &mut sgd,
            train.len(),
            |m: &Mlp, g: &mut Mlp, i, scale| {
                mlp_loss_adjoint(m, train.row_array(i), y_train[i], scale, g, Const)
            },
        )
        .unwrap();
    let accuracy = metrics::accuracy(
        &metrics::predict(&test, |x| digits_mlp::predict(&mlp, x)),
        y_test,
    );
    assert!(
        accuracy >= 0.95,
        "accuracy {accuracy}, loss {:?}",
        report.loss
    );
}

// ---- wine: three reusable `Dense` layers, 13-32-16-3, Adam ----

#[test]
fn three_layer_network_of_reusable_layers_on_wine() {
    use wine_deep::{deep_loss, deep_loss_adjoint, Deep};
    let (train, test) = split(datasets::wine());
    let (y_train, y_test) = (train.labels().unwrap(), test.labels().unwrap());
    let mut net = wine_deep::init(11);

    // The nested model's gradient, layer by layer, against finite differences.
    let batch = [0, 7, 40, 90];
    let scale = 1.0 / batch.len() as f64;
    let mean_loss = |m: &Deep| {
        batch
            .iter()
            .map(|&i| deep_loss(m, train.row_array(i), y_train[i]))
            .sum::<f64>()
            * scale
    };
    let mut grads = net.zeros_like();
    for &i in &batch {
        deep_loss_adjoint(
            &net,
            train.row_array(i),
            y_train[i],
            scale,
            &mut grads,
            Const,
        );
    }
    check_params_gradient(mean_loss, &net, &grads).assert_ok();

    let mut adam = AdamConfig::new().with_learning_rate(0.01).build().unwrap();
    let report = Trainer::new()
        .with_epochs(20)
        .with_batch_size(16)
        .with_seed(1)
        .with_progress(false)
        .fit(
            &mut net,
            &mut adam,
            train.len(),
            |m: &Deep, g: &mut Deep, i, scale| {
                deep_loss_adjoint(m, train.row_array(i), y_train[i], scale, g, Const)
            },
        )
        .unwrap();
    let accuracy = metrics::accuracy(
        &metrics::predict(&test, |x| wine_deep::predict(&net, x)),
        y_test,
    );
    assert!(
        accuracy >= 0.94,
        "accuracy {accuracy}, loss {:?}",
        report.loss
    );
}

#[test]
fn multilabel_bce_learns_every_derived_label() {
    use multilabel::{multilabel_loss_adjoint, Net};
    let (train, test) = split(datasets::digits());
    let t_train = multilabel::targets(&train).unwrap();
    let t_test = multilabel::targets(&test).unwrap();
    let mut net = multilabel::init(5);
    let mut adam = AdamConfig::new().with_learning_rate(0.003).build().unwrap();
    let report = Trainer::new()
        .with_epochs(5)
        .with_batch_size(32)
        .with_seed(2)
        .with_progress(false)
        .fit(
            &mut net,
            &mut adam,
            train.len(),
            |m: &Net, g: &mut Net, i, scale| {
                multilabel_loss_adjoint(m, train.row_array(i), &t_train[i], scale, g, Const, Const)
            },
        )
        .unwrap();
    let (per_label, _) = multilabel::accuracy(&net, &test, &t_test);
    for (l, accuracy) in per_label.into_iter().enumerate() {
        assert!(
            accuracy >= 0.9,
            "label {l}: accuracy {accuracy}, loss {:?}",
            report.loss
        );
    }
}

// ---- the lecture numbers of examples/logistic_sentiment.rs and linear_regression.rs ----

#[test]
fn sentiment_probability_and_losses() {
    let w = [2.5, -5.0, -1.2, 0.5, 2.0, 0.7];
    let x = [3.0, 2.0, 1.0, 3.0, 0.0, 66f64.ln()];
    let (p, (d_w, _, d_b)) = logistic_sentiment::p_positive_grad(&w, &x, 0.1);
    assert_close(p, 0.70, 0.005);
    assert_close(loss::bce(p, 1.0), 0.36, 0.005);
    assert_close(loss::bce(p, 0.0), 1.2, 0.05);
    // ∂σ/∂w = σ(1 - σ) x
    for i in 0..6 {
        assert_close(d_w[i], p * (1.0 - p) * x[i], 1e-12);
    }
    assert_close(d_b, p * (1.0 - p), 1e-12);
}

#[test]
fn one_gradient_step_of_logistic_regression() {
    use logistic_sentiment::{logistic_loss_grad, Logistic};
    let (x, y) = ([3.0, 2.0], 1.0);
    let mut theta = Logistic {
        w: [0.0, 0.0],
        b: 0.0,
    };
    let (loss, gradient) = logistic_loss_grad(&theta, &x, y);
    assert_close(loss, 2f64.ln(), 1e-12);
    for (g, want) in [gradient.w[0], gradient.w[1], gradient.b]
        .iter()
        .zip([-1.5, -1.0, -0.5])
    {
        assert_close(*g, want, 1e-12);
    }
    SgdConfig::new()
        .with_learning_rate(0.1)
        .build()
        .unwrap()
        .step(&mut theta, &gradient);
    for (t, want) in [theta.w[0], theta.w[1], theta.b]
        .iter()
        .zip([0.15, 0.1, 0.05])
    {
        assert_close(*t, want, 1e-12);
    }
}

#[test]
fn linear_regression_gradient_descent_reaches_least_squares() {
    use linear_regression::{closed_form, least_squares_grad, PRICES, SIZES};
    let (mut phi0, mut phi1) = (0.0, 0.0);
    for _ in 0..2000 {
        let (_, (d0, d1)) = least_squares_grad(phi0, phi1, &SIZES, &PRICES);
        phi0 -= 0.2 * d0;
        phi1 -= 0.2 * d1;
    }
    let (ls0, ls1) = closed_form(&SIZES, &PRICES);
    assert_close(phi1, ls1, 1e-9);
    assert_close(phi0, ls0, 1e-9);
}
