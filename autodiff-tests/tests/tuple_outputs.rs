//! Functions that return a tuple of floats (`-> (f64, f64)`): differentiated as returning the
//! array of them, their `_adjoint` takes the cotangent as a tuple (`d_out: (f64, f64)`), their
//! `_tangent` and `_jacobian` return the value (and the tangent) as tuples; callers take the
//! tuple apart (`let (r, theta) = polar(x, y);`, `let (a, ..) = ..`, `polar(x, y).0`, `p.1` of
//! `let p = polar(x, y);`), or return it on. Every probe of real code met such functions
//! (`to_polar`, `sin_cos`-like helpers, Peng-Robinson's parameters, a model's two heads).

use autodiff::grad;
use num_traits::Float;
use proptest::prelude::*;

#[grad(modes(tangent, jacobian, hvp))]
fn polar<T: Float>(x: T, y: T) -> (T, T) {
    let r = (x * x + y * y).sqrt();
    (r, y.atan2(x))
}

/// The hand-written Jacobian of `polar`: rows (r, theta), columns (x, y).
fn polar_jacobian_by_hand(x: f64, y: f64) -> [[f64; 2]; 2] {
    let r2 = x * x + y * y;
    let r = r2.sqrt();
    [[x / r, y / r], [-y / r2, x / r2]]
}

/// Early returns of tuples, one of them in a loop and one of a call's tuple.
#[grad]
fn first_large(x: &[f64], limit: f64) -> (f64, f64) {
    let mut s = 0.0;
    for &v in x {
        if v > limit {
            return polar(s, v);
        }
        s += v * v;
    }
    if s == 0.0 {
        return (0.0, 0.0);
    }
    (s, s.sqrt())
}

/// A tuple chosen by a branch, one side a call's.
#[grad]
fn chosen(x: f64, y: f64) -> (f64, f64, f64) {
    let (a, b) = if x > y { polar(x, y) } else { (x * y, x - y) };
    (a, b, a * b)
}

/// Every way a caller reads the tuple.
#[grad(modes(tangent, hvp))]
fn caller(p: &[f64; 2]) -> f64 {
    let (r, theta) = polar(p[0], p[1]);
    let (first, ..) = polar(p[1], p[0]);
    let q = polar(r, p[0]);
    r * theta.cos() + first * polar(theta, 1.5).1 + q.0 * q.1
}

fn caller_by_hand(p: &[f64; 2]) -> f64 {
    let (r, theta) = ((p[0] * p[0] + p[1] * p[1]).sqrt(), p[1].atan2(p[0]));
    let first = (p[0] * p[0] + p[1] * p[1]).sqrt();
    let (q0, q1) = ((r * r + p[0] * p[0]).sqrt(), p[0].atan2(r));
    r * theta.cos() + first * 1.5.atan2(theta) + q0 * q1
}

pub struct Heads {
    pub w: [f64; 2],
}

#[grad(x)]
impl Heads {
    /// A model's mean and log-scale heads (a mixture density network's).
    pub fn heads(&self, x: f64) -> (f64, f64) {
        (self.w[0] * x, (self.w[1] * x).tanh())
    }

    pub fn nll(&self, x: f64, y: f64) -> f64 {
        let (mu, log_sigma) = self.heads(x);
        let z = (y - mu) / log_sigma.exp();
        0.5 * z * z + log_sigma
    }
}

fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6 * x.abs().max(1.0);
    (f(x + h) - f(x - h)) / (2.0 * h)
}

#[test]
fn the_adjoint_takes_and_returns_tuples() {
    let (x, y) = (3.0, 4.0);
    let jacobian = polar_jacobian_by_hand(x, y);
    for (d_out, row) in [
        ((1.0, 0.0), [1.0, 0.0]),
        ((0.0, 1.0), [0.0, 1.0]),
        ((2.0, -3.0), [2.0, -3.0]),
    ] {
        let (mut d_x, mut d_y) = (0.0, 0.0);
        let value = polar_adjoint(x, y, d_out, &mut d_x, &mut d_y);
        assert_eq!(value, polar(x, y));
        let expected_x = row[0] * jacobian[0][0] + row[1] * jacobian[1][0];
        let expected_y = row[0] * jacobian[0][1] + row[1] * jacobian[1][1];
        assert!((d_x - expected_x).abs() < 1e-15 && (d_y - expected_y).abs() < 1e-15);
    }
}

