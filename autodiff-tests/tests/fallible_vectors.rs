//! Fallible functions that return a vector, a tuple or a matrix (`Result<[f64; 2], E>`,
//! `Option<(f64, f64)>`, `Result<Vec<f64>, E>`, `Option<[[f64; 2]; 2]>`), and their callers:
//! `g(x)?`, `.unwrap()`, `.expect(..)`, `.unwrap_or([..])`, `let [a, b] = g(x)?;`, `&g(x)?`
//! lent to another call, a layer's fallible `forward` in a model.

mod common;

use autodiff::{grad, Const, Params};
use common::{assert_matches_fd, close};

/// The unit vector along `x`, failing on the zero vector.
#[grad(modes(jacobian, tangent, hvp))]
fn normalized(x: &[f64; 2]) -> Result<[f64; 2], String> {
    let n = (x[0] * x[0] + x[1] * x[1]).sqrt();
    if n == 0.0 {
        return Err("zero vector".to_string());
    }
    Ok([x[0] / n, x[1] / n])
}

/// Hardy-Weinberg genotype frequencies, validating `p`.
#[grad(modes(jacobian, tangent, hvp))]
pub fn hardy_weinberg(p: f64) -> Result<(f64, f64, f64), String> {
    if !(0.0..=1.0).contains(&p) {
        return Err("p must be in [0, 1]".into());
    }
    let q = 1.0 - p;
    Ok((p * p, 2.0 * p * q, q * q))
}

/// Squared residuals, `None` for no data.
#[grad(modes(jacobian, tangent, hvp))]
fn squares(x: &[f64]) -> Option<Vec<f64>> {
    if x.is_empty() {
        return None;
    }
    Some(x.iter().map(|v| v * v).collect())
}

/// The inverse of a 2 x 2 matrix, `None` when it is singular.
#[grad(modes(jacobian, hvp))]
fn inverse(m: &[[f64; 2]; 2]) -> Option<[[f64; 2]; 2]> {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    if det == 0.0 {
        return None;
    }
    Some([
        [m[1][1] / det, -m[0][1] / det],
        [-m[1][0] / det, m[0][0] / det],
    ])
}

#[grad(modes(tangent, hvp))]
fn dot2(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    a[0] * b[0] + a[1] * b[1]
}

/// A Kalman innovation's Mahalanobis term `v' S^-1 v`, failing where `S` is singular.
#[grad]
fn mahalanobis(s: &[[f64; 2]; 2], v: &[f64; 2]) -> Option<f64> {
    let si = inverse(s)?;
    let [a, b] = normalized(v).ok()?;
    let w = [
        si[0][0] * v[0] + si[0][1] * v[1],
        si[1][0] * v[0] + si[1][1] * v[1],
    ];
    Some(dot2(v, &w) + a * b)
}

/// Every way of taking a fallible vector's value, in a function that cannot fail.
#[grad(x, modes(tangent, hvp))]
fn takes(x: &[f64; 2], far: f64) -> f64 {
    let u = normalized(x).unwrap();
    let (aa, ab, bb) = hardy_weinberg(u[0] * u[0]).expect("a unit vector's squares are in [0, 1]");
    // (the origin, for `far` zero, is no unit vector: its default, data)
    let origin = normalized(&[x[0] * far, x[1] * far]).unwrap_or([0.5, 2.0]);
    let s = squares(x).unwrap_or(vec![1.0; 2]);
    let lent = dot2(&normalized(x).unwrap(), x);
    u[1] * aa + ab * x[0] + bb * origin[1] + s[0] * s[1] + origin[0] * lent
}

/// `?` in a fallible function, taking each shape apart.
#[grad(x)]
fn tries(x: &[f64; 2], scale: f64) -> Result<f64, String> {
    let [a, b] = normalized(x)?;
    let (aa, ab, _) = hardy_weinberg(a * a / scale)?;
    let s = squares(x).ok_or("no data")?;
    Ok(aa * b + ab + s[0] * s[1])
}

#[derive(Clone, Debug, Params)]
struct Layer {
    w: [[f64; 2]; 2],
}

#[grad(self)]
impl Layer {
    /// tanh(W x), failing on a NaN input.
    fn forward(&self, x: &[f64; 2]) -> Result<[f64; 2], String> {
        if x.iter().any(|v| v.is_nan()) {
            return Err("NaN input".into());
        }
        let mut h = [0.0; 2];
        for (i, hi) in h.iter_mut().enumerate() {
            *hi = (self.w[i][0] * x[0] + self.w[i][1] * x[1]).tanh();
        }
        Ok(h)
    }
}

