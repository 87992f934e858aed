//! The examples' training runs, with fewer epochs, asserting their targets on the real data:
//! the two-layer network on breast_cancer (held-out accuracy >= 0.95), softmax regression on
//! iris (>= 0.93), the 64-64-10 MLP on digits (>= 0.95), multi-label BCE on derived digit
//! labels; and the lecture numbers of the logistic-regression and linear-regression examples.

#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates
mod common;

use autodiff::data::{datasets, Dataset, Standardizer};
use autodiff::gradcheck::check_params_gradient;
use autodiff::optim::{AdamConfig, Optimizer, SgdConfig};
use autodiff::train::{Metric, Trainer};
use autodiff::{activation, grad, loss, params, Const};
use common::{assert_close, Rng};

/// A seeded stratified 80/20 split, standardized on the training part.
fn split(data: Dataset) -> (Dataset, Dataset) {
    let (train, test) = data.stratified_split(0.2, 42).unwrap();
    let scaler = Standardizer::fit(&train);
    (
        scaler.transform(&train).unwrap(),
        scaler.transform(&test).unwrap(),
    )
}

fn fraction(hits: usize, n: usize) -> f64 {
    hits as f64 / n as f64
}

// ---- breast_cancer: 30-16-1, ReLU, sigmoid output, BCE, mini-batch SGD with momentum ----

const BC_D: usize = 30;
const BC_H: usize = 16;

#[derive(Clone, Debug)]
struct Net {
    w1: [[f64; BC_D]; BC_H],
    b1: [f64; BC_H],
    w2: [f64; BC_H],
    b2: f64,
}
params!(Net: f64 { w1, b1, w2, b2 });

#[grad]
fn logit(
    w1: &[[f64; BC_D]; BC_H],
    b1: &[f64; BC_H],
    w2: &[f64; BC_H],
    b2: f64,
    x: &[f64; BC_D],
) -> f64 {
    let mut z2 = b2;
    for j in 0..BC_H {
        let mut z1 = b1[j];
        for k in 0..BC_D {
            z1 += w1[j][k] * x[k];
        }
        z2 += w2[j] * activation::relu(z1);
    }
    z2
}

#[grad]
fn net_loss(
    w1: &[[f64; BC_D]; BC_H],
    b1: &[f64; BC_H],
    w2: &[f64; BC_H],
    b2: f64,
    x: &[f64; BC_D],
    y: f64,
) -> f64 {
    loss::bce_with_logits(logit(w1, b1, w2, b2, x), y)
}

fn net_init(rng: &mut Rng) -> Net {
    let he = (6.0 / BC_D as f64).sqrt();
    let out = (6.0 / BC_H as f64).sqrt() / 2.0;
    Net {
        w1: std::array::from_fn(|_| std::array::from_fn(|_| rng.uniform(-he, he))),
        b1: [0.0; BC_H],
        w2: std::array::from_fn(|_| rng.uniform(-out, out)),
        b2: 0.0,
    }
}