#[test]
fn tangent_and_jacobian_give_tuples_and_rows() {
    let (x, y) = (-1.5, 0.5);
    let jacobian = polar_jacobian_by_hand(x, y);
    let (value, tangent) = polar_tangent(x, y, 1.0, 0.0);
    assert_eq!(value, polar(x, y));
    assert!((tangent.0 - jacobian[0][0]).abs() < 1e-15);
    assert!((tangent.1 - jacobian[1][0]).abs() < 1e-15);
    let (value, (j_x, j_y)) = polar_jacobian(x, y);
    assert_eq!(value, polar(x, y));
    for i in 0..2 {
        assert!((j_x[i] - jacobian[i][0]).abs() < 1e-15);
        assert!((j_y[i] - jacobian[i][1]).abs() < 1e-15);
    }
}

#[test]
fn callers_read_the_tuple_every_way() {
    let p = [0.7, -1.2];
    let (value, gradient) = caller_grad(&p);
    assert!((value - caller_by_hand(&p)).abs() < 1e-14);
    for k in 0..2 {
        let moved = |v: f64| {
            let mut q = p;
            q[k] = v;
            caller_by_hand(&q)
        };
        assert!((gradient[k] - central(moved, p[k])).abs() < 1e-7);
    }
    // Through dual numbers: the Hessian-vector product against differences of gradients.
    let direction = [0.3, 1.0];
    let (_, _, hv) = caller_hvp(&p, &direction);
    let h = 1e-5;
    let plus = caller_grad(&[p[0] + h * direction[0], p[1] + h * direction[1]]).1;
    let minus = caller_grad(&[p[0] - h * direction[0], p[1] - h * direction[1]]).1;
    for k in 0..2 {
        assert!((hv[k] - (plus[k] - minus[k]) / (2.0 * h)).abs() < 1e-6);
    }
    let (tangent_value, tangent) = caller_tangent(&p, &direction);
    assert_eq!(tangent_value, value);
    assert!((tangent - (gradient[0] * direction[0] + gradient[1] * direction[1])).abs() < 1e-13);
}

#[test]
fn a_method_returns_two_heads() {
    let m = Heads { w: [0.8, -0.4] };
    for (x, y) in [(0.5, 1.0), (-1.2, 0.3)] {
        let (value, d_x) = m.nll_grad(x, y);
        assert_eq!(value, m.nll(x, y));
        assert!((d_x - central(|v| m.nll(v, y), x)).abs() < 1e-7);
    }
}

fn weighted<const N: usize>(
    f: impl Fn(f64, f64) -> [f64; N],
    w: [f64; N],
) -> impl Fn(f64, f64) -> f64 {
    move |x, y| f(x, y).iter().zip(&w).map(|(a, b)| a * b).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn branches_and_early_returns_match_differences(
        x in -3.0f64..3.0, y in -3.0f64..3.0, w in prop::array::uniform3(-2.0f64..2.0),
        xs in prop::collection::vec(-3.0f64..3.0, 1..6), limit in 0.5f64..2.5,
    ) {
        // `chosen`'s vector-Jacobian product against central differences of `w . chosen`.
        let f = weighted(|x, y| { let (a, b, c) = chosen(x, y); [a, b, c] }, w);
        prop_assume!((x - y).abs() > 1e-3 && x.hypot(y) > 1e-3);
        let (mut d_x, mut d_y) = (0.0, 0.0);
        chosen_adjoint(x, y, (w[0], w[1], w[2]), &mut d_x, &mut d_y);
        prop_assert!((d_x - central(|v| f(v, y), x)).abs() < 1e-5 * (1.0 + d_x.abs()));
        prop_assert!((d_y - central(|v| f(x, v), y)).abs() < 1e-5 * (1.0 + d_y.abs()));

        // `first_large`'s, in the numbers and the limit (away from ties with it).
        prop_assume!(xs.iter().all(|v| (v - limit).abs() > 1e-3));
        let mut d_xs = vec![0.0; xs.len()];
        let mut d_limit = 0.0;
        let value = first_large_adjoint(&xs, limit, (w[0], w[1]), &mut d_xs[..], &mut d_limit);
        prop_assert_eq!(value, first_large(&xs, limit));
        let g = |xs: &[f64]| { let (a, b) = first_large(xs, limit); w[0] * a + w[1] * b };
        for k in 0..xs.len() {
            let moved = |v: f64| { let mut q = xs.clone(); q[k] = v; g(&q) };
            prop_assert!((d_xs[k] - central(moved, xs[k])).abs() < 1e-5 * (1.0 + d_xs[k].abs()));
        }
        prop_assert_eq!(d_limit, 0.0);
    }
}

