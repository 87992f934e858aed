#![deny(warnings)]

use autodiff::grad;

// Statement macros run as written in the forward sweep; inline format captures work.
#[grad]
fn f(x: f64) -> f64 {
    let y = x * x;
    assert!(y >= 0.0, "a square is never negative: {y}");
    println!("x = {}, y = {y}", x);
    y
}

fn main() {
    assert_eq!(f_grad(3.0), (9.0, 6.0));
}
