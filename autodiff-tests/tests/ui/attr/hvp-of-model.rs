use autodiff::{grad, Params};

#[derive(Clone, Debug, Params)]
struct Line {
    w: f64,
    b: f64,
}

// Second order takes numbers and arrays, not yet models.
#[grad(modes(hvp))]
fn f(line: &Line, x: f64) -> f64 {
    (line.w * x + line.b).powi(2)
}

fn main() {}
