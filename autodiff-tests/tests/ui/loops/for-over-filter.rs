use autodiff::grad;

#[grad]
fn f(w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in (0..w.len()).filter(|i| i % 2 == 0) {
        s += w[i];
    }
    s
}

fn main() {}
