// A fallible function returning a tuple, its failure replaced by a default tuple: the
// message says to return an array, whose default may be given.
use autodiff::grad;

#[grad]
fn polar(r: f64, t: f64) -> Option<(f64, f64)> {
    if r < 0.0 {
        return None;
    }
    Some((r * t.cos(), r * t.sin()))
}

#[grad]
fn area(r: f64, t: f64) -> f64 {
    let (x, y) = polar(r, t).unwrap_or((0.0, 1.0));
    x * y
}

fn main() {}
