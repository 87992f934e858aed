#![deny(warnings)]

use autodiff::grad;

// A copy of a parameter array (`let mut z = *b;`) is a local array of the same type.
#[grad]
fn f(b: &[f64; 3], x: f64) -> f64 {
    let mut z = *b;
    for v in z.iter_mut() {
        *v += x;
    }
    z[0] * z[1] * z[2]
}

fn main() {
    let (value, (d_b, d_x)) = f_grad(&[1.0, 2.0, 3.0], 1.0);
    assert_eq!(value, 24.0);
    assert_eq!(d_b, [12.0, 8.0, 6.0]);
    assert_eq!(d_x, 26.0);
}
