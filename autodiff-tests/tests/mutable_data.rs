//! `&mut` data handed to a differentiated call (an RNG, a counter): the reverse sweep calls the
//! callee's `_adjoint`, which runs its forward sweep again, so it runs on a copy of the data as
//! it was before the call: the same random draws as the call, the user's data changed once.
//! (It ran on the data as the call left it: the next draw, a wrong value and gradient.)
#![allow(clippy::assign_op_pattern)]

mod common;

use autodiff::grad;
use common::{assert_close, assert_matches_fd};

/// xorshift64*.
#[derive(Clone, Debug, PartialEq)]
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[grad(w, modes(tangent, hvp))]
fn noisy(w: f64, rng: &mut Rng) -> f64 {
    w * rng.next_f64()
}

fn uniform(rng: &mut Rng) -> f64 {
    rng.next_f64()
}

/// Draws in a loop whose reverse runs right after each iteration, then one more.
#[grad(w, modes(tangent, hvp))]
fn noisy_sum(w: f64, n: usize, rng: &mut Rng) -> f64 {
    let mut total = 0.0;
    for _ in 0..n {
        total += noisy(w, rng).powi(2);
    }
    total + noisy(w * w, rng)
}

/// Draws in a loop whose reverse runs backwards after it (a product), one in a branch, and
/// one of data between them.
#[grad(w, modes(tangent, hvp))]
fn noisy_product(w: f64, n: usize, rng: &mut Rng, through_call: bool) -> f64 {
    let mut product = 1.0;
    for _ in 0..n {
        let u = uniform(rng);
        let v = if through_call { noisy(w, rng) } else { w * u };
        product = product * v;
    }
    product
}

#[grad(w)]
fn counted(w: &[f64; 2], calls: &mut usize) -> f64 {
    *calls += 1;
    w[0] * w[1] * *calls as f64
}

#[grad(w)]
fn counted_twice(w: &[f64; 2], calls: &mut usize) -> f64 {
    counted(w, calls).sin() + counted(w, calls)
}

/// Inverted dropout with a mask drawn per input.
#[grad(w)]
fn dropout(w: &[f64; 3], x: &[f64; 3], rng: &mut Rng) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        if rng.next_f64() > 0.5 {
            s += w[i] * x[i] * 2.0;
        }
    }
    s
}

#[grad(w)]
fn dropout_loss(w: &[f64; 3], xs: &[[f64; 3]], rng: &mut Rng) -> f64 {
    let mut total = 0.0;
    for x in xs {
        total += (dropout(w, x, rng) - 1.0).powi(2);
    }
    total
}

fn fd(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// The state a call of `f` leaves an `Rng(seed)` in.
fn after(seed: u64, f: impl Fn(&mut Rng)) -> Rng {
    let mut rng = Rng(seed);
    f(&mut rng);
    rng
}

#[test]
fn a_call_handed_an_rng_is_replayed_from_its_draws() {
    for seed in [7, 11, 12345] {
        let mut rng = Rng(seed);
        let (value, d) = noisy_sum_grad(2.0, 3, &mut rng);
        assert_eq!(value, noisy_sum(2.0, 3, &mut Rng(seed)));
        assert_close(d, fd(|w| noisy_sum(w, 3, &mut Rng(seed)), 2.0), 1e-6);
        // Drawn from as often as the function itself draws.
        assert_eq!(
            rng,
            after(seed, |r| {
                let _ = noisy_sum(2.0, 3, r);
            })
        );
        let mut rng = Rng(seed);
        let (tangent_value, tangent) = noisy_sum_tangent(2.0, 3, &mut rng, 1.0);
        assert_eq!((tangent_value, tangent), (value, d));
        assert_eq!(
            rng,
            after(seed, |r| {
                let _ = noisy_sum(2.0, 3, r);
            })
        );
        // Sum of (w u_i)^2 and w^2 u_4: the second derivative is the value over w^2, times 2.
        let (hvp_value, hvp_d, hv) = noisy_sum_hvp(2.0, 3, &mut Rng(seed), 1.0);
        assert_eq!(hvp_value, value);
        assert_close(hvp_d, d, 1e-12);
        assert_close(hv, 2.0 * value / 4.0, 1e-12);
    }
}

#[test]
fn draws_in_a_branch_and_in_a_loop_reversed_backwards() {
    for through_call in [false, true] {
        let (value, d) = noisy_product_grad(1.3, 4, &mut Rng(5), through_call);
        assert_eq!(value, noisy_product(1.3, 4, &mut Rng(5), through_call));
        let numeric = fd(|w| noisy_product(w, 4, &mut Rng(5), through_call), 1.3);
        assert_close(d, numeric, 1e-6);
        // w^4 times the draws: d = 4 value / w, Hv = 12 value / w^2.
        assert_close(d, 4.0 * value / 1.3, 1e-12);
        let (_, _, hv) = noisy_product_hvp(1.3, 4, &mut Rng(5), through_call, 1.0);
        assert_close(hv, 12.0 * value / (1.3 * 1.3), 1e-12);
        let mut rng = Rng(5);
        noisy_product_grad(1.3, 4, &mut rng, through_call);
        assert_eq!(
            rng,
            after(5, |r| {
                let _ = noisy_product(1.3, 4, r, through_call);
            })
        );
    }
}

#[test]
fn a_counter_handed_on_counts_each_call_once() {
    let mut calls = 0;
    let (value, g) = counted_twice_grad(&[1.0, 2.0], &mut calls);
    assert_eq!(calls, 2);
    assert_eq!(value, counted_twice(&[1.0, 2.0], &mut 0));
    // sin(w0 w1) + 2 w0 w1.
    assert_close(g[0], 2.0 * 2.0f64.cos() + 4.0, 1e-12);
    assert_close(g[1], 2.0f64.cos() + 2.0, 1e-12);
}

#[test]
fn dropout_masks_are_the_forward_sweeps() {
    let xs = [[1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [1.5, 0.2, -0.3]];
    let w = [0.3, -0.2, 0.5];
    for seed in [9, 10, 99] {
        let (value, g) = dropout_loss_grad(&w, &xs, &mut Rng(seed));
        assert_eq!(value, dropout_loss(&w, &xs, &mut Rng(seed)));
        let f = |p: &[f64]| dropout_loss(&[p[0], p[1], p[2]], &xs, &mut Rng(seed));
        assert_matches_fd(&f, &w, &g, "dropout_loss");
    }
}

pub struct Routing {
    pub uh: Vec<f64>,
}

/// rainflow's GR4J step: a loop over the items of a `&mut` parameter read as data
/// (`iter_mut()`), writing data alone, runs as written, once (it was rejected as an index of
/// something that is not an array).
#[grad(p)]
fn routed(state: &mut Routing, p: f64) -> f64 {
    for st in state.uh.iter_mut() {
        *st += 1.0;
    }
    for (st, o) in state.uh.iter_mut().zip([0.5, 0.25]) {
        *st = *st + o;
    }
    state.uh[0] * p * p
}

#[test]
fn a_loop_over_data_alone_runs_as_written() {
    let mut state = Routing { uh: vec![1.0, 2.0] };
    let (value, d_p) = routed_grad(&mut state, 3.0);
    assert_eq!(state.uh, [2.5, 3.25]);
    assert_eq!((value, d_p), (2.5 * 9.0, 2.5 * 6.0));
}
