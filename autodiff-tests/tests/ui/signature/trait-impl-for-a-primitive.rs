use autodiff::{grad, Float};

// smartcore's `impl RealNumber for f64`: no inherent impl of `f64` can hold the gradients.
pub trait Activation {
    fn sigmoid(self) -> Self;
}

#[grad]
impl Activation for f64 {
    fn sigmoid(self) -> f64 {
        1. / (1. + f64::exp(-self))
    }
}

// A blanket impl: the same for any `T`.
pub trait Softplus {
    fn softplus(self) -> Self;
}

#[grad]
impl<T: Float> Softplus for T {
    fn softplus(self) -> T {
        (T::one() + self.exp()).ln()
    }
}

fn main() {
    println!("{}", 0.5f64.sigmoid() + 0.5f64.softplus());
}
