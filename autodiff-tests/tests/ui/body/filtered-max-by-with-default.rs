// `max_by` after a `filter`, with a default: which items the filter keeps is not known before
// the loop, so the default is not taken from the length; the message says to write the loop
// (`.unwrap()` is supported).
use autodiff::grad;

#[grad]
fn largest_positive_or_zero(x: &[f64]) -> f64 {
    x.iter()
        .copied()
        .filter(|v| *v > 0.0)
        .max_by(|a, b| a.total_cmp(b))
        .unwrap_or(0.0)
}

fn main() {}
