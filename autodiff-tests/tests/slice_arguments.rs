//! Slices of arrays passed to calls (`dot(&x[..k], &x[k..])`, `norm(&w[i][1..])`): the callee
//! sees those elements, and its reverse (or tangent) sweep adds into theirs. Every gradient is
//! checked against central finite differences, the tangents against the gradients.

#![allow(clippy::needless_range_loop)]
mod common;

use autodiff::{grad, Params};
use common::{assert_close, assert_matches_fd, Rng};

#[grad(modes(tangent))]
fn sq_norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum()
}

#[grad(modes(tangent))]
fn dot(u: &[f64], v: &[f64]) -> f64 {
    u.iter().zip(v).map(|(a, b)| a * b).sum()
}

/// Interior and head of a parameter, and the two halves of it in one call.
#[grad(modes(tangent))]
fn halves(x: &[f64]) -> f64 {
    let n = x.len();
    let k = n / 2;
    sq_norm(&x[1..n - 1]) + sq_norm(&x[..2]).sin() + dot(&x[..k], &x[k..2 * k])
}

/// Overlapping windows in a loop, an inclusive range, and a view bound before the call.
#[grad]
fn windows_in_loop(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 2 {
        s += sq_norm(&x[i..i + 3]).sqrt();
    }
    let head = &x[..=1];
    s + dot(head, &x[1..3])
}

/// A slice of a local array, overwritten after the call (the call's reverse reads what it saw).
#[grad]
fn scratch_slice(x: &[f64]) -> f64 {
    let n = x.len();
    let mut h = vec![0.0; n];
    let mut s = 0.0;
    for r in 0..3 {
        for i in 0..n {
            h[i] = (x[i] * (r as f64 + 1.0)).tanh();
        }
        s += sq_norm(&h[1..]) * x[r];
    }
    s
}

/// Parts of rows of a matrix.
#[grad(modes(tangent))]
fn row_parts(w: &[[f64; 4]; 3], x: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += dot(&w[i][1..], &x[..3]) * w[i][0];
    }
    s
}

#[derive(Params, Clone)]
struct Taps {
    w: Vec<f64>,
    b: f64,
}

/// A slice of a model's field.
#[grad(modes(tangent))]
fn tapped(m: &Taps, x: &[f64]) -> f64 {
    let k = x.len();
    dot(&m.w[1..k + 1], x) + m.b * sq_norm(&m.w[..2])
}

#[test]
fn halves_match_finite_differences() {
    let mut rng = Rng::new(1);
    for n in [4, 5, 8] {
        let x = rng.vec(n, -2.0, 2.0);
        let (value, g) = halves_grad(&x);
        assert_eq!(value, halves(&x));
        assert_matches_fd(&|x| halves(x), &x, &g, "halves");
        // J v against the gradient: t = e_i for each i.
        for i in 0..n {
            let mut t = vec![0.0; n];
            t[i] = 1.0;
            let (_, jv) = halves_tangent(&x, &t[..]);
            assert_close(jv, g[i], 1e-12);
        }
    }
}

#[test]
fn windows_in_loop_match_finite_differences() {
    let mut rng = Rng::new(2);
    for n in [3, 4, 7] {
        let x = rng.vec(n, 0.5, 2.0);
        let (value, g) = windows_in_loop_grad(&x);
        assert_eq!(value, windows_in_loop(&x));
        assert_matches_fd(&|x| windows_in_loop(x), &x, &g, "windows_in_loop");
    }
}

#[test]
fn scratch_slice_matches_finite_differences() {
    let mut rng = Rng::new(3);
    let x = rng.vec(5, -1.0, 1.0);
    let (value, g) = scratch_slice_grad(&x);
    assert_eq!(value, scratch_slice(&x));
    assert_matches_fd(&|x| scratch_slice(x), &x, &g, "scratch_slice");
}

#[test]
fn row_parts_match_finite_differences() {
    let mut rng = Rng::new(4);
    let flat = rng.vec(16, -1.0, 1.0);
    let split = |v: &[f64]| -> ([[f64; 4]; 3], [f64; 4]) {
        let mut w = [[0.0; 4]; 3];
        for i in 0..12 {
            w[i / 4][i % 4] = v[i];
        }
        (w, [v[12], v[13], v[14], v[15]])
    };
    let (w, x) = split(&flat);
    let (value, (d_w, d_x)) = row_parts_grad(&w, &x);
    assert_eq!(value, row_parts(&w, &x));
    let mut g: Vec<f64> = d_w.iter().flatten().copied().collect();
    g.extend(d_x);
    assert_matches_fd(
        &|v| {
            let (w, x) = split(v);
            row_parts(&w, &x)
        },
        &flat,
        &g,
        "row_parts",
    );
    // Tangent along the gradient: J g = |g|^2.
    let (_, jv) = row_parts_tangent(&w, &x, &d_w, &d_x);
    assert_close(jv, g.iter().map(|v| v * v).sum(), 1e-10);
}

