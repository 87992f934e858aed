// A local `Option` of a differentiated number is a flag and the number: it is tested and read
// with `if let`, `match`, `is_some`, `unwrap` and their kin, not handed on whole.
use autodiff::grad;

fn or_zero(o: Option<f64>) -> f64 {
    o.unwrap_or(0.0)
}

#[grad]
fn f(x: &[f64]) -> f64 {
    let mut prev: Option<f64> = None;
    let mut s = 0.0;
    for &v in x {
        s += or_zero(prev) * v;
        prev = Some(v);
    }
    s
}

fn main() {}