#[test]
fn two_layer_network_on_breast_cancer_reaches_95_percent() {
    let (train, test) = split(datasets::breast_cancer());
    let y_train: Vec<f64> = train.labels().unwrap().iter().map(|&y| y as f64).collect();
    let y_test = test.labels().unwrap();
    let mut net = net_init(&mut Rng::new(7));

    // The gradient the trainer accumulates is the gradient of the batch's mean loss.
    let batch = [0, 1, 2, 3, 4];
    let mean_loss = |m: &Net| {
        batch
            .iter()
            .map(|&i| net_loss(&m.w1, &m.b1, &m.w2, m.b2, train.row_array(i), y_train[i]))
            .sum::<f64>()
            / batch.len() as f64
    };
    let mut grads = net.clone();
    grads.w1 = [[0.0; BC_D]; BC_H];
    grads.b1 = [0.0; BC_H];
    grads.w2 = [0.0; BC_H];
    grads.b2 = 0.0;
    for &i in &batch {
        net_loss_adjoint(
            &net.w1,
            &net.b1,
            &net.w2,
            net.b2,
            train.row_array(i),
            y_train[i],
            1.0 / batch.len() as f64,
            &mut grads.w1,
            &mut grads.b1,
            &mut grads.w2,
            &mut grads.b2,
            Const,
            Const,
        );
    }
    check_params_gradient(mean_loss, &net, &grads).assert_ok();

    let accuracy = |m: &Net| {
        let hits = (0..test.len())
            .filter(|&i| {
                let z = logit(&m.w1, &m.b1, &m.w2, m.b2, test.row_array(i));
                (activation::sigmoid(z) > 0.5) == (y_test[i] == 1)
            })
            .count();
        fraction(hits, test.len())
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
                net_loss_adjoint(
                    &m.w1,
                    &m.b1,
                    &m.w2,
                    m.b2,
                    train.row_array(i),
                    y_train[i],
                    scale,
                    &mut g.w1,
                    &mut g.b1,
                    &mut g.w2,
                    &mut g.b2,
                    Const,
                    Const,
                )
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

#[derive(Clone, Debug)]
struct Softmax {
    w: [[f64; 4]; 3],
    b: [f64; 3],
}
params!(Softmax: f64 { w, b });

#[grad]
fn iris_loss(w: &[[f64; 4]; 3], b: &[f64; 3], x: &[f64; 4], class: usize) -> f64 {
    let mut z = [0.0; 3];
    for c in 0..3 {
        z[c] = b[c];
        for k in 0..4 {
            z[c] += w[c][k] * x[k];
        }
    }
    loss::softmax_cross_entropy(&z, class)
}

#[test]
fn softmax_regression_on_iris_reaches_93_percent() {
    let (train, test) = split(datasets::iris());
    let (y_train, y_test) = (train.labels().unwrap(), test.labels().unwrap());
    let predict = |m: &Softmax, x: &[f64; 4]| {
        let mut z = m.b;
        for c in 0..3 {
            for k in 0..4 {
                z[c] += m.w[c][k] * x[k];
            }
        }
        activation::argmax(&z)
    };
    let mut model = Softmax {
        w: [[0.0; 4]; 3],
        b: [0.0; 3],
    };
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
                iris_loss_adjoint(
                    &m.w,
                    &m.b,
                    train.row_array(i),
                    y_train[i],
                    scale,
                    &mut g.w,
                    &mut g.b,
                    Const,
                )
            },
        )
        .unwrap();
    let hits = (0..test.len())
        .filter(|&i| predict(&model, test.row_array(i)) == y_test[i])
        .count();
    let accuracy = fraction(hits, test.len());
    assert!(accuracy >= 0.93, "accuracy {accuracy}");
    // ln 3 (uniform over 3 classes) at the start, much lower at the end
    assert_close(report.loss[0], 3f64.ln(), 0.35);
    assert!(report.final_loss().unwrap() < 0.3, "{:?}", report.loss);
}

// ---- digits: 64-64-10 MLP, and multi-label BCE on derived labels ----

const D: usize = 64;
const H: usize = 64;
const K: usize = 10;

#[derive(Clone, Debug)]
struct Mlp {
    w1: [[f64; D]; H],
    b1: [f64; H],
    w2: [[f64; H]; K],
    b2: [f64; K],
}
params!(Mlp: f64 { w1, b1, w2, b2 });

#[grad]
fn mlp_loss(
    w1: &[[f64; D]; H],
    b1: &[f64; H],
    w2: &[[f64; H]; K],
    b2: &[f64; K],
    x: &[f64; D],
    class: usize,
) -> f64 {
    let mut a1 = [0.0; H];
    for j in 0..H {
        let mut z = b1[j];
        for k in 0..D {
            z += w1[j][k] * x[k];
        }
        a1[j] = activation::relu(z);
    }
    let mut z2 = [0.0; K];
    for c in 0..K {
        let mut z = b2[c];
        for j in 0..H {
            z += w2[c][j] * a1[j];
        }
        z2[c] = z;
    }
    loss::softmax_cross_entropy(&z2, class)
}

