//! A method whose `self` is data (`#[grad]`) passing a model field of `self` on (`h(&self.inner,
//! x)`, `Inner: Params`): the call's adjoint gets a float shadow for it (E0277 "`&mut {float}`
//! is not a shadow of a `Inner`", then E0061 "argument #4 is missing") where it needs `Const`.
//! Found by autodiff-fuzz (methods).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct Inner {
    a: f64,
}

#[derive(Clone, Debug)]
struct S {
    inner: Inner,
}

#[grad]
fn h(l: &Inner, x: f64) -> f64 {
    l.a * x
}

#[grad]
fn dot(w: &[f64], x: f64) -> f64 {
    (w[0] + w[1]) * x
}

/// The class: a data `self`'s array field destructured and lent, beside its model field.
#[derive(Clone, Debug)]
struct T {
    inner: Inner,
    w: [f64; 2],
}

impl S {
    #[grad]
    fn f(&self, x: f64) -> f64 {
        h(&self.inner, x) * x
    }
}

impl T {
    #[grad]
    fn g(&self, x: f64) -> f64 {
        let [p, q] = self.w;
        h(&self.inner, x) * p + dot(&self.w, x) * q
    }
}

fn main() {
    let s = S {
        inner: Inner { a: 2.0 },
    };
    // a x^2
    let (value, d_x) = s.f_grad(1.5);
    assert_eq!((value, d_x), (4.5, 6.0));
    let t = T {
        inner: Inner { a: 3.0 },
        w: [1.0, 2.0],
    };
    // 3 x * 1 + 3 x * 2
    assert_eq!(t.g_grad(2.0), (18.0, 9.0));
}
