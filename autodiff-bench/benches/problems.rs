//! The benchmark problems of `benches/gradients.rs`, shared with `tests/bench_problems.rs`
//! (which checks that every way of computing a gradient here agrees with `NAME_grad`).
//!
//! Per problem: the `#[grad]` function (the primal and `NAME_grad`), a hand-written analytic
//! gradient (`hand`), central finite differences (`fd`), and the same function generic over
//! [`Real`] for forward-mode dual numbers (`num-dual`, one pass per input) and a tape-based
//! reverse mode (`echidna`). `fd`, `dual` and `tape` return the gradient flattened in
//! parameter order; `flat_grad` flattens `NAME_grad`'s (and `hand`'s) output the same way.
#![allow(dead_code)]
// Index loops: the `#[grad]` functions are written in the differentiable subset, and their
// generic mirrors follow them line by line.
#![allow(clippy::needless_range_loop)]

use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

use echidna::Reverse;
use num_dual::{Dual64, DualNum};

#[path = "../../autodiff-tests/tests/common/gmm.rs"]
pub mod gmm;

#[path = "gmm_adbench.rs"]
pub mod gmm_adbench;

// ----- scalars for the operator-overloading baselines ------------------------------------------

/// What the generic versions of the problems need from a scalar: f64, a dual number, a taped
/// variable. Data stays `f64` (both crates treat an `f64` operand as a constant).
pub trait Real:
    Copy
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
{
    fn cst(v: f64) -> Self;
    fn value(self) -> f64;
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn ln_1p(self) -> Self;
    fn sin(self) -> Self;
    fn abs(self) -> Self;
    /// Ties follow the first argument, as in `#[grad]`.
    fn max(self, other: Self) -> Self;
}

impl Real for f64 {
    fn cst(v: f64) -> Self {
        v
    }
    fn value(self) -> f64 {
        self
    }
    fn exp(self) -> Self {
        f64::exp(self)
    }
    fn ln(self) -> Self {
        f64::ln(self)
    }
    fn ln_1p(self) -> Self {
        f64::ln_1p(self)
    }
    fn sin(self) -> Self {
        f64::sin(self)
    }
    fn abs(self) -> Self {
        f64::abs(self)
    }
    fn max(self, other: Self) -> Self {
        if self >= other {
            self
        } else {
            other
        }
    }
}

impl Real for Dual64 {
    #[inline]
    fn cst(v: f64) -> Self {
        Dual64::from_re(v)
    }
    #[inline]
    fn value(self) -> f64 {
        self.re
    }
    #[inline]
    fn exp(self) -> Self {
        DualNum::exp(&self)
    }
    #[inline]
    fn ln(self) -> Self {
        DualNum::ln(&self)
    }
    #[inline]
    fn ln_1p(self) -> Self {
        DualNum::ln_1p(&self)
    }
    #[inline]
    fn sin(self) -> Self {
        DualNum::sin(&self)
    }
    #[inline]
    fn abs(self) -> Self {
        if self.re < 0.0 {
            -self
        } else {
            self
        }
    }
    #[inline]
    fn max(self, other: Self) -> Self {
        if self.re >= other.re {
            self
        } else {
            other
        }
    }
}

impl Real for Reverse<f64> {
    #[inline]
    fn cst(v: f64) -> Self {
        Reverse::constant(v)
    }
    #[inline]
    fn value(self) -> f64 {
        echidna::Scalar::value(&self)
    }
    #[inline]
    fn exp(self) -> Self {
        autodiff::Float::exp(self)
    }
    #[inline]
    fn ln(self) -> Self {
        autodiff::Float::ln(self)
    }
    #[inline]
    fn ln_1p(self) -> Self {
        autodiff::Float::ln_1p(self)
    }
    #[inline]
    fn sin(self) -> Self {
        autodiff::Float::sin(self)
    }
    #[inline]
    fn abs(self) -> Self {
        autodiff::Float::abs(self)
    }
    #[inline]
    fn max(self, other: Self) -> Self {
        if self.value() >= other.value() {
            self
        } else {
            other
        }
    }
}

/// Forward mode: one pass of `f` per input, each seeding one tangent.
pub fn dual_gradient(p: &[f64], f: impl Fn(&[Dual64]) -> Dual64) -> Vec<f64> {
    let mut x: Vec<Dual64> = p.iter().map(|&v| Dual64::from_re(v)).collect();
    let mut g = Vec::with_capacity(p.len());
    for i in 0..p.len() {
        x[i].eps = 1.0;
        g.push(f(&x).eps);
        x[i].eps = 0.0;
    }
    g
}

/// Reverse mode on echidna's tape: record one forward pass, sweep the tape back.
pub fn tape_gradient(p: &[f64], f: impl FnOnce(&[Reverse<f64>]) -> Reverse<f64>) -> Vec<f64> {
    echidna::grad(f, p)
}

/// One central difference: `q`'s entry `slot` moved by ±h (then restored), `f` evaluated on `q`.
pub fn central<Q>(q: &mut Q, slot: impl Fn(&mut Q) -> &mut f64, f: impl Fn(&Q) -> f64) -> f64 {
    let x = *slot(q);
    let h = f64::EPSILON.cbrt() * x.abs().max(1.0);
    *slot(q) = x + h;
    let fp = f(q);
    *slot(q) = x - h;
    let fm = f(q);
    *slot(q) = x;
    (fp - fm) / (2.0 * h)
}