/// The logits of an `H`-unit ReLU layer followed by a linear layer with `N` outputs.
fn mlp_logits<const N: usize>(
    w1: &[[f64; D]; H],
    b1: &[f64; H],
    w2: &[[f64; H]; N],
    b2: &[f64; N],
    x: &[f64; D],
) -> [f64; N] {
    let mut a1 = [0.0; H];
    for j in 0..H {
        let mut z = b1[j];
        for k in 0..D {
            z += w1[j][k] * x[k];
        }
        a1[j] = activation::relu(z);
    }
    let mut z2 = *b2;
    for c in 0..N {
        for j in 0..H {
            z2[c] += w2[c][j] * a1[j];
        }
    }
    z2
}

fn uniform_matrix<const M: usize, const N: usize>(rng: &mut Rng, fan_in: usize) -> [[f64; M]; N] {
    let limit = (6.0 / fan_in as f64).sqrt();
    std::array::from_fn(|_| std::array::from_fn(|_| rng.uniform(-limit, limit)))
}

#[test]
fn mlp_on_digits_reaches_95_percent() {
    let (train, test) = split(datasets::digits());
    let (y_train, y_test) = (train.labels().unwrap(), test.labels().unwrap());
    let mut rng = Rng::new(3);
    let mut mlp = Mlp {
        w1: uniform_matrix(&mut rng, D),
        b1: [0.0; H],
        w2: uniform_matrix(&mut rng, H),
        b2: [0.0; K],
    };
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
                mlp_loss_adjoint(
                    &m.w1,
                    &m.b1,
                    &m.w2,
                    &m.b2,
                    train.row_array(i),
                    y_train[i],
                    scale,
                    &mut g.w1,
                    &mut g.b1,
                    &mut g.w2,
                    &mut g.b2,
                    Const,
                )
            },
        )
        .unwrap();
    let hits = (0..test.len())
        .filter(|&i| {
            let z = mlp_logits(&mlp.w1, &mlp.b1, &mlp.w2, &mlp.b2, test.row_array(i));
            activation::argmax(&z) == y_test[i]
        })
        .count();
    let accuracy = fraction(hits, test.len());
    assert!(
        accuracy >= 0.95,
        "accuracy {accuracy}, loss {:?}",
        report.loss
    );
}

const L: usize = 4;

/// Even, greater than 4, prime, multiple of 3 (as in examples/multilabel.rs).
fn labels_of(d: usize) -> [f64; L] {
    let yes = |b: bool| if b { 1.0 } else { 0.0 };
    [
        yes(d % 2 == 0),
        yes(d > 4),
        yes(matches!(d, 2 | 3 | 5 | 7)),
        yes(d % 3 == 0),
    ]
}

#[derive(Clone, Debug)]
struct MultiLabel {
    w1: [[f64; D]; H],
    b1: [f64; H],
    w2: [[f64; H]; L],
    b2: [f64; L],
}
params!(MultiLabel: f64 { w1, b1, w2, b2 });

#[grad]
fn multilabel_loss(
    w1: &[[f64; D]; H],
    b1: &[f64; H],
    w2: &[[f64; H]; L],
    b2: &[f64; L],
    x: &[f64; D],
    t: &[f64; L],
) -> f64 {
    let mut a1 = [0.0; H];
    for j in 0..H {
        let mut z = b1[j];
        for k in 0..D {
            z += w1[j][k] * x[k];
        }
        a1[j] = activation::relu(z);
    }
    let mut z2 = [0.0; L];
    for l in 0..L {
        z2[l] = b2[l];
        for j in 0..H {
            z2[l] += w2[l][j] * a1[j];
        }
    }
    loss::multilabel_bce_with_logits(&z2, t)
}

