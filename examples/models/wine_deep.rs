//! A deeper network for the wine dataset (13 chemical measurements, 3 cultivars): three
//! fully connected layers 13 -> 32 -> 16 -> 3, ReLU between them, softmax cross-entropy.
//! The layers are the reusable `Dense` of models/layers.rs, and the forward pass is three
//! calls of its `dense`. Used by examples/deep_wine.rs and tests/training.rs.
#![allow(dead_code)] // each including target uses a part

#[path = "layers.rs"]
pub mod layers;

use autodiff::init::Init;
use autodiff::{activation, grad, loss, Params};
use layers::Dense;

/// Features.
pub const D: usize = 13;
/// Classes.
pub const K: usize = 3;

/// Three layers, each a model of its own: the gradient of `Deep` holds one per layer.
#[derive(Clone, Debug, Params)]
pub struct Deep {
    pub l1: Dense<D, 32>,
    pub l2: Dense<32, 16>,
    pub l3: Dense<16, K>,
}

/// The logits of one wine.
#[grad]
pub fn logits(net: &Deep, x: &[f64; D]) -> [f64; K] {
    let h1 = layers::relu(&layers::dense(&net.l1, x));
    let h2 = layers::relu(&layers::dense(&net.l2, &h1));
    layers::dense(&net.l3, &h2)
}

/// The cross-entropy of one wine against its cultivar.
#[grad(net)]
pub fn deep_loss(net: &Deep, x: &[f64; D], class: usize) -> f64 {
    loss::softmax_cross_entropy(&logits(net, x), class)
}

/// The most likely cultivar.
pub fn predict(net: &Deep, x: &[f64; D]) -> usize {
    activation::argmax(&logits(net, x))
}

/// Seeded He-uniform weights for the ReLU layers, Glorot-uniform for the output, zero
/// biases.
pub fn init(seed: u64) -> Deep {
    let mut net = Deep {
        l1: Dense::zeros(),
        l2: Dense::zeros(),
        l3: Dense::zeros(),
    };
    Init::new(seed)
        .he_uniform(&mut net.l1.w, D)
        .he_uniform(&mut net.l2.w, 32)
        .glorot_uniform(&mut net.l3.w, 16, K);
    net
}
