//! A value computed before a guard clause and used only where the guard lets it through:
//! where the guard is taken, the value is infinite or NaN (`r.sqrt()` at 0, `p.ln()` at 0,
//! `x.exp()` past 709) and its adjoint is zero. Its rule passes that zero on as zero, not as
//! `0 * inf` (NaN): the gradient is the guard's, as written. Likewise a zero tangent (of
//! data, passed `Const`) through a root of zero.

mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// The length of a vector, 0 at 0 by the guard.
#[grad(modes(tangent, hvp))]
fn safe_norm(x: &[f64; 2]) -> f64 {
    let n = (x[0] * x[0] + x[1] * x[1]).sqrt();
    if n > 0.0 {
        n
    } else {
        0.0
    }
}

/// A branch on the input chooses between a root and a line.
#[grad(modes(tangent, hvp))]
fn root_or_line(x: f64) -> f64 {
    let s = x.sqrt();
    if x > 0.0 {
        s
    } else {
        0.5 * x
    }
}

/// An early return before the division.
#[grad(modes(tangent, hvp))]
fn cosine_of_angle(x: f64, y: f64) -> f64 {
    let r = (x * x + y * y).sqrt();
    if r < 1e-12 {
        return 0.0;
    }
    x / r
}

/// The entropy term `p ln p`, 0 at 0, computed before the guard and scaled on the way.
#[grad(modes(tangent, hvp))]
fn entropy_term(p: f64) -> f64 {
    let plogp = p * p.ln();
    let scaled = 2.0 * plogp;
    if p > 0.0 {
        -scaled
    } else {
        0.0
    }
}

/// Softplus with its large-input branch: `exp` overflows where the branch is not taken.
#[grad(modes(tangent, hvp))]
fn softplus_guarded(x: f64) -> f64 {
    let e = x.exp();
    if x > 30.0 {
        x
    } else {
        e.ln_1p()
    }
}

/// A relative change guarded against a zero base, in a loop over data.
#[grad(w)]
fn relative_changes(w: &[f64; 3], base: &[f64; 3]) -> f64 {
    let mut total = 0.0;
    for i in 0..3 {
        let inv = (w[i] * base[i]).recip();
        if base[i] != 0.0 {
            total += w[i] * w[i] * inv;
        }
    }
    total
}

/// `f32` and a generic float take the same guard.
#[grad]
fn root_or_zero_f32(x: f32) -> f32 {
    let s = x.sqrt();
    if x > 0.0 {
        s * s * s
    } else {
        0.0
    }
}

#[grad]
fn log_or_zero<T: num_traits::Float>(x: T) -> T {
    let l = x.ln();
    if x > T::zero() {
        x * l
    } else {
        T::zero()
    }
}

/// A feature of the data under a root, zero in one example: its tangent is zero.
#[grad(w, modes(tangent, hvp))]
fn root_feature(w: f64, x: &[f64; 2]) -> f64 {
    w * x[0].sqrt() + x[1].sqrt()
}

#[test]
fn a_zero_tangent_stays_zero_through_a_singular_root() {
    assert_eq!(
        root_feature_tangent(2.0, &[0.0, 4.0], 1.0, autodiff::Const),
        (2.0, 0.0)
    );
    assert_eq!(
        root_feature_tangent(2.0, &[9.0, 4.0], 1.0, autodiff::Const),
        (8.0, 3.0)
    );
    assert_eq!(root_feature_hvp(2.0, &[0.0, 4.0], 1.0), (2.0, 0.0, 0.0));
    assert_eq!(root_feature_grad(2.0, &[0.0, 4.0]), (2.0, 0.0));
}

/// A floor instead of a branch: `max`, `min` and `clamp` pass nothing to the operand they
/// do not pick, which is singular there (probe: NaN).
#[grad(modes(tangent, hvp))]
fn floored_root(x: f64) -> f64 {
    x.sqrt().max(0.5) + (2.0 / x).min(1e6) + x.ln().clamp(-10.0, 10.0)
}

/// A standard score with its deviation floored, at a constant sample (deviation 0).
#[grad]
fn z_score(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    let sd = var.sqrt().max(1e-6);
    (x[0] - mean) / sd
}

