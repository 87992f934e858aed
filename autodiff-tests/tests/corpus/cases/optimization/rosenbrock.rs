//! Extended Rosenbrock: sum over consecutive pairs, in the `windows(2)` style.

use crate::check::Case;
use autodiff::grad;

/// f(x) = Σ 100 (x_{i+1} - x_i²)² + (1 - x_i)²
#[grad]
pub fn rosenbrock(x: &[f64]) -> f64 {
    assert!(x.len() >= 2, "rosenbrock needs at least two coordinates");
    x.windows(2)
        .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
        .sum()
}

fn rosenbrock_hand(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for i in 0..x.len() - 1 {
        let r = x[i + 1] - x[i] * x[i];
        g[i] += -400.0 * x[i] * r - 2.0 * (1.0 - x[i]);
        g[i + 1] += 200.0 * r;
    }
    g
}

fn case() -> Case {
    Case::new("rosenbrock", 6, -2.0, 2.0)
}

#[test]
fn reference() {
    case().reference(rosenbrock, rosenbrock_hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(rosenbrock, rosenbrock_hand, rosenbrock_grad, |x, d, acc| {
        rosenbrock_adjoint(x, d, acc)
    });
}
