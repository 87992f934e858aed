//! Tuples of numbers as parameters (`p: (f64, f64)`, `q: &(f64, f64, f64)`), as geometry and
//! physics code passes points: read by field (`p.0`) and by pattern (`let (x, y) = p;`),
//! passed on whole (`dist(a, b)`) or built at the call (`dist((x[i], y[i]), q)`). The
//! gradient of a tuple is a tuple of its type; its shadow is `&mut (f64, f64)` (or `Const`),
//! its tangent and direction `&(f64, f64)`. A call's tuple result goes on whole to a
//! function that takes a tuple (`det(diff(b, a), diff(c, a))`), and so do the points of a data
//! slice (`dist(p, sites[i])`, `for &q in sites`, `for &(x, y) in sites`); `modes(jacobian)`
//! gives a row of tuples per output. A parameter may take its tuple apart where it is
//! declared (`(x, y): (f64, f64)`) or be changed (`mut p: (f64, f64)`, `p = rotate(p, a);`,
//! a call's tuple assigned to a tuple local) (the tuple probe).

// Index loops as the probed code wrote them; tangents and directions by reference, as the
// README gives them (a tuple by value is one too).
#![allow(clippy::needless_range_loop, clippy::needless_borrows_for_generic_args)]

use autodiff::{grad, Const};

#[grad(modes(tangent, hvp))]
fn dist(p: (f64, f64), q: &(f64, f64)) -> f64 {
    let (x0, y0) = p;
    ((q.0 - x0).powi(2) + (q.1 - y0).powi(2)).sqrt()
}

/// The perimeter of a triangle, its corners passed on whole.
#[grad(modes(tangent, hvp))]
fn perimeter(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    dist(a, &b) + dist(b, &c) + dist(c, &a)
}

/// The length of a polyline, its points built at each call.
#[grad]
fn path_length(xs: &[f64], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 1..xs.len() {
        total += dist((xs[i - 1], ys[i - 1]), &(xs[i], ys[i]));
    }
    total
}

/// A weighted triple product, a tuple local built from a reference and a value.
#[grad]
fn weighted_cross(a: &(f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    let c = (
        a.1 * b.2 - a.2 * b.1,
        a.2 * b.0 - a.0 * b.2,
        a.0 * b.1 - a.1 * b.0,
    );
    c.0 + 2.0 * c.1 + 3.0 * c.2
}

fn unit(p: (f64, f64), q: (f64, f64)) -> (f64, f64) {
    let r = ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2)).sqrt();
    ((p.0 - q.0) / r, (p.1 - q.1) / r)
}

#[test]
fn a_tuple_gradient_is_a_tuple() {
    let (p, q) = ((0.5, -1.0), (3.0, 2.5));
    let (value, (d_p, d_q)) = dist_grad(p, &q);
    assert_eq!(value, dist(p, &q));
    let u = unit(p, q);
    assert!((d_p.0 - u.0).abs() < 1e-15 && (d_p.1 - u.1).abs() < 1e-15);
    assert!((d_q.0 + u.0).abs() < 1e-15 && (d_q.1 + u.1).abs() < 1e-15);
}

#[test]
fn a_tuple_shadow_accumulates() {
    let (p, q) = ((0.0, 0.0), (3.0, 4.0));
    let mut d_p = (1.0, -1.0);
    let value = dist_adjoint(p, &q, 2.0, &mut d_p, Const);
    assert_eq!(value, 5.0);
    assert!((d_p.0 - (1.0 - 1.2)).abs() < 1e-15);
    assert!((d_p.1 - (-1.0 - 1.6)).abs() < 1e-15);
}

