//! A set of gradients whose bit patterns must not depend on the build profile: shared by
//! tests/profiles.rs (debug) and src/bin/fingerprint.rs (built in release by that test).
#![allow(dead_code, clippy::needless_range_loop)]

use autodiff::grad;

#[grad]
fn recurrence(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x
}

#[grad]
fn network(w1: &[[f64; 3]; 4], b1: &[f64; 4], w2: &[f64; 4], x: &[f64; 3]) -> f64 {
    let mut a = [0.0; 4];
    for j in 0..4 {
        let mut z = b1[j];
        for k in 0..3 {
            z += w1[j][k] * x[k];
        }
        a[j] = z.tanh();
    }
    let mut s = 0.0;
    for j in 0..4 {
        s += w2[j] * a[j];
    }
    autodiff::loss::bce_with_logits(s, 1.0)
}

#[grad]
fn branchy(x: &[f64]) -> f64 {
    let mut s: f64 = 0.0;
    let mut i = 0;
    while i < x.len() {
        if x[i] > 0.0 {
            s += x[i].sqrt() * s.cos();
        } else {
            s -= x[i].exp();
        }
        if s > 50.0 {
            break;
        }
        i += 1;
    }
    s
}

/// Every gradient entry of the problems above, in a fixed order.
pub fn gradients() -> Vec<f64> {
    let mut out = Vec::new();
    let w: Vec<f64> = (0..200)
        .map(|i| ((i * 37 % 101) as f64 / 50.0) - 1.0)
        .collect();
    let (v, (d_x0, d_w)) = recurrence_grad(0.3, &w);
    out.extend([v, d_x0]);
    out.extend(d_w);
    let w1 = [
        [0.1, -0.2, 0.3],
        [0.4, 0.5, -0.6],
        [-0.7, 0.8, 0.9],
        [1.0, -1.1, 0.2],
    ];
    let (v, (dw1, db1, dw2, dx)) = network_grad(
        &w1,
        &[0.1, 0.2, -0.3, 0.4],
        &[0.5, -0.6, 0.7, -0.8],
        &[1.0, 2.0, -3.0],
    );
    out.push(v);
    out.extend(dw1.iter().flatten());
    out.extend(db1);
    out.extend(dw2);
    out.extend(dx);
    let x: Vec<f64> = (0..64)
        .map(|i| ((i * 13 % 29) as f64 / 7.0) - 2.0)
        .collect();
    let (v, dx) = branchy_grad(&x);
    out.push(v);
    out.extend(dx);
    out
}
