//! Lagrangian of a chain of coupled oscillators between two walls: generic
//! `Float + FromPrimitive + Sum`, `windows(2)`, `#[grad(q, qdot)]`.

use crate::check::Case;
use autodiff::{grad, Const};
use num_traits::{Float, FromPrimitive};
use std::iter::Sum;

/// L = Σ ½ m q̇_i² - Σ ½ k (q_{i+1} - q_i)² - ½ k (q₀² + q_{n-1}²)
#[grad(q, qdot)]
pub fn oscillator_lagrangian<T: Float + FromPrimitive + Sum>(q: &[T], qdot: &[T], m: T, k: T) -> T {
    let half = T::from_f64(0.5).unwrap();
    let kinetic: T = qdot.iter().map(|&v| half * m * v * v).sum();
    let springs: T = q.windows(2).map(|w| half * k * (w[1] - w[0]).powi(2)).sum();
    let walls = half * k * (q[0].powi(2) + q[q.len() - 1].powi(2));
    kinetic - springs - walls
}

const N: usize = 4;
const M: f64 = 2.0;
const K: f64 = 5.0;

fn hand(p: &[f64]) -> Vec<f64> {
    let (q, v) = p.split_at(N);
    let mut g = vec![0.0; 2 * N];
    for i in 0..N {
        let mut d = 0.0;
        if i > 0 {
            d -= K * (q[i] - q[i - 1]);
        }
        if i + 1 < N {
            d += K * (q[i + 1] - q[i]);
        }
        if i == 0 || i == N - 1 {
            d -= K * q[i];
        }
        g[i] = d;
        g[N + i] = M * v[i];
    }
    g
}

fn value(p: &[f64]) -> f64 {
    oscillator_lagrangian(&p[..N], &p[N..], M, K)
}

fn case() -> Case {
    Case::new("oscillator_lagrangian", 2 * N, -1.0, 1.0)
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
            let (v, (mut g, g_dot)) = oscillator_lagrangian_grad(&p[..N], &p[N..], M, K);
            g.extend(g_dot);
            (v, g)
        },
        |p, d, acc| {
            let (d_q, d_qdot) = acc.split_at_mut(N);
            oscillator_lagrangian_adjoint(&p[..N], &p[N..], M, K, d, d_q, d_qdot, Const, Const)
        },
    );
}

#[test]
fn generated_f32() {
    case().generated_f32(hand, |p| {
        let (v, (mut g, g_dot)) = oscillator_lagrangian_grad(&p[..N], &p[N..], M as f32, K as f32);
        g.extend(g_dot);
        (v, g)
    });
}

#[test]
fn generated_velocities_only() {
    let active: Vec<bool> = (0..2 * N).map(|i| i >= N).collect();
    case().partially_active(hand, &active, |p, d, acc| {
        oscillator_lagrangian_adjoint(
            &p[..N],
            &p[N..],
            M,
            K,
            d,
            Const,
            &mut acc[N..],
            Const,
            Const,
        )
    });
}
