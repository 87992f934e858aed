//! `let xi = &x[i];` of a differentiated element: bound to the number, read as the reference
//! would be (`xi * xi`, `*xi`, `xi.sin()`); a reference to a row or a slice is bound as `&w`
//! is.

use autodiff::grad;

#[grad(modes(tangent))]
fn through_references(x: &[f64], w: &[[f64; 2]]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let xi = &x[i];
        let row = &w[i];
        let tail = &x[i..];
        s += xi * xi + xi.sin() * *xi + row[0] * row[1] * tail.len() as f64;
    }
    s
}

#[test]
fn a_reference_to_an_element_is_the_element() {
    let x = [0.3, -1.2, 0.7];
    let w = [[1.0, 2.0], [0.5, -1.0], [2.0, 0.25]];
    let (value, (d_x, d_w)) = through_references_grad(&x, &w);
    assert_eq!(value, through_references(&x, &w));
    for (i, (d, v)) in d_x.iter().zip(x).enumerate() {
        // d/dv (v^2 + v sin v) = 2 v + sin v + v cos v.
        assert!((d - (2.0 * v + v.sin() + v * v.cos())).abs() < 1e-14, "{i}");
        let n = (x.len() - i) as f64;
        assert_eq!(d_w[i], [w[i][1] * n, w[i][0] * n]);
    }
    let (_, t) = through_references_tangent(&x, &w, &[1.0, 0.0, 0.0], autodiff::Const);
    assert!((t - d_x[0]).abs() < 1e-14);
}
