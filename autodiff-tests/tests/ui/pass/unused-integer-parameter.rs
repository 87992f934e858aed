#![deny(warnings)]

use autodiff::grad;

// Integer and bool parameters that never reach the gradient.

#[grad]
fn g(x: f64, n: usize) -> f64 {
    let _m = n * 2;
    x * 2.0
}

#[grad]
fn h(x: f64, n: usize, flag: bool) -> f64 {
    if n > 2 || flag {
        return 0.0;
    }
    x * 3.0
}

#[grad]
fn unused(x: f64, _n: usize, _flag: bool) -> f64 {
    x * x
}

fn main() {
    assert_eq!(g_grad(3.0, 7), (6.0, 2.0));
    assert_eq!(h_grad(3.0, 1, false), (9.0, 3.0));
    assert_eq!(h_grad(3.0, 5, false), (0.0, 0.0));
    assert_eq!(unused_grad(3.0, 5, true), (9.0, 6.0));
}