/// The distance between two points, at zero: `hypot` at its kink has slope 0, as `abs`.
#[grad]
fn distance(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

#[test]
fn a_floor_picks_the_constant_where_the_value_is_singular() {
    // At 0: 0.5 + 1e6 + (-10), all constants picked.
    assert_eq!(floored_root_grad(0.0), (1e6 - 9.5, 0.0));
    assert_eq!(floored_root_tangent(0.0, 1.0), (1e6 - 9.5, 0.0));
    assert_eq!(floored_root_hvp(0.0, 1.0), (1e6 - 9.5, 0.0, 0.0));
    let (value, d_x) = z_score_grad(&[1.0, 1.0, 1.0]);
    assert_eq!(value, 0.0);
    let expected = [2e6 / 3.0, -1e6 / 3.0, -1e6 / 3.0];
    assert!(
        (0..3).all(|i| (d_x[i] - expected[i]).abs() < 1e-6),
        "{d_x:?}"
    );
    assert_eq!(
        distance_grad(&[1.0, 2.0], &[1.0, 2.0]),
        (0.0, ([0.0; 2], [0.0; 2]))
    );
    let mut rng = Rng::new(43);
    for _ in 0..50 {
        let x = rng.uniform(0.3, 4.0);
        let (_, g) = floored_root_grad(x);
        assert_matches_fd(&|v| floored_root(v[0]), &[x], &[g], "floored");
        let xs = rng.vec(3, -2.0, 2.0);
        assert_matches_fd(&|v| z_score(v), &xs, &z_score_grad(&xs).1, "z-score");
        let (a, b) = (
            [rng.uniform(-2.0, 2.0), 0.5],
            [rng.uniform(-2.0, 2.0), -0.5],
        );
        let (_, (d_a, _)) = distance_grad(&a, &b);
        assert_matches_fd(&|v| distance(&[v[0], v[1]], &b), &a, &d_a, "distance");
    }
}

/// Roots stored in a local array, some of them never read: an unread element's adjoint is
/// zero, passed on as zero where its root is at 0 (it was `0 * inf`, a NaN in the gradient
/// of an input the value does not depend on).
#[grad(modes(hvp))]
fn some_roots(x: &[f64; 3]) -> f64 {
    let mut r = [0.0; 3];
    for i in 0..3 {
        r[i] = x[i].sqrt();
    }
    let pair = [x[0].ln(), x[1] * x[2]];
    r[1] + r[2] + pair[1]
}

/// A constant infinity (soft-DTW's table boundary) divided by a number: its tangent is zero,
/// not `0 * inf` (a NaN Hessian-vector product; the gradient was right).
#[grad(modes(hvp))]
fn scaled_infinity(x: &[f64; 2]) -> f64 {
    let r = [f64::INFINITY, x[0]];
    let a = -r[0] / 0.5;
    (a.exp() + x[1]) * x[1] * (r[0] * 0.5).min(x[0])
}

#[test]
fn the_guard_is_taken_where_the_value_is_singular() {
    assert_eq!(safe_norm_grad(&[0.0, 0.0]), (0.0, [0.0, 0.0]));
    assert_eq!(root_or_line_grad(-1.0), (-0.5, 0.5));
    assert_eq!(cosine_of_angle_grad(0.0, 0.0), (0.0, (0.0, 0.0)));
    assert_eq!(entropy_term_grad(0.0), (0.0, 0.0));
    assert_eq!(softplus_guarded_grad(1000.0), (1000.0, 1.0));
    // w^2 / (w b) where b != 0: its slope is 1 / b; `inv` is infinite where b = 0.
    let (value, d_w) = relative_changes_grad(&[1.0, 2.0, 3.0], &[2.0, 0.0, 4.0]);
    assert_eq!((value, d_w), (1.25, [0.5, 0.0, 0.25]));
    assert_eq!(root_or_zero_f32_grad(-4.0), (0.0, 0.0));
    assert_eq!(log_or_zero_grad(0.0f64), (0.0, 0.0));
    assert_eq!(log_or_zero_grad(0.0f32), (0.0, 0.0));
    assert_eq!(some_roots_grad(&[0.0, 1.0, 4.0]), (7.0, [0.0, 4.5, 1.25]));
    let (value, gradient, hv) = some_roots_hvp(&[0.0, 1.0, 4.0], &[1.0, 0.0, 0.0]);
    assert_eq!((value, gradient, hv), (7.0, [0.0, 4.5, 1.25], [0.0; 3]));
    // x1^2 x0: gradient [x1^2, 2 x0 x1], Hessian [[0, 2 x1], [2 x1, 2 x0]]
    let (value, gradient, hv) = scaled_infinity_hvp(&[0.3, 1.2], &[1.0, 1.0]);
    assert!((value - 0.432).abs() < 1e-15);
    assert!((gradient[0] - 1.44).abs() < 1e-15 && (gradient[1] - 0.72).abs() < 1e-15);
    assert!((hv[0] - 2.4).abs() < 1e-15 && (hv[1] - 3.0).abs() < 1e-15);
}

#[test]
fn tangents_and_hessian_products_at_the_guard() {
    assert_eq!(safe_norm_tangent(&[0.0, 0.0], &[1.0, 0.0]).0, 0.0);
    let (value, gradient, hv) = safe_norm_hvp(&[0.0, 0.0], &[1.0, 0.0]);
    assert_eq!((value, gradient, hv), (0.0, [0.0, 0.0], [0.0, 0.0]));
    assert_eq!(root_or_line_tangent(-1.0, 1.0), (-0.5, 0.5));
    assert_eq!(root_or_line_hvp(-1.0, 1.0), (-0.5, 0.5, 0.0));
    assert_eq!(
        cosine_of_angle_hvp(0.0, 0.0, 1.0, 1.0),
        (0.0, (0.0, 0.0), (0.0, 0.0))
    );
    assert_eq!(entropy_term_hvp(0.0, 1.0), (0.0, 0.0, 0.0));
    assert_eq!(softplus_guarded_hvp(1000.0, 1.0), (1000.0, 1.0, 0.0));
}

#[test]
fn away_from_the_guard_the_gradient_is_the_functions() {
    let mut rng = Rng::new(41);
    for _ in 0..50 {
        let x = [rng.uniform(-3.0, 3.0), rng.uniform(-3.0, 3.0)];
        assert_matches_fd(
            &|v| safe_norm(&[v[0], v[1]]),
            &x,
            &safe_norm_grad(&x).1,
            "norm",
        );
        let (_, (a, b)) = cosine_of_angle_grad(x[0], x[1]);
        assert_matches_fd(&|v| cosine_of_angle(v[0], v[1]), &x, &[a, b], "cosine");
        let p = rng.uniform(0.05, 3.0);
        let (_, g) = entropy_term_grad(p);
        assert_matches_fd(&|v| entropy_term(v[0]), &[p], &[g], "entropy");
        let (_, g) = root_or_line_grad(p);
        assert_matches_fd(&|v| root_or_line(v[0]), &[p], &[g], "root");
        let z = rng.uniform(-5.0, 25.0);
        let (_, g) = softplus_guarded_grad(z);
        assert_matches_fd(&|v| softplus_guarded(v[0]), &[z], &[g], "softplus");
        let (_, g, hv) = softplus_guarded_hvp(z, 1.0);
        let sigmoid = 1.0 / (1.0 + (-z).exp());
        assert!((g - sigmoid).abs() < 1e-12 && (hv - sigmoid * (1.0 - sigmoid)).abs() < 1e-12);
        let w = [
            rng.uniform(0.5, 2.0),
            rng.uniform(0.5, 2.0),
            rng.uniform(0.5, 2.0),
        ];
        let base = [rng.uniform(0.5, 2.0), 0.0, rng.uniform(-2.0, -0.5)];
        let (_, d_w) = relative_changes_grad(&w, &base);
        let f = |v: &[f64]| relative_changes(&[v[0], v[1], v[2]], &base);
        assert_matches_fd(&f, &w, &d_w, "relative");
    }
}
