use autodiff::grad;

// Second order is for functions that return one number.
#[grad(modes(hvp))]
fn f(x: &[f64; 2]) -> [f64; 2] {
    [x[0] * x[1], x[0]]
}

fn main() {}