#[test]
fn model_field_slices_match_finite_differences() {
    let mut rng = Rng::new(5);
    let x = rng.vec(3, -1.0, 1.0);
    let flat = rng.vec(5, -1.0, 1.0);
    let model = |v: &[f64]| Taps {
        w: v[..4].to_vec(),
        b: v[4],
    };
    let m = model(&flat);
    let (value, (d_m, d_x)) = tapped_grad(&m, &x);
    assert_eq!(value, tapped(&m, &x));
    let mut g = d_m.w.clone();
    g.push(d_m.b);
    assert_matches_fd(&|v| tapped(&model(v), &x), &flat, &g, "tapped (model)");
    assert_matches_fd(&|x| tapped(&m, x), &x, &d_x, "tapped (x)");
    let (_, jv) = tapped_tangent(&m, &x, &d_m, &d_x[..]);
    let norm: f64 = g.iter().chain(&d_x).map(|v| v * v).sum();
    assert_close(jv, norm, 1e-10);
}

#[grad(modes(hvp))]
fn cubes(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a * a).sum()
}

/// Overlapping slices through the second-order mode.
#[grad(modes(hvp))]
fn cubic_halves(x: &[f64]) -> f64 {
    let n = x.len();
    cubes(&x[1..]) * cubes(&x[..n - 1])
}

#[test]
fn hessian_vector_products_through_slices_match_differences_of_gradients() {
    let mut rng = Rng::new(6);
    let x = rng.vec(5, -1.0, 1.0);
    let v = rng.vec(5, -1.0, 1.0);
    let (value, g, hv) = cubic_halves_hvp(&x, &v[..]);
    assert_eq!(value, cubic_halves(&x));
    assert_eq!(g, cubic_halves_grad(&x).1);
    let h = 1e-6;
    let moved = |s: f64| -> Vec<f64> {
        let p: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + s * h * b).collect();
        cubic_halves_grad(&p).1
    };
    let (plus, minus) = (moved(1.0), moved(-1.0));
    for i in 0..5 {
        assert_close(hv[i], (plus[i] - minus[i]) / (2.0 * h), 1e-6);
    }
}

#[grad(modes(hvp))]
fn dot_hvp(u: &[f64], v: &[f64]) -> f64 {
    u.iter().zip(v).map(|(a, b)| a * b).sum()
}

/// Ranges of data rows passed to a call: rows of a slice of `Vec`s and of fixed rows left out
/// of `#[grad(..)]` (`&xs[i][1..]`, `&row[1..]` of `for row in xs`); each takes a `Const`
/// shadow, a constant dual number in second order (were E0061 and E0308).
#[grad(w, modes(hvp))]
fn bias_first_rows(w: &[f64], xs: &[[f64; 3]]) -> f64 {
    let mut s = 0.0;
    for row in xs {
        let z = dot_hvp(w, &row[1..]) + row[0];
        s += z * z * z;
    }
    s
}

#[grad(w)]
fn bias_first_vecs(w: &[f64], xs: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for i in 0..xs.len() {
        let z = dot(w, &xs[i][1..]) + xs[i][0];
        s += z * z;
    }
    s
}

#[test]
fn ranges_of_data_rows_are_lent_as_data() {
    let w = [0.5, -0.3];
    let rows = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [-0.2, 0.4, 1.5]];
    let vecs: Vec<Vec<f64>> = rows.iter().map(|r| r.to_vec()).collect();
    let (value, g) = bias_first_vecs_grad(&w, &vecs);
    assert_eq!(value, bias_first_vecs(&w, &vecs));
    assert_matches_fd(&|w| bias_first_vecs(w, &vecs), &w, &g, "bias_first_vecs");
    let (value, g) = bias_first_rows_grad(&w, &rows);
    assert_eq!(value, bias_first_rows(&w, &rows));
    assert_matches_fd(&|w| bias_first_rows(w, &rows), &w, &g, "bias_first_rows");
    // H v = sum 6 z (r . v) r over the rows' tails r: against differences of gradients too.
    let v = [0.7, -1.1];
    let (_, g2, hv) = bias_first_rows_hvp(&w, &rows, &v[..]);
    assert_eq!(g2, g);
    let mut expected = [0.0; 2];
    for r in &rows {
        let z = w[0] * r[1] + w[1] * r[2] + r[0];
        let rv = r[1] * v[0] + r[2] * v[1];
        expected[0] += 6.0 * z * rv * r[1];
        expected[1] += 6.0 * z * rv * r[2];
    }
    for i in 0..2 {
        assert_close(hv[i], expected[i], 1e-12);
    }
}
