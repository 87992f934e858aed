// A local struct built with an array field from differentiated values: its fields must be
// numbers; the message says to keep the array in a local, or take the model as a parameter.
use autodiff::grad;

struct Quad {
    w: [f64; 2],
}

fn eval(q: &Quad, x: f64) -> f64 {
    q.w[0] * x * x + q.w[1]
}

#[grad]
fn f(a: f64, b: f64, x: f64) -> f64 {
    let w = [a, b];
    let q = Quad { w };
    eval(&q, x)
}

fn main() {}