#[derive(Clone, Debug, Params)]
struct Net {
    l1: Layer,
    l2: Layer,
}

#[grad(net)]
fn net_loss(net: &Net, x: &[f64; 2], y: f64) -> Result<f64, String> {
    let h = net.l1.forward(x)?;
    let o = net.l2.forward(&h)?;
    Ok((o[0] + o[1] - y).powi(2))
}

fn net() -> Net {
    Net {
        l1: Layer {
            w: [[0.1, 0.2], [0.3, -0.4]],
        },
        l2: Layer {
            w: [[0.5, 0.6], [-0.7, 0.8]],
        },
    }
}

#[test]
fn a_fallible_vector_s_jacobian_and_tangent_are_its_success_s() {
    let x = [3.0, 4.0];
    let (value, j) = normalized_jacobian(&x).unwrap();
    assert_eq!(value, [0.6, 0.8]);
    // d(x / |x|) = (I - u u') / |x|
    let expected = [
        [(1.0 - 0.36) / 5.0, -0.48 / 5.0],
        [-0.48 / 5.0, (1.0 - 0.64) / 5.0],
    ];
    for i in 0..2 {
        for c in 0..2 {
            assert!(close(j[i][c], expected[i][c]), "J[{i}][{c}] = {}", j[i][c]);
        }
    }
    let (v, t) = normalized_tangent(&x, &[1.0, -2.0]).unwrap();
    assert_eq!(v, value);
    for i in 0..2 {
        assert!(close(t[i], j[i][0] - 2.0 * j[i][1]));
    }
    assert_eq!(
        normalized_jacobian(&[0.0, 0.0]),
        Err("zero vector".to_string())
    );
    assert!(normalized_tangent(&[0.0, 0.0], Const).is_err());
}

#[test]
fn a_failure_adds_nothing_to_the_shadows() {
    let mut d_x = [1.5, -2.5];
    let out = normalized_adjoint(&[0.0, 0.0], &[1.0, 1.0], &mut d_x);
    assert_eq!(out, Err("zero vector".to_string()));
    assert_eq!(d_x, [1.5, -2.5]);
    let mut d_m = [[0.0; 2]; 2];
    assert_eq!(
        inverse_adjoint(&[[1.0, 2.0], [2.0, 4.0]], &[[1.0; 2]; 2], &mut d_m),
        None
    );
    assert_eq!(d_m, [[0.0; 2]; 2]);
}

#[test]
fn a_fallible_tuple_matches_its_hand_derived_jacobian() {
    let p = 0.3;
    let ((aa, ab, bb), j) = hardy_weinberg_jacobian(p).unwrap();
    assert!(close(aa, 0.09) && close(ab, 0.42) && close(bb, 0.49));
    assert!(close(j[0], 2.0 * p) && close(j[1], 2.0 - 4.0 * p) && close(j[2], -2.0 * (1.0 - p)));
    let (_, t) = hardy_weinberg_tangent(p, 2.0).unwrap();
    assert!(close(t.0, 2.0 * j[0]) && close(t.1, 2.0 * j[1]) && close(t.2, 2.0 * j[2]));
    // The cotangent is a tuple too.
    let mut d_p = 0.0;
    let value = hardy_weinberg_adjoint(p, (1.0, 0.0, 1.0), &mut d_p).unwrap();
    assert_eq!(value, (aa, ab, bb));
    assert!(close(d_p, j[0] + j[2]));
    assert!(hardy_weinberg_jacobian(1.5).is_err());
}

#[test]
fn a_fallible_vec_and_matrix_match_finite_differences() {
    let x = [1.5, -0.5, 2.0];
    let (value, j) = squares_jacobian(&x).unwrap();
    assert_eq!(value, vec![2.25, 0.25, 4.0]);
    for (i, row) in j.iter().enumerate() {
        for (c, entry) in row.iter().enumerate() {
            let expected = if i == c { 2.0 * x[i] } else { 0.0 };
            assert!(close(*entry, expected));
        }
    }
    assert!(squares_jacobian(&[]).is_none());

    let m = [[2.0, 0.5], [0.3, 1.0]];
    let (_, j) = inverse_jacobian(&m).unwrap();
    for (r, c) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let entry = |m: &[f64]| inverse(&[[m[0], m[1]], [m[2], m[3]]]).unwrap()[r][c];
        let flat: Vec<f64> = j[r][c].iter().flatten().copied().collect();
        assert_matches_fd(&entry, &[2.0, 0.5, 0.3, 1.0], &flat, "d inverse");
    }
}

