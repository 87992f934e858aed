use autodiff::grad;

#[grad]
fn f(w: &[f64]) -> f64 {
    let mut s = 0.0;
    'outer: for i in 0..w.len() {
        for j in 0..w.len() {
            if w[i] * w[j] > 10.0 {
                break 'outer;
            }
            s += w[i] * w[j];
        }
    }
    s
}

fn main() {}
