//! Huber loss of residuals, an `if` inside the closure, `#[grad(residuals)]`.

use crate::check::Case;
use autodiff::{grad, Const};

/// mean of ½ r² for |r| ≤ δ, δ (|r| - ½ δ) beyond
#[grad(residuals)]
pub fn huber(residuals: &[f64], delta: f64) -> f64 {
    residuals
        .iter()
        .map(|&r| {
            let a = r.abs();
            if a <= delta {
                0.5 * r * r
            } else {
                delta * (a - 0.5 * delta)
            }
        })
        .sum::<f64>()
        / residuals.len() as f64
}

const DELTA: f64 = 1.0;

fn hand(r: &[f64]) -> Vec<f64> {
    let n = r.len() as f64;
    r.iter().map(|&v| v.clamp(-DELTA, DELTA) / n).collect()
}

fn case() -> Case {
    Case::new("huber", 6, -3.0, 3.0)
}

#[test]
fn reference() {
    case().reference(|r| huber(r, DELTA), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |r| huber(r, DELTA),
        hand,
        |r| huber_grad(r, DELTA),
        |r, d, acc| huber_adjoint(r, DELTA, d, acc, Const),
    );
}
