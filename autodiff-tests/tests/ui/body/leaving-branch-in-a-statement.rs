// A branch that leaves beside one that gives a value: where a `let` binds the value, what
// follows runs only if no branch left; used inside a statement, the value would be read
// after `continue` has left.
use autodiff::grad;

#[grad]
fn product_of_positives(x: &[f64]) -> f64 {
    let mut s = 1.0;
    for &v in x {
        s *= if v > 0.0 { v } else { continue };
    }
    s
}

fn main() {}
