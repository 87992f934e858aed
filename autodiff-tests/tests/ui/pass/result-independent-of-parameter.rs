#![deny(warnings)]

use autodiff::grad;

#[grad]
fn f(x: f64, y: f64) -> f64 {
    let _unused = y * 3.0;
    x * x
}

#[grad]
fn constant(_x: f64) -> f64 {
    4.0
}

// `y` only steers control flow: its gradient is zero.
#[grad]
fn steered(x: f64, y: f64) -> f64 {
    let z = y * y;
    if z > 100.0 {
        1.0
    } else {
        x * 5.0
    }
}

fn main() {
    let (value, (d_x, d_y)) = f_grad(3.0, 5.0);
    assert_eq!((value, d_x, d_y), (9.0, 6.0, 0.0));
    assert_eq!(constant_grad(1.0), (4.0, 0.0));
    assert_eq!(steered_grad(2.0, 3.0), (10.0, (5.0, 0.0)));
    assert_eq!(steered_grad(2.0, 30.0), (1.0, (0.0, 0.0)));
}
