#![deny(warnings)]

use autodiff::grad;

// `for` over any iterator chain: the loop over positions it stands for.
#[grad]
fn f(w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in (0..w.len()).filter(|i| i % 2 == 0) {
        s += w[i] * w[i];
    }
    s
}

fn main() {
    assert_eq!(f_grad(&[1.0, 2.0, 3.0]), (10.0, vec![2.0, 0.0, 6.0]));
}
