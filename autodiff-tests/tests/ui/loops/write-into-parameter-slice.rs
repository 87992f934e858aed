use autodiff::grad;

#[grad]
fn f(w: &[f64], x: f64) -> f64 {
    w[0] = 1.0;
    w[0] * x
}

fn main() {}
