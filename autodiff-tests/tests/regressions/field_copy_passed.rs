//! A copy of a model's array field passed to a `#[grad]` function: bound with `let`, the copy
//! is handed on as a reference to a reference (E0308 `expected &[f64], found &&[f64; 3]`);
//! bound with `let mut`, passed in a branch (here after an early `return`) and written
//! afterwards, the early exit carries a float where the other path has the array (E0308 `if`
//! and `else` have incompatible types). The same copies of an array parameter (`let c = *w;`)
//! work. Found by autodiff-fuzz (models).
#![allow(dead_code)] // the functions are called through their `_grad` and `_adjoint`

use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    w: [f64; 3],
}

#[derive(Clone, Debug, autodiff::Params)]
struct WithVec {
    v: Vec<f64>,
}

#[derive(Clone, Debug, autodiff::Params)]
struct Generic<T> {
    w: [T; 3],
}

#[grad]
fn spread(w: &[f64], x: f64) -> f64 {
    (w[0] - w[1]) * x
}

#[grad]
fn copy_passed(m: &M, x: f64) -> f64 {
    let c = m.w;
    spread(&c, x)
}

#[grad]
fn copy_passed_then_written(m: &M, x: f64) -> f64 {
    let mut c = m.w;
    if x < 0.0 {
        return spread(&c, x);
    }
    c[1] *= x;
    c[1]
}

#[grad]
fn spread_generic<T: autodiff::Float>(w: &[T], x: T) -> T {
    (w[0] - w[1]) * x
}

/// The class: a `Vec` field's copy (a snapshot clones it, never moves it), and a copy in
/// generic code (the branch's zeros are of the field's type, not `Default`).
#[grad]
fn vec_copy_passed_then_written(m: &WithVec, x: f64) -> f64 {
    let mut c = m.v.clone();
    if x < 0.0 {
        return spread(&c, x);
    }
    c[1] *= x;
    let s = spread(&c, x);
    c[0] = 2.0;
    s + c[1]
}

#[grad]
fn generic_copy_passed_then_written<T: autodiff::Float>(m: &Generic<T>, x: T) -> T {
    let mut c = m.w;
    if x < T::zero() {
        return spread_generic(&c, x);
    }
    c[1] = c[1] * x;
    c[1]
}

fn main() {
    let m = M { w: [1.0, 2.0, 3.0] };
    // (w_0 - w_1) x
    let (value, (d_m, d_x)) = copy_passed_grad(&m, 0.5);
    assert_eq!((value, d_m.w, d_x), (-0.5, [0.5, -0.5, 0.0], -1.0));
    let (value, (d_m, d_x)) = copy_passed_then_written_grad(&m, -0.5);
    assert_eq!((value, d_m.w, d_x), (0.5, [-0.5, 0.5, 0.0], -1.0));
    // w_1 x above 0
    let (value, (d_m, d_x)) = copy_passed_then_written_grad(&m, 0.5);
    assert_eq!((value, d_m.w, d_x), (1.0, [0.0, 0.5, 0.0], 2.0));

    let m = WithVec { v: vec![1.0, 2.0] };
    let (value, (d_m, d_x)) = vec_copy_passed_then_written_grad(&m, -0.5);
    assert_eq!((value, d_m.v, d_x), (0.5, vec![-0.5, 0.5], -1.0));
    // (v_0 - v_1 x) x + v_1 x
    let (value, (d_m, d_x)) = vec_copy_passed_then_written_grad(&m, 0.5);
    assert_eq!((value, d_m.v, d_x), (1.0, vec![0.5, 0.25], 1.0));
    let g = Generic { w: [1.0, 2.0, 3.0] };
    let (value, (d_g, d_x)) = generic_copy_passed_then_written_grad(&g, 0.5);
    assert_eq!((value, d_g.w, d_x), (1.0, [0.0, 0.5, 0.0], 2.0));
}
