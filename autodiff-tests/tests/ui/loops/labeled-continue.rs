use autodiff::grad;

#[grad]
fn f(w: &[f64]) -> f64 {
    let mut s = 0.0;
    'rows: for i in 0..w.len() {
        for j in 0..w.len() {
            if j > i {
                continue 'rows;
            }
            s += w[i] * w[j];
        }
    }
    s
}

fn main() {}