#[test]
fn tuples_passed_on_whole_get_their_callees_gradients() {
    let (a, b, c) = ((0.0, 0.0), (3.0, 0.0), (0.0, 4.0));
    let (value, (d_a, d_b, d_c)) = perimeter_grad(a, b, c);
    assert_eq!(value, 12.0);
    // Each corner: the unit vectors from its two neighbours.
    let add = |u: (f64, f64), v: (f64, f64)| (u.0 + v.0, u.1 + v.1);
    let close =
        |u: (f64, f64), v: (f64, f64)| (u.0 - v.0).abs() < 1e-15 && (u.1 - v.1).abs() < 1e-15;
    assert!(close(d_a, add(unit(a, b), unit(a, c))));
    assert!(close(d_b, add(unit(b, a), unit(b, c))));
    assert!(close(d_c, add(unit(c, a), unit(c, b))));
}

#[test]
fn tuples_built_at_the_call_add_into_their_numbers() {
    let (xs, ys) = ([0.0, 1.0, 2.0, 2.5], [0.0, 1.0, 0.0, 0.5]);
    let (value, (d_xs, d_ys)) = path_length_grad(&xs, &ys);
    assert!((value - path_length(&xs, &ys)).abs() < 1e-15);
    let h = 1e-6;
    for i in 0..xs.len() {
        let mut up = xs;
        let mut down = xs;
        up[i] += h;
        down[i] -= h;
        let fd = (path_length(&up, &ys) - path_length(&down, &ys)) / (2.0 * h);
        assert!((d_xs[i] - fd).abs() < 1e-8, "x {i}: {} {fd}", d_xs[i]);
        let mut up = ys;
        let mut down = ys;
        up[i] += h;
        down[i] -= h;
        let fd = (path_length(&xs, &up) - path_length(&xs, &down)) / (2.0 * h);
        assert!((d_ys[i] - fd).abs() < 1e-8, "y {i}: {} {fd}", d_ys[i]);
    }
}

#[test]
fn a_tuple_by_reference_and_a_tuple_local() {
    let (a, b) = ((1.0, 2.0, 3.0), (0.5, -1.0, 2.0));
    let (value, (d_a, d_b)) = weighted_cross_grad(&a, b);
    assert_eq!(value, weighted_cross(&a, b));
    // w . (a x b) = a . (b x w) = b . (w x a), w = (1, 2, 3)
    let w = (1.0, 2.0, 3.0);
    let cross = |u: (f64, f64, f64), v: (f64, f64, f64)| {
        (
            u.1 * v.2 - u.2 * v.1,
            u.2 * v.0 - u.0 * v.2,
            u.0 * v.1 - u.1 * v.0,
        )
    };
    assert_eq!(d_a, cross(b, w));
    assert_eq!(d_b, cross(w, a));
}

#[test]
fn tuples_have_tangents_and_hessian_vector_products() {
    let (p, q) = ((0.0, 0.0), (3.0, 4.0));
    let (value, t) = dist_tangent(p, &q, &(1.0, 0.0), Const);
    assert_eq!(value, 5.0);
    assert!((t + 0.6).abs() < 1e-15);
    // Hessian of |p - q| in p: (I - u u^T) / r.
    let (_, _, (hv_p, hv_q)) = dist_hvp(p, &q, &(1.0, 0.0), &(0.0, 0.0));
    assert!((hv_p.0 - 0.128).abs() < 1e-15 && (hv_p.1 + 0.096).abs() < 1e-15);
    assert!((hv_q.0 + 0.128).abs() < 1e-15 && (hv_q.1 - 0.096).abs() < 1e-15);
    // Through calls: the corner `a` moved along x.
    let (a, b, c) = ((0.0, 0.0), (3.0, 0.0), (0.0, 4.0));
    let (_, t) = perimeter_tangent(a, b, c, &(1.0, 0.0), Const, Const);
    let (_, (d_a, _, _)) = perimeter_grad(a, b, c);
    assert!((t - d_a.0).abs() < 1e-15);
    let (_, _, (hv_a, hv_b, hv_c)) = perimeter_hvp(a, b, c, &(1.0, 0.0), &(0.0, 0.0), &(0.0, 0.0));
    assert!((hv_a.0 - 0.25).abs() < 1e-15 && hv_a.1.abs() < 1e-15);
    assert!(hv_b.0.abs() < 1e-15 && hv_b.1.abs() < 1e-15);
    assert!((hv_c.0 + 0.25).abs() < 1e-15 && hv_c.1.abs() < 1e-15);
}

