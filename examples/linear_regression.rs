//! Linear regression ŷ = φ0 + φ1·x by gradient descent on the mean squared error, printed
//! iteration by iteration as in a lecture, next to the closed-form least-squares solution.
//!
//! The data are 12 made-up but plausible points: house size x (in 1000 ft²) against price y
//! (in $100k), roughly y = 0.6 + 1.4 x plus noise.
//!
//! ```text
//! cargo run --example linear_regression
//! ```
// The data (`SIZES`, `PRICES`) and the `#[grad(phi0, phi1)]` loss
// L(φ0, φ1) = 1/(2n) Σ (φ0 + φ1 x_i - y_i)² are in models/linear_regression.rs, shared with
// tests/training.rs.
#[path = "models/linear_regression.rs"]
mod linear_regression;

use linear_regression::{closed_form, least_squares_grad, PRICES, SIZES};

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
    let (ls0, ls1) = closed_form(x, y);
    println!("\n{:>14} {:>10} {:>10}", "", "φ0", "φ1");
    println!("{:>14} {phi0:>10.6} {phi1:>10.6}", "gradient desc.");
    println!("{:>14} {ls0:>10.6} {ls1:>10.6}", "closed form");
    println!(
        "difference: {:.1e}; fitted line: price = {phi0:.3} + {phi1:.3} · size",
        (phi0 - ls0).abs().max((phi1 - ls1).abs())
    );
    Ok(())
}
