#![deny(warnings)]

use autodiff::grad;

// Items declared in the body are kept; a nested helper called with a differentiated value
// needs its own `#[grad]`.
#[grad]
fn f(x: f64) -> f64 {
    const SCALE: f64 = 3.0;
    #[grad]
    fn helper(v: f64) -> f64 {
        v * v
    }
    SCALE * helper(x)
}

fn main() {
    assert_eq!(f_grad(2.0), (12.0, 12.0));
}
