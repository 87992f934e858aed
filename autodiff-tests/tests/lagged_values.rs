//! Values a loop carries that depend on a parameter only from a later iteration on, through
//! another carried value (`x0 = x1; x1 = new;`, a two-step lag, the secant method). A call on
//! such a value (`x0.powi(2)`, `p2.exp()`, `f(x0)`) was taken for data, its derivative
//! dropped: a silently wrong gradient, tangent and Hv from the third iteration on (probe).

mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// A three-term recurrence from constants: `x0` depends on `a` from the second iteration on.
#[grad(modes(tangent, hvp))]
fn recurrence(a: f64, n: usize) -> f64 {
    let mut x0 = 0.7f64;
    let mut x1 = 0.75f64;
    for _ in 0..n {
        let x2 = a * x0.powi(2) + x1.sin();
        x0 = x1;
        x1 = x2;
    }
    x1
}

/// Each input weighted by exp of the one two places before it.
#[grad]
fn two_step_lag(x: &[f64]) -> f64 {
    let (mut p1, mut p2) = (0.0f64, 0.0f64);
    let mut total = 0.0;
    for &v in x {
        total += p2.exp() * v;
        p2 = p1;
        p1 = v;
    }
    total
}

/// The root of `cos x = a x` by `steps` steps of the secant method.
#[grad(a)]
fn secant_root(a: f64, steps: usize) -> f64 {
    let f = |x: f64| x.cos() - a * x;
    let (mut x0, mut x1) = (0.5f64, 1.0f64);
    for _ in 0..steps {
        let (f0, f1) = (f(x0), f(x1));
        if (f1 - f0).abs() < 1e-300 {
            break;
        }
        (x0, x1) = (x1, x1 - f1 * (x1 - x0) / (f1 - f0));
    }
    x1
}

/// A lag three deep, the oldest passed to a `#[grad]` function.
#[grad]
fn softened(v: f64) -> f64 {
    (v * v + 1.0).sqrt()
}

#[grad]
fn three_step_lag(x: &[f64]) -> f64 {
    let (mut p1, mut p2, mut p3) = (0.0f64, 0.0f64, 0.0f64);
    let mut total = 0.0;
    for &v in x {
        total += softened(p3) * v;
        p3 = p2;
        p2 = p1;
        p1 = v;
    }
    total
}

#[test]
fn a_value_that_depends_on_a_parameter_from_a_later_iteration() {
    let h = 1e-6;
    for n in 0..6 {
        let a = 0.3;
        let (value, g) = recurrence_grad(a, n);
        assert_eq!(value, recurrence(a, n));
        let fd = (recurrence(a + h, n) - recurrence(a - h, n)) / (2.0 * h);
        assert!(
            (g - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "n = {n}: {g} vs {fd}"
        );
        let (_, t) = recurrence_tangent(a, n, 1.0);
        assert!((t - g).abs() < 1e-12 * (1.0 + g.abs()), "tangent, n = {n}");
        let (_, _, hv) = recurrence_hvp(a, n, 1.0);
        let fd2 = (recurrence_grad(a + h, n).1 - recurrence_grad(a - h, n).1) / (2.0 * h);
        assert!((hv - fd2).abs() < 1e-5 * (1.0 + fd2.abs()), "Hv, n = {n}");
    }
    let mut rng = Rng::new(20261206);
    for _ in 0..20 {
        let len = 1 + rng.below(7);
        let x = rng.vec(len, -1.0, 1.0);
        assert_matches_fd(
            &|x| two_step_lag(x),
            &x,
            &two_step_lag_grad(&x).1,
            "two_step_lag",
        );
        assert_matches_fd(
            &|x| three_step_lag(x),
            &x,
            &three_step_lag_grad(&x).1,
            "three_step_lag",
        );
    }
}

#[test]
fn the_secant_method() {
    let (a, h) = (0.5884, 1e-6);
    for steps in 1..5 {
        let g = secant_root_grad(a, steps).1;
        let fd = (secant_root(a + h, steps) - secant_root(a - h, steps)) / (2.0 * h);
        assert!((g - fd).abs() < 1e-6, "{steps} steps: {g} vs {fd}");
    }
    // Converged: the implicit derivative of cos x - a x = 0, -x / (sin x + a).
    let (root, g) = secant_root_grad(a, 12);
    assert!((root.cos() - a * root).abs() < 1e-12);
    let implicit = -root / (root.sin() + a);
    assert!((g - implicit).abs() < 1e-9, "{g} vs {implicit}");
}
