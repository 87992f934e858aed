use autodiff::{grad, Params};

#[derive(Clone, Params)]
struct Line {
    w: f64,
    b: f64,
}

// Forward mode takes floats and arrays: with `#[grad(x, ..)]` the model is data.
#[grad(modes(tangent))]
fn predict(line: &Line, x: f64) -> f64 {
    line.w * x + line.b
}

fn main() {}
