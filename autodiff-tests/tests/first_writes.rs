//! First writes: where the reverse sweep adds into an element of an array parameter only once,
//! `NAME_adjoint` says so (`SliceShadow::add_first_at`) and `NAME_grad`'s zeroed accumulator
//! stores instead of adding. Reads that do meet (overlapping offsets, a stride the offsets
//! reach, the same constant index twice, a second loop, a call) must still add. Every
//! gradient is checked against central finite differences, and `_adjoint` into an accumulator
//! that already holds something must add to it, first writes included.

#![allow(clippy::needless_range_loop, clippy::identity_op)] // indexed reads are what is tested
mod common;

use autodiff::{grad, SliceShadow, Zeroed};
use common::{assert_matches_fd, Rng};

/// Pairs `x[2i]`, `x[2i + 1]`: every element read once (first writes).
#[grad]
fn pairs(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() / 2 {
        let a = x[2 * i];
        let b = x[2 * i + 1];
        s += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
    }
    s
}

/// Neighbours `x[i]`, `x[i + 1]`: each element read by two iterations.
#[grad]
fn neighbours(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += (x[i] * x[i + 1]).sin();
    }
    s
}

/// A stride of three read at offsets 0 and 3: iteration i's second read is i + 1's first.
#[grad]
fn stride_reached(x: &[f64], rows: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..rows {
        s += x[3 * i].exp() * x[3 * i + 3];
    }
    s
}

/// A stride of three read at offsets 0 and 2, behind a base: no two reads meet.
#[grad]
fn stride_apart(x: &[f64], base: usize, rows: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..rows {
        s += x[base + 3 * i].exp() * x[base + 3 * i + 2];
    }
    s
}

/// Constant indices, `x[0]` twice.
#[grad]
fn constant_reads(x: &[f64; 3]) -> f64 {
    x[0] * x[1] + x[2].sin() - x[0].cos()
}

/// Constant indices, each once (first writes into a fixed-size array).
#[grad]
fn constant_reads_once(x: &[f64; 3]) -> f64 {
    x[0] * x[1] + x[2].sin()
}

/// Two loops over the same elements.
#[grad]
fn two_loops(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].sin();
    }
    let mut t = 0.0;
    for i in 0..x.len() {
        t += x[i] * s;
    }
    t
}

#[grad]
fn square(v: f64) -> f64 {
    v * v
}

/// A loop whose reads are first, and a call that reads the array too.
#[grad]
fn loop_and_call(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].tanh();
    }
    s + square(x[0]) + sum_of(x)
}

#[grad]
fn sum_of(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += v * v;
    }
    s
}

/// A loop stepping by two over `x[i]` and `x[i + 1]`: disjoint here, but not proven so.
#[grad]
fn stepped(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in (0..x.len() - 1).step_by(2) {
        s += x[i] * x[i + 1].cos();
    }
    s
}

fn check(what: &str, f: &dyn Fn(&[f64]) -> f64, g: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64]) {
    assert_matches_fd(f, x, &g(x), what);
}

#[test]
fn every_pattern_matches_finite_differences() {
    let mut rng = Rng::new(81);
    for n in [2, 3, 6, 9] {
        let x = rng.vec(n, -1.2, 1.2);
        check("pairs", &pairs, &|x| pairs_grad(x).1, &x);
        check("neighbours", &neighbours, &|x| neighbours_grad(x).1, &x);
        check("two_loops", &two_loops, &|x| two_loops_grad(x).1, &x);
        check(
            "loop_and_call",
            &loop_and_call,
            &|x| loop_and_call_grad(x).1,
            &x,
        );
        check("stepped", &stepped, &|x| stepped_grad(x).1, &x);
        let rows = (n - 1) / 3;
        check(
            "stride_reached",
            &|x| stride_reached(x, rows),
            &|x| stride_reached_grad(x, rows).1,
            &x,
        );
        let rows = (n - 1) / 3;
        check(
            "stride_apart",
            &|x| stride_apart(x, 1, rows),
            &|x| stride_apart_grad(x, 1, rows).1,
            &x,
        );
    }
    let x = [0.3, -0.7, 1.1];
    let fixed = |x: &[f64]| -> [f64; 3] { x.try_into().unwrap() };
    check(
        "constant_reads",
        &|x| constant_reads(&fixed(x)),
        &|x| constant_reads_grad(&fixed(x)).1.to_vec(),
        &x,
    );
    check(
        "constant_reads_once",
        &|x| constant_reads_once(&fixed(x)),
        &|x| constant_reads_once_grad(&fixed(x)).1.to_vec(),
        &x,
    );
}

/// `_adjoint` adds into what the accumulator holds, first writes included; `Zeroed` stores
/// them into zeros, to the same gradient.
#[test]
fn first_writes_add_into_a_filled_accumulator_and_store_into_a_zeroed_one() {
    let x = [0.5, -1.5, 2.0, 0.25];
    let (_, g) = pairs_grad(&x);
    let mut filled = [1.0; 4];
    pairs_adjoint(&x, 2.0, &mut filled[..]);
    for (f, g) in filled.iter().zip(&g) {
        assert_eq!(*f, 1.0 + 2.0 * g);
    }
    let mut zeros = [0.0; 4];
    pairs_adjoint(&x, 1.0, Zeroed::new(&mut zeros));
    assert_eq!(zeros.to_vec(), g);
    let mut fixed = [10.0; 3];
    constant_reads_once_adjoint(&[0.3, -0.7, 1.1], 1.0, &mut fixed);
    let (_, g) = constant_reads_once_grad(&[0.3, -0.7, 1.1]);
    assert_eq!(fixed, g.map(|g| 10.0 + g));
}

/// Lent to a callee, a zeroed accumulator is an ordinary one: the callee adds.
#[test]
fn a_zeroed_accumulator_lends_an_adding_one() {
    let mut zeros = [0.0; 3];
    let mut shadow = Zeroed::new(&mut zeros[..]);
    shadow.add_first_at(0, 1.0);
    let lent = SliceShadow::lend(&mut shadow);
    lent.add_first_at(0, 2.0);
    lent.add_at(1, 3.0);
    assert_eq!(zeros, [3.0, 3.0, 0.0]);
}

#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "must start at zero")]
fn a_zeroed_accumulator_must_start_at_zero() {
    let mut g = [0.0, 1.0];
    let _ = Zeroed::new(&mut g);
}
