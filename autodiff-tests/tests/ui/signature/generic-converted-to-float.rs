// Parameters of generic types converted to floats in the body (TheAlgorithms' logarithm.rs):
// the caller passes floats there, whose derivative `.into()` would lose without a word.
use autodiff::grad;

#[grad]
pub fn log<T: Into<f64>, U>(base: U, x: T, tol: f64) -> f64
where
    U: Into<f64>,
{
    let argument: f64 = x.into();
    let usable_base: f64 = base.into();
    argument.ln() / usable_base.ln() + 0.0 * tol
}

fn main() {}
