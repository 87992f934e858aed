use autodiff::grad;

#[grad(0)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
