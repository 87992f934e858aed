//! Scalar `#[grad]` functions with control flow: property tests against finite
//! differences, `_grad` against `_adjoint`, accumulation, `Const`, f32 and generic code,
//! custom derivatives and the kink conventions.

mod common;

use autodiff::{grad, Const, Float};
use common::{assert_close, assert_matches_fd};
use proptest::prelude::*;

#[grad]
fn fan_out(x: f64, y: f64) -> f64 {
    let a = x * y;
    let b = a.sin() + a * a;
    let c = b * x - y / (1.0 + a * a);
    c + a
}

#[grad]
fn shadowing(x: f64, y: f64) -> f64 {
    let x = x * 2.0 + y;
    let x = x.tanh() * y;
    let mut s = x;
    s += y;
    s *= x;
    s -= 0.5 * y;
    s /= 1.0 + y * y;
    s
}

#[grad]
fn branches(x: f64, y: f64) -> f64 {
    let mut r = 0.0;
    if x > y {
        r += x * x;
    } else if x > 0.0 {
        r += (x * y).sin();
    } else {
        r -= y.exp();
    }
    let z = if r > 1.0 { r.ln() } else { r * y };
    z + x
}

#[grad]
fn early_returns(x: f64, y: f64) -> f64 {
    if x < -1.0 {
        return y * y;
    }
    let t = x * y;
    if t > 2.0 {
        return t.sqrt();
    }
    let u = t.exp();
    u - x
}

#[grad]
fn matches(x: f64, k: usize) -> f64 {
    let s = match k {
        0 => x,
        1 | 2 => x * x,
        3..=5 => x.sin(),
        _ => x.exp(),
    };
    s * 2.0
}

#[grad]
fn inner(a: f64, b: f64) -> f64 {
    a * b.exp()
}

#[grad]
fn nested_calls(x: f64, y: f64) -> f64 {
    let p = inner(x, y);
    let q = inner(p, x) + inner(2.0, y);
    inner(q, q.sin())
}

/// A function with a hand-written derivative: `softsign(x) = x / (1 + |x|)`.
fn softsign(x: f64) -> f64 {
    x / (1.0 + x.abs())
}

fn softsign_adjoint<DX: autodiff::Shadow<f64>>(x: f64, d_out: f64, mut d_x: DX) -> f64 {
    let denom = 1.0 + x.abs();
    d_x.add(d_out / (denom * denom));
    softsign(x)
}

#[grad]
fn custom_derivative(x: f64, y: f64) -> f64 {
    softsign(x * y) + softsign(y)
}

#[grad]
fn with_integers(x: f64, n: i32, flag: bool) -> f64 {
    let k = n * 2 + 1;
    let s = x.powi(k);
    if flag {
        s + (k as f64) * x
    } else {
        s
    }
}

#[grad]
fn single_precision(x: f32, y: f32) -> f32 {
    (x * y).sin() + x.exp() / y
}

#[grad]
fn generic<T: Float>(x: T, y: T) -> T {
    let two = T::from(2.0).unwrap();
    (x * y).sin() + x.powi(2) / (two + y * y)
}

#[grad(w)]
fn only_w(w: f64, x: f64) -> f64 {
    w * x * x
}

#[grad]
fn kinks(x: f64, y: f64, z: f64) -> f64 {
    x.abs() + x.max(y) + y.min(z) + x.clamp(-1.0, 1.0)
}

const SCALE: f64 = 3.0;

#[grad]
fn with_consts(x: f64) -> f64 {
    let half: f64 = 0.5;
    SCALE * x * half + std::f64::consts::PI * x.sin() + f64::EPSILON
}

fn check2(
    name: &str,
    f: fn(f64, f64) -> f64,
    g: fn(f64, f64) -> (f64, (f64, f64)),
    x: f64,
    y: f64,
) {
    let (value, (dx, dy)) = g(x, y);
    assert_eq!(value.to_bits(), f(x, y).to_bits(), "{name}: value");
    assert_matches_fd(&|v: &[f64]| f(v[0], v[1]), &[x, y], &[dx, dy], name);
}

