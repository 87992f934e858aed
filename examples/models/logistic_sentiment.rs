//! The lecture's logistic-regression models. Used by examples/logistic_sentiment.rs and
//! tests/training.rs.
#![allow(dead_code)] // each including target uses a part
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::{activation, grad, loss};

/// P(positive | x) = σ(w · x + b), on 6 hand-made features of a movie review.
#[grad]
pub fn p_positive(w: &[f64; 6], x: &[f64; 6], b: f64) -> f64 {
    let mut z = b;
    for i in 0..6 {
        z += w[i] * x[i];
    }
    activation::sigmoid(z)
}

/// The cross-entropy of a 2-feature logistic regression on one example, from the logit.
/// `#[grad(w, b)]`: `logistic_loss_grad` returns the gradient for `w` and `b` only.
#[grad(w, b)]
pub fn logistic_loss(w: &[f64; 2], b: f64, x: &[f64; 2], y: f64) -> f64 {
    let z = w[0] * x[0] + w[1] * x[1] + b;
    loss::bce_with_logits(z, y)
}
