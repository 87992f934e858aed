//! The sphere function, generic with the `Float + Sum` bound of numeric crates.

use crate::check::Case;
use autodiff::grad;
use num_traits::Float;
use std::iter::Sum;

/// f(x) = Σ x_i²
#[grad]
pub fn sphere<T: Float + Sum>(x: &[T]) -> T {
    x.iter().map(|&v| v * v).sum()
}

fn hand(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| 2.0 * v).collect()
}

fn case() -> Case {
    Case::new("sphere", 6, -5.0, 5.0)
}

#[test]
fn reference() {
    case().reference(sphere, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(sphere, hand, sphere_grad, |x, d, acc| {
        sphere_adjoint(x, d, acc)
    });
}

#[test]
fn generated_f32() {
    case().generated_f32(hand, sphere_grad);
}
