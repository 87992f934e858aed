// A closure parameter called on a differentiated value: its derivative is not in sight (one
// called on data only, `f(i as f64)`, is called as written).
use autodiff::grad;

#[grad]
fn integrate<F: Fn(f64) -> f64>(a: f64, b: f64, f: F) -> f64 {
    let h = (b - a) / 4.0;
    (0..5).map(|i| f(a + i as f64 * h)).sum::<f64>() * h
}

fn main() {}
