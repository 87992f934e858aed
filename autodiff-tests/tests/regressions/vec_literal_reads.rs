//! Inside a `vec![..]` literal the macro does not see what the elements read: an array bound
//! from a call (`let p = pair(x);`) read only there is lowered as a float ("can index only
//! arrays"), and a model's field read there is not rewritten ("does not differentiate through
//! struct fields yet"). The same elements in an array literal `[..]` work. Found by
//! autodiff-fuzz (vector-outputs, models).
use autodiff::grad;

#[derive(Clone, Debug, autodiff::Params)]
struct M {
    a: f64,
}

#[grad]
fn pair(x: f64) -> [f64; 2] {
    [x * x, 3.0 * x]
}

#[grad]
fn from_result(x: f64) -> Vec<f64> {
    let p = pair(x);
    vec![x - p[1], x]
}

#[grad]
fn from_field(m: &M, x: f64) -> Vec<f64> {
    vec![m.a * x, x]
}

fn main() {
    let mut d_x = 0.0;
    let value = from_result_adjoint(0.5, &[1.0, 1.0], &mut d_x);
    assert_eq!((value, d_x), (vec![-1.0, 0.5], -1.0));
    let (mut d_m, mut d_x) = (M { a: 0.0 }, 0.0);
    let value = from_field_adjoint(&M { a: 3.0 }, 0.5, &[1.0, 1.0], &mut d_m, &mut d_x);
    assert_eq!((value, d_m.a, d_x), (vec![1.5, 0.5], 0.5, 4.0));
}
