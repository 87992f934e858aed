// A `let` without a value or a type, assigned only values the macro cannot type (an index
// from an integer here): it asks for the type. (One assigned a float, `let y; y = x * x;`,
// is a float.)
use autodiff::grad;

#[grad]
fn f(x: &[f64], n: usize) -> f64 {
    let k;
    k = n / 2;
    x[k] * x[k]
}

fn main() {}
