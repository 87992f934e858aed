//! Logistic-distribution log-density, written with the stable `(-z).exp().ln_1p()`.

use crate::check::Case;
use autodiff::{grad, Const};

/// ln p(x; μ, s) = -z - ln s - 2 ln(1 + e^{-z}), z = (x - μ)/s
#[grad]
pub fn logistic_log_pdf(x: f64, mu: f64, s: f64) -> f64 {
    let z = (x - mu) / s;
    -z - s.ln() - 2.0 * (-z).exp().ln_1p()
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (x, mu, s) = (p[0], p[1], p[2]);
    let z = (x - mu) / s;
    // d/dz = -1 + 2 σ(-z) = -tanh(z/2)
    let dz = -(z / 2.0).tanh();
    vec![dz / s, -dz / s, -1.0 / s - dz * z / s]
}

fn case() -> Case {
    Case::ranges("logistic_log_pdf", &[(-4.0, 4.0), (-1.0, 1.0), (0.3, 2.0)])
}

#[test]
fn reference() {
    case().reference(|p| logistic_log_pdf(p[0], p[1], p[2]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| logistic_log_pdf(p[0], p[1], p[2]),
        hand,
        |p| {
            let (v, (a, b, c)) = logistic_log_pdf_grad(p[0], p[1], p[2]);
            (v, vec![a, b, c])
        },
        |p, d, acc| {
            let [a, b, c] = acc else { unreachable!() };
            logistic_log_pdf_adjoint(p[0], p[1], p[2], d, a, b, c)
        },
    );
}

#[test]
fn generated_location_only() {
    case().partially_active(hand, &[false, true, false], |p, d, acc| {
        logistic_log_pdf_adjoint(p[0], p[1], p[2], d, Const, &mut acc[1], Const)
    });
}
