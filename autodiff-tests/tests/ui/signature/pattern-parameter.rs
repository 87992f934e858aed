// A parameter bound by reference (`ref x`) has no name the generated items can pass on; a
// pattern that takes a value apart (`(x, y): (f64, f64)`) is taken apart in the body.
use autodiff::grad;

#[grad]
fn f(ref x: f64, (a, b): (f64, f64)) -> f64 {
    x * a * b
}

fn main() {}
