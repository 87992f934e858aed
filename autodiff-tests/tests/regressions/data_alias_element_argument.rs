//! An element of a local bound to a data struct's float field (`let v = &self.v0; h(v[1], ..)`)
//! passed to a differentiated call inside another call's arguments: the inner call was passed
//! through, its result got no type, and the outer call's adjoint was given no shadow for it
//! (E0061 "this function takes 5 arguments but 4 arguments were supplied"). An element of such
//! a local is float data, as an element of the field itself (`self.v0[1]`) is. Found by
//! autodiff-fuzz (seed 21212, p00062).
use autodiff::grad;

pub struct M {
    pub v0: Vec<f64>,
    pub a1: f64,
}

#[grad]
pub fn h0(x0: f64, x1: f64) -> f64 {
    x0 * x1
}

#[grad]
impl M {
    pub fn nested(&self, x0: f64) -> f64 {
        let al9 = &self.v0;
        h0(x0, h0(al9[1], al9[1]))
    }
}

#[grad(x0)]
pub fn nested_free(m: &M, x0: f64) -> f64 {
    let v = &m.v0;
    let w = v;
    h0(x0, h0(v[0], w[1]) + m.a1)
}

fn main() {
    let m = M {
        v0: vec![2.0, 3.0],
        a1: 0.5,
    };
    // x0 * 3 * 3
    assert_eq!(m.nested_grad(2.0), (18.0, 9.0));
    // x0 * (2 * 3 + 0.5)
    assert_eq!(nested_free_grad(&m, 2.0), (13.0, 6.5));
}
