//! Datasets as slices of tuples and of structs, taken apart by patterns the way Rust binds
//! them (`for (x, y) in data` over `&[([f64; 2], f64)]` binds `x: &[f64; 2]`, `y: &f64`), and
//! their parts handed to `#[grad]` functions: an array part is lent as written and a float
//! part passed with a `Const` shadow, an integer part stays an integer.

// Index loops and `&Vec` parameters are among the ways such code is written.
#![allow(clippy::needless_range_loop, clippy::ptr_arg)]

use autodiff::{grad, Params};

#[grad(w, modes(tangent, hvp))]
fn predict(w: &[f64; 2], x: &[f64; 2]) -> f64 {
    w[0] * x[0] + w[1] * x[1]
}

#[grad(w)]
fn predict_slice(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

#[grad(w)]
fn scaled_sum(w: &[f64], s: f64) -> f64 {
    w.iter().map(|v| v * s).sum()
}

/// Squared errors of `predict`, as every function below computes them in its own way.
fn squared_errors(w: &[f64; 2], data: &[([f64; 2], f64)]) -> (f64, [f64; 2]) {
    let (mut value, mut g) = (0.0, [0.0; 2]);
    for (x, y) in data {
        let r = w[0] * x[0] + w[1] * x[1] - y;
        value += r * r;
        g[0] += 2.0 * r * x[0];
        g[1] += 2.0 * r * x[1];
    }
    (value, g)
}

fn data() -> Vec<([f64; 2], f64)> {
    vec![([1.0, 2.0], 0.5), ([-0.5, 0.3], -0.1), ([0.25, -1.5], 0.7)]
}

const W: [f64; 2] = [0.3, -0.2];

fn assert_close(got: (f64, &[f64]), expected: (f64, &[f64])) {
    assert!(
        (got.0 - expected.0).abs() < 1e-14,
        "{} {}",
        got.0,
        expected.0
    );
    for (g, e) in got.1.iter().zip(expected.1) {
        assert!((g - e).abs() < 1e-14, "{:?} {:?}", got.1, expected.1);
    }
}

#[grad(w, modes(tangent, hvp))]
fn tuple_refs(w: &[f64; 2], data: &[([f64; 2], f64)]) -> f64 {
    let mut total = 0.0;
    for (x, y) in data {
        total += (predict(w, x) - y).powi(2);
    }
    total
}

#[grad(w)]
fn tuple_copies(w: &[f64; 2], data: &[([f64; 2], f64)]) -> f64 {
    let mut total = 0.0;
    for &(x, y) in data {
        total += (predict(w, &x) - y).powi(2);
    }
    total
}

#[grad(w)]
fn tuple_indexed(w: &[f64; 2], data: &Vec<([f64; 2], f64)>) -> f64 {
    let mut total = 0.0;
    for i in 0..data.len() {
        let (x, y) = data[i];
        total += (predict(w, &x) - y).powi(2);
    }
    total
}

#[grad(w)]
fn tuple_in_closure(w: &[f64; 2], data: &[([f64; 2], f64)]) -> f64 {
    data.iter().map(|(x, y)| (predict(w, x) - y).powi(2)).sum()
}

#[grad(w)]
fn array_part_taken_apart(w: &[f64; 2], data: &[([f64; 2], f64)]) -> f64 {
    let mut total = 0.0;
    for (x, y) in data {
        let [a, b] = *x;
        total += (w[0] * a + w[1] * b - y).powi(2);
    }
    total
}

#[test]
fn tuple_parts_are_bound_as_rust_binds_them() {
    let data = data();
    let expected = squared_errors(&W, &data);
    let expected = (expected.0, &expected.1[..]);
    for (value, g) in [
        tuple_refs_grad(&W, &data),
        tuple_copies_grad(&W, &data),
        tuple_indexed_grad(&W, &data),
        tuple_in_closure_grad(&W, &data),
        array_part_taken_apart_grad(&W, &data),
    ] {
        assert_close((value, &g), expected);
    }
}

#[test]
fn tuple_parts_reach_the_tangent_and_hessian() {
    let data = data();
    let v = [0.7, -0.4];
    let (value, tangent) = tuple_refs_tangent(&W, &data, &v);
    let (expected, g) = squared_errors(&W, &data);
    assert!((value - expected).abs() < 1e-14);
    assert!((tangent - (g[0] * v[0] + g[1] * v[1])).abs() < 1e-14);
    // The Hessian is 2 sum x x^T.
    let (_, grad, hv) = tuple_refs_hvp(&W, &data, &v);
    assert_close((value, &grad), (expected, &g));
    let mut by_hand = [0.0; 2];
    for (x, _) in &data {
        let xv = x[0] * v[0] + x[1] * v[1];
        by_hand[0] += 2.0 * x[0] * xv;
        by_hand[1] += 2.0 * x[1] * xv;
    }
    assert_close((0.0, &hv), (0.0, &by_hand));
}

#[grad(w)]
fn vec_features(w: &[f64], data: &[(Vec<f64>, f64)]) -> f64 {
    let mut total = 0.0;
    for (x, y) in data {
        total += (predict_slice(w, x) - y).powi(2);
    }
    total
}

#[grad(w)]
fn scalar_parts(w: &[f64], data: &[(f64, f64)]) -> f64 {
    let mut total = 0.0;
    for (s, y) in data {
        total += scaled_sum(w, *s) * y;
    }
    total
}

#[test]
fn vector_and_scalar_parts_are_passed_with_const_shadows() {
    let data = data();
    let rows: Vec<(Vec<f64>, f64)> = data.iter().map(|(x, y)| (x.to_vec(), *y)).collect();
    let (value, g) = vec_features_grad(&W, &rows);
    let (expected, by_hand) = squared_errors(&W, &data);
    assert_close((value, &g), (expected, &by_hand));
    // sum_k y_k s_k sum_j w_j: every entry of the gradient is sum_k y_k s_k.
    let pairs = [(0.5, 1.0), (2.0, -0.3)];
    let (_, g) = scalar_parts_grad(&W, &pairs);
    assert_close((0.0, &g), (0.0, &[-0.1, -0.1]));
}

pub struct Sample {
    pub x: [f64; 2],
    pub y: f64,
}

#[grad(w)]
fn struct_pattern(w: &[f64; 2], samples: &[Sample]) -> f64 {
    let mut total = 0.0;
    for Sample { x, y } in samples {
        total += (predict(w, x) - y).powi(2);
    }
    total
}

/// An integer part stays an integer: compared, never passed a shadow.
#[grad(w)]
fn labelled(w: &[f64; 2], data: &[([f64; 2], usize)]) -> f64 {
    let mut total = 0.0;
    for (x, label) in data {
        let target = if *label == 1 { 1.0 } else { 0.0 };
        total += (predict(w, x) - target).powi(2);
    }
    total
}

#[test]
fn struct_patterns_and_integer_parts() {
    let data = data();
    let samples: Vec<Sample> = data.iter().map(|&(x, y)| Sample { x, y }).collect();
    let (value, g) = struct_pattern_grad(&W, &samples);
    let (expected, by_hand) = squared_errors(&W, &data);
    assert_close((value, &g), (expected, &by_hand));
    let labels: Vec<([f64; 2], usize)> = data
        .iter()
        .enumerate()
        .map(|(k, (x, _))| (*x, k % 2))
        .collect();
    let targets: Vec<([f64; 2], f64)> = labels.iter().map(|&(x, l)| (x, l as f64)).collect();
    let (value, g) = labelled_grad(&W, &labels);
    let (expected, by_hand) = squared_errors(&W, &targets);
    assert_close((value, &g), (expected, &by_hand));
}

#[derive(Clone, Debug, Params)]
struct Linear {
    w: [[f64; 2]; 2],
    b: [f64; 2],
}

impl Linear {
    #[grad(self)]
    fn forward(&self, x: &[f64; 2]) -> [f64; 2] {
        let mut y = self.b;
        for i in 0..2 {
            for j in 0..2 {
                y[i] += self.w[i][j] * x[j];
            }
        }
        y
    }
}

#[derive(Clone, Debug, Params)]
struct Net {
    hidden: Linear,
    out: [f64; 2],
}

/// The case that found the class: a model's layer called on the array part of each pair.
#[grad(net)]
fn net_loss(net: &Net, data: &[([f64; 2], f64)]) -> f64 {
    let mut total = 0.0;
    for (x, y) in data {
        let h = net.hidden.forward(x);
        let pred: f64 = h
            .iter()
            .zip(net.out.iter())
            .map(|(a, b)| a.tanh() * b)
            .sum();
        total += (pred - y).powi(2);
    }
    total / data.len() as f64
}

#[test]
fn a_layer_takes_the_array_part_of_each_pair() {
    let net = Net {
        hidden: Linear {
            w: [[0.3, -0.2], [0.5, 0.1]],
            b: [0.05, -0.1],
        },
        out: [0.7, -0.4],
    };
    let data = data();
    let (value, g) = net_loss_grad(&net, &data);
    let report = autodiff::gradcheck::check_params_gradient(|n: &Net| net_loss(n, &data), &net, &g);
    assert!(report.max_rel_error < 1e-7, "{report}");
    assert_eq!(value, net_loss(&net, &data));
}

#[grad(w)]
fn enumerated(w: &[f64; 2], data: &[([f64; 2], f64)]) -> f64 {
    let mut total = 0.0;
    for (i, (x, y)) in data.iter().enumerate() {
        total += (i as f64 + 1.0) * (predict(w, x) - y).powi(2);
    }
    total
}

/// Batches of pairs: each pair's parts stay borrowed from the data, not from a copy of the
/// pair made inside the batch's loop (a copy the tape would outlive).
#[grad(w)]
fn batched(w: &[f64; 2], data: &[([f64; 2], f64)]) -> f64 {
    let mut total = 0.0;
    for batch in data.chunks(2) {
        let mut sum = 0.0;
        for (x, y) in batch {
            sum += (predict(w, x) - y).powi(2);
        }
        total += sum * batch.len() as f64;
    }
    total
}

/// A pair skipped by a branch: the array part it would pass is handed on by the branch
/// that does not pass it.
#[grad(w)]
fn masked(w: &[f64; 2], data: &[([f64; 2], f64)], mask: Option<&[bool]>) -> f64 {
    let mut total = 0.0;
    for (k, (x, y)) in data.iter().enumerate() {
        if let Some(m) = mask {
            if !m[k] {
                continue;
            }
        }
        total += (predict(w, x) - y).powi(2);
    }
    total
}

#[grad(w)]
fn tuple_fields(w: &[f64; 2], data: &[([f64; 2], f64)]) -> f64 {
    let mut total = 0.0;
    for pair in data {
        total += (predict(w, &pair.0) - pair.1).powi(2);
    }
    total
}

#[grad(w)]
fn pair_taken_apart(w: &[f64; 2], data: &[([f64; 2], f64)]) -> f64 {
    let mut total = 0.0;
    for pair in data {
        let (x, y) = pair;
        total += (predict(w, x) - y).powi(2);
    }
    total
}

#[grad(w)]
fn ref_pattern(w: &[f64; 2], data: &[([f64; 2], f64, f64)]) -> f64 {
    let mut total = 0.0;
    for &(ref x, y, weight) in data {
        total += weight * (predict(w, x) - y).powi(2);
    }
    total
}

#[grad(w)]
fn folded(w: &[f64; 2], data: &[([f64; 2], f64)]) -> f64 {
    data.iter()
        .fold(0.0, |acc, (x, y)| acc + (predict(w, x) - y).powi(2))
}

#[test]
fn pairs_enumerated_batched_skipped_and_taken_apart() {
    let data = data();
    let (expected, by_hand) = squared_errors(&W, &data);
    let plain = (expected, &by_hand[..]);
    let weighted: Vec<([f64; 2], f64, f64)> = data.iter().map(|&(x, y)| (x, y, 1.0)).collect();
    for (value, g) in [
        masked_grad(&W, &data, None),
        masked_grad(&W, &data, Some(&[true; 3])),
        tuple_fields_grad(&W, &data),
        pair_taken_apart_grad(&W, &data),
        ref_pattern_grad(&W, &weighted),
        folded_grad(&W, &data),
    ] {
        assert_close((value, &g), plain);
    }
    // Weights per pair: i + 1 by position, the batch's length by batch (2, 2, 1).
    let scaled = |weights: [f64; 3]| {
        let (mut value, mut g) = (0.0, [0.0; 2]);
        for (pair, weight) in data.iter().zip(weights) {
            let (v, d) = squared_errors(&W, std::slice::from_ref(pair));
            value += weight * v;
            g[0] += weight * d[0];
            g[1] += weight * d[1];
        }
        (value, g)
    };
    let (value, g) = enumerated_grad(&W, &data);
    let (e, h) = scaled([1.0, 2.0, 3.0]);
    assert_close((value, &g), (e, &h));
    let (value, g) = batched_grad(&W, &data);
    let (e, h) = scaled([2.0, 2.0, 1.0]);
    assert_close((value, &g), (e, &h));
    // The first pair skipped.
    let (value, g) = masked_grad(&W, &data, Some(&[false, true, true]));
    let (e, h) = squared_errors(&W, &data[1..]);
    assert_close((value, &g), (e, &h));
}

// ---- integer parts typed by the parameter's written type (probe, RL objectives) ----

/// `log softmax(z)[a]`, the log-probability of action `a`.
#[grad]
fn log_prob(z: &[f64; 3], a: usize) -> f64 {
    let m = z[0].max(z[1]).max(z[2]);
    z[a] - m - ((z[0] - m).exp() + (z[1] - m).exp() + (z[2] - m).exp()).ln()
}

/// REINFORCE over an episode of `(action, return)`: `a`, named like no size and read as no
/// index here, was taken for float data (a `Const` shadow too many in the call, E0061).
#[grad(z)]
fn reinforce(z: &[f64; 3], episode: &[(usize, f64)]) -> f64 {
    let mut loss = 0.0;
    for &(a, r) in episode {
        loss -= log_prob(z, a) * r;
    }
    loss
}

/// The same through `.iter().enumerate()`, a `let` of an element, and a state array part.
#[grad(z)]
fn discounted(z: &[f64; 3], steps: &[([f64; 3], u8, f64)], pairs: &Vec<(f64, u32)>) -> f64 {
    let mut loss = 0.0;
    for (t, (s, action, r)) in steps.iter().enumerate() {
        let g = 0.9f64.powi(t as i32) * r;
        loss -= log_prob(z, *action as usize) * g * s[0];
    }
    let (w, choice) = pairs[0];
    loss + w * log_prob(z, choice as usize)
}

#[test]
fn integer_parts_of_typed_data_stay_integers() {
    let z: [f64; 3] = [0.1, 0.2, 0.3];
    let total: f64 = z.iter().map(|v| v.exp()).sum();
    let p: Vec<f64> = z.iter().map(|v| v.exp() / total).collect();
    let (value, g) = reinforce_grad(&z, &[(0, 1.0), (2, 0.5)]);
    assert!((value - (-(p[0].ln()) - 0.5 * p[2].ln())).abs() < 1e-12);
    let expected = [-(1.0 - 1.5 * p[0]), 1.5 * p[1], -(0.5 - 1.5 * p[2])];
    assert!(
        g.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-12),
        "{g:?}"
    );
    let steps = [([2.0, 0.0, 0.0], 1u8, 1.0), ([1.0, 0.0, 0.0], 0, 2.0)];
    let pairs = vec![(0.5, 2u32)];
    let (value, g) = discounted_grad(&z, &steps, &pairs);
    assert_eq!(value, discounted(&z, &steps, &pairs));
    // weights of log p[a]: -2 for a = 1, -1.8 for a = 0, 0.5 for a = 2
    let weights = [-1.8, -2.0, 0.5];
    let sum: f64 = weights.iter().sum();
    for k in 0..3 {
        let expected = weights[k] - sum * p[k];
        assert!(
            (g[k] - expected).abs() < 1e-12,
            "{k}: {} vs {expected}",
            g[k]
        );
    }
}
