//! A reverse loop adds the adjoints of its reads `a[base + c * i + k]` into a part of `a`'s
//! shadow taken before the loop (`SliceShadow::part`, `reverse/views.rs`), as its reads go
//! through a view: no bounds check per add. The part borrows the shadow while the loop runs,
//! so it is taken only where nothing else in the loop touches that shadow. These functions
//! put parts beside what must keep them out (a call taking the array, a second base, a nested
//! loop reading the array, a write), in runs of loops reversed as one, on local arrays,
//! model fields and dual numbers; every gradient is checked against central finite
//! differences, and the shadows the user passes (slices, fixed arrays, `Const`) all work.

#![allow(clippy::needless_range_loop)] // flat indexing is what is tested
mod common;

use autodiff::{grad, Const, Params};
use common::{assert_close, assert_matches_fd, Rng};

#[grad]
fn weighted_sum(v: &[f64], s: f64) -> f64 {
    let mut t = 0.0;
    for i in 0..v.len() {
        t += v[i] * s;
    }
    t
}

/// Row `r` of a flat `k x d` matrix, centered by a row of `m` and weighted by a row of `q`
/// (a local array): loops over the row reversed as one, each reading its own offsets.
#[grad(x, m, q0)]
fn centered_rows(x: &[f64], m: &[f64], q0: &[f64], d: usize) -> f64 {
    let k = m.len() / d;
    let q: Vec<f64> = q0.iter().map(|v| v.exp()).collect();
    let mut c = vec![0.0; d];
    let mut total = 0.0;
    for r in 0..k {
        for i in 0..d {
            c[i] = x[i] - m[r * d + i];
        }
        let mut s = 0.0;
        for i in 0..d {
            s += q[r * d + i] * c[i] * c[i] + m[r * d + i];
        }
        total += s.ln_1p();
    }
    total
}

/// Reads of one array at two bases, beside a call that takes another array whole, beside a
/// nested loop that reads a third: only the first kind gets a part.
#[grad]
fn mixed_reads(w: &[f64], u: &[f64], v: &[f64], d: usize) -> f64 {
    let mut total = 0.0;
    for r in 0..w.len() / (2 * d) {
        let mut s = 0.0;
        for i in 0..d {
            s = 0.5 * s + w[r * d + i] * w[d + i].sin() + u[r + i] * weighted_sum(u, s);
            for j in 0..2 {
                s += 0.25 * v[i + j] * v[r + i];
            }
        }
        total += s.tanh();
    }
    total
}

/// Offsets 0, 1 and 2 of a stride-3 layout in one loop, and offset 1 in the loop after it.
#[grad]
fn triples(x: &[f64], lo: usize) -> f64 {
    let n = x.len() / 3;
    let mut s = 0.0;
    let mut t = 0.0;
    for i in lo..n {
        s = s * 0.5 + x[3 * i] * x[3 * i + 2] - x[3 * i + 1].cos();
    }
    for i in lo..n {
        t += x[3 * i + 1] * s;
    }
    s + t
}

#[derive(Clone, Params)]
struct Layer {
    w: Vec<f64>,
    inner: Inner,
}

#[derive(Clone, Params)]
struct Inner {
    b: Vec<f64>,
}

/// A model's field read at offsets (its shadow is a local), and a nested model's (a
/// projection, added into in place).
#[grad(layer)]
fn layer_rows(layer: &Layer, x: &[f64]) -> f64 {
    let d = x.len();
    let mut total = 0.0;
    for r in 0..layer.w.len() / d {
        let mut z = layer.inner.b[r];
        for i in 0..d {
            z = z * 0.75 + layer.w[r * d + i] * x[i] + layer.inner.b[r + i] * 0.5;
        }
        total += z.tanh();
    }
    total
}

/// On dual numbers too (`modes(hvp)`).
#[grad(modes(hvp))]
fn curved_rows(w: &[f64], d: usize) -> f64 {
    let mut total = 0.0;
    for r in 0..w.len() / d {
        let mut s = 0.0;
        for i in 0..d {
            s = s * w[r * d + i].cos() + w[r * d + i] * w[r * d + i];
        }
        total += s.sin();
    }
    total
}

