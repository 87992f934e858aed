//! Local vectors of data declared without an element type and assigned whole later
//! (`let mut idx = Vec::new(); idx = (0..n).collect();`): kept as written under the user's
//! name, changed in place (`idx.reverse()`), read as indices. They were taken for float
//! arrays ("cannot index with a float", or code that did not compile). A vector assigned a
//! differentiated value that the `let` could not see yet is a clear error
//! (`tests/ui/body/untyped-vec-assigned-float.rs`). A vector a loop fills with its counter
//! (`idx.push(i)`) is one of indices too, and a typed vector of indices picked by comparing
//! differentiated values (`let peaks: Vec<usize> = (1..n - 1).filter(..).collect();`) is data.

#![allow(unused_assignments)] // `Vec::new()` then assigned whole: the shape under test
mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

/// Indices collected, reversed in place, iterated and indexed.
#[grad(modes(tangent))]
fn reversed_order(x: &[f64]) -> f64 {
    let n = x.len();
    let mut idx = Vec::new();
    idx = (0..n).collect();
    idx.reverse();
    let mut s = 0.0;
    for (k, &i) in idx.iter().enumerate() {
        s += (k as f64 + 1.0) * x[i] * x[i];
    }
    s
}

/// The vector changes between two loops that read it: the first loop's reverse sweep must
/// see the indices it read, not the later ones.
#[grad]
fn changed_between_loops(x: &[f64]) -> f64 {
    let n = x.len();
    let mut order = Vec::new();
    order = (0..n).rev().collect();
    let mut s = 0.0;
    for k in 0..n {
        s += x[order[k]].sin() * (k as f64 + 1.0);
    }
    order = (0..n).map(|i| (i * 3) % n).collect();
    for k in 0..n {
        s += x[order[k]] * x[k];
    }
    s + order.len() as f64
}

/// Assigned in a loop, by a branch: each round's reverse sweep sees that round's order.
#[grad]
fn reordered_each_round(x: &[f64]) -> f64 {
    let n = x.len();
    let mut idx = Vec::new();
    let mut s = 0.0;
    for r in 0..3 {
        idx = if r % 2 == 0 {
            (0..n).collect()
        } else {
            (0..n).rev().collect()
        };
        for p in 0..n {
            s += x[idx[p]].sin() * (p as f64 + 1.0) * (r as f64 + 1.0);
        }
    }
    s
}

/// Floats that are data: read, never differentiated.
#[grad]
fn data_weights(x: &[f64]) -> f64 {
    let mut w = Vec::new();
    w = (0..x.len()).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let mut s = 0.0;
    for i in 0..x.len() {
        s += w[i] * x[i].exp();
    }
    s
}

/// With its type written, a vector assigned a differentiated value later is an array of
/// floats, as before.
#[grad]
fn typed_then_assigned(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    let squares: Vec<f64> = x.iter().map(|a| a * a).collect();
    v = squares;
    v.iter().sum::<f64>() * v[0]
}

#[test]
fn data_vectors_match_finite_differences() {
    let mut rng = Rng::new(91);
    for n in [1, 2, 5, 9] {
        let x = rng.vec(n, -1.5, 1.5);
        let (value, g) = reversed_order_grad(&x);
        assert_eq!(value, reversed_order(&x));
        assert_matches_fd(&|x| reversed_order(x), &x, &g, "reversed_order");
        let (_, g) = changed_between_loops_grad(&x);
        assert_matches_fd(
            &|x| changed_between_loops(x),
            &x,
            &g,
            "changed_between_loops",
        );
        let (_, g) = reordered_each_round_grad(&x);
        assert_matches_fd(&|x| reordered_each_round(x), &x, &g, "reordered_each_round");
        let (_, g) = data_weights_grad(&x);
        assert_matches_fd(&|x| data_weights(x), &x, &g, "data_weights");
        let (_, g) = typed_then_assigned_grad(&x);
        assert_matches_fd(&|x| typed_then_assigned(x), &x, &g, "typed_then_assigned");
    }
}

#[test]
fn hand_derived_values() {
    // Reversed: x[2] gets weight 1, x[1] weight 2, x[0] weight 3.
    let x = [1.0, -2.0, 0.5];
    let (value, g) = reversed_order_grad(&x);
    assert_eq!(value, 3.0 * 1.0 + 2.0 * 4.0 + 0.25);
    assert_eq!(g, vec![6.0, -8.0, 1.0]);
    let t = [0.0, 1.0, 0.0];
    let (_, dot) = reversed_order_tangent(&x, &t[..]);
    assert_eq!(dot, g[1]);
    // d/dx_i of sum_i w_i exp(x_i) is w_i exp(x_i), w_i = 1 / (i + 1).
    let (_, g) = data_weights_grad(&x);
    for (i, gi) in g.iter().enumerate() {
        assert_eq!(*gi, x[i].exp() / (i as f64 + 1.0));
    }
}

/// Biosignal features (the medical-signal probe): indices pushed by a loop's counter, a
/// typed local pushed once per iteration, and peak indices picked by a filter over a range
/// that compares the differentiated samples.
#[grad]
fn weighted_by_index(x: &[f64]) -> f64 {
    let mut idx = Vec::new();
    for i in 0..x.len() {
        idx.push(i);
    }
    idx.iter().map(|&i| i as f64 * x[i]).sum()
}

#[grad]
#[allow(clippy::needless_range_loop)] // as the probed code indexes
fn sines_typed(x: &[f64]) -> f64 {
    let mut p = Vec::new();
    for s in 0..x.len() {
        let tp: f64 = x[s].sin();
        p.push(tp);
    }
    p.iter().sum()
}

#[grad]
fn mean_peak_amplitude(x: &[f64]) -> f64 {
    let peaks: Vec<usize> = (1..x.len() - 1)
        .filter(|&i| x[i] > x[i - 1] && x[i] > x[i + 1])
        .collect();
    peaks.iter().map(|&i| x[i].abs()).sum::<f64>() / peaks.len() as f64
}

#[test]
fn index_vectors_typed_pushes_and_picked_peaks() {
    let x = [0.1, 0.5, 0.2, -0.7, -0.9, 0.3];
    let (value, d) = weighted_by_index_grad(&x);
    assert_eq!(value, weighted_by_index(&x));
    assert_eq!(d, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    let (value, d) = sines_typed_grad(&x);
    assert_eq!(value, sines_typed(&x));
    assert_eq!(d, x.iter().map(|v| v.cos()).collect::<Vec<_>>());
    // Peaks at 1 (0.5) and 5 is an end: only index 1; -0.9 is a trough.
    let (value, d) = mean_peak_amplitude_grad(&x);
    assert_eq!(value, 0.5);
    assert_eq!(d, vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
}
