//! The lecture's two-layer network for breast_cancer (30 features, malignant or benign):
//! z1 = W1 x + b1, a1 = ReLU(z1), z2 = w2 · a1 + b2, a2 = σ(z2), trained with the binary
//! cross-entropy. Used by examples/train.rs and tests/training.rs.
#![allow(dead_code)] // each including target uses a part
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::init::Init;
use autodiff::{activation, grad, loss};

/// Input features.
pub const D: usize = 30;
/// Hidden units.
pub const H: usize = 16;

/// The model: each weight array is a named field.
#[derive(Clone, Debug, autodiff::Params)]
pub struct Net {
    pub w1: [[f64; D]; H],
    pub b1: [f64; H],
    pub w2: [f64; H],
    pub b2: f64,
}

/// The output logit z2 of one example: the forward pass, used by the loss and by
/// `predict`. `#[grad]` reads the model's fields as written (`net.w1[j][k]`).
#[grad]
pub fn logit(net: &Net, x: &[f64; D]) -> f64 {
    let mut z2 = net.b2;
    for j in 0..H {
        let mut z1 = net.b1[j];
        for k in 0..D {
            z1 += net.w1[j][k] * x[k];
        }
        z2 += net.w2[j] * activation::relu(z1);
    }
    z2
}

/// The loss of one example: BCE(σ(z2), y), computed from the logit so that it never takes
/// the log of 0. A call `g(..)` in a `#[grad]` function is differentiated through `g_adjoint`
/// at the same path: `logit_adjoint` here, the runtime's `loss::bce_with_logits_adjoint`.
///
/// `net_loss_adjoint(net, x, y, scale, &mut g, Const, Const)` adds `scale * ∂loss/∂net`
/// into the model-shaped `g` (what the trainer calls once per example of a mini-batch, with
/// `scale = 1 / batch size`); the data (x, y) get `Const` shadows.
#[grad(net)]
pub fn net_loss(net: &Net, x: &[f64; D], y: f64) -> f64 {
    loss::bce_with_logits(logit(net, x), y)
}

/// The predicted class: 1 (benign) when σ(z2) > 0.5, else 0 (malignant).
pub fn predict(m: &Net, x: &[f64; D]) -> usize {
    usize::from(activation::sigmoid(logit(m, x)) > 0.5)
}

/// Seeded random weights, zero biases: He-uniform for the ReLU layer, Glorot-uniform for the
/// sigmoid output.
pub fn init(seed: u64) -> Net {
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
