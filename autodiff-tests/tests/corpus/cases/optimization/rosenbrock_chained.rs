//! The chained Rosenbrock function written with an index loop and `FromPrimitive` constants.

use crate::check::Case;
use autodiff::grad;
use num_traits::{Float, FromPrimitive};

/// f(x) = Σ_{i<n-1} 100 (x_{i+1} - x_i²)² + (x_i - 1)², with the loop a C port would have.
#[grad]
pub fn rosenbrock_chained<T: Float + FromPrimitive>(x: &[T]) -> T {
    let n = x.len();
    let c = T::from_f64(100.0).unwrap();
    let mut f = T::zero();
    for i in 0..n - 1 {
        let t1 = x[i + 1] - x[i] * x[i];
        let t2 = x[i] - T::one();
        f = f + c * t1 * t1 + t2 * t2;
    }
    f
}

fn hand(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    (0..n)
        .map(|i| {
            let mut g = 0.0;
            if i + 1 < n {
                g += -400.0 * x[i] * (x[i + 1] - x[i] * x[i]) + 2.0 * (x[i] - 1.0);
            }
            if i > 0 {
                g += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
            }
            g
        })
        .collect()
}

fn case() -> Case {
    Case::new("rosenbrock_chained", 5, -2.0, 2.0)
}

#[test]
fn reference() {
    case().reference(rosenbrock_chained, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        rosenbrock_chained,
        hand,
        rosenbrock_chained_grad,
        |x, d, acc| rosenbrock_chained_adjoint(x, d, acc),
    );
}

#[test]
fn generated_f32() {
    case().generated_f32(hand, rosenbrock_chained_grad);
}
