//! Reusable layers: a fully connected layer as a model of its own, and activations over a
//! whole layer's output. Each is a vector-valued `#[grad]` function, so a model built from
//! them writes its forward pass once, as calls, and the loss and prediction share it.
#![allow(dead_code)] // each including target uses a part
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::{activation, grad, Params};

/// A fully connected layer from `I` inputs to `O` outputs: z = x W + b.
///
/// The weights are stored input-major, as scikit-learn's `coefs_`: `w[i][o]` connects input
/// `i` to output `o`. The inner loop then updates `O` independent sums, which the compiler
/// vectorizes, in the forward and in the reverse sweep.
#[derive(Clone, Debug, Params)]
pub struct Dense<const I: usize, const O: usize> {
    pub w: [[f64; O]; I],
    pub b: [f64; O],
}

impl<const I: usize, const O: usize> Dense<I, O> {
    /// All zeros (then initialise with `autodiff::init::Init`).
    pub fn zeros() -> Self {
        Dense {
            w: [[0.0; O]; I],
            b: [0.0; O],
        }
    }
}

/// The layer's output x W + b.
#[grad]
pub fn dense<const I: usize, const O: usize>(layer: &Dense<I, O>, x: &[f64; I]) -> [f64; O] {
    let mut z = layer.b;
    for i in 0..I {
        for o in 0..O {
            z[o] += x[i] * layer.w[i][o];
        }
    }
    z
}

/// ReLU of every unit.
#[grad]
pub fn relu<const N: usize>(z: &[f64; N]) -> [f64; N] {
    let mut a = [0.0; N];
    for j in 0..N {
        a[j] = activation::relu(z[j]);
    }
    a
}
