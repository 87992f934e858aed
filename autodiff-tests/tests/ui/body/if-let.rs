// `if let` on data (`if let Some(s) = scale`) is read as written; on a value computed from a
// differentiated input it is not: there is no derivative through a pattern.
use autodiff::grad;

#[grad]
fn largest(x: &[f64]) -> f64 {
    if let Some(m) = x.iter().copied().reduce(f64::max) {
        m
    } else {
        0.0
    }
}

fn main() {}
