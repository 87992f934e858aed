use autodiff::grad;

#[grad]
fn f(w: &[f64], x: f64) -> f64 {
    w[x] * 2.0
}

fn main() {}
