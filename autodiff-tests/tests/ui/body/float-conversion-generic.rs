use autodiff::{grad, Float};
use num_traits::NumCast;

// A generic function's value taken into f64 by `NumCast`.
#[grad]
fn square_through_f64<T: Float>(x: T) -> T {
    let y: f64 = <f64 as NumCast>::from(x).unwrap();
    T::from(y * y).unwrap()
}

fn main() {}
