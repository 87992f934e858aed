//! A matrix field read only through its rows (`for row in m.mat.iter()`) is taken for a 1-D
//! array: with the rows unused, the generated code does not compile (E0277 `cannot add
//! [f64; 2] to [f64; 2]`, `[[f64; 2]; 2]: SliceShadow<[f64; 2]>`); with the rows indexed,
//! "can index only arrays" (and, iterated, "`.len()` needs an array" spanned on the
//! attribute). Indexed anywhere else as well (`m.mat[0][1]`), it works. Found by
//! autodiff-fuzz (models).
#![allow(dead_code)] // the functions are called through their `_grad` and `_adjoint`

use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    mat: [[f64; 2]; 2],
    a: f64,
}

#[grad]
fn row_products(m: &M) -> f64 {
    let mut s = 0.0;
    for row in m.mat.iter() {
        s += row[0] * row[1];
    }
    s
}

#[grad]
fn rows_destructured(m: &M) -> f64 {
    let mut s = 0.0;
    for row in m.mat.iter() {
        let [p, q] = *row;
        s += p * q;
    }
    s
}

#[grad]
fn rows_measured(m: &M) -> f64 {
    let mut s = m.a;
    for row in m.mat.iter() {
        if row.len() == 2 {
            s *= 2.0;
        }
    }
    s
}

#[grad]
fn rows_unread(m: &M) -> f64 {
    let mut s = m.a;
    for _row in m.mat.iter() {
        s *= 2.0;
    }
    s
}

/// The class: a wildcard item, and a `Vec` of rows (an unread item is never loaded).
#[derive(Clone, Debug, autodiff::Params)]
struct Rows {
    rows: Vec<Vec<f64>>,
    a: f64,
}

#[grad]
fn rows_counted(m: &Rows) -> f64 {
    let mut s = m.a;
    for _ in m.rows.iter() {
        s *= 2.0;
    }
    for _row in &m.rows {
        s *= 2.0;
    }
    s
}

fn main() {
    let m = M {
        mat: [[1.0, 2.0], [3.0, 4.0]],
        a: 1.5,
    };
    let (value, d_m) = row_products_grad(&m);
    assert_eq!(
        (value, d_m.mat, d_m.a),
        (14.0, [[2.0, 1.0], [4.0, 3.0]], 0.0)
    );
    let (value, d_m) = rows_destructured_grad(&m);
    assert_eq!(
        (value, d_m.mat, d_m.a),
        (14.0, [[2.0, 1.0], [4.0, 3.0]], 0.0)
    );
    let (value, d_m) = rows_measured_grad(&m);
    assert_eq!((value, d_m.mat, d_m.a), (6.0, [[0.0; 2]; 2], 4.0));
    let (value, d_m) = rows_unread_grad(&m);
    assert_eq!((value, d_m.mat, d_m.a), (6.0, [[0.0; 2]; 2], 4.0));
    let rows = Rows {
        rows: vec![vec![1.0], vec![2.0]],
        a: 1.5,
    };
    let (value, d_rows) = rows_counted_grad(&rows);
    assert_eq!((value, d_rows.a, d_rows.rows), (24.0, 16.0, vec![vec![0.0]; 2]));
}
