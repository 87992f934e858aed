//! Logistic-regression negative log-likelihood: rows by `chunks(d)`, a stable softplus branch.

use crate::check::Case;
use crate::common::Rng;
use autodiff::{grad, Const};

/// mean of ln(1 + e^{z_i}) - y_i z_i, z_i = x_i·w + b
#[grad(w, b)]
pub fn logistic_nll(w: &[f64], b: f64, x: &[f64], y: &[f64]) -> f64 {
    let d = w.len();
    x.chunks(d)
        .zip(y)
        .map(|(row, &yi)| {
            let z = row.iter().zip(w).map(|(xi, wi)| xi * wi).sum::<f64>() + b;
            let softplus = if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            };
            softplus - yi * z
        })
        .sum::<f64>()
        / y.len() as f64
}

const D: usize = 3;

fn data() -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(29);
    let x = rng.vec(6 * D, -2.0, 2.0);
    let y = (0..6)
        .map(|_| (rng.next_f64() < 0.5) as u8 as f64)
        .collect();
    (x, y)
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (w, b) = (&p[..D], p[D]);
    let (x, y) = data();
    let n = y.len() as f64;
    let mut g = vec![0.0; D + 1];
    for (row, yi) in x.chunks(D).zip(&y) {
        let z = row.iter().zip(w).map(|(a, c)| a * c).sum::<f64>() + b;
        let r = (1.0 / (1.0 + (-z).exp()) - yi) / n;
        for j in 0..D {
            g[j] += r * row[j];
        }
        g[D] += r;
    }
    g
}

fn value(p: &[f64]) -> f64 {
    let (x, y) = data();
    logistic_nll(&p[..D], p[D], &x, &y)
}

fn case() -> Case {
    Case::new("logistic_nll", D + 1, -2.0, 2.0)
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
        |p| {
            let (x, y) = data();
            let (v, (mut g, d_b)) = logistic_nll_grad(&p[..D], p[D], &x, &y);
            g.push(d_b);
            (v, g)
        },
        |p, d, acc| {
            let (x, y) = data();
            let (d_w, d_b) = acc.split_at_mut(D);
            logistic_nll_adjoint(&p[..D], p[D], &x, &y, d, d_w, &mut d_b[0], Const, Const)
        },
    );
}

#[test]
fn generated_bias_only() {
    let active: Vec<bool> = (0..=D).map(|i| i == D).collect();
    case().partially_active(hand, &active, |p, d, acc| {
        let (x, y) = data();
        logistic_nll_adjoint(&p[..D], p[D], &x, &y, d, Const, &mut acc[D], Const, Const)
    });
}
