//! `#[checkpoint]` loops: the gradient is the taped loop's, bit for bit.
#![deny(warnings)]
#![allow(clippy::needless_range_loop)]

use autodiff::grad;

#[grad]
fn recurrence(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    #[checkpoint]
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x
}

#[grad]
fn recurrence_taped(x0: f64, w: &[f64]) -> f64 {
    let mut x = x0;
    for t in 0..w.len() {
        x = x.sin() * w[t] + 0.5 * x;
    }
    x
}

#[test]
fn recurrence_matches() {
    for n in [0, 1, 2, 3, 4, 9, 10, 13, 100] {
        let w: Vec<f64> = (0..n).map(|i| 0.3 + 0.01 * i as f64).collect();
        let a = recurrence_grad(0.7, &w);
        let b = recurrence_taped_grad(0.7, &w);
        assert_eq!(a, b, "n = {n}");
    }
}
