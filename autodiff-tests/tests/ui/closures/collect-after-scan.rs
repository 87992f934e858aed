// A running sum collected from `scan`: its `None` may end the chain early, so its length is
// known only at the end; the message names `scan` and says how to write the loop.
use autodiff::grad;

#[grad]
fn cumulative_squares(x: &[f64]) -> f64 {
    let sums: Vec<f64> = x
        .iter()
        .scan(0.0, |s, &v| {
            *s += v;
            Some(*s)
        })
        .collect();
    sums.iter().map(|c| c * c).sum()
}

fn main() {}
