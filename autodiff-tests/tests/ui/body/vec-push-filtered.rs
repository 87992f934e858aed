// A vector filled by a loop over a filtered chain: the loop's trip count, which the vector
// is made at, is not known before it runs.
use autodiff::grad;

#[grad]
fn positive_squares(x: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    for v in x.iter().filter(|v| **v > 0.0) {
        out.push(v * v);
    }
    out
}

fn main() {}