/// xorshift64*: deterministic inputs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let u = (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }

    pub fn vec(&mut self, n: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..n).map(|_| self.uniform(lo, hi)).collect()
    }

    pub fn array<const N: usize>(&mut self, lo: f64, hi: f64) -> [f64; N] {
        std::array::from_fn(|_| self.uniform(lo, hi))
    }

    pub fn matrix<const M: usize, const N: usize>(&mut self, lo: f64, hi: f64) -> [[f64; M]; N] {
        std::array::from_fn(|_| self.array(lo, hi))
    }
}

// ----- dot product -----------------------------------------------------------------------------

pub mod dot {
    use super::*;
    use autodiff::grad;

    pub const N: usize = 1000;

    #[grad]
    pub fn dot(x: &[f64], y: &[f64]) -> f64 {
        let mut s = 0.0;
        for (a, b) in x.iter().zip(y.iter()) {
            s += a * b;
        }
        s
    }

    pub fn hand(x: &[f64], y: &[f64]) -> (f64, (Vec<f64>, Vec<f64>)) {
        let mut s = 0.0;
        for (a, b) in x.iter().zip(y) {
            s += a * b;
        }
        (s, (y.to_vec(), x.to_vec()))
    }

    pub fn generic<S: Real>(p: &[S]) -> S {
        let (x, y) = p.split_at(p.len() / 2);
        let mut s = S::cst(0.0);
        for (&a, &b) in x.iter().zip(y) {
            s += a * b;
        }
        s
    }

    pub struct Problem {
        pub x: Vec<f64>,
        pub y: Vec<f64>,
    }

    impl Problem {
        pub fn new() -> Self {
            let mut rng = Rng::new(1);
            Problem {
                x: rng.vec(N, -1.0, 1.0),
                y: rng.vec(N, -1.0, 1.0),
            }
        }

        pub fn flat(&self) -> Vec<f64> {
            [&self.x[..], &self.y[..]].concat()
        }

        pub fn fd(&self) -> Vec<f64> {
            let mut q = (self.x.clone(), self.y.clone());
            let f = |q: &(Vec<f64>, Vec<f64>)| dot(&q.0, &q.1);
            let mut g = Vec::with_capacity(2 * N);
            for i in 0..N {
                g.push(central(&mut q, |q| &mut q.0[i], f));
            }
            for i in 0..N {
                g.push(central(&mut q, |q| &mut q.1[i], f));
            }
            g
        }

        pub fn dual(&self, flat: &[f64]) -> Vec<f64> {
            dual_gradient(flat, generic)
        }

        pub fn tape(&self, flat: &[f64]) -> Vec<f64> {
            tape_gradient(flat, generic)
        }
    }

    pub fn flat_grad(g: &(Vec<f64>, Vec<f64>)) -> Vec<f64> {
        [&g.0[..], &g.1[..]].concat()
    }
}

// ----- a 30-64-1 MLP on one example ------------------------------------------------------------

pub mod mlp {
    use super::*;
    use autodiff::{grad, Const};

    pub const I: usize = 30;
    pub const H: usize = 64;
    pub const PARAMS: usize = H * I + 2 * H + 1;

    pub type Grad = ([[f64; I]; H], [f64; H], [f64; H], f64);

    /// ReLU hidden layer, sigmoid output, binary cross-entropy of the label `y`.
    #[grad(w1, b1, w2, b2)]
    pub fn mlp_loss(
        w1: &[[f64; I]; H],
        b1: &[f64; H],
        w2: &[f64; H],
        b2: f64,
        x: &[f64; I],
        y: f64,
    ) -> f64 {
        let mut z2 = b2;
        for j in 0..H {
            let mut z = b1[j];
            for k in 0..I {
                z += w1[j][k] * x[k];
            }
            z2 += w2[j] * z.max(0.0);
        }
        let p = 1.0 / (1.0 + (-z2).exp());
        -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
    }

    /// Forward keeping the hidden pre-activations, then back: dL/dz2 = p - y.
    pub fn hand(
        w1: &[[f64; I]; H],
        b1: &[f64; H],
        w2: &[f64; H],
        b2: f64,
        x: &[f64; I],
        y: f64,
    ) -> (f64, Grad) {
        let mut z1 = [0.0; H];
        let mut z2 = b2;
        for j in 0..H {
            let mut z = b1[j];
            for (w, xk) in w1[j].iter().zip(x) {
                z += w * xk;
            }
            z1[j] = z;
            z2 += w2[j] * z.max(0.0);
        }
        let p = 1.0 / (1.0 + (-z2).exp());
        let loss = -(y * p.ln() + (1.0 - y) * (1.0 - p).ln());
        let dz2 = p - y;
        let mut dw1 = [[0.0; I]; H];
        let mut db1 = [0.0; H];
        let mut dw2 = [0.0; H];
        for j in 0..H {
            let z = z1[j];
            let (a, dz) = if z >= 0.0 {
                (z, dz2 * w2[j])
            } else {
                (0.0, 0.0)
            };
            dw2[j] = dz2 * a;
            db1[j] = dz;
            for (g, xk) in dw1[j].iter_mut().zip(x) {
                *g = dz * xk;
            }
        }
        (loss, (dw1, db1, dw2, dz2))
    }

