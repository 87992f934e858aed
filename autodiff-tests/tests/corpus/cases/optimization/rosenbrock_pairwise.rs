//! Rosenbrock in its original pairwise form (independent pairs), generic over the float type.

use crate::check::Case;
use autodiff::grad;
use num_traits::{Float, FromPrimitive};

/// f(x) = Σ_pairs 100 (b - a²)² + (1 - a)², pairs (x₀, x₁), (x₂, x₃), ...
#[grad]
pub fn rosenbrock_pairwise<T: Float + FromPrimitive>(x: &[T]) -> T {
    debug_assert!(
        x.len().is_multiple_of(2),
        "the pairwise form needs an even dimension"
    );
    let hundred = T::from_f64(100.0).unwrap();
    x.chunks(2).fold(T::zero(), |acc, pair| {
        let (a, b) = (pair[0], pair[1]);
        acc + hundred * (b - a * a).powi(2) + (T::one() - a).powi(2)
    })
}

fn hand(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in (0..x.len()).step_by(2) {
        let r = x[i + 1] - x[i] * x[i];
        g[i] = -400.0 * x[i] * r - 2.0 * (1.0 - x[i]);
        g[i + 1] = 200.0 * r;
    }
    g
}

fn case() -> Case {
    Case::new("rosenbrock_pairwise", 6, -2.0, 2.0)
}

#[test]
fn reference() {
    case().reference(rosenbrock_pairwise, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        rosenbrock_pairwise,
        hand,
        rosenbrock_pairwise_grad,
        |x, d, acc| rosenbrock_pairwise_adjoint(x, d, acc),
    );
}

#[test]
fn generated_f32() {
    case().generated_f32(hand, rosenbrock_pairwise_grad);
}
