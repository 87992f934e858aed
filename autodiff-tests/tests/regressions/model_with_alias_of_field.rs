//! A model passed whole to a call together with one of its array fields, through an alias
//! (`let w = &m.w; h(m, w)`) or directly (`h(m, &m.w)`): the call's adjoint is given the
//! model's shadow and its field's shadow, two `&mut` borrows of the same accumulator (E0499
//! `cannot borrow value as mutable more than once at a time`, spanned on `m`). Found by
//! autodiff-fuzz (models; the alias form is not routed to field-patterns by the generator).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    a: f64,
    w: [f64; 2],
}

#[grad]
fn h(l: &M, v: &[f64]) -> f64 {
    l.a * v[1]
}

#[grad(m)]
fn model_with_alias(m: &M, x: f64) -> f64 {
    let w = &m.w;
    h(m, w) * x
}

/// The class: a nested model lent with its parent, and a field lent with the nested model it
/// is in (the accumulator of its own goes to the enclosing one, whatever the field's type);
/// two fields of a model that is also read whole, lent to one call (one split borrow).
#[derive(Clone, Debug, autodiff::Params)]
struct Outer {
    inner: M,
    b: f64,
    mat: [[f64; 2]; 2],
}

#[grad]
fn outer_inner(o: &Outer, l: &M) -> f64 {
    o.b * l.a + o.inner.w[0] * l.w[1]
}

#[grad]
fn inner_row(l: &M, mat: &[[f64; 2]; 2]) -> f64 {
    l.a * mat[1][0]
}

#[grad]
fn nested_and_fields(o: &Outer) -> f64 {
    outer_inner(o, &o.inner) + h(&o.inner, &o.inner.w) + inner_row(&o.inner, &o.mat)
}

#[grad]
fn model_and_matrix(o: &Outer) -> f64 {
    inner_row(&o.inner, &o.mat) * o.mat[0][1]
}

/// A row of one field and another field of a model also read whole, lent to one call (fuzz
/// seed 29292, p00052): the row was projected from the model's shadow beside the split of the
/// other field (E0499).
#[grad]
fn scaled_pair(row: &[f64; 2], w: &[f64]) -> Vec<f64> {
    vec![row[0] * w[0], row[1] * w[1]]
}

#[grad]
fn row_and_field(o: &Outer) -> f64 {
    let y = scaled_pair(&o.mat[1], &o.inner.w);
    outer_inner(o, &o.inner) + y[1]
}

fn main() {
    let m = M { a: 2.0, w: [3.0, 5.0] };
    // a w1 x
    let (value, d_m) = model_with_alias_grad(&m, 1.5);
    assert_eq!((value, d_m.a, d_m.w), (15.0, 7.5, [0.0, 3.0]));

    let o = Outer {
        inner: m,
        b: 0.5,
        mat: [[1.0, 4.0], [3.0, 7.0]],
    };
    // b a + w0 w1 + a w1 + a mat10
    let (value, d_o) = nested_and_fields_grad(&o);
    assert_eq!((value, d_o.b), (1.0 + 15.0 + 10.0 + 6.0, 2.0));
    assert_eq!((d_o.inner.a, d_o.inner.w), (0.5 + 5.0 + 3.0, [5.0, 3.0 + 2.0]));
    assert_eq!(d_o.mat, [[0.0, 0.0], [2.0, 0.0]]);
    // a mat10 mat01
    let (value, d_o) = model_and_matrix_grad(&o);
    assert_eq!((value, d_o.inner.a, d_o.mat), (24.0, 12.0, [[0.0, 6.0], [8.0, 0.0]]));
    // b a + w0 w1 + mat11 w1
    let (value, d_o) = row_and_field_grad(&o);
    assert_eq!((value, d_o.b, d_o.inner.a), (1.0 + 15.0 + 35.0, 2.0, 0.5));
    assert_eq!(d_o.inner.w, [5.0, 3.0 + 7.0]);
    assert_eq!(d_o.mat, [[0.0, 0.0], [0.0, 5.0]]);
}