proptest! {
    #[test]
    fn compositions_match_finite_differences(x in -3.0..3.0f64, y in -3.0..3.0f64) {
        check2("fan_out", fan_out, fan_out_grad, x, y);
        check2("shadowing", shadowing, shadowing_grad, x, y);
        check2("nested_calls", nested_calls, nested_calls_grad, x * 0.3, y * 0.3);
        check2("custom_derivative", custom_derivative, custom_derivative_grad, x, y);
    }

    #[test]
    fn branches_match_finite_differences(x in -3.0..3.0f64, y in -3.0..3.0f64) {
        // Away from the switching surfaces, where finite differences straddle two branches.
        let r = if x > y { x * x } else if x > 0.0 { (x * y).sin() } else { -y.exp() };
        prop_assume!((x - y).abs() > 1e-3 && x.abs() > 1e-3 && (r - 1.0).abs() > 1e-3);
        check2("branches", branches, branches_grad, x, y);
    }

    #[test]
    fn early_returns_match_finite_differences(x in -3.0..3.0f64, y in 0.1..3.0f64) {
        prop_assume!((x + 1.0).abs() > 1e-3 && (x * y - 2.0).abs() > 1e-3);
        check2("early_returns", early_returns, early_returns_grad, x, y);
    }

    #[test]
    fn matches_match_finite_differences(x in -2.0..2.0f64, k in 0usize..8) {
        let (v, d) = matches_grad(x, k);
        prop_assert_eq!(v, matches(x, k));
        assert_matches_fd(&|p: &[f64]| matches(p[0], k), &[x], &[d], "matches");
    }

    #[test]
    fn integers_pass_through(x in 0.2..2.0f64, n in 0i32..3, flag in any::<bool>()) {
        let (v, d) = with_integers_grad(x, n, flag);
        prop_assert_eq!(v, with_integers(x, n, flag));
        assert_matches_fd(&|p: &[f64]| with_integers(p[0], n, flag), &[x], &[d], "with_integers");
    }

    #[test]
    fn adjoint_accumulates_and_scales(x in -2.0..2.0f64, y in -2.0..2.0f64, d_out in -3.0..3.0f64) {
        let (value, (gx, gy)) = fan_out_grad(x, y);
        let (mut ax, mut ay) = (1.0, -2.0);
        let v1 = fan_out_adjoint(x, y, d_out, &mut ax, &mut ay);
        let v2 = fan_out_adjoint(x, y, d_out, &mut ax, &mut ay);
        prop_assert_eq!(v1, value);
        prop_assert_eq!(v2, value);
        assert_close(ax, 1.0 + 2.0 * d_out * gx, 1e-9 * (1.0 + gx.abs()));
        assert_close(ay, -2.0 + 2.0 * d_out * gy, 1e-9 * (1.0 + gy.abs()));
        // Const skips a parameter and leaves the other's gradient unchanged.
        let mut only_x = 0.0;
        fan_out_adjoint(x, y, 1.0, &mut only_x, Const);
        prop_assert_eq!(only_x, gx);
    }
}

#[test]
fn f32_and_generic_instantiations_agree_with_f64() {
    for &(x, y) in &[(0.3, 1.7), (-1.2, 0.4), (2.0, -0.9)] {
        let (v64, (dx64, dy64)) = generic_grad::<f64>(x, y);
        let (v32, (dx32, dy32)) = generic_grad::<f32>(x as f32, y as f32);
        assert_close(v32 as f64, v64, 1e-5);
        assert_close(dx32 as f64, dx64, 1e-4);
        assert_close(dy32 as f64, dy64, 1e-4);
        assert_matches_fd(
            &|p: &[f64]| generic(p[0], p[1]),
            &[x, y],
            &[dx64, dy64],
            "generic",
        );
        let (s, (sx, sy)) = single_precision_grad(x as f32, y as f32);
        assert_eq!(s, single_precision(x as f32, y as f32));
        let f64_version = |p: &[f64]| (p[0] * p[1]).sin() + p[0].exp() / p[1];
        let numeric = common::numeric_gradient(&f64_version, &[x, y]);
        assert_close(sx as f64, numeric[0], 1e-3 * (1.0 + numeric[0].abs()));
        assert_close(sy as f64, numeric[1], 1e-3 * (1.0 + numeric[1].abs()));
    }
}

#[test]
fn grad_attribute_restricts_the_gradient() {
    let (v, dw) = only_w_grad(2.0, 3.0);
    assert_eq!((v, dw), (18.0, 9.0));
    // The adjoint still takes a shadow for every float parameter.
    let (mut gw, mut gx) = (0.0, 0.0);
    only_w_adjoint(2.0, 3.0, 1.0, &mut gw, &mut gx);
    assert_eq!((gw, gx), (9.0, 12.0));
}

#[test]
fn kink_conventions() {
    // abs'(0) = 0; max/min ties follow the first argument; clamp at a bound passes nothing.
    let (_, (dx, dy, dz)) = kinks_grad(0.0, 0.0, 0.0);
    // abs: 0; max(x, y) tie -> x: 1; min(y, z) tie -> y: 1; clamp(0) inside: 1.
    assert_eq!((dx, dy, dz), (2.0, 1.0, 0.0));
    let (_, (dx, _, _)) = kinks_grad(1.0, -5.0, 5.0);
    // abs: 1; max -> x: 1; clamp at the upper bound: 0.
    assert_eq!(dx, 2.0);
    let (_, (dx, _, _)) = kinks_grad(-1.0, -5.0, 5.0);
    // abs: -1; max -> x: 1; clamp at the lower bound: 0.
    assert_eq!(dx, 0.0);
}

#[test]
fn constants_are_not_differentiated() {
    let x = 0.7;
    let (v, d) = with_consts_grad(x);
    assert_eq!(v, with_consts(x));
    assert_close(d, 1.5 + std::f64::consts::PI * x.cos(), 1e-12);
}
