#![deny(warnings)]
#![deny(clippy::all)]

use autodiff::{grad, Const, Float};

/// Forward mode and a Jacobian, warning-free, next to user names the generated code uses.
#[grad(x, modes(tangent, jacobian))]
pub fn f(x: &[f64; 2], t_x: f64, value: f64, one: usize) -> [f64; 3] {
    let t = x[0] * t_x + value;
    let m = [t, x[1].sin(), (one as f64) * x[0] * x[1]];
    m
}

/// A type parameter named like a tangent's (`TX` for `x`).
#[grad(modes(tangent))]
pub fn g<TX: Float>(x: TX, t_t: TX) -> TX {
    let t = x * t_t;
    t.sin()
}

fn main() {
    let (v, t) = f_tangent(&[1.0, 2.0], 0.5, 1.0, 3, &[1.0, 0.0], Const, Const);
    let (_, j) = f_jacobian(&[1.0, 2.0], 0.5, 1.0, 3);
    assert_eq!(v, f(&[1.0, 2.0], 0.5, 1.0, 3));
    for i in 0..3 {
        assert_eq!(t[i], j[i][0]);
    }
    let (_, t) = g_tangent(0.5, 2.0, 1.0, Const);
    assert_eq!(t, 2.0 * 1.0f64.cos());
}
