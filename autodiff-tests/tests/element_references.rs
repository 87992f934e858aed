//! `let xi = &x[i];` of a differentiated element: bound to the number, read as the reference
//! would be (`xi * xi`, `*xi`, `xi.sin()`); a reference to a row or a slice is bound as `&w`
//! is; a `&mut` reference to a row of a local matrix (`rows.iter_mut()`, `&mut rows[i]`) is
//! written through, under any name it is passed on to, while a row taken by value is a copy.

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

/// Rows of a copied matrix written through `iter_mut()` (enumerated, and under another name)
/// and through `&mut rows[i]`; each row of a by-value copy is a copy of its own.
#[grad]
#[allow(clippy::needless_range_loop)] // `&mut pts[i]` is what is tested
fn rows_written_through(xs: &[[f64; 2]]) -> f64 {
    let mut pts = xs.to_vec();
    for (k, p) in pts.iter_mut().enumerate() {
        p[0] *= 2.0;
        let q = p;
        q[1] *= k as f64 + 1.0;
    }
    for i in 0..pts.len() {
        let r = &mut pts[i];
        r[1] += r[0].sin() * i as f64;
    }
    pts.iter().map(|p| p[0] * p[1]).sum()
}

#[grad]
fn rows_by_value(xs: &[[f64; 2]; 2]) -> f64 {
    let copy = *xs;
    let mut s = 0.0;
    for row in copy {
        let mut r = row;
        r[0] = 5.0;
        s += r[0] * r[1] + row[0];
    }
    s
}

#[test]
fn rows_are_written_through_mutable_references() {
    let x = [[0.3, -1.2], [0.7, 0.4], [-0.5, 0.9]];
    let (value, d_x) = rows_written_through_grad(&x);
    assert_eq!(value, rows_written_through(&x));
    // Row k: a = 2 x0, b = (k + 1) x1 + k sin(2 x0), term a b:
    // d/dx0 = 2 b + 2 a k cos(2 x0), d/dx1 = (k + 1) a.
    for (k, (d, r)) in d_x.iter().zip(&x).enumerate() {
        let (a, m) = (2.0 * r[0], k as f64 + 1.0);
        let b = m * r[1] + k as f64 * a.sin();
        assert!(
            (d[0] - (2.0 * b + 2.0 * a * k as f64 * a.cos())).abs() < 1e-12,
            "{k}"
        );
        assert!((d[1] - m * a).abs() < 1e-12, "{k}");
    }
    let rows = [[0.3, -1.2], [0.7, 0.4]];
    assert_eq!(rows_by_value_grad(&rows).1, [[1.0, 5.0], [1.0, 5.0]]);
}

/// A `&mut` row's name shadowed in an inner block, then passed on: still the reference (a set
/// of names beside the scopes lost it at the inner `let`, and the writes went to a copy).
#[grad]
fn row_name_shadowed(xs: &[[f64; 2]]) -> f64 {
    let mut pts = xs.to_vec();
    let p = &mut pts[0];
    let s = {
        let p = 2.0;
        p * 3.0
    };
    let q = p;
    q[0] *= s;
    pts.iter().map(|r| r[0] * r[1]).sum()
}

#[test]
fn a_shadowed_row_reference_is_still_written_through() {
    let x = [[0.3, -1.2], [0.7, 0.4]];
    let (value, d_x) = row_name_shadowed_grad(&x);
    assert_eq!(value, row_name_shadowed(&x));
    assert_eq!(d_x, vec![[6.0 * -1.2, 6.0 * 0.3], [0.4, 0.7]]);
}
