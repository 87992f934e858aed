// A slice parameter moved along as it is consumed (`x = &x[1..]`): the message says to keep
// the start in a counter (it spoke of writing into the parameter).
use autodiff::grad;

#[grad]
fn neighbour_products(mut x: &[f64]) -> f64 {
    let mut s = 0.0;
    while x.len() >= 2 {
        s += x[0] * x[1];
        x = &x[1..];
    }
    s
}

fn main() {}
