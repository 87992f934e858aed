//! Digamma: a `while` recurrence on a shadowed `mut` parameter, then the asymptotic series
//! in nested (Horner) form in 1/x².

use crate::check::Case;
use autodiff::grad;

/// ψ(x) for x > 0: ψ(x) = ψ(x + 1) - 1/x up to x ≥ 6, then
/// ln x - 1/(2x) - 1/(12x²) + 1/(120x⁴) - 1/(252x⁶) + 1/(240x⁸) - 1/(132x¹⁰)
#[grad]
pub fn digamma(x: f64) -> f64 {
    assert!(x > 0.0, "digamma is implemented for positive arguments");
    let mut x = x;
    let mut result = 0.0;
    while x < 6.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let inv2 = 1.0 / (x * x);
    let series = inv2
        * (1.0 / 12.0
            - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))));
    result + x.ln() - 0.5 / x - series
}

/// Coefficients of z^{-2k}, k = 1..5, in the series above.
const SERIES: [f64; 5] = [
    -1.0 / 12.0,
    1.0 / 120.0,
    -1.0 / 252.0,
    1.0 / 240.0,
    -1.0 / 132.0,
];

/// The derivative of the same approximation (trigamma to its accuracy)
fn hand(x: &[f64]) -> Vec<f64> {
    let mut z = x[0];
    let mut g = 0.0;
    while z < 6.0 {
        g += 1.0 / (z * z);
        z += 1.0;
    }
    g += 1.0 / z + 0.5 / (z * z);
    for (i, c) in SERIES.iter().enumerate() {
        let k = (i + 1) as i32;
        g -= 2.0 * f64::from(k) * c * z.powi(-2 * k - 1);
    }
    vec![g]
}

fn case() -> Case {
    Case::new("digamma", 1, 0.3, 10.0)
}

#[test]
fn reference() {
    case().reference(|x| digamma(x[0]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |x| digamma(x[0]),
        hand,
        |x| {
            let (v, g) = digamma_grad(x[0]);
            (v, vec![g])
        },
        |x, d, acc| digamma_adjoint(x[0], d, &mut acc[0]),
    );
}
