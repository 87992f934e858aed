//! Multi-label classification of the 8x8 digits: four derived yes/no labels per image, a
//! 64-32-4 network (ReLU hidden layer, one sigmoid per label) trained with the multi-label
//! binary cross-entropy. Used by examples/multilabel.rs and tests/training.rs.
//!
//! The weights are stored in the lecture's row-major layout, `w1[j][k]` connecting input `k`
//! to unit `j` (examples/models/digits_mlp.rs stores them input-major).
#![allow(dead_code)] // each including target uses a part
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::data::Dataset;
use autodiff::init::Init;
use autodiff::{activation, grad, loss, metrics};

/// Pixels.
pub const D: usize = 64;
/// Hidden units.
pub const H: usize = 32;
/// Labels.
pub const L: usize = 4;
pub const LABELS: [&str; L] = ["even", "greater than 4", "prime", "multiple of 3"];

/// The four labels of digit `d`, as 0/1 targets.
pub fn labels_of(d: usize) -> [f64; L] {
    let yes = |b: bool| if b { 1.0 } else { 0.0 };
    [
        yes(d % 2 == 0),
        yes(d > 4),
        yes(matches!(d, 2 | 3 | 5 | 7)),
        yes(d % 3 == 0),
    ]
}

/// The derived targets of a dataset's digit labels.
pub fn targets(data: &Dataset) -> Result<Vec<[f64; L]>, autodiff::Error> {
    Ok(data.labels()?.iter().map(|&d| labels_of(d)).collect())
}

#[derive(Clone, Debug, autodiff::Params)]
pub struct Net {
    pub w1: [[f64; D]; H],
    pub b1: [f64; H],
    pub w2: [[f64; H]; L],
    pub b2: [f64; L],
}

/// The label logits z = W2 ReLU(W1 x + b1) + b2: the forward pass, used by the loss and
/// by `predict`.
#[grad]
pub fn logits(m: &Net, x: &[f64; D]) -> [f64; L] {
    let mut a1 = [0.0; H];
    for j in 0..H {
        let mut z = m.b1[j];
        for k in 0..D {
            z += m.w1[j][k] * x[k];
        }
        a1[j] = activation::relu(z);
    }
    let mut z2 = m.b2;
    for l in 0..L {
        for j in 0..H {
            z2[l] += m.w2[l][j] * a1[j];
        }
    }
    z2
}

/// Σ over labels of BCE(σ(z_l), t_l). `multilabel_loss_adjoint(m, x, t, scale, &mut g,
/// Const, Const)` adds `scale * ∂loss/∂m` into the model-shaped `g`.
#[grad(m)]
pub fn multilabel_loss(m: &Net, x: &[f64; D], t: &[f64; L]) -> f64 {
    loss::multilabel_bce_with_logits(&logits(m, x), t)
}

/// The yes/no prediction for every label: logit > 0, i.e. σ(logit) > 0.5.
pub fn predict(m: &Net, x: &[f64; D]) -> [bool; L] {
    logits(m, x).map(|z| z > 0.0)
}

/// The held-out accuracy of every label, and the fraction of images with all four right.
pub fn accuracy(m: &Net, data: &Dataset, targets: &[[f64; L]]) -> ([f64; L], f64) {
    let predicted = metrics::predict(data, |x| predict(m, x));
    let actual: Vec<[bool; L]> = targets.iter().map(|t| t.map(|v| v == 1.0)).collect();
    let label = |l: usize, all: &[[bool; L]]| all.iter().map(|y| y[l]).collect::<Vec<_>>();
    let per_label =
        std::array::from_fn(|l| metrics::accuracy(&label(l, &predicted), &label(l, &actual)));
    (per_label, metrics::accuracy(&predicted, &actual))
}

/// Seeded He-uniform weights, zero biases.
pub fn init(seed: u64) -> Net {
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
