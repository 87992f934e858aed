//! Levy: a transformed copy collected into a `Vec`, sub-slices, first and last terms.

use crate::check::Case;
use autodiff::grad;
use std::f64::consts::PI;

/// With w_i = 1 + (x_i - 1)/4: sin²(π w₁) + Σ_{i<d} (w_i - 1)² (1 + 10 sin²(π w_i + 1))
/// + (w_d - 1)² (1 + sin²(2π w_d)).
#[grad]
pub fn levy(x: &[f64]) -> f64 {
    let w: Vec<f64> = x.iter().map(|&xi| 1.0 + (xi - 1.0) / 4.0).collect();
    let d = w.len();
    let head = (PI * w[0]).sin().powi(2);
    let body: f64 = w[..d - 1]
        .iter()
        .map(|&wi| (wi - 1.0).powi(2) * (1.0 + 10.0 * (PI * wi + 1.0).sin().powi(2)))
        .sum();
    let last = w[d - 1];
    let tail = (last - 1.0).powi(2) * (1.0 + (2.0 * PI * last).sin().powi(2));
    head + body + tail
}

fn hand(x: &[f64]) -> Vec<f64> {
    let d = x.len();
    let mut g = vec![0.0; d];
    for (i, &xi) in x.iter().enumerate() {
        let w = 1.0 + (xi - 1.0) / 4.0;
        let mut dw = 0.0;
        if i == 0 {
            dw += PI * (2.0 * PI * w).sin();
        }
        if i + 1 < d {
            let s = (PI * w + 1.0).sin();
            let c = (PI * w + 1.0).cos();
            dw += 2.0 * (w - 1.0) * (1.0 + 10.0 * s * s) + (w - 1.0).powi(2) * 20.0 * PI * s * c;
        } else {
            let s = (2.0 * PI * w).sin();
            let c = (2.0 * PI * w).cos();
            dw += 2.0 * (w - 1.0) * (1.0 + s * s) + (w - 1.0).powi(2) * 4.0 * PI * s * c;
        }
        g[i] = dw / 4.0;
    }
    g
}

fn case() -> Case {
    Case::new("levy", 4, -10.0, 10.0)
}

#[test]
fn reference() {
    case().reference(levy, hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(levy, hand, levy_grad, |x, d, acc| levy_adjoint(x, d, acc));
}
