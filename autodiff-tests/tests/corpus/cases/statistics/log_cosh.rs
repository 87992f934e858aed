//! Log-cosh regression loss: `zip` of predictions with targets, mean by `len() as f64`.

use crate::check::Case;
use crate::common::Rng;
use autodiff::{grad, Const};

/// mean of ln cosh(p_i - y_i)
#[grad(pred)]
pub fn log_cosh(pred: &[f64], target: &[f64]) -> f64 {
    debug_assert_eq!(pred.len(), target.len());
    pred.iter()
        .zip(target)
        .map(|(p, t)| (p - t).cosh().ln())
        .sum::<f64>()
        / pred.len() as f64
}

fn target() -> Vec<f64> {
    Rng::new(3).vec(5, -2.0, 2.0)
}

fn hand(p: &[f64]) -> Vec<f64> {
    let n = p.len() as f64;
    p.iter()
        .zip(target())
        .map(|(p, t)| (p - t).tanh() / n)
        .collect()
}

fn case() -> Case {
    Case::new("log_cosh", 5, -3.0, 3.0)
}

#[test]
fn reference() {
    case().reference(|p| log_cosh(p, &target()), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| log_cosh(p, &target()),
        hand,
        |p| log_cosh_grad(p, &target()),
        |p, d, acc| log_cosh_adjoint(p, &target(), d, acc, Const),
    );
}
