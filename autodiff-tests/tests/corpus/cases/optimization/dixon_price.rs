//! Dixon-Price: `windows(2).enumerate()` with the index as a weight.

use crate::check::Case;
use autodiff::grad;

/// f(x) = (x₁ - 1)² + Σ_{i=2..d} i (2 x_i² - x_{i-1})²
#[grad]
pub fn dixon_price(x: &[f64]) -> f64 {
    let first = (x[0] - 1.0).powi(2);
    first
        + x.windows(2)
            .enumerate()
            .map(|(i, w)| (i + 2) as f64 * (2.0 * w[1] * w[1] - w[0]).powi(2))
            .sum::<f64>()
}

fn hand(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    g[0] = 2.0 * (x[0] - 1.0);
    for i in 1..x.len() {
        let c = (i + 1) as f64;
        let r = 2.0 * x[i] * x[i] - x[i - 1];
        g[i] += 8.0 * c * r * x[i];
        g[i - 1] -= 2.0 * c * r;
    }
    g
}

fn case() -> Case {
    Case::new("dixon_price", 5, -3.0, 3.0)
}

#[test]
fn reference() {
    case().reference(dixon_price, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(dixon_price, hand, dixon_price_grad, |x, d, acc| {
        dixon_price_adjoint(x, d, acc)
    });
}