    /// `hand` with the pullback's calling convention (what `mlp_loss_adjoint` does): adds
    /// `d_out` times the gradient into caller-owned accumulators, returns the loss. Benched
    /// against `mlp_loss_adjoint` because `NAME_grad` and `hand` both return a 16 KB tuple,
    /// whose zeroing and copies are a large and codegen-dependent part of their time.
    #[allow(clippy::too_many_arguments)]
    pub fn hand_adjoint(
        w1: &[[f64; I]; H],
        b1: &[f64; H],
        w2: &[f64; H],
        b2: f64,
        x: &[f64; I],
        y: f64,
        d_out: f64,
        g: &mut Grad,
    ) -> f64 {
        let mut z1 = [0.0; H];
        let mut z2 = b2;
        for j in 0..H {
            let mut z = b1[j];
            for (w, xk) in w1[j].iter().zip(x) {
                z += w * xk;
            }
            z1[j] = z;
            z2 += w2[j] * z.max(0.0);
        }
        let p = 1.0 / (1.0 + (-z2).exp());
        let loss = -(y * p.ln() + (1.0 - y) * (1.0 - p).ln());
        let dz2 = d_out * (p - y);
        for j in 0..H {
            let z = z1[j];
            let (a, dz) = if z >= 0.0 {
                (z, dz2 * w2[j])
            } else {
                (0.0, 0.0)
            };
            g.2[j] += dz2 * a;
            g.1[j] += dz;
            for (gk, xk) in g.0[j].iter_mut().zip(x) {
                *gk += dz * xk;
            }
        }
        g.3 += dz2;
        loss
    }

    /// Parameters flattened: w1 by rows, b1, w2, b2.
    pub fn generic<S: Real>(p: &[S], x: &[f64; I], y: f64) -> S {
        let (w1, rest) = p.split_at(H * I);
        let (b1, rest) = rest.split_at(H);
        let (w2, b2) = rest.split_at(H);
        let zero = S::cst(0.0);
        let mut z2 = b2[0];
        for j in 0..H {
            let mut z = b1[j];
            for k in 0..I {
                z += w1[j * I + k] * x[k];
            }
            z2 += w2[j] * z.max(zero);
        }
        let one = S::cst(1.0);
        let p = one / (one + (-z2).exp());
        -(p.ln() * y + (one - p).ln() * (1.0 - y))
    }

    #[derive(Clone, autodiff::Params)]
    pub struct Params {
        pub w1: [[f64; I]; H],
        pub b1: [f64; H],
        pub w2: [f64; H],
        pub b2: f64,
    }

    /// `mlp_loss` on the model as a struct: the same body, reading `net.w1[j][k]`.
    #[grad(net)]
    pub fn model_loss(net: &Params, x: &[f64; I], y: f64) -> f64 {
        let mut z2 = net.b2;
        for j in 0..H {
            let mut z = net.b1[j];
            for k in 0..I {
                z += net.w1[j][k] * x[k];
            }
            z2 += net.w2[j] * z.max(0.0);
        }
        let p = 1.0 / (1.0 + (-z2).exp());
        -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
    }

    /// Zeros of the model's shape: the gradient accumulator of `model_loss_adjoint`.
    pub fn zero_model() -> Params {
        Params {
            w1: [[0.0; I]; H],
            b1: [0.0; H],
            w2: [0.0; H],
            b2: 0.0,
        }
    }

    pub struct Problem {
        pub p: Params,
        pub x: [f64; I],
        pub y: f64,
    }

    impl Problem {
        pub fn new() -> Self {
            let mut rng = Rng::new(2);
            let s1 = 1.0 / (I as f64).sqrt();
            let s2 = 1.0 / (H as f64).sqrt();
            Problem {
                p: Params {
                    w1: rng.matrix(-s1, s1),
                    b1: rng.array(-0.1, 0.1),
                    w2: rng.array(-s2, s2),
                    b2: 0.05,
                },
                x: rng.array(-1.0, 1.0),
                y: 1.0,
            }
        }

        pub fn primal(&self) -> f64 {
            mlp_loss(
                &self.p.w1, &self.p.b1, &self.p.w2, self.p.b2, &self.x, self.y,
            )
        }

        pub fn grad(&self) -> (f64, Grad) {
            mlp_loss_grad(
                &self.p.w1, &self.p.b1, &self.p.w2, self.p.b2, &self.x, self.y,
            )
        }

        pub fn hand(&self) -> (f64, Grad) {
            hand(
                &self.p.w1, &self.p.b1, &self.p.w2, self.p.b2, &self.x, self.y,
            )
        }

        /// `mlp_loss_adjoint` into `g` (data `Const`).
        pub fn adjoint(&self, g: &mut Grad) -> f64 {
            let (w1, b1, w2, b2) = (&mut g.0, &mut g.1, &mut g.2, &mut g.3);
            let p = &self.p;
            mlp_loss_adjoint(
                &p.w1, &p.b1, &p.w2, p.b2, &self.x, self.y, 1.0, w1, b1, w2, b2, Const, Const,
            )
        }

        /// `model_loss_adjoint` into a model-shaped `g` (data `Const`).
        pub fn model_adjoint(&self, g: &mut Params) -> f64 {
            model_loss_adjoint(&self.p, &self.x, self.y, 1.0, g, Const, Const)
        }

        pub fn hand_adjoint(&self, g: &mut Grad) -> f64 {
            hand_adjoint(
                &self.p.w1, &self.p.b1, &self.p.w2, self.p.b2, &self.x, self.y, 1.0, g,
            )
        }

        pub fn flat(&self) -> Vec<f64> {
            flat_grad(&(self.p.w1, self.p.b1, self.p.w2, self.p.b2))
        }

