use autodiff::grad;

fn g(v: &f64) -> f64 {
    *v * 2.0
}

#[grad]
fn f(x: f64) -> f64 {
    g(&x) * x
}

fn main() {}
