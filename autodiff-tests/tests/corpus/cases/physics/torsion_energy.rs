//! Torsional energy of a chain of dihedral angles: each difference wrapped into [-π, π)
//! with `rem_euclid` before its harmonic term, as molecular-mechanics codes write it.

use crate::check::Case;
use autodiff::{grad, Const};
use std::f64::consts::PI;

/// E = Σ ½ k wrap(θ_{i+1} - θ_i - φ)², wrap(a) = (a + π) mod 2π - π.
#[grad(theta)]
pub fn torsion_energy(theta: &[f64], k: f64, phase: f64) -> f64 {
    theta
        .windows(2)
        .map(|w| {
            let d = (w[1] - w[0] - phase + PI).rem_euclid(2.0 * PI) - PI;
            0.5 * k * d * d
        })
        .sum()
}

const K: f64 = 1.5;
const PHASE: f64 = 0.4;

fn hand(p: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; p.len()];
    for i in 0..p.len() - 1 {
        let mut d = p[i + 1] - p[i] - PHASE;
        while d >= PI {
            d -= 2.0 * PI;
        }
        while d < -PI {
            d += 2.0 * PI;
        }
        g[i] -= K * d;
        g[i + 1] += K * d;
    }
    g
}

fn case() -> Case {
    // Differences up to 8 > 2π: every pair may wrap once.
    Case::new("torsion_energy", 8, -4.0, 4.0)
}

#[test]
fn reference() {
    case().reference(|p| torsion_energy(p, K, PHASE), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| torsion_energy(p, K, PHASE),
        hand,
        |p| torsion_energy_grad(p, K, PHASE),
        |p, d, acc| torsion_energy_adjoint(p, K, PHASE, d, acc, Const, Const),
    );
}
