//! Log-sum-exp with the max trick: `fold(f64::NEG_INFINITY, f64::max)` and an early return.

use crate::check::Case;
use autodiff::grad;

/// ln Σ e^{x_i}, computed as m + ln Σ e^{x_i - m}
#[grad]
pub fn log_sum_exp(x: &[f64]) -> f64 {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + x.iter().map(|&v| (v - m).exp()).sum::<f64>().ln()
}

fn hand(x: &[f64]) -> Vec<f64> {
    let total: f64 = x.iter().map(|v| v.exp()).sum();
    x.iter().map(|v| v.exp() / total).collect()
}

fn case() -> Case {
    Case::new("log_sum_exp", 6, -5.0, 5.0)
}

#[test]
fn reference() {
    case().reference(log_sum_exp, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(log_sum_exp, hand, log_sum_exp_grad, |x, d, acc| {
        log_sum_exp_adjoint(x, d, acc)
    });
}
