//! Shadows lent to calls: a slice or matrix parameter's shadow goes to the callee's adjoint as
//! a reborrow of what it refers to (`SliceShadow::lend`, `MatrixShadow::lend`), a local
//! array's adjoint as a slice; the caller adds into the same shadows before and after the
//! call, in loops. Checked against central finite differences, and with `Const` shadows.

#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated
mod common;

use autodiff::{grad, Const};
use common::{assert_close, assert_matches_fd, Rng};

#[grad]
fn weighted(w: &[f64], m: &[[f64; 2]; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += (w[i] * m[i][0] - m[i][1]).sin();
    }
    s
}

#[grad]
fn norm(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i];
    }
    s.sqrt()
}

#[grad]
fn caller(w: &[f64], m: &[[f64; 2]; 3]) -> f64 {
    let mut scratch = vec![0.0; w.len()];
    let mut before = 0.0;
    for i in 0..w.len() {
        scratch[i] = w[i] * m[i % 3][1];
        before += w[i] * w[i] * m[i % 3][0];
    }
    let middle = weighted(w, m) * norm(&scratch);
    let mut after = 0.0;
    for i in 0..w.len() {
        after += (w[i] + m[i % 3][1] * scratch[i]).cos();
    }
    before * middle + after
}

#[test]
fn shadows_lent_to_calls_match_finite_differences() {
    let mut rng = Rng::new(41);
    for n in [3, 5] {
        let w = rng.vec(n, -1.0, 1.0);
        let entries = rng.vec(6, -1.0, 1.0);
        let m: [[f64; 2]; 3] = std::array::from_fn(|r| [entries[2 * r], entries[2 * r + 1]]);
        let (value, (d_w, d_m)) = caller_grad(&w, &m);
        let flat: Vec<f64> = w.iter().chain(m.iter().flatten()).copied().collect();
        let unflatten = |p: &[f64]| {
            let mut m = [[0.0; 2]; 3];
            for (k, v) in p[n..].iter().enumerate() {
                m[k / 2][k % 2] = *v;
            }
            m
        };
        let f = |p: &[f64]| caller(&p[..n], &unflatten(p));
        let analytic: Vec<f64> = d_w.iter().chain(d_m.iter().flatten()).copied().collect();
        assert_matches_fd(&f, &flat, &analytic, "caller");

        // Const for one shadow leaves the other's gradient as it was.
        let mut only_w = vec![0.0; n];
        let same = caller_adjoint(&w, &m, 1.0, &mut only_w[..], Const);
        assert_eq!(same, value);
        for (a, b) in only_w.iter().zip(&d_w) {
            assert_close(*a, *b, 1e-15);
        }
    }
}
