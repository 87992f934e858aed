// A data parameter's method without `#[grad]` called on a differentiated value: its
// `scale_adjoint` is called as a `#[grad]` method's would be, and the compiler reports it
// missing at the call (as for a function without an `_adjoint`).
use autodiff::grad;

struct Model;

impl Model {
    fn scale(&self, v: f64) -> f64 {
        v * 2.0
    }
}

#[grad(x)]
fn f(x: f64, m: &Model) -> f64 {
    m.scale(x) * x
}

fn main() {}
