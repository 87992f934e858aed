//! Minimal reproducers of calls whose arguments `#[grad]` must classify without seeing the
//! callee (found by probing model code, session 14): which arguments get a shadow in the
//! callee's `_adjoint`, `_tangent` and `_dual_adjoint`. Each checked against a hand-derived
//! gradient.
#![allow(clippy::needless_range_loop)]

use autodiff::grad;

// ---- data rows left out of `#[grad(..)]`, lent whole to another such function ----
// The callee reads them as data, with no shadow: the caller passed `Const` for them (E0061,
// one argument too many, in the generated code).

#[grad(w, modes(tangent, hvp))]
fn weighted_rows(w: f64, xs: &[[f64; 2]]) -> f64 {
    w * w * xs[0][0] + w * xs[1][1]
}

#[grad(w, modes(tangent, hvp))]
fn rows_forwarded(w: f64, xs: &[[f64; 2]]) -> f64 {
    weighted_rows(w, xs) * w
}

#[derive(Clone, Debug, autodiff::Params)]
struct Head {
    q: [f64; 2],
}

impl Head {
    /// The attention score of row `i` against the sequence's first row.
    #[grad(self)]
    fn attend(&self, xs: &[[f64; 2]], i: usize) -> f64 {
        (self.q[0] * xs[i][0] + self.q[1] * xs[i][1]) * xs[0][0]
    }
}

#[derive(Clone, Debug, autodiff::Params)]
struct TwoHeads {
    heads: Vec<Head>,
}

impl TwoHeads {
    #[grad(self)]
    fn forward(&self, xs: &[[f64; 2]]) -> f64 {
        let mut s = 0.0;
        for h in &self.heads {
            for i in 0..xs.len() {
                s += h.attend(xs, i);
            }
        }
        s
    }
}

#[test]
fn data_rows_are_lent_whole_without_a_shadow() {
    let xs = [[2.0, 0.0], [0.0, 3.0]];
    // (2 w^2 + 3 w) w = 2 w^3 + 3 w^2.
    let w = 1.5;
    let (value, g) = rows_forwarded_grad(w, &xs);
    assert_eq!(value, 2.0 * w * w * w + 3.0 * w * w);
    assert_eq!(g, 6.0 * w * w + 6.0 * w);
    assert_eq!(rows_forwarded_tangent(w, &xs, 1.0).1, g);
    let (_, _, hv) = rows_forwarded_hvp(w, &xs, 1.0);
    assert_eq!(hv, 12.0 * w + 6.0);

    let m = TwoHeads {
        heads: vec![Head { q: [1.0, 2.0] }, Head { q: [-0.5, 0.25] }],
    };
    let (value, g) = m.forward_grad(&xs);
    // Each head: x00 (q . x0 + q . x1) = 2 (2 q0 + 3 q1).
    assert_eq!(value, 2.0 * (2.0 + 6.0) + 2.0 * (-1.0 + 0.75));
    for h in &g.heads {
        assert_eq!(h.q, [4.0, 6.0]);
    }
}

// ---- an integer field of data handed to a call ----
// A field named like an index (`s.class`) is an integer: no shadow; so is what is handed to
// the runtime's `softmax_cross_entropy` as its class. Another (`s.label`, a `usize`, handed
// to a function of the user's) is a compile error that says to bind it typed
// (tests/ui/calls/integer-field-argument.rs), as here.

struct Sample {
    x: [f64; 3],
    class: usize,
    label: usize,
}

#[grad(w)]
fn cross_entropy_of_class(w: &[f64; 3], s: &Sample) -> f64 {
    let z = [w[0] * s.x[0], w[1] * s.x[1], w[2] * s.x[2]];
    autodiff::loss::softmax_cross_entropy(&z, s.class)
}

#[grad(w)]
fn cross_entropy_of_label(w: &[f64; 3], data: &[Sample]) -> f64 {
    let mut total = 0.0;
    for s in data {
        let z = [w[0] * s.x[0], w[1] * s.x[1], w[2] * s.x[2]];
        total += autodiff::loss::softmax_cross_entropy(&z, s.label);
    }
    total
}

#[grad]
fn picked(z: &[f64; 3], k: usize) -> f64 {
    z[k]
}

#[grad(w)]
fn picked_by_label(w: &[f64; 3], s: &Sample) -> f64 {
    let z = [w[0] * s.x[0], w[1] * s.x[1], w[2] * s.x[2]];
    let label: usize = s.label;
    picked(&z, label)
}

#[test]
fn integer_fields_of_data_are_passed_as_integers() {
    let s = Sample {
        x: [1.0, 2.0, 3.0],
        class: 2,
        label: 0,
    };
    let w = [0.1, 0.2, 0.3];
    let z: [f64; 3] = [0.1, 0.4, 0.9];
    let total: f64 = z.iter().map(|v| v.exp()).sum();
    let p: Vec<f64> = z.iter().map(|v| v.exp() / total).collect();
    let (value, g) = cross_entropy_of_class_grad(&w, &s);
    assert!((value - (total.ln() - 0.9)).abs() < 1e-14);
    for k in 0..3 {
        let by_hand = (p[k] - f64::from(u8::from(k == 2))) * s.x[k];
        assert!((g[k] - by_hand).abs() < 1e-14);
    }
    let (value, g) = cross_entropy_of_label_grad(&w, std::slice::from_ref(&s));
    assert!((value - (total.ln() - 0.1)).abs() < 1e-14);
    for k in 0..3 {
        let by_hand = (p[k] - f64::from(u8::from(k == 0))) * s.x[k];
        assert!((g[k] - by_hand).abs() < 1e-14);
    }
    assert_eq!(picked_by_label_grad(&w, &s), (0.1, [1.0, 0.0, 0.0]));
}

/// A type's own function through a qualified path without a trait (`<f64>::exp(x)`, probe
/// session 15): generated code called a function `exp` of no crate.
#[grad]
fn qualified_without_trait(x: f64) -> f64 {
    <f64>::exp(x) + <f64>::powi(x, 2)
}

#[grad]
fn qualified_generic<T: autodiff::Float>(x: T) -> T {
    <T>::sqrt(x) * <T as autodiff::Float>::ln(x)
}

#[test]
fn qualified_paths_without_a_trait_name_the_types_functions() {
    let (_, d_x) = qualified_without_trait_grad(0.5);
    assert!((d_x - (0.5f64.exp() + 1.0)).abs() < 1e-12);
    let (_, d_x) = qualified_generic_grad(2.0f64);
    let expected = 0.5 / 2.0f64.sqrt() * 2.0f64.ln() + 2.0f64.sqrt() / 2.0;
    assert!((d_x - expected).abs() < 1e-12);
}
