//! Quantile (pinball) loss written with `max` of the two branches; smooth away from its kinks.

use crate::check::Case;
use crate::common::Rng;
use autodiff::{grad, Const};

/// mean of max(τ d, (τ - 1) d), d = y - p
#[grad(pred)]
pub fn pinball(pred: &[f64], target: &[f64], tau: f64) -> f64 {
    assert!((0.0..=1.0).contains(&tau), "tau is a quantile level");
    let n = pred.len() as f64;
    pred.iter()
        .zip(target.iter())
        .map(|(&p, &y)| {
            let d = y - p;
            (tau * d).max((tau - 1.0) * d)
        })
        .sum::<f64>()
        / n
}

const TAU: f64 = 0.3;

fn target() -> Vec<f64> {
    Rng::new(17).vec(6, -2.0, 2.0)
}

fn hand(p: &[f64]) -> Vec<f64> {
    let n = p.len() as f64;
    p.iter()
        .zip(target())
        .map(|(&p, y)| if y > p { -TAU / n } else { (1.0 - TAU) / n })
        .collect()
}

fn case() -> Case {
    Case::new("pinball", 6, -3.0, 3.0)
}

#[test]
fn reference() {
    case().reference(|p| pinball(p, &target(), TAU), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| pinball(p, &target(), TAU),
        hand,
        |p| pinball_grad(p, &target(), TAU),
        |p, d, acc| pinball_adjoint(p, &target(), TAU, d, acc, Const, Const),
    );
}
