//! `NAME_grad` writes, rather than adds, the contribution of an element that gets only one
//! (`x[2 * i]`, `x[2 * i + 1]` in a sum over pairs): the functions here are on both sides of
//! that line, and every gradient is checked against central differences, and `NAME_adjoint`
//! still adds into an accumulator that does not start at zero.
#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated

mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// One contribution per element: pairs.
#[grad]
fn pairs(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() / 2 {
        let (a, b) = (x[2 * i], x[2 * i + 1]);
        s += 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2);
    }
    s
}

/// One contribution per element: triples read out of order, a stepped loop.
#[grad]
fn triples_and_steps(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() / 3 {
        s += x[3 * i + 2] * x[3 * i] - x[1 + 3 * i].sin();
    }
    for i in (0..y.len()).step_by(2) {
        s += y[i] * y[i];
    }
    s
}

/// Two contributions per element: neighbours (`x[i + 1]` at `i` is `x[i]` at `i + 1`).
#[grad]
fn neighbours(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += (x[i + 1] - x[i]).powi(2);
    }
    s
}

/// Two contributions: two strides (`x[2]` is read at `i = 1` and at `i = 2`).
#[grad]
fn read_twice(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() / 2 {
        s += x[i].sin() * x[2 * i];
    }
    s
}

/// Two contributions: strides that meet (`x[2 i + 2]` at `i` is `x[2 i]` at `i + 1`).
#[grad]
fn strides_that_meet(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..(x.len() - 1) / 2 {
        s += x[2 * i] * x[2 * i + 2];
    }
    s
}

/// Two contributions: two loops, a read outside the loop, a nested loop.
#[grad]
fn several_places(x: &[f64], y: &[f64], z: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].exp();
    }
    for i in 0..x.len() {
        s += x[i] * 0.5;
    }
    s += y[0] * y[0];
    for i in 0..y.len() {
        s += y[i].cos();
    }
    for i in 0..z.len() {
        for _ in 0..2 {
            s += z[i] * 0.25;
        }
    }
    s
}

#[grad]
fn norm2(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += v[i] * v[i];
    }
    s
}

/// Lent to a call, which adds into the same shadow as the loop.
#[grad]
fn lent_to_a_call(x: &[f64]) -> f64 {
    let mut s = norm2(x);
    for i in 0..x.len() {
        s += x[i].tanh();
    }
    s
}

/// Branches: one contribution in each, at most one runs.
#[grad]
fn branches(x: &[f64], c: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if c > 0.0 {
            s += x[i] * c;
        } else {
            s -= x[i].sin();
        }
    }
    s
}

#[test]
fn gradients_match_central_differences_on_either_side_of_the_line() {
    let mut rng = Rng::new(23);
    for _ in 0..10 {
        let x = rng.vec(12, -1.5, 1.5);
        let y = rng.vec(7, -1.5, 1.5);
        let z = rng.vec(5, -1.5, 1.5);
        assert_matches_fd(&pairs, &x, &pairs_grad(&x).1, "pairs");
        let (_, (gx, gy)) = triples_and_steps_grad(&x, &y);
        assert_matches_fd(&|x| triples_and_steps(x, &y), &x, &gx, "triples");
        assert_matches_fd(&|y| triples_and_steps(&x, y), &y, &gy, "steps");
        assert_matches_fd(&neighbours, &x, &neighbours_grad(&x).1, "neighbours");
        assert_matches_fd(&read_twice, &x, &read_twice_grad(&x).1, "read_twice");
        let g = strides_that_meet_grad(&x).1;
        assert_matches_fd(&strides_that_meet, &x, &g, "strides_that_meet");
        let (_, (gx, gy, gz)) = several_places_grad(&x, &y, &z);
        assert_matches_fd(&|x| several_places(x, &y, &z), &x, &gx, "several x");
        assert_matches_fd(&|y| several_places(&x, y, &z), &y, &gy, "several y");
        assert_matches_fd(&|z| several_places(&x, &y, z), &z, &gz, "several z");
        assert_matches_fd(&lent_to_a_call, &x, &lent_to_a_call_grad(&x).1, "lent");
        for c in [0.7, -0.7] {
            let (_, (g, _)) = branches_grad(&x, c);
            assert_matches_fd(&|x| branches(x, c), &x, &g, "branches");
        }
    }
}

/// `NAME_adjoint` adds into what the accumulator holds; only `NAME_grad`'s zeros are
/// written over.
#[test]
fn the_adjoint_still_adds_into_a_nonzero_accumulator() {
    let x = [0.3, -0.8, 1.1, 0.4];
    let (_, g) = pairs_grad(&x);
    let mut acc = [10.0, 20.0, 30.0, 40.0];
    pairs_adjoint(&x, 2.0, &mut acc[..]);
    for i in 0..4 {
        assert_eq!(acc[i], [10.0, 20.0, 30.0, 40.0][i] + 2.0 * g[i]);
    }
}
