//! A Chebyshev series by Clenshaw's recurrence: two carried locals, a reversed sub-slice.

use crate::check::Case;
use autodiff::{grad, Const};

/// Σ c_k T_k(x) on [-1, 1]
#[grad]
pub fn chebyshev(coeffs: &[f64], x: f64) -> f64 {
    assert!(
        !coeffs.is_empty(),
        "a series needs at least one coefficient"
    );
    let (mut b1, mut b2) = (0.0, 0.0);
    for &c in coeffs[1..].iter().rev() {
        let b0 = 2.0 * x * b1 - b2 + c;
        b2 = b1;
        b1 = b0;
    }
    coeffs[0] + x * b1 - b2
}

const N: usize = 6;

/// ∂/∂c_k = T_k(x); ∂/∂x = Σ c_k k U_{k-1}(x)
fn hand(p: &[f64]) -> Vec<f64> {
    let (c, x) = (&p[..N], p[N]);
    let mut t = vec![1.0, x];
    let mut u = vec![1.0, 2.0 * x];
    for k in 2..N {
        t.push(2.0 * x * t[k - 1] - t[k - 2]);
        u.push(2.0 * x * u[k - 1] - u[k - 2]);
    }
    let mut g = t[..N].to_vec();
    g.push((1..N).map(|k| c[k] * k as f64 * u[k - 1]).sum());
    g
}

fn case() -> Case {
    Case::new("chebyshev", N + 1, -1.0, 1.0)
}

#[test]
fn reference() {
    case().reference(|p| chebyshev(&p[..N], p[N]), hand);
}

// ---- generated ----

#[test]
fn generated() {
    case().generated(
        |p| chebyshev(&p[..N], p[N]),
        hand,
        |p| {
            let (v, (mut g, d_x)) = chebyshev_grad(&p[..N], p[N]);
            g.push(d_x);
            (v, g)
        },
        |p, d, acc| {
            let (d_c, d_x) = acc.split_at_mut(N);
            chebyshev_adjoint(&p[..N], p[N], d, d_c, &mut d_x[0])
        },
    );
}

#[test]
fn generated_coefficients_only() {
    let active: Vec<bool> = (0..=N).map(|i| i < N).collect();
    case().partially_active(hand, &active, |p, d, acc| {
        chebyshev_adjoint(&p[..N], p[N], d, &mut acc[..N], Const)
    });
}
