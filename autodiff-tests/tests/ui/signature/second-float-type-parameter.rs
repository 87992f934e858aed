use autodiff::{grad, Float};

// Two float types: `y` would not be differentiated.
#[grad]
fn mixed<T: Float, U: Float>(x: T, y: U) -> T {
    x * T::from(y).unwrap()
}

fn main() {}
