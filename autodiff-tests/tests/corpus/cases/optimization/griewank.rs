//! Griewank: `.enumerate()` inside a `.product()`.

use crate::check::Case;
use autodiff::grad;

/// f(x) = 1 + Σ x_i² / 4000 - Π cos(x_i / sqrt(i + 1))
#[grad]
pub fn griewank(x: &[f64]) -> f64 {
    let sum: f64 = x.iter().map(|v| v * v).sum::<f64>() / 4000.0;
    let prod: f64 = x
        .iter()
        .enumerate()
        .map(|(i, &v)| (v / ((i + 1) as f64).sqrt()).cos())
        .product();
    1.0 + sum - prod
}

fn hand(x: &[f64]) -> Vec<f64> {
    let cosines: Vec<f64> = (0..x.len())
        .map(|i| (x[i] / ((i + 1) as f64).sqrt()).cos())
        .collect();
    (0..x.len())
        .map(|i| {
            let s = ((i + 1) as f64).sqrt();
            let others: f64 = (0..x.len())
                .filter(|&j| j != i)
                .map(|j| cosines[j])
                .product();
            x[i] / 2000.0 + (x[i] / s).sin() / s * others
        })
        .collect()
}

fn case() -> Case {
    Case::new("griewank", 5, -10.0, 10.0)
}

#[test]
fn reference() {
    case().reference(griewank, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(griewank, hand, griewank_grad, |x, d, acc| {
        griewank_adjoint(x, d, acc)
    });
}
