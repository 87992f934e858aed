use autodiff::grad;

// The length of the array `from_fn` makes is in its type, which is not written here.
#[grad]
fn squares(x: &[f64; 3]) -> f64 {
    let y = std::array::from_fn::<f64, 3, _>(|i| x[i] * x[i]);
    y[0] + y[2]
}

fn main() {}
