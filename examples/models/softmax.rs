//! Multiclass softmax regression on iris: 4 measurements of a flower -> 3 logits -> softmax
//! cross-entropy against the species. Used by examples/softmax_iris.rs and tests/training.rs.
#![allow(dead_code)] // each including target uses a part
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::{activation, grad, loss};

/// Features.
pub const D: usize = 4;
/// Classes.
pub const K: usize = 3;

#[derive(Clone, Debug, autodiff::Params)]
pub struct Softmax {
    pub w: [[f64; D]; K],
    pub b: [f64; K],
}

/// The logits W x + b: the forward pass, used by the loss and by `predict`.
#[grad]
pub fn logits(m: &Softmax, x: &[f64; D]) -> [f64; K] {
    let mut z = m.b;
    for c in 0..K {
        for k in 0..D {
            z[c] += m.w[c][k] * x[k];
        }
    }
    z
}

/// -ln softmax(W x + b)[class]. `cross_entropy_adjoint(m, x, class, scale, &mut g, Const)`
/// adds `scale * ∂loss/∂m` into the model-shaped `g`.
#[grad(m)]
pub fn cross_entropy(m: &Softmax, x: &[f64; D], class: usize) -> f64 {
    loss::softmax_cross_entropy(&logits(m, x), class)
}

/// The most likely class.
pub fn predict(m: &Softmax, x: &[f64; D]) -> usize {
    activation::argmax(&logits(m, x))
}

/// All zeros: softmax regression is convex, any start is fine.
pub fn init() -> Softmax {
    Softmax {
        w: [[0.0; D]; K],
        b: [0.0; K],
    }
}
