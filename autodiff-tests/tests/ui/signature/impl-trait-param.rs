use autodiff::grad;

#[grad]
fn f(x: f64, scale: impl Fn(f64) -> f64) -> f64 {
    scale(x) * x
}

fn main() {}
