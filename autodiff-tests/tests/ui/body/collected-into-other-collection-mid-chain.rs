use autodiff::grad;
use std::collections::VecDeque;

// A chain that collects into a `Vec` goes on from it; into another collection it does not:
// the message says to bind what is collected with a `let`.
#[grad]
fn total(ys: &[f64]) -> f64 {
    ys.iter().map(|y| y * y).collect::<VecDeque<f64>>().iter().sum()
}

fn main() {}
