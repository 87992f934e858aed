use autodiff::grad;

fn integrate(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    (b - a) * f(0.5 * (a + b))
}

#[grad]
fn f(x: f64) -> f64 {
    integrate(|t| t * x, 0.0, 1.0)
}

fn main() {}
