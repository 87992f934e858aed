#![deny(warnings)]

use autodiff::grad;

pub struct Point {
    pub y: f64,
}

// A struct parameter that is data: its fields are read as written.
#[grad(x)]
fn f(x: f64, p: &Point) -> f64 {
    x * p.y
}

fn main() {
    assert_eq!(f_grad(2.0, &Point { y: 5.0 }), (10.0, 5.0));
}
