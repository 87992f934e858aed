//! Poisson regression negative log-likelihood: integer counts, an index loop with a range map.

use crate::check::Case;
use crate::common::Rng;
use autodiff::{grad, Const};

/// Σ e^{η_i} - y_i η_i, η_i = x_i·β (the ln y_i! term does not depend on β)
#[grad(beta)]
pub fn poisson_nll(beta: &[f64], x: &[f64], counts: &[u64]) -> f64 {
    let p = beta.len();
    let mut nll = 0.0;
    for (i, &y) in counts.iter().enumerate() {
        let eta: f64 = (0..p).map(|j| x[i * p + j] * beta[j]).sum();
        nll += eta.exp() - y as f64 * eta;
    }
    nll
}

const P: usize = 3;

fn data() -> (Vec<f64>, Vec<u64>) {
    let mut rng = Rng::new(31);
    let x = rng.vec(7 * P, -1.0, 1.0);
    let counts = (0..7).map(|_| rng.below(6) as u64).collect();
    (x, counts)
}

fn hand(beta: &[f64]) -> Vec<f64> {
    let (x, counts) = data();
    let mut g = vec![0.0; P];
    for (row, &y) in x.chunks(P).zip(&counts) {
        let eta: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
        for j in 0..P {
            g[j] += (eta.exp() - y as f64) * row[j];
        }
    }
    g
}

fn value(beta: &[f64]) -> f64 {
    let (x, counts) = data();
    poisson_nll(beta, &x, &counts)
}

fn case() -> Case {
    Case::new("poisson_nll", P, -1.0, 1.0)
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
        |beta| {
            let (x, counts) = data();
            poisson_nll_grad(beta, &x, &counts)
        },
        |beta, d, acc| {
            let (x, counts) = data();
            poisson_nll_adjoint(beta, &x, &counts, d, acc, Const)
        },
    );
}
