//! The GMM objective in ADBench's C++ structure (microsoft/ADBench, `src/cpp/shared/gmm.h`),
//! beside the flat one of `autodiff-tests/tests/common/gmm.rs`: scratch buffers `xcentered`,
//! `qxcentered` and `main_term` reused per point, `sqnorm` and `log_sum_exp` helpers called on
//! them, the Wishart prior as a function of its own, and its constant through a Lanczos
//! `ln_gamma` that indexes a `const` table.
//!
//! Where ADBench passes a pointer into an array (`sqnorm(d, &Qdiags[ik * d])`,
//! `Qtimesx(.., &icf[ik * icf_sz + d], .., out)`), this is written inline: `#[grad]` takes no
//! sub-slices as arguments and no output parameters.
#![allow(clippy::needless_range_loop, clippy::too_many_arguments)]

use autodiff::grad;

use super::gmm::ADBENCH_PI;

/// Lanczos coefficients, g = 7.
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// ln Γ(x) for x >= 0.5 (Lanczos, g = 7).
#[grad]
pub fn ln_gamma(x: f64) -> f64 {
    let x = x - 1.0;
    let mut a = LANCZOS[0];
    for i in 1..9 {
        a += LANCZOS[i] / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// ln Γ_p(a), the multivariate log-gamma function.
#[grad]
pub fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    let mut out = 0.25 * (p * (p - 1)) as f64 * ADBENCH_PI.ln();
    for j in 1..=p {
        out += ln_gamma(a + 0.5 * (1 - j as i32) as f64);
    }
    out
}

/// Σ x_i², as ADBench's `sqnorm`.
#[grad]
pub fn sqnorm(x: &[f64]) -> f64 {
    let mut res = x[0] * x[0];
    for i in 1..x.len() {
        res += x[i] * x[i];
    }
    res
}

/// max x_i, as ADBench's `arr_max`.
#[grad]
pub fn arr_max(x: &[f64]) -> f64 {
    let mut m = x[0];
    for i in 1..x.len() {
        if m < x[i] {
            m = x[i];
        }
    }
    m
}

/// ln Σ exp(x_i), shifted by the max, as ADBench's `logsumexp`.
#[grad]
pub fn log_sum_exp(x: &[f64]) -> f64 {
    let mx = arr_max(x);
    let mut semx = 0.0;
    for i in 0..x.len() {
        semx += (x[i] - mx).exp();
    }
    semx.ln() + mx
}

/// The Wishart prior's hyperparameters (data).
#[derive(Clone, Copy, Debug)]
pub struct Wishart {
    pub gamma: f64,
    pub m: i32,
}

/// ADBench's `log_wishart_prior`: the Frobenius norms of the inverse Cholesky factors, the
/// log-determinants, and the normaliser C.
#[grad(sum_qs, qdiags, icf)]
pub fn log_wishart_prior(
    p: usize,
    k: usize,
    wishart: &Wishart,
    sum_qs: &[f64],
    qdiags: &[f64],
    icf: &[f64],
) -> f64 {
    let n = p as i32 + wishart.m + 1;
    let icf_sz = p * (p + 1) / 2;
    let c = n as f64 * p as f64 * (wishart.gamma.ln() - 0.5 * 2f64.ln())
        - log_gamma_distrib(0.5 * n as f64, p);
    let mut out = 0.0;
    for ik in 0..k {
        // sqnorm(p, &Qdiags[ik * p]) + sqnorm(icf_sz - p, &icf[ik * icf_sz + p])
        let mut frobenius = 0.0;
        for i in 0..p {
            frobenius += qdiags[ik * p + i] * qdiags[ik * p + i];
        }
        for i in p..icf_sz {
            frobenius += icf[ik * icf_sz + i] * icf[ik * icf_sz + i];
        }
        out += 0.5 * wishart.gamma * wishart.gamma * frobenius - wishart.m as f64 * sum_qs[ik];
    }
    out - k as f64 * c
}

/// ADBench's `gmm_objective`.
#[grad(alphas, means, icf)]
pub fn gmm_objective(
    d: usize,
    k: usize,
    n: usize,
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    wishart: &Wishart,
) -> f64 {
    let constant = -(n as f64) * d as f64 * 0.5 * (2.0 * ADBENCH_PI).ln();
    let icf_sz = d * (d + 1) / 2;

    let mut qdiags = vec![0.0; d * k];
    let mut sum_qs = vec![0.0; k];
    let mut xcentered = vec![0.0; d];
    let mut qxcentered = vec![0.0; d];
    let mut main_term = vec![0.0; k];

    // preprocess_qs
    for ik in 0..k {
        sum_qs[ik] = 0.0;
        for id in 0..d {
            let q = icf[ik * icf_sz + id];
            sum_qs[ik] += q;
            qdiags[ik * d + id] = q.exp();
        }
    }

    let mut slse = 0.0;
    for ix in 0..n {
        for ik in 0..k {
            // subtract(d, &x[ix * d], &means[ik * d], xcentered)
            for id in 0..d {
                xcentered[id] = x[ix * d + id] - means[ik * d + id];
            }
            // Qtimesx(d, &Qdiags[ik * d], &icf[ik * icf_sz + d], xcentered, qxcentered)
            for id in 0..d {
                qxcentered[id] = qdiags[ik * d + id] * xcentered[id];
            }
            let mut lparamsidx = ik * icf_sz + d;
            for i in 0..d {
                for j in i + 1..d {
                    qxcentered[j] += icf[lparamsidx] * xcentered[i];
                    lparamsidx += 1;
                }
            }
            main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sqnorm(&qxcentered);
        }
        slse += log_sum_exp(&main_term);
    }

    let lse_alphas = log_sum_exp(alphas);
    let err = constant + slse - n as f64 * lse_alphas;
    err + log_wishart_prior(d, k, wishart, &sum_qs, &qdiags, icf)
}
