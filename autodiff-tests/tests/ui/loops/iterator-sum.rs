use autodiff::grad;

#[grad]
fn f(w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    total * 2.0
}

fn main() {}
