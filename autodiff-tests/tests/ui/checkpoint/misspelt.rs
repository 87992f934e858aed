use autodiff::grad;

#[grad]
fn f(x: f64, w: &[f64]) -> f64 {
    let mut y = x;
    #[chekpoint]
    for t in 0..w.len() {
        y = y.sin() * w[t];
    }
    #[checkpointed]
    for t in 0..w.len() {
        y = y.cos() * w[t];
    }
    y
}

fn main() {}
