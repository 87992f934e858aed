use autodiff::{grad, Float};

fn constant<T: Float>(v: f64) -> T {
    T::from(v).unwrap()
}

// The fill is a generic helper's result: nothing here says the array holds floats.
#[grad]
fn squares<T: Float>(x: &[T; 3]) -> T {
    let mut y = [constant::<T>(0.0); 3];
    for i in 0..3 {
        y[i] = x[i] * x[i];
    }
    y[0] + y[1]
}

fn main() {}
