//! A data parameter of rows (`xs: &[[f64; 4]]`, `&[Vec<f64>]`, `&Vec<[f64; 2]>`: a sample per
//! row) was passed through as an opaque value: its rows were copied out by value (E0308 where
//! a call takes `&[f64]`), and a row lent to a differentiated call got no shadow (E0061). Such
//! a parameter is data rows now, read and lent like a data struct's matrix field. Found by the
//! probe of the issue-10 session (a least-squares loss over samples, the usual training loop).
use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
pub struct Model {
    pub w: [f64; 4],
    pub b: f64,
}

#[grad]
fn predict(model: &Model, x: &[f64; 4]) -> f64 {
    let mut z = model.b;
    for i in 0..4 {
        z += model.w[i] * x[i];
    }
    z
}

#[grad]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

fn argmax(v: &[f64]) -> usize {
    let mut k = 0;
    for i in 1..v.len() {
        if v[i] > v[k] {
            k = i;
        }
    }
    k
}

#[grad(model)]
fn squared_error(model: &Model, xs: &[[f64; 4]], ys: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        s += (predict(model, x) - y).powi(2);
    }
    s / xs.len() as f64
}

#[grad(model)]
fn weighted_by_largest(model: &Model, xs: &[[f64; 4]]) -> f64 {
    let mut s = 0.0;
    for x in xs {
        let k = argmax(x);
        s += predict(model, x) * x[k];
    }
    s
}

#[grad(w)]
fn indexed_rows(w: &[f64], rows: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for i in 0..rows.len() {
        s += dot(w, &rows[i]) * rows[i][0];
    }
    s
}

#[grad(a)]
fn pairs(a: f64, points: &Vec<[f64; 2]>) -> f64 {
    let mut s = 0.0;
    for (i, p) in points.iter().enumerate() {
        s += a * p[0] * p[1] + i as f64;
    }
    s
}

fn main() {
    let m = Model {
        w: [1.0, 2.0, 3.0, 4.0],
        b: 0.5,
    };
    let xs = [[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0]];
    // ((5.5 - 1)^2 + (2.5 - 2)^2) / 2
    let (value, d_m) = squared_error_grad(&m, &xs, &[1.0, 2.0]);
    assert_eq!(value, 10.25);
    assert_eq!(d_m.w, [4.5, 0.5, 0.0, 4.5]);
    assert_eq!(d_m.b, 5.0);

    // 5.5 * 1 + 2.5 * 1
    let (value, d_m) = weighted_by_largest_grad(&m, &xs);
    assert_eq!(value, 8.0);
    assert_eq!(d_m.w, [1.0, 1.0, 0.0, 1.0]);
    assert_eq!(d_m.b, 2.0);

    let rows = vec![vec![2.0, 1.0], vec![3.0, -1.0]];
    // (2 w0 + w1) 2 + (3 w0 - w1) 3
    let (value, d_w) = indexed_rows_grad(&[1.0, 1.0], &rows);
    assert_eq!(value, 12.0);
    assert_eq!(d_w, vec![13.0, -1.0]);

    // a (1 * 2 + 3 * 4) + 0 + 1
    let (value, d_a) = pairs_grad(2.0, &vec![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!((value, d_a), (29.0, 14.0));
}