#[grad(modes(tangent, hvp))]
fn diff(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 - b.0, a.1 - b.1)
}

#[grad(modes(tangent, hvp))]
fn det(a: (f64, f64), b: (f64, f64)) -> f64 {
    a.0 * b.1 - a.1 * b.0
}

/// Twice the signed area of a triangle, the calls' tuples handed on whole.
#[grad(modes(tangent, hvp))]
fn det3(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    det(diff(b, a), diff(c, a))
}

/// The same through locals.
#[grad]
fn det3_bound(a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    let u = diff(b, a);
    let v = diff(c, a);
    det(u, v)
}

#[test]
fn a_calls_tuple_goes_on_whole() {
    let (a, b, c) = ((0.5, -0.25), (2.0, 0.5), (1.0, 3.0));
    let (value, (d_a, d_b, d_c)) = det3_grad(a, b, c);
    assert_eq!(value, det3(a, b, c));
    assert_eq!(det3_bound_grad(a, b, c), (value, (d_a, d_b, d_c)));
    // det(u, v) with u = b - a, v = c - a: d/du = (v.1, -v.0), d/dv = (-u.1, u.0).
    let (u, v) = (diff(b, a), diff(c, a));
    assert_eq!(d_b, (v.1, -v.0));
    assert_eq!(d_c, (-u.1, u.0));
    assert_eq!(d_a, (-d_b.0 - d_c.0, -d_b.1 - d_c.1));
    let (_, t) = det3_tangent(a, b, c, &(1.0, 2.0), Const, Const);
    assert!((t - (d_a.0 + 2.0 * d_a.1)).abs() < 1e-15);
    // Bilinear: moving `a` along x turns the gradient in `b` by (0, 1) - (0, 0), in `c` by
    // (0, -1).
    let (_, _, (hv_a, hv_b, hv_c)) = det3_hvp(a, b, c, &(1.0, 0.0), &(0.0, 0.0), &(0.0, 0.0));
    assert_eq!((hv_a, hv_b, hv_c), ((0.0, 0.0), (0.0, 1.0), (0.0, -1.0)));
}

#[grad(p)]
fn to_sites_indexed(p: (f64, f64), sites: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for i in 0..sites.len() {
        s += dist(p, &sites[i]);
    }
    s
}

#[grad(p)]
fn to_sites_items(p: (f64, f64), sites: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for &q in sites {
        s += dist(p, &q);
    }
    s
}

#[grad(p)]
fn to_sites_parts(p: (f64, f64), sites: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for &(x, y) in sites {
        s += dist(p, &(x, y));
    }
    s
}

#[grad(p)]
fn to_sites_typed(p: (f64, f64), sites: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for i in 0..sites.len() {
        let q: (f64, f64) = sites[i];
        s += dist(p, &q);
    }
    s
}

#[test]
fn points_of_a_data_slice_go_to_tuple_parameters() {
    let p = (0.5, 0.5);
    let sites = [(0.0, 0.0), (1.0, 2.0), (-1.0, 0.25)];
    let expected: (f64, f64) = sites.iter().fold((0.0, 0.0), |acc, &q| {
        let u = unit(p, q);
        (acc.0 + u.0, acc.1 + u.1)
    });
    for f in [
        to_sites_indexed_grad,
        to_sites_items_grad,
        to_sites_parts_grad,
        to_sites_typed_grad,
    ] {
        let (value, d_p) = f(p, &sites);
        assert!((value - to_sites_items(p, &sites)).abs() < 1e-15);
        assert!((d_p.0 - expected.0).abs() < 1e-15 && (d_p.1 - expected.1).abs() < 1e-15);
    }
}

