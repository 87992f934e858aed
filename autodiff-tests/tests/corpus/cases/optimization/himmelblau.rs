//! Himmelblau: two scalar parameters and a local closure.

use crate::check::Case;
use autodiff::{grad, Const};

/// f(x, y) = (x² + y - 11)² + (x + y² - 7)²
#[grad]
pub fn himmelblau(x: f64, y: f64) -> f64 {
    let sq = |v: f64| v * v;
    sq(sq(x) + y - 11.0) + sq(x + sq(y) - 7.0)
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (x, y) = (p[0], p[1]);
    let a = x * x + y - 11.0;
    let b = x + y * y - 7.0;
    vec![4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b]
}

fn case() -> Case {
    Case::new("himmelblau", 2, -5.0, 5.0)
}

#[test]
fn reference() {
    case().reference(|p| himmelblau(p[0], p[1]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| himmelblau(p[0], p[1]),
        hand,
        |p| {
            let (v, (dx, dy)) = himmelblau_grad(p[0], p[1]);
            (v, vec![dx, dy])
        },
        |p, d, acc| {
            let [dx, dy] = acc else { unreachable!() };
            himmelblau_adjoint(p[0], p[1], d, dx, dy)
        },
    );
}

#[test]
fn generated_x_only() {
    case().partially_active(hand, &[true, false], |p, d, acc| {
        himmelblau_adjoint(p[0], p[1], d, &mut acc[0], Const)
    });
}
