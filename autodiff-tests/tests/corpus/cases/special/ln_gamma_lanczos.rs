//! ln Γ by the Lanczos approximation (g = 7, nine terms): a `const` coefficient table, a fold
//! that skips the first entry, and the reflection formula as a recursive early return.

use crate::check::Case;
use autodiff::grad;
use std::f64::consts::PI;

const LANCZOS_G: f64 = 7.0;
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// ln Γ(x) for x > 0
#[grad]
pub fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Γ(x) Γ(1 - x) = π / sin(πx)
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let a = LANCZOS
        .iter()
        .enumerate()
        .skip(1)
        .fold(LANCZOS[0], |acc, (i, &c)| acc + c / (x + i as f64));
    let t = x + LANCZOS_G + 0.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// d/dx of the same approximation (digamma to its accuracy)
fn hand_scalar(x: f64) -> f64 {
    if x < 0.5 {
        return -PI / (PI * x).tan() + hand_scalar(1.0 - x);
    }
    let y = x - 1.0;
    let (mut a, mut da) = (LANCZOS[0], 0.0);
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        let d = y + i as f64;
        a += c / d;
        da -= c / (d * d);
    }
    let t = y + LANCZOS_G + 0.5;
    t.ln() + (y + 0.5) / t - 1.0 + da / a
}

fn hand(x: &[f64]) -> Vec<f64> {
    vec![hand_scalar(x[0])]
}

fn case() -> Case {
    Case::new("ln_gamma", 1, 0.1, 8.0)
}

#[test]
fn reference() {
    case().reference(|x| ln_gamma(x[0]), hand);
    // the reflection branch and the main branch both
    case().reference(|x| ln_gamma(x[0] - 0.05), |x| hand(&[x[0] - 0.05]));
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |x| ln_gamma(x[0]),
        hand,
        |x| {
            let (v, g) = ln_gamma_grad(x[0]);
            (v, vec![g])
        },
        |x, d, acc| ln_gamma_adjoint(x[0], d, &mut acc[0]),
    );
}
