#![deny(warnings)]

use autodiff::grad;

#[grad]
fn f(w: &[f64]) -> f64 {
    let total: f64 = w.iter().sum();
    total * 2.0
}

fn main() {
    assert_eq!(f_grad(&[1.0, -2.0]), (-2.0, vec![2.0, 2.0]));
}
