//! A matrix field iterated by rows whose rows are read only inside a macro
//! (`assert!(row.len() >= 2)`) was taken for a vector of floats: its shadow was checked as a
//! slice (E0277 "cannot add `[f64; 2]` to `[f64; 2]`", and `SliceTangent` in `NAME_tangent`).
//! Macro arguments now tell how their locals are read, like any other expression. Found by
//! autodiff-fuzz (seed 19191, p00169).
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

fn main() {
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