        pub fn fd(&self) -> Vec<f64> {
            let mut q = self.p.clone();
            let f = |q: &Params| mlp_loss(&q.w1, &q.b1, &q.w2, q.b2, &self.x, self.y);
            let mut g = Vec::with_capacity(PARAMS);
            for j in 0..H {
                for k in 0..I {
                    g.push(central(&mut q, |q| &mut q.w1[j][k], f));
                }
            }
            for j in 0..H {
                g.push(central(&mut q, |q| &mut q.b1[j], f));
            }
            for j in 0..H {
                g.push(central(&mut q, |q| &mut q.w2[j], f));
            }
            g.push(central(&mut q, |q| &mut q.b2, f));
            g
        }

        pub fn dual(&self, flat: &[f64]) -> Vec<f64> {
            dual_gradient(flat, |p| generic(p, &self.x, self.y))
        }

        pub fn tape(&self, flat: &[f64]) -> Vec<f64> {
            tape_gradient(flat, |p| generic(p, &self.x, self.y))
        }
    }

    pub fn zero_grad() -> Grad {
        ([[0.0; I]; H], [0.0; H], [0.0; H], 0.0)
    }

    pub fn flat_grad(g: &Grad) -> Vec<f64> {
        let mut v = Vec::with_capacity(PARAMS);
        for row in &g.0 {
            v.extend_from_slice(row);
        }
        v.extend_from_slice(&g.1);
        v.extend_from_slice(&g.2);
        v.push(g.3);
        v
    }
}

// ----- logistic regression over a batch ---------------------------------------------------------

pub mod logreg {
    use super::*;
    use autodiff::grad;

    pub const D: usize = 30;
    pub const B: usize = 256;

    /// Mean binary cross-entropy of a logistic model, in the stable form with logits.
    #[grad(w, b, modes(hvp))]
    pub fn logreg_loss(w: &[f64; D], b: f64, xs: &[[f64; D]; B], ys: &[f64; B]) -> f64 {
        let mut total = 0.0;
        for i in 0..B {
            let mut z = b;
            for j in 0..D {
                z += w[j] * xs[i][j];
            }
            total += z.max(0.0) - z * ys[i] + (-z.abs()).exp().ln_1p();
        }
        total / B as f64
    }

    /// Per example: forward (z and e = exp(-|z|)), then back with dL/dz = (sigmoid(z) - y) / B.
    pub fn hand(w: &[f64; D], b: f64, xs: &[[f64; D]; B], ys: &[f64; B]) -> (f64, ([f64; D], f64)) {
        let scale = 1.0 / B as f64;
        let mut total = 0.0;
        let mut dw = [0.0; D];
        let mut db = 0.0;
        for (x, &y) in xs.iter().zip(ys) {
            let mut z = b;
            for (wj, xj) in w.iter().zip(x) {
                z += wj * xj;
            }
            let e = (-z.abs()).exp();
            total += z.max(0.0) - z * y + e.ln_1p();
            let sigmoid = if z >= 0.0 {
                1.0 / (1.0 + e)
            } else {
                e / (1.0 + e)
            };
            let dz = (sigmoid - y) * scale;
            db += dz;
            for (g, xj) in dw.iter_mut().zip(x) {
                *g += dz * xj;
            }
        }
        (total * scale, (dw, db))
    }

    /// Parameters flattened: w, then b.
    pub fn generic<S: Real>(p: &[S], xs: &[[f64; D]; B], ys: &[f64; B]) -> S {
        let (w, b) = p.split_at(D);
        let zero = S::cst(0.0);
        let mut total = zero;
        for i in 0..B {
            let mut z = b[0];
            for j in 0..D {
                z += w[j] * xs[i][j];
            }
            total += z.max(zero) - z * ys[i] + (-z.abs()).exp().ln_1p();
        }
        total * (1.0 / B as f64)
    }

    pub struct Problem {
        pub w: [f64; D],
        pub b: f64,
        pub xs: Box<[[f64; D]; B]>,
        pub ys: [f64; B],
    }

    impl Problem {
        pub fn new() -> Self {
            let mut rng = Rng::new(3);
            let w: [f64; D] = rng.array(-0.5, 0.5);
            let xs: Box<[[f64; D]; B]> = Box::new(rng.matrix(-1.0, 1.0));
            // Labels from a noisy teacher, so the loss is neither tiny nor saturated.
            let ys = std::array::from_fn(|i| {
                let z: f64 = xs[i].iter().zip(&w).map(|(a, b)| a * b).sum();
                f64::from(z + rng.uniform(-1.0, 1.0) > 0.0)
            });
            Problem {
                w: rng.array(-0.2, 0.2),
                b: 0.1,
                xs,
                ys,
            }
        }

        pub fn flat(&self) -> Vec<f64> {
            flat_grad(&(self.w, self.b))
        }

        pub fn fd(&self) -> Vec<f64> {
            let mut q = (self.w, self.b);
            let f = |q: &([f64; D], f64)| logreg_loss(&q.0, q.1, &self.xs, &self.ys);
            let mut g = Vec::with_capacity(D + 1);
            for j in 0..D {
                g.push(central(&mut q, |q| &mut q.0[j], f));
            }
            g.push(central(&mut q, |q| &mut q.1, f));
            g
        }

        pub fn dual(&self, flat: &[f64]) -> Vec<f64> {
            dual_gradient(flat, |p| generic(p, &self.xs, &self.ys))
        }

