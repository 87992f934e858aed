//! Lennard-Jones energy of a four-atom cluster: nested pair loops over `&[[f64; 3]; 4]`, the
//! squared distance by a `zip` chain.

use crate::check::Case;
use autodiff::grad;

/// Well depth and zero-crossing distance (reduced units).
const EPSILON: f64 = 1.0;
const SIGMA: f64 = 1.0;

/// E = Σ_{i<j} 4ε ((σ/r)¹² - (σ/r)⁶)
#[grad]
pub fn lennard_jones(pos: &[[f64; 3]; 4]) -> f64 {
    let mut energy = 0.0;
    for i in 0..pos.len() {
        for j in (i + 1)..pos.len() {
            let r2: f64 = pos[i]
                .iter()
                .zip(&pos[j])
                .map(|(a, b)| (a - b).powi(2))
                .sum();
            let s6 = (SIGMA * SIGMA / r2).powi(3);
            energy += 4.0 * EPSILON * (s6 * s6 - s6);
        }
    }
    energy
}

fn unflatten(p: &[f64]) -> [[f64; 3]; 4] {
    let mut pos = [[0.0; 3]; 4];
    for (k, v) in p.iter().enumerate() {
        pos[k / 3][k % 3] = *v;
    }
    pos
}

fn hand(p: &[f64]) -> Vec<f64> {
    let pos = unflatten(p);
    let mut g = vec![0.0; 12];
    for i in 0..4 {
        for j in (i + 1)..4 {
            let r2: f64 = (0..3).map(|k| (pos[i][k] - pos[j][k]).powi(2)).sum();
            let s6 = (SIGMA * SIGMA / r2).powi(3);
            let de_dr2 = -12.0 * EPSILON * (2.0 * s6 * s6 - s6) / r2;
            for k in 0..3 {
                let d = 2.0 * (pos[i][k] - pos[j][k]) * de_dr2;
                g[3 * i + k] += d;
                g[3 * j + k] -= d;
            }
        }
    }
    g
}

/// Atoms near the corners of a tetrahedron-like cell, jittered.
fn case() -> Case {
    let base = [
        [0.0, 0.0, 0.0],
        [1.1, 0.0, 0.0],
        [0.0, 1.1, 0.0],
        [0.0, 0.0, 1.1],
    ];
    let ranges: Vec<(f64, f64)> = base.iter().flatten().map(|&c| (c - 0.1, c + 0.1)).collect();
    Case::ranges("lennard_jones", &ranges)
}

#[test]
fn reference() {
    case().reference(|p| lennard_jones(&unflatten(p)), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| lennard_jones(&unflatten(p)),
        hand,
        |p| {
            let (v, g) = lennard_jones_grad(&unflatten(p));
            (v, g.iter().flatten().copied().collect())
        },
        |p, d, acc| {
            let mut d_pos = unflatten(acc);
            let v = lennard_jones_adjoint(&unflatten(p), d, &mut d_pos);
            acc.copy_from_slice(d_pos.as_flattened());
            v
        },
    );
}
