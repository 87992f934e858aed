//! A chain of springs in the plane: interleaved coordinates, `chunks(2)` zipped with itself
//! shifted, lengths by `hypot`.

use crate::check::Case;
use autodiff::{grad, Const};

/// E = Σ ½ k (|p_{i+1} - p_i| - L)², points stored as x₀, y₀, x₁, y₁, ...
#[grad(pos)]
pub fn spring_chain(pos: &[f64], k: f64, rest: f64) -> f64 {
    pos.chunks(2)
        .zip(pos.chunks(2).skip(1))
        .map(|(a, b)| {
            let len = (b[0] - a[0]).hypot(b[1] - a[1]);
            0.5 * k * (len - rest).powi(2)
        })
        .sum()
}

const K: f64 = 3.0;
const REST: f64 = 0.8;

fn hand(p: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; p.len()];
    for i in 0..p.len() / 2 - 1 {
        let (dx, dy) = (p[2 * i + 2] - p[2 * i], p[2 * i + 3] - p[2 * i + 1]);
        let len = (dx * dx + dy * dy).sqrt();
        let f = K * (len - REST) / len;
        g[2 * i] -= f * dx;
        g[2 * i + 1] -= f * dy;
        g[2 * i + 2] += f * dx;
        g[2 * i + 3] += f * dy;
    }
    g
}

fn case() -> Case {
    Case::new("spring_chain", 10, -2.0, 2.0)
}

#[test]
fn reference() {
    case().reference(|p| spring_chain(p, K, REST), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| spring_chain(p, K, REST),
        hand,
        |p| spring_chain_grad(p, K, REST),
        |p, d, acc| spring_chain_adjoint(p, K, REST, d, acc, Const, Const),
    );
}