#[test]
fn callers_take_the_success_with_question_mark() {
    let s = [[2.0, 0.5], [0.3, 1.0]];
    let v = [1.0, 2.0];
    let (value, (d_s, d_v)) = mahalanobis_grad(&s, &v).unwrap();
    assert!(close(value, mahalanobis(&s, &v).unwrap()));
    let f = |z: &[f64]| mahalanobis(&[[z[0], z[1]], [z[2], z[3]]], &[z[4], z[5]]).unwrap();
    let mut analytic: Vec<f64> = d_s.iter().flatten().copied().collect();
    analytic.extend(d_v);
    assert_matches_fd(
        &f,
        &[2.0, 0.5, 0.3, 1.0, 1.0, 2.0],
        &analytic,
        "mahalanobis",
    );
    // v' S^-1 v against S^-T v v' S^-T by hand: S^-1 v = [0, 2], v' S^-1 = [8, 70] / 37.
    assert!(close(d_s[0][1], -2.0 * 8.0 / 37.0) && close(d_s[1][1], -2.0 * 70.0 / 37.0));
    assert!(mahalanobis_grad(&[[1.0, 2.0], [2.0, 4.0]], &v).is_none());
    assert!(mahalanobis_grad(&s, &[0.0, 0.0]).is_none());

    let f = |z: &[f64]| tries(&[z[0], z[1]], 2.0).unwrap();
    for x in [[0.6, 0.8], [-1.2, 0.4], [2.0, 3.0]] {
        let (value, d_x) = tries_grad(&x, 2.0).unwrap();
        assert!(close(value, f(&x)));
        assert_matches_fd(&f, &x, &d_x, "tries");
    }
    assert_eq!(tries_grad(&[0.0, 0.0], 2.0), Err("zero vector".to_string()));
    // a / scale out of [0, 1]: the callee's error, passed on
    assert_eq!(
        tries_grad(&[3.0, 0.0], 0.5),
        Err("p must be in [0, 1]".to_string())
    );
}

#[test]
fn unwrap_expect_and_defaults_differentiate_the_success() {
    for (far, x) in [(0.0, [0.6, 0.8]), (0.0, [-1.2, 0.4]), (1.0, [2.0, 3.0])] {
        let f = |z: &[f64]| takes(&[z[0], z[1]], far);
        let (value, d_x) = takes_grad(&x, far);
        assert!(close(value, f(&x)));
        assert_matches_fd(&f, &x, &d_x, "takes");
        let (t_value, t) = takes_tangent(&x, far, &[1.0, 0.0], Const);
        assert!(close(t_value, value) && close(t, d_x[0]));
        // The Hessian-vector product against differences of the gradient.
        let (_, _, hv) = takes_hvp(&x, far, &[0.0, 1.0]);
        let h = 1e-6;
        let up = takes_grad(&[x[0], x[1] + h], far).1;
        let down = takes_grad(&[x[0], x[1] - h], far).1;
        for i in 0..2 {
            let fd = (up[i] - down[i]) / (2.0 * h);
            assert!(
                (hv[i] - fd).abs() < 1e-5 * (1.0 + fd.abs()),
                "Hv[{i}] {} vs {fd}",
                hv[i]
            );
        }
    }
}

#[test]
fn a_layer_s_fallible_forward_is_differentiated_through_question_mark() {
    let net = net();
    let (x, y) = ([1.0, 2.0], 0.3);
    let (value, d_net) = net_loss_grad(&net, &x, y).unwrap();
    assert!(close(value, net_loss(&net, &x, y).unwrap()));
    let flat = |n: &Net| -> Vec<f64> {
        [n.l1.w, n.l2.w]
            .iter()
            .flatten()
            .flatten()
            .copied()
            .collect()
    };
    let f = |z: &[f64]| {
        let mut n = net.clone();
        n.l1.w = [[z[0], z[1]], [z[2], z[3]]];
        n.l2.w = [[z[4], z[5]], [z[6], z[7]]];
        net_loss(&n, &x, y).unwrap()
    };
    assert_matches_fd(&f, &flat(&net), &flat(&d_net), "net_loss");
    assert!(net_loss_grad(&net, &[f64::NAN, 0.0], y).is_err());
}