        pub fn tape(&self, flat: &[f64]) -> Vec<f64> {
            tape_gradient(flat, |p| generic(p, &self.xs, &self.ys))
        }
    }

    pub fn flat_grad(g: &([f64; D], f64)) -> Vec<f64> {
        let mut v = g.0.to_vec();
        v.push(g.1);
        v
    }
}

// ----- ADBench GMM -----------------------------------------------------------------------------

pub mod gmm_problem {
    use super::gmm::{self, GmmInput};
    use super::gmm_adbench;
    use super::*;

    pub type Grad = (Vec<f64>, Vec<f64>, Vec<f64>);

    pub fn d2_k5() -> GmmInput {
        gmm::parse(include_str!("../../data/adbench/gmm_d2_K5.txt"))
    }

    pub fn d10_k25() -> GmmInput {
        gmm::parse(include_str!("../../data/adbench/gmm_d10_K25.txt"))
    }

    pub fn primal(g: &GmmInput) -> f64 {
        gmm::gmm_objective(
            g.d, g.k, g.n, &g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m,
        )
    }

    pub fn grad(g: &GmmInput) -> (f64, Grad) {
        gmm::gmm_objective_grad(
            g.d, g.k, g.n, &g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m,
        )
    }

    /// The objective in ADBench's C++ structure (`gmm_adbench.rs`).
    pub fn primal_adbench(g: &GmmInput) -> f64 {
        let wishart = gmm_adbench::Wishart {
            gamma: g.gamma,
            m: g.m,
        };
        gmm_adbench::gmm_objective(g.d, g.k, g.n, &g.alphas, &g.means, &g.icf, &g.x, &wishart)
    }

    pub fn grad_adbench(g: &GmmInput) -> (f64, Grad) {
        let wishart = gmm_adbench::Wishart {
            gamma: g.gamma,
            m: g.m,
        };
        gmm_adbench::gmm_objective_grad(g.d, g.k, g.n, &g.alphas, &g.means, &g.icf, &g.x, &wishart)
    }

    pub fn hand(g: &GmmInput) -> (f64, Grad) {
        hand_gradient(
            g.d, g.k, g.n, &g.alphas, &g.means, &g.icf, &g.x, g.gamma, g.m,
        )
    }

    /// The terms of the objective that depend on no parameter: the Gaussian normalisation and
    /// the Wishart prior's normaliser `c` (per component).
    fn constants(d: usize, n: usize, gamma: f64, m: i32) -> (f64, f64) {
        let dof = d as f64 + m as f64 + 1.0;
        let c = dof * d as f64 * (gamma.ln() - 0.5 * 2.0f64.ln())
            - gmm::log_gamma_distrib(0.5 * dof, d);
        let constant = -(n as f64) * d as f64 * 0.5 * (2.0 * gmm::ADBENCH_PI).ln();
        (constant, c)
    }

