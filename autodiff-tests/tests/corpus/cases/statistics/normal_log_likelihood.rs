//! Normal log-likelihood of a sample: generic `Float + FromPrimitive`, an assert, `#[grad(mu, sigma)]`.

use crate::check::Case;
use crate::common::Rng;
use autodiff::{grad, Const};
use num_traits::{Float, FromPrimitive};
use std::f64::consts::PI;

/// ℓ(μ, σ) = -n (ln σ + ½ ln 2π) - ½ Σ ((x_i - μ)/σ)²
#[grad(mu, sigma)]
pub fn normal_log_likelihood<F: Float + FromPrimitive>(data: &[F], mu: F, sigma: F) -> F {
    assert!(sigma > F::zero(), "the scale must be positive");
    let n = F::from_usize(data.len()).unwrap();
    let half = F::from_f64(0.5).unwrap();
    let ln_2pi = F::from_f64((2.0 * PI).ln()).unwrap();
    let ss = data
        .iter()
        .map(|&x| ((x - mu) / sigma).powi(2))
        .fold(F::zero(), |a, b| a + b);
    -n * (sigma.ln() + half * ln_2pi) - half * ss
}

fn data() -> Vec<f64> {
    Rng::new(11).vec(7, -2.0, 3.0)
}

fn hand(p: &[f64]) -> Vec<f64> {
    let (mu, sigma) = (p[0], p[1]);
    let x = data();
    let n = x.len() as f64;
    let d_mu = x.iter().map(|v| (v - mu) / (sigma * sigma)).sum();
    let d_sigma = -n / sigma + x.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / sigma.powi(3);
    vec![d_mu, d_sigma]
}

fn case() -> Case {
    Case::ranges("normal_log_likelihood", &[(-1.0, 1.0), (0.5, 2.0)])
}

#[test]
fn reference() {
    case().reference(|p| normal_log_likelihood(&data(), p[0], p[1]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| normal_log_likelihood(&data(), p[0], p[1]),
        hand,
        |p| {
            let (v, (d_mu, d_sigma)) = normal_log_likelihood_grad(&data(), p[0], p[1]);
            (v, vec![d_mu, d_sigma])
        },
        |p, d, acc| {
            let [d_mu, d_sigma] = acc else { unreachable!() };
            normal_log_likelihood_adjoint(&data(), p[0], p[1], d, Const, d_mu, d_sigma)
        },
    );
}

#[test]
fn generated_f32() {
    let data32: Vec<f32> = data().iter().map(|&v| v as f32).collect();
    case().generated_f32(hand, |p| {
        let (v, (d_mu, d_sigma)) = normal_log_likelihood_grad(&data32, p[0], p[1]);
        (v, vec![d_mu, d_sigma])
    });
}

#[test]
fn generated_sigma_only() {
    case().partially_active(hand, &[false, true], |p, d, acc| {
        normal_log_likelihood_adjoint(&data(), p[0], p[1], d, Const, Const, &mut acc[1])
    });
}
