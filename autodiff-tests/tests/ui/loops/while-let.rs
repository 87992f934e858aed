// `while let` on an `Option` a call makes from the differentiated input: a branch on it would
// need a derivative through the match; the message says to test it with a comparison.
use autodiff::grad;

fn halved(v: f64) -> Option<f64> {
    (v > 1.0).then_some(v / 2.0)
}

#[grad]
fn f(x: f64) -> f64 {
    let mut y = x;
    while let Some(v) = halved(y) {
        y = v;
    }
    y
}

fn main() {}
