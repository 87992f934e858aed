use autodiff::grad;

// How many items the `filter` keeps depends on the values.
#[grad]
fn positive_squares(x: &[f64]) -> Vec<f64> {
    x.iter().filter(|v| **v > 0.0).map(|v| v * v).collect()
}

fn main() {}