    /// The hand-written gradient: per point, forward over the components keeping
    /// (x - mean) and Q (x - mean), then back through the log-sum-exp (posterior weights)
    /// into alphas, means, the lower triangles and the diagonals' accumulators; the
    /// diagonals' exp and the alpha and prior terms are closed once at the end.
    #[allow(clippy::too_many_arguments)]
    pub fn hand_gradient(
        d: usize,
        k: usize,
        n: usize,
        alphas: &[f64],
        means: &[f64],
        icf: &[f64],
        x: &[f64],
        gamma: f64,
        m: i32,
    ) -> (f64, Grad) {
        let icf_size = d * (d + 1) / 2;
        let tri = icf_size - d;
        let mut d_alphas = vec![0.0; k];
        let mut d_means = vec![0.0; k * d];
        let mut d_icf = vec![0.0; k * icf_size];
        let mut q_diag = vec![0.0; k * d];
        let mut sum_qs = vec![0.0; k];
        for ik in 0..k {
            let q = &icf[ik * icf_size..ik * icf_size + d];
            let mut s = 0.0;
            for (e, &qj) in q_diag[ik * d..(ik + 1) * d].iter_mut().zip(q) {
                s += qj;
                *e = qj.exp();
            }
            sum_qs[ik] = s;
        }
        // Sums over the points of dL/d(sum_qs[k]) and dL/d(q_diag[k][j]).
        let mut d_sum_qs = vec![0.0; k];
        let mut d_q_diag = vec![0.0; k * d];
        let mut centered = vec![0.0; k * d];
        let mut qx = vec![0.0; k * d];
        let mut weight = vec![0.0; k];
        let mut d_qx = vec![0.0; d];
        let mut slse = 0.0;
        for xi in x.chunks_exact(d).take(n) {
            for ik in 0..k {
                let c = &mut centered[ik * d..(ik + 1) * d];
                let y = &mut qx[ik * d..(ik + 1) * d];
                let qd = &q_diag[ik * d..(ik + 1) * d];
                let mu = &means[ik * d..(ik + 1) * d];
                for i in 0..d {
                    c[i] = xi[i] - mu[i];
                    y[i] = qd[i] * c[i];
                }
                let l = &icf[ik * icf_size + d..(ik + 1) * icf_size];
                let mut li = 0;
                for i in 0..d {
                    for j in i + 1..d {
                        y[j] += l[li] * c[i];
                        li += 1;
                    }
                }
                let mut sq = 0.0;
                for v in y.iter() {
                    sq += v * v;
                }
                weight[ik] = alphas[ik] + sum_qs[ik] - 0.5 * sq;
            }
            let mut mx = weight[0];
            for &v in &weight[1..] {
                mx = mx.max(v);
            }
            let mut se = 0.0;
            for v in weight.iter_mut() {
                *v = (*v - mx).exp();
                se += *v;
            }
            slse += se.ln() + mx;
            // Back: dL/d(main_term[k]) is the posterior weight w = exp(main_term - lse).
            let inv = 1.0 / se;
            for ik in 0..k {
                let w = weight[ik] * inv;
                d_alphas[ik] += w;
                d_sum_qs[ik] += w;
                let c = &centered[ik * d..(ik + 1) * d];
                let y = &qx[ik * d..(ik + 1) * d];
                let qd = &q_diag[ik * d..(ik + 1) * d];
                let l = &icf[ik * icf_size + d..(ik + 1) * icf_size];
                let d_l = &mut d_icf[ik * icf_size + d..(ik + 1) * icf_size];
                let d_qd = &mut d_q_diag[ik * d..(ik + 1) * d];
                let d_mu = &mut d_means[ik * d..(ik + 1) * d];
                // main_term = .. - 0.5 |y|^2: dL/dy = -w y.
                for (g, v) in d_qx.iter_mut().zip(y) {
                    *g = -w * v;
                }
                let mut li = 0;
                for i in 0..d {
                    let ci = c[i];
                    d_qd[i] += d_qx[i] * ci;
                    let mut d_c = qd[i] * d_qx[i];
                    for j in i + 1..d {
                        d_l[li] += d_qx[j] * ci;
                        d_c += l[li] * d_qx[j];
                        li += 1;
                    }
                    d_mu[i] -= d_c;
                }
                debug_assert_eq!(li, tri);
            }
        }
        // -n * logsumexp(alphas).
        let mut amax = alphas[0];
        for &a in &alphas[1..] {
            amax = amax.max(a);
        }
        let mut asum = 0.0;
        for &a in alphas {
            asum += (a - amax).exp();
        }
        let lse_alphas = asum.ln() + amax;
        let nf = n as f64;
        for (g, &a) in d_alphas.iter_mut().zip(alphas) {
            *g -= nf * (a - amax).exp() / asum;
        }
        // The prior: 0.5 gamma^2 |Q|_F^2 - m sum_qs, and the diagonals' exp.
        let g2 = gamma * gamma;
        let mf = m as f64;
        let mut prior = 0.0;
        for ik in 0..k {
            let row = &icf[ik * icf_size..(ik + 1) * icf_size];
            let d_row = &mut d_icf[ik * icf_size..(ik + 1) * icf_size];
            let mut frobenius = 0.0;
            for j in 0..d {
                let qd = q_diag[ik * d + j];
                frobenius += qd * qd;
                d_row[j] = (d_q_diag[ik * d + j] + g2 * qd) * qd + d_sum_qs[ik] - mf;
            }
            for j in d..icf_size {
                frobenius += row[j] * row[j];
                d_row[j] += g2 * row[j];
            }
            prior += 0.5 * g2 * frobenius - mf * sum_qs[ik];
        }
        let (constant, c) = constants(d, n, gamma, m);
        let value = constant + slse - nf * lse_alphas + prior - k as f64 * c;
        (value, (d_alphas, d_means, d_icf))
    }

    /// `gmm_objective` over a scalar type, parameters flattened: alphas, means, icf.
    pub fn generic<S: Real>(g: &GmmInput, p: &[S]) -> S {
        let (d, k, n) = (g.d, g.k, g.n);
        let icf_size = d * (d + 1) / 2;
        let (alphas, rest) = p.split_at(k);
        let (means, icf) = rest.split_at(k * d);
        let zero = S::cst(0.0);
        let mut q_diag = vec![zero; k * d];
        let mut sum_qs = vec![zero; k];
        for ik in 0..k {
            let mut s = zero;
            for j in 0..d {
                let q = icf[ik * icf_size + j];
                s += q;
                q_diag[ik * d + j] = q.exp();
            }
            sum_qs[ik] = s;
        }
        let mut slse = zero;
        let mut main_term = vec![zero; k];
        let mut qx = vec![zero; d];
        for ix in 0..n {
            let xi = &g.x[ix * d..(ix + 1) * d];
            for ik in 0..k {
                for i in 0..d {
                    qx[i] = q_diag[ik * d + i] * (-means[ik * d + i] + xi[i]);
                }
                let mut l = ik * icf_size + d;
                for i in 0..d {
                    let centered = -means[ik * d + i] + xi[i];
                    for j in (i + 1)..d {
                        qx[j] += icf[l] * centered;
                        l += 1;
                    }
                }
                let mut sq = zero;
                for &v in &qx {
                    sq += v * v;
                }
                main_term[ik] = alphas[ik] + sum_qs[ik] - sq * 0.5;
            }
            let mut mx = main_term[0];
            for &v in &main_term[1..] {
                mx = mx.max(v);
            }
            let mut se = zero;
            for &v in &main_term {
                se += (v - mx).exp();
            }
            slse += se.ln() + mx;
        }
        let mut amax = alphas[0];
        for &a in &alphas[1..] {
            amax = amax.max(a);
        }
        let mut asum = zero;
        for &a in alphas {
            asum += (a - amax).exp();
        }
        let lse_alphas = asum.ln() + amax;
        let mut prior = zero;
        for ik in 0..k {
            let mut frobenius = zero;
            for j in 0..d {
                let q = q_diag[ik * d + j];
                frobenius += q * q;
            }
            for j in d..icf_size {
                let l = icf[ik * icf_size + j];
                frobenius += l * l;
            }
            prior += frobenius * (0.5 * g.gamma * g.gamma) - sum_qs[ik] * g.m as f64;
        }
        let (constant, c) = constants(d, n, g.gamma, g.m);
        slse - lse_alphas * n as f64 + prior + (constant - k as f64 * c)
    }

