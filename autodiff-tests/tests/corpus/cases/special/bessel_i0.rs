//! Modified Bessel I₀ by its power series: a term updated in place, a convergence `break`
//! against `f64::EPSILON`.

use crate::check::Case;
use autodiff::grad;

/// I₀(x) = Σ (x²/4)^k / (k!)²
#[grad]
pub fn bessel_i0(x: f64) -> f64 {
    let q = 0.25 * x * x;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..100 {
        term *= q / (k * k) as f64;
        sum += term;
        if term < f64::EPSILON * sum {
            break;
        }
    }
    sum
}

/// I₀' = I₁(x) = Σ (x/2)^{2k+1} / (k! (k+1)!)
fn hand(x: &[f64]) -> Vec<f64> {
    let x = x[0];
    let q = 0.25 * x * x;
    let mut term = 0.5 * x;
    let mut sum = term;
    for k in 1..100 {
        term *= q / (k * (k + 1)) as f64;
        sum += term;
        if term.abs() < 1e-18 * sum.abs() {
            break;
        }
    }
    vec![sum]
}

fn case() -> Case {
    Case::new("bessel_i0", 1, -6.0, 6.0)
}

#[test]
fn reference() {
    case().reference(|x| bessel_i0(x[0]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |x| bessel_i0(x[0]),
        hand,
        |x| {
            let (v, g) = bessel_i0_grad(x[0]);
            (v, vec![g])
        },
        |x, d, acc| bessel_i0_adjoint(x[0], d, &mut acc[0]),
    );
}
