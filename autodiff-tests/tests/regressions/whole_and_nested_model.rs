//! A model passed whole (`g(m)`) and its nested model passed as well (`h(&m.inner, x)`), with
//! a field of the nested model read (`m.inner.a`): the generated code names a shadow that it
//! never declares (E0425 `cannot find value d_m_inner`). Any two of the three work. Found by
//! autodiff-fuzz (models).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct Inner {
    a: f64,
}

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    inner: Inner,
    b: f64,
}

#[grad]
fn h(l: &Inner, x: f64) -> f64 {
    l.a * x
}

#[grad]
fn g(m: &M) -> f64 {
    m.b * m.inner.a
}

#[grad]
fn whole_and_nested(m: &M, x: f64) -> f64 {
    let t = m.inner.a;
    h(&m.inner, x) * g(m) * t
}

fn main() {
    let m = M {
        inner: Inner { a: 2.0 },
        b: 3.0,
    };
    // b x a^3
    let (value, (d_m, d_x)) = whole_and_nested_grad(&m, 1.5);
    assert_eq!((value, d_m.inner.a, d_m.b, d_x), (36.0, 54.0, 12.0, 24.0));
}
