//! A bare module constant slice (`const C: &[f64]`) passed to a call beside a model (`h(m,
//! C)`): the call's adjoint is given no shadow for `C` (E0061 `this function takes 5
//! arguments but 4 arguments were supplied`, "argument #5 is missing"). Beside a float
//! (`h(x, C)`) the same constant gets its `Const` shadow (see
//! `module_constants_passed_bare_keep_their_shadows`). Found by autodiff-fuzz (const-slices).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    a: f64,
}

const C: &[f64] = &[2.0, 3.0];

#[grad]
fn h(l: &M, c: &[f64]) -> f64 {
    l.a * c[1]
}

#[grad]
fn model_and_const_slice(m: &M, x: f64) -> f64 {
    h(m, C) * x
}

fn main() {
    let m = M { a: 2.0 };
    // 3 a x
    let (value, (d_m, d_x)) = model_and_const_slice_grad(&m, 1.5);
    assert_eq!((value, d_m.a, d_x), (9.0, 4.5, 6.0));
}
