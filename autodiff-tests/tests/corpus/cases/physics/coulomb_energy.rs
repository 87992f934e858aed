//! Softened Coulomb energy of four point charges in the plane: a const charge table zipped
//! with positions, sub-slices `pos[i + 1..]`.

use crate::check::Case;
use autodiff::grad;

const CHARGES: [f64; 4] = [1.0, -1.0, 1.0, -1.0];
const SOFTENING: f64 = 1e-3;

/// E = Σ_{i<j} q_i q_j / sqrt(|r_i - r_j|² + s²)
#[grad]
pub fn coulomb_energy(pos: &[[f64; 2]; 4]) -> f64 {
    let mut e = 0.0;
    for (i, (a, qa)) in pos.iter().zip(&CHARGES).enumerate() {
        for (b, qb) in pos[i + 1..].iter().zip(&CHARGES[i + 1..]) {
            let r = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + SOFTENING * SOFTENING).sqrt();
            e += qa * qb / r;
        }
    }
    e
}

fn unflatten(p: &[f64]) -> [[f64; 2]; 4] {
    [[p[0], p[1]], [p[2], p[3]], [p[4], p[5]], [p[6], p[7]]]
}

fn hand(p: &[f64]) -> Vec<f64> {
    let pos = unflatten(p);
    let mut g = vec![0.0; 8];
    for i in 0..4 {
        for j in (i + 1)..4 {
            let d = [pos[i][0] - pos[j][0], pos[i][1] - pos[j][1]];
            let r2 = d[0] * d[0] + d[1] * d[1] + SOFTENING * SOFTENING;
            let f = -CHARGES[i] * CHARGES[j] / r2.powf(1.5);
            for k in 0..2 {
                g[2 * i + k] += f * d[k];
                g[2 * j + k] -= f * d[k];
            }
        }
    }
    g
}

fn case() -> Case {
    Case::new("coulomb_energy", 8, -2.0, 2.0)
}

#[test]
fn reference() {
    case().reference(|p| coulomb_energy(&unflatten(p)), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| coulomb_energy(&unflatten(p)),
        hand,
        |p| {
            let (v, g) = coulomb_energy_grad(&unflatten(p));
            (v, g.iter().flatten().copied().collect())
        },
        |p, d, acc| {
            let mut d_pos = unflatten(acc);
            let v = coulomb_energy_adjoint(&unflatten(p), d, &mut d_pos);
            acc.copy_from_slice(d_pos.as_flattened());
            v
        },
    );
}
