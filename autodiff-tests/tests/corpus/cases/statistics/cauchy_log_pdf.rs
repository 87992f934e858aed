//! Cauchy log-density in three scalars, with `ln_1p` and `PI`.

use crate::check::Case;
use autodiff::{grad, Const};
use std::f64::consts::PI;

/// ln p(x; x₀, γ) = -ln(πγ) - ln(1 + ((x - x₀)/γ)²)
#[grad]
pub fn cauchy_log_pdf(x: f64, x0: f64, gamma: f64) -> f64 {
    let z = (x - x0) / gamma;
    -(PI * gamma).ln() - (z * z).ln_1p()
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (x, x0, gamma) = (p[0], p[1], p[2]);
    let z = (x - x0) / gamma;
    let dz = -2.0 * z / (1.0 + z * z);
    vec![dz / gamma, -dz / gamma, -1.0 / gamma - dz * z / gamma]
}

fn case() -> Case {
    Case::ranges("cauchy_log_pdf", &[(-5.0, 5.0), (-2.0, 2.0), (0.3, 3.0)])
}

#[test]
fn reference() {
    case().reference(|p| cauchy_log_pdf(p[0], p[1], p[2]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| cauchy_log_pdf(p[0], p[1], p[2]),
        hand,
        |p| {
            let (v, (a, b, c)) = cauchy_log_pdf_grad(p[0], p[1], p[2]);
            (v, vec![a, b, c])
        },
        |p, d, acc| {
            let [a, b, c] = acc else { unreachable!() };
            cauchy_log_pdf_adjoint(p[0], p[1], p[2], d, a, b, c)
        },
    );
}

#[test]
fn generated_scale_only() {
    case().partially_active(hand, &[false, false, true], |p, d, acc| {
        cauchy_log_pdf_adjoint(p[0], p[1], p[2], d, Const, Const, &mut acc[2])
    });
}
