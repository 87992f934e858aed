//! A bare module constant slice (`const C: &[f64]`) passed to a call gets no shadow in the
//! call's adjoint when it is the first argument (`h(C, x)`: E0277 `{float}: SliceShadow<f64>`
//! is not satisfied, the next shadow shifted onto it, then E0061 "argument #5 is missing") or
//! when it follows a model (`g(m, C)`: E0061). After a float (`dot(z, C)`) it gets its `Const`
//! shadow (see `module_constants_passed_bare_keep_their_shadows`). Found by autodiff-fuzz
//! (const-slices). Fixed on main by 42191fd (a one-letter constant passed bare is a table).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    a: f64,
}

const C: &[f64] = &[2.0, 3.0];

#[grad]
fn h(c: &[f64], x: f64) -> f64 {
    c[1] * x
}

#[grad]
fn g(l: &M, c: &[f64]) -> f64 {
    l.a * c[1]
}

#[grad]
fn const_slice_first(x: f64) -> f64 {
    h(C, x) * x
}

#[grad]
fn const_slice_after_model(m: &M, x: f64) -> f64 {
    g(m, C) * x
}

fn main() {
    // 3 x^2
    let (value, d_x) = const_slice_first_grad(1.5);
    assert_eq!((value, d_x), (6.75, 9.0));
    // 3 a x
    let m = M { a: 2.0 };
    let (value, (d_m, d_x)) = const_slice_after_model_grad(&m, 1.5);
    assert_eq!((value, d_m.a, d_x), (9.0, 4.5, 6.0));
}
