#![deny(warnings)]

use autodiff::grad;

// An array literal bound to a local: a local array, its elements differentiated.
#[grad]
fn f(x: f64, y: f64) -> f64 {
    let v = [x, y];
    v[0] * v[1]
}

fn main() {
    assert_eq!(f_grad(2.0, 3.0), (6.0, (3.0, 2.0)));
}
