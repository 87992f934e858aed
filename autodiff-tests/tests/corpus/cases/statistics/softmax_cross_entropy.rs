//! Softmax cross-entropy for a class index, generic `Float + Sum`, max via `fold(T::max)`.

use crate::check::Case;
use autodiff::grad;
use num_traits::Float;
use std::iter::Sum;

/// -ln softmax(z)_target = logsumexp(z) - z_target
#[grad]
pub fn softmax_cross_entropy<T: Float + Sum>(logits: &[T], target: usize) -> T {
    let max = logits.iter().cloned().fold(T::neg_infinity(), T::max);
    let lse = logits.iter().map(|&z| (z - max).exp()).sum::<T>().ln() + max;
    lse - logits[target]
}

const TARGET: usize = 2;

fn hand(z: &[f64]) -> Vec<f64> {
    let total: f64 = z.iter().map(|v| v.exp()).sum();
    z.iter()
        .enumerate()
        .map(|(i, v)| v.exp() / total - if i == TARGET { 1.0 } else { 0.0 })
        .collect()
}

fn case() -> Case {
    Case::new("softmax_cross_entropy", 5, -4.0, 4.0)
}

#[test]
fn reference() {
    case().reference(|z| softmax_cross_entropy(z, TARGET), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |z| softmax_cross_entropy(z, TARGET),
        hand,
        |z| softmax_cross_entropy_grad(z, TARGET),
        |z, d, acc| softmax_cross_entropy_adjoint(z, TARGET, d, acc),
    );
}

#[test]
fn generated_f32() {
    case().generated_f32(hand, |z| softmax_cross_entropy_grad(z, TARGET));
}
