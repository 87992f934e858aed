#![deny(warnings)]

use autodiff::grad;

#[grad]
fn f(r#type: f64, r#match: &[f64]) -> f64 {
    let mut r#loop = r#type;
    for i in 0..r#match.len() {
        r#loop = r#loop * r#match[i] + r#type;
    }
    r#loop
}

fn main() {
    let (v, (d_type, d_match)) = f_grad(2.0, &[3.0, 0.5]);
    assert_eq!(v, f(2.0, &[3.0, 0.5]));
    // loop = (2 * 3 + 2) * 0.5 + 2 = 6; d/dtype = 3 * 0.5 + 0.5 + 1 = 3.
    assert_eq!(v, 6.0);
    assert_eq!(d_type, 3.0);
    assert_eq!(d_match, vec![1.0, 8.0]);
}
