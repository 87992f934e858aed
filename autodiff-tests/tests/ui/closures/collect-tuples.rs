// Tuples collected from a zipped chain: reported on the `collect`, saying to collect rows
// written as array literals instead (it was a message spanned on the attribute).
use autodiff::grad;

#[grad]
fn first_product(s: &[f64], w: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = s.iter().copied().zip(w.iter().copied()).collect();
    pairs[0].0 * pairs[0].1
}

fn main() {}
