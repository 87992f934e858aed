//! Multiclass softmax regression on iris: 4 measurements of a flower -> 3 logits -> softmax
//! cross-entropy against the species, trained with mini-batch SGD.
//!
//! ```text
//! cargo run --release --example softmax_iris
//! ```
// The model (the `Softmax` parameters, the `#[grad]` loss `cross_entropy`, `predict`,
// `predict`) is in models/softmax.rs, shared with tests/training.rs.
#[path = "models/common.rs"]
mod common;
#[path = "models/softmax.rs"]
mod softmax;

use autodiff::data::datasets;
use autodiff::metrics;
use autodiff::optim::SgdConfig;
use autodiff::train::{Metric, Trainer};
use autodiff::Const;
use softmax::{cross_entropy_adjoint, predict, Softmax, K};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    let iris = datasets::iris();
    let species = iris.class_names().unwrap_or_default().join(", ");
    let (train, test) = common::standardized_split(iris)?;
    let (y_train, y_test) = (train.labels()?, test.labels()?);
    println!(
        "iris: {} training / {} test flowers, classes {species}",
        train.len(),
        test.len()
    );

    let accuracy = |m: &Softmax| {
        metrics::accuracy(&metrics::predict(&test, |x| softmax::predict(m, x)), y_test)
    };
    // Softmax regression is convex: starting from all zeros is fine.
    let mut model = softmax::init();
    let mut sgd = SgdConfig::new().with_learning_rate(0.1).build()?;
    let report = Trainer::new()
        .with_epochs(100)
        .with_batch_size(16)
        .with_seed(1)
        .fit_with_metric(
            &mut model,
            &mut sgd,
            train.len(),
            // One flower's loss, adding `scale * ∂loss/∂m` into the model-shaped `g`.
            |m: &Softmax, g: &mut Softmax, i, scale| {
                cross_entropy_adjoint(m, train.row_array(i), y_train[i], scale, g, Const)
            },
            Metric::maximize("test accuracy", accuracy),
        )?;

    println!(
        "{} epochs of mini-batch SGD (batch 16, η = 0.1)",
        report.epochs()
    );
    common::print_final(&report, 0.93);
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
