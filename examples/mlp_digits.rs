//! A multi-layer perceptron on handwritten digits: 8x8 images (64 pixels) -> 64 ReLU units ->
//! 10 logits, softmax cross-entropy, plain mini-batch SGD (batch 32), all in f64.
//!
//! ```text
//! cargo run --release --example mlp_digits
//! ```
// The model (the `Mlp` of two `Dense` layers, its forward pass `logits`, the `#[grad]` loss
// `mlp_loss`, `predict`, `init`) is in models/digits_mlp.rs, shared with tests/training.rs
// and benches/training.rs.
#[path = "models/common.rs"]
mod common;
#[path = "models/digits_mlp.rs"]
mod digits_mlp;

use autodiff::data::datasets;
use autodiff::metrics;
use autodiff::optim::SgdConfig;
use autodiff::train::{Metric, Trainer};
use autodiff::Const;
use digits_mlp::{mlp_loss_adjoint, Mlp, D, H, K};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    // Constant pixels (always 0) just become 0 when standardized.
    let (train, test) = common::standardized_split(datasets::digits())?;
    let (y_train, y_test) = (train.labels()?, test.labels()?);
    println!(
        "digits: {} training / {} test images, network {D}-{H}-{K}",
        train.len(),
        test.len()
    );

    let accuracy = |m: &Mlp| {
        metrics::accuracy(
            &metrics::predict(&test, |x| digits_mlp::predict(m, x)),
            y_test,
        )
    };
    let mut mlp = digits_mlp::init(3);
    let mut sgd = SgdConfig::new().with_learning_rate(0.1).build()?;
    let report = Trainer::new()
        .with_epochs(20)
        .with_batch_size(32)
        .with_seed(1)
        .fit_with_metric(
            &mut mlp,
            &mut sgd,
            train.len(),
            // One image's loss, adding `scale * ∂loss/∂m` into the model-shaped `g`.
            |m: &Mlp, g: &mut Mlp, i, scale| {
                mlp_loss_adjoint(m, train.row_array(i), y_train[i], scale, g, Const)
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
    common::print_final(&report, 0.95);
    println!(
        "wall time:           {:.3} s ({:.0} steps/s, {:.1} ms/epoch incl. evaluation)",
        seconds,
        report.steps as f64 / seconds,
        seconds * 1e3 / report.epochs() as f64
    );
    Ok(())
}
