use autodiff::grad;

// Rows that are vectors of their own lengths have reverse mode only, so far.
#[grad(w, modes(tangent))]
fn layer(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for row in w {
        s += row.iter().zip(x).map(|(a, b)| a * b).sum::<f64>().tanh();
    }
    s
}

fn main() {}
