//! Multiclass softmax regression on iris: 4 measurements of a flower -> 3 logits -> softmax
//! cross-entropy against the species, trained with mini-batch SGD.
//!
//! ```text
//! cargo run --release --example softmax_iris
//! ```
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::data::{datasets, Standardizer};
use autodiff::optim::SgdConfig;
use autodiff::train::{Metric, Trainer};
use autodiff::{activation, grad, loss, params, Const};

/// Features.
const D: usize = 4;
/// Classes.
const K: usize = 3;

#[derive(Clone, Debug)]
struct Softmax {
    w: [[f64; D]; K],
    b: [f64; K],
}
params!(Softmax: f64 { w, b });

/// -ln softmax(W x + b)[class]
#[grad]
fn cross_entropy(w: &[[f64; D]; K], b: &[f64; K], x: &[f64; D], class: usize) -> f64 {
    let mut z = [0.0; K];
    for c in 0..K {
        z[c] = b[c];
        for k in 0..D {
            z[c] += w[c][k] * x[k];
        }
    }
    loss::softmax_cross_entropy(&z, class)
}

/// The most likely class.
fn predict(m: &Softmax, x: &[f64; D]) -> usize {
    let mut z = m.b;
    for c in 0..K {
        for k in 0..D {
            z[c] += m.w[c][k] * x[k];
        }
    }
    activation::argmax(&z)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    let iris = datasets::iris();
    let species = iris.class_names().unwrap_or_default().join(", ");
    let (train, test) = iris.stratified_split(0.2, 42)?;
    let scaler = Standardizer::fit(&train);
    let (train, test) = (scaler.transform(&train)?, scaler.transform(&test)?);
    let (y_train, y_test) = (train.labels()?, test.labels()?);
    println!(
        "iris: {} training / {} test flowers, classes {species}",
        train.len(),
        test.len()
    );

    let accuracy = |m: &Softmax| {
        let correct = (0..test.len())
            .filter(|&i| predict(m, test.row_array(i)) == y_test[i])
            .count();
        correct as f64 / test.len() as f64
    };
    // Softmax regression is convex: starting from all zeros is fine.
    let mut model = Softmax {
        w: [[0.0; D]; K],
        b: [0.0; K],
    };
    let mut sgd = SgdConfig::new().with_learning_rate(0.1).build()?;
    let report = Trainer::new()
        .with_epochs(100)
        .with_batch_size(16)
        .with_seed(1)
        .fit_with_metric(
            &mut model,
            &mut sgd,
            train.len(),
            |m: &Softmax, g: &mut Softmax, i, scale| {
                cross_entropy_adjoint(
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
            Metric::maximize("test accuracy", accuracy),
        )?;

    println!(
        "{} epochs of mini-batch SGD (batch 16, η = 0.1)",
        report.epochs()
    );
    println!(
        "final training loss: {:.4}",
        report.final_loss().unwrap_or(f64::NAN)
    );
    println!(
        "held-out accuracy:   {:.4}",
        report.final_metric().unwrap_or(f64::NAN)
    );
    // The confusion matrix on the test set: rows are true classes, columns predictions.
    let mut confusion = [[0; K]; K];
    for i in 0..test.len() {
        confusion[y_test[i]][predict(&model, test.row_array(i))] += 1;
    }
    println!("confusion matrix (rows: true class, columns: predicted):");
    for row in confusion {
        println!("  {row:?}");
    }
    Ok(())
}
