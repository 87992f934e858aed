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
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::data::{datasets, Standardizer};
use autodiff::init::Init;
use autodiff::optim::SgdConfig;
use autodiff::train::{Metric, Trainer};
use autodiff::{activation, grad, loss, params, Const};

/// Input features.
const D: usize = 30;
/// Hidden units.
const H: usize = 16;

/// The model: each weight array is a named field; `params!` lets optimizers walk them.
#[derive(Clone, Debug)]
struct Net {
    w1: [[f64; D]; H],
    b1: [f64; H],
    w2: [f64; H],
    b2: f64,
}
params!(Net: f64 { w1, b1, w2, b2 });

/// The output logit z2 of one example. `#[grad]` functions take each array as its own
/// parameter (no `self.w1` inside), so the model's fields are passed one by one.
#[grad]
fn logit(w1: &[[f64; D]; H], b1: &[f64; H], w2: &[f64; H], b2: f64, x: &[f64; D]) -> f64 {
    let mut z2 = b2;
    for j in 0..H {
        let mut z1 = b1[j];
        for k in 0..D {
            z1 += w1[j][k] * x[k];
        }
        z2 += w2[j] * activation::relu(z1);
    }
    z2
}

/// The loss of one example: BCE(σ(z2), y), computed from the logit so that it never takes
/// the log of 0. A call `g(..)` in a `#[grad]` function is differentiated through `g_adjoint`
/// at the same path: `logit_adjoint` here, the runtime's `loss::bce_with_logits_adjoint`.
#[grad]
fn net_loss(
    w1: &[[f64; D]; H],
    b1: &[f64; H],
    w2: &[f64; H],
    b2: f64,
    x: &[f64; D],
    y: f64,
) -> f64 {
    loss::bce_with_logits(logit(w1, b1, w2, b2, x), y)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    // A seeded, stratified 80/20 split; the scaling is fitted on the training split only.
    let (train, test) = datasets::breast_cancer().stratified_split(0.2, 42)?;
    let scaler = Standardizer::fit(&train);
    let (train, test) = (scaler.transform(&train)?, scaler.transform(&test)?);
    let y_train: Vec<f64> = train.labels()?.iter().map(|&y| y as f64).collect();
    let y_test = test.labels()?;
    println!(
        "breast_cancer: {} training / {} test examples, {D} features, {H} hidden units",
        train.len(),
        test.len()
    );

    let mut net = init(7);
    let accuracy = |m: &Net| {
        let correct = (0..test.len())
            .filter(|&i| {
                let z = logit(&m.w1, &m.b1, &m.w2, m.b2, test.row_array(i));
                (activation::sigmoid(z) > 0.5) == (y_test[i] == 1)
            })
            .count();
        correct as f64 / test.len() as f64
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
            // One example's loss; adds `scale * ∂loss/∂params` into `g`. The data (x, y)
            // get `Const` shadows: their adjoints are never computed.
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
        )?;
    // Wall time of each epoch (its held-out evaluation included), summed up to an epoch.
    let ms_through = |epoch: usize| report.epoch_seconds[..=epoch].iter().sum::<f64>() * 1e3;

    println!(
        "epochs: {} ({} SGD steps of batch 32, momentum 0.9)",
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
            ms_through(first)
        );
    }
    println!(
        "wall time:           {:.1} ms",
        ms_through(report.epochs() - 1)
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

/// Seeded random weights, zero biases: He-uniform for the ReLU layer, Glorot-uniform for the
/// sigmoid output.
fn init(seed: u64) -> Net {
    let mut net = Net {
        w1: [[0.0; D]; H],
        b1: [0.0; H],
        w2: [0.0; H],
        b2: 0.0,
    };
    Init::new(seed)
        .he_uniform(&mut net.w1, D)
        .glorot_uniform(&mut net.w2, H, 1);
    net
}
