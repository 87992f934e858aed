//! A two-layer network trained with mini-batch SGD on a real dataset.
//!
//! Breast Cancer Wisconsin: 569 tumours, 30 features, malignant or benign. The network is the
//! lecture's: z1 = W1 x + b1, a1 = ReLU(z1), z2 = w2 · a1 + b2, a2 = σ(z2), trained with the
//! binary cross-entropy. `#[grad]` writes the gradient of the per-example loss; the trainer
//! calls its `_adjoint` once per example of a mini-batch with `d_out = 1 / batch size`.
//!
//! ```text
//! cargo run --release --example train
//! ```
// The model (the `Net` struct, the `#[grad]` loss `net_loss` and its forward pass `logit`,
// `init`, `predict`) is in models/breast_cancer_mlp.rs, shared with tests/training.rs.
#[path = "models/breast_cancer_mlp.rs"]
mod breast_cancer_mlp;
#[path = "models/common.rs"]
mod common;

use autodiff::data::datasets;
use autodiff::metrics::{self, ConfusionMatrix};
use autodiff::optim::SgdConfig;
use autodiff::train::{Metric, Trainer};
use autodiff::Const;
use breast_cancer_mlp::{net_loss_adjoint, Net, D, H};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    // A seeded, stratified 80/20 split; the scaling is fitted on the training split only.
    let (train, test) = common::standardized_split(datasets::breast_cancer())?;
    let y_train: Vec<f64> = train.labels()?.iter().map(|&y| y as f64).collect();
    let y_test = test.labels()?;
    println!(
        "breast_cancer: {} training / {} test examples, {D} features, {H} hidden units",
        train.len(),
        test.len()
    );

    let mut net = breast_cancer_mlp::init(7);
    let accuracy = |m: &Net| {
        metrics::accuracy(
            &metrics::predict(&test, |x| breast_cancer_mlp::predict(m, x)),
            y_test,
        )
    };

    let mut sgd = SgdConfig::new()
        .with_learning_rate(0.05)
        .with_momentum(0.9)
        .build()?;
    let report = Trainer::new()
        .with_epochs(30)
        .with_batch_size(32)
        .with_seed(1)
        .fit_with_metric(
            &mut net,
            &mut sgd,
            train.len(),
            // One example's loss, adding `scale * ∂loss/∂net` into the model-shaped `g`
            // (the data get `Const` shadows).
            |m: &Net, g: &mut Net, i, scale| {
                net_loss_adjoint(m, train.row_array(i), y_train[i], scale, g, Const, Const)
            },
            Metric::maximize("test accuracy", accuracy),
        )?;
    println!(
        "epochs: {} ({} SGD steps of batch 32, momentum 0.9)",
        report.epochs(),
        report.steps
    );
    common::print_final(&report, 0.95);
    println!(
        "held-out confusion matrix:\n{}",
        ConfusionMatrix::of(&test, |x| breast_cancer_mlp::predict(&net, x))?
    );
    // Wall time of the epochs, their held-out evaluation included.
    println!(
        "wall time:           {:.1} ms",
        report.epoch_seconds.iter().sum::<f64>() * 1e3
    );

    #[cfg(feature = "plot")]
    {
        let path = std::env::temp_dir().join("autodiff-train-loss.svg");
        let written = autodiff::plot::LossPlot::new(&report)
            .with_title("breast_cancer: 30-16-1 network, mini-batch SGD")
            .save(path)?;
        println!("loss curve:          {}", written.display());
    }
    Ok(())
}
