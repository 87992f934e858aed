#![deny(warnings)]

use autodiff::grad;

// A local named `d_out`, like the seed argument of the generated `_adjoint`.
#[grad]
fn f(x: f64) -> f64 {
    let d_out = x * 2.0;
    d_out * x
}

fn main() {
    // f = 2x², f' = 4x.
    assert_eq!(f_grad(1.5), (4.5, 6.0));
}
