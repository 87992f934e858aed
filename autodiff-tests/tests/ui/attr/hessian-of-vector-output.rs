use autodiff::grad;

// A Hessian is for a function that returns one number; `modes(hvp)` on an array function is
// what lets its callers' second order go through it.
#[grad(modes(hessian))]
fn f(x: &[f64; 2]) -> [f64; 2] {
    [x[0] * x[1], x[0]]
}

fn main() {}
