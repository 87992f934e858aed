//! Finite differences and a small seeded generator shared by the integration tests.
#![allow(dead_code)]

/// Central difference of `f` along coordinate `i` of `x`, with a step scaled to `x[i]`.
pub fn central(f: &dyn Fn(&[f64]) -> f64, x: &[f64], i: usize) -> f64 {
    let h = 1e-6 * x[i].abs().max(1.0);
    let mut p = x.to_vec();
    p[i] += h;
    let fp = f(&p);
    p[i] = x[i] - h;
    let fm = f(&p);
    (fp - fm) / (2.0 * h)
}

/// The whole finite-difference gradient.
pub fn numeric_gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len()).map(|i| central(f, x, i)).collect()
}

/// Asserts `analytic` matches central differences of `f` at `x`.
#[track_caller]
pub fn assert_matches_fd(f: &dyn Fn(&[f64]) -> f64, x: &[f64], analytic: &[f64], what: &str) {
    let numeric = numeric_gradient(f, x);
    assert_eq!(numeric.len(), analytic.len(), "{what}: gradient length");
    for (i, (a, n)) in analytic.iter().zip(&numeric).enumerate() {
        let tol = 1e-5 * (1.0 + n.abs().max(a.abs()));
        assert!(
            (a - n).abs() <= tol,
            "{what}: d/dx[{i}] analytic {a} vs finite differences {n} at x = {x:?}"
        );
    }
}

/// Equal up to rounding: a relative error of 1e-11.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-11 * (1.0 + a.abs().max(b.abs()))
}

/// [`close`] element by element, the lengths equal.
pub fn all_close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y))
}

#[track_caller]
pub fn assert_close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b} (tolerance {tol})");
}

/// xorshift64*: deterministic inputs without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }

    pub fn vec(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_f64() * n as f64) as usize % n.max(1)
    }
}
