//! Functions returning an array or a vector that leave early through guard clauses (`if
//! values.is_empty() { return vec![]; }`, `if norm < 1e-10 { return vec![0.0; n]; }`, rank-
//! soft's `softmax`, a hyperbolic embedding's projection onto the Poincaré ball), and vectors
//! an `if` chooses between collections (`if n == 0 { Vec::new() } else { .. .collect() }`):
//! the guards are branches of the function's tail, each assigning the result whole.

mod common;

use autodiff::grad;
use common::{assert_matches_fd, Rng};

#[grad]
fn project_to_poincare(v: &[f64]) -> Vec<f64> {
    let norm_sq: f64 = v.iter().map(|x| x * x).sum();
    let norm = norm_sq.sqrt();
    if norm < 1e-10 {
        return vec![0.0; v.len()];
    }
    let scale = norm.tanh() / norm;
    v.iter().map(|x| x * scale).collect()
}

#[grad(modes(tangent, jacobian))]
fn softmax(values: &[f64]) -> Vec<f64> {
    if values.is_empty() {
        return vec![];
    }
    let m = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let s: f64 = values.iter().map(|v| (v - m).exp()).sum();
    values.iter().map(|v| (v - m).exp() / s).collect()
}

/// Two guards in a row, of a fixed-size array.
#[grad]
fn unit_or_small(x: &[f64; 3]) -> [f64; 3] {
    let n = (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]).sqrt();
    if n == 0.0 {
        return [0.0; 3];
    }
    if n < 1.0 {
        return *x;
    }
    [x[0] / n, x[1] / n, x[2] / n]
}

/// A vector chosen by a branch between a `vec!`, a copy and a collection.
#[grad(modes(tangent))]
fn clipped(x: &[f64], eps: f64) -> Vec<f64> {
    let norm: f64 = x.iter().map(|v| v * v).sum::<f64>().sqrt();
    let out: Vec<f64> = if norm < eps {
        vec![0.0; x.len()]
    } else if norm < 1.0 {
        x.to_vec()
    } else {
        x.iter().map(|v| v / norm).collect()
    };
    out
}

/// Every one of them in one loss.
#[grad]
fn loss(v: &[f64]) -> f64 {
    let p = project_to_poincare(v);
    let s = softmax(&p);
    let u = unit_or_small(&[p[0], p[1], s[0]]);
    let c = clipped(&s, 0.5);
    p.iter().zip(&s).map(|(a, b)| a * b).sum::<f64>() + u[0] * u[2] + c[1]
}

#[test]
fn guards_of_vectors_match_differences() {
    let mut rng = Rng::new(17);
    for _ in 0..50 {
        let scale = [0.1, 1.0, 3.0][rng.uniform(0.0, 3.0) as usize % 3];
        let v: Vec<f64> = (0..3).map(|_| scale * rng.uniform(-1.0, 1.0)).collect();
        let (value, gradient) = loss_grad(&v);
        assert_eq!(value, loss(&v));
        assert_matches_fd(&|v| loss(v), &v, &gradient, "loss");
    }
}

#[test]
fn a_guard_taken_gives_its_value_and_no_gradient() {
    let mut d: [f64; 0] = [];
    assert!(softmax_adjoint(&[], &[], &mut d[..]).is_empty());
    let zero = [0.0; 3];
    let mut d_v = vec![0.0; 3];
    let value = project_to_poincare_adjoint(&zero, &[1.0, 2.0, 3.0], &mut d_v[..]);
    assert_eq!((value, d_v), (vec![0.0; 3], vec![0.0; 3]));
    let (mut d_x, small) = ([0.0; 3], [0.1, 0.2, -0.2]);
    assert_eq!(
        unit_or_small_adjoint(&small, &[1.0, -1.0, 0.5], &mut d_x),
        small
    );
    assert_eq!(d_x, [1.0, -1.0, 0.5]);
    let (mut d_x, mut d_eps) = (vec![0.0; 2], 0.0);
    let value = clipped_adjoint(&[0.1, 0.1], 0.5, &[1.0, 1.0], &mut d_x[..], &mut d_eps);
    assert_eq!((value, d_x, d_eps), (vec![0.0; 2], vec![0.0; 2], 0.0));
}

#[test]
fn forward_mode_through_guards_and_chosen_vectors() {
    let x = [0.3, -0.4];
    let (value, jacobian) = softmax_jacobian(&x);
    assert_eq!(value, softmax(&x));
    for i in 0..2 {
        for j in 0..2 {
            let kronecker = if i == j { 1.0 } else { 0.0 };
            assert!((jacobian[i][j] - value[i] * (kronecker - value[j])).abs() < 1e-15);
        }
    }
    assert!(softmax_tangent(&[], &[][..]).0.is_empty());
    let (value, tangent) = clipped_tangent(&[3.0, 4.0], 0.5, &[1.0, 0.0][..], 0.0);
    assert_eq!(value, vec![0.6, 0.8]);
    assert!((tangent[0] - 0.128).abs() < 1e-15 && (tangent[1] + 0.096).abs() < 1e-15);
}
