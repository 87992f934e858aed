//! Binary cross-entropy on probabilities, clamped with `f64::EPSILON` as real code does.

use crate::check::Case;
use crate::common::Rng;
use autodiff::{grad, Const};

/// -mean of y ln p + (1 - y) ln(1 - p), p clamped to [ε, 1 - ε]
#[grad(probs)]
pub fn binary_cross_entropy(probs: &[f64], labels: &[f64]) -> f64 {
    let n = probs.len() as f64;
    -probs
        .iter()
        .zip(labels)
        .map(|(&p, &y)| {
            let p = p.clamp(f64::EPSILON, 1.0 - f64::EPSILON);
            y * p.ln() + (1.0 - y) * (1.0 - p).ln()
        })
        .sum::<f64>()
        / n
}

fn labels() -> Vec<f64> {
    let mut rng = Rng::new(37);
    (0..5).map(|_| rng.uniform(0.0, 1.0).round()).collect()
}

fn hand(p: &[f64]) -> Vec<f64> {
    let n = p.len() as f64;
    p.iter()
        .zip(labels())
        .map(|(p, y)| -(y / p - (1.0 - y) / (1.0 - p)) / n)
        .collect()
}

fn case() -> Case {
    Case::new("binary_cross_entropy", 5, 0.05, 0.95)
}

#[test]
fn reference() {
    case().reference(|p| binary_cross_entropy(p, &labels()), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| binary_cross_entropy(p, &labels()),
        hand,
        |p| binary_cross_entropy_grad(p, &labels()),
        |p, d, acc| binary_cross_entropy_adjoint(p, &labels(), d, acc, Const),
    );
}
