//! The ADBench Gaussian mixture model objective, written as plain Rust with `#[grad]`, and
//! a loader for ADBench's input files (shared by tests/gmm.rs and benches/gradients.rs).
#![allow(dead_code, clippy::approx_constant, clippy::needless_range_loop)]

use autodiff::grad;

/// ADBench's C++ objective uses this value of pi.
pub const ADBENCH_PI: f64 = 3.14159265359;

pub struct GmmInput {
    pub d: usize,
    pub k: usize,
    pub n: usize,
    pub alphas: Vec<f64>,
    pub means: Vec<f64>,
    /// Per component: d log-diagonal entries, then the strict lower triangle by columns.
    pub icf: Vec<f64>,
    pub x: Vec<f64>,
    pub gamma: f64,
    pub m: i32,
}

/// Parses ADBench's format: `d k n`, k alphas, k means, k icf rows, n points, `gamma m`.
pub fn parse(text: &str) -> GmmInput {
    let mut nums = text.split_whitespace();
    let mut next = || nums.next().expect("truncated GMM file");
    let d: usize = next().parse().unwrap();
    let k: usize = next().parse().unwrap();
    let n: usize = next().parse().unwrap();
    let mut floats =
        |count: usize| -> Vec<f64> { (0..count).map(|_| next().parse::<f64>().unwrap()).collect() };
    let icf_size = d * (d + 1) / 2;
    let alphas = floats(k);
    let means = floats(k * d);
    let icf = floats(k * icf_size);
    let x = floats(n * d);
    let gamma = floats(1)[0];
    let m = floats(1)[0] as i32;
    GmmInput {
        d,
        k,
        n,
        alphas,
        means,
        icf,
        x,
        gamma,
        m,
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7): constant terms of the Wishart prior only.
pub fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
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
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The multivariate log-gamma function ln Γ_p(a).
pub fn log_gamma_distrib(a: f64, p: usize) -> f64 {
    let mut out = 0.25 * (p * (p - 1)) as f64 * ADBENCH_PI.ln();
    for j in 1..=p {
        out += ln_gamma(a + 0.5 * (1.0 - j as f64));
    }
    out
}

/// The negative log-likelihood of a GMM with a Wishart prior, as ADBench defines it.
#[grad(alphas, means, icf)]
#[allow(clippy::too_many_arguments)]
pub fn gmm_objective(
    d: usize,
    k: usize,
    n: usize,
    alphas: &[f64],
    means: &[f64],
    icf: &[f64],
    x: &[f64],
    gamma: f64,
    m: i32,
) -> f64 {
    let icf_size = d * (d + 1) / 2;
    // Diagonals of the inverse Cholesky factors, and their log-determinants.
    let mut q_diag = vec![0.0; k * d];
    let mut sum_qs = vec![0.0; k];
    for ik in 0..k {
        let mut s = 0.0;
        for j in 0..d {
            let q = icf[ik * icf_size + j];
            s += q;
            q_diag[ik * d + j] = q.exp();
        }
        sum_qs[ik] = s;
    }
    let mut slse = 0.0;
    let mut main_term = vec![0.0; k];
    let mut qx = vec![0.0; d];
    for ix in 0..n {
        for ik in 0..k {
            // qx = Q (x - mean), Q lower triangular.
            for i in 0..d {
                qx[i] = q_diag[ik * d + i] * (x[ix * d + i] - means[ik * d + i]);
            }
            let mut l = ik * icf_size + d;
            for i in 0..d {
                let centered = x[ix * d + i] - means[ik * d + i];
                for j in (i + 1)..d {
                    qx[j] += icf[l] * centered;
                    l += 1;
                }
            }
            let mut sq = 0.0;
            for i in 0..d {
                sq += qx[i] * qx[i];
            }
            main_term[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sq;
        }
        let mut mx = main_term[0];
        for ik in 1..k {
            mx = mx.max(main_term[ik]);
        }
        let mut se = 0.0;
        for ik in 0..k {
            se += (main_term[ik] - mx).exp();
        }
        slse += se.ln() + mx;
    }
    let mut amax = alphas[0];
    for ik in 1..k {
        amax = amax.max(alphas[ik]);
    }
    let mut asum = 0.0;
    for ik in 0..k {
        asum += (alphas[ik] - amax).exp();
    }
    let lse_alphas = asum.ln() + amax;
    // The Wishart prior.
    let mut prior = 0.0;
    for ik in 0..k {
        let mut frobenius = 0.0;
        for j in 0..d {
            frobenius += q_diag[ik * d + j] * q_diag[ik * d + j];
        }
        for j in d..icf_size {
            frobenius += icf[ik * icf_size + j] * icf[ik * icf_size + j];
        }
        prior += 0.5 * gamma * gamma * frobenius - (m as f64) * sum_qs[ik];
    }
    let dof = (d as f64) + (m as f64) + 1.0;
    let c = dof * (d as f64) * (gamma.ln() - 0.5 * 2.0f64.ln()) - log_gamma_distrib(0.5 * dof, d);
    let constant = -(n as f64) * (d as f64) * 0.5 * (2.0 * ADBENCH_PI).ln();
    constant + slse - (n as f64) * lse_alphas + prior - (k as f64) * c
}
