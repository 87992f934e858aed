//! Styblinski-Tang: a `powi` polynomial per coordinate, halved.

use crate::check::Case;
use autodiff::grad;

/// f(x) = ½ Σ (x_i⁴ - 16 x_i² + 5 x_i)
#[grad]
pub fn styblinski_tang(x: &[f64]) -> f64 {
    x.iter()
        .map(|&v| v.powi(4) - 16.0 * v.powi(2) + 5.0 * v)
        .sum::<f64>()
        / 2.0
}

fn hand(x: &[f64]) -> Vec<f64> {
    x.iter()
        .map(|&v| 2.0 * v.powi(3) - 16.0 * v + 2.5)
        .collect()
}

fn case() -> Case {
    Case::new("styblinski_tang", 5, -5.0, 5.0)
}

#[test]
fn reference() {
    case().reference(styblinski_tang, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(styblinski_tang, hand, styblinski_tang_grad, |x, d, acc| {
        styblinski_tang_adjoint(x, d, acc)
    });
}
