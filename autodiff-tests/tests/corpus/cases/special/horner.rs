//! Polynomial evaluation by Horner's rule as a one-line reversed fold; gradients for the
//! coefficients and the point.

use crate::check::Case;
use autodiff::{grad, Const};

/// p(x) = Σ c_i xⁱ
#[grad]
pub fn horner(coeffs: &[f64], x: f64) -> f64 {
    coeffs.iter().rev().fold(0.0, |acc, &c| acc * x + c)
}

const N: usize = 5;

fn hand(p: &[f64]) -> Vec<f64> {
    let (c, x) = (&p[..N], p[N]);
    let mut g: Vec<f64> = (0..N).map(|i| x.powi(i as i32)).collect();
    g.push((1..N).map(|i| i as f64 * c[i] * x.powi(i as i32 - 1)).sum());
    g
}

fn case() -> Case {
    Case::new("horner", N + 1, -1.5, 1.5)
}

#[test]
fn reference() {
    case().reference(|p| horner(&p[..N], p[N]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| horner(&p[..N], p[N]),
        hand,
        |p| {
            let (v, (mut g, d_x)) = horner_grad(&p[..N], p[N]);
            g.push(d_x);
            (v, g)
        },
        |p, d, acc| {
            let (d_c, d_x) = acc.split_at_mut(N);
            horner_adjoint(&p[..N], p[N], d, d_c, &mut d_x[0])
        },
    );
}

#[test]
fn generated_point_only() {
    let active: Vec<bool> = (0..=N).map(|i| i == N).collect();
    case().partially_active(hand, &active, |p, d, acc| {
        horner_adjoint(&p[..N], p[N], d, Const, &mut acc[N])
    });
}
