// A running sum collected from `scan` whose `None` may end the chain early: its length is
// known only at the end; the message names `scan` and says how to write the loop. (One that
// always gives `Some` is collected as the loop it stands for.)
use autodiff::grad;

#[grad]
fn cumulative_squares(x: &[f64]) -> f64 {
    let sums: Vec<f64> = x
        .iter()
        .scan(0.0, |s, &v| {
            *s += v;
            if *s > 10.0 {
                None
            } else {
                Some(*s)
            }
        })
        .collect();
    sums.iter().map(|c| c * c).sum()
}

fn main() {}
