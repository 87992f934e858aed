//! Sum of different powers: `abs` and an exponent taken from the index.

use crate::check::Case;
use autodiff::grad;

/// f(x) = Σ |x_i|^(i+1), i from 1
#[grad]
pub fn sum_of_powers(x: &[f64]) -> f64 {
    x.iter()
        .enumerate()
        .map(|(i, v)| v.abs().powi(i as i32 + 2))
        .sum()
}

fn hand(x: &[f64]) -> Vec<f64> {
    x.iter()
        .enumerate()
        .map(|(i, &v)| {
            let p = i as i32 + 2;
            f64::from(p) * v.abs().powi(p - 1) * v.signum()
        })
        .collect()
}

fn case() -> Case {
    Case::new("sum_of_powers", 5, -1.0, 1.0)
}

#[test]
fn reference() {
    case().reference(sum_of_powers, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(sum_of_powers, hand, sum_of_powers_grad, |x, d, acc| {
        sum_of_powers_adjoint(x, d, acc)
    });
}
