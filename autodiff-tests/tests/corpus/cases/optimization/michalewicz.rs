//! Michalewicz: an integer steepness constant, a negated iterator sum.

use crate::check::Case;
use autodiff::grad;
use std::f64::consts::PI;

/// Steepness of the valleys.
const M: i32 = 10;

/// f(x) = -Σ sin(x_i) sin²ᵐ(i x_i² / π), i from 1
#[grad]
pub fn michalewicz(x: &[f64]) -> f64 {
    -x.iter()
        .enumerate()
        .map(|(i, &xi)| xi.sin() * ((i + 1) as f64 * xi * xi / PI).sin().powi(2 * M))
        .sum::<f64>()
}

fn hand(x: &[f64]) -> Vec<f64> {
    x.iter()
        .enumerate()
        .map(|(i, &xi)| {
            let k = (i + 1) as f64;
            let u = k * xi * xi / PI;
            let s = u.sin();
            -(xi.cos() * s.powi(2 * M)
                + xi.sin() * f64::from(2 * M) * s.powi(2 * M - 1) * u.cos() * 2.0 * k * xi / PI)
        })
        .collect()
}

fn case() -> Case {
    Case::new("michalewicz", 4, 0.0, PI)
}

#[test]
fn reference() {
    case().reference(michalewicz, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(michalewicz, hand, michalewicz_grad, |x, d, acc| {
        michalewicz_adjoint(x, d, acc)
    });
}
