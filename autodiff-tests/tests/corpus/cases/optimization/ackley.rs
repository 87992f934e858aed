//! Ackley: generic over `Float + FromPrimitive`, `T::from_usize`, two folds.

use crate::check::Case;
use autodiff::grad;
use num_traits::{Float, FromPrimitive};

/// f(x) = -a exp(-b sqrt(Σx²/n)) - exp(Σ cos(c x)/n) + a + e, with a = 20, b = 0.2, c = 2π.
#[grad]
pub fn ackley<T: Float + FromPrimitive>(x: &[T]) -> T {
    let a = T::from_f64(20.0).unwrap();
    let b = T::from_f64(0.2).unwrap();
    let c = T::from_f64(2.0 * std::f64::consts::PI).unwrap();
    let n = T::from_usize(x.len()).unwrap();
    let sum_sq = x.iter().fold(T::zero(), |acc, &xi| acc + xi * xi);
    let sum_cos = x.iter().fold(T::zero(), |acc, &xi| acc + (c * xi).cos());
    -a * (-b * (sum_sq / n).sqrt()).exp() - (sum_cos / n).exp()
        + a
        + T::from_f64(std::f64::consts::E).unwrap()
}

fn hand(x: &[f64]) -> Vec<f64> {
    let (a, b, c) = (20.0, 0.2, 2.0 * std::f64::consts::PI);
    let n = x.len() as f64;
    let r = (x.iter().map(|v| v * v).sum::<f64>() / n).sqrt();
    let e_cos = (x.iter().map(|v| (c * v).cos()).sum::<f64>() / n).exp();
    x.iter()
        .map(|&xi| a * b * (-b * r).exp() * xi / (n * r) + e_cos * c * (c * xi).sin() / n)
        .collect()
}

fn case() -> Case {
    Case::new("ackley", 4, -5.0, 5.0)
}

#[test]
fn reference() {
    case().reference(ackley, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(ackley, hand, ackley_grad, |x, d, acc| {
        ackley_adjoint(x, d, acc)
    });
}

#[test]
fn generated_f32() {
    case().generated_f32(hand, ackley_grad);
}
