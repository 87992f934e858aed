//! The lecture's linear regression ŷ = φ0 + φ1·x and its data. Used by
//! examples/linear_regression.rs and tests/training.rs.
#![allow(dead_code)] // each including target uses a part
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::grad;

/// 12 made-up but plausible points: house size x (in 1000 ft²) against price y (in $100k),
/// roughly y = 0.6 + 1.4 x plus noise.
pub const SIZES: [f64; 12] = [
    0.85, 1.10, 1.25, 1.40, 1.55, 1.70, 1.85, 2.00, 2.20, 2.45, 2.70, 3.00,
];
pub const PRICES: [f64; 12] = [
    1.85, 2.05, 2.45, 2.52, 2.90, 2.88, 3.30, 3.35, 3.75, 3.95, 4.52, 4.74,
];

/// L(φ0, φ1) = 1/(2n) Σ (φ0 + φ1 x_i - y_i)². `#[grad(phi0, phi1)]`: `least_squares_grad`
/// differentiates the two parameters only; the data are inputs.
#[grad(phi0, phi1)]
pub fn least_squares(phi0: f64, phi1: f64, x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let mut sum = 0.0;
    for i in 0..n {
        let r = phi0 + phi1 * x[i] - y[i];
        sum += r * r;
    }
    sum / (2.0 * n as f64)
}

/// The closed-form least-squares line (φ0, φ1): φ1 = cov(x, y) / var(x),
/// φ0 = mean(y) - φ1 mean(x).
pub fn closed_form(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let var: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    (my - cov / var * mx, cov / var)
}
