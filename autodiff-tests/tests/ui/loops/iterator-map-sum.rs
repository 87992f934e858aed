use autodiff::grad;

#[grad]
fn f(w: &[f64]) -> f64 {
    w.iter().map(|v| v * v).sum()
}

fn main() {}
