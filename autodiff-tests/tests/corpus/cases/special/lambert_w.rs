//! Lambert W (principal branch) by Halley's iteration: differentiating through a solver loop.

use crate::check::Case;
use autodiff::grad;

/// w with w eʷ = x, for x ≥ 0
#[grad]
pub fn lambert_w(x: f64) -> f64 {
    assert!(x >= 0.0, "the principal branch is implemented for x >= 0");
    let mut w = x.ln_1p();
    for _ in 0..20 {
        let ew = w.exp();
        let f = w * ew - x;
        let wp1 = w + 1.0;
        w -= f / (ew * wp1 - (w + 2.0) * f / (2.0 * wp1));
    }
    w
}

/// W'(x) = 1 / (e^W (1 + W)), from implicit differentiation of W e^W = x
fn hand(x: &[f64]) -> Vec<f64> {
    let w = lambert_w(x[0]);
    vec![1.0 / (w.exp() * (1.0 + w))]
}

fn case() -> Case {
    Case::new("lambert_w", 1, 0.1, 10.0)
}

#[test]
fn reference() {
    case().reference(|x| lambert_w(x[0]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |x| lambert_w(x[0]),
        hand,
        |x| {
            let (v, g) = lambert_w_grad(x[0]);
            (v, vec![g])
        },
        |x, d, acc| lambert_w_adjoint(x[0], d, &mut acc[0]),
    );
}
