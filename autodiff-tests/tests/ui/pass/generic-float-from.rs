#![deny(warnings)]

use autodiff::{grad, Float};

#[grad]
fn f<T: Float>(x: T, y: T) -> T {
    let two = T::from(2.0).unwrap();
    two * x * y + x.exp() - T::from(0.5).unwrap() * y.powi(2)
}

fn main() {
    let (value, (d_x, d_y)) = f_grad(1.0_f64, 3.0_f64);
    assert!((value - (6.0 + 1.0_f64.exp() - 4.5)).abs() < 1e-12);
    assert!((d_x - (6.0 + 1.0_f64.exp())).abs() < 1e-12);
    assert!((d_y - (2.0 - 3.0)).abs() < 1e-12);
    let (v32, _) = f_grad(1.0_f32, 2.0_f32);
    assert!(v32.is_finite());
}
