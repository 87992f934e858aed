// `while let` on a value that depends on the differentiated input: a branch on it would need
// a derivative through the match; the message says to test it with a comparison.
use autodiff::grad;

#[grad]
fn f(x: f64) -> f64 {
    let mut y = x;
    let mut next = Some(x);
    while let Some(v) = next {
        y = y * v;
        next = if y < 10.0 { Some(y) } else { None };
    }
    y
}

fn main() {}
