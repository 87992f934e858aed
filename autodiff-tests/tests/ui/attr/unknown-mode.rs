use autodiff::grad;

// A misspelt mode: the error lists the modes there are.
#[grad(x, modes(tangnet))]
fn f(x: f64, y: f64) -> f64 {
    x * y
}

fn main() {}
