use autodiff::grad;

// A scalar function's Jacobian is its gradient.
#[grad(modes(jacobian))]
fn f(x: &[f64; 2]) -> f64 {
    x[0] * x[1]
}

fn main() {
    let _ = f_grad(&[1.0, 2.0]);
}
