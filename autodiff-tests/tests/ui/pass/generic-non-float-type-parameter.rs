#![deny(warnings)]

use autodiff::{grad, Float};

// A type parameter that is not the float type: a data argument passed through.
#[grad]
fn f<T: Float, I: Copy + Into<f64>>(x: T, scale: I) -> T {
    let _ = scale;
    x * x
}

fn main() {
    assert_eq!(f_grad(3.0_f64, 2_u8), (9.0, 6.0));
}