#[test]
fn adds_through_parts_match_finite_differences() {
    let mut rng = Rng::new(97);
    for (k, d) in [(1, 1), (3, 2), (4, 5)] {
        let x = rng.vec(d, -1.0, 1.0);
        let m = rng.vec(k * d, -1.0, 1.0);
        let q0 = rng.vec(k * d, -0.5, 0.5);
        let (_, (d_x, d_m, d_q0)) = centered_rows_grad(&x, &m, &q0, d);
        let p = [&x[..], &m[..], &q0[..]].concat();
        let f = |p: &[f64]| centered_rows(&p[..d], &p[d..d + k * d], &p[d + k * d..], d);
        assert_matches_fd(&f, &p, &[d_x, d_m, d_q0].concat(), "centered_rows");
    }
    for d in [1, 2, 3] {
        let (w, u, v) = (
            rng.vec(6 * d, -1.0, 1.0),
            rng.vec(4 * d, -1.0, 1.0),
            rng.vec(4 * d, -1.0, 1.0),
        );
        let (_, (d_w, d_u, d_v)) = mixed_reads_grad(&w, &u, &v, d);
        let p = [&w[..], &u[..], &v[..]].concat();
        let (nw, nu) = (w.len(), u.len());
        let f = |p: &[f64]| mixed_reads(&p[..nw], &p[nw..nw + nu], &p[nw + nu..], d);
        assert_matches_fd(&f, &p, &[d_w, d_u, d_v].concat(), "mixed_reads");
    }
    let x = rng.vec(13, -1.5, 1.5);
    for lo in [0, 1, 3, 4, 7] {
        let (_, g) = triples_grad(&x, lo);
        assert_matches_fd(&|x| triples(x, lo), &x, &g, "triples");
    }
    let w = rng.vec(12, -1.0, 1.0);
    for d in [1, 3, 4] {
        let (_, g) = curved_rows_grad(&w, d);
        assert_matches_fd(&|w| curved_rows(w, d), &w, &g, "curved_rows");
    }
}

#[test]
fn model_fields_get_their_parts() {
    let mut rng = Rng::new(98);
    let x = rng.vec(3, -1.0, 1.0);
    let layer = Layer {
        w: rng.vec(6, -1.0, 1.0),
        inner: Inner {
            b: rng.vec(5, -1.0, 1.0),
        },
    };
    let (_, g) = layer_rows_grad(&layer, &x);
    let p = [&layer.w[..], &layer.inner.b[..]].concat();
    let f = |p: &[f64]| {
        let l = Layer {
            w: p[..6].to_vec(),
            inner: Inner { b: p[6..].to_vec() },
        };
        layer_rows(&l, &x)
    };
    assert_matches_fd(&f, &p, &[&g.w[..], &g.inner.b[..]].concat(), "layer_rows");
}

/// The adjoint adds into what it is given: a fixed array, a slice, or nothing (`Const`).
#[test]
fn any_shadow_takes_a_part() {
    let w = [0.5, -0.25, 1.5, 0.75, -1.0, 0.25];
    let (_, g) = curved_rows_grad(&w, 3);
    let mut fixed = [1.0; 6];
    curved_rows_adjoint(&w, 3, 1.0, &mut fixed);
    let mut slice = [1.0; 6];
    curved_rows_adjoint(&w, 3, 1.0, &mut slice[..]);
    for i in 0..6 {
        assert_close(fixed[i], 1.0 + g[i], 1e-12);
        assert_close(slice[i], 1.0 + g[i], 1e-12);
    }
    let value = curved_rows_adjoint(&w, 3, 1.0, Const);
    assert_close(value, curved_rows(&w, 3), 1e-15);
}

#[test]
fn hessian_vector_products_through_parts() {
    let w = [0.5, -0.25, 1.5, 0.75, -1.0, 0.25];
    let v = [0.25, 1.0, -0.5, 0.75, 0.5, -1.0];
    let (_, _, hv) = curved_rows_hvp(&w, 3, &v);
    // Central differences of the gradient along v.
    let h = 1e-5;
    let at = |t: f64| {
        let p: Vec<f64> = w.iter().zip(&v).map(|(a, b)| a + t * b).collect();
        curved_rows_grad(&p, 3).1
    };
    let (plus, minus) = (at(h), at(-h));
    for i in 0..6 {
        assert_close(hv[i], (plus[i] - minus[i]) / (2.0 * h), 1e-6);
    }
}

#[test]
fn a_loop_that_does_not_run_takes_no_part() {
    let x = [0.5, -0.25, 2.0];
    assert_eq!(triples_grad(&x, 5), triples_grad(&x, 1));
    assert_eq!(triples_grad(&x, 1).1, vec![0.0; 3]);
}
