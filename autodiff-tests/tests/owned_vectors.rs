//! `Vec<T>` parameters taken by value (an audio buffer, `process(&mut self, x: Vec<f64>)`; a
//! list of pool fees, `multihop(pools: Vec<f64>, amount: f64)`): differentiated as `&Vec<T>`
//! is (gradient `Vec<T>`, shadow `&mut [T]`), or data with no shadow where `#[grad(..)]`
//! leaves them out (their numbers passed to functions as written);
//! the items that call the function more than once (Hessians, Jacobians) pass clones, and a
//! caller handing a local `Vec` on by value passes each of its calls a clone, through the
//! callee's `_with_data` (which takes one whether it differentiates it or not).

mod common;

use autodiff::grad;
use common::assert_matches_fd;

#[grad]
fn after_fee(amount: f64, fee: f64) -> f64 {
    amount * (1.0 - fee)
}

/// The items of a `Vec` of data, by value.
#[grad(initial_amount)]
fn multihop(pools: Vec<f64>, initial_amount: f64) -> f64 {
    let mut a = initial_amount;
    for fee in pools {
        a = after_fee(a, fee);
    }
    a
}

#[grad(modes(tangent, hvp, hessian))]
fn energy(x: Vec<f64>) -> f64 {
    let mut s = 0.0;
    for v in x.iter() {
        s += v * v * v;
    }
    s
}

#[grad(modes(jacobian))]
fn drive(gain: f64, x: Vec<f64>) -> Vec<f64> {
    let mut y = Vec::new();
    for x0 in x {
        y.push((gain * x0).tanh());
    }
    y
}

/// Locals handed on by value: differentiated ones to functions that differentiate them, a
/// `Vec` of data to one that reads it as data (a differentiated one there would lose its
/// gradient: a compile error says so).
#[grad]
fn both(x: &[f64]) -> f64 {
    let a = x.to_vec();
    let c = x.to_vec();
    let fees = vec![0.01, 0.02];
    energy(a) + multihop(fees, x[0]) + drive(0.5, c)[0]
}

#[test]
fn a_vec_by_value_is_differentiated_or_data() {
    assert_eq!(
        multihop_grad(vec![0.01, 0.02], 100.0),
        (100.0 * 0.99 * 0.98, 0.99 * 0.98)
    );
    assert_eq!(energy_grad(vec![1.0, 2.0]), (9.0, vec![3.0, 12.0]));
    let (_, _, hessian) = energy_hessian(vec![1.0, 2.0]);
    assert_eq!(hessian, vec![vec![6.0, 0.0], vec![0.0, 12.0]]);
    assert_eq!(
        energy_tangent(vec![1.0, 2.0], &[1.0, 0.5][..]),
        (9.0, 3.0 + 6.0)
    );
    let (value, (by_gain, by_x)) = drive_jacobian(0.5, vec![1.0, -2.0]);
    for (i, x) in [1.0f64, -2.0].into_iter().enumerate() {
        let slope = 1.0 - (0.5 * x).tanh().powi(2);
        assert_eq!(value[i], (0.5 * x).tanh());
        assert!((by_gain[i] - x * slope).abs() < 1e-15);
        assert!((by_x[i][i] - 0.5 * slope).abs() < 1e-15);
    }
    let x = [0.1, 0.2, -0.3];
    let (value, gradient) = both_grad(&x);
    assert_eq!(value, both(&x));
    assert_matches_fd(&|x| both(x), &x, &gradient, "both");
}

/// A `Vec` of data by value, under `modes(hessian)`: each `_hvp` of the Hessian gets a clone.
#[grad(w, modes(hessian))]
fn fit(w: &[f64], x: Vec<f64>, y: f64) -> f64 {
    let z: f64 = w.iter().zip(x.iter()).map(|(a, b)| a * b).sum();
    (z.tanh() - y).powi(2)
}

/// A `vec!` written in the call, by value.
#[grad]
fn fit_here(w: &[f64]) -> f64 {
    fit(w, vec![1.0, 0.5], 0.2) + w[0]
}

#[test]
fn data_vecs_by_value_in_second_order_and_in_calls() {
    let w = [0.2, -0.5];
    let (value, gradient, hessian) = fit_hessian(&w, vec![1.0, 0.5], 0.2);
    assert_eq!(value, fit(&w, vec![1.0, 0.5], 0.2));
    assert_matches_fd(&|w| fit(w, vec![1.0, 0.5], 0.2), &w, &gradient, "fit");
    for (i, row) in hessian.iter().enumerate() {
        let moved = |w: &[f64]| fit_grad(w, vec![1.0, 0.5], 0.2).1[i];
        assert_matches_fd(&moved, &w, row, "fit hessian row");
    }
    let (value, gradient) = fit_here_grad(&w);
    assert_eq!(value, fit_here(&w));
    assert_matches_fd(&|w| fit_here(w), &w, &gradient, "fit_here");
}
