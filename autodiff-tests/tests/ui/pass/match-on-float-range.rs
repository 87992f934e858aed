#![deny(warnings)]

use autodiff::grad;

// `match` on a float with range patterns: piecewise, each arm differentiated.
#[grad]
fn f(x: f64) -> f64 {
    match x {
        0.0..=1.0 => x * x,
        _ => x * 3.0,
    }
}

fn main() {
    assert_eq!(f_grad(0.5), (0.25, 1.0));
    assert_eq!(f_grad(2.0), (6.0, 3.0));
    assert_eq!(f_grad(-1.0), (-3.0, 3.0));
}
