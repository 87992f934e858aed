use autodiff::grad;

#[grad]
fn twice(x: &[f64; 2]) -> [f64; 2] {
    [2.0 * x[0], 2.0 * x[1]]
}

// Second order does not yet go through a call that returns an array.
#[grad(modes(hvp))]
fn f(x: &[f64; 2]) -> f64 {
    let y = twice(x);
    y[0] * y[1]
}

fn main() {}
