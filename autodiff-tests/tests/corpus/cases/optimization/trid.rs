//! Trid: a `zip` of the slice with itself shifted by one.

use crate::check::Case;
use autodiff::grad;

/// f(x) = Σ (x_i - 1)² - Σ x_i x_{i-1}
#[grad]
pub fn trid(x: &[f64]) -> f64 {
    let squares: f64 = x.iter().map(|&v| (v - 1.0).powi(2)).sum();
    let cross: f64 = x.iter().zip(x.iter().skip(1)).map(|(a, b)| a * b).sum();
    squares - cross
}

fn hand(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    (0..n)
        .map(|i| {
            let left = if i > 0 { x[i - 1] } else { 0.0 };
            let right = if i + 1 < n { x[i + 1] } else { 0.0 };
            2.0 * (x[i] - 1.0) - left - right
        })
        .collect()
}

fn case() -> Case {
    Case::new("trid", 5, -25.0, 25.0)
}

#[test]
fn reference() {
    case().reference(trid, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(trid, hand, trid_grad, |x, d, acc| trid_adjoint(x, d, acc));
}