const L1: f64 = 0.5;
const L2: f64 = 0.75;

/// A two-link arm's hand (AxBench's forwardk2j, the angles as a tuple).
#[grad(modes(jacobian))]
fn forward_kinematics(theta: (f64, f64)) -> (f64, f64) {
    let (theta1, theta2) = theta;
    (
        L1 * theta1.cos() + L2 * (theta1 + theta2).cos(),
        L1 * theta1.sin() + L2 * (theta1 + theta2).sin(),
    )
}

#[test]
fn a_jacobian_of_a_tuple_parameter_has_a_tuple_per_row() {
    let theta = (0.3, 0.4);
    let (value, j) = forward_kinematics_jacobian(theta);
    assert_eq!(value, forward_kinematics(theta));
    let (s1, s12) = (theta.0.sin(), (theta.0 + theta.1).sin());
    let (c1, c12) = (theta.0.cos(), (theta.0 + theta.1).cos());
    let expected = [
        (-L1 * s1 - L2 * s12, -L2 * s12),
        (L1 * c1 + L2 * c12, L2 * c12),
    ];
    for (row, want) in j.iter().zip(expected) {
        assert!((row.0 - want.0).abs() < 1e-15 && (row.1 - want.1).abs() < 1e-15);
    }
}

/// LukeEuler/imprint_of_light's `distance`, its points taken apart in the signature.
#[grad]
fn distance((p1x, p1y): (f64, f64), (p2x, p2y): (f64, f64)) -> f64 {
    ((p1x - p2x).powi(2) + (p1y - p2y).powi(2)).sqrt()
}

#[grad]
fn rotate(p: (f64, f64), a: f64) -> (f64, f64) {
    (p.0 * a.cos() - p.1 * a.sin(), p.0 * a.sin() + p.1 * a.cos())
}

/// A point turned back through a chain of joints, the parameter itself changed.
#[grad]
fn unwind(mut p: (f64, f64), angles: &[f64]) -> f64 {
    for &a in angles {
        p = rotate(p, -a);
    }
    p.0 + 2.0 * p.1
}

/// The same with a copy.
#[grad]
fn unwind_copy(p0: (f64, f64), angles: &[f64]) -> f64 {
    let mut p = p0;
    for &a in angles {
        p = rotate(p, -a);
    }
    p.0 + 2.0 * p.1
}

#[test]
fn tuple_patterns_in_the_signature() {
    let (value, (d_a, d_b)) = distance_grad((0.0, 0.0), (3.0, 4.0));
    assert_eq!(value, 5.0);
    assert!((d_a.0 + 0.6).abs() < 1e-15 && (d_a.1 + 0.8).abs() < 1e-15);
    assert!((d_b.0 - 0.6).abs() < 1e-15 && (d_b.1 - 0.8).abs() < 1e-15);
}

#[test]
fn a_tuple_changed_by_the_calls_it_is_assigned() {
    let (p, angles) = ((1.0, 0.5), [0.1, 0.2, -0.4]);
    let theta: f64 = angles.iter().sum();
    for f in [unwind_grad, unwind_copy_grad] {
        let (value, (d_p, d_angles)) = f(p, &angles);
        assert!((value - unwind(p, &angles)).abs() < 1e-15);
        // p turned by -theta: (c p.0 + s p.1, -s p.0 + c p.1), read as x + 2 y.
        let (c, s) = (theta.cos(), theta.sin());
        assert!((d_p.0 - (c - 2.0 * s)).abs() < 1e-15);
        assert!((d_p.1 - (s + 2.0 * c)).abs() < 1e-15);
        let d_theta = -s * p.0 + c * p.1 + 2.0 * (-c * p.0 - s * p.1);
        for d in d_angles {
            assert!((d - d_theta).abs() < 1e-14, "{d} {d_theta}");
        }
    }
}
