use autodiff::grad;

// A matrix as `&[Vec<f64>]` is read as data, a sample per row: naming it says how to
// differentiate a matrix instead.
#[grad(w)]
fn layer(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for row in w {
        s += row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>().tanh();
    }
    s
}

fn main() {}
