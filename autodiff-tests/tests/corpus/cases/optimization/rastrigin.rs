//! Rastrigin: a constant, `std::f64::consts`, a `map(..).sum::<f64>()` chain.

use crate::check::Case;
use autodiff::grad;
use std::f64::consts::PI;

const A: f64 = 10.0;

/// f(x) = A n + Σ (x_i² - A cos 2π x_i)
#[grad]
pub fn rastrigin(x: &[f64]) -> f64 {
    A * x.len() as f64
        + x.iter()
            .map(|&xi| xi * xi - A * (2.0 * PI * xi).cos())
            .sum::<f64>()
}

fn hand(x: &[f64]) -> Vec<f64> {
    x.iter()
        .map(|&xi| 2.0 * xi + 2.0 * PI * A * (2.0 * PI * xi).sin())
        .collect()
}

fn case() -> Case {
    Case::new("rastrigin", 5, -5.12, 5.12)
}

#[test]
fn reference() {
    case().reference(rastrigin, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(rastrigin, hand, rastrigin_grad, |x, d, acc| {
        rastrigin_adjoint(x, d, acc)
    });
}
