//! Vector outputs: `#[grad]` functions that return `[T; M]` or `Vec<T>` (their `_adjoint`
//! adds the vector-Jacobian product), and scalar functions that call them.
#![allow(clippy::needless_range_loop)] // index loops are what the layers read

use autodiff::{grad, Const};

/// The lecture's F: R^3 -> R^4.
#[grad(modes(tangent))]
fn lecture_f(x: &[f64; 3]) -> [f64; 4] {
    [
        x[0],
        5.0 * x[2],
        4.0 * x[1] * x[1] - 2.0 * x[2],
        x[2] * x[0].sin(),
    ]
}

#[test]
fn lecture_jacobian_rows_by_vjp() {
    let x = [1.0f64, 2.0, 3.0];
    let jacobian = [
        [1.0, 0.0, 0.0],
        [0.0, 0.0, 5.0],
        [0.0, 8.0 * x[1], -2.0],
        [x[2] * x[0].cos(), 0.0, x[0].sin()],
    ];
    for (i, row) in jacobian.iter().enumerate() {
        let mut e = [0.0; 4];
        e[i] = 1.0;
        let mut g = [0.0; 3];
        let value = lecture_f_adjoint(&x, &e, &mut g);
        assert_eq!(value, lecture_f(&x));
        for j in 0..3 {
            assert!(
                (g[j] - row[j]).abs() < 1e-12,
                "J[{i}][{j}] = {} vs {}",
                g[j],
                row[j]
            );
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, autodiff::Params)]
struct Dense {
    w: [[f64; 3]; 2],
    b: [f64; 2],
}

/// A layer: z = W x + b, tanh.
#[grad]
fn dense(l: &Dense, x: &[f64; 3]) -> [f64; 2] {
    let mut h = l.b;
    for j in 0..2 {
        for k in 0..3 {
            h[j] += l.w[j][k] * x[k];
        }
        h[j] = h[j].tanh();
    }
    h
}

#[grad]
fn scaled(x: &[f64], s: f64) -> Vec<f64> {
    x.iter().map(|v| v * s).collect()
}

#[grad(l)]
fn layer_loss(l: &Dense, x: &[f64; 3], y: f64) -> f64 {
    let h = dense(l, x);
    let v = scaled(&h, 2.0);
    (v[0] + h[1] - y).powi(2)
}

#[grad(l)]
fn batch_loss(l: &Dense, xs: &[[f64; 3]; 4]) -> f64 {
    let mut total = 0.0;
    for i in 0..4 {
        let h = dense(l, &xs[i]);
        total += h[0] * h[1];
    }
    total + dot2(&dense(l, &xs[0]))
}

#[grad]
fn dot2(h: &[f64; 2]) -> f64 {
    h[0] * h[0] + 3.0 * h[1]
}

fn layer() -> Dense {
    Dense {
        w: [[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]],
        b: [0.05, -0.1],
    }
}

fn check(f: impl Fn(&Dense) -> f64, g: &Dense) {
    let l = layer();
    let eps = 1e-6;
    for j in 0..2 {
        for k in 0..3 {
            let (mut p, mut m) = (l.clone(), l.clone());
            p.w[j][k] += eps;
            m.w[j][k] -= eps;
            let fd = (f(&p) - f(&m)) / (2.0 * eps);
            assert!(
                (fd - g.w[j][k]).abs() < 1e-7,
                "w[{j}][{k}]: {fd} vs {}",
                g.w[j][k]
            );
        }
        let (mut p, mut m) = (l.clone(), l.clone());
        p.b[j] += eps;
        m.b[j] -= eps;
        let fd = (f(&p) - f(&m)) / (2.0 * eps);
        assert!((fd - g.b[j]).abs() < 1e-7, "b[{j}]: {fd} vs {}", g.b[j]);
    }
}

#[test]
fn layers_compose_with_scalar_losses() {
    let x = [1.0, -2.0, 0.5];
    let (_, g) = layer_loss_grad(&layer(), &x, 0.3);
    check(|l| layer_loss(l, &x, 0.3), &g);
    let xs = [
        [1.0, -2.0, 0.5],
        [0.2, 0.1, -0.3],
        [2.0, 0.0, 1.0],
        [-1.0, 1.0, 1.0],
    ];
    let (_, g) = batch_loss_grad(&layer(), &xs);
    check(|l| batch_loss(l, &xs), &g);
}

#[test]
fn vec_output_adjoint_accumulates_and_checks_length() {
    let mut g = vec![0.0; 3];
    let mut s = 0.0;
    let v = scaled_adjoint(&[1.0, 2.0, 3.0], 2.0, &[1.0, 0.0, -1.0], &mut g[..], &mut s);
    assert_eq!(v, vec![2.0, 4.0, 6.0]);
    assert_eq!(g, vec![2.0, 0.0, -2.0]);
    assert_eq!(s, 1.0 - 3.0);
    let result = std::panic::catch_unwind(|| {
        scaled_adjoint(&[1.0, 2.0], 2.0, &[1.0], Const, Const);
    });
    assert!(result.is_err());
}

/// The lecture's F destructured at the call (`let [a, b, c, d] = lecture_f(x)`), twice, with
/// an array literal destructured beside it (`let [u, v] = [p, q]`).
#[grad(modes(tangent))]
fn destructured_outputs(x: &[f64; 3]) -> f64 {
    let [a, b, c, d] = lecture_f(x);
    let [u, v] = [a * b, c.sin()];
    let [e, _, _, f] = lecture_f(&[u, v, d]);
    u * v + e * f
}

#[test]
fn array_results_destructured_at_the_call() {
    let x = [0.5, -1.25, 0.75];
    let (value, g) = destructured_outputs_grad(&x);
    assert_eq!(value, destructured_outputs(&x));
    let h = 1e-6;
    for i in 0..3 {
        let (mut p, mut m) = (x, x);
        p[i] += h;
        m[i] -= h;
        let fd = (destructured_outputs(&p) - destructured_outputs(&m)) / (2.0 * h);
        assert!(
            (g[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
            "d/dx{i}: {} vs {fd}",
            g[i]
        );
        let mut t = [0.0; 3];
        t[i] = 1.0;
        let (_, jv) = destructured_outputs_tangent(&x, &t);
        assert!((jv - g[i]).abs() < 1e-12, "tangent {i}");
    }
    // F(x) = (x0, 5 x2, 4 x1^2 - 2 x2, x2 sin x0): u = 5 x0 x2, v = sin(4 x1^2 - 2 x2),
    // d = x2 sin x0; the second F at (u, v, d) gives e = u and f = d sin u.
    let u = 5.0 * x[0] * x[2];
    let v = (4.0 * x[1] * x[1] - 2.0 * x[2]).sin();
    let d = x[2] * x[0].sin();
    assert!((value - (u * v + u * d * u.sin())).abs() < 1e-12);
}

// ---- arrays returned by value and handed on whole (found by a probe of vector helpers) ----

#[grad(modes(tangent))]
fn sub3(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

#[grad(modes(tangent))]
fn norm3(a: [f64; 3]) -> f64 {
    (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt()
}

#[grad(modes(tangent))]
fn halves(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| 0.5 * v).collect()
}

#[grad(modes(tangent))]
fn total(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

/// A result bound to a name with its type.
#[grad(modes(tangent))]
fn typed_results(p: &[f64; 6]) -> f64 {
    let a = [p[0], p[1], p[2]];
    let b = [p[3], p[4], p[5]];
    let d: [f64; 3] = sub3(a, b);
    let h: Vec<f64> = halves(p);
    norm3(d) * total(&h)
}

#[test]
fn typed_array_results_are_handed_on_by_value() {
    let p = [1.0, 2.0, 3.0, 0.5, -1.0, 1.0];
    let (value, g) = typed_results_grad(&p);
    let (d, s): (f64, f64) = (
        ((0.5f64).powi(2) + 9.0 + 4.0).sqrt(),
        p.iter().map(|v| 0.25 * v * v).sum(),
    );
    assert!((value - d * s).abs() < 1e-12);
    // d/dp_i = (d_i / d) s (+ for a, - for b) + d 0.5 p_i.
    let diff = [0.5, 3.0, 2.0];
    for i in 0..6 {
        let sign = if i < 3 { 1.0 } else { -1.0 };
        let by_hand = sign * diff[i % 3] / d * s + d * 0.5 * p[i];
        assert!(
            (g[i] - by_hand).abs() < 1e-12,
            "d/dp{i}: {} vs {by_hand}",
            g[i]
        );
        let mut t = [0.0; 6];
        t[i] = 1.0;
        let (_, jv) = typed_results_tangent(&p, &t);
        assert!((jv - g[i]).abs() < 1e-12, "tangent {i}");
    }
}

#[grad(modes(tangent))]
fn cross3(a: &[f64; 3], b: &[f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

#[grad(modes(tangent))]
fn dot3_by_value(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Results only handed on whole, untyped (the macro does not see that `sub3` returns an
/// array): passed to one call, to two, twice to the same call, in nested loops and in the
/// branches of an `if`, each branch computing its own.
#[grad(modes(tangent))]
fn untyped_results(p: &[f64]) -> f64 {
    let r = [p[0], p[1], p[2]];
    let f = [p[3], p[4], p[5]];
    let t = cross3(&r, &f);
    let mut e = norm3(sub3(r, f)) + dot3_by_value(t, t) + dot3_by_value(sub3(f, r), t);
    for i in 0..2 {
        for j in (i + 1)..3 {
            let a = [p[i], p[j], 1.0];
            e += (norm3(sub3(a, r)) - 1.0).powi(2);
        }
    }
    if p[0] > 0.0 {
        let d = sub3(r, f);
        e += norm3(d) * 2.0;
    } else {
        e += norm3(sub3(f, r));
    }
    e
}

#[test]
fn untyped_array_results_handed_on_whole() {
    for first in [0.3, -0.3] {
        let p = [first, 2.0, 3.0, 0.5, -1.0, 1.0];
        let (value, g) = untyped_results_grad(&p);
        assert_eq!(value, untyped_results(&p));
        let h = 1e-6;
        for i in 0..6 {
            let (mut up, mut down) = (p, p);
            up[i] += h;
            down[i] -= h;
            let fd = (untyped_results(&up) - untyped_results(&down)) / (2.0 * h);
            assert!(
                (g[i] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                "d/dp{i}: {} vs {fd}",
                g[i]
            );
            let mut t = [0.0; 6];
            t[i] = 1.0;
            let (_, jv) = untyped_results_tangent(&p, &t);
            assert!((jv - g[i]).abs() < 1e-12, "tangent {i}");
        }
    }
}

// ----- a vector the function returns, pushed with a value bound first (probe) -----
// `let s = net.score(x); out.push(s);` over rows: the element type of `out` was not inferred
// (the pushed value is a method's result over data), so the push was rejected; the vector
// the function returns holds its floats.

#[derive(Clone, Debug, PartialEq, autodiff::Params)]
struct Bilinear {
    w: [f64; 2],
}

impl Bilinear {
    #[grad(self, x)]
    fn score(&self, x: &[f64; 2]) -> f64 {
        self.w[0] * x[0] * self.w[1] * x[1]
    }

    #[grad(self, x)]
    fn forward(&self, x: &[f64; 2]) -> [f64; 2] {
        [self.w[0] * x[0], self.w[1] * x[1]]
    }
}

#[grad(net)]
fn scores(net: &Bilinear, xs: &[[f64; 2]]) -> Vec<f64> {
    let mut out = Vec::with_capacity(xs.len());
    for x in xs {
        let s = net.score(x);
        out.push(s);
    }
    out
}

#[grad(net)]
fn summed_outputs(net: &Bilinear, xs: &[[f64; 2]]) -> Vec<f64> {
    let mut out = Vec::new();
    for i in 0..xs.len() {
        let o = net.forward(&xs[i]);
        out.push(o[0] + o[1]);
    }
    out
}

#[test]
fn pushed_values_bound_first() {
    let net = Bilinear { w: [0.5, 2.0] };
    let xs = [[1.0, 2.0], [3.0, -1.0]];
    assert_eq!(scores(&net, &xs), vec![2.0, -3.0]);
    // d/dw of sum_i w0 x0 w1 x1 and of sum_i w0 x0 + w1 x1, weighted by d_out
    let mut d = Bilinear { w: [0.0; 2] };
    scores_adjoint(&net, &xs, &[1.0, 2.0], &mut d);
    assert_eq!(
        d.w,
        [2.0 * 2.0 - 2.0 * (3.0 * 2.0), 0.5 * 2.0 - 2.0 * (0.5 * 3.0)]
    );
    let mut d = Bilinear { w: [0.0; 2] };
    summed_outputs_adjoint(&net, &xs, &[1.0, 2.0], &mut d);
    assert_eq!(d.w, [1.0 + 2.0 * 3.0, 2.0 - 2.0]);
}

#[grad]
fn six_features(x: f64) -> [f64; 6] {
    [x, 2.0 * x, x * x, x.sin(), x.cos(), 1.0]
}

#[grad]
fn total_of(v: &[f64]) -> f64 {
    v.iter().sum()
}

/// Slices of an array a call returned, lent to calls (taken for a matrix's rows once: a
/// probe of multi-head scores).
#[grad]
fn split_products(x: f64) -> f64 {
    let typed: [f64; 6] = six_features(x);
    let untyped = six_features(2.0 * x);
    total_of(&typed[..3]) * total_of(&typed[3..]) + total_of(&untyped[1..4])
}

#[test]
fn slices_of_call_results_are_lent() {
    for x in [-1.0, 0.3, 2.0] {
        let (_, d_x) = split_products_grad(x);
        let h = 1e-6;
        let numeric = (split_products(x + h) - split_products(x - h)) / (2.0 * h);
        assert!(
            (d_x - numeric).abs() < 1e-6 * (1.0 + numeric.abs()),
            "{d_x} vs {numeric}"
        );
    }
}

#[grad]
fn powers(x: f64) -> [f64; 3] {
    [x, 2.0 * x, x * x]
}

/// `.map` on a call's array whose length only the map's `let` states (a probe of NN code).
#[grad]
fn scaled_powers(x: f64, s: f64) -> f64 {
    let z = powers(x);
    let logits: [f64; 3] = z.map(|v| v * s);
    logits[0] + logits[2] * logits[1]
}

#[test]
fn maps_of_call_results_typed_by_their_let() {
    for (x, s) in [(0.5, 2.0), (-1.5, 0.3)] {
        let (_, (d_x, d_s)) = scaled_powers_grad(x, s);
        // s x + 2 s^2 x^3
        assert!((d_x - (s + 6.0 * s * s * x * x)).abs() < 1e-12);
        assert!((d_s - (x + 4.0 * s * x * x * x)).abs() < 1e-12);
    }
}
