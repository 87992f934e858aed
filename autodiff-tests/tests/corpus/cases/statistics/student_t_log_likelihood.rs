//! Student-t log-likelihood: the normaliser calls a plain `ln_gamma` on the degrees of freedom
//! (data here: `#[grad(loc, scale)]`), the kernel is a `map(f64::ln_1p)` chain.

use crate::check::Case;
use crate::common::Rng;
use autodiff::{grad, Const};
use std::f64::consts::PI;

/// ln Γ(x) for x > 0 (Lanczos, g = 5): a helper from elsewhere in the crate, not differentiated.
fn ln_gamma(x: f64) -> f64 {
    const COEF: [f64; 6] = [
        76.180_091_729_471_46,
        -86.505_320_329_416_77,
        24.014_098_240_830_91,
        -1.231_739_572_450_155,
        0.120_865_097_386_617_9e-2,
        -0.539_523_938_495_3e-5,
    ];
    let tmp = x + 5.5;
    let series = COEF
        .iter()
        .enumerate()
        .fold(1.000_000_000_190_015, |s, (j, c)| {
            s + c / (x + 1.0 + j as f64)
        });
    (x + 0.5) * tmp.ln() - tmp + (2.506_628_274_631_000_5 * series / x).ln()
}

/// ℓ = n [ln Γ((ν+1)/2) - ln Γ(ν/2) - ½ ln(νπ) - ln s] - (ν+1)/2 Σ ln(1 + z_i²/ν)
#[grad(loc, scale)]
pub fn student_t_log_likelihood(data: &[f64], loc: f64, scale: f64, nu: f64) -> f64 {
    let n = data.len() as f64;
    let norm = ln_gamma((nu + 1.0) / 2.0) - ln_gamma(nu / 2.0) - 0.5 * (nu * PI).ln() - scale.ln();
    let kernel: f64 = data
        .iter()
        .map(|&x| ((x - loc) / scale).powi(2) / nu)
        .map(f64::ln_1p)
        .sum();
    n * norm - (nu + 1.0) / 2.0 * kernel
}

const NU: f64 = 3.5;

fn data() -> Vec<f64> {
    Rng::new(5).vec(6, -3.0, 3.0)
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (loc, scale) = (p[0], p[1]);
    let x = data();
    let n = x.len() as f64;
    let (mut d_loc, mut d_scale) = (0.0, -n / scale);
    for v in &x {
        let z = (v - loc) / scale;
        let w = (NU + 1.0) * z / (scale * (NU + z * z));
        d_loc += w;
        d_scale += w * z;
    }
    vec![d_loc, d_scale]
}

fn case() -> Case {
    Case::ranges("student_t_log_likelihood", &[(-1.0, 1.0), (0.5, 2.0)])
}

#[test]
fn reference() {
    case().reference(|p| student_t_log_likelihood(&data(), p[0], p[1], NU), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| student_t_log_likelihood(&data(), p[0], p[1], NU),
        hand,
        |p| {
            let (v, (a, b)) = student_t_log_likelihood_grad(&data(), p[0], p[1], NU);
            (v, vec![a, b])
        },
        |p, d, acc| {
            let [a, b] = acc else { unreachable!() };
            student_t_log_likelihood_adjoint(&data(), p[0], p[1], NU, d, Const, a, b, Const)
        },
    );
}
