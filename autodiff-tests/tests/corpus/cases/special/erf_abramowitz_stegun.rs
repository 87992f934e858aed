//! erf by Abramowitz & Stegun 7.1.26: const coefficients, Horner by `.iter().rev().fold`,
//! odd symmetry through a sign and `abs`.

use crate::check::Case;
use autodiff::grad;

const P: f64 = 0.327_591_1;
const A: [f64; 5] = [
    0.254_829_592,
    -0.284_496_736,
    1.421_413_741,
    -1.453_152_027,
    1.061_405_429,
];

/// erf(x) ≈ 1 - (a₁t + a₂t² + ... + a₅t⁵) e^{-x²}, t = 1/(1 + p x), for x ≥ 0; odd
#[grad]
pub fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + P * x);
    let poly = A.iter().rev().fold(0.0, |acc, &a| acc * t + a) * t;
    sign * (1.0 - poly * (-x * x).exp())
}

/// The derivative of the approximation: e^{-u²} (p t² Q'(t) + 2u Q(t)), u = |x|
fn hand(x: &[f64]) -> Vec<f64> {
    let u = x[0].abs();
    let t = 1.0 / (1.0 + P * u);
    let (mut q, mut dq) = (0.0, 0.0);
    for (i, a) in A.iter().enumerate() {
        let k = (i + 1) as i32;
        q += a * t.powi(k);
        dq += f64::from(k) * a * t.powi(k - 1);
    }
    vec![(-u * u).exp() * (P * t * t * dq + 2.0 * u * q)]
}

fn case() -> Case {
    Case::new("erf", 1, -3.0, 3.0)
}

#[test]
fn reference() {
    case().reference(|x| erf(x[0]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |x| erf(x[0]),
        hand,
        |x| {
            let (v, g) = erf_grad(x[0]);
            (v, vec![g])
        },
        |x, d, acc| erf_adjoint(x[0], d, &mut acc[0]),
    );
}
