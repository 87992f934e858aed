//! Booth: an array by value, destructured.

use crate::check::Case;
use autodiff::grad;

/// f(x, y) = (x + 2y - 7)² + (2x + y - 5)²
#[grad]
pub fn booth(p: [f64; 2]) -> f64 {
    let [x, y] = p;
    (x + 2.0 * y - 7.0).powi(2) + (2.0 * x + y - 5.0).powi(2)
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (u, v) = (p[0] + 2.0 * p[1] - 7.0, 2.0 * p[0] + p[1] - 5.0);
    vec![2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v]
}

fn case() -> Case {
    Case::new("booth", 2, -10.0, 10.0)
}

#[test]
fn reference() {
    case().reference(|p| booth([p[0], p[1]]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| booth([p[0], p[1]]),
        hand,
        |p| {
            let (v, g) = booth_grad([p[0], p[1]]);
            (v, g.to_vec())
        },
        |p, d, acc| booth_adjoint([p[0], p[1]], d, <&mut [f64; 2]>::try_from(acc).unwrap()),
    );
}
