//! The 64-64-10 multi-layer perceptron on the 8x8 digits: 64 pixels -> 64 ReLU units -> 10
//! logits, softmax cross-entropy. Used by examples/mlp_digits.rs, tests/training.rs and
//! benches/training.rs.
#![allow(dead_code)]
// each including target uses a part
// Index loops are what `#[grad]` differentiates, and it copies a parameter array into a local
// one with a loop (`let mut z1 = *b1;` is rejected), which clippy would rather see as a memcpy.
#![allow(clippy::needless_range_loop, clippy::manual_memcpy)]

use autodiff::init::Init;
use autodiff::{activation, grad, loss, Const};

/// Pixels.
pub const D: usize = 64;
/// Hidden units.
pub const H: usize = 64;
/// Classes.
pub const K: usize = 10;

#[derive(Clone, Debug, autodiff::Params)]
pub struct Mlp {
    pub w1: [[f64; H]; D],
    pub b1: [f64; H],
    pub w2: [[f64; K]; H],
    pub b2: [f64; K],
}

/// The cross-entropy of one image against its digit. Local arrays (`z1`, `z2`) are fine
/// inside `#[grad]`; the class index is an integer and is never differentiated.
///
/// The weights are stored input-major, as scikit-learn's `coefs_`: `w1[k][j]` connects
/// pixel `k` to hidden unit `j`. The inner loops then update `H` (or `K`) independent sums,
/// which the compiler vectorizes, in the forward and in the reverse sweep; with `w1[j][k]`
/// every unit's sum would be one serial chain of additions (about 2.5x slower forward).
#[grad]
pub fn mlp_loss(
    w1: &[[f64; H]; D],
    b1: &[f64; H],
    w2: &[[f64; K]; H],
    b2: &[f64; K],
    x: &[f64; D],
    class: usize,
) -> f64 {
    // z1 = W1 x + b1
    let mut z1 = [0.0; H];
    for j in 0..H {
        z1[j] = b1[j];
    }
    for k in 0..D {
        for j in 0..H {
            z1[j] += x[k] * w1[k][j];
        }
    }
    // z2 = W2 relu(z1) + b2
    let mut z2 = [0.0; K];
    for c in 0..K {
        z2[c] = b2[c];
    }
    for j in 0..H {
        let a = activation::relu(z1[j]);
        for c in 0..K {
            z2[c] += a * w2[j][c];
        }
    }
    loss::softmax_cross_entropy(&z2, class)
}

/// One image's loss; adds `scale * ∂loss/∂params` into `g` (the class gets a `Const`
/// shadow).
pub fn add_gradient(m: &Mlp, g: &mut Mlp, x: &[f64; D], class: usize, scale: f64) -> f64 {
    mlp_loss_adjoint(
        &m.w1, &m.b1, &m.w2, &m.b2, x, class, scale, &mut g.w1, &mut g.b1, &mut g.w2, &mut g.b2,
        Const,
    )
}

/// The predicted digit. `#[grad]` functions return a scalar, so prediction repeats the
/// forward pass and takes the argmax of the logits.
pub fn predict(m: &Mlp, x: &[f64; D]) -> usize {
    let mut z1 = m.b1;
    for k in 0..D {
        for j in 0..H {
            z1[j] += x[k] * m.w1[k][j];
        }
    }
    let mut z2 = m.b2;
    for j in 0..H {
        let a = activation::relu(z1[j]);
        for c in 0..K {
            z2[c] += a * m.w2[j][c];
        }
    }
    activation::argmax(&z2)
}

/// Seeded random weights, zero biases: He-uniform for the ReLU layer, Glorot-uniform for the
/// output layer.
pub fn init(seed: u64) -> Mlp {
    let mut mlp = Mlp {
        w1: [[0.0; H]; D],
        b1: [0.0; H],
        w2: [[0.0; K]; H],
        b2: [0.0; K],
    };
    Init::new(seed)
        .he_uniform(&mut mlp.w1, D)
        .glorot_uniform(&mut mlp.w2, H, K);
    mlp
}
