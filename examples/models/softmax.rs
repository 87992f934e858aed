//! Multiclass softmax regression on iris: 4 measurements of a flower -> 3 logits -> softmax
//! cross-entropy against the species. Used by examples/softmax_iris.rs and tests/training.rs.
#![allow(dead_code)] // each including target uses a part
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::{activation, grad, loss, Const};

/// Features.
pub const D: usize = 4;
/// Classes.
pub const K: usize = 3;

#[derive(Clone, Debug, autodiff::Params)]
pub struct Softmax {
    pub w: [[f64; D]; K],
    pub b: [f64; K],
}

/// -ln softmax(W x + b)[class]
#[grad]
pub fn cross_entropy(w: &[[f64; D]; K], b: &[f64; K], x: &[f64; D], class: usize) -> f64 {
    let mut z = [0.0; K];
    for c in 0..K {
        z[c] = b[c];
        for k in 0..D {
            z[c] += w[c][k] * x[k];
        }
    }
    loss::softmax_cross_entropy(&z, class)
}

/// One flower's loss; adds `scale * ∂loss/∂params` into `g` (the class gets a `Const`
/// shadow).
pub fn add_gradient(m: &Softmax, g: &mut Softmax, x: &[f64; D], class: usize, scale: f64) -> f64 {
    cross_entropy_adjoint(&m.w, &m.b, x, class, scale, &mut g.w, &mut g.b, Const)
}

/// The most likely class.
pub fn predict(m: &Softmax, x: &[f64; D]) -> usize {
    let mut z = m.b;
    for c in 0..K {
        for k in 0..D {
            z[c] += m.w[c][k] * x[k];
        }
    }
    activation::argmax(&z)
}

/// All zeros: softmax regression is convex, any start is fine.
pub fn init() -> Softmax {
    Softmax {
        w: [[0.0; D]; K],
        b: [0.0; K],
    }
}
