// A vector declared `Vec::new()` without an element type, then assigned a differentiated value
// bound after the `let`: taken for data where it was declared, so the message asks for the
// type that keeps the derivative.
#![allow(unused_assignments)]
use autodiff::grad;

#[grad]
fn sum_of_squares(x: &[f64]) -> f64 {
    let mut v = Vec::new();
    let squares: Vec<f64> = x.iter().map(|a| a * a).collect();
    v = squares;
    v.iter().sum()
}

fn main() {}
