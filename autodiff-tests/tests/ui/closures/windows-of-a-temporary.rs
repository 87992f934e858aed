use autodiff::grad;

// A chain over a temporary copy: one error, on the copy (not one more on code the macro
// writes for `windows`).
#[grad]
fn products_of_neighbours(x: &[f64]) -> f64 {
    x.to_vec().windows(2).map(|w| w[0] * w[1]).sum()
}

fn main() {}
