//! A multi-layer perceptron on handwritten digits: 8x8 images (64 pixels) -> 64 ReLU units ->
//! 10 logits, softmax cross-entropy, plain mini-batch SGD (batch 32), all in f64.
//!
//! ```text
//! cargo run --release --example mlp_digits
//! ```
// Index loops are what `#[grad]` differentiates, and it copies a parameter array into a local
// one with a loop (`let mut z1 = *b1;` is rejected), which clippy would rather see as a memcpy.
#![allow(clippy::needless_range_loop, clippy::manual_memcpy)]

use autodiff::data::{datasets, Standardizer};
use autodiff::init::Init;
use autodiff::optim::SgdConfig;
use autodiff::train::{Metric, Trainer};
use autodiff::{activation, grad, loss, params, Const};

/// Pixels.
const D: usize = 64;
/// Hidden units.
const H: usize = 64;
/// Classes.
const K: usize = 10;

#[derive(Clone, Debug)]
struct Mlp {
    w1: [[f64; H]; D],
    b1: [f64; H],
    w2: [[f64; K]; H],
    b2: [f64; K],
}
params!(Mlp: f64 { w1, b1, w2, b2 });

/// The cross-entropy of one image against its digit. Local arrays (`z1`, `z2`) are fine
/// inside `#[grad]`; the class index is an integer and is never differentiated.
///
/// The weights are stored input-major, as scikit-learn's `coefs_`: `w1[k][j]` connects
/// pixel `k` to hidden unit `j`. The inner loops then update `H` (or `K`) independent sums,
/// which the compiler vectorizes, in the forward and in the reverse sweep; with `w1[j][k]`
/// every unit's sum would be one serial chain of additions (about 2.5x slower forward).
#[grad]
fn mlp_loss(
    w1: &[[f64; H]; D],
    b1: &[f64; H],
    w2: &[[f64; K]; H],
    b2: &[f64; K],
    x: &[f64; D],
    class: usize,
) -> f64 {
    // z1 = W1 x + b1
    let mut z1 = [0.0; H];
    for j in 0..H {
        z1[j] = b1[j];
    }
    for k in 0..D {
        for j in 0..H {
            z1[j] += x[k] * w1[k][j];
        }
    }
    // z2 = W2 relu(z1) + b2
    let mut z2 = [0.0; K];
    for c in 0..K {
        z2[c] = b2[c];
    }
    for j in 0..H {
        let a = activation::relu(z1[j]);
        for c in 0..K {
            z2[c] += a * w2[j][c];
        }
    }
    loss::softmax_cross_entropy(&z2, class)
}

/// The predicted digit. `#[grad]` functions return a scalar, so prediction repeats the
/// forward pass and takes the argmax of the logits.
fn predict(m: &Mlp, x: &[f64; D]) -> usize {
    let mut z1 = m.b1;
    for k in 0..D {
        for j in 0..H {
            z1[j] += x[k] * m.w1[k][j];
        }
    }
    let mut z2 = m.b2;
    for j in 0..H {
        let a = activation::relu(z1[j]);
        for c in 0..K {
            z2[c] += a * m.w2[j][c];
        }
    }
    activation::argmax(&z2)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    let (train, test) = datasets::digits().stratified_split(0.2, 42)?;
    // Fitted on the training split; constant pixels (always 0) just become 0.
    let scaler = Standardizer::fit(&train);
    let (train, test) = (scaler.transform(&train)?, scaler.transform(&test)?);
    let (y_train, y_test) = (train.labels()?, test.labels()?);
    println!(
        "digits: {} training / {} test images, network {D}-{H}-{K}",
        train.len(),
        test.len()
    );

    let accuracy = |m: &Mlp| {
        let correct = (0..test.len())
            .filter(|&i| predict(m, test.row_array(i)) == y_test[i])
            .count();
        correct as f64 / test.len() as f64
    };

    let mut mlp = init(3);
    let mut sgd = SgdConfig::new().with_learning_rate(0.1).build()?;
    let report = Trainer::new()
        .with_epochs(20)
        .with_batch_size(32)
        .with_seed(1)
        .fit_with_metric(
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
            Metric::maximize("test accuracy", accuracy),
        )?;
    // Wall time of each epoch (its held-out evaluation included).
    let seconds: f64 = report.epoch_seconds.iter().sum();

    println!(
        "epochs: {}, SGD steps: {} (learning rate 0.1, no momentum)",
        report.epochs(),
        report.steps
    );
    println!(
        "final training loss: {:.4}",
        report.final_loss().unwrap_or(f64::NAN)
    );
    println!(
        "held-out accuracy:   {:.4}",
        report.final_metric().unwrap_or(f64::NAN)
    );
    if let Some(first) = report.metric.iter().position(|&a| a >= 0.95) {
        println!(
            "accuracy >= 0.95 first reached after epoch {} ({:.1} ms)",
            first + 1,
            report.epoch_seconds[..=first].iter().sum::<f64>() * 1e3
        );
    }
    println!(
        "wall time:           {:.3} s ({:.0} steps/s, {:.1} ms/epoch incl. evaluation)",
        seconds,
        report.steps as f64 / seconds,
        seconds * 1e3 / report.epochs() as f64
    );
    Ok(())
}

/// Seeded random weights, zero biases: He-uniform for the ReLU layer, Glorot-uniform for the
/// output layer.
fn init(seed: u64) -> Mlp {
    let mut mlp = Mlp {
        w1: [[0.0; H]; D],
        b1: [0.0; H],
        w2: [[0.0; K]; H],
        b2: [0.0; K],
    };
    Init::new(seed)
        .he_uniform(&mut mlp.w1, D)
        .glorot_uniform(&mut mlp.w2, H, K);
    mlp
}
