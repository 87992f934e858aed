#![deny(warnings)]

use autodiff::grad;

// Parameters read only by `let _ = ..;`: the original function uses them, the generated
// `_adjoint` must not warn about them.
#[grad]
fn discarded(x: f64) -> f64 {
    let _ = x;
    4.0
}

#[grad]
fn flags(x: f64, flag: bool, k: i32) -> f64 {
    let _ = (flag, k);
    x * x
}

fn main() {
    assert_eq!(discarded_grad(1.0), (4.0, 0.0));
    assert_eq!(flags_grad(3.0, true, -1), (9.0, 6.0));
}
