// Attribute syntax from other tools (`wrt = x`, `modes = "tangent"`): the message shows this
// attribute's own.
use autodiff::grad;

#[grad(wrt = x)]
fn f(x: f64, y: f64) -> f64 {
    x * y
}

#[grad(modes = "tangent")]
fn g(x: f64, y: f64) -> f64 {
    x * y
}

fn main() {}
