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

fn main() {
    let m = M { a: 2.0, w: [3.0, 5.0] };
    // a w1 x
    let (value, d_m) = model_with_alias_grad(&m, 1.5);
    assert_eq!((value, d_m.a, d_m.w), (15.0, 7.5, [0.0, 3.0]));
}
