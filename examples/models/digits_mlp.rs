//! The 64-64-10 multi-layer perceptron on the 8x8 digits: 64 pixels -> 64 ReLU units -> 10
//! logits, softmax cross-entropy. Used by examples/mlp_digits.rs, tests/training.rs and
//! benches/training.rs.
#![allow(dead_code)] // each including target uses a part

#[path = "layers.rs"]
pub mod layers;

use autodiff::init::Init;
use autodiff::{activation, grad, loss, Params};
use layers::Dense;

/// Pixels.
pub const D: usize = 64;
/// Hidden units.
pub const H: usize = 64;
/// Classes.
pub const K: usize = 10;

/// Two fully connected layers; the model's parameters are theirs (`hidden.w`, `out.b`, ..).
#[derive(Clone, Debug, Params)]
pub struct Mlp {
    pub hidden: Dense<D, H>,
    pub out: Dense<H, K>,
}

/// The logits of one image: the forward pass, written once, used by the loss and by
/// `predict`.
#[grad]
pub fn logits(m: &Mlp, x: &[f64; D]) -> [f64; K] {
    // Called by path: the reverse sweep calls `layers::dense_adjoint` by the same path.
    let hidden = layers::relu(&layers::dense(&m.hidden, x));
    layers::dense(&m.out, &hidden)
}

/// The cross-entropy of one image against its digit (an integer, never differentiated).
/// `mlp_loss_adjoint(m, x, class, scale, &mut g, Const)` adds `scale * ∂loss/∂m` into the
/// model-shaped `g`.
#[grad(m)]
pub fn mlp_loss(m: &Mlp, x: &[f64; D], class: usize) -> f64 {
    loss::softmax_cross_entropy(&logits(m, x), class)
}

/// The predicted digit: the largest logit.
pub fn predict(m: &Mlp, x: &[f64; D]) -> usize {
    activation::argmax(&logits(m, x))
}

/// Seeded random weights, zero biases: He-uniform for the ReLU layer, Glorot-uniform for the
/// output layer.
pub fn init(seed: u64) -> Mlp {
    let mut mlp = Mlp {
        hidden: Dense::zeros(),
        out: Dense::zeros(),
    };
    Init::new(seed)
        .he_uniform(&mut mlp.hidden.w, D)
        .glorot_uniform(&mut mlp.out.w, H, K);
    mlp
}
