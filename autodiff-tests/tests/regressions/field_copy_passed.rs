//! A copy of a model's array field passed to a `#[grad]` function: bound with `let`, the copy
//! is handed on as a reference to a reference (E0308 `expected &[f64], found &&[f64; 3]`);
//! bound with `let mut`, passed in a branch (here after an early `return`) and written
//! afterwards, the early exit carries a float where the other path has the array (E0308 `if`
//! and `else` have incompatible types). The same copies of an array parameter (`let c = *w;`)
//! work. Found by autodiff-fuzz (models).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    w: [f64; 3],
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
}
