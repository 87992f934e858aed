//! Softplus with overflow thresholds, generic `Float + FromPrimitive`, an `else if` chain.

use crate::check::Case;
use autodiff::grad;
use num_traits::{Float, FromPrimitive};

/// ln(1 + eˣ), returning x (or eˣ) where the other terms vanish in floating point
#[grad]
pub fn softplus<T: Float + FromPrimitive>(x: T) -> T {
    let threshold = T::from_f64(20.0).unwrap();
    if x > threshold {
        x
    } else if x < -threshold {
        x.exp()
    } else {
        x.exp().ln_1p()
    }
}

fn hand(x: &[f64]) -> Vec<f64> {
    let x = x[0];
    vec![if x > 20.0 {
        1.0
    } else if x < -20.0 {
        x.exp()
    } else {
        1.0 / (1.0 + (-x).exp())
    }]
}

fn case() -> Case {
    Case::new("softplus", 1, -30.0, 30.0)
}

#[test]
fn reference() {
    case().reference(|x| softplus(x[0]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |x| softplus(x[0]),
        hand,
        |x| {
            let (v, g) = softplus_grad(x[0]);
            (v, vec![g])
        },
        |x, d, acc| softplus_adjoint(x[0], d, &mut acc[0]),
    );
}

#[test]
fn generated_f32() {
    case().generated_f32(hand, |x| {
        let (v, g) = softplus_grad(x[0]);
        (v, vec![g])
    });
}
