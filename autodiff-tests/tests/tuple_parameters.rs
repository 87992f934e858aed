//! Tuples of numbers as parameters (`p: (f64, f64)`, `q: &(f64, f64, f64)`), as geometry and
//! physics code passes points: read by field (`p.0`) and by pattern (`let (x, y) = p;`),
//! passed on whole (`dist(a, b)`) or built at the call (`dist((x[i], y[i]), q)`). The
//! gradient of a tuple is a tuple of its type; its shadow is `&mut (f64, f64)` (or `Const`),
//! its tangent and direction `&(f64, f64)`.

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
