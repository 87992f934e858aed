#![deny(warnings)]

use autodiff::grad;

// A local closure is inlined where it is called.
#[grad]
fn f(x: f64) -> f64 {
    let square = |v: f64| v * v;
    square(x)
}

fn main() {
    assert_eq!(f_grad(3.0), (9.0, 6.0));
}
