//! Newtonian potential energy of five bodies: `zip(..).enumerate()` and `.skip(i + 1)` pairs,
//! SI gravitational constant, masses as data.

use crate::check::Case;
use crate::common::Rng;
use autodiff::{grad, Const};

const G: f64 = 6.674_30e-11;

/// U = -Σ_{i<j} G m_i m_j / |r_i - r_j|
#[grad(pos)]
pub fn gravitational_potential(pos: &[[f64; 3]; 5], mass: &[f64; 5]) -> f64 {
    let mut u = 0.0;
    for (i, (pi, mi)) in pos.iter().zip(mass).enumerate() {
        for (pj, mj) in pos.iter().zip(mass).skip(i + 1) {
            let r = pi
                .iter()
                .zip(pj)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt();
            u -= G * mi * mj / r;
        }
    }
    u
}

fn masses() -> [f64; 5] {
    let mut rng = Rng::new(41);
    [0; 5].map(|_| rng.uniform(1e5, 1e6))
}

fn unflatten(p: &[f64]) -> [[f64; 3]; 5] {
    let mut pos = [[0.0; 3]; 5];
    for (k, v) in p.iter().enumerate() {
        pos[k / 3][k % 3] = *v;
    }
    pos
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (pos, m) = (unflatten(p), masses());
    let mut g = vec![0.0; 15];
    for i in 0..5 {
        for j in 0..5 {
            if i != j {
                let r: f64 = (0..3)
                    .map(|k| (pos[i][k] - pos[j][k]).powi(2))
                    .sum::<f64>()
                    .sqrt();
                for k in 0..3 {
                    g[3 * i + k] += G * m[i] * m[j] * (pos[i][k] - pos[j][k]) / r.powi(3);
                }
            }
        }
    }
    g
}

fn case() -> Case {
    Case::new("gravitational_potential", 15, -5.0, 5.0)
}

#[test]
fn reference() {
    case().reference(|p| gravitational_potential(&unflatten(p), &masses()), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| gravitational_potential(&unflatten(p), &masses()),
        hand,
        |p| {
            let (v, g) = gravitational_potential_grad(&unflatten(p), &masses());
            (v, g.iter().flatten().copied().collect())
        },
        |p, d, acc| {
            let mut d_pos = unflatten(acc);
            let v = gravitational_potential_adjoint(&unflatten(p), &masses(), d, &mut d_pos, Const);
            acc.copy_from_slice(d_pos.as_flattened());
            v
        },
    );
}
