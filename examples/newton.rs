//! Second order: logistic regression on Breast Cancer Wisconsin by Newton's method.
//!
//! `#[grad(theta, modes(hvp, hessian))]` writes, beside `loss_grad`, `loss_hessian` (value,
//! gradient, and the 31x31 Hessian) and `loss_hvp` (the Hessian times a direction, without
//! forming the Hessian). Three optimizers from the same start, to the same tolerance:
//!
//! - Newton: solve `H step = -g` with the exact Hessian (a Cholesky factorization);
//! - Newton-CG: the same system solved by conjugate gradients, one `loss_hvp` per iteration;
//! - gradient descent with a fixed step, for comparison.
//!
//! ```text
//! cargo run --release --example newton
//! ```
#![allow(clippy::needless_range_loop)] // index loops, as numeric code writes them

#[path = "models/common.rs"]
mod common;

use std::time::Instant;

use autodiff::data::datasets;
use autodiff::{grad, loss};

/// The ridge penalty: it keeps the Hessian positive definite on separable data.
const RIDGE: f64 = 1e-3;
/// Stop when the gradient's norm is below this.
const TOLERANCE: f64 = 1e-8;

/// Mean binary cross-entropy of a linear model `theta = (w, b)` on row-major `xs`, plus a
/// ridge penalty on `w`.
#[grad(theta, modes(hvp, hessian))]
fn loss(theta: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let d = theta.len() - 1;
    let mut total = 0.0;
    for i in 0..ys.len() {
        let mut z = theta[d];
        for j in 0..d {
            z += theta[j] * xs[i * d + j];
        }
        total += loss::bce_with_logits(z, ys[i]);
    }
    let mut penalty = 0.0;
    for j in 0..d {
        penalty += theta[j] * theta[j];
    }
    total / ys.len() as f64 + 0.5 * RIDGE * penalty
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Solves `a x = b` for a symmetric positive definite `a` (Cholesky).
fn solve_spd(a: &[Vec<f64>], b: &[f64]) -> Vec<f64> {
    let n = b.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            l[i][j] = if i == j {
                (a[i][i] - s).sqrt()
            } else {
                (a[i][j] - s) / l[j][j]
            };
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<f64>()) / l[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * x[k]).sum::<f64>()) / l[i][i];
    }
    x
}

/// Solves `H x = b` by conjugate gradients, `H v` from `hv`; returns `x` and the number of
/// products.
fn conjugate_gradients(hv: impl Fn(&[f64]) -> Vec<f64>, b: &[f64]) -> (Vec<f64>, usize) {
    let mut x = vec![0.0; b.len()];
    let mut r = b.to_vec();
    let mut p = r.clone();
    let mut rr = dot(&r, &r);
    let mut products = 0;
    while products < b.len() && rr.sqrt() > 1e-10 * norm(b) {
        let hp = hv(&p);
        products += 1;
        let alpha = rr / dot(&p, &hp);
        for i in 0..x.len() {
            x[i] += alpha * p[i];
            r[i] -= alpha * hp[i];
        }
        let next = dot(&r, &r);
        for i in 0..p.len() {
            p[i] = r[i] + next / rr * p[i];
        }
        rr = next;
    }
    (x, products)
}

struct Run {
    method: &'static str,
    steps: usize,
    /// Gradient evaluations, Hessian-vector products, or full Hessians, per the method.
    work: String,
    theta: Vec<f64>,
    seconds: f64,
}

fn main() -> Result<(), autodiff::Error> {
    let (train, test) = common::standardized_split(datasets::breast_cancer())?;
    let d = train.n_features();
    let ys: Vec<f64> = train.labels()?.iter().map(|&y| y as f64).collect();
    let xs = train.features();
    println!(
        "breast_cancer: {} training / {} test examples, {d} features; logistic regression, ridge {RIDGE}",
        train.len(),
        test.len()
    );
    let start = vec![0.0; d + 1];

    let newton = {
        let clock = Instant::now();
        let mut theta = start.clone();
        let mut steps = 0;
        loop {
            let (_, g, h) = loss_hessian(&theta, xs, &ys);
            if norm(&g) < TOLERANCE || steps == 100 {
                break;
            }
            let minus_g: Vec<f64> = g.iter().map(|x| -x).collect();
            let step = solve_spd(&h, &minus_g);
            theta.iter_mut().zip(&step).for_each(|(t, s)| *t += s);
            steps += 1;
        }
        Run {
            method: "Newton (loss_hessian)",
            steps,
            work: format!("{} Hessians", steps + 1),
            theta,
            seconds: clock.elapsed().as_secs_f64(),
        }
    };

    let newton_cg = {
        let clock = Instant::now();
        let mut theta = start.clone();
        let (mut steps, mut products) = (0, 0);
        loop {
            let (_, g) = loss_grad(&theta, xs, &ys);
            if norm(&g) < TOLERANCE || steps == 100 {
                break;
            }
            let minus_g: Vec<f64> = g.iter().map(|x| -x).collect();
            let (step, used) = conjugate_gradients(|v| loss_hvp(&theta, xs, &ys, v).2, &minus_g);
            products += used;
            theta.iter_mut().zip(&step).for_each(|(t, s)| *t += s);
            steps += 1;
        }
        Run {
            method: "Newton-CG (loss_hvp)",
            steps,
            work: format!("{products} Hessian-vector products"),
            theta,
            seconds: clock.elapsed().as_secs_f64(),
        }
    };

    let descent = {
        let clock = Instant::now();
        let mut theta = start.clone();
        // 1 / L for the mean logistic loss of standardized features is about 1.
        let rate = 1.0;
        let mut steps = 0;
        loop {
            let (_, g) = loss_grad(&theta, xs, &ys);
            if norm(&g) < TOLERANCE || steps == 20_000 {
                break;
            }
            theta.iter_mut().zip(&g).for_each(|(t, g)| *t -= rate * g);
            steps += 1;
        }
        Run {
            method: "gradient descent (loss_grad)",
            steps,
            work: format!("{} gradients", steps + 1),
            theta,
            seconds: clock.elapsed().as_secs_f64(),
        }
    };

    let labels = test.labels()?;
    println!(
        "\n{:<30} {:>6} {:>30} {:>12} {:>10} {:>9} {:>9}",
        "method", "steps", "work", "loss", "|grad|", "accuracy", "time"
    );
    for run in [&newton, &newton_cg, &descent] {
        let (value, g) = loss_grad(&run.theta, xs, &ys);
        let correct = test
            .rows()
            .zip(labels)
            .filter(|(x, &y)| {
                let z = run.theta[d] + dot(&run.theta[..d], x);
                usize::from(z > 0.0) == y
            })
            .count();
        println!(
            "{:<30} {:>6} {:>30} {:>12.9} {:>10.1e} {:>9.4} {:>7.1}ms",
            run.method,
            run.steps,
            run.work,
            value,
            norm(&g),
            correct as f64 / test.len() as f64,
            run.seconds * 1e3
        );
    }
    let gap = norm(
        &newton
            .theta
            .iter()
            .zip(&newton_cg.theta)
            .map(|(a, b)| a - b)
            .collect::<Vec<_>>(),
    );
    println!("\nNewton and Newton-CG end {gap:.1e} apart.");
    Ok(())
}
