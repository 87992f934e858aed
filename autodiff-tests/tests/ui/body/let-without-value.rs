// A `let` without a value or a type, assigned only what a plain helper returns (a type the
// macro cannot see): it asks for the type. (One assigned a float, `let y; y = x * x;`, is a
// float, and one assigned integers, `let k; k = n / 2;`, an integer.)
use autodiff::grad;

fn lookup(n: usize) -> u8 {
    n as u8
}

#[grad(x)]
fn f(x: &[f64], n: usize) -> f64 {
    let s;
    s = lookup(n);
    x[0] * s as f64
}

fn main() {}