/// A local bound to a call's tuple, returned early, chosen by a branch, or taken apart after
/// other statements: a tuple wherever it is read so (an early `return r;` gave zeros, value
/// and gradient, before the prescan saw it).
#[grad]
fn returned_local(x: f64, y: f64) -> (f64, f64) {
    let r = polar(x, y);
    if x > 1.0 {
        return r;
    }
    let s = polar(y, x);
    let q = 2.0 * x;
    let (a, b) = s;
    if x > 0.0 {
        r
    } else {
        (a * q, b)
    }
}

#[test]
fn locals_holding_a_calls_tuple_are_tuples() {
    for (x, y) in [(1.5, -0.5), (0.5, 0.7), (-0.8, 0.3)] {
        for w in [(1.0, 0.0), (0.0, 1.0), (0.7, -1.3)] {
            let (mut d_x, mut d_y) = (0.0, 0.0);
            let value = returned_local_adjoint(x, y, w, &mut d_x, &mut d_y);
            assert_eq!(value, returned_local(x, y));
            let f = |x: f64, y: f64| {
                let (a, b) = returned_local(x, y);
                w.0 * a + w.1 * b
            };
            assert!((d_x - central(|v| f(v, y), x)).abs() < 1e-7);
            assert!((d_y - central(|v| f(x, v), y)).abs() < 1e-7);
        }
    }
}

#[grad]
fn cart_to_spherical(x: f64, y: f64, z: f64) -> (f64, f64, f64) {
    (
        y.atan2(x),
        (x * x + y * y).sqrt().atan2(z),
        (x * x + y * y + z * z).sqrt(),
    )
}

/// Numbers named after a `..` are counted from the tuple's end.
#[grad]
fn azimuth_times_radius(x: f64, y: f64, z: f64) -> f64 {
    let (phi, .., r) = cart_to_spherical(x, y, z);
    let (.., again) = cart_to_spherical(z, y, x);
    phi * r + again
}

#[test]
fn a_rest_pattern_counts_the_last_numbers_from_the_end() {
    let (x, y, z) = (1.0, 2.0, 3.0);
    let (value, (d_x, _, d_z)) = azimuth_times_radius_grad(x, y, z);
    let r = (x * x + y * y + z * z).sqrt();
    let phi = y.atan2(x);
    assert!((value - (phi * r + r)).abs() < 1e-14);
    assert!((d_x - (-y / (x * x + y * y) * r + phi * x / r + x / r)).abs() < 1e-14);
    assert!((d_z - (phi * z / r + z / r)).abs() < 1e-14);
}

#[grad]
fn swapped(x: f64, y: f64) -> (f64, f64) {
    (y, x)
}

/// A tuple pattern over a branch of two calls' tuples.
#[grad]
fn picked(x: f64, y: f64) -> f64 {
    let (p0, p1) = if x > y { swapped(x, y) } else { polar(x, y) };
    p0 * 2.0 + p1 * p0
}

#[test]
fn a_pattern_takes_apart_either_call_s_tuple() {
    assert_eq!(picked_grad(2.0, 1.0), (4.0, (1.0, 4.0)));
    let (x, y) = (1.0, 2.0);
    let (value, (d_x, d_y)) = picked_grad(x, y);
    let f = |x: f64, y: f64| {
        let (r, t) = ((x * x + y * y).sqrt(), y.atan2(x));
        r * 2.0 + t * r
    };
    assert_eq!(value, f(x, y));
    assert!((d_x - central(|v| f(v, y), x)).abs() < 1e-7);
    assert!((d_y - central(|v| f(x, v), y)).abs() < 1e-7);
}

/// A local an `if` binds to either call's tuple (or one written out), read by its fields.
#[grad]
fn picked_fields(x: f64, y: f64) -> f64 {
    let p = if x > y { swapped(x, y) } else { polar(x, y) };
    let q = if x > 0.0 { swapped(x, y) } else { (x * y, x) };
    p.0 * 2.0 + p.1 * p.0 + q.1
}

#[test]
fn a_local_bound_to_a_branch_of_tuples_is_a_tuple() {
    let (value, (d_x, d_y)) = picked_fields_grad(2.0, 1.0);
    assert_eq!((value, d_x, d_y), (4.0 + 2.0, 1.0 + 1.0, 4.0));
    let (x, y) = (-1.0, 2.0);
    let (value, (d_x, d_y)) = picked_fields_grad(x, y);
    let f = |x: f64, y: f64| {
        let (r, t) = ((x * x + y * y).sqrt(), y.atan2(x));
        r * 2.0 + t * r + x
    };
    assert_eq!(value, f(x, y));
    assert!((d_x - central(|v| f(v, y), x)).abs() < 1e-7);
    assert!((d_y - central(|v| f(x, v), y)).abs() < 1e-7);
}
