//! A three-layer network from reusable layers, trained with Adam on the wine dataset.
//!
//! The model is a struct of three `Dense` layers (each a model of its own), the forward pass
//! is three calls of the layer's `#[grad]` function `dense`, which returns its outputs as an
//! array, and the loss and the predictions share it.
//!
//! ```text
//! cargo run --release --example deep_wine
//! ```
#[path = "models/common.rs"]
mod common;
#[path = "models/wine_deep.rs"]
mod wine_deep;

use autodiff::data::datasets;
use autodiff::metrics::{self, ConfusionMatrix};
use autodiff::optim::{AdamConfig, Params};
use autodiff::train::{Metric, Trainer};
use autodiff::Const;
use wine_deep::{deep_loss_adjoint, Deep};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    let (train, test) = common::standardized_split(datasets::wine())?;
    let (y_train, y_test) = (train.labels()?, test.labels()?);
    let mut net = wine_deep::init(11);
    println!(
        "wine: {} training / {} test wines; a 13-32-16-3 network of {} parameters",
        train.len(),
        test.len(),
        net.num_scalars()
    );

    let accuracy = |m: &Deep| {
        metrics::accuracy(
            &metrics::predict(&test, |x| wine_deep::predict(m, x)),
            y_test,
        )
    };
    let mut adam = AdamConfig::new().with_learning_rate(0.01).build()?;
    let report = Trainer::new()
        .with_epochs(40)
        .with_batch_size(16)
        .with_seed(1)
        .fit_with_metric(
            &mut net,
            &mut adam,
            train.len(),
            // One wine's loss, adding `scale * ∂loss/∂net` into the model-shaped `g`: its
            // `l1`, `l2` and `l3` get their layers' gradients.
            |m: &Deep, g: &mut Deep, i, scale| {
                deep_loss_adjoint(m, train.row_array(i), y_train[i], scale, g, Const)
            },
            Metric::maximize("test accuracy", accuracy),
        )?;
    println!("{} epochs of Adam (batch 16, η = 0.01)", report.epochs());
    common::print_final(&report, 0.95);
    println!(
        "held-out confusion matrix:\n{}",
        ConfusionMatrix::of(&test, |x| wine_deep::predict(&net, x))?
    );
    Ok(())
}
