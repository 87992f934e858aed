//! Linear regression ŷ = φ0 + φ1·x by gradient descent on the mean squared error, printed
//! iteration by iteration as in a lecture, next to the closed-form least-squares solution.
//!
//! The data are 12 made-up but plausible points: house size x (in 1000 ft²) against price y
//! (in $100k), roughly y = 0.6 + 1.4 x plus noise.
//!
//! ```text
//! cargo run --example linear_regression
//! ```
#![allow(clippy::needless_range_loop)] // index loops are what `#[grad]` differentiates

use autodiff::grad;

const SIZES: [f64; 12] = [
    0.85, 1.10, 1.25, 1.40, 1.55, 1.70, 1.85, 2.00, 2.20, 2.45, 2.70, 3.00,
];
const PRICES: [f64; 12] = [
    1.85, 2.05, 2.45, 2.52, 2.90, 2.88, 3.30, 3.35, 3.75, 3.95, 4.52, 4.74,
];

/// L(φ0, φ1) = 1/(2n) Σ (φ0 + φ1 x_i - y_i)². `#[grad(phi0, phi1)]`: `least_squares_grad`
/// differentiates the two parameters only; the data are inputs.
#[grad(phi0, phi1)]
fn least_squares(phi0: f64, phi1: f64, x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    let mut sum = 0.0;
    for i in 0..n {
        let r = phi0 + phi1 * x[i] - y[i];
        sum += r * r;
    }
    sum / (2.0 * n as f64)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    let (x, y) = (&SIZES[..], &PRICES[..]);
    println!("12 made-up points: house size (1000 ft²) -> price ($100k)");

    // Gradient descent: φ ← φ - η ∇L(φ), from φ = 0.
    let eta = 0.2;
    let (mut phi0, mut phi1) = (0.0, 0.0);
    println!("\ngradient descent, η = {eta}");
    println!(
        "{:>9} {:>10} {:>10} {:>12}",
        "iteration", "φ0", "φ1", "loss"
    );
    let mut iteration = 0;
    loop {
        let (loss, (d0, d1)) = least_squares_grad(phi0, phi1, x, y);
        let converged = d0.hypot(d1) < 1e-9;
        if iteration <= 5
            || [10, 20, 50, 100].contains(&iteration)
            || iteration % 250 == 0
            || converged
        {
            println!("{iteration:>9} {phi0:>10.6} {phi1:>10.6} {loss:>12.8}");
        }
        if converged {
            break;
        }
        if iteration == 100_000 {
            return Err(autodiff::Error::InvalidData(
                "gradient descent did not converge".into(),
            ));
        }
        phi0 -= eta * d0;
        phi1 -= eta * d1;
        iteration += 1;
    }

    // Closed form: φ1 = cov(x, y) / var(x), φ0 = mean(y) - φ1 mean(x).
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let var: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let (ls1, ls0) = (cov / var, my - cov / var * mx);
    println!("\n{:>14} {:>10} {:>10}", "", "φ0", "φ1");
    println!("{:>14} {phi0:>10.6} {phi1:>10.6}", "gradient desc.");
    println!("{:>14} {ls0:>10.6} {ls1:>10.6}", "closed form");
    println!(
        "difference: {:.1e}; fitted line: price = {phi0:.3} + {phi1:.3} · size",
        (phi0 - ls0).abs().max((phi1 - ls1).abs())
    );
    Ok(())
}
