//! Multi-label classification: several independent yes/no answers per example, trained with
//! the multi-label binary cross-entropy (one sigmoid per label, not a softmax).
//!
//! The dataset is derived from the 8x8 digits: each image gets four labels computed from its
//! digit d: "even" (d mod 2 = 0), "greater than 4" (d > 4), "prime" (d in 2, 3, 5, 7) and
//! "multiple of 3" (d in 0, 3, 6, 9). A label is not one class of a partition: 6 is even,
//! greater than 4 and a multiple of 3 at once.
//!
//! ```text
//! cargo run --release --example multilabel
//! ```
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::data::{datasets, Standardizer};
use autodiff::init::Init;
use autodiff::optim::AdamConfig;
use autodiff::train::Trainer;
use autodiff::{activation, grad, loss, params, Const};

/// Pixels.
const D: usize = 64;
/// Hidden units.
const H: usize = 32;
/// Labels.
const L: usize = 4;
const LABELS: [&str; L] = ["even", "greater than 4", "prime", "multiple of 3"];

/// The four labels of digit `d`, as 0/1 targets.
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
struct Net {
    w1: [[f64; D]; H],
    b1: [f64; H],
    w2: [[f64; H]; L],
    b2: [f64; L],
}
params!(Net: f64 { w1, b1, w2, b2 });

/// Σ over labels of BCE(σ(z_l), t_l), from the logits z = W2 ReLU(W1 x + b1) + b2.
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

/// The yes/no prediction for every label: logit > 0, i.e. σ(logit) > 0.5.
fn predict(m: &Net, x: &[f64; D]) -> [bool; L] {
    let mut a1 = [0.0; H];
    for j in 0..H {
        let mut z = m.b1[j];
        for k in 0..D {
            z += m.w1[j][k] * x[k];
        }
        a1[j] = activation::relu(z);
    }
    let mut yes = [false; L];
    for l in 0..L {
        let mut z = m.b2[l];
        for j in 0..H {
            z += m.w2[l][j] * a1[j];
        }
        yes[l] = z > 0.0;
    }
    yes
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    let (train, test) = datasets::digits().stratified_split(0.2, 42)?;
    let scaler = Standardizer::fit(&train);
    let (train, test) = (scaler.transform(&train)?, scaler.transform(&test)?);
    // The derived targets: four 0/1 labels per image.
    let t_train: Vec<[f64; L]> = train.labels()?.iter().map(|&d| labels_of(d)).collect();
    let t_test: Vec<[f64; L]> = test.labels()?.iter().map(|&d| labels_of(d)).collect();
    println!(
        "digits with derived labels {LABELS:?}: {} training / {} test images",
        train.len(),
        test.len()
    );

    let mut net = init(5);
    let mut adam = AdamConfig::new().with_learning_rate(0.003).build()?;
    let report = Trainer::new()
        .with_epochs(15)
        .with_batch_size(32)
        .with_seed(2)
        .fit(
            &mut net,
            &mut adam,
            train.len(),
            |m: &Net, g: &mut Net, i, scale| {
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
        )?;
    println!(
        "{} epochs of Adam (batch 32, η = 0.003); final training loss {:.4} (summed over labels)",
        report.epochs(),
        report.final_loss().unwrap_or(f64::NAN)
    );

    let mut correct = [0; L];
    let mut all_four = 0;
    for i in 0..test.len() {
        let yes = predict(&net, test.row_array(i));
        let right: Vec<bool> = (0..L).map(|l| yes[l] == (t_test[i][l] == 1.0)).collect();
        for l in 0..L {
            correct[l] += usize::from(right[l]);
        }
        all_four += usize::from(right.iter().all(|&r| r));
    }
    println!("held-out accuracy per label:");
    for l in 0..L {
        println!(
            "  {:<15} {:.4}",
            LABELS[l],
            correct[l] as f64 / test.len() as f64
        );
    }
    println!(
        "  all four right  {:.4}",
        all_four as f64 / test.len() as f64
    );
    Ok(())
}

/// Seeded He-uniform weights, zero biases.
fn init(seed: u64) -> Net {
    let mut net = Net {
        w1: [[0.0; D]; H],
        b1: [0.0; H],
        w2: [[0.0; H]; L],
        b2: [0.0; L],
    };
    Init::new(seed)
        .he_uniform(&mut net.w1, D)
        .he_uniform(&mut net.w2, H);
    net
}
