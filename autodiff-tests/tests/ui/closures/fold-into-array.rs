use autodiff::grad;

// An array accumulator: a tuple is what `fold` takes.
#[grad]
fn sum_and_squares(x: &[f64; 3]) -> f64 {
    let acc = x.iter().fold([0.0, 0.0], |[s, q], &v| [s + v, q + v * v]);
    acc[0] * acc[1]
}

fn main() {}
