//! A negated module constant passed to a call (`h(y, -EPS)`): the call's adjoint is given no
//! shadow for it (E0061 `this function takes 5 arguments but 4 arguments were supplied`,
//! "argument #5 is missing"). `h(y, EPS)` and `h(y, -0.5)` work; so does `h(m, EPS)` beside a
//! model, while `h(m, -EPS)` fails the same way. Found by autodiff-fuzz (const-slices, after
//! 42191fd).
use autodiff::grad;

const EPS: f64 = 0.5;

#[grad]
fn h(l: f64, x: f64) -> f64 {
    l * x
}

#[grad]
fn negated_const(y: f64, x: f64) -> f64 {
    h(y, -EPS) * x
}

fn main() {
    // -EPS y x
    let (value, (d_y, d_x)) = negated_const_grad(2.0, 1.5);
    assert_eq!((value, d_y, d_x), (-1.5, -0.75, -1.0));
}
