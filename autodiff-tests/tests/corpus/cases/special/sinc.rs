//! Unnormalised sinc with a Taylor branch near zero taken by early return.

use crate::check::Case;
use autodiff::grad;

/// sin(x)/x, 1 - x²/6 for |x| < 10⁻⁴
#[grad]
pub fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-4 {
        return 1.0 - x * x / 6.0;
    }
    x.sin() / x
}

fn hand(x: &[f64]) -> Vec<f64> {
    let x = x[0];
    vec![if x.abs() < 1e-4 {
        -x / 3.0
    } else {
        (x * x.cos() - x.sin()) / (x * x)
    }]
}

fn case() -> Case {
    Case::new("sinc", 1, -10.0, 10.0)
}

#[test]
fn reference() {
    case().reference(|x| sinc(x[0]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |x| sinc(x[0]),
        hand,
        |x| {
            let (v, g) = sinc_grad(x[0]);
            (v, vec![g])
        },
        |x, d, acc| sinc_adjoint(x[0], d, &mut acc[0]),
    );
}
