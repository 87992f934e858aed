// A `let` without a value or a type, assigned only what a plain helper returns (a type the
// macro cannot see) and read as a number: it asks for the type. (One assigned a float, `let
// y; y = x * x;`, is a float; one assigned integers, `let k; k = n / 2;`, or read as an index,
// an integer.)
use autodiff::grad;

fn lookup(n: usize) -> f64 {
    n as f64 * 0.5
}

#[grad(x)]
fn f(x: &[f64], n: usize) -> f64 {
    let s;
    s = lookup(n);
    x[0] * s
}

fn main() {}