    pub fn flat(g: &GmmInput) -> Vec<f64> {
        [&g.alphas[..], &g.means[..], &g.icf[..]].concat()
    }

    pub fn flat_grad(g: &Grad) -> Vec<f64> {
        [&g.0[..], &g.1[..], &g.2[..]].concat()
    }

    pub fn fd(g: &GmmInput) -> Vec<f64> {
        let mut q = (g.alphas.clone(), g.means.clone(), g.icf.clone());
        let f = |q: &Grad| gmm::gmm_objective(g.d, g.k, g.n, &q.0, &q.1, &q.2, &g.x, g.gamma, g.m);
        let mut out = Vec::new();
        for i in 0..q.0.len() {
            out.push(central(&mut q, |q| &mut q.0[i], f));
        }
        for i in 0..q.1.len() {
            out.push(central(&mut q, |q| &mut q.1[i], f));
        }
        for i in 0..q.2.len() {
            out.push(central(&mut q, |q| &mut q.2[i], f));
        }
        out
    }

    pub fn dual(g: &GmmInput, flat: &[f64]) -> Vec<f64> {
        dual_gradient(flat, |p| generic(g, p))
    }

    pub fn tape(g: &GmmInput, flat: &[f64]) -> Vec<f64> {
        tape_gradient(flat, |p| generic(g, p))
    }
}

// ----- a nonlinear recurrence ------------------------------------------------------------------

pub mod recurrence {
    use super::*;
    use autodiff::grad;

    pub const STEPS: usize = 1000;

    /// x <- sin(x) w_t + 0.5 x, for every t.
    #[grad(modes(tangent, hvp))]
    pub fn recurrence(x0: f64, w: &[f64]) -> f64 {
        let mut x = x0;
        for t in 0..w.len() {
            x = x.sin() * w[t] + 0.5 * x;
        }
        x
    }

    /// Forward keeping every x_t (and sin x_t, parked in the gradient buffer of w), then back:
    /// dL/dw_t = dL/dx_{t+1} sin x_t, dL/dx_t = dL/dx_{t+1} (w_t cos x_t + 0.5).
    pub fn hand(x0: f64, w: &[f64]) -> (f64, (f64, Vec<f64>)) {
        let mut xs = Vec::with_capacity(w.len());
        let mut dw = vec![0.0; w.len()];
        let mut x = x0;
        for (s, &wt) in dw.iter_mut().zip(w) {
            xs.push(x);
            *s = x.sin();
            x = *s * wt + 0.5 * x;
        }
        let mut dx = 1.0;
        for ((g, &wt), &xt) in dw.iter_mut().zip(w).zip(&xs).rev() {
            *g *= dx;
            dx *= wt * xt.cos() + 0.5;
        }
        (x, (dx, dw))
    }

    /// Parameters flattened: x0, then w.
    pub fn generic<S: Real>(p: &[S]) -> S {
        let mut x = p[0];
        for &wt in &p[1..] {
            x = x.sin() * wt + x * 0.5;
        }
        x
    }

    pub struct Problem {
        pub x0: f64,
        pub w: Vec<f64>,
    }

    impl Problem {
        /// Weights in [1.5, 2.5]: x stays away from the fixed point 0 and the adjoint neither
        /// explodes (chaotic, finite differences fail) nor decays into subnormals over 1000
        /// steps (with |w| < 1, x and the gradient underflow to 0).
        pub fn new() -> Self {
            let mut rng = Rng::new(5);
            Problem {
                x0: 0.7,
                w: rng.vec(STEPS, 1.5, 2.5),
            }
        }

        pub fn flat(&self) -> Vec<f64> {
            flat_grad(&(self.x0, self.w.clone()))
        }

        pub fn fd(&self) -> Vec<f64> {
            let mut q = (self.x0, self.w.clone());
            let f = |q: &(f64, Vec<f64>)| recurrence(q.0, &q.1);
            let mut g = Vec::with_capacity(STEPS + 1);
            g.push(central(&mut q, |q| &mut q.0, f));
            for t in 0..STEPS {
                g.push(central(&mut q, |q| &mut q.1[t], f));
            }
            g
        }

        pub fn dual(&self, flat: &[f64]) -> Vec<f64> {
            dual_gradient(flat, generic)
        }

        pub fn tape(&self, flat: &[f64]) -> Vec<f64> {
            tape_gradient(flat, generic)
        }
    }

    pub fn flat_grad(g: &(f64, Vec<f64>)) -> Vec<f64> {
        let mut v = vec![g.0];
        v.extend_from_slice(&g.1);
        v
    }
}

// ----- extended Rosenbrock ---------------------------------------------------------------------

pub mod rosenbrock {
    use super::*;
    use autodiff::grad;

    pub const N: usize = 100;

