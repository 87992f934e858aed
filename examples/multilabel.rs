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
// The model (the `Net` parameters, the derived labels, the `#[grad]` loss `multilabel_loss`,
// `predict`, `init`, `accuracy`) is in models/multilabel.rs, shared with tests/training.rs.
#[path = "models/common.rs"]
mod common;
#[path = "models/multilabel.rs"]
mod multilabel;

use autodiff::data::datasets;
use autodiff::optim::AdamConfig;
use autodiff::train::Trainer;
use autodiff::Const;
use multilabel::{multilabel_loss_adjoint, Net, LABELS};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    let (train, test) = common::standardized_split(datasets::digits())?;
    // The derived targets: four 0/1 labels per image.
    let (t_train, t_test) = (multilabel::targets(&train)?, multilabel::targets(&test)?);
    println!(
        "digits with derived labels {LABELS:?}: {} training / {} test images",
        train.len(),
        test.len()
    );

    let mut net = multilabel::init(5);
    let mut adam = AdamConfig::new().with_learning_rate(0.003).build()?;
    let report = Trainer::new()
        .with_epochs(15)
        .with_batch_size(32)
        .with_seed(2)
        .fit(
            &mut net,
            &mut adam,
            train.len(),
            // One image's loss, adding `scale * ∂loss/∂m` into the model-shaped `g`.
            |m: &Net, g: &mut Net, i, scale| {
                multilabel_loss_adjoint(m, train.row_array(i), &t_train[i], scale, g, Const, Const)
            },
        )?;
    println!(
        "{} epochs of Adam (batch 32, η = 0.003); final training loss {:.4} (summed over labels)",
        report.epochs(),
        report.final_loss().unwrap_or(f64::NAN)
    );

    let (per_label, all_four) = multilabel::accuracy(&net, &test, &t_test);
    println!("held-out accuracy per label:");
    for (name, accuracy) in LABELS.iter().zip(per_label) {
        println!("  {name:<15} {accuracy:.4}");
    }
    println!("  all four right  {all_four:.4}");
    Ok(())
}