#[test]
fn multilabel_bce_learns_every_derived_label() {
    let (train, test) = split(datasets::digits());
    let t_train: Vec<[f64; L]> = train
        .labels()
        .unwrap()
        .iter()
        .map(|&d| labels_of(d))
        .collect();
    let t_test: Vec<[f64; L]> = test
        .labels()
        .unwrap()
        .iter()
        .map(|&d| labels_of(d))
        .collect();
    let mut rng = Rng::new(5);
    let mut net = MultiLabel {
        w1: uniform_matrix(&mut rng, D),
        b1: [0.0; H],
        w2: uniform_matrix(&mut rng, H),
        b2: [0.0; L],
    };
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
            |m: &MultiLabel, g: &mut MultiLabel, i, scale| {
                multilabel_loss_adjoint(
                    &m.w1,
                    &m.b1,
                    &m.w2,
                    &m.b2,
                    train.row_array(i),
                    &t_train[i],
                    scale,
                    &mut g.w1,
                    &mut g.b1,
                    &mut g.w2,
                    &mut g.b2,
                    Const,
                    Const,
                )
            },
        )
        .unwrap();
    let mut hits = [0; L];
    for i in 0..test.len() {
        let z = mlp_logits(&net.w1, &net.b1, &net.w2, &net.b2, test.row_array(i));
        for l in 0..L {
            hits[l] += usize::from((z[l] > 0.0) == (t_test[i][l] == 1.0));
        }
    }
    for l in 0..L {
        let accuracy = fraction(hits[l], test.len());
        assert!(
            accuracy >= 0.9,
            "label {l}: accuracy {accuracy}, loss {:?}",
            report.loss
        );
    }
}

// ---- the lecture numbers of examples/logistic_sentiment.rs and linear_regression.rs ----

#[grad]
fn p_positive(w: &[f64; 6], x: &[f64; 6], b: f64) -> f64 {
    let mut z = b;
    for i in 0..6 {
        z += w[i] * x[i];
    }
    activation::sigmoid(z)
}

#[grad(w, b)]
fn logistic_loss(w: &[f64; 2], b: f64, x: &[f64; 2], y: f64) -> f64 {
    let z = w[0] * x[0] + w[1] * x[1] + b;
    loss::bce_with_logits(z, y)
}

#[test]
fn sentiment_probability_and_losses() {
    let w = [2.5, -5.0, -1.2, 0.5, 2.0, 0.7];
    let x = [3.0, 2.0, 1.0, 3.0, 0.0, 66f64.ln()];
    let (p, (d_w, _, d_b)) = p_positive_grad(&w, &x, 0.1);
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
    let (x, y) = ([3.0, 2.0], 1.0);
    let (loss, (d_w, d_b)) = logistic_loss_grad(&[0.0, 0.0], 0.0, &x, y);
    assert_close(loss, 2f64.ln(), 1e-12);
    let gradient = [d_w[0], d_w[1], d_b];
    for (g, want) in gradient.iter().zip([-1.5, -1.0, -0.5]) {
        assert_close(*g, want, 1e-12);
    }
    let mut theta = [0.0; 3];
    SgdConfig::new()
        .with_learning_rate(0.1)
        .build()
        .unwrap()
        .step(&mut theta, &gradient);
    for (t, want) in theta.iter().zip([0.15, 0.1, 0.05]) {
        assert_close(*t, want, 1e-12);
    }
}

#[grad(phi0, phi1)]
fn least_squares(phi0: f64, phi1: f64, x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let mut sum = 0.0;
    for i in 0..n {
        let r = phi0 + phi1 * x[i] - y[i];
        sum += r * r;
    }
    sum / (2.0 * n as f64)
}

#[test]
fn linear_regression_gradient_descent_reaches_least_squares() {
    let x = [
        0.85, 1.10, 1.25, 1.40, 1.55, 1.70, 1.85, 2.00, 2.20, 2.45, 2.70, 3.00,
    ];
    let y = [
        1.85, 2.05, 2.45, 2.52, 2.90, 2.88, 3.30, 3.35, 3.75, 3.95, 4.52, 4.74,
    ];
    let (mut phi0, mut phi1) = (0.0, 0.0);
    for _ in 0..2000 {
        let (_, (d0, d1)) = least_squares_grad(phi0, phi1, &x, &y);
        phi0 -= 0.2 * d0;
        phi1 -= 0.2 * d1;
    }
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(&y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let var: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    assert_close(phi1, cov / var, 1e-9);
    assert_close(phi0, my - cov / var * mx, 1e-9);
}
