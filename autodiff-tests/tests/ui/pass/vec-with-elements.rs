#![deny(warnings)]

use autodiff::grad;

// `vec![a, b]` with elements: a local `Vec`, its elements differentiated.
#[grad]
fn f(x: f64, y: f64) -> f64 {
    let v = vec![x * y, y];
    v.iter().sum::<f64>() + v[0] * v.len() as f64
}

fn main() {
    assert_eq!(f_grad(2.0, 3.0), (21.0, (9.0, 7.0)));
}
