use autodiff::{grad, Float};
use num_traits::NumCast;

// A generic function's value taken into f64 by `NumCast`.
#[grad]
fn square_through_f64<T: Float>(x: T) -> T {
    let y: f64 = <f64 as NumCast>::from(x).unwrap();
    T::from(y * y).unwrap()
}

// argmin's `cross_in_tray` computes in f64 through `T: Into<f64>`.
#[grad]
fn through_into<T: Float + Into<f64>>(p: &[T; 2]) -> T {
    let x1: f64 = p[0].into();
    T::from(x1 * p[1].into()).unwrap()
}

fn main() {}
