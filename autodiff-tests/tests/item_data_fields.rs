//! The fields of an item of data (`s` in `for s in samples`) read as arrays by an iterator
//! chain (`s.x.iter().zip(w)`, `zip(&s.x)`, `s.inner.v.iter()`, a `Vec` field), a reference
//! to such a field bound by the user (`let xs = &s.xs;`), and data carried from one
//! iteration to the next in an `Option` (`prev = Some(s)`) whose `let` states its type.
//! Each failed to compile (an error at the chain, E0507 or E0282 inside generated code).

mod common;

use autodiff::grad;
use common::assert_matches_fd;

#[derive(Clone, Debug)]
pub struct Inner {
    pub v: [f64; 2],
}

#[derive(Clone, Debug)]
pub struct Sample {
    pub x: [f64; 2],
    pub y: f64,
    pub inner: Inner,
    pub xs: Vec<f64>,
}

/// Least squares with the row's features zipped with the weights, from either side.
#[grad(w, modes(tangent, hvp))]
fn squared_errors(w: &[f64; 2], samples: &[Sample]) -> f64 {
    let mut total = 0.0;
    for s in samples {
        let z: f64 = s.x.iter().zip(w.iter()).map(|(a, b)| a * b).sum();
        let z2: f64 = w.iter().zip(&s.x).map(|(&a, &b)| a * b).sum();
        total += (z - s.y).powi(2) + 0.5 * (z2 - s.y).powi(2);
    }
    total
}

/// A nested field and a `Vec` field of the item, iterated.
#[grad(w)]
fn nested_and_vec_fields(w: &[f64; 2], samples: &[Sample]) -> f64 {
    let mut total = 0.0;
    for s in samples.iter() {
        let u: f64 = s.inner.v.iter().zip(w).map(|(a, b)| a * b * b).sum();
        let v: f64 = s.xs.iter().map(|q| (q * w[0]).sin()).sum();
        total += u + v;
    }
    total
}

/// The user's own reference to a `Vec` field, iterated and measured.
#[grad(w)]
fn bound_reference(w: &[f64; 2], samples: &[Sample]) -> f64 {
    let mut total = 0.0;
    for s in samples {
        let xs = &s.xs;
        let v: f64 = xs.iter().map(|&q| q * w[0] * w[1]).sum();
        total += v / xs.len() as f64;
    }
    total
}

/// The previous item, carried in an `Option<&Sample>`.
#[grad(w)]
fn previous_item(w: &[f64; 2], samples: &[Sample]) -> f64 {
    let mut prev: Option<&Sample> = None;
    let mut total = 0.0;
    for s in samples {
        if let Some(p) = prev {
            total += w[0] * (s.y - p.y) + w[1] * s.x[0] * p.x[1];
        }
        prev = Some(s);
    }
    total
}

/// The previous target, carried in an `Option<f64>`.
#[grad(w)]
fn previous_target(w: &[f64; 2], samples: &[Sample]) -> f64 {
    let mut last: Option<f64> = None;
    let mut total = 0.0;
    for s in samples {
        if let Some(p) = last {
            total += (w[0] * (s.y - p)).tanh() * w[1];
        }
        last = Some(s.y);
    }
    total
}

fn samples() -> Vec<Sample> {
    let rows = [
        ([1.0, 2.0], 0.5, [0.5, 0.25], vec![1.0, 2.0, 3.0]),
        ([0.5, -1.0], 1.5, [-0.75, 2.0], vec![0.5]),
        ([0.25, 3.0], -1.5, [1.5, -0.5], vec![-1.0, 0.25]),
    ];
    rows.into_iter()
        .map(|(x, y, v, xs)| Sample {
            x,
            y,
            inner: Inner { v },
            xs,
        })
        .collect()
}

const W: [f64; 2] = [0.3, -0.7];

fn check(f: impl Fn(&[f64; 2]) -> f64, (value, grad): (f64, [f64; 2]), what: &str) {
    assert_eq!(value, f(&W), "{what}: value");
    assert_matches_fd(&|p: &[f64]| f(&[p[0], p[1]]), &W, &grad, what);
}

#[test]
fn chains_over_fields_of_items_of_data() {
    let data = samples();
    check(
        |w| squared_errors(w, &data),
        squared_errors_grad(&W, &data),
        "squared_errors",
    );
    check(
        |w| nested_and_vec_fields(w, &data),
        nested_and_vec_fields_grad(&W, &data),
        "nested_and_vec_fields",
    );
    check(
        |w| bound_reference(w, &data),
        bound_reference_grad(&W, &data),
        "bound_reference",
    );
}

#[test]
fn chains_over_fields_of_items_in_forward_mode_and_second_order() {
    let data = samples();
    let (_, g) = squared_errors_grad(&W, &data);
    let t = [0.5, -2.0];
    let (value, tangent) = squared_errors_tangent(&W, &data, &t);
    assert_eq!(value, squared_errors(&W, &data));
    assert!((tangent - (g[0] * t[0] + g[1] * t[1])).abs() < 1e-12);
    // Hv of a quadratic is exact in finite differences of the gradient.
    let (_, _, hv) = squared_errors_hvp(&W, &data, &t);
    let h = 1e-3;
    let shifted = |s: f64| squared_errors_grad(&[W[0] + s * t[0], W[1] + s * t[1]], &data).1;
    let (up, down) = (shifted(h), shifted(-h));
    for i in 0..2 {
        assert!(
            (hv[i] - (up[i] - down[i]) / (2.0 * h)).abs() < 1e-8,
            "Hv[{i}]"
        );
    }
}

#[test]
fn data_carried_across_iterations_in_an_option() {
    let data = samples();
    check(
        |w| previous_item(w, &data),
        previous_item_grad(&W, &data),
        "previous_item",
    );
    check(
        |w| previous_target(w, &data),
        previous_target_grad(&W, &data),
        "previous_target",
    );
    // No previous item: nothing added.
    assert_eq!(previous_item_grad(&W, &data[..1]), (0.0, [0.0; 2]));
}
