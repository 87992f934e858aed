//! The lecture's logistic-regression models. Used by examples/logistic_sentiment.rs and
//! tests/training.rs.
#![allow(dead_code)] // each including target uses a part
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::{activation, grad, loss, Params};

/// P(positive | x) = σ(w · x + b), on 6 hand-made features of a movie review.
#[grad]
pub fn p_positive(w: &[f64; 6], x: &[f64; 6], b: f64) -> f64 {
    let mut z = b;
    for i in 0..6 {
        z += w[i] * x[i];
    }
    activation::sigmoid(z)
}

/// The lecture's 2-feature logistic regression θ = [w1, w2, b] as a model.
#[derive(Clone, Debug, PartialEq, Params)]
pub struct Logistic {
    pub w: [f64; 2],
    pub b: f64,
}

/// The cross-entropy of the 2-feature logistic regression on one example, from the logit.
/// `#[grad(m)]`: `logistic_loss_grad` returns the gradient for the model only, as a
/// `Logistic`.
#[grad(m)]
pub fn logistic_loss(m: &Logistic, x: &[f64; 2], y: f64) -> f64 {
    let z = m.w[0] * x[0] + m.w[1] * x[1] + m.b;
    loss::bce_with_logits(z, y)
}
