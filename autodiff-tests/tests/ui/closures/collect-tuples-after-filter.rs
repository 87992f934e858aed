// The pairs a `filter` keeps, collected: a vector of tuples, which the sweeps do not track
// (numbers and rows of numbers they do); the message says to write the loop that pushes the
// numbers instead.
use autodiff::grad;

#[grad]
fn kept_pairs(x: &[f64], y: &[f64]) -> f64 {
    let pairs: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .map(|(a, b)| (*a, *b))
        .filter(|p| p.0 > 0.0)
        .collect();
    pairs.iter().map(|p| p.0 * p.1).sum()
}

fn main() {}
