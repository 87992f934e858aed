//! Gamma (Erlang, integer shape) log-likelihood: an integer parameter, a `ln((k-1)!)` computed
//! from integers, gradients for both the sample and the rate.

use crate::check::Case;
use autodiff::{grad, Const};

/// ℓ(x, λ) = Σ k ln λ + (k - 1) ln x_i - λ x_i - ln (k - 1)!
#[grad]
pub fn gamma_log_likelihood(data: &[f64], shape: u32, rate: f64) -> f64 {
    let k = f64::from(shape);
    let ln_fact: f64 = (1..shape).map(|i| f64::from(i).ln()).sum();
    data.iter()
        .map(|&x| k * rate.ln() + (k - 1.0) * x.ln() - rate * x - ln_fact)
        .sum()
}

const SHAPE: u32 = 3;

fn hand(p: &[f64]) -> Vec<f64> {
    let (x, rate) = p.split_at(p.len() - 1);
    let k = f64::from(SHAPE);
    let mut g: Vec<f64> = x.iter().map(|v| (k - 1.0) / v - rate[0]).collect();
    g.push(x.iter().map(|v| k / rate[0] - v).sum());
    g
}

fn case() -> Case {
    Case::new("gamma_log_likelihood", 5, 0.2, 4.0)
}

fn value(p: &[f64]) -> f64 {
    let (x, rate) = p.split_at(p.len() - 1);
    gamma_log_likelihood(x, SHAPE, rate[0])
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
            let (x, rate) = p.split_at(p.len() - 1);
            let (v, (mut g, d_rate)) = gamma_log_likelihood_grad(x, SHAPE, rate[0]);
            g.push(d_rate);
            (v, g)
        },
        |p, d, acc| {
            let (x, rate) = p.split_at(p.len() - 1);
            let (d_x, d_rate) = acc.split_at_mut(p.len() - 1);
            gamma_log_likelihood_adjoint(x, SHAPE, rate[0], d, d_x, &mut d_rate[0])
        },
    );
}

#[test]
fn generated_rate_only() {
    let active: Vec<bool> = (0..5).map(|i| i == 4).collect();
    case().partially_active(hand, &active, |p, d, acc| {
        let (x, rate) = p.split_at(p.len() - 1);
        gamma_log_likelihood_adjoint(x, SHAPE, rate[0], d, Const, &mut acc[4])
    });
}
