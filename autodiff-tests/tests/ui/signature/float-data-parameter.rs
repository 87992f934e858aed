// Under a bare `#[grad]` every float parameter is differentiated; one whose floats are in a
// shape it does not differentiate (a slice of tuples) would silently get no gradient, so it
// is an error that says how to read it as data instead.
use autodiff::grad;

#[grad]
fn fit(a: f64, b: f64, points: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for &(x, y) in points {
        s += (a * x + b - y).powi(2);
    }
    s
}

fn main() {}
