//! Zakharov: one `enumerate().fold` carrying a tuple of two sums.

use crate::check::Case;
use autodiff::grad;

/// f(x) = Σ x_i² + s² + s⁴ with s = Σ ½ i x_i (i from 1)
#[grad]
pub fn zakharov(x: &[f64]) -> f64 {
    let (sum_sq, s) = x.iter().enumerate().fold((0.0, 0.0), |(sq, s), (i, &xi)| {
        (sq + xi * xi, s + 0.5 * (i + 1) as f64 * xi)
    });
    sum_sq + s.powi(2) + s.powi(4)
}

fn hand(x: &[f64]) -> Vec<f64> {
    let s: f64 = x
        .iter()
        .enumerate()
        .map(|(i, v)| 0.5 * (i + 1) as f64 * v)
        .sum();
    let ds = 2.0 * s + 4.0 * s.powi(3);
    x.iter()
        .enumerate()
        .map(|(i, v)| 2.0 * v + ds * 0.5 * (i + 1) as f64)
        .collect()
}

fn case() -> Case {
    Case::new("zakharov", 4, -2.0, 2.0)
}

#[test]
fn reference() {
    case().reference(zakharov, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(zakharov, hand, zakharov_grad, |x, d, acc| {
        zakharov_adjoint(x, d, acc)
    });
}
