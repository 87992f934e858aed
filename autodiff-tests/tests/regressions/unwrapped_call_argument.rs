//! The success of a fallible `#[grad]` call on a constant (`halve(EPS).unwrap()`) as the
//! float argument of a vector-valued `#[grad]` function: the macro did not take it for a
//! float, so `pair_adjoint` got no shadow for it (E0061). Found by autodiff-fuzz (seed 5050,
//! program 37: fallible, vector-outputs).
#![allow(dead_code)] // the functions are called through their `_grad` and `_adjoint`

use autodiff::grad;

const EPS: f64 = 1.5;

#[grad]
fn pair(w: &[f64], x: f64) -> Vec<f64> {
    vec![w[0] * x, x * x]
}

#[grad]
fn halve(x: f64) -> Option<f64> {
    Some(x * 0.5)
}

#[grad]
fn unwrapped_call_argument(w: &[f64], x: f64) -> f64 {
    let y = pair(w, halve(EPS).unwrap());
    y[0] * x
}

fn main() {
    // y[0] = 0.75 w[0], times x
    assert_eq!(
        unwrapped_call_argument_grad(&[2.0, 3.0], 4.0),
        (6.0, (vec![3.0, 0.0], 1.5))
    );
}
