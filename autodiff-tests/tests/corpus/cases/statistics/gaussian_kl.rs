//! KL(N(μ, e^{lv}) ‖ N(0, 1)) as in a variational autoencoder: two parameters zipped.

use crate::check::Case;
use autodiff::{grad, Const};

/// -½ Σ (1 + lv_i - μ_i² - e^{lv_i})
#[grad]
pub fn gaussian_kl(mu: &[f64], log_var: &[f64]) -> f64 {
    -0.5 * mu
        .iter()
        .zip(log_var)
        .map(|(&m, &lv)| 1.0 + lv - m * m - lv.exp())
        .sum::<f64>()
}

const N: usize = 4;

fn hand(p: &[f64]) -> Vec<f64> {
    let (mu, lv) = p.split_at(N);
    mu.iter()
        .copied()
        .chain(lv.iter().map(|v| -0.5 * (1.0 - v.exp())))
        .collect()
}

fn case() -> Case {
    Case::new("gaussian_kl", 2 * N, -2.0, 2.0)
}

#[test]
fn reference() {
    case().reference(|p| gaussian_kl(&p[..N], &p[N..]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| gaussian_kl(&p[..N], &p[N..]),
        hand,
        |p| {
            let (v, (mut g_mu, g_lv)) = gaussian_kl_grad(&p[..N], &p[N..]);
            g_mu.extend(g_lv);
            (v, g_mu)
        },
        |p, d, acc| {
            let (d_mu, d_lv) = acc.split_at_mut(N);
            gaussian_kl_adjoint(&p[..N], &p[N..], d, d_mu, d_lv)
        },
    );
}

#[test]
fn generated_log_var_only() {
    let active: Vec<bool> = (0..2 * N).map(|i| i >= N).collect();
    case().partially_active(hand, &active, |p, d, acc| {
        gaussian_kl_adjoint(&p[..N], &p[N..], d, Const, &mut acc[N..])
    });
}
