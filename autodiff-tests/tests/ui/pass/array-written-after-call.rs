#![deny(warnings)]

use autodiff::grad;

#[grad]
fn dot(u: &[f64; 2], v: &[f64; 2]) -> f64 {
    u[0] * v[0] + u[1] * v[1]
}

// A local array passed to a call and written afterwards: the call's reverse sweep reads a
// snapshot of what it saw.
#[grad]
fn f(w: &[f64; 2], x: f64) -> f64 {
    let mut h = [0.0; 2];
    h[0] = x;
    h[1] = x * x;
    let a = dot(&h, w);
    h[0] = 2.0 * x;
    a + h[0]
}

fn main() {
    assert_eq!(f_grad(&[1.0, 2.0], 3.0), (27.0, ([3.0, 9.0], 15.0)));
}
