//! ln Γ by the Stirling series: a `const` slice of series coefficients, `debug_assert!`.

use crate::check::Case;
use autodiff::grad;
use std::f64::consts::PI;

/// B_{2k} / (2k (2k - 1)) for k = 1..4.
const STIRLING: &[f64] = &[1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0];

/// ln Γ(x) ≈ (x - ½) ln x - x + ½ ln 2π + Σ c_k / x^{2k-1}, for large x
#[grad]
pub fn ln_gamma_stirling(x: f64) -> f64 {
    debug_assert!(x >= 5.0, "the series is accurate for large arguments only");
    let series: f64 = STIRLING
        .iter()
        .enumerate()
        .map(|(k, &c)| c / x.powi(2 * k as i32 + 1))
        .sum();
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * PI).ln() + series
}

fn hand(x: &[f64]) -> Vec<f64> {
    let x = x[0];
    let mut g = x.ln() + (x - 0.5) / x - 1.0;
    for (k, c) in STIRLING.iter().enumerate() {
        let p = 2 * k as i32 + 1;
        g -= f64::from(p) * c / x.powi(p + 1);
    }
    vec![g]
}

fn case() -> Case {
    Case::new("ln_gamma_stirling", 1, 5.0, 30.0)
}

#[test]
fn reference() {
    case().reference(|x| ln_gamma_stirling(x[0]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |x| ln_gamma_stirling(x[0]),
        hand,
        |x| {
            let (v, g) = ln_gamma_stirling_grad(x[0]);
            (v, vec![g])
        },
        |x, d, acc| ln_gamma_stirling_adjoint(x[0], d, &mut acc[0]),
    );
}
