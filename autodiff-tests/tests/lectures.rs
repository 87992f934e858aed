//! The worked examples of the seed lectures (DESIGN.md), value for value.

#![allow(clippy::needless_range_loop)] // index loops are what is being differentiated
mod common;

use autodiff::grad;
use common::{assert_close, assert_matches_fd};

#[grad]
fn computation_graph(a: f64, b: f64, c: f64) -> f64 {
    c * (a + 2.0 * b)
}

#[grad]
fn sum_times(x: f64, y: f64, z: f64) -> f64 {
    (x + y) * z
}

#[grad]
fn sigmoid_neuron(w: [f64; 3], x: [f64; 2]) -> f64 {
    let z = w[0] * x[0] + w[1] * x[1] + w[2];
    1.0 / (1.0 + (-z).exp())
}

#[grad]
fn sentiment_probability(w: &[f64; 6], x: &[f64; 6], b: f64) -> f64 {
    let mut z = b;
    for i in 0..6 {
        z += w[i] * x[i];
    }
    1.0 / (1.0 + (-z).exp())
}

#[grad(w, b)]
fn sentiment_loss(w: &[f64; 6], x: &[f64; 6], b: f64, y: f64) -> f64 {
    let p = sentiment_probability(w, x, b);
    -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
}

#[grad(w, b)]
fn logistic_loss(w: &[f64; 2], b: f64, x: &[f64; 2], y: f64) -> f64 {
    let z = w[0] * x[0] + w[1] * x[1] + b;
    let p = 1.0 / (1.0 + (-z).exp());
    -(y * p.ln() + (1.0 - y) * (1.0 - p).ln())
}

#[test]
fn computation_graph_c_times_a_plus_2b() {
    let (l, (da, db, dc)) = computation_graph_grad(3.0, 1.0, -2.0);
    assert_eq!((l, da, db, dc), (-10.0, -2.0, -4.0, 5.0));
}

#[test]
fn x_plus_y_times_z() {
    let (f, (dx, dy, dz)) = sum_times_grad(-2.0, 5.0, -4.0);
    assert_eq!((f, dx, dy, dz), (-12.0, -4.0, -4.0, 3.0));
}

#[test]
fn sigmoid_neuron_value_and_gradients() {
    let (f, (dw, dx)) = sigmoid_neuron_grad([2.0, -3.0, -3.0], [-1.0, -2.0]);
    assert_close(f, 0.731, 5e-4);
    let expected_w = [-0.196, -0.393, 0.197];
    for (g, e) in dw.iter().zip(expected_w) {
        assert_close(*g, e, 1e-3);
    }
    assert_close(dx[0], 0.393, 1e-3);
    assert_close(dx[1], -0.590, 1e-3);
    // The lecture's closed form: (1 - f) f times the local gradients.
    let s = f * (1.0 - f);
    assert_close(dw[0], -s, 1e-12);
    assert_close(dx[1], s * -3.0, 1e-12);
}

fn sentiment_inputs() -> ([f64; 6], [f64; 6], f64) {
    (
        [2.5, -5.0, -1.2, 0.5, 2.0, 0.7],
        [3.0, 2.0, 1.0, 3.0, 0.0, 66f64.ln()],
        0.1,
    )
}

#[test]
fn sentiment_example_probability_and_losses() {
    let (w, x, b) = sentiment_inputs();
    let (p, _) = sentiment_probability_grad(&w, &x, b);
    assert_close(p, 0.70, 5e-3);
    let (loss_pos, _) = sentiment_loss_grad(&w, &x, b, 1.0);
    let (loss_neg, _) = sentiment_loss_grad(&w, &x, b, 0.0);
    assert_close(loss_pos, 0.36, 5e-3);
    assert_close(loss_neg, 1.2, 1e-2); // the lecture rounds 1.194 to 1.2
}

#[test]
fn sentiment_loss_gradient_is_p_minus_y_times_x() {
    let (w, x, b) = sentiment_inputs();
    let (p, _) = sentiment_probability_grad(&w, &x, b);
    for y in [0.0, 1.0] {
        let (_, (dw, db)) = sentiment_loss_grad(&w, &x, b, y);
        for i in 0..6 {
            assert_close(dw[i], (p - y) * x[i], 1e-12);
        }
        assert_close(db, p - y, 1e-12);
        let f = |v: &[f64]| {
            let w: [f64; 6] = v[..6].try_into().unwrap();
            sentiment_loss(&w, &x, v[6], y)
        };
        let mut point = w.to_vec();
        point.push(b);
        let mut analytic = dw.to_vec();
        analytic.push(db);
        assert_matches_fd(&f, &point, &analytic, "sentiment loss");
    }
}

#[test]
fn one_gradient_step_from_zero() {
    let (mut w, mut b) = ([0.0, 0.0], 0.0);
    let (x, y, eta) = ([3.0, 2.0], 1.0, 0.1);
    let (_, (dw, db)) = logistic_loss_grad(&w, b, &x, y);
    assert_eq!([dw[0], dw[1], db], [-1.5, -1.0, -0.5]);
    w[0] -= eta * dw[0];
    w[1] -= eta * dw[1];
    b -= eta * db;
    assert_close(w[0], 0.15, 1e-15);
    assert_close(w[1], 0.1, 1e-15);
    assert_close(b, 0.05, 1e-15);
}