    /// The extended Rosenbrock function: independent pairs (x[2i], x[2i+1]), summed
    /// 100 (b - a²)² + (1 - a)², as a Rust user writes it (the benchmarked form).
    #[grad(modes(tangent, hvp))]
    pub fn rosenbrock(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() / 2 {
            let a = x[2 * i];
            let b = x[2 * i + 1];
            s += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
        }
        s
    }

    /// The same sum over `chunks_exact(2)` (checked against `rosenbrock`, not benchmarked).
    #[grad]
    pub fn rosenbrock_pairs(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for pair in x.chunks_exact(2) {
            let a = pair[0];
            let b = pair[1];
            s += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
        }
        s
    }

    /// One pass over the pairs: value and both partials of each pair, each gradient entry
    /// written once (into a buffer that comes zeroed from the allocator, as `vec![0.0; n]`
    /// does; pushing into `Vec::with_capacity` instead is 1.6x slower here, a capacity check
    /// per push). An odd last entry has no pair: its partial stays 0.
    pub fn hand(x: &[f64]) -> (f64, Vec<f64>) {
        let mut g = vec![0.0; x.len()];
        let mut s = 0.0;
        for (gp, p) in g.chunks_exact_mut(2).zip(x.chunks_exact(2)) {
            let (a, b) = (p[0], p[1]);
            let t = b - a * a;
            let u = 1.0 - a;
            s += 100.0 * (t * t) + u * u;
            gp[0] = -400.0 * a * t - 2.0 * u;
            gp[1] = 200.0 * t;
        }
        (s, g)
    }

    pub fn generic<S: Real>(x: &[S]) -> S {
        let mut s = S::cst(0.0);
        for i in 0..x.len() / 2 {
            let a = x[2 * i];
            let b = x[2 * i + 1];
            let t = b - a * a;
            // (a - 1)² = (1 - a)², exactly.
            let u = a - 1.0;
            s += t * t * 100.0 + u * u;
        }
        s
    }

    pub struct Problem {
        pub x: Vec<f64>,
    }

    impl Problem {
        pub fn new() -> Self {
            let mut rng = Rng::new(6);
            Problem {
                x: rng.vec(N, -2.0, 2.0),
            }
        }

        pub fn fd(&self) -> Vec<f64> {
            let mut q = self.x.clone();
            let mut g = Vec::with_capacity(N);
            for i in 0..N {
                g.push(central(&mut q, |q| &mut q[i], |q| rosenbrock(q)));
            }
            g
        }

        pub fn dual(&self, flat: &[f64]) -> Vec<f64> {
            dual_gradient(flat, generic)
        }

        pub fn tape(&self, flat: &[f64]) -> Vec<f64> {
            tape_gradient(flat, generic)
        }
    }
}

/// A dense tanh layer R^8 -> R^16, `y = tanh(W x + b)` with `W`, `b` data: its Jacobian with
/// respect to `x` (`NAME_jacobian` takes 8 tangent sweeps, one per input) against the
/// hand-written `diag(1 - y²) W`; and the same layer transposed, R^16 -> R^4 of a 4x16 `W`
/// (4 adjoint sweeps, one per output).
pub mod tanh_layer {
    use super::*;
    use autodiff::grad;

    pub const IN: usize = 8;
    pub const OUT: usize = 16;
    pub const NARROW: usize = 4;

    #[grad(x, modes(jacobian))]
    pub fn wide(x: &[f64; IN], w: &[[f64; IN]; OUT], b: &[f64; OUT]) -> [f64; OUT] {
        let mut y = [0.0; OUT];
        for i in 0..OUT {
            let mut z = b[i];
            for j in 0..IN {
                z += w[i][j] * x[j];
            }
            y[i] = z.tanh();
        }
        y
    }

    #[grad(x, modes(jacobian))]
    pub fn narrow(x: &[f64; OUT], w: &[[f64; OUT]; NARROW], b: &[f64; NARROW]) -> [f64; NARROW] {
        let mut y = [0.0; NARROW];
        for i in 0..NARROW {
            let mut z = b[i];
            for j in 0..OUT {
                z += w[i][j] * x[j];
            }
            y[i] = z.tanh();
        }
        y
    }

    /// `(y, J)` with `J[i][j] = (1 - y_i²) W[i][j]`: one pass.
    pub fn hand<const N: usize, const M: usize>(
        x: &[f64; N],
        w: &[[f64; N]; M],
        b: &[f64; M],
    ) -> ([f64; M], [[f64; N]; M]) {
        let mut y = [0.0; M];
        let mut j = [[0.0; N]; M];
        for i in 0..M {
            let mut z = b[i];
            for k in 0..N {
                z += w[i][k] * x[k];
            }
            y[i] = z.tanh();
            let s = 1.0 - y[i] * y[i];
            for k in 0..N {
                j[i][k] = s * w[i][k];
            }
        }
        (y, j)
    }

    pub struct Problem<const N: usize, const M: usize> {
        pub x: [f64; N],
        pub w: [[f64; N]; M],
        pub b: [f64; M],
    }

    impl<const N: usize, const M: usize> Problem<N, M> {
        pub fn new(seed: u64) -> Self {
            let mut rng = Rng::new(seed);
            let scale = 1.0 / (N as f64).sqrt();
            Problem {
                x: std::array::from_fn(|_| rng.uniform(-1.0, 1.0)),
                w: std::array::from_fn(|_| std::array::from_fn(|_| scale * rng.uniform(-1.5, 1.5))),
                b: std::array::from_fn(|_| rng.uniform(-0.1, 0.1)),
            }
        }
    }
}
