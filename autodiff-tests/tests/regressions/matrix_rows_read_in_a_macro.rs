//! A matrix field iterated by rows whose rows are read only inside a macro
//! (`assert!(row.len() >= 2)`) was taken for a vector of floats: its shadow was checked as a
//! slice (E0277 "cannot add `[f64; 2]` to `[f64; 2]`", and `SliceTangent` in `NAME_tangent`).
//! Macro arguments now tell how their locals are read, like any other expression. Found by
//! autodiff-fuzz (seed 19191, p00169; a row also lent to a call: seed 28282, p00181).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
pub struct M {
    pub mat: [[f64; 2]; 3],
    pub w: [f64; 2],
}

#[grad(modes(tangent))]
fn first(w: &[f64]) -> f64 {
    w[0] * w[1]
}

#[grad(modes(tangent))]
fn rows_counted(m: &M, x: f64) -> f64 {
    let mut s = 0.0;
    for row in m.mat.iter() {
        s += first(&m.w);
        assert!(row.len() >= 2);
        debug_assert_eq!(row.len(), 2, "{:?}", row);
    }
    x * s
}

/// A row lent to a call and also read in a macro (fuzz seed 28282, p00181): the loop was
/// rewritten to lend `&m.mat[element]` in place of the row, and the macro still named it
/// (E0425 "cannot find value `row`").
#[grad]
fn row_weight(m: &M, row: &[f64]) -> f64 {
    m.w[1] * row[0]
}

#[grad]
fn lent_and_asserted(m: &M) -> f64 {
    let mut s = 0.0;
    for row in m.mat.iter() {
        assert!(row.len() >= 2);
        s += row_weight(m, row);
    }
    s
}

fn main() {
    // w1 (mat00 + mat10 + mat20)
    let m2 = M {
        mat: [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]],
        w: [0.5, 2.0],
    };
    let (value, d_m) = lent_and_asserted_grad(&m2);
    assert_eq!(value, 18.0);
    assert_eq!(d_m.w, [0.0, 9.0]);
    assert_eq!(d_m.mat, [[2.0, 0.0]; 3]);

    let m = M {
        mat: [[1.0, 2.0]; 3],
        w: [0.5, 4.0],
    };
    // 3 x w0 w1
    let (value, (d_m, d_x)) = rows_counted_grad(&m, 2.0);
    assert_eq!(value, 12.0);
    assert_eq!(d_x, 6.0);
    assert_eq!(d_m.w, [24.0, 3.0]);
    assert_eq!(d_m.mat, [[0.0; 2]; 3]);
}
