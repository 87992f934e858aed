#![deny(warnings)]

use autodiff::grad;

// A local named like the shadow argument of a parameter (`d_y` for `y`).
#[grad]
fn f(x: f64, y: f64) -> f64 {
    let d_y = x * y;
    d_y + x
}

fn main() {
    assert_eq!(f_grad(2.0, 3.0), (8.0, (4.0, 2.0)));
}
