#![deny(warnings)]

use autodiff::grad;

#[grad]
fn f(w: &[f64]) -> f64 {
    w.iter().map(|v| v * v).sum()
}

fn main() {
    assert_eq!(f_grad(&[1.0, -2.0]), (5.0, vec![2.0, -4.0]));
}
