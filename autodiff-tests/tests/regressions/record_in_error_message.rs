//! A local struct's field read by a `format!` on an error path (`return Err(format!("..{}",
//! t10.v))`): the message is passed through as written, and read `t10`, which the generated
//! code does not have (each field is a local of its own): "cannot find value `t10`". It is
//! now rebuilt from its fields for code passed through. Found by autodiff-fuzz (records).

use autodiff::grad;

#[derive(Clone, Copy, Debug)]
struct Rec<F> {
    v: F,
}

#[grad]
fn f(w0: &[f64; 3]) -> Result<f64, String> {
    let mut t10 = Rec { v: -w0[0].max(-0.125f64) };
    if w0[1] > 10.0 {
        return Err(format!("out of range: t10 = {}, {t10:?}", t10.v));
    }
    if w0[2] > 0.0 {
        t10.v *= 0.5f64.cos();
    }
    Ok(2.0 * f64::cos(t10.v))
}

fn main() {
    // t10 = -max(w0[0], -0.125) cos(0.5) = -0.25 cos(0.5); f = 2 cos(t10);
    // d/dw0[0] = -2 sin(t10) (-cos(0.5)).
    let w = [0.25, 0.875, 0.25];
    let (value, g) = f_grad(&w).unwrap();
    let t = -0.25 * 0.5f64.cos();
    assert!((value - 2.0 * t.cos()).abs() < 1e-15);
    assert!((g[0] - 2.0 * t.sin() * 0.5f64.cos()).abs() < 1e-15);
    assert_eq!((g[1], g[2]), (0.0, 0.0));
    assert_eq!(
        f_grad(&[0.25, 11.0, 0.0]).unwrap_err(),
        "out of range: t10 = -0.25, Rec { v: -0.25 }"
    );
}
