// A trait object called on data only: the message points to `impl Fn(..)`, which works.
use autodiff::grad;

#[grad(x)]
fn f(x: f64, g: &dyn Fn(usize) -> f64) -> f64 {
    g(2) * x
}

fn main() {}
