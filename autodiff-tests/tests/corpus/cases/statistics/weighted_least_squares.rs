//! Weighted least squares over rows `&[[f64; 3]]`: a triple `zip` and an inner dot product.

use crate::check::Case;
use crate::common::Rng;
use autodiff::{grad, Const};

/// Σ w_i (y_i - x_i·β)²
#[grad(beta)]
pub fn weighted_least_squares(beta: &[f64; 3], x: &[[f64; 3]], y: &[f64], w: &[f64]) -> f64 {
    x.iter()
        .zip(y)
        .zip(w)
        .map(|((row, &yi), &wi)| {
            let pred: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
            wi * (yi - pred).powi(2)
        })
        .sum()
}

struct Data {
    x: Vec<[f64; 3]>,
    y: Vec<f64>,
    w: Vec<f64>,
}

fn data() -> Data {
    let mut rng = Rng::new(23);
    let x = (0..8)
        .map(|_| [1.0, rng.uniform(-2.0, 2.0), rng.uniform(-2.0, 2.0)])
        .collect();
    Data {
        x,
        y: rng.vec(8, -3.0, 3.0),
        w: rng.vec(8, 0.1, 2.0),
    }
}

fn hand(beta: &[f64]) -> Vec<f64> {
    let Data { x, y, w } = data();
    let mut g = vec![0.0; 3];
    for i in 0..x.len() {
        let r = y[i] - (0..3).map(|j| x[i][j] * beta[j]).sum::<f64>();
        for j in 0..3 {
            g[j] -= 2.0 * w[i] * r * x[i][j];
        }
    }
    g
}

fn value(b: &[f64]) -> f64 {
    let Data { x, y, w } = data();
    weighted_least_squares(&[b[0], b[1], b[2]], &x, &y, &w)
}

fn case() -> Case {
    Case::new("weighted_least_squares", 3, -2.0, 2.0)
}

#[test]
fn reference() {
    case().reference(value, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        value,
        hand,
        |b| {
            let Data { x, y, w } = data();
            let (v, g) = weighted_least_squares_grad(&[b[0], b[1], b[2]], &x, &y, &w);
            (v, g.to_vec())
        },
        |b, d, acc| {
            let Data { x, y, w } = data();
            let acc = <&mut [f64; 3]>::try_from(acc).unwrap();
            // `x: &[[f64; 3]]` (a slice of rows) is outside the contract's shadow table: the
            // macro treats it as data and gives it no shadow; `y` and `w` get `Const`.
            weighted_least_squares_adjoint(&[b[0], b[1], b[2]], &x, &y, &w, d, acc, Const, Const)
        },
    );
}
