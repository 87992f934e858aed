//! Reverse loops whose iterations commute run them forwards (no nested loop, no carried adjoint
//! but an accumulator's, every adjoint array touched only at the counter, only added into, or
//! only read), reading their tape entries oldest first and starting their induction variables
//! from the value they ended with; look-alikes whose reverse iterations depend on each other's
//! adjoints stay backwards. Every gradient is
//! checked against central finite differences: a look-alike run forwards gets a wrong one.

#![allow(
    clippy::needless_range_loop,
    clippy::manual_memcpy,
    clippy::explicit_counter_loop
)] // index loops and running counters are what is being differentiated
mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// The lower-triangular product with a running index: the inner loop's reverse reads `d_y`
/// and adds into `d_lower` at `l`, which it starts from its final value minus its steps.
#[grad]
fn triangle_running_index(lower: &[f64], x: &[f64]) -> f64 {
    let d = x.len();
    let mut y = vec![0.0; d];
    for i in 0..d {
        y[i] = x[i];
    }
    let mut l = 0;
    for i in 0..d {
        for j in i + 1..d {
            y[j] += lower[l] * x[i];
            l += 1;
        }
    }
    let mut total = 0.0;
    for j in 0..d {
        total += y[j].sin() * y[j];
    }
    total
}

/// A descending induction (`k -= 2`) and an ascending one with a step the caller gives: both
/// index reads whose adjoints are only added (and nothing is taped: the products are
/// recomputed from the loads).
#[grad(w)]
fn gathered(w: &[f64], step: usize) -> f64 {
    let n = w.len();
    let mut g = vec![0.0; n];
    let mut k = 2 * n;
    let mut m = 0;
    for i in 0..n {
        k -= 2;
        g[i] = w[k / 2] * w[i] + w[m % n] * w[m % n];
        m += step;
    }
    let mut total = 0.0;
    for i in 0..n {
        total += g[i] * g[i] * (i as f64 + 1.0);
    }
    total
}

/// A signed induction running from below zero (`j: i64`).
#[grad]
fn signed_induction(w: &[f64]) -> f64 {
    let n = w.len();
    let mut g = vec![0.0; n];
    let mut j: i64 = -3;
    for i in 0..n {
        g[i] = w[i] * (j as f64) + w[n - 1 - i] * ((j * j) as f64);
        j += 1;
    }
    let mut total = 0.0;
    for i in 0..n {
        total += g[i].tanh();
    }
    total
}

/// An accumulator in a loop whose result is not used linearly (not fused): its adjoint is the
/// same in every reverse iteration, which run forwards.
#[grad]
fn norm_times_sum(w: &[f64]) -> f64 {
    let mut sq = 0.0;
    let mut total = 1.0;
    for i in 0..w.len() {
        sq += w[i] * w[i];
        total -= w[i] * 0.5;
    }
    sq.sqrt() * total
}

/// Must stay backwards: the carried value is scaled (`s = 0.5 s + w[i]`), so its adjoint
/// halves from one reverse iteration to the next.
#[grad]
fn discounted_sum(w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s = 0.5 * s + w[i] * w[i];
    }
    s * s
}

/// Values taped per iteration (two: a tuple) read oldest first by an inner loop that runs
/// forwards, nested in one that runs backwards (its carried value is squashed): every outer
/// iteration's reverse reads its own entries, the last outer iteration's first.
#[grad]
fn squashed_rows(w: &[f64], rows: usize) -> f64 {
    let mut s = 0.1;
    for r in 0..rows {
        let mut row = 0.0;
        for j in 0..w.len() {
            let z = w[j] * s + r as f64 * 0.1;
            row += z.exp().ln_1p() + z.sin() * w[j];
        }
        s = (s + row).tanh();
    }
    s
}

/// Must stay backwards: a recurrence through an array, `y[i]` from `y[i - 1]`. Iteration
/// `i`'s reverse adds into `d_y[i - 1]`, which iteration `i - 1`'s reverse then reads.
#[grad]
fn recurrence_through_an_array(w: &[f64]) -> f64 {
    let n = w.len();
    let mut y = vec![0.0; n + 1];
    for i in 1..n + 1 {
        y[i] = 0.5 * y[i - 1] + w[i - 1];
    }
    let mut total = 0.0;
    for i in 0..n + 1 {
        total += y[i].sin();
    }
    total
}

/// Must stay backwards: two iterations store into the same element. The later store's
/// reverse takes the element's adjoint and zeros it, so the earlier one's gets nothing.
#[grad]
fn stores_that_overwrite(w: &[f64]) -> f64 {
    let n = w.len();
    let mut s = vec![0.0; n.div_ceil(2)];
    for i in 0..n {
        s[i / 2] = w[i].sin() * w[i];
    }
    let mut total = 0.0;
    for i in 0..s.len() {
        total += s[i] * (i as f64 + 2.0);
    }
    total
}

#[test]
fn reverse_loops_run_forwards_match_finite_differences() {
    let mut rng = Rng::new(31);
    for d in [1, 2, 3, 7] {
        let lower = rng.vec(d * (d - 1) / 2, -1.0, 1.0);
        let x = rng.vec(d, -1.0, 1.0);
        let (_, (d_lower, d_x)) = triangle_running_index_grad(&lower, &x);
        let p = [&lower[..], &x[..]].concat();
        let split = lower.len();
        let f = |p: &[f64]| triangle_running_index(&p[..split], &p[split..]);
        assert_matches_fd(&f, &p, &[d_lower, d_x].concat(), "triangle_running_index");

        for step in [0, 1, 3] {
            let (_, g) = gathered_grad(&x, step);
            assert_matches_fd(&|w| gathered(w, step), &x, &g, "gathered");
        }
        let (_, g) = signed_induction_grad(&x);
        assert_matches_fd(&|w| signed_induction(w), &x, &g, "signed_induction");
        let (_, g) = norm_times_sum_grad(&x);
        assert_matches_fd(&|w| norm_times_sum(w), &x, &g, "norm_times_sum");
        for rows in [1, 4] {
            let (_, g) = squashed_rows_grad(&x, rows);
            assert_matches_fd(&|w| squashed_rows(w, rows), &x, &g, "squashed_rows");
        }
    }
}

#[test]
fn reverse_loops_that_must_stay_backwards_match_finite_differences() {
    let mut rng = Rng::new(32);
    for n in [1, 2, 5] {
        let w = rng.vec(n, -1.0, 1.0);
        let (_, g) = recurrence_through_an_array_grad(&w);
        assert_matches_fd(&|w| recurrence_through_an_array(w), &w, &g, "recurrence");
        let (_, g) = stores_that_overwrite_grad(&w);
        assert_matches_fd(&|w| stores_that_overwrite(w), &w, &g, "overwrite");
        let (_, g) = discounted_sum_grad(&w);
        assert_matches_fd(&|w| discounted_sum(w), &w, &g, "discounted");
    }
}
