//! A custom derivative: any function gets one by having a hand-written `NAME_adjoint` beside
//! it, with the contract's signature. A `#[grad]` function that calls `softsign(..)` then calls
//! `softsign_adjoint(..)` in its reverse sweep.
//!
//! Here `softsign(x) = x / (1 + |x|)`, whose derivative `1 / (1 + |x|)^2` is simpler than what
//! differentiating the division and the `abs` would give, and `smooth_floor`, whose true
//! derivative is zero almost everywhere but which we want to pass gradients straight through
//! (a straight-through estimator, as used for quantization).
//!
//! ```text
//! cargo run --example custom_derivative
//! ```

use autodiff::gradcheck::check_gradient;
use autodiff::{grad, Shadow};

/// `x / (1 + |x|)`.
fn softsign(x: f64) -> f64 {
    x / (1.0 + x.abs())
}

/// The pullback of `softsign`: returns the value and adds `d_out * softsign'(x)` into `d_x`.
/// Generic over the shadow, so callers can pass `&mut f64` or `autodiff::Const`.
fn softsign_adjoint<DX: Shadow<f64>>(x: f64, d_out: f64, mut d_x: DX) -> f64 {
    let denom = 1.0 + x.abs();
    d_x.add(d_out / (denom * denom));
    softsign(x)
}

/// Rounds down, but lets the gradient through as if it were the identity.
fn straight_through_floor(x: f64) -> f64 {
    x.floor()
}

fn straight_through_floor_adjoint<DX: Shadow<f64>>(x: f64, d_out: f64, mut d_x: DX) -> f64 {
    d_x.add(d_out);
    x.floor()
}

/// A tiny model using both, differentiated with respect to its weights.
#[grad(w)]
fn model(w: &[f64; 2], x: f64) -> f64 {
    let h = softsign(w[0] * x);
    let q = straight_through_floor(4.0 * h) / 4.0;
    (q - w[1]) * (q - w[1]) + h * w[1]
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), autodiff::Error> {
    // softsign's hand-written derivative against finite differences, through `#[grad]`.
    #[grad]
    fn softsign_of_product(a: f64, b: f64) -> f64 {
        softsign(a * b)
    }
    let (value, (d_a, d_b)) = softsign_of_product_grad(0.7, -1.3);
    let report = check_gradient(
        |p| softsign_of_product(p[0], p[1]),
        &[0.7, -1.3],
        &[d_a, d_b],
    );
    println!("softsign(a b) at a = 0.7, b = -1.3: {value:.6}");
    println!("  gradient        [{d_a:.6}, {d_b:.6}]");
    println!(
        "  vs finite diff. worst relative error {:.1e}",
        report.max_rel_error
    );

    // The straight-through floor: finite differences see a zero derivative (or a jump), the
    // custom adjoint passes the gradient through on purpose.
    let w = [1.5, 0.2];
    let (value, d_w) = model_grad(&w, 0.8);
    println!("model(w = {w:?}, x = 0.8) = {value:.6}");
    println!(
        "  gradient with the straight-through floor: [{:.6}, {:.6}]",
        d_w[0], d_w[1]
    );
    Ok(())
}
